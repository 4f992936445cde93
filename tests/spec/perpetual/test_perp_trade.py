"""Perpetual trades: positions, collateral, fees, reduce-only, open interest, and the initial margin boundary."""

from dataclasses import replace

import pytest

from sequencer.spec.constants import FEE_ACCOUNT, OrderKind
from sequencer.spec.errors import OrderExpired, OrderOverfilled, PostOnlyTaker, SelfTrade
from sequencer.spec.perpetual.errors import (
    MarginInsufficient,
    NoOraclePrice,
    OpenInterestCapExceeded,
    PerpMarketMismatch,
    ReduceOnlyIncrease,
    UnknownPerpMarket,
)
from sequencer.spec.perpetual.rules import process_collateral_transfer, process_oracle_update, process_perp_trade
from sequencer.spec.perpetual.transactions import PerpTrade
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, LATER, NOW
from tests.spec.perpetual.builders import (
    BUY,
    MARKET,
    OPEN_INTEREST_CAP,
    SELL,
    config,
    perp_order,
    perp_trade,
    price_update,
    transfer,
    ticks,
)
from tests.spec.perpetual.conftest import Exchange, funded, opened, priced


def apply(ex: Exchange, trade: PerpTrade, timestamp: int = NOW) -> None:
    process_perp_trade(ex.state, ex.ledger, trade, Timestamp(timestamp))


def refused(ex: Exchange, trade: PerpTrade, error: type[Exception], timestamp: int = NOW) -> None:
    """The trade raises ``error`` and changes neither the ledger nor the state."""
    accounts, markets, root = ex.ledger.accounts(), ex.ledger.markets(), ex.state.root
    with pytest.raises(error):
        apply(ex, trade, timestamp)
    assert (ex.ledger.accounts(), ex.ledger.markets(), ex.state.root) == (accounts, markets, root)


def test_a_fill_moves_positions_collateral_fees_and_open_interest() -> None:
    ex = priced()
    maker = perp_order(BOB, 1, SELL, ticks(100), 100)
    taker = perp_order(ALICE, 1, BUY, ticks(101), 100)
    apply(ex, perp_trade(maker, taker, 40, maker_fee_bps=10, taker_fee_bps=25))
    alice, bob = ex.ledger.account(AccountIndex(ALICE)), ex.ledger.account(AccountIndex(BOB))
    assert alice.position(MARKET).size == 40 and bob.position(MARKET).size == -40
    assert alice.collateral == 500 - 4_000 - 10  # 25 bps of 4,000
    assert bob.collateral == 5_000 + 4_000 - 4  # 10 bps of 4,000
    assert ex.ledger.account(AccountIndex(FEE_ACCOUNT)).collateral == 14
    assert ex.ledger.market(MARKET).open_interest == 40
    assert ex.state.get_account(AccountIndex(ALICE)).order_slot(1) == (1, 40)
    assert ex.state.get_account(AccountIndex(BOB)).order_slot(1) == (1, 40)


@pytest.mark.parametrize("collateral, accepted", [(99, False), (100, True), (101, True)])
def test_initial_margin_boundary(collateral: int, accepted: bool) -> None:
    """Buying 100 at 100 with the price at 110: value ``collateral + 1,000`` against 1,100 (10 % of 11,000)."""
    ex = priced(alice=collateral)
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(100), 100), perp_order(ALICE, 1, BUY, ticks(100), 100), 100)
    if accepted:
        apply(ex, trade)
        assert ex.ledger.account(AccountIndex(ALICE)).collateral == collateral - 10_000
    else:
        refused(ex, trade, MarginInsufficient)


def test_reducing_below_initial_margin_is_allowed_without_lowering_the_ratio() -> None:
    """
    Alice's long of 100 (collateral -9,500) is below initial margin at 100
    (value 500, requirement 1,000). She may sell 50 at 100 (her ratio rises)
    but not at 90 (it falls), and never buy more.
    """
    ex = opened()
    process_oracle_update(ex.ledger, price_update(ticks(100), NOW + 1), Timestamp(NOW + 1))
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 10_000, 0), NOW)
    more = perp_trade(perp_order(CAROL, 1, SELL, ticks(100), 1), perp_order(ALICE, 2, BUY, ticks(100), 1), 1)
    refused(ex, more, MarginInsufficient, NOW + 1)
    worse = perp_trade(perp_order(CAROL, 2, BUY, ticks(90), 50), perp_order(ALICE, 3, SELL, ticks(90), 50), 50)
    refused(ex, worse, MarginInsufficient, NOW + 1)
    better = perp_trade(perp_order(CAROL, 3, BUY, ticks(100), 50), perp_order(ALICE, 4, SELL, ticks(100), 50), 50)
    apply(ex, better, NOW + 1)
    assert ex.ledger.account(AccountIndex(ALICE)).position(MARKET).size == 50


def test_reducing_may_not_flip() -> None:
    """
    Selling 200 of a long of 100 below initial margin opens a short of 100:
    it must meet initial margin (value 500, requirement 1,000), and cannot.
    """
    ex = opened()
    process_oracle_update(ex.ledger, price_update(ticks(100), NOW + 1), Timestamp(NOW + 1))
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 10_000, 0), NOW)
    flip = perp_trade(perp_order(CAROL, 1, BUY, ticks(100), 200), perp_order(ALICE, 2, SELL, ticks(100), 200), 200)
    refused(ex, flip, MarginInsufficient, NOW + 1)


def test_reduce_only() -> None:
    ex = opened()
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 10_000, 0), NOW)
    grow = perp_trade(perp_order(CAROL, 1, SELL, ticks(100), 5), perp_order(ALICE, 2, BUY, ticks(100), 5, reduce_only=True), 5)
    refused(ex, grow, ReduceOnlyIncrease)
    flip = perp_trade(perp_order(CAROL, 2, BUY, ticks(100), 101), perp_order(ALICE, 3, SELL, ticks(100), 101, reduce_only=True), 101)
    refused(ex, flip, ReduceOnlyIncrease)
    close = perp_trade(perp_order(CAROL, 3, BUY, ticks(100), 100), perp_order(ALICE, 4, SELL, ticks(100), 100, reduce_only=True), 100)
    apply(ex, close)
    assert ex.ledger.account(AccountIndex(ALICE)).position(MARKET).size == 0
    assert ex.ledger.market(MARKET).open_interest == 100  # Carol's long replaced Alice's


@pytest.mark.parametrize("extra, accepted", [(0, True), (1, False)])
def test_open_interest_cap(extra: int, accepted: bool) -> None:
    ex = priced(alice=100_000, bob=100_000)
    size = OPEN_INTEREST_CAP + extra
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(110), size), perp_order(ALICE, 1, BUY, ticks(110), size), size)
    if accepted:
        apply(ex, trade)
        assert ex.ledger.market(MARKET).open_interest == OPEN_INTEREST_CAP
    else:
        refused(ex, trade, OpenInterestCapExceeded)


def test_no_trade_before_a_price(exchange: Exchange) -> None:
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(100), 1), perp_order(ALICE, 1, BUY, ticks(100), 1), 1)
    refused(exchange, trade, NoOraclePrice)


def test_refusals_of_the_order_rules() -> None:
    ex = priced()
    sell = perp_order(BOB, 1, SELL, ticks(100), 10)
    cases: list[tuple[PerpTrade, type[Exception]]] = [
        (perp_trade(sell, perp_order(BOB, 2, BUY, ticks(100), 10), 1), SelfTrade),
        (perp_trade(sell, perp_order(ALICE, 1, BUY, ticks(100), 10, market=1), 1), UnknownPerpMarket),
        (perp_trade(sell, perp_order(ALICE, 1, BUY, ticks(100), 10, expiry=NOW - 1), 1), OrderExpired),
        (perp_trade(sell, perp_order(ALICE, 1, BUY, ticks(100), 10, kind=OrderKind.POST_ONLY), 1), PostOnlyTaker),
        (perp_trade(sell, perp_order(ALICE, 1, BUY, ticks(100), 10), 11), OrderOverfilled),
    ]
    for trade, error in cases:
        refused(ex, trade, error)


def test_market_mismatch() -> None:
    """An order for another configured market cannot fill in this one."""
    two = replace(config(), markets=config().markets * 2)
    ex = funded(two)
    process_oracle_update(ex.ledger, price_update(ticks(110)), NOW)
    for account in (ALICE, BOB):
        process_collateral_transfer(ex.state, ex.ledger, transfer(account, 5_000, 0), NOW)
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(100), 1), perp_order(ALICE, 1, BUY, ticks(100), 1, market=1), 1)
    refused(ex, trade, PerpMarketMismatch)


def test_later_fill_continues_the_slot() -> None:
    ex = priced(alice=10_000)
    maker = perp_order(BOB, 1, SELL, ticks(100), 10, expiry=LATER)
    apply(ex, perp_trade(maker, perp_order(ALICE, 1, BUY, ticks(100), 4), 4))
    apply(ex, perp_trade(maker, perp_order(ALICE, 2, BUY, ticks(100), 6), 6))
    refused(ex, perp_trade(maker, perp_order(ALICE, 3, BUY, ticks(100), 1), 1), OrderOverfilled)


def test_the_fee_account_may_trade_and_keeps_its_fees() -> None:
    """The fee account buys from Bob: its own fee and Bob's land on top of its fill."""
    ex = priced()
    ex.state.set_balance(AccountIndex(FEE_ACCOUNT), ex.ledger.config.collateral_token, Amount(5_000))
    process_collateral_transfer(ex.state, ex.ledger, transfer(FEE_ACCOUNT, 5_000, 0), NOW)
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(100), 10), perp_order(FEE_ACCOUNT, 1, BUY, ticks(100), 10), 10, 50, 30)
    apply(ex, trade)
    fee_account = ex.ledger.account(AccountIndex(FEE_ACCOUNT))
    assert fee_account.position(MARKET).size == 10
    assert fee_account.collateral == 5_000 - 1_000 - 3 + 3 + 5
