"""
Oracle price updates: exactly a quorum (three of four oracles) of fresh,
valid signatures in ascending order of signer; the median; no signed price
used twice.
"""

from dataclasses import replace

import pytest

from sequencer.spec.perpetual.errors import (
    InvalidOracleSignature,
    OracleSignatureCount,
    OracleSignersNotAscending,
    OraclePriceStale,
    UnknownOracleSigner,
    UnknownPerpMarket,
    ZeroOraclePrice,
)
from sequencer.spec.perpetual.rules import process_oracle_update
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.perpetual.transactions import OracleUpdate, SignedPrice
from sequencer.spec.types import Timestamp
from tests.spec.builders import NOW
from tests.spec.perpetual.builders import MARKET, WINDOW, config, fresh_ledger, price_update, signed_price, ticks
from tests.spec.perpetual.conftest import Exchange


def update(*prices: SignedPrice) -> OracleUpdate:
    return OracleUpdate(MARKET, prices)


def refused(exchange: Exchange, oracle_update: OracleUpdate, error: type[Exception], timestamp: int = NOW) -> None:
    before = exchange.ledger.market(MARKET)
    with pytest.raises(error):
        process_oracle_update(exchange.ledger, oracle_update, Timestamp(timestamp))
    assert exchange.ledger.market(MARKET) == before


def test_the_median_and_the_latest_time(exchange: Exchange) -> None:
    prices = update(signed_price(0, ticks(120), NOW - 5), signed_price(2, ticks(100), NOW - 2), signed_price(3, ticks(110), NOW - 9))
    process_oracle_update(exchange.ledger, prices, NOW)
    market = exchange.ledger.market(MARKET)
    assert (market.oracle_price, market.oracle_time) == (ticks(110), NOW - 2)


def test_one_liar_cannot_move_the_median(exchange: Exchange) -> None:
    """Whatever one of the three signers claims, the median stays between the two honest prices."""
    for lie in (1, 10**6):
        ex_update = update(signed_price(0, ticks(lie)), signed_price(1, ticks(100)), signed_price(2, ticks(101)))
        ledger = fresh_ledger(exchange.ledger.config)
        process_oracle_update(ledger, ex_update, NOW)
        assert ledger.market(MARKET).oracle_price in (ticks(100), ticks(101))


def test_the_quorum_is_odd() -> None:
    with pytest.raises(ValueError):
        replace(config(), oracle_quorum=2)
    with pytest.raises(ValueError):
        PerpConfig(**{**vars(config()), "oracle_quorum": 5})


def test_exactly_a_quorum(exchange: Exchange) -> None:
    refused(exchange, update(signed_price(0, ticks(100)), signed_price(1, ticks(100))), OracleSignatureCount)
    four = tuple(signed_price(signer, ticks(100)) for signer in range(4))
    refused(exchange, update(*four), OracleSignatureCount)


def test_signers_ascend(exchange: Exchange) -> None:
    """Listed by ascending signer, so the same signer cannot count twice."""
    repeated = update(signed_price(0, ticks(100)), signed_price(1, ticks(100)), signed_price(1, ticks(100)))
    refused(exchange, repeated, OracleSignersNotAscending)
    unordered = update(signed_price(1, ticks(100)), signed_price(0, ticks(100)), signed_price(2, ticks(100)))
    refused(exchange, unordered, OracleSignersNotAscending)


def test_unknown_signer(exchange: Exchange) -> None:
    outsider = replace(signed_price(0, ticks(100)), signer=4)
    refused(exchange, update(signed_price(0, ticks(100)), signed_price(1, ticks(100)), outsider), UnknownOracleSigner)


def test_signature_of_another_price(exchange: Exchange) -> None:
    forged = replace(signed_price(1, ticks(100)), price=ticks(200))
    refused(exchange, update(signed_price(0, ticks(100)), forged, signed_price(2, ticks(100))), InvalidOracleSignature)


def test_signature_for_another_market_does_not_count(exchange: Exchange) -> None:
    other = signed_price(2, ticks(100), market=1)
    refused(exchange, update(signed_price(0, ticks(100)), signed_price(1, ticks(100)), other), InvalidOracleSignature)


def test_zero_price(exchange: Exchange) -> None:
    refused(exchange, price_update(0), ZeroOraclePrice)


def test_unknown_market(exchange: Exchange) -> None:
    with pytest.raises(UnknownPerpMarket):
        process_oracle_update(exchange.ledger, price_update(ticks(100), market=1), NOW)


@pytest.mark.parametrize("age, accepted", [(WINDOW, True), (WINDOW + 1, False), (-1, False)])
def test_window(exchange: Exchange, age: int, accepted: bool) -> None:
    """A signed time may be up to ``oracle_window`` seconds old, and not in the future."""
    oracle_update = price_update(ticks(100), NOW - age)
    if accepted:
        process_oracle_update(exchange.ledger, oracle_update, NOW)
        assert exchange.ledger.market(MARKET).oracle_price == ticks(100)
    else:
        refused(exchange, oracle_update, OraclePriceStale)


def test_a_signed_price_counts_once(exchange: Exchange) -> None:
    """
    Every price of an update is signed after the last update's latest
    signed time: neither a replay nor a mix of its signatures comes back,
    even those signed before its latest.
    """
    first = update(signed_price(0, ticks(100), NOW - 5), signed_price(1, ticks(100), NOW), signed_price(2, ticks(100), NOW))
    process_oracle_update(exchange.ledger, first, NOW)
    refused(exchange, first, OraclePriceStale, NOW + 1)
    mixed = update(signed_price(0, ticks(90), NOW + 1), signed_price(1, ticks(90), NOW), signed_price(3, ticks(90), NOW + 1))
    refused(exchange, mixed, OraclePriceStale, NOW + 1)
    old_first = update(signed_price(0, ticks(80), NOW - 5), signed_price(2, ticks(80), NOW + 1), signed_price(3, ticks(80), NOW + 1))
    refused(exchange, old_first, OraclePriceStale, NOW + 1)
    process_oracle_update(exchange.ledger, price_update(ticks(90), NOW + 1), Timestamp(NOW + 1))
    assert exchange.ledger.market(MARKET).oracle_price == ticks(90)
