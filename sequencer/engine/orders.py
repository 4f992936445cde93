"""
Orders as the engine sees them: a signed order plus how it may trade, how much
of it has filled, and whether it is still open.

The L2 signature covers the order's market, side, limit price, amount, fee
limit, expiry and kind (``docs/DESIGN.md``): the circuit holds the operator to
the kind as far as one trade shows it. The client order id travels beside the
signed message.
"""

from dataclasses import dataclass
from enum import StrEnum

from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.perpetual.transactions import PerpOrder, SignedPerpOrder
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Timestamp

OrderKey = tuple[AccountIndex, OrderId]
"""An order is named by its account and the id its account chose."""


class OrderStatus(StrEnum):
    """Where an accepted order is in its life."""

    OPEN = "open"
    """In the book, possibly partly filled."""
    FILLED = "filled"
    """Completely filled."""
    CANCELLED = "cancelled"
    """Taken out before it filled; ``OrderRecord.reason`` says why."""
    EXPIRED = "expired"
    """Its signed expiry passed while it rested."""


class CloseReason(StrEnum):
    """Why an order stopped being open without filling completely."""

    REQUESTED = "requested"
    """Its trader cancelled it."""
    CANCEL_ALL = "cancel_all"
    """Its trader cancelled all their orders."""
    SELF_TRADE = "self_trade"
    """An order of the same account would have traded with it (self-trade prevention)."""
    UNFILLED = "unfilled"
    """An immediate-or-cancel or market order's remainder."""
    EXPIRED = "expired"
    """Its signed expiry passed."""
    FORCED_CANCEL_ALL = "forced_cancel_all"
    """Its trader cancelled orders below an id through L1 (a forced cancel-all)."""
    FORCED_WITHDRAWAL = "forced_withdrawal"
    """A forced withdrawal from L1 took the balance its lock needed."""
    UNFILLABLE = "unfillable"
    """A perpetual order the spec no longer lets fill: its account's margin, or a reduce-only order's position, changed since it rested."""


@dataclass(slots=True)
class OrderRecord:
    """
    An accepted order and its progress.

    ``sequence`` counts the operator's accepted orders from 1: it is the
    order's time priority in the book and a stable tie-breaker everywhere.
    """

    market: str
    signed: SignedOrder | SignedPerpOrder
    client_order_id: str | None
    sequence: int
    accepted_at: Timestamp
    filled: Amount = Amount(0)
    status: OrderStatus = OrderStatus.OPEN
    reason: CloseReason | None = None
    closed_at: Timestamp | None = None

    @property
    def order(self) -> Order | PerpOrder:
        """The signed order's fields."""
        return self.signed.order

    @property
    def spot(self) -> SignedOrder:
        """The signed order of a spot market's record (only those rest in a spot book or lock balances)."""
        assert isinstance(self.signed, SignedOrder), "a perpetual order in a spot market's place"
        return self.signed

    @property
    def perpetual(self) -> bool:
        """Whether the order is a perpetual market's."""
        return isinstance(self.signed, SignedPerpOrder)

    @property
    def kind(self) -> OrderKind:
        """How the order trades (signed with it)."""
        return self.signed.order.kind

    @property
    def key(self) -> OrderKey:
        """The order's account and id."""
        return self.signed.order.account_index, self.signed.order.order_id

    @property
    def side(self) -> Side:
        """Whether the order buys or sells base."""
        return self.signed.order.side

    @property
    def remaining(self) -> Amount:
        """How much base is still unfilled."""
        return Amount(self.signed.order.amount - self.filled)
