"""Shared fixture: a state with a fee account and two funded traders."""

import pytest

from sequencer.spec.state import State
from sequencer.spec.transition import process_deposit
from tests.spec.builders import ALICE, BASE, BOB, FEE, QUOTE, SMALL, deposit


@pytest.fixture
def state() -> State:
    """Fee account 0; Alice holds 1000 base and 1000 quote, Bob 1000 base and 10000 quote."""
    state = State.genesis(SMALL)
    for tx in (
        deposit(FEE, BASE, 0),
        deposit(ALICE, BASE, 1000),
        deposit(ALICE, QUOTE, 1000),
        deposit(BOB, BASE, 1000),
        deposit(BOB, QUOTE, 10000),
    ):
        process_deposit(state, tx)
    return state
