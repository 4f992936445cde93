"""Every order kind and the edges of matching, through the operator (signatures checked, trades applied by the spec)."""

from sequencer.engine.errors import Code
from sequencer.engine.orders import CloseReason, OrderStatus
from sequencer.spec.constants import OrderKind, Side
from sequencer.engine.operator import Operator
from tests.engine.exchange import ALICE, BOB, CAROL, FUNDS_QUOTE, MARKET
from tests.engine.helpers import locked, place, refused
from tests.support.scenario import BASE, NOW, QUOTE, UNIT


def test_limit_order_rests_and_locks_its_cost(operator: Operator) -> None:
    outcome = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, 3 * UNIT)
    assert outcome.order.status is OrderStatus.OPEN and outcome.trades == []
    assert locked(operator, ALICE, QUOTE) == 30 * UNIT
    assert operator.available(ALICE.index, QUOTE) == FUNDS_QUOTE - 30 * UNIT


def test_partial_fills_across_price_levels(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    place(operator, CAROL, 1, Side.SELL, 11 * UNIT, UNIT)
    place(operator, BOB, 2, Side.SELL, 12 * UNIT, UNIT)
    outcome = place(operator, ALICE, 1, Side.BUY, 11 * UNIT, 3 * UNIT)
    assert [(t.fill.price, t.fill.base) for t in outcome.trades] == [(10 * UNIT, UNIT), (11 * UNIT, UNIT)]
    assert outcome.order.status is OrderStatus.OPEN and outcome.order.filled == 2 * UNIT
    assert locked(operator, ALICE, QUOTE) == 11 * UNIT  # the unfilled unit at its limit
    book = operator.books[MARKET.name]
    assert (book.best_bid(), book.best_ask()) == (11 * UNIT, 12 * UNIT)


def test_exact_fill_closes_both_orders(operator: Operator) -> None:
    maker = place(operator, BOB, 1, Side.SELL, 10 * UNIT, 2 * UNIT).order
    taker = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, 2 * UNIT).order
    assert maker.status is taker.status is OrderStatus.FILLED
    assert len(operator.books[MARKET.name]) == 0
    assert operator.locks.items() == []
    alice = operator.head.get_account(ALICE.index)
    assert alice.balance(BASE) == 1000 * UNIT + 2 * UNIT - 2 * UNIT * 20 // 10000


def test_fok_that_cannot_fill_changes_nothing(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    place(operator, ALICE, 1, Side.SELL, 10 * UNIT, 5 * UNIT)  # own liquidity does not count
    code = refused(operator, ALICE, 2, Side.BUY, 10 * UNIT, 2 * UNIT, kind=OrderKind.FOK)
    assert code == Code.FOK_NOT_FILLABLE
    assert operator.orders[(ALICE.index, 1)].status is OrderStatus.OPEN


def test_fok_that_one_resting_order_can_fill_fills_completely_in_one_trade(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, 3 * UNIT)
    outcome = place(operator, ALICE, 1, Side.BUY, 11 * UNIT, 2 * UNIT, kind=OrderKind.FOK)
    assert outcome.order.status is OrderStatus.FILLED
    assert [t.fill.base for t in outcome.trades] == [2 * UNIT]


def test_fok_that_needs_two_resting_orders_is_refused(operator: Operator) -> None:
    """The circuit can check a fill-or-kill order filled whole only within one trade."""
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    place(operator, CAROL, 1, Side.SELL, 11 * UNIT, 2 * UNIT)
    assert refused(operator, ALICE, 1, Side.BUY, 11 * UNIT, 2 * UNIT, kind=OrderKind.FOK) == Code.FOK_NOT_FILLABLE


def test_post_only_that_would_cross_is_refused(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    assert (
        refused(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT, kind=OrderKind.POST_ONLY) == Code.POST_ONLY_WOULD_CROSS
    )


def test_post_only_below_the_ask_rests(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    outcome = place(operator, ALICE, 1, Side.BUY, 10 * UNIT - MARKET.tick_size, UNIT, kind=OrderKind.POST_ONLY)
    assert outcome.order.status is OrderStatus.OPEN and outcome.trades == []


def test_ioc_remainder_is_cancelled(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    outcome = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, 3 * UNIT, kind=OrderKind.IOC)
    assert outcome.order.filled == UNIT
    assert (outcome.order.status, outcome.order.reason) == (OrderStatus.CANCELLED, CloseReason.UNFILLED)
    assert len(operator.books[MARKET.name]) == 0 and locked(operator, ALICE, QUOTE) == 0


def test_ioc_with_nothing_to_take_is_accepted_and_cancelled(operator: Operator) -> None:
    outcome = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT, kind=OrderKind.IOC)
    assert outcome.order.status is OrderStatus.CANCELLED and outcome.trades == []
    assert refused(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT) == Code.ORDER_ID_USED


def test_market_order_stops_at_its_protection_price(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    place(operator, CAROL, 1, Side.SELL, 11 * UNIT, UNIT)
    place(operator, BOB, 2, Side.SELL, 13 * UNIT, UNIT)
    outcome = place(operator, ALICE, 1, Side.BUY, 12 * UNIT, 5 * UNIT, kind=OrderKind.MARKET)
    assert [t.fill.price for t in outcome.trades] == [10 * UNIT, 11 * UNIT]
    assert (outcome.order.status, outcome.order.reason) == (OrderStatus.CANCELLED, CloseReason.UNFILLED)
    assert operator.books[MARKET.name].best_ask() == 13 * UNIT


def test_market_sell_stops_at_its_protection_price(operator: Operator) -> None:
    place(operator, BOB, 1, Side.BUY, 10 * UNIT, UNIT)
    place(operator, CAROL, 1, Side.BUY, 8 * UNIT, UNIT)
    outcome = place(operator, ALICE, 1, Side.SELL, 9 * UNIT, 2 * UNIT, kind=OrderKind.MARKET)
    assert [t.fill.price for t in outcome.trades] == [10 * UNIT]
    assert operator.books[MARKET.name].best_bid() == 8 * UNIT


def test_self_trade_prevention_cancels_the_resting_order(operator: Operator) -> None:
    own = place(operator, ALICE, 1, Side.SELL, 10 * UNIT, UNIT).order
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    outcome = place(operator, ALICE, 2, Side.BUY, 10 * UNIT, UNIT)
    assert outcome.self_trades == [own]
    assert (own.status, own.reason) == (OrderStatus.CANCELLED, CloseReason.SELF_TRADE)
    assert [t.fill.maker.order.account_index for t in outcome.trades] == [BOB.index]
    assert locked(operator, ALICE, BASE) == 0


def test_self_trade_only_book_leaves_the_taker_resting(operator: Operator) -> None:
    place(operator, ALICE, 1, Side.SELL, 10 * UNIT, UNIT)
    outcome = place(operator, ALICE, 2, Side.BUY, 10 * UNIT, UNIT)
    assert outcome.trades == [] and outcome.order.status is OrderStatus.OPEN
    assert operator.books[MARKET.name].best_ask() is None


def test_expired_order_is_refused(operator: Operator) -> None:
    assert refused(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT, now=NOW + 10, expiry=NOW + 9) == "ORDER_EXPIRED"


def test_order_trades_until_its_expiry_second(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT, expiry=NOW + 5)
    outcome = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT, now=NOW + 5)
    assert len(outcome.trades) == 1


def test_resting_order_expires_and_releases_its_lock(operator: Operator) -> None:
    resting = place(operator, BOB, 1, Side.SELL, 10 * UNIT, 2 * UNIT, expiry=NOW + 5).order
    outcome = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT, now=NOW + 6)
    assert outcome.trades == []  # the expired ask is gone before Alice's order matches
    assert (resting.status, resting.closed_at) == (OrderStatus.EXPIRED, NOW + 6)
    assert locked(operator, BOB, BASE) == 0


def test_expire_closes_stale_orders_without_a_request(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT, expiry=NOW + 5)
    assert not operator.expiry_due(NOW + 5)
    assert operator.expiry_due(NOW + 6)
    assert [r.key for r in operator.expire(NOW + 6)] == [(BOB.index, 1)]
    assert operator.clock == NOW + 6 and not operator.expiry_due(NOW + 6)


def test_client_order_ids_name_orders(operator: Operator) -> None:
    first = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT, client_order_id="grid-1").order
    assert operator.order_by_client_id(ALICE.index, "grid-1") is first
    code = refused(operator, ALICE, 2, Side.BUY, 9 * UNIT, UNIT, client_order_id="grid-1")
    assert code == Code.DUPLICATE_CLIENT_ORDER_ID
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)  # fills it: the id is free again
    second = place(operator, ALICE, 2, Side.BUY, 9 * UNIT, UNIT, client_order_id="grid-1").order
    assert operator.order_by_client_id(ALICE.index, "grid-1") is second
    assert operator.order_by_client_id(BOB.index, "grid-1") is None


def test_fees_stay_within_each_orders_signed_limit(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    fill = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT).trades[0].fill
    assert fill.maker_fee * 10000 <= fill.quote * fill.maker.order.max_fee_bps
    assert fill.taker_fee * 10000 <= fill.base * fill.taker.order.max_fee_bps
