"""build_circuit: compiles, sets up, caches by a hash of its inputs, and refuses what cannot work."""

import json
import logging
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from prover import CircuitArtifacts, CircuitTooLarge, ManifestError, PtauHashMismatch, build_circuit, dev_ptau, prove
from prover.build import still_running, read_r1cs_header
from prover.manifest import load_config
from prover.ptau import PTAU_BLAKE2B_ENV, PTAU_ENV, blake2b_file
from tests.prover.conftest import POSEIDON_1_2, write_toy_manifest


def test_build_circuit_writes_every_artifact(toy_artifacts: CircuitArtifacts, repo_root: Path) -> None:
    for path in (toy_artifacts.r1cs, toy_artifacts.wasm, toy_artifacts.zkey, toy_artifacts.vkey, toy_artifacts.verifier_sol):
        assert path.is_file(), path
    main = (toy_artifacts.directory / "main.circom").read_text(encoding="utf-8")
    assert "component main {public [hash]} = PoseidonPreimage(2);" in main
    assert "contract Groth16Verifier" in toy_artifacts.verifier_sol.read_text(encoding="utf-8")
    assert json.loads(toy_artifacts.vkey.read_text(encoding="utf-8"))["nPublic"] == 1


def test_build_circuit_constraint_count_matches_snarkjs(toy_artifacts: CircuitArtifacts, repo_root: Path) -> None:
    info = subprocess.run(
        [str(repo_root / "node_modules/.bin/snarkjs"), "r1cs", "info", str(toy_artifacts.r1cs)],
        capture_output=True, text=True, check=True,
    ).stdout
    match = re.search(r"# of Constraints: (\d+)", info)
    assert match is not None, info
    assert toy_artifacts.constraints == int(match.group(1))


def test_build_circuit_second_call_is_cached(toy_artifacts: CircuitArtifacts, repo_root: Path, toy_manifest: Path) -> None:
    zkey_mtime = toy_artifacts.zkey.stat().st_mtime_ns
    started = time.monotonic()
    again = build_circuit("preimage2", repo_root, toy_manifest)
    assert time.monotonic() - started < 1.0
    assert again == toy_artifacts
    assert toy_artifacts.zkey.stat().st_mtime_ns == zkey_mtime


def _scratch_manifest(scratch_dir: Path, repo_root: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A toy manifest whose sources and build live in `scratch_dir`; returns it and the sources' folder."""
    sources = scratch_dir / "src"
    sources.mkdir()
    shutil.copy(repo_root / "tests/prover/circuits/preimage.circom", sources)
    relative = scratch_dir.relative_to(repo_root).as_posix()
    return write_toy_manifest(tmp_path / "configs.json", f"{relative}/src", f"{relative}/build", 15), sources


def test_build_circuit_rebuilds_when_a_source_changes(scratch_dir: Path, repo_root: Path, tmp_path: Path) -> None:
    manifest, sources = _scratch_manifest(scratch_dir, repo_root, tmp_path)
    first = build_circuit("toy", repo_root, manifest)
    first_zkey = first.zkey.read_bytes()
    assert build_circuit("toy", repo_root, manifest).zkey.read_bytes() == first_zkey

    with (sources / "preimage.circom").open("a", encoding="utf-8") as source:
        source.write("// an edit that changes no constraint still changes the inputs\n")
    second = build_circuit("toy", repo_root, manifest)
    assert second.constraints == first.constraints
    # A new set-up draws new secrets, hence a different key.
    assert second.zkey.read_bytes() != first_zkey


def test_build_circuit_on_a_ceremony_ptau(
    scratch_dir: Path, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """snarkjs's set-up on a hash-checked ptau (a small development one stands in for a ceremony's)."""
    manifest, _ = _scratch_manifest(scratch_dir, repo_root, tmp_path)
    monkeypatch.setenv("MATCHPROOF_CACHE", str(tmp_path / "cache"))
    ptau = dev_ptau(9, repo_root)
    monkeypatch.setenv(PTAU_ENV, str(ptau))
    monkeypatch.setenv(PTAU_BLAKE2B_ENV, "ab" * 64)
    with pytest.raises(PtauHashMismatch):
        build_circuit("toy", repo_root, manifest)

    monkeypatch.setenv(PTAU_BLAKE2B_ENV, blake2b_file(ptau))
    built = build_circuit("toy", repo_root, manifest)
    proof_input = {"preimage": [1, 2], "hash": POSEIDON_1_2}
    for backend in ("arkworks", "snarkjs"):
        assert prove(built, proof_input, backend=backend).public_signals == (POSEIDON_1_2,)  # type: ignore[arg-type]


def test_build_circuit_refuses_a_circuit_larger_than_its_ptau(scratch_dir: Path, repo_root: Path, tmp_path: Path) -> None:
    relative = scratch_dir.relative_to(repo_root).as_posix()
    manifest = write_toy_manifest(tmp_path / "configs.json", "tests/prover/circuits", relative, 7)
    with pytest.raises(CircuitTooLarge) as refused:
        build_circuit("toy", repo_root, manifest)
    # 240 constraints (circom --O2) and one public input need 2^8 > 241.
    assert (refused.value.constraints, refused.value.required_power, refused.value.ptau_power) == (240, 8, 7)


def test_read_r1cs_header_gives_the_power_snarkjs_needs(toy_artifacts: CircuitArtifacts) -> None:
    header = read_r1cs_header(toy_artifacts.r1cs)
    assert header.n_constraints == toy_artifacts.constraints
    assert (header.n_public_inputs, header.n_public_outputs) == (1, 0)
    # snarkjs wants 2^k > constraints + public inputs + outputs.
    assert 2 ** (header.required_ptau_power - 1) <= header.n_constraints + 1 < 2**header.required_ptau_power


def test_load_config_reads_the_repository_manifest(repo_root: Path) -> None:
    manifest = repo_root / "circuits" / "configs.json"
    test = load_config(manifest, "test")
    assert test.main_circom().endswith("component main {public [publicInputHash]} = Batch(1, 0, 4, 2, 2, 1, 1, 1);\n")
    assert test.include_paths == ("circuits", "node_modules")
    assert test.ptau_power == 18
    assert load_config(manifest, "devnet").params == (
        ("nTx", 8),
        ("nPerp", 2),
        ("accountDepth", 8),
        ("balanceDepth", 2),
        ("orderDepth", 4),
        ("quorum", 3),
        ("keys", 4),
        ("keyBits", 2),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"configs": {"toy": {"n": 2, "ptauPower": 15, "nn": 1}}}, "unknown keys"),
        ({"configs": {"toy": {"ptauPower": 15}}}, "missing template parameters"),
        ({"configs": {"toy": {"n": "2", "ptauPower": 15}}}, "must be an integer"),
        ({"includePaths": ["../outside", "node_modules"]}, "stay inside"),
    ],
)
def test_load_config_refuses_a_bad_manifest(tmp_path: Path, change: dict[str, object], message: str) -> None:
    manifest = write_toy_manifest(tmp_path / "configs.json", "tests/prover/circuits", "build/x", 15)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data.update(change)
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        load_config(manifest, "toy")


def test_load_config_names_the_known_configurations(repo_root: Path) -> None:
    with pytest.raises(ManifestError, match="'devnet'"):
        load_config(repo_root / "circuits" / "configs.json", "mainnet")


def test_a_long_step_reports_that_it_isstill_running(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="prover.build"), still_running("circuit toy: circom2", every_seconds=0.05):
        time.sleep(0.3)
    ticks = [record.getMessage() for record in caplog.records if "still running" in record.getMessage()]
    assert len(ticks) >= 3 and ticks[0].startswith("circuit toy: circom2: still running")
    caplog.clear()
    time.sleep(0.1)
    assert not caplog.records, "the ticker stops with the step"
