"""
A batch: its spot slots, then its perpetual slots, applied in order as one
step of the rollup (``docs/DESIGN.md``, "Batches").

Each slot's transaction goes through the one function for its kind, spot's
:func:`.transition.apply_transaction` or perpetuals'
:func:`.perpetual.rules.apply_perp_transaction`, on the journaled state;
after the last slot the batch's spot trading fees are credited to the fee
account (a perpetual trade credits its fees to the fee account's collateral
itself). The witness builder, the operator and the replay from L1 follow
the same order.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .constants import TIMESTAMP_BITS
from .errors import RollupError
from .perpetual.errors import PerpetualsNotConfigured
from .perpetual.ledger import PerpLedger
from .perpetual.rules import apply_perp_transaction
from .perpetual.state import PerpConfig
from .perpetual.transactions import PerpTransaction
from .state import State
from .transactions import Transaction
from .transition import SlotOutcome, Withdrawal, apply_transaction, check_range, credit_fees, total_fees
from .types import Amount, FieldElement, Timestamp, TokenId


@dataclass(frozen=True)
class BatchResult:
    """
    The outcome of a batch: one :class:`SlotOutcome` per spot slot, the
    withdrawals to pay on L1 in slot order, the spot fees credited to the
    fee account per token, and the state root after the batch.
    """

    slots: tuple[SlotOutcome, ...]
    withdrawals: tuple[Withdrawal, ...]
    fees: dict[TokenId, Amount]
    new_root: FieldElement


def apply_batch(
    state: State,
    txs: Sequence[Transaction],
    timestamp: Timestamp,
    perp_txs: Sequence[PerpTransaction] = (),
    perp_config: PerpConfig | None = None,
) -> BatchResult:
    """
    Apply every spot slot of a batch in order, then every perpetual slot
    (``perp_txs``, on the markets of ``perp_config``), then pay the batch's
    spot fees to the fee account.

    A batch is applied whole or not at all: if any slot is invalid the error
    is raised (with a note naming the slot) and ``state`` is left unchanged.

    Raises
    ------
    ValueOutOfRange
        ``timestamp`` does not fit in ``TIMESTAMP_BITS``.
    PerpetualsNotConfigured
        ``perp_txs`` is not empty and there is no ``perp_config``.
    InvalidTransaction
        Any error of :func:`apply_transaction` or of
        :func:`apply_perp_transaction`, for the first invalid slot.
    BalanceOverflow
        Crediting the fees would overflow a balance of the fee account.
    """
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    if perp_txs and perp_config is None:
        raise PerpetualsNotConfigured(len(perp_txs))
    state.begin()
    try:
        slots = []
        for slot, tx in enumerate(txs):
            try:
                slots.append(apply_transaction(state, tx, timestamp, txs[slot - 1] if slot else None))
            except RollupError as error:
                error.add_note(f"in batch slot {slot}")
                raise
        if perp_config is not None:
            ledger = PerpLedger(perp_config, state)
            for slot, perp_tx in enumerate(perp_txs):
                try:
                    apply_perp_transaction(state, ledger, perp_tx, timestamp, perp_txs[slot - 1] if slot else None)
                except RollupError as error:
                    error.add_note(f"in perpetual slot {slot}")
                    raise
        fees = total_fees(slots)
        credit_fees(state, fees)
    except Exception:
        state.rollback()
        raise
    state.commit()
    withdrawals = tuple(s.withdrawal for s in slots if s.withdrawal is not None)
    return BatchResult(tuple(slots), withdrawals, fees, state.root)
