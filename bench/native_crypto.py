"""
Signature checks and Poseidon: Python reference against the Rust extension, in one run.

Prints EdDSA-Poseidon verifications per second for ``sequencer.crypto.eddsa.verify``,
``sequencer.crypto.native.verify`` (one thread) and ``native.verify_many`` (all
cores, without the GIL), and Poseidon hashes per second of 2 inputs (a
Merkle node) and 10 (an order's message) for the plain form
(``sequencer.crypto.poseidon_reference``, light-poseidon: the hasher before
this one) and the optimised native hasher (``sequencer.crypto.poseidon``, one
thread and ``poseidon_many``), with the ratios.

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
from sequencer.crypto import poseidon as optimised
from sequencer.crypto import poseidon_reference as reference
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
    messages = [[index + field for field in range(10)] for index in range(HASHES // 4)]

    def python_verify() -> None:
        assert all(eddsa.verify(*item) for item in items)

    def native_verify() -> None:
        assert all(native.verify(*item) for item in items)

    def native_verify_many() -> None:
        assert all(native.verify_many(items))

    verify_python = rate(SIGNATURES, python_verify, 1)
    verify_native = rate(SIGNATURES, native_verify, PASSES)
    verify_many = rate(SIGNATURES, native_verify_many, PASSES)
    print(f"EdDSA-Poseidon verifications ({SIGNATURES} signatures, {os.cpu_count()} CPUs)")
    print(f"  python eddsa.verify        {verify_python:10,.0f} /s")
    print(f"  native verify              {verify_native:10,.0f} /s  x{verify_native / verify_python:.1f}")
    print(f"  native verify_many         {verify_many:10,.0f} /s  x{verify_many / verify_python:.1f}")
    for name, rows in (("2 inputs, a Merkle node", pairs), ("10 inputs, an order message", messages)):
        plain = rate(len(rows), lambda: [reference.poseidon(row) for row in rows], PASSES)
        single = rate(len(rows), lambda: [optimised.poseidon(row) for row in rows], PASSES)
        many = rate(len(rows), lambda: optimised.poseidon_many(rows), PASSES)
        print(f"Poseidon, {name} ({len(rows)} hashes)")
        print(f"  plain form (light-poseidon) {plain:10,.0f} /s")
        print(f"  optimised native           {single:10,.0f} /s  x{single / plain:.1f}")
        print(f"  optimised, poseidon_many   {many:10,.0f} /s  x{many / plain:.1f}")


if __name__ == "__main__":
    main()
