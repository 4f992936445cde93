"""Baby JubJub: constants, group law, and both scalar multiplications."""

import random
from collections.abc import Callable
from typing import Any

import pytest

from sequencer.crypto import babyjub
from sequencer.crypto.babyjub import BASE8, IDENTITY, SUBGROUP_ORDER, Point
from sequencer.crypto.field import FIELD_MODULUS

Reference = Callable[[dict[str, Any]], dict[str, Any]]
"""The ``circomlibjs`` fixture (conftest.py): request in, reference answer out."""

P = FIELD_MODULUS


def affine_add(p1: Point, p2: Point) -> Point:
    """The textbook twisted Edwards addition, one inversion per call."""
    (x1, y1), (x2, y2) = p1, p2
    t = babyjub.D * x1 * x2 * y1 * y2
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, P) % P
    y3 = (y1 * y2 - babyjub.A * x1 * x2) * pow(1 - t, -1, P) % P
    return (x3, y3)


def double_and_add(point: Point, scalar: int) -> Point:
    result = IDENTITY
    while scalar:
        if scalar & 1:
            result = affine_add(result, point)
        point = affine_add(point, point)
        scalar >>= 1
    return result


def test_constants_agree_with_circomlibjs(circomlibjs: Reference) -> None:
    reference = circomlibjs({})["babyjub"]
    assert (babyjub.A, babyjub.D) == (int(reference["a"]), int(reference["d"]))
    assert BASE8 == tuple(int(c) for c in reference["base8"])
    assert SUBGROUP_ORDER == int(reference["subOrder"])
    assert babyjub.CURVE_ORDER == int(reference["order"])


def test_group_structure() -> None:
    assert babyjub.is_on_curve(BASE8) and babyjub.is_on_curve(IDENTITY)
    assert babyjub.scalar_mul(BASE8, SUBGROUP_ORDER) == IDENTITY
    # a square and d not: the addition law is complete.
    assert pow(babyjub.A, (P - 1) // 2, P) == 1
    assert pow(babyjub.D, (P - 1) // 2, P) == P - 1


def test_small_order_points(small_order_points: list[Point]) -> None:
    assert len(set(small_order_points)) == 8
    for point in small_order_points:
        assert babyjub.is_on_curve(point)
        assert babyjub.scalar_mul(point, 8) == IDENTITY
        assert babyjub.mul_by_cofactor(point) == IDENTITY
        assert babyjub.add(point, babyjub.scalar_mul(point, 7)) == IDENTITY


SCALARS = [0, 1, 2, 7, 8, 15, 16, 17, 255, 256, SUBGROUP_ORDER - 1, SUBGROUP_ORDER, 2**254 - 1]
SCALARS += [random.Random(3).getrandbits(254) for _ in range(6)]


@pytest.mark.parametrize("scalar", SCALARS)
def test_scalar_multiplications_match_double_and_add(scalar: int, small_order_points: list[Point]) -> None:
    expected = double_and_add(BASE8, scalar)
    assert babyjub.scalar_mul(BASE8, scalar) == expected
    assert babyjub.base8_mul(scalar) == expected
    assert babyjub.mul_by_cofactor(expected) == double_and_add(expected, 8)
    # A point outside the prime-order subgroup: the scalar must not be reduced.
    mixed = affine_add(double_and_add(BASE8, 5), small_order_points[1])
    assert babyjub.scalar_mul(mixed, scalar) == double_and_add(mixed, scalar)


def test_add_matches_textbook_formula_including_special_cases(small_order_points: list[Point]) -> None:
    g = babyjub.base8_mul(123456789)
    negative_g = ((P - g[0]) % P, g[1])
    for p1, p2 in [(g, g), (g, negative_g), (g, IDENTITY), (g, small_order_points[3]), (BASE8, g)]:
        assert babyjub.add(p1, p2) == affine_add(p1, p2)
    assert babyjub.add(g, negative_g) == IDENTITY


def test_is_on_curve_rejects_bad_points() -> None:
    x, y = BASE8
    assert not babyjub.is_on_curve((x, y + 1))
    assert not babyjub.is_on_curve((x + P, y))
    assert not babyjub.is_on_curve((x - P, y))
    assert not babyjub.is_on_curve((0, 1 + P))


def test_scalar_mul_rejects_negative_scalars() -> None:
    with pytest.raises(ValueError):
        babyjub.scalar_mul(BASE8, -1)
