"""EdDSA-Poseidon: agreement with circomlibjs both ways, and the verifier's strictness."""

import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from sequencer.crypto.babyjub import BASE8, SUBGROUP_ORDER, Point, add, base8_mul
from sequencer.crypto.eddsa import PublicKey, Signature, private_to_public, sign, verify
from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon

Reference = Callable[[dict[str, Any]], dict[str, Any]]
"""The ``circomlibjs`` fixture (conftest.py): request in, reference answer out."""

P = FIELD_MODULUS
CIRCOMLIBJS_KEY = bytes.fromhex("0001020304050607080900010203040506070809000102030405060708090001")

_rng = random.Random(4)
KEYS = [CIRCOMLIBJS_KEY, bytes(32), b"\xff" * 32, b"k", _rng.randbytes(64)] + [_rng.randbytes(32) for _ in range(5)]
MESSAGES = [1234, 0, P - 1] + [_rng.randrange(P) for _ in range(7)]

KEY = _rng.randbytes(32)
PUBLIC_KEY = private_to_public(KEY)
MESSAGE = 987654321
SIGNATURE = sign(KEY, MESSAGE)


def as_json(public_key: PublicKey, message: int, signature: Signature) -> dict[str, str]:
    return {
        "ax": str(public_key.ax), "ay": str(public_key.ay), "msg": str(message),
        "r8x": str(signature.r8x), "r8y": str(signature.r8y), "s": str(signature.s),
    }


def small_order_forgery(key_point: Point, message: int) -> tuple[PublicKey, int, Signature]:
    """A "signature" that passes the bare equation for a small-order key."""
    r8 = base8_mul(5)
    return PublicKey(*key_point), message, Signature(r8[0], r8[1], 5)


@pytest.fixture(scope="module")
def reference(circomlibjs: Reference, small_order_points: list[Point]) -> dict[str, Any]:
    python_signatures = [as_json(private_to_public(k), m, sign(k, m)) for k, m in zip(KEYS, MESSAGES, strict=True)]
    tampered = [
        as_json(PUBLIC_KEY, MESSAGE + 1, SIGNATURE),
        as_json(PUBLIC_KEY, MESSAGE, replace(SIGNATURE, s=(SIGNATURE.s + 1) % SUBGROUP_ORDER)),
    ]
    forgery = as_json(*small_order_forgery(small_order_points[4], MESSAGE))
    return circomlibjs({
        "prv2pub": [k.hex() for k in KEYS],
        "sign": [{"prv": k.hex(), "msg": str(m)} for k, m in zip(KEYS, MESSAGES, strict=True)],
        "verify": python_signatures + tampered + [forgery],
    })


def test_circomlibjs_known_public_key() -> None:
    assert private_to_public(CIRCOMLIBJS_KEY) == PublicKey(
        13277427435165878497778222415993513565335242147425444199013288855685581939618,
        13622229784656158136036771217484571176836296686641868549125388198837476602820,
    )


def test_public_keys_agree_with_circomlibjs(reference: dict[str, Any]) -> None:
    assert [private_to_public(k) for k in KEYS] == [PublicKey(int(x), int(y)) for x, y in reference["prv2pub"]]


def test_signatures_agree_with_circomlibjs(reference: dict[str, Any]) -> None:
    for key, message, js in zip(KEYS, MESSAGES, reference["sign"], strict=True):
        js_signature = Signature(int(js["r8x"]), int(js["r8y"]), int(js["s"]))
        assert sign(key, message) == js_signature
        assert verify(private_to_public(key), message, js_signature)


def test_circomlibjs_verifies_python_signatures(reference: dict[str, Any]) -> None:
    *accepted, tampered_message, tampered_s, forgery = reference["verify"]
    assert accepted == [True] * len(KEYS)
    assert (tampered_message, tampered_s) == (False, False)
    # circomlibjs's verifyPoseidon does not reject small-order keys; this verifier must.
    assert forgery is True


def test_sign_and_verify_round_trip() -> None:
    assert verify(PUBLIC_KEY, MESSAGE, SIGNATURE)
    assert sign(KEY, MESSAGE) == SIGNATURE
    assert SIGNATURE != sign(KEY, MESSAGE + 1)


@pytest.mark.parametrize("message", [P, -1, 2**256])
def test_sign_rejects_messages_outside_the_field(message: int) -> None:
    with pytest.raises(ValueError):
        sign(KEY, message)


def test_rejects_tampering() -> None:
    s = SIGNATURE.s
    assert not verify(PUBLIC_KEY, MESSAGE + 1, SIGNATURE)
    assert not verify(PUBLIC_KEY, MESSAGE, replace(SIGNATURE, s=(s + 1) % SUBGROUP_ORDER))
    assert not verify(PUBLIC_KEY, MESSAGE, replace(SIGNATURE, r8x=(P - SIGNATURE.r8x) % P))
    assert not verify(private_to_public(b"other"), MESSAGE, SIGNATURE)


def test_rejects_scalars_outside_the_subgroup_order() -> None:
    # S + l satisfies the curve equation too; the circuit refuses it, so must we.
    assert not verify(PUBLIC_KEY, MESSAGE, replace(SIGNATURE, s=SIGNATURE.s + SUBGROUP_ORDER))
    assert not verify(PUBLIC_KEY, MESSAGE, replace(SIGNATURE, s=SIGNATURE.s - SUBGROUP_ORDER))
    assert not verify(PUBLIC_KEY, MESSAGE, replace(SIGNATURE, s=SUBGROUP_ORDER))


def test_rejects_points_off_the_curve() -> None:
    assert not verify(replace(PUBLIC_KEY, ay=PUBLIC_KEY.ay + 1), MESSAGE, SIGNATURE)
    assert not verify(PUBLIC_KEY, MESSAGE, replace(SIGNATURE, r8y=SIGNATURE.r8y + 1))


def test_rejects_values_outside_the_field() -> None:
    assert not verify(replace(PUBLIC_KEY, ax=PUBLIC_KEY.ax + P), MESSAGE, SIGNATURE)
    assert not verify(PUBLIC_KEY, MESSAGE + P, SIGNATURE)
    assert not verify(PUBLIC_KEY, MESSAGE, replace(SIGNATURE, r8x=SIGNATURE.r8x + P))
    assert not verify(PUBLIC_KEY, -1, SIGNATURE)


def test_rejects_small_order_keys(small_order_points: list[Point]) -> None:
    for key_point in small_order_points:
        assert not verify(*small_order_forgery(key_point, MESSAGE))


def test_accepts_what_the_circuit_accepts_for_keys_with_a_torsion_part(small_order_points: list[Point]) -> None:
    # The circuit only uses 8*A, so A + T (T of small order) is a valid key
    # for any signature whose challenge hashes A + T: build one by hand.
    secret = 123456789
    key_point = add(base8_mul(secret), small_order_points[1])
    nonce = 42
    r8 = base8_mul(nonce)
    challenge = poseidon([r8[0], r8[1], key_point[0], key_point[1], MESSAGE])
    signature = Signature(r8[0], r8[1], (nonce + challenge * 8 * secret) % SUBGROUP_ORDER)
    assert verify(PublicKey(*key_point), MESSAGE, signature)


@pytest.mark.parametrize(
    "arguments",
    [
        (None, MESSAGE, SIGNATURE),
        (PUBLIC_KEY, MESSAGE, None),
        (PUBLIC_KEY, "1", SIGNATURE),
        (PUBLIC_KEY, 1.5, SIGNATURE),
        (PublicKey("1", "2"), MESSAGE, SIGNATURE),  # type: ignore[arg-type]
        (PUBLIC_KEY, MESSAGE, Signature(None, SIGNATURE.r8y, SIGNATURE.s)),  # type: ignore[arg-type]
        (PUBLIC_KEY, MESSAGE, replace(SIGNATURE, s=float(SIGNATURE.s))),  # type: ignore[arg-type]
        (PublicKey(*BASE8), MESSAGE, Signature(0, 0, 0)),
    ],
)
def test_never_raises_on_malformed_input(arguments: tuple[Any, Any, Any]) -> None:
    assert verify(*arguments) is False
