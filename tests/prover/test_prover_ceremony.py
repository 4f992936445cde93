"""A phase-2 ceremony (prover.ceremony, `matchproof ceremony`) on the toy circuit.

A small development ptau stands in for a public phase-1 file. Two contributions and a
beacon make a key that verifies and that `build_circuit` uses when it is selected; a
tampered contribution, a record that lies, the initial key and a wrong published hash
are refused.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from prover import CircuitArtifacts, build_circuit, dev_ptau, prove
from prover.ceremony import FINAL, ZKEY_ENV, ZKEY_SHA256_ENV, Ceremony, sha256_file
from prover.errors import CeremonyError
from prover.ptau import PTAU_BLAKE2B_ENV, PTAU_ENV, blake2b_file
from sequencer.cli import main
from tests.prover.conftest import POSEIDON_1_2, write_toy_manifest

BEACON = "5f" * 32


@pytest.fixture(scope="module")
def ceremony_ptau(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2^9 ptau made for this module, as if published by a phase-1 ceremony."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MATCHPROOF_CACHE", str(tmp_path_factory.mktemp("cache")))
        return dev_ptau(9, repo_root)


@pytest.fixture()
def selected_ptau(ceremony_ptau: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ceremony ptau, selected by the environment as an operator would."""
    monkeypatch.setenv(PTAU_ENV, str(ceremony_ptau))
    monkeypatch.setenv(PTAU_BLAKE2B_ENV, blake2b_file(ceremony_ptau))
    return ceremony_ptau


@pytest.fixture()
def ceremony(selected_ptau: Path, toy_artifacts: CircuitArtifacts, repo_root: Path, tmp_path: Path) -> Iterator[Ceremony]:
    """A ceremony of the toy circuit, started and not yet contributed to."""
    ptau_blake2b = blake2b_file(selected_ptau)
    yield Ceremony.start(tmp_path / "ceremony", repo_root, selected_ptau, ptau_blake2b, toy_artifacts.r1cs, "toy")


def test_two_contributions_and_a_beacon_make_the_key_the_build_uses(
    ceremony: Ceremony, scratch_dir: Path, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alice = ceremony.contribute("alice")
    # Bob contributes from the command line, as a participant would, and reads his hash there.
    assert main(["ceremony", "contribute", "--dir", str(ceremony.folder), "--name", "bob"]) == 0
    bob_hash = capsys.readouterr().out.split()[-1]
    chain = ceremony.verify()
    assert [c.name for c in chain] == ["alice", "bob"]
    assert chain[0] == alice and chain[1].hash == bob_hash and len(bob_hash) == 128
    assert main(["ceremony", "verify", "--dir", str(ceremony.folder)]) == 0
    assert alice.hash in capsys.readouterr().out

    final = ceremony.finalize(BEACON)
    assert [c.name for c in ceremony.verify()] == ["alice", "bob", "final beacon"]
    with pytest.raises(CeremonyError, match="finalized"):
        ceremony.contribute("carol")

    relative = scratch_dir.relative_to(repo_root).as_posix()
    manifest = write_toy_manifest(tmp_path / "configs.json", "tests/prover/circuits", relative, 15)
    monkeypatch.setenv(ZKEY_ENV, str(final))
    monkeypatch.setenv(ZKEY_SHA256_ENV, "00" * 32)
    with pytest.raises(CeremonyError, match="published hash"):
        build_circuit("toy", repo_root, manifest)
    monkeypatch.setenv(ZKEY_SHA256_ENV, sha256_file(final))
    built = build_circuit("toy", repo_root, manifest)
    assert built.zkey.read_bytes() == final.read_bytes()
    for backend in ("arkworks", "snarkjs"):
        proof = prove(built, {"preimage": [1, 2], "hash": POSEIDON_1_2}, backend=backend)  # type: ignore[arg-type]
        assert proof.public_signals == (POSEIDON_1_2,)


def test_a_tampered_contribution_is_refused_and_not_built_on(ceremony: Ceremony) -> None:
    ceremony.contribute("alice")
    key = ceremony.folder / "0001.zkey"
    data = bytearray(key.read_bytes())
    data[-200] ^= 1  # inside alice's contribution: her public key no longer matches the key's delta
    key.write_bytes(bytes(data))
    with pytest.raises(CeremonyError, match="does not verify"):
        ceremony.verify()
    with pytest.raises(CeremonyError, match="does not verify"):
        ceremony.contribute("bob")
    assert not (ceremony.folder / "0002.zkey").exists()
    with pytest.raises(CeremonyError, match="does not verify"):
        ceremony.finalize(BEACON)
    assert not (ceremony.folder / FINAL).exists()


def test_a_record_that_differs_from_the_chain_is_refused(ceremony: Ceremony) -> None:
    ceremony.contribute("alice")
    record = ceremony.folder / "ceremony.json"
    record.write_text(record.read_text().replace('"alice"', '"mallory"'))
    with pytest.raises(CeremonyError, match="not the recorded one"):
        ceremony.verify()


def test_the_initial_key_is_refused_for_a_build(
    ceremony: Ceremony, scratch_dir: Path, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    initial = ceremony.folder / "0000.zkey"
    monkeypatch.setenv(ZKEY_ENV, str(initial))
    monkeypatch.setenv(ZKEY_SHA256_ENV, sha256_file(initial))
    relative = scratch_dir.relative_to(repo_root).as_posix()
    manifest = write_toy_manifest(tmp_path / "configs.json", "tests/prover/circuits", relative, 15)
    with pytest.raises(CeremonyError, match="no contribution"):
        build_circuit("toy", repo_root, manifest)


@pytest.mark.parametrize(("beacon", "iterations"), [("5f" * 31, 10), ("xy" * 32, 10), (BEACON, 9), (BEACON, 64)])
def test_a_malformed_beacon_is_refused(ceremony: Ceremony, beacon: str, iterations: int) -> None:
    ceremony.contribute("alice")
    with pytest.raises(CeremonyError, match="beacon"):
        ceremony.finalize(beacon, iterations)


def test_finalizing_without_a_contribution_is_refused(ceremony: Ceremony) -> None:
    with pytest.raises(CeremonyError, match="at least one contribution"):
        ceremony.finalize(BEACON)


def test_a_ceremony_needs_the_ceremony_ptau(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(PTAU_ENV, raising=False)
    monkeypatch.delenv(PTAU_BLAKE2B_ENV, raising=False)
    assert main(["ceremony", "verify", "--dir", str(tmp_path)]) == 1
