"""The development set-up (native/src/setup.rs through prover.dev_setup) on the toy circuit.

Its keys are used by every proof of the suite (the test circuit is built with it), so
the proofs' verification by snarkjs and by the verifier contract is its main check;
here: the key's shape, fresh secrets each time, progress, and refusals.
"""

import dataclasses
import io
import json
import subprocess
from pathlib import Path

import pytest

from prover import CircuitArtifacts, Proof, ProofNotVerified, ProverError, prove, verify_proof
from prover.arkworks import proving_key
from prover.dev_setup import development_setup
from prover.progress import ProgressBar
from prover.witness import WitnessInput


def _export_vkey(repo_root: Path, zkey: Path, vkey: Path) -> dict[str, object]:
    subprocess.run(
        [str(repo_root / "node_modules/.bin/snarkjs"), "zkey", "export", "verificationkey", str(zkey), str(vkey)],
        capture_output=True, check=True,
    )  # fmt: skip
    loaded: dict[str, object] = json.loads(vkey.read_text(encoding="utf-8"))
    return loaded


def test_the_key_fits_the_circuit_and_reports_each_section(toy_artifacts: CircuitArtifacts, tmp_path: Path) -> None:
    reports: list[tuple[str, int, int]] = []
    sizes = development_setup(
        toy_artifacts.r1cs, tmp_path / "toy.zkey", progress=lambda *report: reports.append(report)
    )
    assert sizes.constraints == toy_artifacts.constraints
    assert sizes.public_signals == 1
    # One row per constraint and one per public signal and the constant, rounded up to a power of two.
    assert sizes.domain_size == 1 << (sizes.constraints + 2 - 1).bit_length()
    key = proving_key(tmp_path / "toy.zkey")
    assert (key.n_vars, key.n_public, key.domain_size) == (sizes.signals, 1, sizes.domain_size)
    finished = [section for section, done, total in reports if done == total]
    assert finished == ["polynomials at tau", "IC", "A", "B1", "B2", "C", "H"]
    assert not list(tmp_path.glob("*.partial"))


def test_each_set_up_draws_new_secrets(
    toy_artifacts: CircuitArtifacts, toy_input: WitnessInput, repo_root: Path, tmp_path: Path
) -> None:
    vkeys = []
    for name in ("one", "two"):
        development_setup(toy_artifacts.r1cs, tmp_path / f"{name}.zkey", progress=lambda *_: None)
        vkeys.append(_export_vkey(repo_root, tmp_path / f"{name}.zkey", tmp_path / f"{name}.json"))
    for part in ("vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"):
        assert vkeys[0][part] != vkeys[1][part], part
    # A proof made with one key does not verify under the other's verification key.
    proof = prove(toy_artifacts, toy_input)
    with pytest.raises(ProofNotVerified):
        verify_proof(dataclasses.replace(toy_artifacts, vkey=tmp_path / "one.json"), proof)


def test_snarkjs_proves_with_a_development_key(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput) -> None:
    proof: Proof = prove(toy_artifacts, toy_input, backend="snarkjs")
    assert proof.public_signals == (toy_input["hash"],)


def test_a_file_that_is_not_an_r1cs_is_refused(toy_artifacts: CircuitArtifacts, tmp_path: Path) -> None:
    with pytest.raises(ProverError, match="is not a r1cs file"):
        development_setup(toy_artifacts.zkey, tmp_path / "x.zkey", progress=lambda *_: None)
    truncated = tmp_path / "truncated.r1cs"
    truncated.write_bytes(toy_artifacts.r1cs.read_bytes()[:-7])
    with pytest.raises(ProverError, match="ends early"):
        development_setup(truncated, tmp_path / "x.zkey", progress=lambda *_: None)
    with pytest.raises(ProverError):
        development_setup(tmp_path / "absent.r1cs", tmp_path / "x.zkey", progress=lambda *_: None)
    assert not list(tmp_path.glob("*.zkey*"))


class _Stop(Exception):
    """Raised by a progress callback to stop the set-up."""


def test_a_progress_callback_that_raises_stops_the_set_up(toy_artifacts: CircuitArtifacts, tmp_path: Path) -> None:
    def stop_at_b2(section: str, done: int, total: int) -> None:
        if section == "B2":
            raise _Stop(section)

    with pytest.raises(_Stop):
        development_setup(toy_artifacts.r1cs, tmp_path / "x.zkey", progress=stop_at_b2)
    assert not list(tmp_path.iterdir()), "no partial key is left behind"


def test_the_progress_bar_redraws_in_place_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = ProgressBar("set-up", screen)
    progress("A", 5, 10)
    progress("A", 10, 10)
    assert screen.getvalue().count("\r") == 2 and screen.getvalue().endswith("\n")
    assert "[###############...............]" in screen.getvalue()
