"""
Encrypted orders: commands encrypted to the sequencer set's threshold key,
ordered while no node can read them, decrypted once their place is final.

1. A trader encrypts a command's transaction (its canonical JSON) to the
   set's key (``crypto.threshold``) and sends the ciphertext as a
   :class:`EncryptedOrder` transaction. The mempool checks only that the
   ciphertext is well formed: nothing else of it can be read.
2. A block orders it: its *ordinal* is its place among all encrypted orders.
   The block, and every block after it, waits (``app.SequencerApp``): a
   block runs only once every encrypted order in it and before it is decrypted, so
   each runs exactly at its place, before anything ordered after it.
3. Once that block is committed, each node puts its decryption share of
   every waiting ciphertext in its next precommit's vote extension (ABCI
   ``ExtendVote``; CometBFT asks for it only after the node has committed
   the block before). A node never makes a share of a ciphertext in a block
   that is not committed, so no share exists while its position could
   still change.
4. The next proposer carries the shares it received with the last commit
   as a :class:`DecryptionShares` transaction at the front of its block;
   every node checks each share against the member's public key share
   before voting (no proposer can forge one), and a decided block's shares
   decrypt every ciphertext that has enough of them.

With the dealer's threshold of more than two thirds (the quorum that
decides blocks), fewer than that many nodes together cannot read an order
before its place is final, and the nodes that decide blocks always hold
enough shares to decrypt it in the next block but one.
"""

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sequencer.crypto.threshold import ThresholdKey, ciphertext_valid, decryption_share
from sequencer.service.codec import CodecError, canonical_json

ENCRYPTED_TX_TYPE = "encrypted_order"
SHARES_TX_TYPE = "decryption_shares"

WELL_FORMED_MEMO = 100_000
"""How many well-formed ciphertexts a node remembers before it forgets them all (and checks again)."""

MAX_CIPHERTEXT_BYTES = 4096
"""The largest encrypted order a mempool takes (a command's JSON is well under 1 KiB)."""

THRESHOLD_KEY_FILE = Path("config") / "threshold-key.json"
"""The set's public threshold key, in every node's home."""

THRESHOLD_SHARE_FILE = Path("config") / "threshold-share.key"
"""A node's own secret key share and its member number (readable by its owner only)."""


def _hex_field(document: dict[str, object], name: str) -> bytes:
    """A hex string field's bytes (CodecError if it is not one)."""
    value = document[name]
    if not isinstance(value, str):
        raise CodecError(f"{name}: hex")
    try:
        return bytes.fromhex(value)
    except ValueError as error:
        raise CodecError(f"{name}: {error}") from error


@dataclass(frozen=True)
class EncryptedOrder:
    """A command's transaction encrypted to the set's threshold key."""

    ciphertext: bytes

    def encode(self) -> bytes:
        """The transaction: canonical JSON."""
        return canonical_json({"ciphertext": self.ciphertext.hex(), "type": ENCRYPTED_TX_TYPE})

    @classmethod
    def decode(cls, document: dict[str, object]) -> "EncryptedOrder":
        """
        An encrypted order from its transaction's JSON document.

        Raises
        ------
        CodecError
            Not an encrypted order's fields, or a ciphertext over :data:`MAX_CIPHERTEXT_BYTES`.
        """
        if set(document) != {"ciphertext", "type"}:
            raise CodecError("not an encrypted order")
        ciphertext = _hex_field(document, "ciphertext")
        if len(ciphertext) > MAX_CIPHERTEXT_BYTES:
            raise CodecError(f"ciphertext: over {MAX_CIPHERTEXT_BYTES} bytes")
        return cls(ciphertext)


def encrypt_order(key: ThresholdKey, tx: bytes) -> EncryptedOrder:
    """A trader's transaction (a command's canonical JSON) encrypted to the set."""
    return EncryptedOrder(key.encrypt(tx))


@dataclass(frozen=True, order=True)
class Share:
    """Member ``member``'s decryption share of the encrypted order ``ordinal``."""

    ordinal: int
    member: int
    share: bytes


@dataclass(frozen=True)
class DecryptionShares:
    """Decryption shares, sorted by ordinal then member, at most one per member and ordinal."""

    shares: tuple[Share, ...]

    def encode(self) -> bytes:
        """The transaction (and a vote extension): canonical JSON."""
        rows = [[share.ordinal, share.member, share.share.hex()] for share in self.shares]
        return canonical_json({"shares": rows, "type": SHARES_TX_TYPE})

    @classmethod
    def decode(cls, document: object) -> "DecryptionShares":
        """
        Shares from their JSON document.

        Raises
        ------
        CodecError
            Not decryption shares' fields, or shares out of order or repeated.
        """
        if not isinstance(document, dict) or set(document) != {"shares", "type"} or document["type"] != SHARES_TX_TYPE:
            raise CodecError("not decryption shares")
        rows = document["shares"]
        if not isinstance(rows, list):
            raise CodecError("shares: a list")
        shares = []
        for row in rows:
            if not (isinstance(row, list) and len(row) == 3 and all(type(n) is int and n >= 0 for n in row[:2])):
                raise CodecError("a share: [ordinal, member, hex]")
            shares.append(Share(row[0], row[1], _hex_field({"share": row[2]}, "share")))
        if any((a.ordinal, a.member) >= (b.ordinal, b.member) for a, b in zip(shares, shares[1:])):
            raise CodecError("shares: sorted by ordinal and member, each once")
        return cls(tuple(shares))

    @classmethod
    def of(cls, shares: Iterable[Share]) -> "DecryptionShares":
        """Shares in their order, the first of each member and ordinal kept."""
        unique = {(share.ordinal, share.member): share for share in sorted(shares, reverse=True)}
        return cls(tuple(sorted(unique.values())))


def decode_extension(extension: bytes) -> DecryptionShares:
    """
    A vote extension's shares (an empty extension has none).

    Raises
    ------
    CodecError
        Not the canonical encoding of decryption shares.
    """
    if not extension:
        return DecryptionShares(())
    try:
        shares = DecryptionShares.decode(json.loads(extension))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CodecError(f"not JSON: {error}") from error
    if shares.encode() != extension:
        raise CodecError("not the canonical encoding")
    return shares


@dataclass(frozen=True)
class MemberShare:
    """A node's secret key share of the set's threshold key, and its member number (from 0)."""

    member: int
    secret: bytes

    def shares_of(self, ciphertexts: dict[int, bytes]) -> DecryptionShares:
        """This member's decryption shares of ciphertexts (ordinal to ciphertext)."""
        return DecryptionShares.of(
            Share(ordinal, self.member, decryption_share(self.secret, ciphertext)) for ordinal, ciphertext in ciphertexts.items()
        )


@dataclass
class Decryptor:
    """
    The replicated state of encrypted orders: those ordered and waiting, the
    checked shares each has, and the plaintexts of those decrypted but not run
    yet. Every node holds the same, block by block.
    """

    key: ThresholdKey
    members: int
    ordered: int = 0
    """How many encrypted orders blocks have ordered: the next one's ordinal."""
    waiting: dict[int, bytes] = field(default_factory=dict)
    """The ciphertexts not decrypted yet, by ordinal."""
    shares: dict[int, dict[int, bytes]] = field(default_factory=dict)
    """The checked shares of each waiting ciphertext, by member."""
    decrypted: dict[int, bytes] = field(default_factory=dict)
    """The plaintexts decrypted and not run yet, by ordinal."""
    _checked: set[tuple[int, int, bytes]] = field(default_factory=set)
    """Shares this node has checked (ordinal, member, share): a memo, not replicated state."""
    _well_formed: set[bytes] = field(default_factory=set)
    """The sha256 of ciphertexts this node found well formed: a memo, not replicated state."""

    def well_formed(self, encrypted: EncryptedOrder) -> bool:
        """
        Whether the ciphertext is well formed: only such a ciphertext is
        ordered, and so ever gets decryption shares (a share depends on the
        ciphertext's first part only, which a malformed copy could reuse).
        """
        digest = hashlib.sha256(encrypted.ciphertext).digest()
        if digest in self._well_formed:
            return True
        if not ciphertext_valid(encrypted.ciphertext):
            return False
        if len(self._well_formed) >= WELL_FORMED_MEMO:
            self._well_formed.clear()
        self._well_formed.add(digest)
        return True

    def order(self, encrypted: EncryptedOrder) -> int | None:
        """Give a decided block's encrypted order its ordinal, to wait for its shares; None if it is not well formed."""
        if not self.well_formed(encrypted):
            return None
        ordinal = self.ordered
        self.ordered += 1
        self.waiting[ordinal] = encrypted.ciphertext
        self.shares[ordinal] = {}
        return ordinal

    def misplaced(self, shares: DecryptionShares) -> str | None:
        """
        What is wrong with where shares point, None if nothing: each must be
        of a waiting ciphertext and of a member (a vote extension's check;
        whether each is its member's share is checked once a block carries
        it, :meth:`unchecked`).
        """
        for share in shares.shares:
            if share.ordinal not in self.waiting:
                return f"no encrypted order {share.ordinal} waits"
            if share.member >= self.members:
                return f"there is no member {share.member}"
        return None

    def unchecked(self, shares: DecryptionShares) -> str | None:
        """
        What is wrong with the shares a block carries, None if nothing: each
        must be of a waiting ciphertext, of a member, and that member's share
        of it. One batch check for them all (shares checked once are not
        checked again); only if it fails, one check each, to name the wrong one.
        """
        misplaced = self.misplaced(shares)
        if misplaced is not None:
            return misplaced
        fresh = [share for share in shares.shares if (share.ordinal, share.member, share.share) not in self._checked]
        if self.key.shares_valid([(share.member, share.share, self.waiting[share.ordinal]) for share in fresh]):
            self._checked.update((share.ordinal, share.member, share.share) for share in fresh)
            return None
        for share in fresh:
            if not self.key.share_valid(share.member, share.share, self.waiting[share.ordinal]):
                return f"member {share.member}'s share of {share.ordinal} is not its share"
        return None  # the batch check failed where each share passes: 2^-64

    def wanted_from(self, member: int) -> dict[int, bytes]:
        """The waiting ciphertexts of which no block has carried ``member``'s share yet, by ordinal."""
        return {ordinal: ciphertext for ordinal, ciphertext in self.waiting.items() if member not in self.shares[ordinal]}

    def receive(self, shares: DecryptionShares) -> None:
        """Record a decided block's shares (checked by its voters) and decrypt every ciphertext that has enough."""
        for share in shares.shares:
            if share.ordinal in self.waiting:
                self.shares[share.ordinal].setdefault(share.member, share.share)
        for ordinal in [o for o, got in self.shares.items() if len(got) >= self.key.needed]:
            chosen = dict(sorted(self.shares.pop(ordinal).items())[: self.key.needed])
            self.decrypted[ordinal] = self.key.decrypt(chosen, self.waiting.pop(ordinal))
        self._checked = {checked for checked in self._checked if checked[0] in self.waiting}

    def useful(self, shares: Iterable[Share]) -> DecryptionShares:
        """
        Of the shares a proposer received, those its block carries: shares
        of waiting ciphertexts, each new, each its member's (one batch
        check; only if it fails, one check each, to drop the wrong ones).
        """
        candidates = [
            share
            for share in sorted(set(shares))
            if share.ordinal in self.waiting and share.member < self.members and share.member not in self.shares[share.ordinal]
        ]
        if self.unchecked(DecryptionShares(tuple(candidates))) is not None:
            candidates = [share for share in candidates if self.unchecked(DecryptionShares((share,))) is None]
        kept: dict[tuple[int, int], Share] = {}
        for share in candidates:
            kept.setdefault((share.ordinal, share.member), share)
        return DecryptionShares(tuple(kept.values()))


def write_secret(path: Path, document: dict[str, object]) -> None:
    """Write a secret as JSON, readable by its owner only; refuses to overwrite one."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(json.dumps(document) + "\n")


def write_threshold_key(home: Path, key: ThresholdKey, members: int, share: MemberShare) -> None:
    """Give a node's home the set's public key and its own secret share (readable by its owner only)."""
    (home / THRESHOLD_KEY_FILE).write_text(json.dumps({"key_set": key.key_set.hex(), "members": members}) + "\n")
    write_secret(home / THRESHOLD_SHARE_FILE, {"member": share.member, "secret": share.secret.hex()})


def load_threshold_key(home: Path) -> tuple[ThresholdKey, int]:
    """The set's public threshold key and its number of members, from a node's home (``FileNotFoundError`` if none)."""
    document = json.loads((home / THRESHOLD_KEY_FILE).read_text(encoding="utf-8"))
    return ThresholdKey(bytes.fromhex(document["key_set"])), int(document["members"])


def load_member_share(home: Path) -> MemberShare:
    """A node's own secret key share."""
    document = json.loads((home / THRESHOLD_SHARE_FILE).read_text(encoding="utf-8"))
    return MemberShare(int(document["member"]), bytes.fromhex(document["secret"]))
