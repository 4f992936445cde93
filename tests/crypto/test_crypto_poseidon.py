"""Poseidon: known values, agreement with circomlibjs, input checks."""

import random
from collections.abc import Callable
from typing import Any

import pytest

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import MAX_INPUTS, poseidon
from sequencer.crypto.poseidon_reference import LIBRARY_MAX_INPUTS, plain_poseidon
from sequencer.crypto.poseidon_reference import poseidon as library_poseidon

Reference = Callable[[dict[str, Any]], dict[str, Any]]
"""The ``circomlibjs`` fixture (conftest.py): request in, reference answer out."""


def test_known_values() -> None:
    assert poseidon([1, 2]) == 7853200120776062878684798364095072458815029376092732009249414926327459813530
    assert poseidon([1]) == 18586133768512220936620570745912940619677854269274689475585506675881198879027


def test_agrees_with_circomlibjs_for_every_arity(circomlibjs: Reference) -> None:
    rng = random.Random(1)
    edges = [0, 1, 2**64, FIELD_MODULUS - 1]
    cases = [[rng.choice(edges + [rng.randrange(FIELD_MODULUS)]) for _ in range(n)] for n in range(1, MAX_INPUTS + 1)]
    cases += [[rng.randrange(FIELD_MODULUS) for _ in range(n)] for n in range(1, MAX_INPUTS + 1)]
    answer = circomlibjs({"poseidon": [[str(x) for x in case] for case in cases]})
    assert [poseidon(case) for case in cases] == [int(h) for h in answer["poseidon"]]


@pytest.mark.parametrize("count", [0, MAX_INPUTS + 1, 20])
def test_rejects_unsupported_input_counts(count: int) -> None:
    with pytest.raises(ValueError):
        poseidon([1] * count)


def test_plain_form_agrees_with_light_poseidon() -> None:
    """The reference's own permutation (13 to 16 inputs) is the library's where the library applies."""
    rng = random.Random(2)
    for n in range(1, LIBRARY_MAX_INPUTS + 1):
        case = [rng.randrange(FIELD_MODULUS) for _ in range(n)]
        assert plain_poseidon(case) == library_poseidon(case)
    assert MAX_INPUTS == 16


@pytest.mark.parametrize("bad", [FIELD_MODULUS, FIELD_MODULUS + 1, -1, 2**256, 1.0, "1", None])
def test_rejects_values_outside_the_field(bad: object) -> None:
    with pytest.raises(ValueError):
        poseidon([1, bad])  # type: ignore[list-item]
