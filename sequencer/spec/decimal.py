"""
Decimal floats: how a trade publishes its fill and its price in five bytes each.

A value ``v`` is published as a mantissa ``m < 2**DECIMAL_MANTISSA_BITS`` and
a power of ten ``e < 2**DECIMAL_EXPONENT_BITS`` with ``v == m * 10**e``
exactly, packed into one integer as ``e * 2**DECIMAL_MANTISSA_BITS + m``.
Nothing is rounded: a value with no such form is not encodable, and the
spec refuses a trade that would publish one (``FillNotEncodable``,
``PriceNotEncodable``). Amounts in a market's lots and prices in its ticks
are encodable whenever they are small multiples of a power of ten, which is
how markets are configured (``sequencer/engine/market.py``).

Each value has one encoding, its canonical one: the smallest ``e`` for which
``v // 10**e`` fits the mantissa. So ``e == 0`` or ``10 * m >= 2**MANTISSA_BITS``,
which the circuit checks (``circuits/lib/decimal.circom``) and
:func:`unpack_decimal` requires.
"""

from functools import lru_cache

from .constants import DECIMAL_EXPONENT_BITS, DECIMAL_MANTISSA_BITS

MANTISSA_LIMIT = 1 << DECIMAL_MANTISSA_BITS
"""Every mantissa is below this."""

EXPONENT_LIMIT = 1 << DECIMAL_EXPONENT_BITS
"""Every power of ten is below this."""

DECIMAL_BITS = DECIMAL_MANTISSA_BITS + DECIMAL_EXPONENT_BITS
"""The width of a packed decimal float."""


def decimal_form(value: int) -> tuple[int, int] | None:
    """
    The canonical ``(mantissa, exponent)`` of ``value``, or None if it has none:
    the smallest exponent whose quotient fits the mantissa, if it divides
    ``value`` (every digit divided away is a zero).
    """
    if value < 0:
        return None
    exponent = 0
    while value >= MANTISSA_LIMIT:
        if value % 10 or exponent == EXPONENT_LIMIT - 1:
            return None
        value //= 10
        exponent += 1
    return value, exponent


@lru_cache(maxsize=1 << 14)
def is_encodable(value: int) -> bool:
    """Whether ``value`` has a decimal float form (kept for the values seen last: a book repeats its prices)."""
    return decimal_form(value) is not None


def pack_decimal(value: int) -> int:
    """``value``'s canonical form packed as ``exponent * 2**DECIMAL_MANTISSA_BITS + mantissa`` (``ValueError`` if none)."""
    form = decimal_form(value)
    if form is None:
        raise ValueError(f"{value} is not a decimal float of a {DECIMAL_MANTISSA_BITS}-bit mantissa")
    mantissa, exponent = form
    return exponent * MANTISSA_LIMIT + mantissa


def unpack_decimal(packed: int) -> int:
    """The value a packed decimal float stands for; ``ValueError`` unless the packing is canonical."""
    if not 0 <= packed < 1 << DECIMAL_BITS:
        raise ValueError(f"{packed} is not a {DECIMAL_BITS}-bit decimal float")
    exponent, mantissa = divmod(packed, MANTISSA_LIMIT)
    if exponent != 0 and 10 * mantissa < MANTISSA_LIMIT:
        raise ValueError(f"{packed} is not the canonical form of {mantissa * 10**exponent}")
    return int(mantissa * 10**exponent)
