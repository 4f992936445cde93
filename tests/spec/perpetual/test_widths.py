"""
The widths of ``sequencer/spec/perpetual/constants.py`` bound what the
circuit computes: every product it compares stays far enough below the
field's modulus that equal in the field means equal as integers.
"""

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.spec.perpetual.constants import (
    COLLATERAL_BITS,
    FUNDING_INDEX_BITS,
    FUNDING_PAYMENT_BITS,
    FUNDING_RATE_SCALE,
    MARGIN_FRACTION_BITS,
    MARGIN_SCALE,
    MAX_PERP_MARKETS,
    PERP_PRICE_BITS,
    QUANTUM_BITS,
    REQUIREMENT_BITS,
    SIZE_BITS,
    VALUE_BITS,
)

POSITION_VALUE = 2 ** (SIZE_BITS + PERP_PRICE_BITS + QUANTUM_BITS)
"""The largest value of one position: size times price times quantum."""


def test_a_funding_payment_fits_its_width() -> None:
    owed = 2**SIZE_BITS * 2 ** (FUNDING_INDEX_BITS + 1) * 2**QUANTUM_BITS
    assert owed // FUNDING_RATE_SCALE + 1 <= 2**FUNDING_PAYMENT_BITS
    assert FUNDING_RATE_SCALE < 2**40  # the circuit range-checks the remainder to 40 bits
    assert 2**FUNDING_PAYMENT_BITS * FUNDING_RATE_SCALE < FIELD_MODULUS // 2


def test_a_value_and_a_requirement_fit_theirs() -> None:
    assert 2**COLLATERAL_BITS + MAX_PERP_MARKETS * POSITION_VALUE <= 2**VALUE_BITS
    assert MAX_PERP_MARKETS * POSITION_VALUE * 2**MARGIN_FRACTION_BITS <= 2**REQUIREMENT_BITS
    assert 2**VALUE_BITS * MARGIN_SCALE <= 2 ** (REQUIREMENT_BITS + 1)


def test_the_ratios_cross_products_fit_the_circuits_comparator() -> None:
    """``SignedLessEq(VALUE_BITS + REQUIREMENT_BITS)`` needs LessEqThan of one bit more, at most 252."""
    assert VALUE_BITS + REQUIREMENT_BITS + 1 <= 252
    assert 2 ** (VALUE_BITS + REQUIREMENT_BITS + 1) < FIELD_MODULUS
