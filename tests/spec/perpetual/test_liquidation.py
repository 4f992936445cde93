"""
Liquidation: only below maintenance margin, never flipping, never worse
than the bankruptcy price, with a capped penalty to the insurance fund.

Alice holds a long of 100 with collateral -9,500 (``opened``): at price P
her value is ``100 P - 9,500`` and her maintenance requirement ``5 P``, so
she is at the boundary at exactly P = 100.
"""

import pytest

from sequencer.spec.errors import PriceLimitViolated, SelfTrade, ZeroFill
from sequencer.spec.perpetual.errors import (
    LiquidationOversized,
    MarginInsufficient,
    NotLiquidatable,
    PenaltyAboveCap,
    WorseThanBankruptcy,
)
from sequencer.spec.perpetual.margin import health, settled
from sequencer.spec.perpetual.transactions import Liquidation
from sequencer.spec.perpetual.transition import bankruptcy_quote, process_collateral_transfer, process_liquidation
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, NOW
from tests.spec.perpetual.builders import BUY, FUND, MARKET, SELL, perp_order, transfer, ticks
from tests.spec.perpetual.conftest import Exchange, at_price, opened

LATER = NOW + 10


def liquidatable(price: int = ticks(99), alice_collateral: int = 500) -> Exchange:
    """
    Alice's long (opened with ``alice_collateral``) at ``price``; Carol has
    5,000 collateral to liquidate with, the fund 10,000.
    """
    ex = opened(alice_collateral)
    at_price(ex, price, LATER)
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 5_000, 0))
    ex.state.set_balance(AccountIndex(FUND), ex.ledger.config.collateral_token, Amount(10_000))
    process_collateral_transfer(ex.state, ex.ledger, transfer(FUND, 10_000, 0))
    return ex


def by_carol(size: int, quote: int, penalty: int = 0, limit: int = ticks(100), order_id: int = 1) -> Liquidation:
    """Carol's signed buy of ``size`` at up to ``limit`` closes Alice's long for ``quote``."""
    order = perp_order(CAROL, order_id, BUY, limit, size)
    return Liquidation(AccountIndex(ALICE), MARKET, Amount(size), Amount(quote), Amount(penalty), order)


def apply(ex: Exchange, liquidation: Liquidation) -> None:
    process_liquidation(ex.state, ex.ledger, liquidation, Timestamp(LATER))


def refused(ex: Exchange, liquidation: Liquidation, error: type[Exception]) -> None:
    accounts, markets, root = ex.ledger.accounts(), ex.ledger.markets(), ex.state.root
    with pytest.raises(error):
        apply(ex, liquidation)
    assert (ex.ledger.accounts(), ex.ledger.markets(), ex.state.root) == (accounts, markets, root)


@pytest.mark.parametrize("collateral, allowed", [(499, True), (500, False), (501, False)])
def test_maintenance_boundary(collateral: int, allowed: bool) -> None:
    """At price 100 the requirement is 500: liquidatable with a value of 499, not at 500 nor 501."""
    ex = liquidatable(ticks(100), alice_collateral=collateral)
    liquidation = by_carol(100, 9_600)
    if allowed:
        apply(ex, liquidation)
        assert ex.ledger.account(AccountIndex(ALICE)).position(MARKET).size == 0
    else:
        refused(ex, liquidation, NotLiquidatable)


@pytest.mark.parametrize("quote, allowed", [(9_499 + 95, False), (9_500 + 95, True), (9_501 + 95, True)])
def test_full_close_at_the_bankruptcy_price(quote: int, allowed: bool) -> None:
    """
    Closing the whole long leaves no requirement, so Alice's value after
    must be at least zero: ``quote - 9,500 - penalty >= 0``.
    """
    ex = liquidatable()
    liquidation = by_carol(100, quote, penalty=95)
    if allowed:
        apply(ex, liquidation)
        alice = ex.ledger.account(AccountIndex(ALICE))
        assert alice.collateral == quote - 9_500 - 95
        assert ex.ledger.account(AccountIndex(FUND)).collateral == 10_000 + 95
        assert ex.ledger.account(AccountIndex(CAROL)).position(MARKET).size == 100
        assert ex.ledger.account(AccountIndex(CAROL)).collateral == 5_000 - quote
        assert ex.state.get_account(AccountIndex(CAROL)).order_slot(1) == (1, 100)
    else:
        refused(ex, liquidation, WorseThanBankruptcy)


@pytest.mark.parametrize("quote, allowed", [(4_749, False), (4_750, True)])
def test_partial_close_keeps_the_ratio(quote: int, allowed: bool) -> None:
    """
    At 99, Alice's value is 400 against a requirement of 495. Closing 50
    halves the requirement, so her value after must be at least 200:
    ``quote - 9,500 + 50 * 99 >= 200``, ``quote >= 4,750``.
    """
    ex = liquidatable()
    ledger = ex.ledger
    before = health(ledger, settled(ledger, ledger.account(AccountIndex(ALICE))))
    assert (before.value, before.maintenance) == (400, 495 * 10**6)
    liquidation = by_carol(50, quote)
    if allowed:
        apply(ex, liquidation)
        after = health(ledger, settled(ledger, ledger.account(AccountIndex(ALICE))))
        assert (after.value, after.maintenance) == (200, 2475 * 10**5)
    else:
        refused(ex, liquidation, WorseThanBankruptcy)


@pytest.mark.parametrize("penalty, allowed", [(98, True), (99, False)])
def test_penalty_cap(penalty: int, allowed: bool) -> None:
    """The penalty is at most 1 % of the quote amount: 98 of 9,800."""
    ex = liquidatable()
    liquidation = by_carol(100, 9_800, penalty=penalty)
    if allowed:
        apply(ex, liquidation)
    else:
        refused(ex, liquidation, PenaltyAboveCap)


def test_never_flips_nor_closes_nothing() -> None:
    ex = liquidatable()
    refused(ex, by_carol(101, 9_999), LiquidationOversized)
    refused(ex, by_carol(0, 0), ZeroFill)


def test_the_liquidators_order_binds() -> None:
    """Carol's limit of 97 per unit: 9,800 for 100 is above it; her own margin counts too."""
    ex = liquidatable()
    refused(ex, by_carol(100, 9_800, limit=ticks(97)), PriceLimitViolated)
    refused(ex, Liquidation(AccountIndex(ALICE), MARKET, Amount(100), Amount(9_800), Amount(0), perp_order(ALICE, 9, BUY, ticks(100), 100)), SelfTrade)


def test_liquidator_margin() -> None:
    """A liquidator without collateral cannot take the position on."""
    ex = liquidatable()
    order = perp_order(BOB, 5, BUY, ticks(100), 100)  # Bob is short 100: buying closes his own short, allowed
    apply(ex, Liquidation(AccountIndex(ALICE), MARKET, Amount(100), Amount(9_600), Amount(0), order))
    assert ex.ledger.account(AccountIndex(BOB)).position(MARKET).size == 0
    ex = liquidatable()
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 5_000, 1, to_collateral=False))
    refused(ex, by_carol(100, 9_600), MarginInsufficient)


def test_against_the_insurance_fund() -> None:
    """With no order, the fund takes the position and the penalty."""
    ex = liquidatable()
    apply(ex, Liquidation(AccountIndex(ALICE), MARKET, Amount(100), Amount(9_700), Amount(97), None))
    fund = ex.ledger.account(AccountIndex(FUND))
    assert fund.position(MARKET).size == 100
    assert fund.collateral == 10_000 - 9_700 + 97


def test_open_interest_follows() -> None:
    ex = liquidatable()
    apply(ex, by_carol(100, 9_600))
    assert ex.ledger.market(MARKET).open_interest == 100  # Carol's long replaced Alice's


def test_a_sell_side_liquidation() -> None:
    """Bob's short of 100 (collateral 15,000) at price 143: value 700 < 715; Carol sells to close it."""
    ex = opened()
    at_price(ex, ticks(143), LATER)
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 50_000, 0))
    order = perp_order(CAROL, 1, SELL, ticks(140), 100)
    assert bankruptcy_quote(ex.ledger, AccountIndex(BOB), MARKET, 100) == 15_000
    refused(ex, Liquidation(AccountIndex(BOB), MARKET, Amount(100), Amount(15_001), Amount(0), order), WorseThanBankruptcy)
    apply(ex, Liquidation(AccountIndex(BOB), MARKET, Amount(100), Amount(15_000), Amount(0), order))
    assert ex.ledger.account(AccountIndex(BOB)).collateral == 0
