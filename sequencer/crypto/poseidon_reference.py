"""circomlib's Poseidon hash over the BN254 scalar field.

Backed by the Rust ``light-poseidon`` package (PyPI ``light-poseidon==0.1.1``,
module ``light_poseidon_python``), whose parameters match circomlib's
``Poseidon(n)`` template and circomlibjs ``buildPoseidon`` for 1 to 12 inputs.
Its integer entry point only takes 64-bit inputs, so field elements are passed
as 32-byte big-endian strings.
"""

from collections.abc import Sequence

from light_poseidon_python import Hasher

from sequencer.crypto.field import is_field_element

MAX_INPUTS = 12
"""The most inputs the backing library supports (circomlib goes up to 16)."""

# One hasher per arity, built once: building one costs about as much as hashing.
_HASHERS = {arity: Hasher(arity) for arity in range(1, MAX_INPUTS + 1)}


def poseidon(inputs: Sequence[int]) -> int:
    """Return ``Poseidon([x1, ..., xn])`` as circomlib computes it.

    Raises ``ValueError`` unless there are 1 to ``MAX_INPUTS`` inputs and each
    is an integer in ``[0, p)``: inputs are never reduced silently, so two
    different integer lists never share a hash by accident.
    """
    hasher = _HASHERS.get(len(inputs))
    if hasher is None:
        raise ValueError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {len(inputs)}")
    for value in inputs:
        if not is_field_element(value):
            raise ValueError(f"Poseidon input is not a field element: {value!r}")
    digest: str = hasher.hash_bytes_be([value.to_bytes(32, "big") for value in inputs])
    return int(digest, 16)
