"""L2 (Baby JubJub) keys derived from a trader's Ethereum key.

DESIGN.md "Key derivation": the L2 private key is ``keccak256(sig)``, where
``sig`` is the 65-byte signature (``r || s || v``, ``v`` in {27, 28}) of the
EIP-712 message ``MatchproofKey { string purpose }`` with purpose
``"Matchproof L2 key v1"`` in the domain ``{name: "Matchproof", version: "1",
chainId, verifyingContract: rollup}``. Ethereum signatures are deterministic
(RFC 6979), so a wallet can rebuild its L2 key at any time, and the domain
gives each chain and each rollup deployment its own key.
"""

from dataclasses import dataclass, field
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.address import is_address
from eth_utils.crypto import keccak

from sequencer.crypto.eddsa import PublicKey, Signature, private_to_public, sign

L2_KEY_PURPOSE = "Matchproof L2 key v1"


def l2_key_typed_data(chain_id: int, rollup_address: str) -> dict[str, Any]:
    """Return the EIP-712 typed data a wallet signs to derive its L2 key.

    In the JSON form wallets take (``eth_signTypedData_v4``), so a browser
    client can sign the very same structure.
    """
    if not is_address(rollup_address):
        raise ValueError(f"not an Ethereum address: {rollup_address!r}")
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "MatchproofKey": [{"name": "purpose", "type": "string"}],
        },
        "primaryType": "MatchproofKey",
        "domain": {
            "name": "Matchproof",
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": rollup_address,
        },
        "message": {"purpose": L2_KEY_PURPOSE},
    }


def derive_l2_private_key(account: LocalAccount, chain_id: int, rollup_address: str) -> bytes:
    """Return the 32-byte L2 private key of ``account`` for one rollup deployment."""
    typed_data = encode_typed_data(full_message=l2_key_typed_data(chain_id, rollup_address))
    signature = account.sign_message(typed_data).signature
    return keccak(bytes(signature))


@dataclass(frozen=True)
class L2Keypair:
    """An L2 private key with its Baby JubJub public key."""

    private_key: bytes = field(repr=False)
    public_key: PublicKey

    @classmethod
    def from_private_key(cls, private_key: bytes) -> "L2Keypair":
        """Build the keypair of an L2 private key."""
        return cls(private_key, private_to_public(private_key))

    @classmethod
    def from_eth_account(cls, account: LocalAccount, chain_id: int, rollup_address: str) -> "L2Keypair":
        """Derive the keypair of ``account`` for one chain and rollup contract."""
        return cls.from_private_key(derive_l2_private_key(account, chain_id, rollup_address))

    def sign(self, message: int) -> Signature:
        """Sign a field element with this key (see ``eddsa.sign``)."""
        return sign(self.private_key, message)
