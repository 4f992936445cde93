"""Oracle price updates: a quorum of distinct, fresh, valid signatures; the lower median."""

from dataclasses import replace

import pytest

from sequencer.spec.perpetual.errors import (
    InvalidOracleSignature,
    OracleQuorumNotMet,
    OracleSignerRepeated,
    OraclePriceStale,
    UnknownOracleSigner,
    UnknownPerpMarket,
    ZeroOraclePrice,
)
from sequencer.spec.perpetual.transactions import OracleUpdate
from sequencer.spec.perpetual.transition import process_oracle_update
from sequencer.spec.types import Timestamp
from tests.spec.builders import NOW
from tests.spec.perpetual.builders import MARKET, WINDOW, price_update, signed_price, ticks
from tests.spec.perpetual.conftest import Exchange


def test_median_of_three_and_earliest_time(exchange: Exchange) -> None:
    update = OracleUpdate(
        MARKET,
        (signed_price(0, ticks(120), NOW - 5), signed_price(1, ticks(100), NOW), signed_price(2, ticks(110), NOW - 2)),
    )
    process_oracle_update(exchange.ledger, update, NOW)
    market = exchange.ledger.market(MARKET)
    assert market.oracle_price == ticks(110)
    assert market.oracle_time == NOW - 5


def test_median_of_two_is_the_lower(exchange: Exchange) -> None:
    update = OracleUpdate(MARKET, (signed_price(2, ticks(120)), signed_price(0, ticks(100))))
    process_oracle_update(exchange.ledger, update, NOW)
    assert exchange.ledger.market(MARKET).oracle_price == ticks(100)


def refused(exchange: Exchange, update: OracleUpdate, error: type[Exception], timestamp: int = NOW) -> None:
    before = exchange.ledger.market(MARKET)
    with pytest.raises(error):
        process_oracle_update(exchange.ledger, update, Timestamp(timestamp))
    assert exchange.ledger.market(MARKET) == before


def test_below_quorum(exchange: Exchange) -> None:
    refused(exchange, OracleUpdate(MARKET, (signed_price(0, ticks(100)),)), OracleQuorumNotMet)


def test_same_signer_twice(exchange: Exchange) -> None:
    update = OracleUpdate(MARKET, (signed_price(0, ticks(100)), signed_price(0, ticks(101))))
    refused(exchange, update, OracleSignerRepeated)


def test_unknown_signer(exchange: Exchange) -> None:
    update = OracleUpdate(MARKET, (signed_price(1, ticks(100)), replace(signed_price(0, ticks(100)), signer=3)))
    refused(exchange, update, UnknownOracleSigner)


def test_signature_of_another_price(exchange: Exchange) -> None:
    forged = replace(signed_price(1, ticks(100)), price=ticks(200))
    refused(exchange, OracleUpdate(MARKET, (signed_price(0, ticks(100)), forged)), InvalidOracleSignature)


def test_signature_for_another_market_does_not_count(exchange: Exchange) -> None:
    update = OracleUpdate(MARKET, (signed_price(0, ticks(100)), signed_price(1, ticks(100), market=1)))
    refused(exchange, update, InvalidOracleSignature)


def test_zero_price(exchange: Exchange) -> None:
    refused(exchange, price_update(0), ZeroOraclePrice)


def test_unknown_market(exchange: Exchange) -> None:
    with pytest.raises(UnknownPerpMarket):
        process_oracle_update(exchange.ledger, price_update(ticks(100), market=1), NOW)


@pytest.mark.parametrize("age, accepted", [(WINDOW, True), (WINDOW + 1, False), (-1, False)])
def test_window(exchange: Exchange, age: int, accepted: bool) -> None:
    """A signed time may be up to ``oracle_window`` seconds old, and not in the future."""
    update = price_update(ticks(100), NOW - age)
    if accepted:
        process_oracle_update(exchange.ledger, update, NOW)
        assert exchange.ledger.market(MARKET).oracle_price == ticks(100)
    else:
        refused(exchange, update, OraclePriceStale)


def test_a_signed_price_counts_once(exchange: Exchange) -> None:
    """An update must be signed after the market's last: replaying one, or mixing in its old signatures, is refused."""
    process_oracle_update(exchange.ledger, price_update(ticks(100)), NOW)
    refused(exchange, price_update(ticks(100)), OraclePriceStale, NOW + 1)
    mixed = OracleUpdate(MARKET, (signed_price(0, ticks(90), NOW), signed_price(1, ticks(90), NOW + 1)))
    refused(exchange, mixed, OraclePriceStale, NOW + 1)
    process_oracle_update(exchange.ledger, price_update(ticks(90), NOW + 1), Timestamp(NOW + 1))
    assert exchange.ledger.market(MARKET).oracle_price == ticks(90)
