"""
Threshold encryption to the sequencer set, for orders no node can read
before their place in line is final (``consensus.encrypted``).

A thin typed wrapper around the ``blsttc`` crate, built into the
``matchproof_native`` extension (``native/src/threshold.rs``): the
Baek-Zheng scheme over BLS12-381. A trader encrypts to the set's public
key; each member holds one secret key share; a member's *decryption share*
of a ciphertext can be checked by anyone against that member's public key
share, and any ``needed`` valid shares decrypt, while fewer reveal nothing.

The set's keys come from a distributed key generation (joint Feldman): each
member deals (:func:`deal`) a random polynomial's commitment and its value
for every member, encrypted to that member's receiving key (:func:`dkg_key`);
each member checks its values against the commitments (:func:`receive`) and
adds them up (:func:`combine`). The set's key is the sum of the
commitments, and no one ever holds its secret.
"""

from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True)
class Dealing:
    """One member's part of a distributed key generation: its commitment, and each member's value encrypted to that member."""

    commitment: bytes
    values: tuple[bytes, ...]


def dkg_key() -> tuple[bytes, bytes]:
    """A member's key pair for receiving its values in a key generation: ``(secret, public)``."""
    return matchproof_native.threshold_dkg_key()


def deal(needed: int, members: Sequence[bytes]) -> Dealing:
    """
    This member's dealing for a set whose members receive with ``members``
    (their public receiving keys, in member order), of which any ``needed``
    will decrypt.

    Raises
    ------
    ValueError
        ``needed`` is not between 1 and the number of members, or a key does not decode.
    """
    if not 1 <= needed <= len(members):
        raise ValueError(f"{needed} of {len(members)} members cannot be a threshold")
    commitment, values = matchproof_native.threshold_dkg_deal(needed - 1, list(members))
    return Dealing(commitment, tuple(values))


def receive(secret_key: bytes, member: int, dealing: Dealing) -> bytes:
    """
    Member ``member``'s value of a dealing, decrypted with its receiving key.

    Raises
    ------
    ValueError
        It is not for this key, or its dealer's commitment denies it (a dishonest dealer).
    """
    return matchproof_native.threshold_dkg_receive(secret_key, member, dealing.commitment, dealing.values[member])


def combine(member: int, dealings: Sequence[Dealing], values: Sequence[bytes]) -> tuple[ThresholdKey, bytes]:
    """
    The set's key (the sum of the dealings' commitments) and member
    ``member``'s secret share (the sum of its values, one from each dealing).

    Raises
    ------
    ValueError
        The dealings disagree on the threshold, or the sums do not match.
    """
    key_set, share = matchproof_native.threshold_dkg_combine(member, [d.commitment for d in dealings], list(values))
    return ThresholdKey(key_set), share


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
