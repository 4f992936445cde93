"""
The sequencer as a service: order intake over HTTP, a WebSocket feed, a
write-ahead log, signed receipts and the batching and proving loops.

Reading order:

- :mod:`commands`, :mod:`codec` -- what the log holds and how it is encoded;
- :mod:`machine` -- the deterministic state machine the log drives;
- :mod:`wal` -- the SQLite write-ahead log and batch statuses;
- :mod:`receipts` -- the operator's EIP-712 receipts;
- :mod:`intake` -- apply, log (group commit), then acknowledge;
- :mod:`core` -- the service: replay on start, timer, L1 poller, proving loop;
- :mod:`schemas`, :mod:`views`, :mod:`api`, :mod:`errors`, :mod:`limits` -- the HTTP API;
- :mod:`feed` -- the WebSocket feed's fan-out;
- :mod:`l1`, :mod:`proving` -- where L1 requests come from, where proofs go;
- :mod:`prover_routes` -- the job endpoints remote prover workers lease batches from;
- :mod:`config`, :mod:`server`, :mod:`cli` -- configuration and running it;
- :mod:`canonical` -- the state as canonical bytes, to compare replays.
"""
