"""
Matchproof's state transition function, written to be read.

This package is the rollup's state transition as plain Python: the one
definition the sequencer runs, the circuit proves and the contracts trust. It
does no I/O, reads no clock and holds no secrets; every value is an integer.
``docs/DESIGN.md`` is the prose version of the same rules.

Modules, in reading order:

- :mod:`constants` -- bit widths, scales, transaction type codes, tree sizes;
- :mod:`types` -- the integer types of the domain;
- :mod:`errors` -- every way a transaction can be invalid;
- :mod:`merkle` -- the sparse Poseidon Merkle tree all state lives in;
- :mod:`state` -- accounts, their balances and order slots, the account tree;
- :mod:`transactions` -- what a batch slot can hold, and the signed messages;
- :mod:`transition` -- the spot rules: ``process_*`` and ``apply_transaction``;
- :mod:`batch` -- ``apply_batch``: a batch's spot slots, then its perpetual ones;
- :mod:`public_data` -- what a batch publishes and the one public input;
- :mod:`replay` -- a proven batch's published effects applied without
  signatures: the state rebuilt from L1 alone;
- :mod:`perpetual` -- perpetual futures: their rules, publication and replay.
"""
