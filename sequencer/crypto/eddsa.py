"""EdDSA-Poseidon on Baby JubJub, compatible with circomlib and circomlibjs.

Signing follows circomlibjs ``eddsa.js`` (``prv2pub``, ``signPoseidon``) byte
for byte, so both produce the same signature for the same key and message.
Verification accepts ``(R8, S)`` for public key ``A`` and message ``M`` when::

    S * BASE8 == R8 + Poseidon([R8x, R8y, Ax, Ay, M]) * (8 * A)

which is what circomlib's ``EdDSAPoseidonVerifier`` circuit checks. It is at
least as strict as that circuit: it also rejects points that are not on the
curve and values that are not field elements, where the circuit would compute
with them anyway.
"""

from dataclasses import dataclass

from sequencer.crypto.babyjub import (
    IDENTITY,
    SUBGROUP_ORDER,
    add,
    base8_mul,
    is_on_curve,
    mul_by_cofactor,
    scalar_mul,
)
from sequencer.crypto.blake512 import blake512
from sequencer.crypto.field import is_field_element
from sequencer.crypto.poseidon import poseidon


@dataclass(frozen=True)
class PublicKey:
    """A Baby JubJub public key ``A = (ax, ay)``, as stored in an account leaf."""

    ax: int
    ay: int


@dataclass(frozen=True)
class Signature:
    """An EdDSA-Poseidon signature: the point ``R8`` and the scalar ``S``."""

    r8x: int
    r8y: int
    s: int


def _expand_private_key(private_key: bytes) -> tuple[int, bytes]:
    """Return the secret scalar and the nonce prefix of a private key.

    As circomlibjs: hash the key with BLAKE-512, prune the low half (clear the
    3 low bits and the top bit, set bit 254) into the scalar ``s``, keep the
    high half to derive signing nonces.
    """
    digest = bytearray(blake512(private_key))
    digest[0] &= 0xF8
    digest[31] &= 0x7F
    digest[31] |= 0x40
    return int.from_bytes(digest[:32], "little"), bytes(digest[32:])


def private_to_public(private_key: bytes) -> PublicKey:
    """Return the public key of ``private_key`` (circomlibjs ``prv2pub``)."""
    secret, _ = _expand_private_key(private_key)
    ax, ay = base8_mul(secret >> 3)
    return PublicKey(ax, ay)


def sign(private_key: bytes, message: int) -> Signature:
    """Sign a field element (circomlibjs ``signPoseidon``).

    Deterministic: the nonce is BLAKE-512 of the key's nonce prefix and the
    message. Raises ``ValueError`` if ``message`` is not a field element.
    """
    if not is_field_element(message):
        raise ValueError(f"message is not a field element: {message!r}")
    secret, prefix = _expand_private_key(private_key)
    ax, ay = base8_mul(secret >> 3)
    nonce_digest = blake512(prefix + message.to_bytes(32, "little"))
    nonce = int.from_bytes(nonce_digest, "little") % SUBGROUP_ORDER
    r8x, r8y = base8_mul(nonce)
    challenge = poseidon([r8x, r8y, ax, ay, message])
    return Signature(r8x, r8y, (nonce + challenge * secret) % SUBGROUP_ORDER)


def verify(public_key: PublicKey, message: int, signature: Signature) -> bool:
    """Tell whether ``signature`` signs ``message`` under ``public_key``.

    Returns False, never raises, on any malformed input: wrong types, values
    outside the field, ``S >= l``, ``A`` or ``R8`` off the curve, or a public
    key of small order (``8 * A`` is the identity), for which any signature
    with ``R8 = S * BASE8`` would pass the equation.
    """
    if not (isinstance(public_key, PublicKey) and isinstance(signature, Signature)):
        return False
    values = (public_key.ax, public_key.ay, message, signature.r8x, signature.r8y, signature.s)
    if not all(type(value) is int for value in values):
        return False
    return _verify_values(*values)


def _verify_values(ax: int, ay: int, message: int, r8x: int, r8y: int, s: int) -> bool:
    """:func:`verify` on plain integers."""
    key_point = (ax, ay)
    r8 = (r8x, r8y)
    if not (is_field_element(message) and 0 <= s < SUBGROUP_ORDER):
        return False
    if not (is_on_curve(key_point) and is_on_curve(r8)):
        return False
    # The circuit rejects 8*A with x == 0; on the curve 8*A has odd order, so
    # that is exactly 8*A == identity.
    key_times_8 = mul_by_cofactor(key_point)
    if key_times_8 == IDENTITY:
        return False
    challenge = poseidon([r8[0], r8[1], key_point[0], key_point[1], message])
    return base8_mul(s) == add(r8, scalar_mul(key_times_8, challenge))
