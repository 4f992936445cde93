"""run_worker: proves the batch jobs in a folder and writes proof or error files."""

import json
from pathlib import Path

from prover import CircuitArtifacts, Proof, run_worker, verify_proof
from prover.witness import WitnessInput


def test_run_worker_proves_each_job_once(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput, tmp_path: Path) -> None:
    # Integers as decimal strings, as a JSON producer writes field elements.
    (tmp_path / "batch-0001.input.json").write_text(
        json.dumps({"preimage": ["1", "2"], "hash": str(toy_input["hash"])}), encoding="utf-8"
    )
    (tmp_path / "batch-0002.input.json").write_text(json.dumps({"preimage": [1, 3], "hash": 5}), encoding="utf-8")

    assert run_worker(tmp_path, toy_artifacts, exit_when_idle=True) == 2

    proof = Proof.from_json(json.loads((tmp_path / "batch-0001.proof.json").read_text(encoding="utf-8")))
    assert proof.public_signals == (toy_input["hash"],)
    verify_proof(toy_artifacts, proof)
    error = json.loads((tmp_path / "batch-0002.error.json").read_text(encoding="utf-8"))
    assert error["error"] == "WitnessError" and "Assert Failed" in error["message"]
    assert not (tmp_path / "batch-0002.proof.json").exists()
    # Finished jobs are not done again.
    assert run_worker(tmp_path, toy_artifacts, exit_when_idle=True) == 0
