"""
The shared Groth16 vectors (``tests/vectors/groth16_batch.json``) hold real proofs: each
verifies natively under the committed key, and not for another proof's input. Forge checks
the batch verifier contract on the same file (``contracts/test/Groth16BatchVerifier.t.sol``).
"""

import json

from matchproof_native import groth16_verify

from sequencer.l1.verifying_key import VerifyingKey
from tests.vectors.generate_groth16 import GROTH16_PATH, PROOFS


def native_key(key: VerifyingKey) -> list[int]:
    """The key flattened as ``groth16_verify`` takes it: G2 coordinates real part first."""

    def real_first(point: tuple[int, int, int, int]) -> list[int]:
        x_im, x_re, y_im, y_re = point
        return [x_re, x_im, y_re, y_im]

    return [*key.alpha, *real_first(key.beta), *real_first(key.gamma), *real_first(key.delta), *key.ic0, *key.ic1]


def native_proof(words: list[int]) -> list[int]:
    """A proof's 8 calldata words (B imaginary first) as ``groth16_verify`` takes them."""
    a0, a1, b01, b00, b11, b10, c0, c1 = words
    return [a0, a1, b00, b01, b10, b11, c0, c1]


def test_every_vector_proof_verifies_for_its_own_input_only() -> None:
    document = json.loads(GROTH16_PATH.read_text())
    key = native_key(VerifyingKey.from_words(tuple(int(word, 16) for word in document["verifyingKey"])))
    proofs = [native_proof([int(word, 16) for word in proof]) for proof in document["proofs"]]
    inputs = [int(word, 16) for word in document["inputs"]]
    assert len(proofs) == len(inputs) == PROOFS
    for i, proof in enumerate(proofs):
        assert groth16_verify(key, proof, [inputs[i]])
        assert not groth16_verify(key, proof, [inputs[(i + 1) % PROOFS]])
