"""
A limit order book with price-time priority.

Bids are matched best (highest) price first, asks lowest first; at one price,
the order that arrived first trades first. A taker trades at each maker's
price until its limit is reached or it is filled; what is left rests in the
book. All quantities are integers; nothing here reads a clock or a random
source, so the same inputs always give the same fills.
"""

import heapq
from dataclasses import dataclass, field

from sequencer.spec.constants import Side
from sequencer.spec.transactions import SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price

from .market import Market


class OrderRejected(ValueError):
    """An order that breaks the market's rules; it never reaches the book."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class RestingOrder:
    """An order in the book and how much of it is still open."""

    signed: SignedOrder
    remaining: Amount
    sequence: int

    @property
    def key(self) -> tuple[AccountIndex, OrderId]:
        """An order is named by its account and its id."""
        return self.signed.order.account_index, self.signed.order.order_id


@dataclass(frozen=True)
class Fill:
    """``base`` of the maker's order traded against the taker at the maker's price."""

    maker: SignedOrder
    taker: SignedOrder
    base: Amount
    quote: Amount
    price: Price
    maker_fee: Amount
    taker_fee: Amount


@dataclass
class OrderBook:
    """The resting orders of one market, bids and asks, in priority order."""

    market: Market
    _bids: list[tuple[int, int, tuple[AccountIndex, OrderId]]] = field(default_factory=list)
    _asks: list[tuple[int, int, tuple[AccountIndex, OrderId]]] = field(default_factory=list)
    _orders: dict[tuple[AccountIndex, OrderId], RestingOrder] = field(default_factory=dict)
    _sequence: int = 0

    def check(self, signed: SignedOrder) -> None:
        """
        Check an order against the market's rules.

        Raises
        ------
        OrderRejected
            Wrong market, price off the tick grid, amount off the lot grid or
            below the minimum, a fee limit below the market's fee, or an id
            already in the book.
        """
        order = signed.order
        market = self.market
        if (order.base_token, order.quote_token) != (market.base_token, market.quote_token):
            raise OrderRejected("UNKNOWN_MARKET", "the order's tokens are not this market's")
        if order.price <= 0 or order.price % market.tick_size:
            raise OrderRejected("INVALID_TICK", f"price must be a positive multiple of {market.tick_size}")
        if order.amount % market.lot_size:
            raise OrderRejected("INVALID_LOT", f"amount must be a multiple of {market.lot_size}")
        if order.amount < market.min_amount:
            raise OrderRejected("BELOW_MIN_SIZE", f"amount must be at least {market.min_amount}")
        if order.max_fee_bps < max(market.maker_fee_bps, market.taker_fee_bps):
            raise OrderRejected("FEE_LIMIT_TOO_LOW", "the order's fee limit is below the market's fees")
        if (order.account_index, order.order_id) in self._orders:
            raise OrderRejected("DUPLICATE_ORDER_ID", f"order {order.order_id} is already open")

    def submit(self, signed: SignedOrder) -> list[Fill]:
        """
        Match an incoming order against the book, then rest what is left.

        A resting order of the same account is never matched: it is
        cancelled instead (self-trade prevention, cancel-oldest).
        """
        self.check(signed)
        order = signed.order
        remaining = order.amount
        fills: list[Fill] = []
        opposite = self._asks if order.side == Side.BUY else self._bids
        while remaining > 0 and opposite:
            maker = self._orders[opposite[0][2]]
            if not self._crosses(order.side, order.price, maker.signed.order.price):
                break
            if maker.signed.order.account_index == order.account_index:
                self.cancel(*maker.key)
                continue
            base = min(remaining, maker.remaining)
            fills.append(self._fill(maker, signed, base))
            remaining = Amount(remaining - base)
            maker.remaining = Amount(maker.remaining - base)
            if maker.remaining == 0:
                self.cancel(*maker.key)
        if remaining > 0:
            self._rest(signed, remaining)
        return fills

    def cancel(self, account: AccountIndex, order_id: OrderId) -> RestingOrder | None:
        """Take an order out of the book; returns it, or None if it was not there."""
        resting = self._orders.pop((account, order_id), None)
        if resting is not None:
            side = self._bids if resting.signed.order.side == Side.BUY else self._asks
            side[:] = [entry for entry in side if entry[2] != resting.key]
            heapq.heapify(side)
        return resting

    def best_bid(self) -> Price | None:
        """The highest resting bid price."""
        return Price(-self._bids[0][0]) if self._bids else None

    def best_ask(self) -> Price | None:
        """The lowest resting ask price."""
        return Price(self._asks[0][0]) if self._asks else None

    def resting(self) -> list[RestingOrder]:
        """All resting orders, in arrival order."""
        return sorted(self._orders.values(), key=lambda r: r.sequence)

    @staticmethod
    def _crosses(side: Side, limit: Price, maker_price: Price) -> bool:
        """Whether a taker with this limit may trade at the maker's price."""
        return maker_price <= limit if side == Side.BUY else maker_price >= limit

    def _fill(self, maker: RestingOrder, taker: SignedOrder, base: Amount) -> Fill:
        """A fill of ``base`` at the maker's price, with each side's fee on what it receives."""
        price = maker.signed.order.price
        quote = self.market.quote_amount(base, price)
        maker_receives = base if maker.signed.order.side == Side.BUY else quote
        taker_receives = quote if maker.signed.order.side == Side.BUY else base
        return Fill(
            maker=maker.signed,
            taker=taker,
            base=base,
            quote=quote,
            price=price,
            maker_fee=Market.fee(maker_receives, self.market.maker_fee_bps),
            taker_fee=Market.fee(taker_receives, self.market.taker_fee_bps),
        )

    def _rest(self, signed: SignedOrder, remaining: Amount) -> None:
        """Put the open part of an order into the book behind every order at its price."""
        order = signed.order
        self._sequence += 1
        resting = RestingOrder(signed, remaining, self._sequence)
        self._orders[resting.key] = resting
        if order.side == Side.BUY:
            heapq.heappush(self._bids, (-order.price, self._sequence, resting.key))
        else:
            heapq.heappush(self._asks, (order.price, self._sequence, resting.key))
