"""
The sequencer's liquidation plan (``sequencer/engine/liquidations.py``):
every step it proposes is one the spec accepts, applied in order, and a
well-funded insurance fund leaves no account below maintenance.
"""

from hypothesis import event, given, settings
from hypothesis import strategies as st

from sequencer.engine.liquidations import account_risk, liquidation_plan, risk_view
from sequencer.spec.perpetual.margin import health, settled
from sequencer.spec.perpetual.rules import process_deleverage, process_liquidation
from sequencer.spec.perpetual.state import PerpAccount
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.transactions import Deleverage, Liquidation
from sequencer.spec.state import State
from sequencer.spec.types import AccountIndex, Timestamp
from tests.spec.builders import ALICE, BOB, NOW
from tests.spec.perpetual.builders import FUND, ticks
from tests.spec.perpetual.conftest import Exchange, at_price, opened
from tests.spec.perpetual.portfolios import TRADERS, random_portfolios


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
    ex, fund = random_portfolios(data)
    plan = apply_plan(ex.state, ex.ledger, NOW + 1)
    event(f"{len(plan)} steps, fund {fund}")
    if fund == 10**9:
        for index in TRADERS:
            assert not health(ex.ledger, settled(ex.ledger, ex.ledger.account(AccountIndex(index)))).below_maintenance
