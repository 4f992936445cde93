"""
The operator's intake checks that come on top of the spec's: each reads the
state, the locks or the order registry, and refuses with a named code and the
offending values (``RequestRejected``); none changes anything.
:func:`next_order_id` finds an order id that passes them, for clients.

The spec's own checks of a request (``spec.transition.check_order`` and the
range checks) run through :func:`spec_check`, so a refusal carries the
spec's code and values unchanged.
"""

from collections.abc import Callable
from typing import TypeVar

from sequencer.crypto.eddsa import PublicKey, Signature
from sequencer.crypto.signatures import verify
from sequencer.spec.constants import ORDER_ID_BITS, ORDER_REF_BITS, OrderKind
from sequencer.spec.errors import AccountNotFound, InsufficientBalance, InvalidSignature, RollupError
from sequencer.spec.perpetual.transactions import PerpOrder
from sequencer.spec.state import Account, State
from sequencer.spec.transactions import Order
from sequencer.spec.transition import window_base
from sequencer.spec.types import AccountIndex, Amount, FieldElement, OrderId, TokenId

from .book import PriceLevels
from .errors import Code, RequestRejected
from .registry import OrderRegistry
from .orders import OrderStatus

T = TypeVar("T")


def spec_check(check: Callable[[], T]) -> T:
    """Run one of the spec's checks, refusing with its code and values; returns what the check returns."""
    try:
        return check()
    except RollupError as error:
        raise RequestRejected.from_spec(error) from error


def existing_account(head: State, index: AccountIndex) -> Account:
    """The account ``index``, which must exist."""
    account = head.get_account(index)
    if not account.exists:
        raise RequestRejected.from_spec(AccountNotFound(index))
    return account


def signed_by(head: State, index: AccountIndex, message: FieldElement, signature: Signature) -> Account:
    """The existing account ``index``, whose key must have signed ``message``."""
    account = existing_account(head, index)
    if not verify(PublicKey(account.ax, account.ay), message, signature):
        raise RequestRejected.from_spec(InvalidSignature(index))
    return account


def client_id_free(registry: OrderRegistry, index: AccountIndex, client_order_id: str) -> None:
    """No open order of the account carries ``client_order_id``."""
    previous = registry.by_client_id(index, client_order_id)
    if previous is not None and previous.status is OrderStatus.OPEN:
        raise RequestRejected(
            Code.DUPLICATE_CLIENT_ORDER_ID,
            f"open order {previous.order.order_id} already has client order id {client_order_id!r}",
            client_order_id=client_order_id,
            open_order_id=previous.order.order_id,
        )


def order_slot_free(registry: OrderRegistry, account: Account, index: AccountIndex, order_id: OrderId) -> None:
    """A new order needs an id above every id used in its slot, and no open order in the slot."""
    slot = account.slot_index(order_id)
    stored_id, _ = account.order_slot(order_id)
    used = max(stored_id, registry.last_id_in_slot(index, slot))
    if order_id <= used:
        raise RequestRejected(
            Code.ORDER_ID_USED, f"order ids in slot {slot} must be above {used}", order_id=order_id, slot=slot, used=used
        )
    owner = registry.slot_owner(index, slot)
    if owner is not None:
        raise RequestRejected(
            Code.ORDER_SLOT_BUSY, f"open order {owner[1]} uses slot {slot}", slot=slot, open_order_id=owner[1]
        )


def next_order_id(registry: OrderRegistry, account: Account, index: AccountIndex) -> OrderId | None:
    """
    An id the sequencer takes for the account's next order, or None if no
    slot has one: every slot holds an open order or has used up its window
    (a cancel-all above every used id opens a new window in every slot).

    Slots are tried in turn from the one after the account's highest id, so
    ids keep rising while the slots allow. A slot's candidate is its
    smallest id above every id used in it and at least ``min_order_id``
    (:func:`order_slot_free`); it must lie in the slot's window
    (``spec.transition.check_in_window``).
    """
    slots = 1 << account.order_tree.depth
    start = registry.highest_order_ids.get(index, OrderId(0)) + 1
    for step in range(slots):
        slot = (start + step) % slots
        if registry.slot_owner(index, slot) is not None:
            continue
        stored_id, _ = account.order_slots.get(slot, (OrderId(0), Amount(0)))
        lowest = max(stored_id + 1, registry.last_id_in_slot(index, slot) + 1, account.min_order_id, 1)
        candidate = lowest + (slot - lowest) % slots
        if candidate < window_base(account, OrderId(slot)) + 2**ORDER_REF_BITS and candidate < 2**ORDER_ID_BITS:
            return OrderId(candidate)
    return None


def withdrawal_size(minimum: Amount, account: Account, token: TokenId, amount: Amount) -> None:
    """A withdrawal takes something, and at least ``minimum`` unless it empties the balance."""
    if amount == 0 or (amount < minimum and amount != account.balance(token)):
        raise RequestRejected(
            Code.BELOW_MIN_WITHDRAWAL,
            f"a withdrawal of token {token} takes at least {minimum}, or the whole balance; {amount} asked",
            token=token,
            amount=amount,
            minimum=minimum,
        )


def covered(available: Amount, index: AccountIndex, token: TokenId, amount: Amount) -> None:
    """What the account has ``available`` of ``token`` (balance less locks) covers ``amount``."""
    if available < amount:
        raise RequestRejected(
            InsufficientBalance.code,
            f"account {index} has {available} of token {token} available, needs {amount}",
            account=index,
            token=token,
            available=available,
            required=amount,
        )


def kind_allowed(book: PriceLevels, order: Order | PerpOrder) -> None:
    """
    A post-only order must not trade on arrival, and a fill-or-kill order
    must fill whole against one resting order (what the circuit can check).
    """
    if order.kind is OrderKind.POST_ONLY and book.would_cross(order.side, order.price):
        raise RequestRejected(Code.POST_ONLY_WOULD_CROSS, "a post-only order may not trade on arrival", price=order.price)
    if order.kind is OrderKind.FOK and book.fillable_in_one_trade(order) < order.amount:
        raise RequestRejected(
            Code.FOK_NOT_FILLABLE, "no one resting order can fill the whole order", amount=order.amount
        )
