"""Trades: settlement, partial fills, slots, and one test per rule of DESIGN.md."""

from dataclasses import replace
from typing import Any

import pytest

from sequencer.spec.constants import AMOUNT_BITS, PRICE_SCALE, TRADE_FEE_BPS_BITS, OrderKind, Side
from sequencer.spec.errors import (
    AccountNotFound,
    BalanceOverflow,
    FeeAboveLimit,
    FillNotEncodable,
    FillOrKillPartial,
    ImmediateOrderResumed,
    InexactFill,
    InsufficientBalance,
    InvalidFeeLimit,
    InvalidSignature,
    MakerDoesNotRest,
    MarketMismatch,
    OrderExpired,
    OrderIdStale,
    OrderOverfilled,
    PostOnlyTaker,
    PriceLimitViolated,
    PriceNotEncodable,
    SelfTrade,
    SidesNotOpposite,
    ValueOutOfRange,
    ZeroFill,
)
from sequencer.spec.state import State
from sequencer.spec.transactions import Order
from sequencer.spec.batch import apply_batch
from sequencer.spec.transition import Fee, process_deposit, process_trade
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId
from tests.spec.assertions import assert_rejected
from tests.spec.builders import (
    ALICE,
    BASE,
    BOB,
    CAROL,
    NOW,
    QUOTE,
    deposit,
    order,
    price,
    signed,
    trade,
)


def alice_sells(
    order_id: int = 1, amount: int = 600, limit: Price = price(2), **fields: Any
) -> Order:
    """Alice's resting order: sell base at 2 quote each."""
    return order(ALICE, order_id, Side.SELL, limit, amount, **fields)


def bob_buys(order_id: int = 1, amount: int = 600, limit: Price = price(3), **fields: Any) -> Order:
    """Bob's incoming order: buy base paying up to 3 quote each."""
    return order(BOB, order_id, Side.BUY, limit, amount, **fields)


def balance(state: State, account: int, token: TokenId) -> int:
    return state.get_account(AccountIndex(account)).balance(token)


def test_trade_settles_at_the_makers_price(state: State) -> None:
    # Alice receives 1000 quote: 30 bps is 3; Bob receives 500 base: 30 bps is 1.5, rounded down.
    tx = trade(alice_sells(), bob_buys(), 500, maker_fee_bps=30, taker_fee_bps=30)
    fees = process_trade(state, tx, NOW)
    assert fees == (Fee(QUOTE, Amount(3)), Fee(BASE, Amount(1)))
    assert balance(state, ALICE, BASE) == 1000 - 500
    assert balance(state, ALICE, QUOTE) == 1000 + 1000 - 3
    assert balance(state, BOB, BASE) == 1000 + 500 - 1
    assert balance(state, BOB, QUOTE) == 10000 - 1000


def test_trade_with_a_buying_maker(state: State) -> None:
    maker = order(BOB, 7, Side.BUY, price(2), 100)
    taker = order(ALICE, 3, Side.SELL, price(1), 100)
    fees = process_trade(state, trade(maker, taker, 100, maker_fee_bps=0, taker_fee_bps=0), NOW)
    assert fees == (Fee(BASE, Amount(0)), Fee(QUOTE, Amount(0)))
    assert balance(state, BOB, BASE) == 1100
    assert balance(state, BOB, QUOTE) == 9800
    assert balance(state, ALICE, BASE) == 900
    assert balance(state, ALICE, QUOTE) == 1200


def test_trade_at_a_fractional_price(state: State) -> None:
    maker = alice_sells(limit=Price(PRICE_SCALE * 5 // 4))
    process_trade(state, trade(maker, bob_buys(), 8, fill_quote=10), NOW)
    assert balance(state, BOB, QUOTE) == 10000 - 10


def test_trade_records_both_fills(state: State) -> None:
    process_trade(state, trade(alice_sells(order_id=5), bob_buys(order_id=2), 100), NOW)
    assert state.get_account(AccountIndex(ALICE)).order_slot(OrderId(5)) == (5, 100)
    assert state.get_account(AccountIndex(BOB)).order_slot(OrderId(2)) == (2, 100)


def test_partial_fill_then_second_fill_of_the_same_order(state: State) -> None:
    maker = alice_sells(amount=600)
    process_trade(state, trade(maker, bob_buys(order_id=1), 200), NOW)
    process_trade(state, trade(maker, bob_buys(order_id=2), 400), NOW)
    assert state.get_account(AccountIndex(ALICE)).order_slot(maker.order_id) == (1, 600)
    assert balance(state, ALICE, BASE) == 400


def test_second_fill_beyond_the_remainder_is_overfilled(state: State) -> None:
    maker = alice_sells(amount=600)
    process_trade(state, trade(maker, bob_buys(order_id=1), 200), NOW)
    tx = trade(maker, bob_buys(order_id=2), 401)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderOverfilled)
    assert (error.order_id, error.remaining, error.requested) == (1, 400, 401)


def test_newer_order_takes_the_slot_and_starts_unfilled(state: State) -> None:
    process_trade(state, trade(alice_sells(order_id=1, amount=100), bob_buys(order_id=1), 100), NOW)
    newer = alice_sells(order_id=5, amount=100)  # slot 5 mod 4 = 1, like order 1
    process_trade(state, trade(newer, bob_buys(order_id=2), 100), NOW)
    assert state.get_account(AccountIndex(ALICE)).order_slot(OrderId(1)) == (5, 100)


def test_replay_of_an_old_order_id_is_refused(state: State) -> None:
    old = alice_sells(order_id=1, amount=600)
    process_trade(state, trade(old, bob_buys(order_id=1), 100), NOW)
    process_trade(state, trade(alice_sells(order_id=5), bob_buys(order_id=2), 100), NOW)
    tx = trade(old, bob_buys(order_id=3), 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderIdStale)
    assert (error.order_id, error.stored_id) == (1, 5)


def test_order_trades_at_its_expiry_second(state: State) -> None:
    process_trade(state, trade(alice_sells(expiry=NOW), bob_buys(expiry=NOW), 100), NOW)


def test_fee_equal_to_the_limit_is_allowed(state: State) -> None:
    process_trade(state, trade(alice_sells(), bob_buys(), 500, maker_fee_bps=30, taker_fee_bps=30), NOW)


def test_fees_round_down_in_the_payers_favour(state: State) -> None:
    # Alice receives 10 quote at 29 bps: 0.029, so no fee; Bob receives 5 base at 30 bps: 0.015.
    fees = process_trade(state, trade(alice_sells(), bob_buys(), 5, maker_fee_bps=29, taker_fee_bps=30), NOW)
    assert fees == (Fee(QUOTE, Amount(0)), Fee(BASE, Amount(0)))


# One test per rule, in the order DESIGN.md checks them.


@pytest.mark.parametrize(
    ("side", "name", "field", "value", "bits"),
    [
        ("maker", "account_index", "account_index", 16, 4),
        ("maker", "order_id", "order_id", 2**48, 48),
        ("taker", "base_token", "base_token", 4, 2),
        ("taker", "quote_token", "quote_token", -1, 2),
        ("maker", "side", "side", 2, 1),
        ("maker", "price", "price", 2**96, 96),
        ("taker", "amount", "amount", 2**96, 96),
        ("taker", "max_fee_bps", "max_fee_bps", 2**14, 14),
        ("maker", "expiry", "expiry", 2**64, 64),
    ],
)
def test_order_value_out_of_range(
    state: State, side: str, name: str, field: str, value: int, bits: int
) -> None:
    tx = trade(alice_sells(), bob_buys(), 100)
    signed_order = getattr(tx, side)
    # Keep the old signature: the range check comes first, and the altered
    # order could not even be hashed to sign it.
    altered = replace(signed_order, order=replace(signed_order.order, **{field: value}))
    tx = replace(tx, **{side: altered})
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), ValueOutOfRange)
    assert (error.field, error.value, error.bits) == (f"{side}.{name}", value, bits)


@pytest.mark.parametrize(
    ("field", "bits"),
    [
        ("fill_base", AMOUNT_BITS),
        ("fill_quote", AMOUNT_BITS),
        ("maker_fee_bps", TRADE_FEE_BPS_BITS),
        ("taker_fee_bps", TRADE_FEE_BPS_BITS),
    ],
)
def test_trade_value_out_of_range(state: State, field: str, bits: int) -> None:
    tx = replace(trade(alice_sells(), bob_buys(), 100), **{field: 2**bits})
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), ValueOutOfRange)
    assert (error.field, error.bits) == (field, bits)


def test_timestamp_out_of_range(state: State) -> None:
    tx = trade(alice_sells(), bob_buys(), 100)
    error = assert_rejected(
        state, lambda: process_trade(state, tx, Timestamp(2**64)), ValueOutOfRange
    )
    assert error.field == "timestamp"


def test_self_trade(state: State) -> None:
    taker = order(ALICE, 2, Side.BUY, price(3), 100)
    error = assert_rejected(
        state, lambda: process_trade(state, trade(alice_sells(), taker, 100), NOW), SelfTrade
    )
    assert error.account == ALICE


@pytest.mark.parametrize(
    ("maker_market", "taker_market"),
    [((BASE, QUOTE), (QUOTE, BASE)), ((BASE, BASE), (BASE, BASE)), ((BASE, QUOTE), (BASE, BASE))],
)
def test_market_mismatch(
    state: State, maker_market: tuple[TokenId, TokenId], taker_market: tuple[TokenId, TokenId]
) -> None:
    maker = alice_sells(base=maker_market[0], quote=maker_market[1])
    taker = bob_buys(base=taker_market[0], quote=taker_market[1])
    tx = trade(maker, taker, 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), MarketMismatch)
    assert (error.maker_base, error.maker_quote) == maker_market
    assert (error.taker_base, error.taker_quote) == taker_market


def test_sides_not_opposite(state: State) -> None:
    taker = order(BOB, 1, Side.SELL, price(1), 100)
    tx = trade(alice_sells(), taker, 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), SidesNotOpposite)
    assert error.side == Side.SELL


@pytest.mark.parametrize("missing", ["maker", "taker"])
def test_account_not_found(state: State, missing: str) -> None:
    maker = order(CAROL, 1, Side.SELL, price(2), 100) if missing == "maker" else alice_sells()
    taker = order(CAROL, 1, Side.BUY, price(3), 100) if missing == "taker" else bob_buys()
    tx = trade(maker, taker, 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), AccountNotFound)
    assert error.account == CAROL


@pytest.mark.parametrize("forged", ["maker", "taker"])
def test_invalid_signature_by_another_key(state: State, forged: str) -> None:
    tx = trade(alice_sells(), bob_buys(), 100)
    if forged == "maker":
        tx = replace(tx, maker=signed(alice_sells(), signer=BOB))
    else:
        tx = replace(tx, taker=signed(bob_buys(), signer=ALICE))
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), InvalidSignature)
    assert error.account == (ALICE if forged == "maker" else BOB)


def test_invalid_signature_of_another_order(state: State) -> None:
    tx = trade(alice_sells(), bob_buys(), 100)
    altered = replace(tx.taker, order=replace(tx.taker.order, price=price(4)))
    tx = replace(tx, taker=altered)
    assert_rejected(state, lambda: process_trade(state, tx, NOW), InvalidSignature)


@pytest.mark.parametrize("expired", ["maker", "taker"])
def test_order_expired(state: State, expired: str) -> None:
    before = Timestamp(NOW - 1)
    maker = alice_sells(expiry=before) if expired == "maker" else alice_sells()
    taker = bob_buys(expiry=before) if expired == "taker" else bob_buys()
    tx = trade(maker, taker, 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderExpired)
    assert (error.expiry, error.timestamp) == (before, NOW)


def test_invalid_fee_limit(state: State) -> None:
    tx = trade(alice_sells(), bob_buys(max_fee_bps=10001), 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), InvalidFeeLimit)
    assert error.max_fee_bps == 10001


def test_price_limit_violated_by_a_buying_taker(state: State) -> None:
    taker = order(BOB, 1, Side.BUY, Price(price(2) - PRICE_SCALE // 100), 600)
    tx = trade(alice_sells(), taker, 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), PriceLimitViolated)
    assert (error.order_id, error.limit, error.price) == (1, price(2) - PRICE_SCALE // 100, price(2))


def test_price_limit_violated_by_a_selling_taker(state: State) -> None:
    maker = order(BOB, 1, Side.BUY, price(2), 600)
    taker = order(ALICE, 1, Side.SELL, Price(price(2) + PRICE_SCALE // 100), 600)
    tx = trade(maker, taker, 100)
    assert_rejected(state, lambda: process_trade(state, tx, NOW), PriceLimitViolated)


@pytest.mark.parametrize("side", ["maker", "taker"])
def test_price_not_encodable(state: State, side: str) -> None:
    """A trade publishes the maker's price as a decimal float; every order's price must have one."""
    odd = Price(price(2) + 1)  # 2 + 10^-18: 19 significant digits
    maker = alice_sells(limit=odd) if side == "maker" else alice_sells()
    taker = bob_buys(order_id=7, limit=odd) if side == "taker" else bob_buys(order_id=7)
    tx = trade(maker, taker, 10**18)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), PriceNotEncodable)
    assert (error.order_id, error.price) == ((maker if side == "maker" else taker).order_id, odd)


def test_fill_not_encodable(state: State) -> None:
    """The fill is published as a decimal float: 2^35 + 1 base has no such form."""
    fill = 2**35 + 1
    tx = trade(alice_sells(amount=fill), bob_buys(amount=fill, limit=price(2)), fill)
    process_deposit(state, deposit(ALICE, BASE, fill))
    process_deposit(state, deposit(BOB, QUOTE, 3 * fill))
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), FillNotEncodable)
    assert error.fill_base == fill


def test_zero_fill(state: State) -> None:
    tx = trade(alice_sells(), bob_buys(), 0)
    assert_rejected(state, lambda: process_trade(state, tx, NOW), ZeroFill)


def test_inexact_fill(state: State) -> None:
    tx = trade(alice_sells(), bob_buys(), 100, fill_quote=199)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), InexactFill)
    assert (error.fill_base, error.fill_quote, error.price) == (100, 199, price(2))


def test_inexact_fill_when_the_price_has_a_remainder(state: State) -> None:
    maker = alice_sells(limit=Price(PRICE_SCALE * 5 // 4))
    tx = trade(maker, bob_buys(), 7, fill_quote=8)  # 7 * 1.25 = 8.75
    assert_rejected(state, lambda: process_trade(state, tx, NOW), InexactFill)


@pytest.mark.parametrize("kind", [OrderKind.IOC, OrderKind.FOK, OrderKind.MARKET])
def test_maker_of_a_kind_that_never_rests(state: State, kind: OrderKind) -> None:
    tx = trade(alice_sells(amount=100, kind=kind), bob_buys(), 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), MakerDoesNotRest)
    assert (error.order_id, error.kind) == (1, kind.value)


def test_post_only_taker(state: State) -> None:
    tx = trade(alice_sells(), bob_buys(kind=OrderKind.POST_ONLY), 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), PostOnlyTaker)
    assert error.order_id == 1


def test_fill_or_kill_taker_filled_partly(state: State) -> None:
    tx = trade(alice_sells(), bob_buys(amount=300, kind=OrderKind.FOK), 200)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), FillOrKillPartial)
    assert (error.amount, error.fill) == (300, 200)


@pytest.mark.parametrize("maker_kind", [OrderKind.LIMIT, OrderKind.POST_ONLY])
@pytest.mark.parametrize("taker_kind", [OrderKind.LIMIT, OrderKind.IOC, OrderKind.MARKET, OrderKind.FOK])
def test_every_kind_trades_where_it_may(state: State, maker_kind: OrderKind, taker_kind: OrderKind) -> None:
    process_trade(state, trade(alice_sells(kind=maker_kind), bob_buys(amount=300, kind=taker_kind), 300), NOW)
    assert state.get_account(AccountIndex(BOB)).order_slot(OrderId(1)) == (1, 300)


@pytest.mark.parametrize("kind", [OrderKind.IOC, OrderKind.MARKET])
def test_immediate_taker_fills_in_one_run_of_slots(state: State, kind: OrderKind) -> None:
    taker = bob_buys(amount=300, kind=kind)
    first = trade(alice_sells(order_id=1, amount=100), taker, 100)
    second = trade(alice_sells(order_id=2, amount=100), taker, 100)
    apply_batch(state, [first, second], NOW)
    assert state.get_account(AccountIndex(BOB)).order_slot(OrderId(1)) == (1, 200)


@pytest.mark.parametrize("kind", [OrderKind.IOC, OrderKind.MARKET])
def test_immediate_taker_resumed_after_another_slot(state: State, kind: OrderKind) -> None:
    taker = bob_buys(amount=300, kind=kind)
    first = trade(alice_sells(order_id=1, amount=100), taker, 100)
    other = trade(alice_sells(order_id=2, amount=100), bob_buys(order_id=2), 100)
    resumed = trade(alice_sells(order_id=3, amount=100), taker, 100)
    with pytest.raises(ImmediateOrderResumed):
        apply_batch(state, [first, other, resumed], NOW)


def test_immediate_taker_resumed_in_a_later_batch(state: State) -> None:
    taker = bob_buys(amount=300, kind=OrderKind.IOC)
    apply_batch(state, [trade(alice_sells(order_id=1, amount=100), taker, 100)], NOW)
    tx = trade(alice_sells(order_id=2, amount=100), taker, 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW, None), ImmediateOrderResumed)
    assert error.order_id == 1


def test_limit_taker_resumes_in_a_later_batch(state: State) -> None:
    taker = bob_buys(amount=300)
    apply_batch(state, [trade(alice_sells(order_id=1, amount=100), taker, 100)], NOW)
    apply_batch(state, [trade(alice_sells(order_id=2, amount=100), taker, 100)], NOW)


def test_order_kind_is_signed(state: State) -> None:
    """An order signed as a limit order does not verify as any other kind."""
    limit = signed(bob_buys())
    as_ioc = replace(limit, order=replace(limit.order, kind=OrderKind.IOC))
    tx = replace(trade(alice_sells(), bob_buys(), 100), taker=as_ioc)
    assert_rejected(state, lambda: process_trade(state, tx, NOW), InvalidSignature)


def test_order_id_stale(state: State) -> None:
    process_trade(state, trade(alice_sells(), bob_buys(order_id=6), 100), NOW)
    tx = trade(alice_sells(order_id=3), bob_buys(order_id=2), 100)  # 2 and 6 share slot 2
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderIdStale)
    assert (error.order_id, error.stored_id) == (2, 6)


@pytest.mark.parametrize("overfilled", ["maker", "taker"])
def test_order_overfilled(state: State, overfilled: str) -> None:
    maker = alice_sells(amount=99) if overfilled == "maker" else alice_sells()
    taker = bob_buys(amount=99) if overfilled == "taker" else bob_buys()
    tx = trade(maker, taker, 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderOverfilled)
    assert (error.remaining, error.requested) == (99, 100)


@pytest.mark.parametrize(
    ("maker_fee_bps", "taker_fee_bps", "order_id", "fee_bps"),
    [(31, 0, 11, 31), (0, 31, 12, 31), (30, 255, 12, 255)],
)
def test_fee_above_limit(state: State, maker_fee_bps: int, taker_fee_bps: int, order_id: int, fee_bps: int) -> None:
    tx = trade(
        alice_sells(order_id=11),
        bob_buys(order_id=12),
        500,
        maker_fee_bps=maker_fee_bps,
        taker_fee_bps=taker_fee_bps,
    )
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), FeeAboveLimit)
    assert (error.order_id, error.fee_bps, error.max_fee_bps) == (order_id, fee_bps, 30)


def test_insufficient_balance_of_the_buyer(state: State) -> None:
    process_deposit(state, deposit(CAROL, QUOTE, 199))
    taker = order(CAROL, 1, Side.BUY, price(2), 100)
    tx = trade(alice_sells(), taker, 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), InsufficientBalance)
    assert (error.account, error.token, error.balance, error.required) == (CAROL, QUOTE, 199, 200)


def test_insufficient_balance_of_the_seller(state: State) -> None:
    tx = trade(alice_sells(amount=2000), bob_buys(amount=2000), 1001)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), InsufficientBalance)
    assert (error.account, error.token, error.balance, error.required) == (ALICE, BASE, 1000, 1001)


def test_balance_overflow(state: State) -> None:
    process_deposit(state, deposit(BOB, BASE, 2**AMOUNT_BITS - 1 - 1000 - 99))
    tx = trade(alice_sells(), bob_buys(), 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), BalanceOverflow)
    assert (error.account, error.token, error.amount) == (BOB, BASE, 100)


def test_balance_reaches_the_largest_value(state: State) -> None:
    process_deposit(state, deposit(BOB, BASE, 2**AMOUNT_BITS - 1 - 1000 - 100))
    process_trade(state, trade(alice_sells(), bob_buys(), 100), NOW)
    assert balance(state, BOB, BASE) == 2**AMOUNT_BITS - 1


# When several rules fail, the first in DESIGN.md's order is the one reported.


def test_self_trade_is_reported_before_expiry(state: State) -> None:
    taker = order(ALICE, 2, Side.BUY, price(3), 100, expiry=Timestamp(NOW - 1))
    tx = trade(alice_sells(), taker, 100)
    assert_rejected(state, lambda: process_trade(state, tx, NOW), SelfTrade)


def test_signature_is_checked_before_the_price(state: State) -> None:
    taker = order(BOB, 1, Side.BUY, price(1), 100)
    tx = replace(trade(alice_sells(), taker, 100), taker=signed(taker, signer=ALICE))
    assert_rejected(state, lambda: process_trade(state, tx, NOW), InvalidSignature)


def test_overfill_is_reported_before_the_balance(state: State) -> None:
    tx = trade(alice_sells(amount=5000), bob_buys(amount=1000), 2000)
    assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderOverfilled)


