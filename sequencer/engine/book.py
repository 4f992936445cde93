"""
A limit order book with price-time priority.

Bids are matched best (highest) price first, asks lowest first; at one price,
the order that arrived first trades first. A taker trades at each maker's
price until its limit is reached or it is filled. All quantities are integers;
nothing here reads a clock or a random source, so the same inputs always give
the same fills.

The book only decides which orders meet and for how much. Whether an order
may enter it (balances, signatures, ids, expiry) and what becomes of orders
that leave it is the operator's business (``sequencer.engine.operator``).
"""

from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass, field

from sequencer.spec.constants import Side
from sequencer.spec.perpetual.transactions import PerpOrder
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.transition import fee_amount
from sequencer.spec.types import Amount, Price

from .errors import Code, OrderRejected
from .market import Market, fee_limit_needed
from .orders import OrderKey, OrderRecord


@dataclass(frozen=True, slots=True)
class Fill:
    """
    ``base`` of the maker's order traded against the taker at the maker's
    price; each side pays its fee rate of what it receives.
    """

    maker: SignedOrder
    taker: SignedOrder
    base: Amount
    quote: Amount
    price: Price
    maker_fee_bps: int
    taker_fee_bps: int

    @property
    def maker_fee(self) -> Amount:
        """The maker's fee, in the token it receives (as the spec charges it)."""
        return fee_amount(self.base if self.maker.order.side == Side.BUY else self.quote, self.maker_fee_bps)

    @property
    def taker_fee(self) -> Amount:
        """The taker's fee, in the token it receives (as the spec charges it)."""
        return fee_amount(self.base if self.taker.order.side == Side.BUY else self.quote, self.taker_fee_bps)


@dataclass(frozen=True)
class Level:
    """One price of one side of the book: the open amount there and how many orders hold it."""

    price: Price
    amount: Amount
    orders: int


@dataclass(frozen=True)
class Depth:
    """The best levels of each side, best first."""

    bids: tuple[Level, ...]
    asks: tuple[Level, ...]


@dataclass
class Match:
    """
    What matching one taker did: its fills in order, the maker of each fill
    (same position), and the taker's own resting orders taken out of its way.
    """

    fills: list[Fill] = field(default_factory=list)
    makers: list[OrderRecord] = field(default_factory=list)
    self_trades: list[OrderRecord] = field(default_factory=list)


def opposite(side: Side) -> Side:
    """The other side of the book."""
    return Side.SELL if side == Side.BUY else Side.BUY


def crosses(side: Side, limit: Price, maker_price: Price) -> bool:
    """Whether an order on ``side`` with this limit may trade at ``maker_price``."""
    return maker_price <= limit if side == Side.BUY else maker_price >= limit


class PriceLevels:
    """
    Resting orders, bids and asks, in priority order: the structure every
    book shares (a spot market's :class:`OrderBook`, a perpetual market's
    ``perp_market.PerpBook``), which decides nothing about who may trade.
    """

    def __init__(self, name: str) -> None:
        """No orders, for the market named ``name``."""
        self.name = name
        # Per side: price -> orders at that price in arrival order (dicts keep insertion order).
        self._levels: dict[Side, dict[Price, dict[OrderKey, OrderRecord]]] = {Side.BUY: {}, Side.SELL: {}}
        # Per side: the prices that have orders, ascending.
        self._prices: dict[Side, list[Price]] = {Side.BUY: [], Side.SELL: []}
        self._index: dict[OrderKey, OrderRecord] = {}

    def __contains__(self, key: OrderKey) -> bool:
        """Whether the order is resting in this book."""
        return key in self._index

    def __len__(self) -> int:
        """How many orders rest in the book."""
        return len(self._index)

    def best(self, side: Side) -> Price | None:
        """The best price on ``side``: the highest bid or the lowest ask."""
        prices = self._prices[side]
        if not prices:
            return None
        return prices[-1] if side == Side.BUY else prices[0]

    def best_bid(self) -> Price | None:
        """The highest resting bid price."""
        return self.best(Side.BUY)

    def best_ask(self) -> Price | None:
        """The lowest resting ask price."""
        return self.best(Side.SELL)

    def would_cross(self, side: Side, price: Price) -> bool:
        """Whether an order on ``side`` at ``price`` would meet a resting order at once."""
        best = self.best(opposite(side))
        return best is not None and crosses(side, price, best)

    def fillable_in_one_trade(self, order: Order | PerpOrder) -> Amount:
        """
        How much of ``order`` its first trade would fill: the remainder of the
        first crossing order of another account (the account's own orders
        ahead of it would be taken out by self-trade prevention), at most its
        amount. A fill-or-kill order must fill whole in this one trade,
        which is what the circuit can check.
        """
        for maker in self._makers_for(order.side, order.price):
            if maker.order.account_index != order.account_index:
                return Amount(min(maker.remaining, order.amount))
        return Amount(0)

    def add(self, record: OrderRecord) -> None:
        """Rest an order behind every order at its price."""
        level = self._level(record.side, record.order.price)
        level[record.key] = record
        self._index[record.key] = record

    def remove(self, key: OrderKey) -> OrderRecord | None:
        """Take an order out of the book; returns it, or None if it was not there."""
        record = self._index.pop(key, None)
        if record is None:
            return None
        side, price = record.side, record.order.price
        level = self._levels[side][price]
        del level[key]
        if not level:
            del self._levels[side][price]
            prices = self._prices[side]
            del prices[bisect_left(prices, price)]
        return record

    def depth(self, levels: int) -> Depth:
        """The best ``levels`` prices of each side, with the open amount and order count at each."""
        return Depth(self._side_depth(Side.BUY, levels), self._side_depth(Side.SELL, levels))

    def resting(self) -> Iterator[OrderRecord]:
        """Every resting order in priority order: bids best first, then asks best first."""
        for side in (Side.BUY, Side.SELL):
            for price in self._ordered_prices(side):
                yield from self._levels[side][price].values()

    def _makers_for(self, side: Side, limit: Price) -> Iterator[OrderRecord]:
        """The resting orders an order on ``side`` with this limit would meet, in priority order."""
        book_side = opposite(side)
        for price in self._ordered_prices(book_side):
            if not crosses(side, limit, price):
                return
            yield from self._levels[book_side][price].values()

    def _ordered_prices(self, side: Side) -> list[Price]:
        """The prices of ``side``, best first."""
        prices = self._prices[side]
        return prices[::-1] if side == Side.BUY else list(prices)

    def _level(self, side: Side, price: Price) -> dict[OrderKey, OrderRecord]:
        """The orders at ``price`` on ``side``, creating the level if it is new."""
        levels = self._levels[side]
        level = levels.get(price)
        if level is None:
            level = levels[price] = {}
            insort(self._prices[side], price)
        return level

    def _side_depth(self, side: Side, levels: int) -> tuple[Level, ...]:
        """The best ``levels`` levels of one side."""
        depth = []
        for price in self._ordered_prices(side)[:levels]:
            orders = self._levels[side][price].values()
            depth.append(Level(price, Amount(sum(o.remaining for o in orders)), len(orders)))
        return tuple(depth)

    def first_maker(self, side: Side, limit: Price) -> OrderRecord | None:
        """The resting order an order on ``side`` with this limit would meet first, if any."""
        book_side = opposite(side)
        prices = self._prices[book_side]
        if not prices:
            return None
        price = prices[-1] if book_side == Side.BUY else prices[0]
        if not crosses(side, limit, price):
            return None
        return next(iter(self._levels[book_side][price].values()))


class OrderBook(PriceLevels):
    """The resting orders of one spot market, bids and asks, in priority order."""

    def __init__(self, market: Market) -> None:
        """An empty book for ``market``."""
        super().__init__(market.name)
        self.market = market

    def check(self, signed: SignedOrder) -> None:
        """
        Check an order against the market's rules.

        A resting order may end up maker or taker, so it must allow both
        fees; a post-only order is only ever maker, and the other kinds only
        ever taker.

        Raises
        ------
        OrderRejected
            Wrong tokens, a price off the tick grid, an amount off the lot
            grid, below the minimum or above the maximum, or a fee limit below
            a fee the order could be charged.
        """
        order = signed.order
        kind = order.kind
        market = self.market
        if (order.base_token, order.quote_token) != (market.base_token, market.quote_token):
            raise OrderRejected(
                Code.MARKET_MISMATCH,
                f"market {market.name} trades token {market.base_token} for {market.quote_token}",
                base_token=order.base_token,
                quote_token=order.quote_token,
            )
        if order.price <= 0 or order.price % market.tick_size:
            raise OrderRejected(
                Code.INVALID_TICK,
                f"price must be a positive multiple of {market.tick_size}",
                price=order.price,
                tick_size=market.tick_size,
            )
        if order.amount <= 0 or order.amount % market.lot_size:
            raise OrderRejected(
                Code.INVALID_LOT,
                f"amount must be a positive multiple of {market.lot_size}",
                amount=order.amount,
                lot_size=market.lot_size,
            )
        if order.amount < market.min_amount:
            raise OrderRejected(
                Code.BELOW_MIN_SIZE,
                f"amount must be at least {market.min_amount}",
                amount=order.amount,
                min_amount=market.min_amount,
            )
        if order.amount > market.max_amount:
            raise OrderRejected(
                Code.ABOVE_MAX_SIZE,
                f"amount must be at most {market.max_amount}",
                amount=order.amount,
                max_amount=market.max_amount,
            )
        needed = fee_limit_needed(kind, market.maker_fee_bps, market.taker_fee_bps)
        if order.max_fee_bps < needed:
            raise OrderRejected(
                Code.FEE_LIMIT_TOO_LOW,
                f"a {kind.value} order here needs max_fee_bps of at least {needed}",
                max_fee_bps=order.max_fee_bps,
                needed=needed,
            )

    def match(self, taker: OrderRecord, max_fills: int | None = None) -> Match:
        """
        Trade ``taker`` against the book up to its signed limit and amount,
        and at most ``max_fills`` fills if given.

        Each fill is at the maker's price; ``taker.filled`` and each maker's
        ``filled`` grow by the fill, and makers that fill completely leave the
        book. A resting order of the taker's own account is never traded
        with: it leaves the book instead (self-trade prevention, cancelling
        the older order) and is reported in ``Match.self_trades``. The taker
        itself is not put into the book.
        """
        result = Match()
        order = taker.order
        buying = order.side == Side.BUY
        book_side = Side.SELL if buying else Side.BUY
        levels, prices = self._levels[book_side], self._prices[book_side]
        limit, amount, account = order.price, order.amount, order.account_index
        # The hot loop of the exchange: the best price and the crossing test are inlined
        # (``best``, ``crosses``), as are the remaining amounts (``OrderRecord.remaining``).
        fills = result.fills
        while taker.filled < amount and prices and (max_fills is None or len(fills) < max_fills):
            price = prices[0] if buying else prices[-1]
            if (price > limit) if buying else (price < limit):
                break
            maker = next(iter(levels[price].values()))
            if maker.signed.order.account_index == account:
                self.remove(maker.key)
                result.self_trades.append(maker)
                continue
            maker_amount = maker.signed.order.amount
            base = Amount(min(amount - taker.filled, maker_amount - maker.filled))
            result.fills.append(self._fill(maker.spot, taker.spot, base))
            result.makers.append(maker)
            maker.filled = Amount(maker.filled + base)
            taker.filled = Amount(taker.filled + base)
            if maker.filled == maker_amount:
                self.remove(maker.key)
        return result

    def _fill(self, maker: SignedOrder, taker: SignedOrder, base: Amount) -> Fill:
        """A fill of ``base`` at the maker's price, at the market's fee rates."""
        price = maker.order.price
        return Fill(
            maker=maker,
            taker=taker,
            base=base,
            quote=self.market.quote_amount(base, price),
            price=price,
            maker_fee_bps=self.market.maker_fee_bps,
            taker_fee_bps=self.market.taker_fee_bps,
        )
