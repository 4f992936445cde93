"""
Batch building: apply a batch's transactions with the spec and record the
circuit's whole input on the way.
"""

from dataclasses import dataclass, field
from typing import Sequence, TypeAlias

from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.public_data import encode_perp_slot, perp_slot_data
from sequencer.spec.perpetual.rules import apply_perp_transaction
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.perpetual.transactions import PerpTransaction
from sequencer.spec.public_data import (
    advance_chain,
    encode_slot,
    public_input_hash,
    slot_data,
)
from sequencer.spec.state import State
from sequencer.spec.transactions import L1_TRANSACTIONS, Noop, Transaction
from sequencer.spec.transition import (
    SlotOutcome,
    Withdrawal,
    apply_transaction,
    check_range,
    credit_fees,
    total_fees,
)
from sequencer.spec.constants import TIMESTAMP_BITS
from sequencer.spec.types import FieldElement, Timestamp

from .perp_close import CLOSE_SLOT_SIGNALS, CloseBefore, close_slot_inputs
from .perp_trade import TRADE_SLOT_SIGNALS, TradeBefore, trade_slot_inputs
from .perp_transfer import TRANSFER_SLOT_SIGNALS, TransferBefore, transfer_slot_inputs
from .perpetual import Inputs, config_hash_inputs, market_inputs, market_slot_inputs
from .sides import SideInputs
from .slots import SlotBefore, fee_account_inputs, slot_inputs

SignalValue: TypeAlias = int | Sequence["SignalValue"]
"""A signal's value: an integer, or a (nested) list of them for an array."""

CircuitInput: TypeAlias = dict[str, SignalValue]
"""The input of ``Batch``: signal name to value (arrays over slots)."""


class BatchTooLarge(RollupError):
    """More transactions than the circuit has slots."""

    def __init__(self, count: int, slots: int) -> None:
        super().__init__(f"{count} transactions do not fit in {slots} slots")
        self.count = count
        self.slots = slots


PERP_SLOT_SIGNALS = (
    "txType", "market", "signer", "price", "signedTime", "R8x", "R8y", "S", "median", "latest", "rate"
) + TRADE_SLOT_SIGNALS + TRANSFER_SLOT_SIGNALS + CLOSE_SLOT_SIGNALS
"""
A perpetual slot's own inputs (its type and market, ``PerpMarketMoves``',
``PerpTradeSlot``'s, ``PerpTransferSlot``'s and ``PerpCloseSlot``'s); the
batch takes each as ``perp<Name>`` over its perpetual slots.
"""


@dataclass(frozen=True)
class PerpSlots:
    """
    A batch's perpetual slots: how many the circuit has (``Batch``'s
    ``nPerp``), the deployment's perpetual parameters, and the transactions
    for them (padded with noops).
    """

    slots: int
    config: PerpConfig
    transactions: Sequence[PerpTransaction] = ()


@dataclass(frozen=True)
class ProvableBatch:
    """
    A batch ready to prove and to submit: the circuit's input and everything
    the contract is given (the new root, the timestamp, how many L1 requests
    it consumes and the slots' public data).
    """

    transactions: tuple[Transaction, ...]
    timestamp: Timestamp
    old_root: FieldElement
    new_root: FieldElement
    chain_start: FieldElement
    chain_end: FieldElement
    l1_count: int
    slot_data: tuple[bytes, ...]
    public_input_hash: FieldElement
    withdrawals: tuple[Withdrawal, ...]
    circuit_input: CircuitInput = field(repr=False)
    perp_slot_data: tuple[bytes, ...] = ()

    @property
    def public_data(self) -> bytes:
        """The spot slots' bytes one after the other, then the perpetual slots', as ``submitBatch`` takes them."""
        return b"".join(self.slot_data + self.perp_slot_data)


def build_batch(
    state: State,
    transactions: Sequence[Transaction],
    timestamp: Timestamp,
    chain_start: FieldElement,
    slots: int,
    perp: PerpSlots | None = None,
) -> ProvableBatch:
    """
    Apply ``transactions`` (padded with noops to ``slots``), then ``perp``'s
    (padded to its number of slots), to ``state`` as ``apply_batch`` does,
    and build the circuit's input from the states in between. Without
    ``perp`` the circuit has no perpetual slot (``nPerp`` 0) and keeps the
    perpetual commitment.

    Raises
    ------
    BatchTooLarge
        More transactions than ``slots``, or perpetual ones than ``perp.slots``.
    RollupError
        Any error of ``apply_batch``; ``state`` is then unchanged.
    """
    if len(transactions) > slots:
        raise BatchTooLarge(len(transactions), slots)
    if perp is not None and len(perp.transactions) > perp.slots:
        raise BatchTooLarge(len(perp.transactions), perp.slots)
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    padded = tuple(transactions) + (Noop(),) * (slots - len(transactions))
    old_root = state.root
    old_account_root, perp_commitment = state.account_tree.root, state.perp_commitment
    markets_before, pool_before = state.perp_markets, state.collateral_pool
    perp_published: list[bytes] = []
    perp_witnesses: list[Inputs] = []
    state.begin()
    try:
        outcomes: list[SlotOutcome] = []
        published: list[bytes] = []
        slot_witnesses: list[SideInputs] = []
        for index, tx in enumerate(padded):
            before = SlotBefore.of(tx, state)
            data = slot_data(tx, state)  # read before the slot applies; encoded once the spec accepts it
            try:
                outcomes.append(apply_transaction(state, tx, timestamp, padded[index - 1] if index else None))
            except RollupError as error:
                error.add_note(f"in batch slot {index}")
                raise
            published.append(encode_slot(data))
            slot_witnesses.append(slot_inputs(tx, before, state))
        if perp is not None:
            perp_published, perp_witnesses = apply_perp_slots(state, perp, timestamp)
        fee_witness = fee_account_inputs(state)
        credit_fees(state, total_fees(outcomes))
    except Exception:
        state.rollback()
        raise
    state.commit()

    chain_end = advance_chain(chain_start, padded)
    public_data = b"".join(published + perp_published)
    public_hash = public_input_hash(old_root, state.root, timestamp, chain_start, chain_end, public_data)
    circuit_input: CircuitInput = {
        "publicInputHash": public_hash,
        "oldRoot": old_root,
        "newRoot": state.root,
        "oldAccountRoot": old_account_root,
        "timestamp": timestamp,
        "l1ChainStart": chain_start,
        "l1ChainEnd": chain_end,
    }
    for name in slot_witnesses[0]:
        circuit_input[name] = [witness[name] for witness in slot_witnesses]
    circuit_input.update(fee_witness)
    if perp is None:
        circuit_input["perpCommitment"] = perp_commitment
    else:
        circuit_input.update({perp_signal(name): value for name, value in market_inputs(markets_before).items()})
        circuit_input["collateralPool"] = pool_before
        circuit_input.update(config_hash_inputs(perp.config))
        for name in PERP_SLOT_SIGNALS:
            circuit_input[perp_signal(name)] = [witness[name] for witness in perp_witnesses]
    return ProvableBatch(
        transactions=padded,
        timestamp=timestamp,
        old_root=old_root,
        new_root=state.root,
        chain_start=chain_start,
        chain_end=chain_end,
        l1_count=sum(isinstance(tx, L1_TRANSACTIONS) for tx in padded),
        slot_data=tuple(published),
        public_input_hash=public_hash,
        withdrawals=tuple(o.withdrawal for o in outcomes if o.withdrawal is not None),
        circuit_input=circuit_input,
        perp_slot_data=tuple(perp_published),
    )


def perp_signal(name: str) -> str:
    """The batch's name of a perpetual slot's or the markets' signal: ``txType`` is ``perpTxType``."""
    return f"perp{name[0].upper()}{name[1:]}"


def apply_perp_slots(state: State, perp: PerpSlots, timestamp: Timestamp) -> tuple[list[bytes], list[Inputs]]:
    """
    Apply ``perp``'s transactions, padded with noops, to ``state`` (inside
    the batch's journal) as ``apply_batch`` does; returns each slot's bytes
    and its own inputs (``PERP_SLOT_SIGNALS``), read around the slot.
    """
    ledger = PerpLedger(perp.config, state)
    padded = tuple(perp.transactions) + (Noop(),) * (perp.slots - len(perp.transactions))
    published: list[bytes] = []
    witnesses: list[Inputs] = []
    for index, tx in enumerate(padded):
        inputs = market_slot_inputs(perp.config, state.perp_markets, tx, timestamp)
        trade_before = TradeBefore.of(tx, state)
        transfer_before = TransferBefore.of(tx, state)
        close_before = CloseBefore.of(perp.config, tx, state)
        data = perp_slot_data(tx, perp.config)
        try:
            apply_perp_transaction(state, ledger, tx, timestamp, padded[index - 1] if index else None)
        except RollupError as error:
            error.add_note(f"in perpetual slot {index}")
            raise
        published.append(encode_perp_slot(data))
        witnesses.append(
            inputs
            | trade_slot_inputs(perp.config, tx, trade_before, state)
            | transfer_slot_inputs(perp.config, tx, transfer_before, state)
            | close_slot_inputs(perp.config, tx, close_before, state)
        )
    return published, witnesses
