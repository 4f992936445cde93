"""
The sequencer's liquidation plan (``sequencer/engine/liquidations.py``):
every step it proposes is one the spec accepts, applied in order, and a
well-funded insurance fund leaves no account below maintenance.
"""

from dataclasses import replace

from hypothesis import event, given, settings
from hypothesis import strategies as st

from sequencer.engine.liquidations import account_risk, liquidation_plan, risk_view
from sequencer.spec.perpetual.margin import health, settled
from sequencer.spec.perpetual.rules import process_deleverage, process_liquidation
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, PerpMarketParams, Position
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.transactions import Deleverage, Liquidation
from sequencer.spec.state import State
from sequencer.spec.transition import process_deposit
from sequencer.spec.types import AccountIndex, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, NOW, deposit
from tests.spec.perpetual.builders import COLLATERAL, FUND, config, ticks
from tests.spec.perpetual.conftest import Exchange, at_price, funded, opened

DAVE = 4
TRADERS = (ALICE, BOB, CAROL, DAVE)
MARKETS = (
    PerpMarketParams(quantum=1, initial_margin=100_000, maintenance_margin=50_000, max_funding_rate=10**6, open_interest_cap=10**9),
    PerpMarketParams(quantum=7, initial_margin=200_000, maintenance_margin=125_000, max_funding_rate=10**6, open_interest_cap=10**9),
)


def apply_plan(state: State, ledger: PerpLedger, timestamp: int) -> list[Liquidation | Deleverage]:
    """Apply the plan's steps with the spec (each must be accepted); returns the plan."""
    plan = liquidation_plan(ledger)
    for step in plan:
        if isinstance(step, Liquidation):
            process_liquidation(state, ledger, step, Timestamp(timestamp))
        else:
            process_deleverage(state, ledger, step, Timestamp(timestamp))
    return plan


def with_fund(ex: Exchange, collateral: int) -> Exchange:
    ex.ledger.set_account(AccountIndex(FUND), PerpAccount(collateral))
    return ex


def test_the_risk_view() -> None:
    """Alice's long at 99: worth 400 against 495 of maintenance, 95 short of it; her ratio 400 / 495."""
    ex = opened()
    at_price(ex, ticks(99), NOW + 1)
    risk = account_risk(ex.ledger, ex.ledger.account(AccountIndex(ALICE)))
    assert (risk.value, risk.initial, risk.maintenance, risk.to_liquidation) == (400, 990, 495, -95)
    assert risk.liquidatable and risk.ratio is not None and risk.ratio * 495 == 400
    assert not risk_view(ex.ledger)[AccountIndex(BOB)].liquidatable


def test_a_liquidatable_account_closes_against_the_fund_with_the_largest_penalty() -> None:
    """At 99 Alice keeps 400 of value: closed at the oracle's 9,900, the penalty is the cap's 99."""
    ex = with_fund(opened(), 10_000)
    at_price(ex, ticks(99), NOW + 1)
    plan = apply_plan(ex.state, ex.ledger, NOW + 1)
    assert plan == [Liquidation(AccountIndex(ALICE), 0, 100, 9_900, 99, None)]  # type: ignore[arg-type]
    assert ex.ledger.account(AccountIndex(ALICE)).collateral == -9_500 + 9_900 - 99


def test_a_bankrupt_account_is_covered_by_the_fund_at_its_bankruptcy_quote() -> None:
    ex = with_fund(opened(), 10_000)
    at_price(ex, ticks(90), NOW + 1)
    assert apply_plan(ex.state, ex.ledger, NOW + 1) == [Liquidation(AccountIndex(ALICE), 0, 100, 9_500, 0, None)]  # type: ignore[arg-type]
    assert ex.ledger.account(AccountIndex(ALICE)).collateral == 0


def test_without_a_fund_the_bankrupt_position_is_deleveraged() -> None:
    ex = opened()
    at_price(ex, ticks(90), NOW + 1)
    assert apply_plan(ex.state, ex.ledger, NOW + 1) == [Deleverage(AccountIndex(ALICE), AccountIndex(BOB), 0, 100, 9_500)]  # type: ignore[arg-type]
    assert ex.ledger.account(AccountIndex(BOB)).position(0).size == 0


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_step_of_the_plan_is_accepted(data: st.DataObject) -> None:
    """
    Four traders hold opposite positions in two markets, each meeting its
    initial margin at the opening prices; the prices then move. Every step
    of the plan applies; with a fund large enough, no trader is left below
    maintenance.
    """
    ex = funded()
    process_deposit(ex.state, deposit(DAVE, COLLATERAL, 0))
    ex.ledger = PerpLedger(replace(config(), markets=MARKETS), ex.state)
    opening = (data.draw(st.integers(50, 150)), data.draw(st.integers(10, 50)))
    for market_id, price in enumerate(opening):
        ex.ledger.set_market(market_id, PerpMarket(oracle_price=price, oracle_time=Timestamp(NOW)))
    sizes = {index: [0, 0] for index in TRADERS}
    for market_id in range(2):
        for long, short in ((ALICE, BOB), (CAROL, DAVE), (ALICE, DAVE)):
            lots = data.draw(st.integers(0, 60))
            sizes[long][market_id] += lots
            sizes[short][market_id] -= lots
    for index in TRADERS:
        perp = PerpAccount(0, tuple(Position(size, 0) for size in sizes[index]))
        state = health(ex.ledger, perp)
        margin = -(-state.initial // 10**6) - state.value + data.draw(st.integers(0, 2_000))
        ex.ledger.set_account(AccountIndex(index), replace(perp, collateral=margin))
    for market_id in range(2):
        interest = sum(max(sizes[index][market_id], 0) for index in TRADERS)
        ex.ledger.set_market(market_id, replace(ex.ledger.market(market_id), open_interest=interest))
    fund = data.draw(st.sampled_from([0, 300, 10**9]))
    with_fund(ex, fund)
    for market_id, price in enumerate(opening):
        moved = max(1, price + data.draw(st.integers(-price // 3, price // 3)))
        ex.ledger.set_market(market_id, replace(ex.ledger.market(market_id), oracle_price=moved, oracle_time=Timestamp(NOW + 1)))
    plan = apply_plan(ex.state, ex.ledger, NOW + 1)
    event(f"{len(plan)} steps, fund {fund}")
    if fund == 10**9:
        for index in TRADERS:
            assert not health(ex.ledger, settled(ex.ledger, ex.ledger.account(AccountIndex(index)))).below_maintenance
