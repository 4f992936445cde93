"""Fixtures for the prover tests: the toy circuit's manifest and its (cached) build.

The toy circuit (`circuits/preimage.circom`, a Poseidon preimage with one public input)
stands in for the batch circuit, so the pipeline is tested without it. Its build uses
the machine's development ptau of power 15, generated on first use (minutes) and cached.
"""

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from prover import CircuitArtifacts, build_circuit
from prover.witness import WitnessInput

BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583
"""BN254's base field modulus: the field of the proof points' coordinates."""

# Poseidon([1, 2]) as circomlib computes it (docs/DESIGN.md).
POSEIDON_1_2 = 7853200120776062878684798364095072458815029376092732009249414926327459813530


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root: circom2 runs there and reads only below it."""
    return Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def toy_manifest() -> Path:
    """The manifest of the toy circuit (one configuration, `preimage2`: two preimage elements)."""
    return Path(__file__).resolve().parent / "circuits" / "configs.json"


@pytest.fixture(scope="session")
def toy_artifacts(repo_root: Path, toy_manifest: Path) -> CircuitArtifacts:
    """The toy circuit built through `build_circuit`, as the batch circuit will be."""
    return build_circuit("preimage2", repo_root, toy_manifest)


@pytest.fixture(scope="session")
def toy_input() -> WitnessInput:
    """An input the toy circuit accepts: the preimage [1, 2] and its Poseidon hash."""
    return {"preimage": [1, 2], "hash": POSEIDON_1_2}


@pytest.fixture()
def scratch_dir(repo_root: Path) -> Iterator[Path]:
    """A fresh folder inside the repository's build/ (circom2 reads nothing outside the repository), removed afterwards."""
    folder = repo_root / "build" / "tests" / "prover" / f"scratch-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder)


def write_toy_manifest(path: Path, include: str, build_dir: str, ptau_power: int) -> Path:
    """A one-configuration ("toy") manifest of the Poseidon preimage circuit."""
    path.write_text(
        json.dumps(
            {
                "buildDir": build_dir,
                "includePaths": [include, "node_modules"],
                "circomFlags": ["--O2"],
                "template": {"file": "preimage.circom", "name": "PoseidonPreimage", "params": ["n"]},
                "publicSignals": ["hash"],
                "configs": {"toy": {"n": 2, "ptauPower": ptau_power}},
            }
        ),
        encoding="utf-8",
    )
    return path
