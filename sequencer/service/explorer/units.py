"""
Amounts and prices as people read them: in tokens, not in base units.

A balance or an amount is an integer of base units; a token with ``d``
decimals shows ``value / 10**d``. A price is quote base units per base base
unit times ``PRICE_SCALE``, so a price in quote tokens per base token is
``price * 10**base_decimals / (PRICE_SCALE * 10**quote_decimals)``. Both
are written exactly when they end within ``places`` decimals, and rounded
down to ``places`` otherwise. ``static/explorer.js`` formats the live
feed's numbers the same way (``tests/service/test_explorer.py`` checks both
on the same values).
"""

from dataclasses import dataclass

from sequencer.spec.constants import PRICE_SCALE

DEFAULT_DECIMALS = 18
"""A token's decimals when the markets file does not give them (as the development tokens')."""

AMOUNT_PLACES = 8
"""Decimals shown for an amount of tokens at most (the rest is cut, not rounded up)."""

PRICE_PLACES = 8
"""Decimals shown for a price at most."""


@dataclass(frozen=True)
class TokenLabel:
    """How a token is shown: its symbol and its number of decimals."""

    symbol: str
    decimals: int


def decimal_text(numerator: int, denominator: int, places: int) -> str:
    """
    ``numerator / denominator`` (both non-negative, ``denominator > 0``) in
    decimal, rounded down to ``places`` decimals, without trailing zeros,
    with a comma between each three digits of the integer part.
    """
    scaled = numerator * 10**places // denominator
    whole, fraction = divmod(scaled, 10**places)
    digits = str(fraction).rjust(places, "0").rstrip("0") if places else ""
    return f"{whole:,}" + (f".{digits}" if digits else "")


def token_amount(value: int, token: TokenLabel) -> str:
    """``value`` base units in ``token``'s units, e.g. ``1,250.5``."""
    return decimal_text(value, 10**token.decimals, AMOUNT_PLACES)


def price_text(price: int, base: TokenLabel, quote: TokenLabel) -> str:
    """A price as quote tokens per base token, e.g. ``2,000.25``."""
    return decimal_text(price * 10**base.decimals, PRICE_SCALE * 10**quote.decimals, PRICE_PLACES)
