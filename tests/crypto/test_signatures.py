"""
The protocol's signature check (native, with kept results) answers exactly
as the readable reference ``eddsa.verify`` does, whether a result was
computed on the spot, ahead in parallel, or kept from before.
"""

from dataclasses import replace

from sequencer.crypto import eddsa, signatures
from sequencer.crypto.eddsa import PublicKey, Signature, private_to_public, sign


def cases() -> list[tuple[PublicKey, int, Signature]]:
    """Valid signatures and tampered ones (another message, key, S, R8, a malformed S)."""
    found = []
    for seed in range(1, 6):
        key = bytes([seed]) * 32
        public, message = private_to_public(key), 1000 + seed
        good = sign(key, message)
        found += [
            (public, message, good),
            (public, message + 1, good),
            (private_to_public(bytes([seed + 10]) * 32), message, good),
            (public, message, replace(good, s=good.s + 1)),
            (public, message, replace(good, r8x=good.r8y, r8y=good.r8x)),
            (public, message, replace(good, s=True)),  # not an int
        ]
    return found


def test_verify_agrees_with_the_reference_cold_and_kept() -> None:
    signatures.forget()
    for public, message, signature in cases():
        expected = eddsa.verify(public, message, signature)
        assert signatures.verify(public, message, signature) is expected  # computed
        assert signatures.verify(public, message, signature) is expected  # kept


def test_verify_ahead_keeps_the_same_answers() -> None:
    signatures.forget()
    items = cases()
    signatures.verify_ahead(items)
    well_formed = [item for item in items if type(item[2].s) is int]
    assert all(signatures._values(*item) in signatures._kept for item in well_formed)  # computed ahead, kept
    assert [signatures.verify(*item) for item in items] == [eddsa.verify(*item) for item in items]
    assert sum(signatures.verify(*item) for item in items) == 5  # the five untampered ones
