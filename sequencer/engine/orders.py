"""
Orders as the engine sees them: a signed order plus how it may trade, how much
of it has filled, and whether it is still open.

The L2 signature covers the order's market, side, limit price, amount, fee
limit and expiry (``docs/DESIGN.md``). The order *kind* and the client order
id travel beside the signed message: they change how the sequencer matches the
order, never what the circuit lets it do (a fill is always within the signed
limit and amount).
"""

from dataclasses import dataclass
from enum import StrEnum

from sequencer.spec.constants import Side
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Timestamp

OrderKey = tuple[AccountIndex, OrderId]
"""An order is named by its account and the id its account chose."""


class OrderKind(StrEnum):
    """How an order trades on arrival and whether what is left rests in the book."""

    LIMIT = "limit"
    """Good till cancelled (or its signed expiry): trade what crosses, rest the rest."""
    IOC = "ioc"
    """Immediate or cancel: trade what crosses, cancel the rest."""
    FOK = "fok"
    """Fill or kill: trade the whole amount at once, or refuse the order."""
    POST_ONLY = "post_only"
    """Rest without trading; refused if it would cross on arrival."""
    MARKET = "market"
    """Trade at any price up to the signed price (the worst-price protection); cancel the rest."""

    @property
    def rests(self) -> bool:
        """Whether what is left after matching stays in the book."""
        return self in (OrderKind.LIMIT, OrderKind.POST_ONLY)

    @property
    def takes(self) -> bool:
        """Whether the order may trade against the book on arrival."""
        return self is not OrderKind.POST_ONLY


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


@dataclass(slots=True)
class OrderRecord:
    """
    An accepted order and its progress.

    ``sequence`` counts the operator's accepted orders from 1: it is the
    order's time priority in the book and a stable tie-breaker everywhere.
    """

    market: str
    signed: SignedOrder
    kind: OrderKind
    client_order_id: str | None
    sequence: int
    accepted_at: Timestamp
    filled: Amount = Amount(0)
    status: OrderStatus = OrderStatus.OPEN
    reason: CloseReason | None = None
    closed_at: Timestamp | None = None

    @property
    def order(self) -> Order:
        """The signed order's fields."""
        return self.signed.order

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
