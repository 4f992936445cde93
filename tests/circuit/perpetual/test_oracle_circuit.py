"""
The oracle price update and the funding tick in the circuit
(``circuits/perpetual/oracle.circom``) against the spec's
``process_oracle_update`` and ``process_funding_tick``.

Each refused case is one the spec refuses too (checked first), or a
witness value the spec computes (the median, the latest time, the index
after a tick) set to anything else: the circuit must refuse it.
"""

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prover import CircuitArtifacts
from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual.commitment import signed_field
from sequencer.spec.perpetual.rules import process_funding_tick, process_oracle_update
from sequencer.spec.perpetual.state import PerpMarket
from sequencer.spec.perpetual.transactions import FundingTick, OracleUpdate, SignedPrice
from sequencer.spec.types import Timestamp
from tests.circuit.perpetual.checking import accepts
from tests.spec.builders import NOW
from sequencer.spec.perpetual.ledger import PerpLedger
from tests.spec.perpetual.builders import MARKET, MAX_FUNDING_RATE, WINDOW, config, fresh_ledger, signed_price, ticks

LAST = NOW - 30
"""The market's oracle_time before the update."""

FUNDED = NOW - 100
"""The market's last funding tick before the update."""


@pytest.fixture(scope="module")
def oracle(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    """``OraclePriceUpdate(3, 4, 2)``: a quorum of three of four oracles."""
    return perp_circuit("perp_oracle")


@pytest.fixture(scope="module")
def funding(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    return perp_circuit("perp_funding")


def ledger(old_price: int = ticks(100)) -> PerpLedger:
    book = fresh_ledger(config())
    book.set_market(MARKET, PerpMarket(oracle_price=old_price, oracle_time=Timestamp(LAST), funding_time=Timestamp(FUNDED)))
    return book


def spec_result(update: OracleUpdate, timestamp: int = NOW, old_price: int = ticks(100)) -> PerpMarket | None:
    """The market after the update, or None if the spec refuses it."""
    book = ledger(old_price)
    try:
        process_oracle_update(book, update, Timestamp(timestamp))
    except RollupError:
        return None
    return book.market(MARKET)


def oracle_input(
    update: OracleUpdate, median: int, latest: int, timestamp: int = NOW, old_price: int = ticks(100), funding_time: int = FUNDED
) -> dict[str, object]:
    keys = config().oracle_keys
    return {
        "enabled": 1,
        "oldPrice": old_price,
        "fundingTime": funding_time,
        "fundingTimeAfter": funding_time if old_price else timestamp,
        "market": update.market,
        "timestamp": timestamp,
        "oracleTime": LAST,
        "window": WINDOW,
        "keyAx": [key.ax for key in keys],
        "keyAy": [key.ay for key in keys],
        "signer": [signed.signer for signed in update.prices],
        "price": [signed.price for signed in update.prices],
        "signedTime": [signed.timestamp for signed in update.prices],
        "R8x": [signed.signature.r8x for signed in update.prices],
        "R8y": [signed.signature.r8y for signed in update.prices],
        "S": [signed.signature.s for signed in update.prices],
        "median": median,
        "latest": latest,
    }


def three(*prices: SignedPrice) -> OracleUpdate:
    return OracleUpdate(MARKET, prices)


HONEST = three(signed_price(0, ticks(120), NOW - 5), signed_price(1, ticks(100), NOW - 1), signed_price(3, ticks(110), NOW - 9))


def test_the_spec_result_is_accepted(oracle: CircuitArtifacts) -> None:
    market = spec_result(HONEST)
    assert market is not None and (market.oracle_price, market.oracle_time) == (ticks(110), NOW - 1)
    assert accepts(oracle, oracle_input(HONEST, ticks(110), NOW - 1))


@pytest.mark.parametrize("old_price", [ticks(100), 0])
def test_a_first_price_starts_the_funding_clock(oracle: CircuitArtifacts, old_price: int) -> None:
    market = spec_result(HONEST, old_price=old_price)
    assert market is not None and market.funding_time == (NOW if old_price == 0 else FUNDED)
    honest = oracle_input(HONEST, ticks(110), NOW - 1, old_price=old_price)
    assert honest["fundingTimeAfter"] == market.funding_time
    assert accepts(oracle, honest)
    other = FUNDED if old_price == 0 else NOW
    assert not accepts(oracle, {**honest, "fundingTimeAfter": other})


@pytest.mark.parametrize("median", [ticks(100), ticks(120), ticks(105), ticks(111)])
def test_any_other_median_is_refused(oracle: CircuitArtifacts, median: int) -> None:
    assert not accepts(oracle, oracle_input(HONEST, median, NOW - 1))


@pytest.mark.parametrize("latest", [NOW - 5, NOW - 9, NOW])
def test_any_other_latest_time_is_refused(oracle: CircuitArtifacts, latest: int) -> None:
    assert not accepts(oracle, oracle_input(HONEST, ticks(110), latest))


REFUSED = {
    "signers not ascending": three(signed_price(1, ticks(100)), signed_price(0, ticks(100)), signed_price(2, ticks(100))),
    "a signer twice": three(signed_price(0, ticks(100)), signed_price(1, ticks(100)), signed_price(1, ticks(100))),
    "an unknown signer": three(signed_price(0, ticks(100)), signed_price(1, ticks(100)), replace(signed_price(2, ticks(100)), signer=4)),
    "a zero price": three(signed_price(0, 0), signed_price(1, ticks(100)), signed_price(2, ticks(100))),
    "a price too old": three(signed_price(0, ticks(100), NOW - WINDOW - 1), signed_price(1, ticks(100)), signed_price(2, ticks(100))),
    "a price from the future": three(signed_price(0, ticks(100), NOW + 1), signed_price(1, ticks(100)), signed_price(2, ticks(100))),
    "a price from the last update": three(signed_price(0, ticks(100), LAST), signed_price(1, ticks(100)), signed_price(2, ticks(100))),
    "a forged price": three(signed_price(0, ticks(100)), replace(signed_price(1, ticks(100)), price=ticks(101)), signed_price(2, ticks(100))),
    "another market's signature": three(signed_price(0, ticks(100)), signed_price(1, ticks(100), market=1), signed_price(2, ticks(100))),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_the_spec_refuses_the_circuit_refuses(oracle: CircuitArtifacts, case: str) -> None:
    update = REFUSED[case]
    assert spec_result(update) is None
    prices = sorted(signed.price for signed in update.prices)
    latest = max(signed.timestamp for signed in update.prices)
    assert not accepts(oracle, oracle_input(update, prices[1], latest))


@settings(max_examples=25, deadline=None)
@given(
    index=st.integers(-(2**100), 2**100),
    price=st.integers(0, 2**40 - 1),
    elapsed=st.integers(0, 10**8),
    rate=st.integers(-(2 * MAX_FUNDING_RATE), 2 * MAX_FUNDING_RATE),
)
def test_a_funding_tick_moves_the_index_as_the_spec_does(
    funding: CircuitArtifacts, index: int, price: int, elapsed: int, rate: int
) -> None:
    book = ledger()
    book.set_market(MARKET, PerpMarket(oracle_price=price, oracle_time=Timestamp(NOW), funding_index=index, funding_time=Timestamp(NOW)))
    witness = {
        "index": signed_field(index),
        "price": price,
        "fundingTime": NOW,
        "rate": signed_field(rate),
        "maxRate": MAX_FUNDING_RATE,
        "timestamp": NOW + elapsed,
    }
    try:
        process_funding_tick(book, FundingTick((rate,)), Timestamp(NOW + elapsed))
    except RollupError:
        expected = index + rate * price * elapsed
        assert not accepts(funding, {**witness, "indexAfter": signed_field(expected)})
        return
    after = book.market(MARKET).funding_index
    assert accepts(funding, {**witness, "indexAfter": signed_field(after)})
    assert not accepts(funding, {**witness, "indexAfter": signed_field(after + 1)})


@pytest.mark.parametrize("start, accepted", [(-(2**128) + 2, True), (-(2**128) + 1, False)])
def test_the_index_stays_within_its_width(funding: CircuitArtifacts, start: int, accepted: bool) -> None:
    """A tick of -1 from ``start``: the spec refuses an index of -2^128, and so does the circuit."""
    book = ledger()
    book.set_market(MARKET, PerpMarket(oracle_price=1, oracle_time=Timestamp(NOW), funding_index=start, funding_time=Timestamp(NOW)))
    try:
        process_funding_tick(book, FundingTick((-1,)), Timestamp(NOW + 1))
        spec_accepts = True
    except RollupError:
        spec_accepts = False
    assert spec_accepts is accepted
    witness = {"index": signed_field(start), "price": 1, "fundingTime": NOW, "rate": signed_field(-1), "maxRate": MAX_FUNDING_RATE, "timestamp": NOW + 1}
    assert accepts(funding, {**witness, "indexAfter": signed_field(start - 1)}) is accepted


def test_no_tick_goes_back_in_time(funding: CircuitArtifacts) -> None:
    witness = {"index": 0, "price": 100, "fundingTime": NOW, "rate": 1, "maxRate": MAX_FUNDING_RATE, "timestamp": NOW - 1}
    assert not accepts(funding, {**witness, "indexAfter": signed_field(-100)})
