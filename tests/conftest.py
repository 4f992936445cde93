"""
Fixtures shared by the test folders: the test circuit configuration, built
once per machine (cached under build/), and its tree depths.
"""

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
