"""
A second market with quantum 7 and uneven margin fractions, beside the
first: what quantum-1 tests cannot tell apart (a quantum left out or
counted twice, a requirement rounded the wrong way, one market's position
valued at another's price).

Market 1: quantum 7 (a lot is worth 7 collateral units per tick), initial
margin 12.3457 %, maintenance 6.1729 %.
"""

from dataclasses import replace

import pytest

from sequencer.spec.constants import FEE_ACCOUNT, OrderKind
from sequencer.spec.errors import ImmediateOrderResumed, PriceLimitViolated, ValueOutOfRange
from sequencer.spec.perpetual.errors import (
    CollateralOutOfRange,
    MarginInsufficient,
    OraclePriceTooOld,
    PositionOutOfRange,
)
from sequencer.spec.perpetual.margin import health, settled
from sequencer.spec.perpetual.rules import (
    process_collateral_transfer,
    process_funding_tick,
    process_liquidation,
    process_oracle_update,
    process_perp_trade,
    withdrawable_collateral,
)
from sequencer.spec.perpetual.state import PerpMarketParams
from sequencer.spec.perpetual.transactions import FundingTick, Liquidation
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, NOW
from tests.spec.perpetual.builders import BUY, MAX_PRICE_AGE, SELL, config, perp_order, perp_trade, price_update, ticks, transfer
from tests.spec.perpetual.conftest import Exchange, funded

SECOND = 1
SECOND_MARKET = PerpMarketParams(
    quantum=7, initial_margin=123_457, maintenance_margin=61_729, max_funding_rate=10**6, open_interest_cap=10**9
)


def two_markets(alice: int = 10_000, bob: int = 10_000, carol: int = 10_000) -> Exchange:
    """Both markets priced at NOW (100 and 30 ticks); Alice, Bob and Carol moved collateral in."""
    ex = funded(replace(config(), markets=(config().markets[0], SECOND_MARKET)))
    process_oracle_update(ex.ledger, price_update(ticks(100)), NOW)
    process_oracle_update(ex.ledger, price_update(ticks(30), market=SECOND), NOW)
    for account, amount in ((ALICE, alice), (BOB, bob), (CAROL, carol)):
        process_collateral_transfer(ex.state, ex.ledger, transfer(account, amount, 0), NOW)
    return ex


def value(ex: Exchange, account: int) -> int:
    return health(ex.ledger, settled(ex.ledger, ex.ledger.account(AccountIndex(account)))).value


def test_notional_fees_and_value_count_the_quantum() -> None:
    """10 lots at 30 ticks, quantum 7: 2,100 collateral changes hands; 25 bps of it is 5 (5.25 rounded down)."""
    ex = two_markets()
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(30), 10, market=SECOND), perp_order(ALICE, 1, BUY, ticks(30), 10, market=SECOND), 10, taker_fee_bps=25)
    process_perp_trade(ex.state, ex.ledger, trade, NOW)
    alice = ex.ledger.account(AccountIndex(ALICE))
    assert (alice.collateral, alice.position(SECOND).size, alice.position(0).size) == (10_000 - 2_100 - 5, 10, 0)
    assert ex.ledger.account(AccountIndex(FEE_ACCOUNT)).collateral == 5
    assert value(ex, ALICE) == 10_000 - 5
    assert value(ex, BOB) == 10_000


def test_the_requirement_rounds_up_when_withdrawing() -> None:
    """
    Alice's long of 100 lots at 30 ticks (21,000 collateral of notional)
    needs 21,000 * 12.3457 % = 2,592.597: 2,593 must stay.
    """
    ex = two_markets(alice=20_000, bob=30_000)
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(30), 100, market=SECOND), perp_order(ALICE, 1, BUY, ticks(30), 100, market=SECOND), 100)
    process_perp_trade(ex.state, ex.ledger, trade, NOW)
    assert health(ex.ledger, ex.ledger.account(AccountIndex(ALICE))).initial == 21_000 * 123_457
    assert withdrawable_collateral(ex.ledger, AccountIndex(ALICE)) == 20_000 - 2_593
    with pytest.raises(MarginInsufficient):
        process_collateral_transfer(ex.state, ex.ledger, transfer(ALICE, 20_000 - 2_592, 1, to_collateral=False), NOW)
    process_collateral_transfer(ex.state, ex.ledger, transfer(ALICE, 20_000 - 2_593, 1, to_collateral=False), NOW)


def test_funding_counts_the_quantum() -> None:
    """A rate of 1e-6 per second at 30 ticks for 100 s is 0.003 ticks a lot: 7 * 10 * 0.003 = 0.21 for Alice's 10."""
    ex = two_markets()
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(30), 10, market=SECOND), perp_order(ALICE, 1, BUY, ticks(30), 10, market=SECOND), 10)
    process_perp_trade(ex.state, ex.ledger, trade, NOW)
    process_funding_tick(ex.ledger, FundingTick((0, 10**6)), Timestamp(NOW + 100))
    assert settled(ex.ledger, ex.ledger.account(AccountIndex(ALICE))).collateral == 10_000 - 2_100 - 1
    assert settled(ex.ledger, ex.ledger.account(AccountIndex(BOB))).collateral == 10_000 + 2_100 + 0


def test_a_loss_in_one_market_counts_against_a_fill_in_the_other() -> None:
    """Alice's long in market 0 loses at 90: her value (and so what she may open in market 1) falls with it."""
    ex = two_markets(alice=1_500)
    process_perp_trade(
        ex.state, ex.ledger, perp_trade(perp_order(BOB, 1, SELL, ticks(100), 100), perp_order(ALICE, 1, BUY, ticks(100), 100), 100), NOW
    )
    process_oracle_update(ex.ledger, price_update(ticks(94), NOW + 1), Timestamp(NOW + 1))
    assert value(ex, ALICE) == 1_500 - 600
    # 900 of value against 940 of initial requirement in market 0: no room for any long in market 1.
    grow = perp_trade(perp_order(CAROL, 1, SELL, ticks(30), 1, market=SECOND), perp_order(ALICE, 2, BUY, ticks(30), 1, market=SECOND), 1)
    with pytest.raises(MarginInsufficient):
        process_perp_trade(ex.state, ex.ledger, grow, Timestamp(NOW + 1))


def test_the_liquidators_limit_counts_the_quantum() -> None:
    """Carol's buy limit of 30 ticks on 10 lots of market 1 is 2,100 collateral; 2,101 is beyond it."""
    ex = two_markets(alice=300)
    process_perp_trade(
        ex.state,
        ex.ledger,
        perp_trade(perp_order(BOB, 1, SELL, ticks(30), 10, market=SECOND), perp_order(ALICE, 1, BUY, ticks(30), 10, market=SECOND), 10),
        NOW,
    )
    process_oracle_update(ex.ledger, price_update(ticks(26), NOW + 1, market=SECOND), Timestamp(NOW + 1))
    order = perp_order(CAROL, 1, BUY, ticks(30), 10, market=SECOND)
    with pytest.raises(PriceLimitViolated):
        process_liquidation(ex.state, ex.ledger, Liquidation(AccountIndex(ALICE), SECOND, Amount(10), Amount(2_101), Amount(0), order), Timestamp(NOW + 1))


def test_an_immediate_taker_fills_in_one_run() -> None:
    ex = two_markets()
    taker = perp_order(ALICE, 1, BUY, ticks(100), 10, kind=OrderKind.IOC)
    first = perp_trade(perp_order(BOB, 1, SELL, ticks(100), 5), taker, 5)
    process_perp_trade(ex.state, ex.ledger, first, NOW)
    second = perp_trade(perp_order(CAROL, 1, SELL, ticks(100), 5), taker, 5)
    with pytest.raises(ImmediateOrderResumed):
        process_perp_trade(ex.state, ex.ledger, second, NOW)
    process_perp_trade(ex.state, ex.ledger, second, NOW, previous=first)


def test_every_markets_price_must_be_fresh() -> None:
    """Market 1's price ages even when the trade is in market 0: Alice's value reads it."""
    ex = two_markets()
    later = NOW + MAX_PRICE_AGE + 1
    process_oracle_update(ex.ledger, price_update(ticks(100), later), Timestamp(later))
    trade = perp_trade(perp_order(BOB, 1, SELL, ticks(100), 1), perp_order(ALICE, 1, BUY, ticks(100), 1), 1)
    with pytest.raises(OraclePriceTooOld):
        process_perp_trade(ex.state, ex.ledger, trade, Timestamp(later))
    process_oracle_update(ex.ledger, price_update(ticks(30), later, market=SECOND), Timestamp(later))
    process_perp_trade(ex.state, ex.ledger, trade, Timestamp(later))


def test_values_out_of_range_are_refused() -> None:
    ex = two_markets()
    alice = ex.ledger.account(AccountIndex(ALICE))
    ex.ledger.set_account(AccountIndex(ALICE), replace(alice, collateral=2**96 - 1))
    with pytest.raises(CollateralOutOfRange):
        process_collateral_transfer(ex.state, ex.ledger, transfer(ALICE, 1, 1), NOW)
    bob = ex.ledger.account(AccountIndex(BOB))
    ex.ledger.set_account(AccountIndex(BOB), replace(bob.with_position(0, replace(bob.position(0), size=-(2**40) + 1)), collateral=2**95))
    sell_one_more = perp_trade(perp_order(CAROL, 1, BUY, ticks(1), 1), perp_order(BOB, 2, SELL, ticks(1), 1), 1)
    with pytest.raises(PositionOutOfRange):
        process_perp_trade(ex.state, ex.ledger, sell_one_more, NOW)
    ex.ledger.set_market(0, replace(ex.ledger.market(0), funding_index=2**128 - 1))
    with pytest.raises(ValueOutOfRange):
        process_funding_tick(ex.ledger, FundingTick((1, 0)), Timestamp(NOW + 1))
