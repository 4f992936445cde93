"""The batch circuit with perpetual slots, compiled once per session for the circuit tests that share it."""

import pytest

from prover import CircuitArtifacts
from prover.build import CircuitArtifacts as Artifacts, compile_circuit
from prover.manifest import load_config
from sequencer.l1.paths import REPO_ROOT


@pytest.fixture(scope="session")
def test_perp() -> CircuitArtifacts:
    """``circuits/configs.json``'s ``test_perp``: one spot slot, two perpetual slots; compiled only (no set-up)."""
    circuit = load_config(REPO_ROOT / "circuits" / "configs.json", "test_perp")
    directory = REPO_ROOT / circuit.build_dir / circuit.name
    directory.mkdir(parents=True, exist_ok=True)
    header = compile_circuit(REPO_ROOT, circuit, directory)
    return Artifacts.in_directory(circuit, directory, header.n_constraints)
