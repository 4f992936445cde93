"""The order book alone: market rules, price-time priority, matching, depth."""

from dataclasses import replace

import pytest

from sequencer.crypto.eddsa import Signature
from sequencer.engine.book import Level, OrderBook
from sequencer.engine.errors import Code, OrderRejected
from sequencer.engine.orders import OrderRecord
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId
from tests.engine.exchange import LOT, MARKET, TICK
from tests.support.scenario import BASE, NOW, QUOTE, UNIT

UNSIGNED = Signature(0, 0, 0)
"""The book never checks signatures; the operator does."""

_sequence = iter(range(1, 10**6))


def record(
    account: int,
    order_id: int,
    side: Side,
    price: int,
    amount: int,
    max_fee_bps: int = 50,
    kind: OrderKind = OrderKind.LIMIT,
) -> OrderRecord:
    """An accepted order of the test market, of ``kind``."""
    order = Order(
        AccountIndex(account),
        OrderId(order_id),
        TokenId(BASE),
        TokenId(QUOTE),
        side,
        Price(price),
        Amount(amount),
        max_fee_bps,
        Timestamp(NOW + 3600),
        kind,
    )
    return OrderRecord(MARKET.name, SignedOrder(order, UNSIGNED), None, next(_sequence), NOW)


def book_with(*records: OrderRecord) -> OrderBook:
    """A book holding ``records`` in that order."""
    book = OrderBook(MARKET)
    for resting in records:
        book.add(resting)
    return book


@pytest.mark.parametrize(
    ("price", "amount", "code"),
    [
        (10 * UNIT + 1, UNIT, Code.INVALID_TICK),
        (0, UNIT, Code.INVALID_TICK),
        (10 * UNIT, UNIT + 1, Code.INVALID_LOT),
        (10 * UNIT, 0, Code.INVALID_LOT),
    ],
)
def test_check_refuses_off_grid_orders(price: int, amount: int, code: Code) -> None:
    with pytest.raises(OrderRejected) as refused:
        OrderBook(MARKET).check(record(1, 1, Side.BUY, price, amount).signed)
    assert refused.value.code is code


def test_check_refuses_below_minimum() -> None:
    market = replace(MARKET, min_amount=Amount(10 * LOT))
    with pytest.raises(OrderRejected) as refused:
        OrderBook(market).check(record(1, 1, Side.BUY, 10 * UNIT, 9 * LOT).signed)
    assert refused.value.code is Code.BELOW_MIN_SIZE


@pytest.mark.parametrize(
    ("kind", "max_fee_bps", "accepted"),
    [
        (OrderKind.POST_ONLY, 10, True),  # only ever maker: the maker fee suffices
        (OrderKind.IOC, 19, False),  # only ever taker: needs the taker fee
        (OrderKind.IOC, 20, True),
        (OrderKind.LIMIT, 19, False),  # may be either: needs both
        (OrderKind.LIMIT, 20, True),
    ],
)
def test_check_fee_limit_depends_on_the_role_an_order_can_take(
    kind: OrderKind, max_fee_bps: int, accepted: bool
) -> None:
    signed = record(1, 1, Side.BUY, 10 * UNIT, UNIT, max_fee_bps, kind).signed
    if accepted:
        OrderBook(MARKET).check(signed)
    else:
        with pytest.raises(OrderRejected) as refused:
            OrderBook(MARKET).check(signed)
        assert refused.value.code is Code.FEE_LIMIT_TOO_LOW


def test_match_takes_best_price_first_then_earliest() -> None:
    late_at_10 = record(1, 1, Side.SELL, 10 * UNIT, UNIT)
    at_11 = record(2, 1, Side.SELL, 11 * UNIT, UNIT)
    early_at_10 = record(3, 1, Side.SELL, 10 * UNIT, UNIT)
    book = book_with(at_11, early_at_10, late_at_10)
    taker = record(4, 1, Side.BUY, 11 * UNIT, 3 * UNIT)
    match = book.match(taker)
    assert [m.key for m in match.makers] == [early_at_10.key, late_at_10.key, at_11.key]
    assert [f.price for f in match.fills] == [10 * UNIT, 10 * UNIT, 11 * UNIT]
    assert taker.remaining == 0 and len(book) == 0


def test_match_trades_at_the_makers_price_with_fees_on_what_each_receives() -> None:
    book = book_with(record(1, 1, Side.SELL, 10 * UNIT, 2 * UNIT))
    fill = book.match(record(2, 1, Side.BUY, 12 * UNIT, UNIT)).fills[0]
    assert (fill.base, fill.quote, fill.price) == (UNIT, 10 * UNIT, 10 * UNIT)
    assert fill.maker_fee == 10 * UNIT * 10 // 10000  # the selling maker receives quote
    assert fill.taker_fee == UNIT * 20 // 10000  # the buying taker receives base


def test_match_stops_at_the_limit_and_leaves_a_partly_filled_maker_first() -> None:
    maker = record(1, 1, Side.BUY, 10 * UNIT, 5 * UNIT)
    behind = record(2, 1, Side.BUY, 10 * UNIT, UNIT)
    book = book_with(maker, behind, record(3, 1, Side.BUY, 9 * UNIT, UNIT))
    taker = record(4, 1, Side.SELL, 10 * UNIT, 2 * UNIT)
    book.match(taker)
    assert maker.remaining == 3 * UNIT
    assert next(book.resting()).key == maker.key
    assert book.match(record(4, 2, Side.SELL, 10 * UNIT, 4 * UNIT)).makers == [maker, behind]
    assert book.best_bid() == 9 * UNIT


def test_match_removes_own_orders_instead_of_trading_with_them() -> None:
    own = record(1, 1, Side.SELL, 10 * UNIT, UNIT)
    other = record(2, 1, Side.SELL, 10 * UNIT, UNIT)
    book = book_with(own, other)
    match = book.match(record(1, 2, Side.BUY, 10 * UNIT, UNIT))
    assert match.self_trades == [own]
    assert match.makers == [other]
    assert own.key not in book


def test_fillable_in_one_trade_is_the_first_other_accounts_order_within_the_limit() -> None:
    book = book_with(
        record(1, 1, Side.SELL, 10 * UNIT, 4 * UNIT),
        record(2, 1, Side.SELL, 10 * UNIT, UNIT),
        record(3, 1, Side.SELL, 12 * UNIT, 5 * UNIT),
    )
    assert book.fillable_in_one_trade(record(1, 2, Side.BUY, 11 * UNIT, 10 * UNIT).order) == UNIT
    assert book.fillable_in_one_trade(record(2, 2, Side.BUY, 12 * UNIT, 3 * UNIT).order) == 3 * UNIT
    assert book.fillable_in_one_trade(record(3, 2, Side.BUY, 9 * UNIT, 3 * UNIT).order) == 0


def test_would_cross() -> None:
    book = book_with(record(1, 1, Side.SELL, 10 * UNIT, UNIT))
    assert book.would_cross(Side.BUY, Price(10 * UNIT))
    assert not book.would_cross(Side.BUY, Price(10 * UNIT - TICK))
    assert not book.would_cross(Side.SELL, Price(TICK))


def test_depth_aggregates_levels_best_first() -> None:
    book = book_with(
        record(1, 1, Side.BUY, 9 * UNIT, UNIT),
        record(2, 1, Side.BUY, 10 * UNIT, UNIT),
        record(3, 1, Side.BUY, 10 * UNIT, 2 * UNIT),
        record(1, 2, Side.SELL, 12 * UNIT, UNIT),
        record(2, 2, Side.SELL, 11 * UNIT, UNIT),
    )
    depth = book.depth(1)
    assert depth.bids == (Level(Price(10 * UNIT), Amount(3 * UNIT), 2),)
    assert depth.asks == (Level(Price(11 * UNIT), Amount(UNIT), 1),)
    assert len(book.depth(10).bids) == 2


def test_remove_drops_empty_levels() -> None:
    resting = record(1, 1, Side.BUY, 10 * UNIT, UNIT)
    book = book_with(resting)
    assert book.remove(resting.key) is resting
    assert book.remove(resting.key) is None
    assert book.best_bid() is None and book.depth(5).bids == ()
