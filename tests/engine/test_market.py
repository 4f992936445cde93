"""A market's configuration: what keeps every fill exact and publishable."""

import random
from dataclasses import replace

import pytest

from sequencer.engine.book import OrderBook
from sequencer.engine.errors import Code, OrderRejected
from sequencer.engine.market import MAX_TRADE_FEE_BPS, MarketConfigError, lot_digits
from sequencer.spec.constants import Side
from sequencer.spec.decimal import MANTISSA_LIMIT, is_encodable
from sequencer.spec.types import Amount, Price
from tests.engine.exchange import LOT, MARKET
from tests.engine.test_book import record
from tests.support.scenario import UNIT


def test_lot_digits_split_significant_digits_from_a_power_of_ten() -> None:
    assert lot_digits(10**16) == (1, 16)
    assert lot_digits(25 * 10**14) == (25, 14)
    assert lot_digits(7) == (7, 0)


@pytest.mark.parametrize("lot", [LOT, 25 * 10**14, 3, 10**18])
def test_every_fill_up_to_the_maximum_is_a_decimal_float(lot: int) -> None:
    """A fill is a whole number of lots, at most max_amount: the trade can always publish it."""
    market = replace(MARKET, lot_size=Amount(lot), tick_size=Price(10**18))
    lots = market.max_amount // lot
    assert market.max_amount % lot == 0
    rng = random.Random(lot)
    for count in [1, 2, 9, 10, lots - 1, lots, *(rng.randint(1, lots) for _ in range(200))]:
        assert is_encodable(count * lot), count
    # One lot more would not always be: the maximum is as large as the mantissa allows.
    assert (lots + 1) * lot_digits(lot)[0] >= MANTISSA_LIMIT


def test_an_order_above_the_maximum_is_refused() -> None:
    book = OrderBook(MARKET)
    book.check(record(1, 1, Side.BUY, 10 * UNIT, MARKET.max_amount).signed)
    with pytest.raises(OrderRejected) as refused:
        book.check(record(1, 1, Side.BUY, 10 * UNIT, MARKET.max_amount + LOT).signed)
    assert refused.value.code is Code.ABOVE_MAX_SIZE
    assert refused.value.values == {"amount": MARKET.max_amount + LOT, "max_amount": MARKET.max_amount}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"maker_fee_bps": MAX_TRADE_FEE_BPS + 1}, "fee 256 bps"),
        ({"taker_fee_bps": -1}, "fee -1 bps"),
        ({"lot_size": Amount(MANTISSA_LIMIT * 10**18), "tick_size": Price(1)}, "not a decimal float"),
        ({"lot_size": Amount(10**32), "tick_size": Price(1)}, "not a decimal float"),
        ({"tick_size": Price(3), "lot_size": Amount(7)}, "multiple of 10\\*\\*18"),
        ({"quote_token": MARKET.base_token}, "same token"),
    ],
)
def test_a_market_that_could_not_publish_or_settle_a_fill_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(MarketConfigError, match=message):
        replace(MARKET, **change)  # type: ignore[arg-type]


def test_the_highest_fee_a_market_may_charge_fits_a_published_byte() -> None:
    replace(MARKET, maker_fee_bps=MAX_TRADE_FEE_BPS, taker_fee_bps=MAX_TRADE_FEE_BPS)
    assert MAX_TRADE_FEE_BPS == 255
