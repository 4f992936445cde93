"""Shared constants and helpers of the contract tests."""

from collections.abc import Mapping, Sequence
from typing import Any

from eth_abi.abi import encode
from eth_utils.crypto import keccak

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.spec.public_data import chain_step as next_chain
from sequencer.spec.public_data import l1_request_hash
from sequencer.spec.transactions import Deposit
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, TokenId

P = FIELD_MODULUS
"""The BN254 scalar field order."""

# BabyJubJub Base8 and sign flips of it: distinct points on the curve.
B8X = 5299619240641551281634865583518297030282874472190772894086521144482721001553
B8Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203
OPERATOR_KEY = (B8X, B8Y)
ALICE_KEY = (P - B8X, B8Y)
BOB_KEY = (B8X, P - B8Y)


def request_hash(account_index: int, eth_addr: str, ax: int, ay: int, token: int, amount: int) -> int:
    """A deposit request's hash, as the spec computes it (docs/DESIGN.md, L1 request queue)."""
    deposit = Deposit(
        AccountIndex(account_index),
        EthAddress(int(eth_addr, 16)),
        FieldElement(ax),
        FieldElement(ay),
        TokenId(token),
        Amount(amount),
    )
    return l1_request_hash(deposit)


def custom_error(abi: Sequence[Mapping[str, Any]], name: str, *args: Any) -> str:
    """The revert data of custom error ``name(args)``, 0x-hex, from the ABI."""
    entry = next(e for e in abi if e.get("type") == "error" and e["name"] == name)
    types = [i["type"] for i in entry["inputs"]]
    selector = keccak(text=f"{name}({','.join(types)})")[:4]
    return "0x" + (selector + encode(types, list(args))).hex()
