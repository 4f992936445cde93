"""The Rust extension agrees with the references.

EdDSA: ``sequencer.crypto.native`` against the readable Python reference
(``eddsa.py``); Poseidon: the optimised native hasher (``poseidon.py``)
against the plain form of another implementation (``poseidon_reference.py``).
Both are checked against the committed vectors (``tests/vectors/eddsa_poseidon.json``,
generated from the references), then against each other on random tampering.
"""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequencer.crypto import eddsa, native
from sequencer.crypto import poseidon as native_poseidon
from sequencer.crypto import poseidon_reference as reference_poseidon
from sequencer.crypto.babyjub import BASE8, SUBGROUP_ORDER, Point
from sequencer.crypto.eddsa import PublicKey, Signature, private_to_public, sign
from sequencer.crypto.field import FIELD_MODULUS
from tests.vectors.generate_eddsa import VECTORS_PATH, build_vectors

P = FIELD_MODULUS
L = SUBGROUP_ORDER
VECTORS: dict[str, Any] = json.loads(VECTORS_PATH.read_text())

KEY = b"native test key"
PUBLIC_KEY = private_to_public(KEY)
MESSAGE = 424242
SIGNATURE = sign(KEY, MESSAGE)

Triple = tuple[PublicKey, Any, Signature]


def decode_eddsa(case: dict[str, Any]) -> Triple:
    key = PublicKey(int(case["ax"]), int(case["ay"]))
    signature = Signature(int(case["r8x"]), int(case["r8y"]), int(case["s"]))
    return key, int(case["message"]), signature


def both_verify(key: Any, message: Any, signature: Any) -> bool:
    """What both verifiers answer; fails the test if they disagree."""
    expected = eddsa.verify(key, message, signature)
    assert native.verify(key, message, signature) is expected, (key, message, signature)
    return expected


def test_committed_vectors_equal_a_fresh_generation() -> None:
    """Run ``PYTHONPATH=. .venv/bin/python -m tests.vectors.generate_eddsa`` if this fails."""
    assert build_vectors() == VECTORS


def test_vectors_cover_valid_and_invalid_cases() -> None:
    eddsa_cases = VECTORS["eddsa"]
    assert len({case["name"] for case in eddsa_cases}) == len(eddsa_cases)
    assert sum(case["expected"] for case in eddsa_cases) >= 8
    assert sum(not case["expected"] for case in eddsa_cases) >= 30
    arities = {len(case["inputs"]) for case in VECTORS["poseidon"] if case["expected"] is not None}
    assert arities == set(range(1, native_poseidon.MAX_INPUTS + 1))


def test_vectors_hold_every_small_order_point(small_order_points: list[Point]) -> None:
    keys = {(int(case["ax"]), int(case["ay"])) for case in VECTORS["eddsa"] if case["name"].startswith("small-order key")}
    assert keys == set(small_order_points)


def test_poseidon_known_values() -> None:
    assert native_poseidon.poseidon([1, 2]) == 7853200120776062878684798364095072458815029376092732009249414926327459813530
    assert native_poseidon.poseidon([1]) == 18586133768512220936620570745912940619677854269274689475585506675881198879027


@pytest.mark.parametrize("case", VECTORS["poseidon"], ids=lambda case: case["name"])
def test_poseidon_vectors(case: dict[str, Any]) -> None:
    inputs = [int(value) for value in case["inputs"]]
    if case["expected"] is None:
        with pytest.raises(ValueError):
            reference_poseidon.poseidon(inputs)
        with pytest.raises(ValueError):
            native_poseidon.poseidon(inputs)
    else:
        assert reference_poseidon.poseidon(inputs) == int(case["expected"])
        assert native_poseidon.poseidon(inputs) == int(case["expected"])


@pytest.mark.parametrize("arity", range(1, 7))
def test_poseidon_field_edges(arity: int) -> None:
    edge = [P - 1] * arity
    assert native_poseidon.poseidon(edge) == reference_poseidon.poseidon(edge)
    for position in range(arity):
        for bad in (P, -1, 2**256):
            inputs = edge[:position] + [bad] + edge[position + 1 :]
            with pytest.raises(ValueError):
                native_poseidon.poseidon(inputs)


@pytest.mark.parametrize("inputs", [["1"], [1.0], [None], [1, "2"]])
def test_poseidon_refuses_non_integers(inputs: list[Any]) -> None:
    with pytest.raises(ValueError):
        reference_poseidon.poseidon(inputs)
    with pytest.raises(ValueError):
        native_poseidon.poseidon(inputs)


@pytest.mark.parametrize("case", VECTORS["eddsa"], ids=lambda case: case["name"])
def test_eddsa_vectors(case: dict[str, Any]) -> None:
    key, message, signature = decode_eddsa(case)
    assert eddsa.verify(key, message, signature) is case["expected"]
    assert native.verify(key, message, signature) is case["expected"]


@pytest.mark.parametrize(
    "arguments",
    [
        (None, MESSAGE, SIGNATURE),
        (PUBLIC_KEY, MESSAGE, None),
        ((PUBLIC_KEY.ax, PUBLIC_KEY.ay), MESSAGE, SIGNATURE),
        (PUBLIC_KEY, MESSAGE, (SIGNATURE.r8x, SIGNATURE.r8y, SIGNATURE.s)),
        (PUBLIC_KEY, "1", SIGNATURE),
        (PUBLIC_KEY, str(MESSAGE), SIGNATURE),
        (PUBLIC_KEY, float(MESSAGE), SIGNATURE),
        (PUBLIC_KEY, None, SIGNATURE),
        (PublicKey("1", "2"), MESSAGE, SIGNATURE),  # type: ignore[arg-type]
        (PublicKey(str(PUBLIC_KEY.ax), PUBLIC_KEY.ay), MESSAGE, SIGNATURE),  # type: ignore[arg-type]
        (PUBLIC_KEY, MESSAGE, Signature(None, SIGNATURE.r8y, SIGNATURE.s)),  # type: ignore[arg-type]
        (PUBLIC_KEY, MESSAGE, replace(SIGNATURE, s=float(SIGNATURE.s))),  # type: ignore[arg-type]
        (PUBLIC_KEY, MESSAGE, replace(SIGNATURE, s=str(SIGNATURE.s))),  # type: ignore[arg-type]
        (PublicKey(*BASE8), MESSAGE, Signature(0, 0, 0)),
    ],
)
def test_malformed_input_is_false_in_both(arguments: tuple[Any, Any, Any]) -> None:
    assert both_verify(*arguments) is False


class Integer(int):
    """A subclass of int, which the reference may treat differently from int."""


@pytest.mark.parametrize("convert", [bool, Integer], ids=["bool", "int subclass"])
def test_integer_subclasses_get_the_same_answer(convert: Any) -> None:
    signature = sign(KEY, 1)
    for message in (convert(1), convert(0)):
        both_verify(PUBLIC_KEY, message, signature)
    both_verify(PublicKey(convert(PUBLIC_KEY.ax), PUBLIC_KEY.ay), 1, signature)
    both_verify(PUBLIC_KEY, 1, replace(signature, s=convert(signature.s)))
    assert native_poseidon.poseidon([convert(1)]) == reference_poseidon.poseidon([convert(1)])


def test_valid_signatures_of_several_keys() -> None:
    for index in range(6):
        private_key = index.to_bytes(4, "big") * 8
        for message in (0, 1, index * 1_000_003, P - 1 - index):
            assert both_verify(private_to_public(private_key), message, sign(private_key, message)) is True


def test_verify_many_equals_single_verifies() -> None:
    items: list[Triple] = [decode_eddsa(case) for case in VECTORS["eddsa"]]
    items += [
        (None, MESSAGE, SIGNATURE),  # type: ignore[list-item]
        (PUBLIC_KEY, "1", SIGNATURE),
        (PUBLIC_KEY, MESSAGE, None),  # type: ignore[list-item]
        (PUBLIC_KEY, MESSAGE, SIGNATURE),
    ]
    assert native.verify_many(items) == [eddsa.verify(*item) for item in items]
    assert native.verify_many(items) == [native.verify(*item) for item in items]
    assert native.verify_many([]) == []
    assert native.verify_many(iter(items[:3])) == [eddsa.verify(*item) for item in items[:3]]


def test_a_key_verified_again_gets_the_same_answers(small_order_points: list[Point]) -> None:
    """The native verifier keeps each key's precomputed multiples: reused, they change no answer."""
    signed = [(PUBLIC_KEY, message, sign(KEY, message)) for message in range(6)]
    for _ in range(3):
        for key, message, signature in signed:
            assert both_verify(key, message, signature) is True
            assert both_verify(key, message + 1, signature) is False
        for point in small_order_points:
            assert both_verify(PublicKey(*point), MESSAGE, SIGNATURE) is False


def test_verify_many_of_a_large_batch() -> None:
    signed = [(private_to_public(KEY), message, sign(KEY, message)) for message in range(40)]
    items = [(key, message + (index % 3 == 0), signature) for index, (key, message, signature) in enumerate(signed)]
    assert native.verify_many(items * 10) == [index % 3 != 0 for index in range(40)] * 10


def test_verify_many_refuses_items_that_are_not_triples() -> None:
    with pytest.raises((TypeError, ValueError)):
        native.verify_many([(PUBLIC_KEY, MESSAGE)])  # type: ignore[list-item]


# Random tampering: one value of a valid (key, message, signature) is replaced.

FIELDS = ("ax", "ay", "message", "r8x", "r8y", "s")
VALID = [decode_eddsa(case) for case in VECTORS["eddsa"] if case["expected"]]


def near(value: int) -> st.SearchStrategy[int]:
    """Integers around the interesting edges and around ``value``."""
    edges = [0, 1, L - 1, L, P - 1, P, 2**254, 2**256]
    return st.one_of(
        st.sampled_from(edges).flatmap(lambda edge: st.integers(edge - 3, edge + 3)),
        st.integers(-3, 3).map(lambda delta: value + delta),
        st.integers(-3, 3).map(lambda delta: value + delta * L),
        st.integers(-3, 3).map(lambda delta: value + delta * P),
        st.integers(-(2**300), 2**300),
        st.integers(0, P - 1),
    )


@st.composite
def tampered(draw: st.DrawFn) -> Triple:
    key, message, signature = draw(st.sampled_from(VALID))
    values = dict(zip(FIELDS, (key.ax, key.ay, message, signature.r8x, signature.r8y, signature.s), strict=True))
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
        choice = draw(st.sampled_from(["near", "swap", "negate", "other"]))
        if choice == "near":
            values[field] = draw(near(values[field]))
        elif choice == "swap":
            values[field] = values[draw(st.sampled_from(FIELDS))]
        elif choice == "negate":
            values[field] = (-values[field]) % P
        else:
            values[field] = draw(st.sampled_from([None, str(values[field]), float(values[field] % 2**53), True]))
    return (
        PublicKey(values["ax"], values["ay"]),
        values["message"],
        Signature(values["r8x"], values["r8y"], values["s"]),
    )


@settings(derandomize=True, database=None, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tampered())
def test_tampering_gets_the_same_answer(item: Triple) -> None:
    both_verify(*item)


@settings(derandomize=True, database=None, max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.integers(0, P - 1))
def test_fresh_signatures_pass_both(private_key: bytes, message: int) -> None:
    assert both_verify(private_to_public(private_key), message, sign(private_key, message)) is True


@settings(derandomize=True, database=None, max_examples=100, deadline=None)
@given(st.lists(st.integers(0, P - 1), min_size=1, max_size=native_poseidon.MAX_INPUTS))
def test_poseidon_agrees_on_random_inputs(inputs: list[int]) -> None:
    assert native_poseidon.poseidon(inputs) == reference_poseidon.poseidon(inputs)


@settings(derandomize=True, database=None, max_examples=20, deadline=None)
@given(st.lists(tampered(), max_size=12))
def test_verify_many_agrees_on_tampered_batches(items: list[Triple]) -> None:
    assert native.verify_many(items) == [eddsa.verify(*item) for item in items]


@settings(derandomize=True, database=None, max_examples=20, deadline=None)
@given(st.lists(st.lists(st.integers(0, P - 1), min_size=1, max_size=native_poseidon.MAX_INPUTS), max_size=16))
def test_poseidon_many_agrees_row_by_row(rows: list[list[int]]) -> None:
    assert native_poseidon.poseidon_many(rows) == [reference_poseidon.poseidon(row) for row in rows]


@pytest.mark.parametrize("bad_row", [[], [P], [-1], [1] * (native_poseidon.MAX_INPUTS + 1)])
def test_poseidon_many_refuses_a_bad_row(bad_row: list[int]) -> None:
    with pytest.raises(ValueError):
        native_poseidon.poseidon_many([[1, 2], bad_row])


def test_committed_poseidon_constants_equal_circomlibjs() -> None:
    """Run ``.venv/bin/python native/tools/gen_poseidon_constants.py`` if this fails."""
    tool = Path(__file__).resolve().parents[2] / "native" / "tools" / "gen_poseidon_constants.py"
    assert subprocess.run([sys.executable, str(tool), "--check"], check=False).returncode == 0
