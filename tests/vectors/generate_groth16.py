"""
Shared Groth16 batch-verification vectors: a verifying key and real proofs, for pytest and forge.

Run from the repository root to rewrite ``tests/vectors/groth16_batch.json``::

    PYTHONPATH=. .venv/bin/python -m tests.vectors.generate_groth16

It builds the prover tests' toy circuit (``tests/prover/circuits``: a Poseidon
preimage with one public input, a development set-up of its own) and proves
``PROOFS`` preimages with it. The key is that set-up's and is committed with the
proofs: the batch verifier does not depend on the circuit, so forge checks it on
these without building anything (``contracts/test/Groth16BatchVerifier.t.sol``),
and ``tests/contracts/test_groth16_vectors.py`` checks every proof natively.

Format of ``groth16_batch.json``: ``verifyingKey``, the 18 words of
``IGroth16BatchVerifier.VerifyingKey`` in field order (G2 points imaginary
first); ``proofs``, each the 8 words ``verifyProofs`` takes; ``inputs``, each
proof's public input; every value a ``0x`` hex 32-byte word.
"""

import json
from pathlib import Path

from prover import build_circuit, prove
from sequencer.crypto.poseidon import poseidon
from sequencer.l1.verifying_key import VerifyingKey
from sequencer.l1.paths import REPO_ROOT

GROTH16_PATH = Path(__file__).with_name("groth16_batch.json")
TOY_MANIFEST = REPO_ROOT / "tests" / "prover" / "circuits" / "configs.json"
PROOFS = 3


def word(value: int) -> str:
    """A 32-byte big-endian word, as forge's ``parseJsonBytes32Array`` reads it."""
    return "0x" + value.to_bytes(32, "big").hex()


def main() -> None:
    circuit = build_circuit("preimage2", REPO_ROOT, TOY_MANIFEST)
    key = VerifyingKey.from_snarkjs(circuit.vkey)
    proofs, inputs = [], []
    for i in range(PROOFS):
        preimage = [i + 1, 1000 * (i + 1)]
        digest = poseidon(preimage)
        proof = prove(circuit, {"preimage": preimage, "hash": digest}, REPO_ROOT)
        proofs.append([word(value) for value in proof.solidity_calldata()])
        inputs.append(word(digest))
    words = [value for part in key.as_struct() for value in part]
    document = {"verifyingKey": [word(value) for value in words], "proofs": proofs, "inputs": inputs}
    GROTH16_PATH.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
