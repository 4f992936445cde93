"""circomlib's Poseidon hash over the BN254 scalar field.

For 1 to 12 inputs it is backed by the Rust ``light-poseidon`` package (PyPI
``light-poseidon==0.1.1``, module ``light_poseidon_python``), whose parameters
match circomlib's ``Poseidon(n)`` template and circomlibjs ``buildPoseidon``.
Its integer entry point only takes 64-bit inputs, so field elements are passed
as 32-byte big-endian strings. light-poseidon stops at 12 inputs; for 13 to 16
(an account leaf hashes 14) :func:`plain_poseidon` below computes the plain
permutation from circomlibjs's own round constants and MDS matrices
(``poseidon_constants.json`` of the npm package pinned by
``package-lock.json``); ``tests/crypto/test_crypto_poseidon.py`` checks that it
agrees with light-poseidon where both apply.
"""

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from light_poseidon_python import Hasher

from sequencer.crypto.field import FIELD_MODULUS, is_field_element

MAX_INPUTS = 16
"""The most inputs circomlib's Poseidon takes."""

LIBRARY_MAX_INPUTS = 12
"""The most inputs light-poseidon takes; above it :func:`plain_poseidon` hashes."""

FULL_ROUNDS = 8
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
"""Partial rounds for 1, 2, ... inputs (circomlib's ``N_ROUNDS_P``)."""

CONSTANTS_FILE = Path(__file__).resolve().parents[2] / "node_modules" / "circomlibjs" / "src" / "poseidon_constants.json"

# One hasher per arity, built once: building one costs about as much as hashing.
_HASHERS = {arity: Hasher(arity) for arity in range(1, LIBRARY_MAX_INPUTS + 1)}


def poseidon(inputs: Sequence[int]) -> int:
    """Return ``Poseidon([x1, ..., xn])`` as circomlib computes it.

    Raises ``ValueError`` unless there are 1 to ``MAX_INPUTS`` inputs and each
    is an integer in ``[0, p)``: inputs are never reduced silently, so two
    different integer lists never share a hash by accident.
    """
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise ValueError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {len(inputs)}")
    for value in inputs:
        if not is_field_element(value):
            raise ValueError(f"Poseidon input is not a field element: {value!r}")
    hasher = _HASHERS.get(len(inputs))
    if hasher is None:
        return plain_poseidon(inputs)
    digest: str = hasher.hash_bytes_be([value.to_bytes(32, "big") for value in inputs])
    return int(digest, 16)


@cache
def _width_constants(width: int) -> tuple[list[int], list[list[int]]]:
    """circomlibjs's round constants (flat, ``width`` per round) and MDS matrix for a state of ``width``."""
    constants = json.loads(CONSTANTS_FILE.read_text())
    round_constants = [int(value, 16) for value in constants["C"][width - 2]]
    matrix = [[int(value, 16) for value in row] for row in constants["M"][width - 2]]
    return round_constants, matrix


def plain_poseidon(inputs: Sequence[int]) -> int:
    """
    Poseidon of 1 to 16 field elements in its plain form: state ``[0, inputs...]``;
    each round adds its constants, raises every element (full rounds: the first
    and last four) or the first one (partial rounds) to the fifth power and
    multiplies by the MDS matrix; the hash is the state's first element.
    """
    width = len(inputs) + 1
    round_constants, matrix = _width_constants(width)
    partial = PARTIAL_ROUNDS[width - 2]
    state = [0, *inputs]
    for round_ in range(FULL_ROUNDS + partial):
        state = [(value + round_constants[round_ * width + i]) % FIELD_MODULUS for i, value in enumerate(state)]
        full = round_ < FULL_ROUNDS // 2 or round_ >= FULL_ROUNDS // 2 + partial
        state = [pow(value, 5, FIELD_MODULUS) if full or i == 0 else value for i, value in enumerate(state)]
        state = [sum(m * value for m, value in zip(row, state)) % FIELD_MODULUS for row in matrix]
    return state[0]
