"""
The scales and widths of perpetual futures (``docs/DESIGN.md``, "Perpetual futures").

Every quantity is an integer, small enough that the circuit compares the
products the margin rules need inside one field element:

- a position size, an order's amount and a fill are in lots, signed for a
  position (long above zero), below ``2**SIZE_BITS`` in magnitude;
- a price (an order's limit, an oracle's price) is in ticks, below
  ``2**PERP_PRICE_BITS``;
- a market's ``quantum`` is how many collateral units one lot is worth per
  tick, so ``size * price * quantum`` is a position's value in collateral
  units, exactly;
- collateral is in units of the collateral token, signed: a long's purchase
  is paid from collateral, so it may be negative while the position is worth
  more; below ``2**COLLATERAL_BITS`` in magnitude;
- a funding rate is a fraction of the oracle price per second, times
  ``FUNDING_RATE_SCALE``, signed;
- a funding index is the funding paid per lot since genesis in ticks times
  ``FUNDING_RATE_SCALE``; a tick adds exactly ``rate * price * seconds`` to
  it, so the index itself never rounds;
- a margin fraction and the liquidation penalty are parts per ``MARGIN_SCALE``.

Nothing rounds but funding settled into collateral and fees, both down for
the account (in the exchange's favour).

Widths, for the circuit: a value is below ``2**COLLATERAL_BITS +
MAX_PERP_MARKETS * 2**(SIZE_BITS + PERP_PRICE_BITS + QUANTUM_BITS)``, under
``2**115``; a requirement is below ``2**135``; so the margin ratio's cross
products (value times requirement) stay under ``2**250``, inside BN254's
scalar field with room for a sign.
"""

from enum import IntEnum

PERP_MARKET_BITS = 2
"""A perpetual market's id is ``< 2**PERP_MARKET_BITS``: at most four markets."""

MAX_PERP_MARKETS = 2**PERP_MARKET_BITS
"""The most perpetual markets a deployment can configure."""

SIZE_BITS = 40
"""A position, an order's amount and a fill are below ``2**SIZE_BITS`` lots in magnitude."""

PERP_PRICE_BITS = 40
"""A perpetual price is below ``2**PERP_PRICE_BITS`` ticks."""

QUANTUM_BITS = 32
"""A market's quantum (collateral units per lot per tick) is in ``[1, 2**QUANTUM_BITS)``."""

COLLATERAL_BITS = 96
"""An account's collateral is below ``2**COLLATERAL_BITS`` in magnitude (as a spot balance is)."""

ORACLE_WINDOW_BITS = 32
"""A deployment's ``oracle_window`` is below ``2**ORACLE_WINDOW_BITS`` seconds (the circuit range-checks it in every perpetual slot)."""

FUNDING_RATE_SCALE = 10**12
"""A funding rate ``r`` is ``r / FUNDING_RATE_SCALE`` of the oracle price per second."""

FUNDING_RATE_BITS = 40
"""A funding rate and a market's maximum rate are below ``2**FUNDING_RATE_BITS`` in magnitude."""

FUNDING_INDEX_BITS = 128
"""A funding index is below ``2**FUNDING_INDEX_BITS`` in magnitude."""

FUNDING_PAYMENT_BITS = 162
"""
A funding payment settled for one position is below ``2**FUNDING_PAYMENT_BITS``
in magnitude: ``2**SIZE_BITS * 2**(FUNDING_INDEX_BITS + 1) * 2**QUANTUM_BITS /
FUNDING_RATE_SCALE`` (the index difference may be twice an index).
"""

VALUE_BITS = 115
"""An account's value is below ``2**VALUE_BITS`` in magnitude: its collateral plus four markets' positions."""

REQUIREMENT_BITS = 135
"""A margin requirement is below ``2**REQUIREMENT_BITS``: four notionals times a fraction."""

MARGIN_SCALE = 10**6
"""Margin fractions and the liquidation penalty are parts per million."""

MARGIN_FRACTION_BITS = 20
"""A margin fraction is below ``2**MARGIN_FRACTION_BITS``."""

PERP_ORDER_MESSAGE_TAG = 3
"""First input of a perpetual order's signed message."""

ORACLE_PRICE_MESSAGE_TAG = 4
"""First input of an oracle's signed price."""

COLLATERAL_TRANSFER_MESSAGE_TAG = 5
"""First input of a transfer between an account's spot balance and its collateral."""


class PerpTxType(IntEnum):
    """The code of each kind of perpetual slot, as published (``public_data_layout.json`` here)."""

    NOOP = 0
    ORACLE_UPDATE = 1
    FUNDING_TICK = 2
    PERP_TRADE = 3
    LIQUIDATION = 4
    DELEVERAGE = 5
    COLLATERAL_TRANSFER = 6
