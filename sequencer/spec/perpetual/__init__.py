"""
Perpetual futures: the state transition of positions, oracle prices,
funding, margin and liquidation, beside spot and sharing its collateral token.

This package is the readable spec of ``docs/DESIGN.md``'s "Perpetual
futures": one function per transaction kind in :mod:`.rules`, the
margin arithmetic in :mod:`.margin`, what an account may take out after a
freeze in :mod:`.exit`. Its state lives in the rollup's
:class:`sequencer.spec.state.State` (each account's collateral and
positions in its leaf, the markets and the collateral pool beside the
account tree, all under the state root, :mod:`.commitment`), which the
rules read and write through a :class:`.ledger.PerpLedger`; they share the
spot accounts' keys and order slots (a perpetual order's id takes a slot as
a spot order's does) and move collateral from and to the collateral
token's spot balance.

A batch applies perpetual slots after its spot slots
(:mod:`sequencer.spec.batch`), each publishes what :mod:`.public_data` lays
out, and :mod:`.replay` applies a published slot from L1 data alone. The
batch circuit proves the perpetual slots that move only the markets (oracle
updates, funding ticks); not yet those that move accounts, and no deployed
configuration has perpetual slots (see "What does not work yet" in
``docs/DESIGN.md``'s section).
"""
