"""
Liquidation: only below maintenance margin, never flipping, never worse
than the bankruptcy price, costing the account at most the cap (1 % of the
oracle notional closed, penalty included), the insurance fund paying no
more than it must.

Alice holds a long of 100 with collateral -9,500 (``opened``): at price P
her value is ``100 P - 9,500`` and her maintenance requirement ``5 P``, so
she is at the boundary at exactly P = 100, worth nothing at 95, and
bankrupt below.
"""

import pytest

from sequencer.spec.constants import OrderKind
from sequencer.spec.errors import ImmediateOrderResumed, PriceLimitViolated, SelfTrade, ZeroFill
from sequencer.spec.perpetual.errors import (
    InsuranceFundExhausted,
    InsuranceFundOverpays,
    LiquidationOversized,
    LiquidationTooCostly,
    MarginInsufficient,
    NotLiquidatable,
    OraclePriceTooOld,
    WorseThanBankruptcy,
)
from sequencer.spec.perpetual.margin import health, settled
from sequencer.spec.perpetual.rules import bankruptcy_quote, process_collateral_transfer, process_liquidation
from sequencer.spec.perpetual.transactions import Liquidation
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, NOW
from tests.spec.perpetual.builders import BUY, FUND, MARKET, MAX_PRICE_AGE, SELL, perp_order, ticks, transfer
from tests.spec.perpetual.conftest import Exchange, at_price, opened

LATER = NOW + 10


def liquidatable(price: int = ticks(99), alice_collateral: int = 500, fund: int = 10_000) -> Exchange:
    """
    Alice's long (opened with ``alice_collateral``) at ``price``; Carol has
    5,000 collateral to liquidate with, the fund ``fund``.
    """
    ex = opened(alice_collateral)
    at_price(ex, price, LATER)
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 5_000, 0), NOW)
    ex.state.set_balance(AccountIndex(FUND), ex.ledger.config.collateral_token, Amount(fund))
    if fund:
        process_collateral_transfer(ex.state, ex.ledger, transfer(FUND, fund, 0), NOW)
    return ex


def by_carol(
    size: int, quote: int, penalty: int = 0, limit: int = ticks(100), order_id: int = 1, kind: OrderKind = OrderKind.LIMIT
) -> Liquidation:
    """Carol's signed buy of up to 100 at up to ``limit`` closes ``size`` of Alice's long for ``quote``."""
    order = perp_order(CAROL, order_id, BUY, limit, 100, kind=kind)
    return Liquidation(AccountIndex(ALICE), MARKET, Amount(size), Amount(quote), Amount(penalty), order)


def by_fund(size: int, quote: int, penalty: int = 0) -> Liquidation:
    """The insurance fund takes ``size`` of Alice's long for ``quote``."""
    return Liquidation(AccountIndex(ALICE), MARKET, Amount(size), Amount(quote), Amount(penalty), None)


def apply(ex: Exchange, liquidation: Liquidation, timestamp: int = LATER, previous: object | None = None) -> None:
    process_liquidation(ex.state, ex.ledger, liquidation, Timestamp(timestamp), previous)


def refused(ex: Exchange, liquidation: Liquidation, error: type[Exception], timestamp: int = LATER) -> None:
    accounts, markets, root = ex.ledger.accounts(), ex.ledger.markets(), ex.state.root
    with pytest.raises(error):
        apply(ex, liquidation, timestamp)
    assert (ex.ledger.accounts(), ex.ledger.markets(), ex.state.root) == (accounts, markets, root)


def value_of(ex: Exchange, account: int) -> int:
    return health(ex.ledger, settled(ex.ledger, ex.ledger.account(AccountIndex(account)))).value


@pytest.mark.parametrize("collateral, allowed", [(499, True), (500, False), (501, False)])
def test_maintenance_boundary(collateral: int, allowed: bool) -> None:
    """At price 100 the requirement is 500: liquidatable with a value of 499, not at 500 nor 501."""
    ex = liquidatable(ticks(100), alice_collateral=collateral)
    liquidation = by_carol(100, 9_950)
    if allowed:
        apply(ex, liquidation)
        assert ex.ledger.account(AccountIndex(ALICE)).position(MARKET).size == 0
    else:
        refused(ex, liquidation, NotLiquidatable)


@pytest.mark.parametrize(
    "quote, penalty, error", [(9_801, 0, None), (9_800, 0, LiquidationTooCostly), (9_850, 49, None), (9_850, 50, LiquidationTooCostly)]
)
def test_what_a_liquidation_may_cost_the_account(quote: int, penalty: int, error: type[Exception] | None) -> None:
    """
    At 99 Alice's long is worth 9,900 at the oracle; the cap is 1 % of it,
    99: the quote's discount and the penalty together may not exceed it,
    although her bankruptcy quote (9,500) would allow a far lower one.
    """
    ex = liquidatable()
    liquidation = by_carol(100, quote, penalty)
    if error is None:
        apply(ex, liquidation)
        assert ex.ledger.account(AccountIndex(ALICE)).collateral == quote - 9_500 - penalty
        assert ex.ledger.account(AccountIndex(FUND)).collateral == 10_000 + penalty
        assert ex.ledger.account(AccountIndex(CAROL)).position(MARKET).size == 100
        assert ex.ledger.account(AccountIndex(CAROL)).collateral == 5_000 - quote
        assert ex.state.get_account(AccountIndex(CAROL)).order_slot(1) == (1, 100)
    else:
        refused(ex, liquidation, error)


@pytest.mark.parametrize("quote, allowed", [(9_499, False), (9_500, True)])
def test_full_close_never_below_the_bankruptcy_price(quote: int, allowed: bool) -> None:
    """At 95 Alice is worth 0: closing all of it must leave her at zero or more."""
    ex = liquidatable(ticks(95))
    assert bankruptcy_quote(ex.ledger, AccountIndex(ALICE), MARKET, 100) == 9_500
    if allowed:
        apply(ex, by_carol(100, quote))
        assert ex.ledger.account(AccountIndex(ALICE)).collateral == 0
    else:
        refused(ex, by_carol(100, quote), WorseThanBankruptcy)


@pytest.mark.parametrize("quote, allowed", [(4_749, False), (4_750, True)])
def test_partial_close_keeps_the_ratio(quote: int, allowed: bool) -> None:
    """
    At 94 Alice is worth -100 against a requirement of 470. Closing 50
    halves the requirement, so her value after must be at least -50:
    ``quote - 9,500 + 50 * 94 >= -50``, ``quote >= 4,750``, above the
    oracle's 4,700 (Carol's limit of 100 allows it).
    """
    ex = liquidatable(ticks(94))
    before = health(ex.ledger, settled(ex.ledger, ex.ledger.account(AccountIndex(ALICE))))
    assert (before.value, before.maintenance) == (-100, 470 * 10**6)
    if allowed:
        apply(ex, by_carol(50, quote))
        after = health(ex.ledger, settled(ex.ledger, ex.ledger.account(AccountIndex(ALICE))))
        assert (after.value, after.maintenance) == (-50, 235 * 10**6)
    else:
        refused(ex, by_carol(50, quote), WorseThanBankruptcy)


def test_never_flips_nor_closes_nothing() -> None:
    ex = liquidatable()
    refused(ex, by_carol(101, 9_999), LiquidationOversized)
    refused(ex, by_carol(0, 0), ZeroFill)


def test_the_liquidators_order_binds() -> None:
    """Carol's limit of 97 per lot: 9,801 for 100 is above it."""
    ex = liquidatable()
    refused(ex, by_carol(100, 9_801, limit=ticks(97)), PriceLimitViolated)
    own = perp_order(ALICE, 9, BUY, ticks(100), 100)
    refused(ex, Liquidation(AccountIndex(ALICE), MARKET, Amount(100), Amount(9_801), Amount(0), own), SelfTrade)


def test_liquidator_margin() -> None:
    """Bob's buy closes his own short; Carol without collateral cannot take the position on."""
    ex = liquidatable()
    order = perp_order(BOB, 5, BUY, ticks(100), 100)
    apply(ex, Liquidation(AccountIndex(ALICE), MARKET, Amount(100), Amount(9_850), Amount(0), order))
    assert ex.ledger.account(AccountIndex(BOB)).position(MARKET).size == 0
    ex = liquidatable()
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 5_000, 1, to_collateral=False), Timestamp(LATER))
    refused(ex, by_carol(100, 9_850), MarginInsufficient)


def test_against_the_insurance_fund() -> None:
    """With no order, the fund takes the position and the penalty."""
    ex = liquidatable()
    apply(ex, by_fund(100, 9_851, penalty=49))
    fund = ex.ledger.account(AccountIndex(FUND))
    assert fund.position(MARKET).size == 100
    assert fund.collateral == 10_000 - 9_851 + 49


@pytest.mark.parametrize("quote, error", [(9_500, None), (9_501, InsuranceFundOverpays), (9_499, WorseThanBankruptcy)])
def test_the_fund_pays_no_more_than_it_must(quote: int, error: type[Exception] | None) -> None:
    """At 94 Alice (worth -100) needs 9,500, above the oracle's 9,400: the fund pays exactly that, not a unit more."""
    ex = liquidatable(ticks(94))
    if error is None:
        apply(ex, by_fund(100, quote))
        assert ex.ledger.account(AccountIndex(ALICE)).collateral == 0
        assert value_of(ex, FUND) == 10_000 - 100
    else:
        refused(ex, by_fund(100, quote), error)


@pytest.mark.parametrize("fund, allowed", [(499, False), (500, True)])
def test_the_fund_stays_solvent(fund: int, allowed: bool) -> None:
    """At 90 Alice is 500 short: the fund covers it only if it holds 500."""
    ex = liquidatable(ticks(90), fund=fund)
    if allowed:
        apply(ex, by_fund(100, 9_500))
        assert value_of(ex, FUND) == 0
    else:
        refused(ex, by_fund(100, 9_500), InsuranceFundExhausted)


def test_open_interest_follows() -> None:
    ex = liquidatable()
    apply(ex, by_carol(100, 9_850))
    assert ex.ledger.market(MARKET).open_interest == 100  # Carol's long replaced Alice's


def test_a_sell_side_liquidation() -> None:
    """
    Bob's short of 100 (collateral 15,000) at 143: worth 700 < 715. Carol
    sells to close it: the cap (143) allows a quote up to 14,443, his
    bankruptcy quote 15,000.
    """
    ex = opened()
    at_price(ex, ticks(143), LATER)
    process_collateral_transfer(ex.state, ex.ledger, transfer(CAROL, 50_000, 0), NOW)
    order = perp_order(CAROL, 1, SELL, ticks(140), 100)
    assert bankruptcy_quote(ex.ledger, AccountIndex(BOB), MARKET, 100) == 15_000
    refused(ex, Liquidation(AccountIndex(BOB), MARKET, Amount(100), Amount(14_444), Amount(0), order), LiquidationTooCostly)
    apply(ex, Liquidation(AccountIndex(BOB), MARKET, Amount(100), Amount(14_443), Amount(0), order))
    assert ex.ledger.account(AccountIndex(BOB)).collateral == 15_000 - 14_443


def test_an_immediate_liquidator_order_fills_in_one_run() -> None:
    """
    At 96 Alice (worth 100) stays liquidatable after Carol's
    immediate-or-cancel order closes 50: the order may close 30 more only
    right after its first fill.
    """
    ex = liquidatable(ticks(96))
    first = by_carol(50, 4_752, kind=OrderKind.IOC)
    apply(ex, first)
    second = by_carol(30, 2_852, kind=OrderKind.IOC)
    refused(ex, second, ImmediateOrderResumed)
    apply(ex, second, previous=first)
    assert ex.ledger.account(AccountIndex(ALICE)).position(MARKET).size == 20


def test_not_at_a_stale_price() -> None:
    ex = liquidatable()
    refused(ex, by_carol(100, 9_850), OraclePriceTooOld, LATER + MAX_PRICE_AGE + 1)
    apply(ex, by_carol(100, 9_850), LATER + MAX_PRICE_AGE)
