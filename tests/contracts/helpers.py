"""Shared constants and helpers of the contract tests."""

from collections.abc import Sequence
from typing import Any

from eth_abi.abi import encode
from eth_utils.crypto import keccak

try:
    from sequencer.crypto.poseidon import poseidon as _poseidon
except ImportError:  # the spec's hasher is not there yet: the same library directly
    from light_poseidon_python import poseidon_hash_bytes as _hash_bytes

    def _poseidon(inputs: Sequence[int]) -> int:
        return int(_hash_bytes([value.to_bytes(32, "big") for value in inputs]), 16)


P = 21888242871839275222246405745257275088548364400416034343698204186575808495617
"""The BN254 scalar field order."""

DEPOSIT = 1

# BabyJubJub Base8 and sign flips of it: distinct points on the curve.
B8X = 5299619240641551281634865583518297030282874472190772894086521144482721001553
B8Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203
OPERATOR_KEY = (B8X, B8Y)
ALICE_KEY = (P - B8X, B8Y)
BOB_KEY = (B8X, P - B8Y)


def poseidon(inputs: Sequence[int]) -> int:
    """circomlib's Poseidon, computed in Python."""
    return _poseidon(list(inputs))


def request_hash(account_index: int, eth_addr: str, ax: int, ay: int, token: int, amount: int) -> int:
    """A deposit request's hash (docs/DESIGN.md, L1 request queue)."""
    return poseidon([DEPOSIT, account_index, int(eth_addr, 16), ax, ay, token, amount])


def next_chain(chain: int, hash_: int) -> int:
    return poseidon([chain, hash_])


def custom_error(abi: list[dict[str, Any]], name: str, *args: Any) -> str:
    """The revert data of custom error ``name(args)``, 0x-hex, from the ABI."""
    entry = next(e for e in abi if e.get("type") == "error" and e["name"] == name)
    types = [i["type"] for i in entry["inputs"]]
    selector = keccak(text=f"{name}({','.join(types)})")[:4]
    return "0x" + (selector + encode(types, list(args))).hex()
