"""
What a batch publishes, and the one public input that binds it to the proof.

Each slot publishes a fixed number of bytes, its fields laid out bit by bit by the manifest
``public_data_layout.json`` (the one definition: the circuit's and the
contract's constants are generated from it, ``docs/DESIGN.md`` shows it as a
table); together with the L1 requests they let anyone rebuild the state from
L1 data alone. A batch's public data is its slots' bytes one after the
other. The proof's single public input is the sha256 of a header (the old
and new roots, the batch's timestamp, the L1 request chain before and after
the batch) followed by that public data, cut to ``DIGEST_BITS`` bits so that
it is a field element: the contract computes it with one precompile call.
"""

import hashlib
import json
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Sequence, TypeVar, assert_never

from sequencer.crypto.poseidon import poseidon

from .constants import ORDER_REF_BITS, PRICE_SCALE, Side, TxType
from .decimal import DECIMAL_BITS, pack_decimal, unpack_decimal
from .state import State
from .transactions import (
    L1_TRANSACTIONS,
    Cancel,
    CancelAll,
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
    FieldElement,
    OrderId,
    Price,
    Timestamp,
    TokenId,
)

E = TypeVar("E", bound=IntEnum)
"""A kind of slot's transaction types: spot's ``TxType`` or perpetuals' ``PerpTxType``."""

LAYOUT_FILE = Path(__file__).with_name("public_data_layout.json")
"""The manifest: slot size, digest width, every field's bit offset and width, each type's fields, the header."""


@dataclass(frozen=True)
class BitField:
    """
    An unsigned integer of ``bits`` bits whose most significant bit is bit
    ``offset`` of a slot, the slot read as one big-endian integer (bit 0 is
    the first byte's most significant bit); a ``decimal`` field holds its
    value packed as a decimal float (:mod:`decimal`).
    """

    name: str
    offset: int
    bits: int
    decimal: bool = False

    @property
    def end(self) -> int:
        """The bit just past the field."""
        return self.offset + self.bits

    def shift(self, slot_bits: int) -> int:
        """How far the field's lowest bit lies above the lowest bit of a ``slot_bits``-bit slot."""
        return slot_bits - self.end

    def write(self, slot: bytearray, value: int) -> None:
        """Write ``value`` into ``slot``; it must fit the field (a decimal field: have a decimal form)."""
        if self.decimal:
            value = pack_decimal(value)
        if not 0 <= value < 1 << self.bits:
            raise ValueError(f"{self.name}: {value} does not fit in {self.bits} bits")
        self.write_raw(slot, value)

    def write_raw(self, slot: bytearray, value: int) -> None:
        """Replace the field's bits in ``slot`` with the low ``bits`` bits of ``value``, as they are."""
        slot_bits = 8 * len(slot)
        mask = ((1 << self.bits) - 1) << self.shift(slot_bits)
        whole = int.from_bytes(slot, "big") & ~mask
        whole |= (value << self.shift(slot_bits)) & mask
        slot[:] = whole.to_bytes(len(slot), "big")

    def read(self, slot: bytes) -> int:
        """The field's value within ``slot`` (a decimal field: unpacked, ``ValueError`` unless canonical)."""
        value = self.raw(slot)
        return unpack_decimal(value) if self.decimal else value

    def raw(self, slot: bytes) -> int:
        """The field's bits within ``slot`` as an integer, as they lie (a decimal field: still packed)."""
        whole = int.from_bytes(slot, "big")
        return (whole >> self.shift(8 * len(slot))) & ((1 << self.bits) - 1)


@dataclass(frozen=True)
class Layout:
    """
    The manifest, read: ``slot_bytes`` per slot, the fields, which fields
    each type uses, and the header's values and widths (in bytes, in order).
    """

    slot_bytes: int
    digest_bits: int
    fields: dict[str, BitField]
    type_fields: dict[IntEnum, tuple[BitField, ...]]
    header: dict[str, int]

    @classmethod
    def load(cls, path: Path, types: type[IntEnum] = TxType) -> "Layout":
        """
        Read and check a manifest of slots whose types are ``types``: every
        field inside the slot, every type laid out, no two fields of one
        type overlapping, and the header's values, if it has a header, in
        the order the circuit and the contract hash them.
        """
        manifest = json.loads(path.read_text())
        slot_bytes = int(manifest["slotBytes"])
        fields = {
            name: BitField(name, int(spec["offset"]), int(spec["bits"]), bool(spec.get("decimal", False)))
            for name, spec in manifest["fields"].items()
        }
        for field in fields.values():
            if field.offset < 0 or field.bits < 1 or field.end > 8 * slot_bytes:
                raise ValueError(f"field {field.name} does not lie inside a {slot_bytes}-byte slot")
            if field.decimal and field.bits != DECIMAL_BITS:
                raise ValueError(f"decimal field {field.name} must be {DECIMAL_BITS} bits wide")
        type_fields: dict[IntEnum, tuple[BitField, ...]] = {
            types[name]: tuple(fields[field] for field in names)
            for name, names in manifest["txTypes"].items()
        }
        if set(type_fields) != set(types):
            raise ValueError("the manifest must lay out every transaction type")
        for tx_type, used in type_fields.items():
            covered = [bit for field in used for bit in range(field.offset, field.end)]
            if len(covered) != len(set(covered)):
                raise ValueError(f"fields of {tx_type.name} overlap")
            if used and used[0] != fields["txType"]:
                raise ValueError(f"{tx_type.name} must publish txType first")
        header = {name: int(width) for name, width in manifest.get("header", {}).items()}
        if header and list(header) != ["oldRoot", "newRoot", "timestamp", "l1ChainStart", "l1ChainEnd"]:
            raise ValueError("the header must hold oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd in order")
        return cls(slot_bytes, int(manifest.get("digestBits", 0)), fields, type_fields, header)

    def pack(self, tx_type: IntEnum, values: dict[str, int]) -> bytes:
        """
        A slot of type ``tx_type`` holding ``values`` by field name: exactly the
        fields the manifest lists for the type besides ``txType``. Every other
        byte is zero.
        """
        fields = self.type_fields[tx_type]
        if {field.name for field in fields[1:]} != set(values):
            raise ValueError(f"a {tx_type.name} slot holds {[f.name for f in fields[1:]]}, not {sorted(values)}")
        slot = bytearray(self.slot_bytes)
        for field in fields:
            field.write(slot, tx_type if field.name == "txType" else values[field.name])
        return bytes(slot)

    def unpack(self, slot: bytes, types: type[E]) -> tuple[E, dict[str, int]]:
        """
        A slot's type (one of ``types``) and the values of its fields by name,
        read without checking the other bytes (``ValueError`` for an unknown
        type or a field that does not read, as a non-canonical decimal).
        """
        code = self.fields["txType"].read(slot)
        if code not in set(types):
            raise ValueError(f"unknown transaction type {code}")
        tx_type = types(code)
        return tx_type, {field.name: field.read(slot) for field in self.type_fields[tx_type]}


LAYOUT = Layout.load(LAYOUT_FILE)

SLOT_BYTES = LAYOUT.slot_bytes
"""Bytes every slot publishes, whatever its type."""

DIGEST_BITS = LAYOUT.digest_bits
"""The low bits of a sha256 digest that make the public input (a field element)."""

TX_TYPE = LAYOUT.fields["txType"]
"""The field every slot but a noop starts with: its transaction type."""


@dataclass(frozen=True)
class NoopData:
    """A published noop: nothing."""


@dataclass(frozen=True)
class DepositData:
    """A published deposit: only its account (the request itself is on L1)."""

    account_index: AccountIndex


@dataclass(frozen=True)
class TradeData:
    """
    A published trade: who traded which orders, in which market, how much
    at which price (the maker's), and each side's fee rate (the quote amount
    and the fees follow from them). An order is published as its reference,
    its id's low ``ORDER_REF_BITS`` bits, which the state before the trade
    resolves to the id (``transition.resolve_order_id``).
    """

    maker_account: AccountIndex
    taker_account: AccountIndex
    maker_order_ref: int
    taker_order_ref: int
    maker_side: Side
    base_token: TokenId
    quote_token: TokenId
    fill_base: Amount
    price: Price
    maker_fee_bps: int
    taker_fee_bps: int

    @property
    def fill_quote(self) -> Amount:
        """The quote paid: ``fill_base`` at ``price``, exact (the proof checked ``InexactFill``)."""
        return Amount(self.fill_base * self.price // PRICE_SCALE)


@dataclass(frozen=True)
class WithdrawData:
    """
    A published withdrawal: the account, the token and the amount. The
    contract pays the account's L1 address, which its registry holds.
    """

    account_index: AccountIndex
    token: TokenId
    amount: Amount


@dataclass(frozen=True)
class ForcedWithdrawData:
    """
    A published forced withdrawal: the account, the token and the amount
    taken (zero when the request did not apply), paid to the account's L1
    address, the request's sender.
    """

    account_index: AccountIndex
    token: TokenId
    amount: Amount


@dataclass(frozen=True)
class ForcedCancelAllData:
    """A published forced cancel-all: only its account (the request itself is on L1)."""

    account_index: AccountIndex


@dataclass(frozen=True)
class CancelData:
    """A published cancel: the account and the order whose slot now records it cancelled."""

    account_index: AccountIndex
    order_id: OrderId


@dataclass(frozen=True)
class CancelAllData:
    """A published signed cancel-all: the account and the ``min_order_id`` it signed."""

    account_index: AccountIndex
    min_order_id: OrderId


SlotData = (
    NoopData
    | DepositData
    | TradeData
    | WithdrawData
    | ForcedWithdrawData
    | ForcedCancelAllData
    | CancelData
    | CancelAllData
)
"""The content of one slot's public data."""


def slot_data(tx: Transaction, state: State) -> SlotData:
    """
    What a slot holding ``tx`` publishes, read from ``state``, the state the
    slot is applied to.

    A forced withdrawal publishes the amount it takes from the account,
    which depends on the balance before.
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
                maker_order_ref=order_ref(maker.order_id),
                taker_order_ref=order_ref(taker.order_id),
                maker_side=maker.side,
                base_token=maker.base_token,
                quote_token=maker.quote_token,
                fill_base=tx.fill_base,
                price=maker.price,
                maker_fee_bps=tx.maker_fee_bps,
                taker_fee_bps=tx.taker_fee_bps,
            )
        case Withdraw():
            return WithdrawData(tx.account_index, tx.token, tx.amount)
        case ForcedWithdraw():
            account = state.get_account(tx.account_index)
            applies = request_applies(account, tx.eth_addr)
            amount = forced_withdrawal_amount(account, tx.token) if applies else Amount(0)
            return ForcedWithdrawData(tx.account_index, tx.token, amount)
        case ForcedCancelAll():
            return ForcedCancelAllData(tx.account_index)
        case Cancel():
            return CancelData(tx.account_index, tx.order_id)
        case CancelAll():
            return CancelAllData(tx.account_index, tx.min_order_id)
        case _:
            assert_never(tx)


def order_ref(order_id: OrderId) -> int:
    """An order's reference in a trade's public data: its id's low ``ORDER_REF_BITS`` bits."""
    return order_id % (1 << ORDER_REF_BITS)


def slot_bytes(tx: Transaction, state: State) -> bytes:
    """The bytes a slot holding ``tx`` publishes (see :func:`slot_data`)."""
    return encode_slot(slot_data(tx, state))


def encode_slot(data: SlotData) -> bytes:
    """Lay out a slot's public data in its ``SLOT_BYTES`` bytes; bytes of unused fields are zero."""
    match data:
        case NoopData():
            return pack(TxType.NOOP, {})
        case DepositData() | ForcedCancelAllData():
            tx_type = TxType.DEPOSIT if isinstance(data, DepositData) else TxType.FORCED_CANCEL_ALL
            return pack(tx_type, {"accountA": data.account_index})
        case TradeData():
            return pack(
                TxType.TRADE,
                {
                    "accountA": data.maker_account,
                    "accountB": data.taker_account,
                    "orderRefA": data.maker_order_ref,
                    "orderRefB": data.taker_order_ref,
                    "sideA": data.maker_side,
                    "token1": data.base_token,
                    "token2": data.quote_token,
                    "fillBase": data.fill_base,
                    "price": data.price,
                    "feeBpsA": data.maker_fee_bps,
                    "feeBpsB": data.taker_fee_bps,
                },
            )
        case WithdrawData() | ForcedWithdrawData():
            tx_type = TxType.WITHDRAW if isinstance(data, WithdrawData) else TxType.FORCED_WITHDRAW
            return pack(
                tx_type,
                {"accountA": data.account_index, "token1": data.token, "amount": data.amount},
            )
        case CancelData():
            return pack(TxType.CANCEL, {"accountA": data.account_index, "orderIdA": data.order_id})
        case CancelAllData():
            return pack(TxType.CANCEL_ALL, {"accountA": data.account_index, "orderIdA": data.min_order_id})
        case _:
            assert_never(data)


def pack(tx_type: TxType, values: dict[str, int]) -> bytes:
    """A spot slot of type ``tx_type`` holding ``values`` (:meth:`Layout.pack`)."""
    return LAYOUT.pack(tx_type, values)


def decode_slot(slot: bytes) -> SlotData:
    """
    Read a slot's public data back from its bytes.

    Only the encoding :func:`encode_slot` produces is accepted: a slot of
    the wrong length, an unknown transaction type, or any byte set outside
    the fields of the slot's type raises ``ValueError``.
    """
    if len(slot) != SLOT_BYTES:
        raise ValueError(f"a slot is {SLOT_BYTES} bytes, not {len(slot)}")
    data = unpack_slot(slot)
    if encode_slot(data) != slot:
        raise ValueError(f"slot {slot.hex()} is not a canonical encoding")
    return data


def unpack_slot(slot: bytes) -> SlotData:
    """The fields of a slot's type, read without checking the other bytes."""
    tx_type, value = LAYOUT.unpack(slot, TxType)
    match tx_type:
        case TxType.NOOP:
            return NoopData()
        case TxType.DEPOSIT:
            return DepositData(AccountIndex(value["accountA"]))
        case TxType.FORCED_CANCEL_ALL:
            return ForcedCancelAllData(AccountIndex(value["accountA"]))
        case TxType.TRADE:
            return TradeData(
                maker_account=AccountIndex(value["accountA"]),
                taker_account=AccountIndex(value["accountB"]),
                maker_order_ref=value["orderRefA"],
                taker_order_ref=value["orderRefB"],
                maker_side=side_of(value["sideA"]),
                base_token=TokenId(value["token1"]),
                quote_token=TokenId(value["token2"]),
                fill_base=Amount(value["fillBase"]),
                price=Price(value["price"]),
                maker_fee_bps=value["feeBpsA"],
                taker_fee_bps=value["feeBpsB"],
            )
        case TxType.WITHDRAW | TxType.FORCED_WITHDRAW:
            kind = WithdrawData if tx_type == TxType.WITHDRAW else ForcedWithdrawData
            return kind(
                account_index=AccountIndex(value["accountA"]),
                token=TokenId(value["token1"]),
                amount=Amount(value["amount"]),
            )
        case TxType.CANCEL:
            return CancelData(AccountIndex(value["accountA"]), OrderId(value["orderIdA"]))
        case TxType.CANCEL_ALL:
            return CancelAllData(AccountIndex(value["accountA"]), OrderId(value["orderIdA"]))
        case _:
            assert_never(tx_type)


def side_of(value: int) -> Side:
    """The side a published ``sideA`` bit names (``ValueError`` if it names none)."""
    if value not in (Side.BUY, Side.SELL):
        raise ValueError(f"{value} is not a side")
    return Side(value)


def split_slots(data: bytes) -> list[bytes]:
    """
    A batch's public data cut into its slots.

    Raises ``ValueError`` if ``data`` is not a whole number of slots.
    """
    if len(data) % SLOT_BYTES:
        raise ValueError(f"{len(data)} bytes are not a whole number of {SLOT_BYTES}-byte slots")
    return [data[i : i + SLOT_BYTES] for i in range(0, len(data), SLOT_BYTES)]


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


def public_input_preimage(
    old_root: FieldElement,
    new_root: FieldElement,
    timestamp: Timestamp,
    chain_start: FieldElement,
    chain_end: FieldElement,
    public_data: bytes,
) -> bytes:
    """
    What the public input hashes: the header (``LAYOUT.header``: each value
    big-endian in its width), then the public data.
    """
    values = (old_root, new_root, timestamp, chain_start, chain_end)
    header = b"".join(
        value.to_bytes(width, "big") for value, width in zip(values, LAYOUT.header.values(), strict=True)
    )
    return header + public_data


def public_input_hash(
    old_root: FieldElement,
    new_root: FieldElement,
    timestamp: Timestamp,
    chain_start: FieldElement,
    chain_end: FieldElement,
    public_data: bytes,
) -> FieldElement:
    """
    The batch's single public input, which the proof and the contract both
    compute: the sha256 of :func:`public_input_preimage`, read big-endian
    and cut to its low ``DIGEST_BITS`` bits.
    """
    preimage = public_input_preimage(old_root, new_root, timestamp, chain_start, chain_end, public_data)
    digest = hashlib.sha256(preimage).digest()
    return FieldElement(int.from_bytes(digest, "big") % (1 << DIGEST_BITS))
