"""
The sequencer's funding policy: which rate each perpetual market's next
funding tick carries.

The spec only bounds a rate (``max_funding_rate``) and applies it
(``spec.perpetual.rules.process_funding_tick``); choosing it is the
operator's policy, as the liquidation plan is. Here, as on most perpetual
exchanges, longs pay shorts the premium of the market over its index: the
rate is the book's mid price over the oracle price, less one, spread over
``FUNDING_PERIOD_S`` (so a premium held for a period is paid once), rounded
toward zero and bounded by the market's maximum. A market without a price,
or whose book lacks a side, carries no funding.

A tick accrues its rate over the whole time since the market's last one,
but the sequencer ticks only while someone holds a position and a rate is
not zero (no batch and no proof for a tick that moves nothing), so that
time can be long. As on exchanges that charge funding at fixed times to
whoever holds a position then, a tick charges at most one funding
interval of premium: past an interval, the rate is scaled down by
``interval / elapsed``, so a position opened after a quiet hour never pays
for the hour.
"""

from collections.abc import Mapping

from sequencer.spec.perpetual.constants import FUNDING_RATE_SCALE
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.types import Timestamp

from .perp_market import PerpBook

FUNDING_PERIOD_S = 8 * 3600
"""The period over which a premium is paid: eight hours."""


def funding_rates(ledger: PerpLedger, books: Mapping[int, PerpBook], now: Timestamp, interval: int) -> tuple[int, ...]:
    """
    One rate per configured market for a tick at ``now`` (``books`` by
    market id; a market the engine does not trade has none), accruing at
    most ``interval`` seconds of premium.
    """
    rates = []
    for market_id, params in enumerate(ledger.config.markets):
        oracle = ledger.market(market_id).oracle_price
        book = books.get(market_id)
        bid, ask = (None, None) if book is None else (book.best_bid(), book.best_ask())
        if not oracle or bid is None or ask is None:
            rates.append(0)
            continue
        # (mid / oracle - 1) / period, with mid = (bid + ask) / 2, in FUNDING_RATE_SCALE units, toward zero
        numerator = (bid + ask - 2 * oracle) * FUNDING_RATE_SCALE
        denominator = 2 * oracle * FUNDING_PERIOD_S
        elapsed = now - ledger.market(market_id).funding_time
        if elapsed > interval:  # one interval's premium over the whole elapsed time
            numerator, denominator = numerator * interval, denominator * elapsed
        rate = abs(numerator) // denominator * (1 if numerator >= 0 else -1)
        rates.append(max(-params.max_funding_rate, min(params.max_funding_rate, rate)))
    return tuple(rates)
