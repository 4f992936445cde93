"""
What a batch slot can hold.

Deposits, forced withdrawals and forced cancel-alls are L1 requests: the
contract queued them for the sender of an L1 transaction, so they need no
signature. A trade matches two orders its accounts signed; a withdrawal, a
cancel and a cancel-all are signed by their account. A noop pads a batch to the circuit's fixed number of
slots.
"""

from dataclasses import dataclass
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import ClassVar, Protocol

from sequencer.crypto.eddsa import Signature
from sequencer.crypto.field import is_field_element
from sequencer.crypto.poseidon import poseidon, poseidon_many

from .constants import (
    CANCEL_ALL_MESSAGE_TAG,
    CANCEL_MESSAGE_TAG,
    MESSAGE_INPUTS,
    ORDER_MESSAGE_TAG,
    WITHDRAW_MESSAGE_TAG,
    OrderKind,
    Side,
    TxType,
)
from .types import (
    AccountIndex,
    Amount,
    EthAddress,
    FieldElement,
    Nonce,
    OrderId,
    Price,
    Timestamp,
    TokenId,
)


@dataclass(frozen=True)
class Deposit:
    """
    Credit ``amount`` of ``token`` to an account, creating it if needed.

    ``ax, ay`` (the key of the account to create) are ignored when the account
    already exists; the contract then sends zeros.
    """

    tx_type: ClassVar[TxType] = TxType.DEPOSIT

    account_index: AccountIndex
    eth_addr: EthAddress
    ax: FieldElement
    ay: FieldElement
    token: TokenId
    amount: Amount


class OrderTerms(Protocol):
    """
    What every signed order promises, spot or perpetual: the rules on one
    order (expiry, fee limit, price limit, kind, its slot's fill) read only
    these, so both kinds of trade share them.
    """

    @property
    def account_index(self) -> AccountIndex:
        """The signing account."""

    @property
    def order_id(self) -> OrderId:
        """The order's id: its low bits pick its slot."""

    @property
    def side(self) -> Side:
        """Whether it buys or sells the base."""

    @property
    def price(self) -> Price:
        """Its limit price."""

    @property
    def amount(self) -> Amount:
        """The most base it may trade."""

    @property
    def max_fee_bps(self) -> int:
        """The largest fee rate it accepts."""

    @property
    def expiry(self) -> Timestamp:
        """The last second it may trade."""

    @property
    def kind(self) -> OrderKind:
        """How it trades."""


@dataclass(frozen=True)
class Order:
    """
    An order: trade up to ``amount`` base at ``price`` or better until ``expiry``.

    ``side`` says whether the account buys or sells ``base_token`` for
    ``quote_token``. ``max_fee_bps`` bounds every fee charged to it, as a
    share of what it receives. ``kind`` says how it trades (limit,
    immediate-or-cancel, fill-or-kill, post-only or market); it is signed, so
    the operator cannot trade the order as another kind.
    """

    account_index: AccountIndex
    order_id: OrderId
    base_token: TokenId
    quote_token: TokenId
    side: Side
    price: Price
    amount: Amount
    max_fee_bps: int
    expiry: Timestamp
    kind: OrderKind = OrderKind.LIMIT

    def message_hash(self) -> FieldElement:
        """The message the account signs for this order (hashed once per order: intake and every fill ask)."""
        with _kept_lock:
            known = _kept_messages.get(self)
        if known is not None:
            return known
        message = FieldElement(poseidon(_order_message_fields(self)))
        _keep_messages([(self, message)])
        return message


KEPT_ORDER_MESSAGES = 1 << 16
"""How many order message hashes are kept (the oldest go first)."""

_kept_messages: OrderedDict[Order, FieldElement] = OrderedDict()
_kept_lock = threading.Lock()


def hash_order_messages(orders: Sequence[Order]) -> None:
    """
    Hash the messages of ``orders`` not hashed yet in one call, in parallel on
    all cores (``poseidon_many``), and keep them for :meth:`Order.message_hash`:
    a replay or a benchmark hashes a chunk of orders ahead of the engine.
    """
    with _kept_lock:
        fresh = [order for order in dict.fromkeys(orders) if order not in _kept_messages]
    fresh = [order for order in fresh if all(map(is_field_element, _order_message_fields(order)))]
    if fresh:
        digests = poseidon_many([_order_message_fields(order) for order in fresh])
        _keep_messages([(order, FieldElement(digest)) for order, digest in zip(fresh, digests, strict=True)])


def forget_order_messages() -> None:
    """Drop the kept order message hashes (a benchmark measures hashing from cold)."""
    with _kept_lock:
        _kept_messages.clear()


def _keep_messages(pairs: Sequence[tuple[Order, FieldElement]]) -> None:
    """Keep order message hashes, forgetting the oldest beyond ``KEPT_ORDER_MESSAGES``."""
    with _kept_lock:
        _kept_messages.update(pairs)
        while len(_kept_messages) > KEPT_ORDER_MESSAGES:
            _kept_messages.popitem(last=False)


def _order_message_fields(order: Order) -> list[int]:
    """The order's tag and fields, in ``docs/DESIGN.md``'s order: what its message hashes."""
    return [
        ORDER_MESSAGE_TAG,
        order.account_index,
        order.order_id,
        order.base_token,
        order.quote_token,
        order.side,
        order.price,
        order.amount,
        order.max_fee_bps,
        order.expiry,
        order.kind.code,
    ]


@dataclass(frozen=True)
class SignedOrder:
    """An order with its account's signature of :meth:`Order.message_hash`."""

    order: Order
    signature: Signature


@dataclass(frozen=True)
class Trade:
    """
    A fill between a resting ``maker`` order and an incoming ``taker`` order.

    ``fill_base`` base changes hands for ``fill_quote`` quote, at the maker's
    price. Each side pays a fee of its rate (``maker_fee_bps``,
    ``taker_fee_bps``) of the token it receives, rounded down; a batch
    publishes the rates, from which anyone recomputes the fees.
    """

    tx_type: ClassVar[TxType] = TxType.TRADE

    maker: SignedOrder
    taker: SignedOrder
    fill_base: Amount
    fill_quote: Amount
    maker_fee_bps: int
    taker_fee_bps: int


def signed_message(fields: Sequence[int]) -> FieldElement:
    """A message to sign: Poseidon of a tag and its fields, padded with zeros to ``MESSAGE_INPUTS`` inputs."""
    if len(fields) > MESSAGE_INPUTS:
        raise ValueError(f"a signed message has at most {MESSAGE_INPUTS} inputs, got {len(fields)}")
    return FieldElement(poseidon([*fields, *[0] * (MESSAGE_INPUTS - len(fields))]))


def withdraw_message(
    account_index: AccountIndex, token: TokenId, amount: Amount, nonce: Nonce
) -> FieldElement:
    """The message an account signs to withdraw ``amount`` of ``token`` at ``nonce``."""
    return signed_message([WITHDRAW_MESSAGE_TAG, account_index, token, amount, nonce])


@dataclass(frozen=True)
class Withdraw:
    """Move ``amount`` of ``token`` out of the rollup to the account's L1 address."""

    tx_type: ClassVar[TxType] = TxType.WITHDRAW

    account_index: AccountIndex
    token: TokenId
    amount: Amount
    nonce: Nonce
    signature: Signature

    def message_hash(self) -> FieldElement:
        """The message the account signs for this withdrawal."""
        return withdraw_message(self.account_index, self.token, self.amount, self.nonce)


@dataclass(frozen=True)
class ForcedWithdraw:
    """
    Move an account's whole balance of ``token`` out of the rollup, at the
    request of ``eth_addr`` on L1.

    The request applies only if the account exists and ``eth_addr`` is its L1
    address; otherwise it withdraws nothing (an L1 request never fails).
    """

    tx_type: ClassVar[TxType] = TxType.FORCED_WITHDRAW

    account_index: AccountIndex
    eth_addr: EthAddress
    token: TokenId


@dataclass(frozen=True)
class ForcedCancelAll:
    """
    Cancel every order of an account whose id is below ``min_order_id``, at
    the request of ``eth_addr`` on L1.

    The account's ``min_order_id`` rises to the request's (it never falls),
    so no order signed with a smaller id can trade again and the collateral
    the sequencer locked for them is free. Applies only as
    :class:`ForcedWithdraw` does.
    """

    tx_type: ClassVar[TxType] = TxType.FORCED_CANCEL_ALL

    account_index: AccountIndex
    eth_addr: EthAddress
    min_order_id: OrderId


@dataclass(frozen=True)
class Noop:
    """An empty slot."""

    tx_type: ClassVar[TxType] = TxType.NOOP


L1Transaction = Deposit | ForcedWithdraw | ForcedCancelAll
"""The requests of the L1 queue: they need no signature and never fail."""

def cancel_message(account_index: AccountIndex, order_id: OrderId) -> FieldElement:
    """The message an account signs to cancel its order ``order_id``."""
    return signed_message([CANCEL_MESSAGE_TAG, account_index, order_id])


@dataclass(frozen=True)
class Cancel:
    """
    Cancel the account's order ``order_id``, signed by the account: its slot
    records the order as wholly filled, so no batch can fill it again.

    It needs no nonce: a replayed cancel can only name an order already
    cancelled, or one a newer order has replaced (refused as stale).
    """

    tx_type: ClassVar[TxType] = TxType.CANCEL

    account_index: AccountIndex
    order_id: OrderId
    signature: Signature


def cancel_all_message(account_index: AccountIndex, min_order_id: OrderId) -> FieldElement:
    """The message an account signs to cancel every order of its own below ``min_order_id``."""
    return signed_message([CANCEL_ALL_MESSAGE_TAG, account_index, min_order_id])


@dataclass(frozen=True)
class CancelAll:
    """
    Cancel every order of the account whose id is below ``min_order_id``,
    signed by the account: the signed counterpart of :class:`ForcedCancelAll`.

    The account's ``min_order_id`` rises to the signed one (it never falls),
    so a replayed cancel-all changes nothing, and orders signed since with
    larger ids stay open.
    """

    tx_type: ClassVar[TxType] = TxType.CANCEL_ALL

    account_index: AccountIndex
    min_order_id: OrderId
    signature: Signature

    def message_hash(self) -> FieldElement:
        """The message the account signs for this cancel-all."""
        return cancel_all_message(self.account_index, self.min_order_id)


Transaction = Noop | Deposit | Trade | Withdraw | ForcedWithdraw | ForcedCancelAll | Cancel | CancelAll
"""Anything a batch slot can hold."""

L1_TRANSACTIONS = (Deposit, ForcedWithdraw, ForcedCancelAll)
"""The classes of :data:`L1Transaction`, for ``isinstance``."""
