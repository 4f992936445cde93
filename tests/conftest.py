"""
Fixtures shared by the test folders: the test circuit configuration, built
once per machine (cached under build/), and its tree depths.

Tests that start real processes with real proofs, or build circuits, are
marked ``slow`` (every test of the folders in ``SLOW_FOLDERS``, and those
marked by hand), so ``pytest -m "not slow"`` runs the fast layers alone.
"""

from pathlib import Path

import pytest

from prover import CircuitArtifacts, build_circuit
from sequencer.spec.constants import TreeConfig

TEST_CIRCUIT = "test"
"""The small configuration of circuits/configs.json the suite proves with."""


@pytest.fixture(scope="session")
def circuit() -> CircuitArtifacts:
    """The test configuration's circuit, compiled and set up (minutes on a fresh machine)."""
    return build_circuit(TEST_CIRCUIT)


@pytest.fixture(scope="session")
def tree_config(circuit: CircuitArtifacts) -> TreeConfig:
    """The tree depths the test circuit was compiled for."""
    params = dict(circuit.config.params)
    return TreeConfig.from_circuit_params(params)


@pytest.fixture(scope="session")
def batch_slots(circuit: CircuitArtifacts) -> int:
    """How many transactions one batch of the test circuit holds."""
    return dict(circuit.config.params)["nTx"]


SLOW_FOLDERS = ("e2e", "circuit", "prover", "bench")
"""Folders of tests/ whose every test proves, builds a circuit or runs the whole system."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of ``SLOW_FOLDERS`` slow."""
    root = Path(__file__).parent
    for item in items:
        relative = Path(str(item.path)).relative_to(root)
        if relative.parts and relative.parts[0] in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
