"""
The set's signatures of its batches, collected through consensus.

Every node builds each sealed batch at the end of the block that sealed it
(the build is deterministic, so every honest node has the same batch) and
signs its EIP-712 digest (``l1.sequencer_set.batch_digest``) with its
member key. Its signature travels as a transaction of its own
(:class:`BatchSignature`) through the mempool; a decided block records it
only if it recovers to a member who has not signed that batch yet. Once
more than two thirds have signed, any node that holds a proof may send the
batch to L1 through the set contract, which checks the same signatures.

A member key is an Ethereum key that the node keeps in its home
(``config/member.key``, readable by its owner only) and that never leaves it.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from sequencer.l1.sequencer_set import threshold
from sequencer.service.codec import CodecError, canonical_json

MEMBER_KEY_FILE = Path("config") / "member.key"
"""Where a node's member key lives in its home."""

TX_TYPE = "batch_signature"


@dataclass(frozen=True)
class BatchSignature:
    """A member's 65-byte (r, s, v) signature of batch ``batch``'s digest."""

    batch: int
    signature: bytes

    def encode(self) -> bytes:
        """The transaction: canonical JSON (sorted keys, no spaces), as commands are."""
        return canonical_json({"batch": self.batch, "signature": self.signature.hex(), "type": TX_TYPE})

    @classmethod
    def decode(cls, document: object) -> "BatchSignature":
        """
        A signature from its transaction's JSON document.

        Raises
        ------
        CodecError
            Not a batch signature's fields.
        """
        if not isinstance(document, dict) or set(document) != {"batch", "signature", "type"} or document["type"] != TX_TYPE:
            raise CodecError("not a batch signature")
        batch, signature = document["batch"], document["signature"]
        if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
            raise CodecError("batch: a positive integer")
        if not isinstance(signature, str) or len(signature) != 130:
            raise CodecError("signature: 65 bytes in hex")
        try:
            raw = bytes.fromhex(signature)
        except ValueError as error:
            raise CodecError(f"signature: {error}") from error
        return cls(batch, raw)


@dataclass(frozen=True)
class SigningSet:
    """The set a node signs for: the chain, the set contract and its members (checksummed addresses)."""

    chain_id: int
    contract: str
    members: frozenset[str]

    @property
    def threshold(self) -> int:
        """How many members must sign a batch: more than two thirds."""
        return threshold(len(self.members))


def create_member_key(home: Path) -> LocalAccount:
    """A new member key in ``home`` (readable by its owner only); refuses to overwrite one."""
    path = home / MEMBER_KEY_FILE
    account: LocalAccount = Account.create()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("0x" + bytes(account.key).hex() + "\n")
    return account


def load_member_key(home: Path) -> LocalAccount:
    """The member key of the node at ``home``."""
    account: LocalAccount = Account.from_key((home / MEMBER_KEY_FILE).read_text(encoding="utf-8").strip())
    return account
