"""
Shared Poseidon and EdDSA-Poseidon vectors, computed by the Python reference.

Run from the repository root to rewrite ``tests/vectors/eddsa_poseidon.json``::

    PYTHONPATH=. .venv/bin/python -m tests.vectors.generate_eddsa

``tests/crypto/test_native.py`` regenerates the file in memory and checks that
it equals the committed one, then checks both implementations (Python's
``sequencer.crypto`` and the Rust ``sequencer.crypto.native``) against it.

Format of ``eddsa_poseidon.json``
---------------------------------

Every integer is a decimal string (field elements do not fit JavaScript
numbers); some are deliberately negative or ``>= p``. The top level holds:

- ``poseidon``: a list of ``{"name", "inputs", "expected"}`` where
  ``expected`` is the hash, or ``null`` when the inputs must be refused with
  ``ValueError`` (an input outside ``[0, p)``, or a count outside 1..12);
- ``eddsa``: a list of ``{"name", "ax", "ay", "message", "r8x", "r8y", "s",
  "expected"}``, ``expected`` being what ``sequencer.crypto.eddsa.verify``
  answers (true or false). Valid signatures come from ``eddsa.sign``;
  invalid ones tamper with one of them (wrong message or key, ``S >= l``,
  ``S + l``, points off the curve or swapped, values outside the field, keys
  of small order, a zero signature).

Keys are fixed byte strings, never from a random source; random messages and
Poseidon inputs come from ``random.Random(SEED)``.
"""

import json
import random
from pathlib import Path
from typing import Any

from sequencer.crypto.babyjub import (
    IDENTITY,
    SUBGROUP_ORDER,
    Point,
    add,
    base8_mul,
    is_on_curve,
    scalar_mul,
)
from sequencer.crypto.eddsa import PublicKey, Signature, private_to_public, sign, verify
from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon_reference import MAX_INPUTS, poseidon

VECTORS_PATH = Path(__file__).with_name("eddsa_poseidon.json")
SEED = 20261201
P = FIELD_MODULUS
L = SUBGROUP_ORDER

CIRCOMLIBJS_KEY = bytes.fromhex("0001020304050607080900010203040506070809000102030405060708090001")
KEYS = [CIRCOMLIBJS_KEY, bytes(32), b"\xff" * 32, b"k"] + [(i + 1).to_bytes(32, "big") for i in range(4)]

GENERATOR: Point = (
    995203441582195749578291179787384436505546430278305826713579947235728471134,
    5472060717959818805561601436314318772137091100104008585924551046643952123905,
)
"""circomlib's ``Generator`` of the whole curve group (order ``8 * l``); ``BASE8 = 8 * GENERATOR``."""

Json = dict[str, Any]


def small_order_points() -> list[Point]:
    """The eight points of order dividing 8, ``k * (l * GENERATOR)``, identity first."""
    torsion = scalar_mul(GENERATOR, L)
    points = [scalar_mul(torsion, k) for k in range(8)]
    assert points[0] == IDENTITY and len(set(points)) == 8 and all(is_on_curve(q) for q in points)
    return points


def poseidon_case(name: str, inputs: list[int]) -> Json:
    try:
        expected: str | None = str(poseidon(inputs))
    except ValueError:
        expected = None
    return {"name": name, "inputs": [str(value) for value in inputs], "expected": expected}


def poseidon_cases(rng: random.Random) -> list[Json]:
    cases = [
        poseidon_case("known [1]", [1]),
        poseidon_case("known [1, 2]", [1, 2]),
        poseidon_case("zero", [0]),
    ]
    for arity in range(1, 7):
        cases.append(poseidon_case(f"counting {arity}", list(range(1, arity + 1))))
        cases.append(poseidon_case(f"random {arity}", [rng.randrange(P) for _ in range(arity)]))
        cases.append(poseidon_case(f"p - 1 x {arity}", [P - 1] * arity))
        cases.append(poseidon_case(f"p in last of {arity}", [0] * (arity - 1) + [P]))
    for arity in range(7, MAX_INPUTS + 1):
        cases.append(poseidon_case(f"random {arity}", [rng.randrange(P) for _ in range(arity)]))
    cases += [
        poseidon_case("p", [P]),
        poseidon_case("negative", [-1]),
        poseidon_case("2^256", [2**256]),
        poseidon_case("no inputs", []),
        poseidon_case(f"{MAX_INPUTS + 1} inputs", list(range(MAX_INPUTS + 1))),
        poseidon_case("16 inputs", list(range(16))),
    ]
    return cases


def eddsa_case(name: str, key: PublicKey, message: int, signature: Signature) -> Json:
    return {
        "name": name,
        "ax": str(key.ax),
        "ay": str(key.ay),
        "message": str(message),
        "r8x": str(signature.r8x),
        "r8y": str(signature.r8y),
        "s": str(signature.s),
        "expected": verify(key, message, signature),
    }


def torsion_key_signature(torsion: Point, message: int) -> tuple[PublicKey, Signature]:
    """A key ``secret * BASE8 + torsion`` and a valid signature of ``message``.

    The circuit and the verifier only use ``8 * A``, so such a key is accepted
    (as ``test_crypto_eddsa`` checks); signed by hand since ``sign`` derives
    the key from a private key.
    """
    secret, nonce = 123456789, 42
    key_point = add(base8_mul(secret), torsion)
    r8 = base8_mul(nonce)
    challenge = poseidon([r8[0], r8[1], key_point[0], key_point[1], message])
    return PublicKey(*key_point), Signature(r8[0], r8[1], (nonce + challenge * 8 * secret) % L)


def eddsa_cases(rng: random.Random) -> list[Json]:
    messages = [1234, 0, P - 1, 1] + [rng.randrange(P) for _ in range(len(KEYS) - 4)]
    cases = []
    for index, (private_key, message) in enumerate(zip(KEYS, messages, strict=True)):
        cases.append(eddsa_case(f"valid {index}", private_to_public(private_key), message, sign(private_key, message)))

    key = private_to_public(KEYS[4])
    other_key = private_to_public(KEYS[5])
    message = 987654321
    sig = sign(KEYS[4], message)
    s, r8x, r8y = sig.s, sig.r8x, sig.r8y

    def tampered(name: str, public_key: PublicKey = key, msg: int = message, **fields: int) -> Json:
        values = {"r8x": r8x, "r8y": r8y, "s": s} | fields
        return eddsa_case(name, public_key, msg, Signature(**values))

    cases += [
        tampered("the base signature"),
        tampered("wrong message", msg=message + 1),
        tampered("wrong key", public_key=other_key),
        tampered("S + 1", s=(s + 1) % L),
        tampered("S = l", s=L),
        tampered("S = l - 1", s=L - 1),
        tampered("S + l (malleability)", s=s + L),
        tampered("S - l", s=s - L),
        tampered("S = p - 1", s=P - 1),
        tampered("S = 2^256", s=2**256),
        tampered("S = -1", s=-1),
        tampered("R8 off the curve", r8y=(r8y + 1) % P),
        tampered("A off the curve", public_key=PublicKey(key.ax, (key.ay + 1) % P)),
        tampered("R8 negated", r8x=(P - r8x) % P),
        tampered("R8 swapped", r8x=r8y, r8y=r8x),
        tampered("A swapped", public_key=PublicKey(key.ay, key.ax)),
        tampered("R8x + p", r8x=r8x + P),
        tampered("R8y + p", r8y=r8y + P),
        tampered("Ax + p", public_key=PublicKey(key.ax + P, key.ay)),
        tampered("Ay + p", public_key=PublicKey(key.ax, key.ay + P)),
        tampered("message + p", msg=message + P),
        tampered("message = p", msg=P),
        tampered("message = -1", msg=-1),
        tampered("R8 = identity", r8x=0, r8y=1),
        tampered("R8 plus a point of order 2", r8x=(P - r8x) % P, r8y=(P - r8y) % P),
        tampered("zero signature", r8x=0, r8y=0, s=0),
        tampered("identity signature", r8x=0, r8y=1, s=0),
        eddsa_case("all zero", PublicKey(0, 0), 0, Signature(0, 0, 0)),
    ]

    # Keys of small order: S * BASE8 == R8 + c * (8 * A) holds for R8 = S * BASE8.
    forged_r8 = base8_mul(5)
    for order_index, point in enumerate(small_order_points()):
        cases.append(eddsa_case(f"small-order key {order_index}", PublicKey(*point), message, Signature(*forged_r8, 5)))
    torsion = small_order_points()[1]
    torsion_key, torsion_signature = torsion_key_signature(torsion, message)
    cases.append(eddsa_case("key with a torsion part", torsion_key, message, torsion_signature))
    r8_with_torsion = add((r8x, r8y), torsion)
    cases.append(tampered("R8 with a torsion part", r8x=r8_with_torsion[0], r8y=r8_with_torsion[1]))
    return cases


def build_vectors() -> Json:
    rng = random.Random(SEED)
    return {"poseidon": poseidon_cases(rng), "eddsa": eddsa_cases(rng)}


def main() -> None:
    VECTORS_PATH.write_text(json.dumps(build_vectors(), indent=1) + "\n")


if __name__ == "__main__":
    main()
