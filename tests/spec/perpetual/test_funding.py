"""Funding: the index moves exactly; settlement rounds down for every account; rates are capped."""

import pytest

from sequencer.spec.perpetual.errors import FundingRateAboveCap, FundingRatesMismatch, FundingTimeReversed
from sequencer.spec.perpetual.margin import settled
from sequencer.spec.perpetual.rules import process_collateral_transfer, process_funding_tick
from sequencer.spec.perpetual.transactions import FundingTick
from sequencer.spec.types import AccountIndex, Timestamp
from tests.spec.builders import ALICE, BOB, NOW
from tests.spec.perpetual.builders import MARKET, MAX_FUNDING_RATE, transfer, ticks
from tests.spec.perpetual.conftest import Exchange, opened


def tick(ex: Exchange, rate: int, timestamp: int) -> None:
    process_funding_tick(ex.ledger, FundingTick((rate,)), Timestamp(timestamp))


def test_funding_starts_at_the_first_price() -> None:
    ex = opened()
    assert ex.ledger.market(MARKET).funding_time == NOW
    tick(ex, MAX_FUNDING_RATE, NOW)
    assert ex.ledger.market(MARKET).funding_index == 0


def test_index_moves_by_rate_price_and_time_exactly() -> None:
    ex = opened()
    tick(ex, 10**6, NOW + 100)
    market = ex.ledger.market(MARKET)
    assert market.funding_index == 10**6 * ticks(110) * 100
    assert market.funding_time == NOW + 100


def test_settlement_rounds_down_for_payer_and_receiver() -> None:
    """
    A rate of 1e-6 per second at 110 for 100 s is 0.011 per unit: Alice's
    long of 100 owes 1.1 and pays 2; Bob's short is owed 1.1 and gets 1.
    """
    ex = opened()
    tick(ex, 10**6, NOW + 100)
    markets = ex.ledger.markets()
    alice = settled(ex.ledger, ex.ledger.account(AccountIndex(ALICE)))
    bob = settled(ex.ledger, ex.ledger.account(AccountIndex(BOB)))
    assert alice.collateral == 500 - 10_000 - 2
    assert bob.collateral == 5_000 + 10_000 + 1
    assert alice.position(MARKET).funding_index == markets[MARKET].funding_index


def test_settled_when_touched() -> None:
    """A collateral transfer settles the account's funding into its collateral."""
    ex = opened()
    tick(ex, -(10**6), NOW + 100)  # shorts pay longs
    process_collateral_transfer(ex.state, ex.ledger, transfer(ALICE, 100, 1), NOW)
    alice = ex.ledger.account(AccountIndex(ALICE))
    assert alice.collateral == 500 - 10_000 + 1 + 100
    assert alice.position(MARKET).funding_index == ex.ledger.market(MARKET).funding_index


def test_funding_is_never_created() -> None:
    """Over many ticks of both signs, what all accounts settle never sums above zero."""
    ex = opened()
    for step, rate in enumerate([7, -13, 999_999, -1, 3, 10**6, -(10**6)], start=1):
        tick(ex, rate, NOW + step * 37)
        markets = ex.ledger.markets()
        paid = sum(settled(ex.ledger, account).collateral - account.collateral for account in ex.ledger.accounts().values())
        assert paid <= 0
        exact = sum(
            -account.position(MARKET).size * (markets[MARKET].funding_index - account.position(MARKET).funding_index)
            for account in ex.ledger.accounts().values()
        )
        assert exact == 0  # funding itself is zero-sum; only the rounding is kept back


@pytest.mark.parametrize("rate, accepted", [(MAX_FUNDING_RATE, True), (-MAX_FUNDING_RATE, True), (MAX_FUNDING_RATE + 1, False), (-MAX_FUNDING_RATE - 1, False)])
def test_rate_cap(rate: int, accepted: bool) -> None:
    ex = opened()
    if accepted:
        tick(ex, rate, NOW + 1)
    else:
        with pytest.raises(FundingRateAboveCap):
            tick(ex, rate, NOW + 1)
        assert ex.ledger.market(MARKET).funding_index == 0


def test_one_rate_per_market_and_time_forward() -> None:
    ex = opened()
    with pytest.raises(FundingRatesMismatch):
        process_funding_tick(ex.ledger, FundingTick((1, 1)), Timestamp(NOW))
    tick(ex, 1, NOW + 5)
    with pytest.raises(FundingTimeReversed):
        tick(ex, 1, NOW + 4)
