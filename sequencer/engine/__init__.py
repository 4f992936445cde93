"""
The matching engine: one price-time-priority limit order book per market.

The engine decides which orders trade and at what price; the state
transition (``sequencer.spec``) decides whether a trade is valid. Every fill
the engine makes is at the maker's price, in whole lots and ticks, so that it
is exact in integers and acceptable to the spec and the circuit.

- :mod:`market` -- a market's tokens, tick and lot sizes, minimum and fees;
- :mod:`orders` -- order kinds (limit, IOC, FOK, post-only, market), statuses, records;
- :mod:`book` -- the book itself: priority, matching, self-trade prevention, depth;
- :mod:`cancels` -- the signed (off-chain) cancel and cancel-all messages;
- :mod:`operator` -- the operator's core: takes each request, applies it to
  the head state through the spec, and hands transactions to the batcher;
- :mod:`checks` -- the intake checks on top of the spec's;
- :mod:`locks` -- balance locks: what open orders may still spend;
- :mod:`registry` -- every accepted order and the indexes it is looked up by;
- :mod:`batcher` -- pending transactions, sealing and building batches;
- :mod:`records` -- trades, withdrawals and sealed batches;
- :mod:`errors` -- the stable codes of the engine's refusals.
"""
