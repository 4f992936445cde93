"""Type stub of the Rust extension built from native/ (see native/src/lib.rs).

Use it through ``sequencer.crypto.native``, which takes the dataclasses of
``sequencer.crypto.eddsa``.
"""

from collections.abc import Iterable, Sequence

POSEIDON_MAX_INPUTS: int
"""The most Poseidon inputs supported (12, as the Python reference)."""

def poseidon(inputs: Sequence[int]) -> int:
    """``Poseidon(inputs)`` as circomlib; ValueError unless 1..12 ints in [0, p)."""

def poseidon_many(rows: Sequence[Sequence[int]]) -> list[int]:
    """``[poseidon(row) for row in rows]`` in parallel without the GIL; ValueError as ``poseidon``, before any hashing."""

def eddsa_verify(ax: object, ay: object, message: object, r8x: object, r8y: object, s: object) -> bool:
    """``sequencer.crypto.eddsa.verify`` on plain integers; False for anything malformed."""

def eddsa_verify_many(items: Iterable[tuple[object, object, object, object, object, object]]) -> list[bool]:
    """``eddsa_verify`` of each 6-tuple, in parallel without the GIL (TypeError if not 6-tuples)."""
