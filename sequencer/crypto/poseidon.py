"""
circomlib's Poseidon over the BN254 scalar field: the hash of every state
leaf, Merkle node, signed message and public-data chain of the protocol.

Computed by the ``matchproof_native`` extension (``native/src/hash.rs``) in the
optimised form circomlib's circuit uses (sparse partial rounds, circomlibjs's
constants), several times faster than the plain form. It is checked against
two independent implementations: ``poseidon_reference.py`` (light-poseidon,
the plain form) on random and edge inputs, and circomlibjs itself
(``tests/crypto/test_crypto_poseidon.py``).
"""

from collections.abc import Sequence

import matchproof_native

MAX_INPUTS: int = matchproof_native.POSEIDON_MAX_INPUTS
"""The most inputs supported: 16, as circomlib (an account leaf hashes 15)."""


def poseidon(inputs: Sequence[int]) -> int:
    """Return ``Poseidon([x1, ..., xn])`` as circomlib computes it.

    Raises ``ValueError`` unless there are 1 to ``MAX_INPUTS`` inputs and each
    is an integer in ``[0, p)``: inputs are never reduced silently, so two
    different integer lists never share a hash by accident.
    """
    return matchproof_native.poseidon(list(inputs))


def poseidon_many(rows: Sequence[Sequence[int]]) -> list[int]:
    """Return ``[poseidon(row) for row in rows]``, hashed in parallel on all cores without the GIL.

    Raises ``ValueError`` as :func:`poseidon` does, before hashing anything.
    """
    return matchproof_native.poseidon_many([list(row) for row in rows])
