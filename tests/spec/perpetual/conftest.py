"""
Fixtures: a spot state with funded accounts and a perpetual ledger beside it.

Alice (1), Bob (2) and Carol (3) each hold 100,000 collateral-token on the
spot side; the insurance fund (5) and the fee account (0) exist. The market
has no price yet; :func:`opened` gives it one and opens Alice's long of 100
against Bob.
"""

from dataclasses import dataclass

import pytest

from sequencer.spec.perpetual.rules import process_collateral_transfer, process_oracle_update, process_perp_trade
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.state import State
from sequencer.spec.transition import process_deposit
from sequencer.spec.types import Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, FEE, NOW, SMALL, deposit
from tests.spec.perpetual.builders import (
    BUY,
    COLLATERAL,
    FUND,
    SELL,
    config,
    perp_order,
    perp_trade,
    price_update,
    transfer,
    ticks,
)


@dataclass
class Exchange:
    """The two halves of the state a perpetual transaction reads and writes."""

    state: State
    ledger: PerpLedger


def funded(perp_config: PerpConfig | None = None) -> Exchange:
    """
    Spot balances of 100,000 collateral for Alice, Bob, Carol; the fee
    account and the fund exist; the state commits to ``perp_config`` (the
    tests' one-market deployment unless given).
    """
    deployment = perp_config or config()
    state = State.genesis(SMALL, perp_config_hash(deployment))
    for account, amount in ((FEE, 0), (ALICE, 100_000), (BOB, 100_000), (CAROL, 100_000), (FUND, 0)):
        process_deposit(state, deposit(account, COLLATERAL, amount))
    return Exchange(state, PerpLedger(deployment, state))


@pytest.fixture
def exchange() -> Exchange:
    """A funded exchange whose market has no price yet."""
    return funded()


def priced(alice: int = 500, bob: int = 5_000) -> Exchange:
    """A funded exchange at oracle price 110; Alice and Bob moved ``alice`` and ``bob`` into collateral."""
    ex = funded()
    process_oracle_update(ex.ledger, price_update(ticks(110)), NOW)
    process_collateral_transfer(ex.state, ex.ledger, transfer(ALICE, alice, 0), NOW)
    process_collateral_transfer(ex.state, ex.ledger, transfer(BOB, bob, 0), NOW)
    return ex


def opened(alice_collateral: int = 500, bob_collateral: int = 5_000) -> Exchange:
    """
    At oracle price 110, Alice (``alice_collateral``) buys 100 at 100 from
    Bob's resting sell (``bob_collateral``), no fees: Alice's collateral is
    ``alice_collateral - 10,000``, at its maintenance boundary at price 100.
    """
    ex = priced(alice_collateral, bob_collateral)
    maker = perp_order(BOB, 1, SELL, ticks(100), 100)
    taker = perp_order(ALICE, 1, BUY, ticks(100), 100)
    process_perp_trade(ex.state, ex.ledger, perp_trade(maker, taker, 100), NOW)
    return ex


def at_price(ex: Exchange, price: int, timestamp: int) -> None:
    """Move the oracle price to ``price`` ticks, signed (and applied) at ``timestamp``."""
    process_oracle_update(ex.ledger, price_update(price, timestamp), Timestamp(timestamp))
