"""
Perpetual futures: the state transition of positions, oracle prices,
funding, margin and liquidation, beside spot and sharing its collateral token.

This package is the readable spec of ``docs/DESIGN.md``'s "Perpetual
futures": one function per transaction kind in :mod:`.rules`, the
margin arithmetic in :mod:`.margin`, what an account may take out after a
freeze in :mod:`.exit`. It runs on a :class:`.state.PerpLedger` beside the
spot :class:`sequencer.spec.state.State`, whose accounts it reads for their
keys, whose order slots it shares (a perpetual order's id takes a slot as a
spot order's does) and whose collateral-token balance it moves collateral
from and to.

Not yet wired: the ledger is not hashed into the state root, no batch slot
carries these transactions and no circuit proves them (see "What does not
work yet" in ``docs/DESIGN.md``'s section).
"""
