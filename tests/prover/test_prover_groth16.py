"""prove / check_witness / verify_proof on the toy circuit, and the proof's calldata order."""

import dataclasses
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from prover import CircuitArtifacts, Proof, ProofNotVerified, WitnessError, check_witness, prove, verify_proof
from prover.witness import FIELD_ORDER, WitnessInput


@pytest.fixture(scope="module")
def toy_proof(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput) -> Proof:
    """One proof of the toy circuit, shared by the tests that only read it."""
    return prove(toy_artifacts, toy_input)


def _assert_line(repo_root: Path) -> int:
    """The line of preimage.circom whose constraint fails for a wrong hash."""
    lines = (repo_root / "tests/prover/circuits/preimage.circom").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if "=== hash" in line)


def test_prove_returns_a_verified_proof_of_the_public_input(toy_proof: Proof, toy_input: WitnessInput) -> None:
    assert toy_proof.public_signals == (toy_input["hash"],)
    assert toy_proof.witness_seconds >= 0 and toy_proof.prove_seconds > 0


def test_verify_proof_rejects_a_proof_of_another_public_input(toy_artifacts: CircuitArtifacts, toy_proof: Proof) -> None:
    forged = dataclasses.replace(toy_proof, public_signals=(toy_proof.public_signals[0] + 1,))
    with pytest.raises(ProofNotVerified):
        verify_proof(toy_artifacts, forged)


def test_check_witness_accepts_a_valid_input(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput) -> None:
    check_witness(toy_artifacts, toy_input)


def test_check_witness_wrong_hash_raises_circom_assert(
    toy_artifacts: CircuitArtifacts, toy_input: WitnessInput, repo_root: Path
) -> None:
    with pytest.raises(WitnessError) as refused:
        check_witness(toy_artifacts, {**toy_input, "preimage": [1, 3]})
    assert "Assert Failed" in refused.value.message
    assert "PoseidonPreimage_" in refused.value.message
    assert f"line: {_assert_line(repo_root)}" in refused.value.message


def test_prove_wrong_hash_raises_witness_error(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput) -> None:
    with pytest.raises(WitnessError, match="Assert Failed"):
        prove(toy_artifacts, {**toy_input, "preimage": [2, 1]})


@pytest.mark.parametrize(
    ("bad_input", "message"),
    [
        ({"preimage": [1, 2]}, "Not all inputs have been set"),
        ({"preimage": [1, 2, 3], "hash": 0}, "Too many values for input signal preimage"),
        ({"extra": 1, "preimage": [1, 2], "hash": 0}, "(?i)signal extra"),
        ({"preimage": [1, FIELD_ORDER], "hash": 0}, r"preimage\[1\]: .* is not a field element"),
        ({"preimage": [1, -1], "hash": 0}, r"preimage\[1\]: -1 is not a field element"),
        ({"preimage": [1, "2"], "hash": 0}, r"preimage\[1\]: '2' is not an integer"),
    ],
)
def test_check_witness_refuses_malformed_inputs(toy_artifacts: CircuitArtifacts, bad_input: dict[str, Any], message: str) -> None:
    with pytest.raises(WitnessError, match=message):
        check_witness(toy_artifacts, bad_input)


def test_check_witness_recovers_after_a_failure_and_is_fast(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput) -> None:
    wrong: WitnessInput = {"preimage": [5, 5], "hash": 1}
    started = time.monotonic()
    for _ in range(20):
        with pytest.raises(WitnessError) as refused:
            check_witness(toy_artifacts, wrong)
        # Each failure reports its own message, not the previous ones'.
        assert refused.value.message.count("Assert Failed") == 1
        check_witness(toy_artifacts, toy_input)
    assert time.monotonic() - started < 5.0


def test_solidity_calldata_matches_snarkjs(toy_artifacts: CircuitArtifacts, toy_proof: Proof, repo_root: Path, tmp_path: Path) -> None:
    (tmp_path / "proof.json").write_text(json.dumps(toy_proof.to_snarkjs()), encoding="utf-8")
    (tmp_path / "public.json").write_text(json.dumps([str(s) for s in toy_proof.public_signals]), encoding="utf-8")
    exported = subprocess.run(
        [str(repo_root / "node_modules/.bin/snarkjs"), "zkey", "export", "soliditycalldata", "public.json", "proof.json"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout
    a, b, c, public = json.loads(f"[{exported}]")
    expected = [int(word, 16) for word in [*a, *b[0], *b[1], *c]]
    assert toy_proof.solidity_calldata() == expected
    assert [int(word, 16) for word in public] == list(toy_proof.public_signals)


def test_proof_json_round_trips(toy_artifacts: CircuitArtifacts, toy_proof: Proof) -> None:
    restored = Proof.from_json(json.loads(json.dumps(toy_proof.to_json())))
    assert restored == toy_proof
    verify_proof(toy_artifacts, restored)
