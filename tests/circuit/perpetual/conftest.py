"""The perpetual test circuits (``configs.json`` beside this file), compiled once per session, no set-up."""

from collections.abc import Callable

import pytest

from prover import CircuitArtifacts
from prover.build import CircuitArtifacts as Artifacts, compile_circuit, load_config
from sequencer.l1.paths import REPO_ROOT

MANIFEST = REPO_ROOT / "tests" / "circuit" / "perpetual" / "configs.json"


def compiled(name: str) -> CircuitArtifacts:
    """Configuration ``name`` of the manifest, compiled (the witness is what the tests check)."""
    config = load_config(MANIFEST, name)
    directory = REPO_ROOT / config.build_dir / config.name
    directory.mkdir(parents=True, exist_ok=True)
    header = compile_circuit(REPO_ROOT, config, directory)
    return Artifacts.in_directory(config, directory, header.n_constraints)


@pytest.fixture(scope="session")
def perp_circuit() -> Callable[[str], CircuitArtifacts]:
    """Compile a configuration of the perpetual test manifest on first use."""
    cache: dict[str, CircuitArtifacts] = {}

    def get(name: str) -> CircuitArtifacts:
        if name not in cache:
            cache[name] = compiled(name)
        return cache[name]

    return get
