"""
The scales and widths of perpetual futures (``docs/DESIGN.md``, "Perpetual futures").

Every quantity is an integer:

- a position size is in base units (lots), signed: long above zero;
- collateral is in units of the collateral token, signed: a long position's
  purchase is paid in collateral, so collateral may be negative while the
  position is worth more;
- a price is collateral units per base unit times ``PRICE_SCALE``, as spot's;
- a funding rate is a fraction of the oracle price per second, times
  ``FUNDING_RATE_SCALE``;
- a funding index is the funding paid per base unit since genesis, in
  collateral units times ``FUNDING_INDEX_SCALE``; a tick adds exactly
  ``rate * price * seconds`` to it, so the index itself never rounds;
- a margin fraction is parts per ``MARGIN_SCALE`` of a position's value.

Margin is compared exactly, on values times ``PRICE_SCALE * MARGIN_SCALE``:
nothing rounds but funding and fees settled into collateral, and those round
down for the account (in the exchange's favour).
"""

from sequencer.spec.constants import PRICE_SCALE

PERP_MARKET_BITS = 2
"""A perpetual market's id is ``< 2**PERP_MARKET_BITS``: at most four markets."""

MAX_PERP_MARKETS = 2**PERP_MARKET_BITS
"""The most perpetual markets a deployment can configure."""

SIZE_BITS = 64
"""A position's size, an order's size and a fill are below ``2**SIZE_BITS`` in magnitude."""

COLLATERAL_BITS = 127
"""An account's collateral is below ``2**COLLATERAL_BITS`` in magnitude."""

FUNDING_RATE_SCALE = 10**12
"""A funding rate ``r`` is ``r / FUNDING_RATE_SCALE`` of the oracle price per second."""

FUNDING_RATE_BITS = 48
"""A funding rate and a market's maximum rate are below ``2**FUNDING_RATE_BITS`` in magnitude."""

FUNDING_INDEX_SCALE = PRICE_SCALE * FUNDING_RATE_SCALE
"""A funding index is collateral units per base unit times this (``rate * price`` needs no division)."""

FUNDING_INDEX_BITS = 200
"""A funding index is below ``2**FUNDING_INDEX_BITS`` in magnitude."""

MARGIN_SCALE = 10**6
"""Margin fractions and the liquidation penalty are parts per million."""

MARGIN_FRACTION_BITS = 20
"""A margin fraction is below ``2**MARGIN_FRACTION_BITS`` (so at most 104.8 % of ``MARGIN_SCALE``)."""

PERP_ORDER_MESSAGE_TAG = 3
"""First input of a perpetual order's signed message."""

ORACLE_PRICE_MESSAGE_TAG = 4
"""First input of an oracle's signed price."""

COLLATERAL_TRANSFER_MESSAGE_TAG = 5
"""First input of a transfer between an account's spot balance and its collateral."""
