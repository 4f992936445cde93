"""
Threshold encryption through ``sequencer.crypto.threshold`` (the ``blsttc``
crate in ``matchproof_native``), with a key the members generated together:
any ``needed`` members' shares decrypt and fewer do not; a dishonest
dealer's value is caught by its commitment; a share checks out only as its
own member's share of its own ciphertext; the batch check agrees with
checking each share on its own, for short and long plaintexts (the two ways
a ciphertext is hashed).
"""

import os

import pytest

from sequencer.crypto.threshold import Dealing, ThresholdKey, ciphertext_valid, combine, deal, decryption_share, dkg_key, receive
from tests.support.threshold import distributed_key

KEY, SECRETS = distributed_key(4, 3)


def test_any_three_of_four_shares_decrypt_and_two_do_not() -> None:
    plaintext = b'{"type":"order"}' * 10
    ciphertext = KEY.encrypt(plaintext)
    assert KEY.needed == 3 and ciphertext_valid(ciphertext) and ciphertext != KEY.encrypt(plaintext)  # fresh randomness
    shares = {member: decryption_share(SECRETS[member], ciphertext) for member in range(4)}
    for left_out in range(4):
        assert KEY.decrypt({m: s for m, s in shares.items() if m != left_out}, ciphertext) == plaintext
    with pytest.raises(ValueError, match="2 shares cannot decrypt"):
        KEY.decrypt({0: shares[0], 3: shares[3]}, ciphertext)
    _, strangers = distributed_key(4, 3)  # another set's members
    assert KEY.decrypt({m: decryption_share(strangers[m], ciphertext) for m in (0, 1, 2)}, ciphertext) != plaintext


@pytest.mark.parametrize("length", [1, 64, 65, 700])
def test_the_batch_check_agrees_with_each_share_checked_alone(length: int) -> None:
    ciphertexts = [KEY.encrypt(os.urandom(length)) for _ in range(3)]
    items = [(member, decryption_share(SECRETS[member], c), c) for c in ciphertexts for member in (0, 2, 3)]
    assert all(KEY.share_valid(*item) for item in items) and KEY.shares_valid(items)
    swapped = [*items[:1], (items[1][0], items[2][1], items[1][2]), *items[2:]]  # member 2 shows member 3's share
    relabelled = [(1, items[0][1], items[0][2]), *items[1:]]  # member 0's share as member 1's
    elsewhere = [(items[0][0], items[0][1], ciphertexts[1]), *items[1:]]  # a share of another ciphertext
    for wrong in (swapped, relabelled, elsewhere):
        assert not all(KEY.share_valid(*item) for item in wrong) and not KEY.shares_valid(wrong)
    assert not KEY.shares_valid([(0, bytes(48), ciphertexts[0])]) and KEY.shares_valid([])


def test_a_tampered_ciphertext_or_key_is_refused() -> None:
    ciphertext = KEY.encrypt(b"order")
    for tampered in (ciphertext[:-1] + bytes([ciphertext[-1] ^ 1]), ciphertext[:100], b""):
        assert not ciphertext_valid(tampered)
    for broken in (b"", KEY.key_set[:-1], KEY.key_set + b"\x00", bytes(48)):
        with pytest.raises(ValueError):
            ThresholdKey(broken)
    with pytest.raises(ValueError):
        deal(5, [dkg_key()[1] for _ in range(4)])
    with pytest.raises(ValueError):
        decryption_share(b"short", ciphertext)


def test_a_dealer_whose_value_its_commitment_denies_is_caught() -> None:
    receiving = [dkg_key() for _ in range(3)]
    publics = [public for _, public in receiving]
    honest = deal(3, publics)
    swapped = Dealing(honest.commitment, (honest.values[1], honest.values[0], honest.values[2]))  # member 0 gets member 1's
    with pytest.raises(ValueError, match="does not match its commitment"):
        receive(receiving[0][0], 0, swapped)
    with pytest.raises(ValueError, match="does not match its commitment"):
        receive(receiving[1][0], 0, honest)  # member 0's value, opened with member 1's key: noise
    lower = deal(2, publics)  # a dealing of another threshold
    values = [receive(receiving[0][0], 0, dealing) for dealing in (honest, lower)]
    with pytest.raises(ValueError, match="thresholds differ"):
        combine(0, [honest, lower], values)
