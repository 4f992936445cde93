"""
Threshold encryption to the sequencer set, for orders no node can read
before their place in line is final (``consensus.encrypted``).

A thin typed wrapper around the ``blsttc`` crate, built into the
``matchproof_native`` extension (``native/src/threshold.rs``): the
Baek-Zheng scheme over BLS12-381. A trader encrypts to the set's public
key; each member holds one secret key share; a member's *decryption share*
of a ciphertext can be checked by anyone against that member's public key
share, and any ``needed`` valid shares decrypt, while fewer reveal nothing.

The set's keys come from a trusted dealer (:func:`deal`, run by ``matchproof
node init``), which is a devnet's way: a distributed key generation, in
which no one ever holds the whole key, is the goal (see the README).
"""

from collections.abc import Mapping
from dataclasses import dataclass

import matchproof_native


@dataclass(frozen=True)
class ThresholdKey:
    """The set's public key set (its ``blsttc`` encoding): encrypts to the set and checks members' shares."""

    key_set: bytes

    def __post_init__(self) -> None:
        """Refuse bytes that are not a public key set (ValueError)."""
        matchproof_native.threshold_of(self.key_set)

    @property
    def needed(self) -> int:
        """How many members' shares decrypt a ciphertext."""
        return matchproof_native.threshold_of(self.key_set) + 1

    def encrypt(self, plaintext: bytes) -> bytes:
        """``plaintext`` encrypted to the set, with fresh randomness."""
        return matchproof_native.threshold_encrypt(self.key_set, plaintext)

    def share_valid(self, member: int, share: bytes, ciphertext: bytes) -> bool:
        """Whether ``share`` is member ``member``'s (from 0) decryption share of ``ciphertext``."""
        return matchproof_native.threshold_share_valid(self.key_set, member, share, ciphertext)

    def shares_valid(self, shares: list[tuple[int, bytes, bytes]]) -> bool:
        """
        Whether every ``(member, share, ciphertext)`` is that member's
        decryption share of that ciphertext: one batch check, with random
        weights (a wrong share passes with probability 2^-64), a few times
        cheaper than :meth:`share_valid` on each.
        """
        return matchproof_native.threshold_shares_valid(self.key_set, shares)

    def decrypt(self, shares: Mapping[int, bytes], ciphertext: bytes) -> bytes:
        """
        The plaintext, from members' shares (member to share), which the
        caller has checked (:meth:`share_valid`): a wrong share gives a
        wrong plaintext.

        Raises
        ------
        ValueError
            Fewer than :attr:`needed` shares, or one that does not decode.
        """
        return matchproof_native.threshold_decrypt(self.key_set, dict(shares), ciphertext)


def deal(members: int, needed: int) -> tuple[ThresholdKey, list[bytes]]:
    """
    A trusted dealer's keys for a set of ``members`` of which any ``needed``
    decrypt: the public key set, and each member's secret key share.

    Raises
    ------
    ValueError
        ``needed`` is not between 1 and ``members``.
    """
    if not 1 <= needed <= members:
        raise ValueError(f"{needed} of {members} members cannot be a threshold")
    key_set, shares = matchproof_native.threshold_deal(needed - 1, members)
    return ThresholdKey(key_set), shares


def ciphertext_valid(ciphertext: bytes) -> bool:
    """Whether ``ciphertext`` decodes and is well formed (only such ciphertexts get decryption shares)."""
    return matchproof_native.threshold_ciphertext_valid(ciphertext)


def decryption_share(secret_share: bytes, ciphertext: bytes) -> bytes:
    """
    A member's decryption share of ``ciphertext``, which the caller found
    well formed (:func:`ciphertext_valid`): it is not checked again.

    Raises
    ------
    ValueError
        The secret share or the ciphertext does not decode.
    """
    return matchproof_native.threshold_decryption_share(secret_share, ciphertext)
