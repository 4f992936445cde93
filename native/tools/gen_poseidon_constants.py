"""
Write ``native/src/poseidon_constants.bin``: circomlib's optimised Poseidon
constants for 1 to 16 inputs, as the Rust hasher (``native/src/hash.rs``) reads them.

Source: circomlibjs's ``poseidon_constants_opt.json`` (the npm package pinned by
``package-lock.json``), the constants of circomlib's ``Poseidon`` circuit
template and of circomlibjs's ``buildPoseidon``. For each state width
``t = 2 .. 17`` in turn: ``C`` (``8 t + partial rounds`` round constants), ``M``
and ``P`` (``t x t`` matrices, row by row) and ``S`` (``partial rounds x (2 t - 1)``
sparse-matrix entries), every value 32 bytes big-endian.

    .venv/bin/python native/tools/gen_poseidon_constants.py [--check]

``--check`` compares instead of writing (``tests/crypto/test_native.py`` runs it).
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "node_modules" / "circomlibjs" / "src" / "poseidon_constants_opt.json"
TARGET = ROOT / "native" / "src" / "poseidon_constants.bin"
MAX_INPUTS = 16


def encode(source: Path) -> bytes:
    """The constants for widths 2 to ``MAX_INPUTS + 1``, in the order the Rust hasher reads them."""
    constants = json.loads(source.read_text())
    out = bytearray()

    def put(value: str) -> None:
        out.extend(int(value, 16).to_bytes(32, "big"))

    for width_index in range(MAX_INPUTS):
        for value in constants["C"][width_index]:
            put(value)
        for name in ("M", "P"):
            for row in constants[name][width_index]:
                for value in row:
                    put(value)
        for value in constants["S"][width_index]:
            put(value)
    return bytes(out)


def main() -> int:
    """Write the constants file, or with ``--check`` tell whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = parser.parse_args()
    encoded = encode(SOURCE)
    if args.check:
        if TARGET.read_bytes() != encoded:
            print(f"{TARGET} differs from {SOURCE}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_bytes(encoded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
