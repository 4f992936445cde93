"""L2 key derivation from an Ethereum key (DESIGN.md "Key derivation")."""

from collections.abc import Callable
from typing import Any

import pytest
from eth_account import Account
from eth_utils.crypto import keccak

from sequencer.crypto.babyjub import is_on_curve
from sequencer.crypto.eddsa import private_to_public, verify
from sequencer.crypto.keys import L2_KEY_PURPOSE, L2Keypair, derive_l2_private_key, l2_key_typed_data

Reference = Callable[[dict[str, Any]], dict[str, Any]]
"""The ``circomlibjs`` fixture (conftest.py): request in, reference answer out."""

ETH_KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
ACCOUNT = Account.from_key(ETH_KEY)
ROLLUP = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN_ID = 31337


def eip712_digest(chain_id: int, rollup: str) -> bytes:
    """The EIP-712 digest of the key message, written out by hand."""
    domain_type = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    domain_separator = keccak(
        domain_type
        + keccak(text="Matchproof")
        + keccak(text="1")
        + chain_id.to_bytes(32, "big")
        + bytes.fromhex(rollup[2:]).rjust(32, b"\0")
    )
    struct_hash = keccak(keccak(text="MatchproofKey(string purpose)") + keccak(text=L2_KEY_PURPOSE))
    return keccak(b"\x19\x01" + domain_separator + struct_hash)


def test_key_is_keccak_of_the_signature_of_the_eip712_digest() -> None:
    signature = ACCOUNT.unsafe_sign_hash(eip712_digest(CHAIN_ID, ROLLUP)).signature
    assert len(signature) == 65
    assert derive_l2_private_key(ACCOUNT, CHAIN_ID, ROLLUP) == keccak(bytes(signature))


def test_agrees_with_an_ethers_wallet(circomlibjs: Reference) -> None:
    typed_data = l2_key_typed_data(CHAIN_ID, ROLLUP)
    answer = circomlibjs({"eip712": [{"ethKey": ETH_KEY.hex(), "typedData": typed_data}]})
    ethers_signature = bytes.fromhex(answer["eip712"][0][2:])
    assert derive_l2_private_key(ACCOUNT, CHAIN_ID, ROLLUP) == keccak(ethers_signature)


def test_deterministic_and_separated_per_chain_contract_and_account() -> None:
    key = derive_l2_private_key(ACCOUNT, CHAIN_ID, ROLLUP)
    assert len(key) == 32
    assert derive_l2_private_key(ACCOUNT, CHAIN_ID, ROLLUP) == key
    assert derive_l2_private_key(ACCOUNT, CHAIN_ID, ROLLUP.lower()) == key
    others = {
        derive_l2_private_key(ACCOUNT, 1, ROLLUP),
        derive_l2_private_key(ACCOUNT, CHAIN_ID, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"),
        derive_l2_private_key(Account.from_key(b"\x01" * 32), CHAIN_ID, ROLLUP),
    }
    assert len(others) == 3 and key not in others


def test_keypair_from_eth_account() -> None:
    keypair = L2Keypair.from_eth_account(ACCOUNT, CHAIN_ID, ROLLUP)
    assert keypair.private_key == derive_l2_private_key(ACCOUNT, CHAIN_ID, ROLLUP)
    assert keypair.public_key == private_to_public(keypair.private_key)
    assert is_on_curve((keypair.public_key.ax, keypair.public_key.ay))
    assert verify(keypair.public_key, 42, keypair.sign(42))
    assert keypair.private_key.hex() not in repr(keypair)


@pytest.mark.parametrize("address", ["0x1234", "not an address", ""])
def test_rejects_bad_rollup_addresses(address: str) -> None:
    with pytest.raises(ValueError):
        derive_l2_private_key(ACCOUNT, CHAIN_ID, address)
