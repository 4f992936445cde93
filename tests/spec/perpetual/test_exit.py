"""
Exits after a freeze: each account's claim at the last prices, and the
pool shared so that the insurance fund covers deficits before traders do.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.spec.perpetual.constants import MARGIN_SCALE
from sequencer.spec.perpetual.errors import MarginInsufficient, NotLiquidatable
from sequencer.spec.perpetual.exit import exit_claim, exit_payouts
from sequencer.spec.perpetual.margin import health, settled
from sequencer.spec.perpetual.rules import (
    bankruptcy_quote,
    process_collateral_transfer,
    process_funding_tick,
    process_liquidation,
    process_perp_trade,
)
from sequencer.spec.perpetual.transactions import FundingTick, Liquidation
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, FEE, NOW
from tests.spec.perpetual.builders import BUY, FUND, MARKET, MAX_PENALTY, SELL, perp_order, perp_trade, ticks, transfer
from tests.spec.perpetual.conftest import at_price, opened

FUND_INDEX = AccountIndex(FUND)


def test_claims_are_values_at_the_last_price() -> None:
    """At 110: Alice 500 - 10,000 + 11,000 = 1,500; Bob 15,000 - 11,000 = 4,000; together the pool less nothing."""
    ex = opened()
    assert exit_claim(ex.ledger, AccountIndex(ALICE)) == 1_500
    assert exit_claim(ex.ledger, AccountIndex(BOB)) == 4_000
    assert ex.ledger.collateral_pool == 5_500


def test_negative_value_claims_nothing() -> None:
    ex = opened()
    at_price(ex, ticks(90), NOW + 1)
    assert exit_claim(ex.ledger, AccountIndex(ALICE)) == 0
    assert exit_claim(ex.ledger, AccountIndex(BOB)) == 6_000


def test_payouts_in_full_when_the_pool_covers() -> None:
    assert exit_payouts(100, {AccountIndex(1): 60, AccountIndex(2): 30, FUND_INDEX: 20}, FUND_INDEX) == {
        AccountIndex(1): 60,
        AccountIndex(2): 30,
        FUND_INDEX: 10,
    }


def test_the_fund_covers_first_then_traders_share() -> None:
    assert exit_payouts(80, {AccountIndex(1): 60, AccountIndex(2): 30, FUND_INDEX: 20}, FUND_INDEX) == {
        AccountIndex(1): 53,
        AccountIndex(2): 26,
        FUND_INDEX: 0,
    }


@given(
    pool=st.integers(0, 10**6),
    claims=st.dictionaries(st.integers(0, 15).map(AccountIndex), st.integers(0, 10**6), max_size=8),
)
def test_payouts_never_exceed_the_pool_nor_a_claim(pool: int, claims: dict[AccountIndex, int]) -> None:
    payouts = exit_payouts(pool, claims, FUND_INDEX)
    assert sum(payouts.values()) <= pool
    assert all(0 <= payouts[index] <= claims[index] for index in claims)
    traders = {index: claim for index, claim in claims.items() if index != FUND_INDEX}
    if sum(traders.values()) <= pool:
        assert all(payouts[index] == claim for index, claim in traders.items())


@settings(max_examples=25, deadline=None)
@given(
    prices=st.lists(st.integers(90, 130), min_size=1, max_size=5),
    rates=st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=5),
    fill=st.integers(1, 60),
    fee=st.integers(0, 100),
)
def test_claims_together_never_exceed_the_pool(prices: list[int], rates: list[int], fill: int, fee: int) -> None:
    """
    However Carol and Bob trade (with fees to the fee account), the price
    moves and funding ticks, and whether or not Alice is
    liquidated on the way, the accounts' claims less the deficits never sum
    above the collateral pool: no rounding creates collateral. (Liquidation
    and trades move collateral between accounts; only transfers change the
    pool.) Alice is liquidated against the fund exactly when she is below
    maintenance, never while she meets it.
    """
    ex = opened()
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 20_000, 0), NOW)
    ex.state.set_balance(FUND_INDEX, ex.ledger.config.collateral_token, Amount(20_000))
    process_collateral_transfer(ex.state, ex.ledger, transfer(FUND, 20_000, 0), NOW)
    trade = perp_trade(perp_order(BOB, 7, SELL, ticks(105), fill), perp_order(CAROL, 1, BUY, ticks(105), fill), fill, fee, fee)
    try:
        process_perp_trade(ex.state, ex.ledger, trade, NOW)
    except MarginInsufficient:
        pass  # Bob's margin does not allow every fill: the claims below hold either way
    time = NOW
    for price, rate in zip(prices, rates):
        time += 50
        at_price(ex, ticks(price) + 7, time)
        process_funding_tick(ex.ledger, FundingTick((rate,)), Timestamp(time))
    accounts = [AccountIndex(index) for index in (FEE, ALICE, BOB, CAROL, FUND)]
    values = [health(ex.ledger, settled(ex.ledger, ex.ledger.account(index))).value for index in accounts]
    assert sum(values) <= ex.ledger.collateral_pool
    deficits = sum(-value for value in values if value < 0)
    assert sum(exit_claim(ex.ledger, index) for index in accounts) <= ex.ledger.collateral_pool + deficits
    notional = 50 * ex.ledger.market(MARKET).oracle_price
    cap = notional * MAX_PENALTY // MARGIN_SCALE
    quote = max(bankruptcy_quote(ex.ledger, AccountIndex(ALICE), MARKET, 50), notional - cap)
    liquidation = Liquidation(AccountIndex(ALICE), MARKET, Amount(50), Amount(quote), Amount(0), None)
    if health(ex.ledger, settled(ex.ledger, ex.ledger.account(AccountIndex(ALICE)))).below_maintenance:
        process_liquidation(ex.state, ex.ledger, liquidation, Timestamp(time))
        values = [health(ex.ledger, settled(ex.ledger, ex.ledger.account(index))).value for index in accounts]
        assert sum(values) <= ex.ledger.collateral_pool
    else:
        with pytest.raises(NotLiquidatable):
            process_liquidation(ex.state, ex.ledger, liquidation, Timestamp(time))
