"""
Signed receipts: the sequencer's acknowledgment that it accepted a request at
a position of its log.

A receipt is the operator's Ethereum signature (EIP-712, as wallets sign) of
``Receipt { bytes32 requestHash; uint64 sequence; uint64 timestamp }``, where
``requestHash`` is keccak256 of the request's canonical encoding
(``commands.request_hash``), ``sequence`` its log sequence number and
``timestamp`` the time the sequencer gave it, in unix milliseconds. The
domain names the chain and the rollup contract, so a receipt cannot be
passed off for another deployment.

Anyone holding a receipt and the request can check it with
:func:`recover_signer` and compare the result with the operator's address: it
shows that the sequencer accepted that request at that position, which is the
basis for holding it to a fair order.
"""

from dataclasses import dataclass
from typing import Any

from coincurve import PrivateKey
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

RECEIPT_DOMAIN_NAME = "Matchproof Sequencer"
RECEIPT_DOMAIN_VERSION = "1"
NO_CONTRACT = "0x0000000000000000000000000000000000000000"
"""The verifying contract of a sequencer that runs without a rollup deployment."""


@dataclass(frozen=True)
class ReceiptDomain:
    """The EIP-712 domain of a deployment's receipts."""

    chain_id: int
    rollup: str

    def typed_data(self, request_hash: bytes, sequence: int, timestamp_ms: int) -> dict[str, Any]:
        """The typed data of a receipt, in the JSON form wallets take (``eth_signTypedData_v4``)."""
        return {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "Receipt": [
                    {"name": "requestHash", "type": "bytes32"},
                    {"name": "sequence", "type": "uint64"},
                    {"name": "timestamp", "type": "uint64"},
                ],
            },
            "primaryType": "Receipt",
            "domain": {
                "name": RECEIPT_DOMAIN_NAME,
                "version": RECEIPT_DOMAIN_VERSION,
                "chainId": self.chain_id,
                "verifyingContract": to_checksum_address(self.rollup),
            },
            "message": {"requestHash": request_hash, "sequence": sequence, "timestamp": timestamp_ms},
        }


@dataclass(frozen=True)
class Receipt:
    """The sequencer's signed acknowledgment of one accepted request."""

    request_hash: bytes
    sequence: int
    timestamp_ms: int
    signer: str
    """The operator's Ethereum address (checksummed)."""
    signature: bytes
    """65 bytes ``r || s || v``."""

    def to_json(self) -> dict[str, Any]:
        """The receipt as the API and the log show it (hex with ``0x``)."""
        return {
            "request_hash": "0x" + self.request_hash.hex(),
            "sequence": self.sequence,
            "timestamp_ms": self.timestamp_ms,
            "signer": self.signer,
            "signature": "0x" + self.signature.hex(),
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "Receipt":
        """The inverse of :meth:`to_json`; raises ``ValueError`` on a malformed document."""
        try:
            return cls(
                request_hash=bytes.fromhex(str(document["request_hash"]).removeprefix("0x")),
                sequence=int(document["sequence"]),
                timestamp_ms=int(document["timestamp_ms"]),
                signer=to_checksum_address(str(document["signer"])),
                signature=bytes.fromhex(str(document["signature"]).removeprefix("0x")),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a receipt: {error}") from error


RECEIPT_TYPE_HASH = keccak(text="Receipt(bytes32 requestHash,uint64 sequence,uint64 timestamp)")
"""EIP-712 ``typeHash`` of ``Receipt``."""


class ReceiptSigner:
    """
    Signs receipts with the operator's Ethereum key.

    Every accepted request gets one, on the intake's single worker, so the
    EIP-712 digest is built directly (the domain separator once, then one
    keccak of the struct per receipt) and signed with a key parsed once: the
    same signature ``LocalAccount.sign_message`` gives for the typed data
    (``tests/service/test_receipts.py`` checks it), several times faster.
    """

    def __init__(self, account: LocalAccount, domain: ReceiptDomain) -> None:
        """Sign with ``account`` in ``domain``."""
        self.account = account
        self.domain = domain
        self._key = PrivateKey(bytes(account.key))
        self._domain_separator = encode_typed_data(full_message=domain.typed_data(bytes(32), 0, 0)).header

    def sign(self, request_hash: bytes, sequence: int, timestamp_ms: int) -> Receipt:
        """The receipt of a request accepted as entry ``sequence`` at ``timestamp_ms``."""
        if len(request_hash) != 32 or not (0 <= sequence < 2**64 and 0 <= timestamp_ms < 2**64):
            raise ValueError("a receipt signs a 32-byte hash and two uint64 values")
        struct_hash = keccak(
            RECEIPT_TYPE_HASH + request_hash + sequence.to_bytes(32, "big") + timestamp_ms.to_bytes(32, "big")
        )
        digest = keccak(b"\x19\x01" + self._domain_separator + struct_hash)
        signature = self._key.sign_recoverable(digest, hasher=None)
        return Receipt(
            request_hash, sequence, timestamp_ms, self.account.address, signature[:64] + bytes([signature[64] + 27])
        )


def recover_signer(receipt: Receipt, domain: ReceiptDomain) -> str:
    """The address whose key signed ``receipt`` (compare it with the operator's)."""
    message = encode_typed_data(
        full_message=domain.typed_data(receipt.request_hash, receipt.sequence, receipt.timestamp_ms)
    )
    return str(Account.recover_message(message, signature=receipt.signature))
