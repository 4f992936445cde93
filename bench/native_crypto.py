"""
Signature checks and Poseidon: Python reference against the Rust extension, in one run.

Prints EdDSA-Poseidon verifications per second for ``sequencer.crypto.eddsa.verify``,
``sequencer.crypto.native.verify`` (one thread) and ``native.verify_many`` (all
cores, without the GIL), and Poseidon(2) hashes per second for
``sequencer.crypto.poseidon`` and ``native.poseidon``, with the ratios.

Every signature signs a different message, so a verifier that keeps results
cannot answer from memory. Signing happens before the clock starts. Native
figures are the best of a few passes; the Python verifier gets one pass, over
signatures it has never seen. Not a test and not part of ``python -m bench``::

    .venv/bin/python -m bench.native_crypto
"""

import os
import time
from collections.abc import Callable

from sequencer.crypto import eddsa, native
from sequencer.crypto import poseidon as reference
from sequencer.crypto.eddsa import PublicKey, Signature, private_to_public, sign

SIGNATURES = 1_000
HASHES = 20_000
PASSES = 3

Item = tuple[PublicKey, int, Signature]


def signed_items(count: int) -> list[Item]:
    """``count`` valid signatures by 8 keys, each of a different message."""
    keys = [(index + 1).to_bytes(32, "big") for index in range(8)]
    public_keys = [private_to_public(key) for key in keys]
    items = []
    for index in range(count):
        message = 1_000_003 * index + 7
        items.append((public_keys[index % 8], message, sign(keys[index % 8], message)))
    return items


def rate(count: int, run: Callable[[], object], passes: int) -> float:
    """``count`` operations per second of ``run``, best of ``passes`` passes."""
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> None:
    items = signed_items(SIGNATURES)
    pairs = [[index, 2 * index + 1] for index in range(HASHES)]

    def python_verify() -> None:
        assert all(eddsa.verify(*item) for item in items)

    def native_verify() -> None:
        assert all(native.verify(*item) for item in items)

    def native_verify_many() -> None:
        assert all(native.verify_many(items))

    def python_poseidon() -> None:
        for pair in pairs:
            reference.poseidon(pair)

    def native_poseidon() -> None:
        for pair in pairs:
            native.poseidon(pair)

    verify_python = rate(SIGNATURES, python_verify, 1)
    verify_native = rate(SIGNATURES, native_verify, PASSES)
    verify_many = rate(SIGNATURES, native_verify_many, PASSES)
    hash_python = rate(HASHES, python_poseidon, PASSES)
    hash_native = rate(HASHES, native_poseidon, PASSES)

    print(f"EdDSA-Poseidon verifications ({SIGNATURES} signatures, {os.cpu_count()} CPUs)")
    print(f"  python eddsa.verify        {verify_python:10,.0f} /s")
    print(f"  native verify              {verify_native:10,.0f} /s  x{verify_native / verify_python:.1f}")
    print(f"  native verify_many         {verify_many:10,.0f} /s  x{verify_many / verify_python:.1f}")
    print(f"Poseidon(2) hashes ({HASHES} hashes)")
    print(f"  python poseidon            {hash_python:10,.0f} /s")
    print(f"  native poseidon            {hash_native:10,.0f} /s  x{hash_native / hash_python:.1f}")


if __name__ == "__main__":
    main()
