"""
What a batch publishes, and the one public input that binds it to the proof.

Each slot publishes three field elements whose bit fields are laid out as in
``docs/DESIGN.md``; together with the L1 requests they let anyone rebuild the
state from L1 data alone. The proof's single public input is a Poseidon hash
of the old and new roots, the batch's timestamp, the L1 request chain before
and after the batch, and a hash of the published elements.
"""

from dataclasses import dataclass
from typing import Iterable, Sequence, assert_never

from sequencer.crypto.poseidon import poseidon

from .constants import AMOUNT_BITS, ETH_ADDRESS_BITS, ORDER_ID_BITS, Side, TxType
from .state import State
from .transactions import (
    L1_TRANSACTIONS,
    Deposit,
    ForcedCancelAll,
    ForcedWithdraw,
    L1Transaction,
    Noop,
    Trade,
    Transaction,
    Withdraw,
)
from .transition import forced_withdrawal_amount, request_applies
from .types import (
    AccountIndex,
    Amount,
    EthAddress,
    FieldElement,
    OrderId,
    Timestamp,
    TokenId,
)

SlotElements = tuple[FieldElement, FieldElement, FieldElement]
"""The three published elements ``(e0, e1, e2)`` of one slot."""


@dataclass(frozen=True)
class BitField:
    """``width`` bits of an element, starting at bit ``offset`` (little-endian)."""

    offset: int
    width: int

    def pack(self, value: int) -> int:
        """``value`` moved into place; it must fit the field."""
        if not 0 <= value < 2**self.width:
            raise ValueError(f"{value} does not fit in {self.width} bits")
        return value << self.offset

    def unpack(self, element: int) -> int:
        """The field's value within ``element``."""
        return (element >> self.offset) % (1 << self.width)


TX_TYPE = BitField(0, 3)
ACCOUNT_A = BitField(3, 32)
ACCOUNT_B = BitField(35, 32)
ORDER_ID_A = BitField(67, ORDER_ID_BITS)
ORDER_ID_B = BitField(115, ORDER_ID_BITS)
SIDE_A = BitField(163, 1)
TOKEN_1 = BitField(164, 16)
TOKEN_2 = BitField(180, 16)
"""The fields of ``e0``."""

AMOUNT_1 = BitField(0, AMOUNT_BITS)
AMOUNT_2 = BitField(96, AMOUNT_BITS)
"""The fields of ``e1``."""

FEE_A = BitField(0, AMOUNT_BITS)
FEE_B = BitField(96, AMOUNT_BITS)
ETH_ADDR = BitField(0, ETH_ADDRESS_BITS)
"""The fields of ``e2``: two fees for a trade, an L1 address for a withdrawal."""

WITHDRAWAL_TYPES = (TxType.WITHDRAW, TxType.FORCED_WITHDRAW)
"""The slot types that pay ``amount1`` of ``token1`` to the address in ``e2`` on L1."""


@dataclass(frozen=True)
class NoopData:
    """A published noop: nothing."""


@dataclass(frozen=True)
class DepositData:
    """A published deposit: only its account (the request itself is on L1)."""

    account_index: AccountIndex


@dataclass(frozen=True)
class TradeData:
    """A published trade: who traded which orders, in which market, how much, for what fees."""

    maker_account: AccountIndex
    taker_account: AccountIndex
    maker_order_id: OrderId
    taker_order_id: OrderId
    maker_side: Side
    base_token: TokenId
    quote_token: TokenId
    fill_base: Amount
    fill_quote: Amount
    maker_fee: Amount
    taker_fee: Amount


@dataclass(frozen=True)
class WithdrawData:
    """A published withdrawal: the account, the token, the amount and the L1 address paid."""

    account_index: AccountIndex
    token: TokenId
    amount: Amount
    eth_addr: EthAddress


@dataclass(frozen=True)
class ForcedWithdrawData:
    """
    A published forced withdrawal: the account, the token, the amount taken
    (zero when the request did not apply) and the L1 address it is paid to
    (the request's sender).
    """

    account_index: AccountIndex
    token: TokenId
    amount: Amount
    eth_addr: EthAddress


@dataclass(frozen=True)
class ForcedCancelAllData:
    """A published forced cancel-all: only its account (the request itself is on L1)."""

    account_index: AccountIndex


SlotData = (
    NoopData | DepositData | TradeData | WithdrawData | ForcedWithdrawData | ForcedCancelAllData
)
"""The content of one slot's public data."""


def slot_data(tx: Transaction, state: State) -> SlotData:
    """
    What a slot holding ``tx`` publishes, read from ``state``, the state the
    slot is applied to.

    A withdrawal publishes its account's L1 address; a forced withdrawal the
    amount it takes from the account, which depends on the balance before.
    """
    match tx:
        case Noop():
            return NoopData()
        case Deposit():
            return DepositData(tx.account_index)
        case Trade():
            maker, taker = tx.maker.order, tx.taker.order
            return TradeData(
                maker_account=maker.account_index,
                taker_account=taker.account_index,
                maker_order_id=maker.order_id,
                taker_order_id=taker.order_id,
                maker_side=maker.side,
                base_token=maker.base_token,
                quote_token=maker.quote_token,
                fill_base=tx.fill_base,
                fill_quote=tx.fill_quote,
                maker_fee=tx.maker_fee,
                taker_fee=tx.taker_fee,
            )
        case Withdraw():
            eth_addr = state.get_account(tx.account_index).eth_addr
            return WithdrawData(tx.account_index, tx.token, tx.amount, eth_addr)
        case ForcedWithdraw():
            account = state.get_account(tx.account_index)
            applies = request_applies(account, tx.eth_addr)
            amount = forced_withdrawal_amount(account, tx.token) if applies else Amount(0)
            return ForcedWithdrawData(tx.account_index, tx.token, amount, tx.eth_addr)
        case ForcedCancelAll():
            return ForcedCancelAllData(tx.account_index)
        case _:
            assert_never(tx)


def slot_elements(tx: Transaction, state: State) -> SlotElements:
    """The three elements a slot holding ``tx`` publishes (see :func:`slot_data`)."""
    return encode_slot(slot_data(tx, state))


def encode_slot(data: SlotData) -> SlotElements:
    """Pack a slot's public data into its three elements; unused fields are zero."""
    match data:
        case NoopData():
            return pack([]), pack([]), pack([])
        case DepositData():
            e0 = pack([(TX_TYPE, TxType.DEPOSIT), (ACCOUNT_A, data.account_index)])
            return e0, pack([]), pack([])
        case TradeData():
            e0 = pack(
                [
                    (TX_TYPE, TxType.TRADE),
                    (ACCOUNT_A, data.maker_account),
                    (ACCOUNT_B, data.taker_account),
                    (ORDER_ID_A, data.maker_order_id),
                    (ORDER_ID_B, data.taker_order_id),
                    (SIDE_A, data.maker_side),
                    (TOKEN_1, data.base_token),
                    (TOKEN_2, data.quote_token),
                ]
            )
            e1 = pack([(AMOUNT_1, data.fill_base), (AMOUNT_2, data.fill_quote)])
            e2 = pack([(FEE_A, data.maker_fee), (FEE_B, data.taker_fee)])
            return e0, e1, e2
        case WithdrawData() | ForcedWithdrawData():
            tx_type = TxType.WITHDRAW if isinstance(data, WithdrawData) else TxType.FORCED_WITHDRAW
            e0 = pack([(TX_TYPE, tx_type), (ACCOUNT_A, data.account_index), (TOKEN_1, data.token)])
            return e0, pack([(AMOUNT_1, data.amount)]), pack([(ETH_ADDR, data.eth_addr)])
        case ForcedCancelAllData():
            e0 = pack([(TX_TYPE, TxType.FORCED_CANCEL_ALL), (ACCOUNT_A, data.account_index)])
            return e0, pack([]), pack([])
        case _:
            assert_never(data)


def decode_slot(e0: int, e1: int, e2: int) -> SlotData:
    """
    Read a slot's public data back from its three elements.

    Only the encoding :func:`encode_slot` produces is accepted: an unknown
    transaction type, or any bit set outside the fields of the slot's type,
    raises ``ValueError``.
    """
    data = unpack_slot(e0, e1, e2)
    if encode_slot(data) != (e0, e1, e2):
        raise ValueError(f"slot ({e0}, {e1}, {e2}) is not a canonical encoding")
    return data


def unpack_slot(e0: int, e1: int, e2: int) -> SlotData:
    """The fields of a slot's type, read without checking the other bits."""
    tx_type = TX_TYPE.unpack(e0)
    if tx_type == TxType.NOOP:
        return NoopData()
    if tx_type == TxType.DEPOSIT:
        return DepositData(AccountIndex(ACCOUNT_A.unpack(e0)))
    if tx_type == TxType.TRADE:
        return TradeData(
            maker_account=AccountIndex(ACCOUNT_A.unpack(e0)),
            taker_account=AccountIndex(ACCOUNT_B.unpack(e0)),
            maker_order_id=OrderId(ORDER_ID_A.unpack(e0)),
            taker_order_id=OrderId(ORDER_ID_B.unpack(e0)),
            maker_side=Side(SIDE_A.unpack(e0)),
            base_token=TokenId(TOKEN_1.unpack(e0)),
            quote_token=TokenId(TOKEN_2.unpack(e0)),
            fill_base=Amount(AMOUNT_1.unpack(e1)),
            fill_quote=Amount(AMOUNT_2.unpack(e1)),
            maker_fee=Amount(FEE_A.unpack(e2)),
            taker_fee=Amount(FEE_B.unpack(e2)),
        )
    if tx_type in WITHDRAWAL_TYPES:
        kind = WithdrawData if tx_type == TxType.WITHDRAW else ForcedWithdrawData
        return kind(
            account_index=AccountIndex(ACCOUNT_A.unpack(e0)),
            token=TokenId(TOKEN_1.unpack(e0)),
            amount=Amount(AMOUNT_1.unpack(e1)),
            eth_addr=EthAddress(ETH_ADDR.unpack(e2)),
        )
    if tx_type == TxType.FORCED_CANCEL_ALL:
        return ForcedCancelAllData(AccountIndex(ACCOUNT_A.unpack(e0)))
    raise ValueError(f"unknown transaction type {tx_type}")


def pack(fields: Iterable[tuple[BitField, int]]) -> FieldElement:
    """One element holding each ``(field, value)``; bits outside the fields are zero."""
    return FieldElement(sum(field.pack(value) for field, value in fields))


def data_hash(slots: Iterable[SlotElements]) -> FieldElement:
    """The hash of a batch's public data: ``h = Poseidon([h, e0, e1, e2])`` from ``h = 0``."""
    digest = FieldElement(0)
    for e0, e1, e2 in slots:
        digest = FieldElement(poseidon([digest, e0, e1, e2]))
    return digest


def l1_request_fields(request: L1Transaction) -> tuple[int, int, int, int, int, int, int]:
    """
    The seven fields the contract hashes for an L1 request: ``(txType,
    accountIndex, ethAddr, ax, ay, token, amount)``. A forced withdrawal has
    no key and no amount (zeros); a forced cancel-all carries its
    ``min_order_id`` as the amount and no key or token.
    """
    key_and_value: tuple[int, int, int, int]
    match request:
        case Deposit():
            key_and_value = (request.ax, request.ay, request.token, request.amount)
        case ForcedWithdraw():
            key_and_value = (0, 0, request.token, 0)
        case ForcedCancelAll():
            key_and_value = (0, 0, 0, request.min_order_id)
        case _:
            assert_never(request)
    return (request.tx_type, request.account_index, request.eth_addr, *key_and_value)


def l1_request_hash(request: L1Transaction) -> FieldElement:
    """The hash the contract queues for an L1 request: Poseidon of its seven fields."""
    return FieldElement(poseidon(list(l1_request_fields(request))))


def chain_step(previous: FieldElement, request_hash: FieldElement) -> FieldElement:
    """The L1 request chain after one more request: ``Poseidon([previous, request_hash])``."""
    return FieldElement(poseidon([previous, request_hash]))


def advance_chain(chain_start: FieldElement, txs: Sequence[Transaction]) -> FieldElement:
    """The L1 request chain after the batch ``txs`` consumed its requests, in slot order."""
    chain = chain_start
    for tx in txs:
        if isinstance(tx, L1_TRANSACTIONS):
            chain = chain_step(chain, l1_request_hash(tx))
    return chain


def public_input_hash(
    old_root: FieldElement,
    new_root: FieldElement,
    timestamp: Timestamp,
    chain_start: FieldElement,
    chain_end: FieldElement,
    data_hash: FieldElement,
) -> FieldElement:
    """The batch's single public input, which the proof and the contract both compute."""
    return FieldElement(
        poseidon([old_root, new_root, timestamp, chain_start, chain_end, data_hash])
    )
