"""
Properties of random exchange activity: the book is never crossed, locks are
what the books say and every balance covers its locks, each token is
conserved, and a refused request changes nothing.
"""

from random import Random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequencer.spec.transition import total_fees
from sequencer.engine.operator import Operator
from sequencer.engine.errors import RequestRejected
from sequencer.service.canonical import canonical_state
from sequencer.service.commands import RequestWithdrawal
from sequencer.service.machine import Machine
from tests.engine.actions import Action, Driver, actions, busy_market
from tests.engine.exchange import FUNDS_BASE, FUNDS_QUOTE, funded_operator
from tests.engine.helpers import assert_consistent
from tests.support.scenario import BASE, QUOTE

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
"""Fixed-seed examples (the same in every run, as CI needs, and no example database), no per-example deadline."""


def assert_conserved(operator: Operator, withdrawn: dict[int, int]) -> None:
    """Every token: the accounts' balances plus fees not yet credited equal deposits less withdrawals."""
    deposited = {BASE: 3 * FUNDS_BASE, QUOTE: 3 * FUNDS_QUOTE}
    uncredited = total_fees([p.outcome for p in operator.pending])
    for token, total in deposited.items():
        held = sum(operator.head.get_account(index).balance(token) for index in operator.accounts)
        assert held + uncredited.get(token, 0) == total - withdrawn[token]


def run_checked(steps: list[Action]) -> Operator:
    """Apply ``steps``, checking every property after each; returns the operator."""
    machine = Machine(funded_operator())
    operator = machine.operator
    driver = Driver()
    withdrawn = {BASE: 0, QUOTE: 0}
    for action in steps:
        command = driver.command(operator, action)
        if command is None:
            continue
        time_ms = machine.time_for(driver.now * 1000)
        machine.tick(time_ms)
        before = canonical_state(operator)
        try:
            machine.apply(command, time_ms)
        except RequestRejected:
            assert canonical_state(operator) == before
            continue
        if isinstance(command, RequestWithdrawal):
            withdrawn[command.withdraw.token] += command.withdraw.amount
        assert_consistent(operator)
        assert_conserved(operator, withdrawn)
    return operator


@PROPERTY_SETTINGS
@given(st.lists(actions, min_size=10, max_size=40))
def test_random_activity_keeps_books_locks_and_balances_consistent(steps: list[Action]) -> None:
    run_checked(steps)


def test_a_busy_market_keeps_books_locks_and_balances_consistent() -> None:
    operator = run_checked(busy_market(Random(20261121), 400))
    assert len(operator.trades) > 100  # the run really trades
