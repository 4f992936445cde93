"""
Set-up cost: how long ``matchproof build`` takes when everything is cached,
and what the first set-up on a fresh machine costs.

The fresh set-up is measured for real, in scratch folders under
``build/bench/fresh/`` that are removed afterwards: a copy of the circuit
manifest pointing its build folder there, so the repository's builds are
neither touched nor reused. It covers circom compilation, the development
Groth16 set-up (``prover.dev_setup``: no powers-of-tau file) with its export,
and compiling the contracts with the new verifier. Installing the toolchain
(``scripts/bootstrap``) is not included. ``bench.setup_scale`` compares the
development set-up with snarkjs's and measures it at 2^21 constraints.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from bench.measure import median
from bench.paths import BUILD_DIR
from prover import build_circuit
from prover.manifest import DEFAULT_MANIFEST
from sequencer.l1.compile import compile_contracts

FRESH_DIR = BUILD_DIR / "fresh"


@dataclass(frozen=True)
class CachedSetup:
    """``build_circuit`` and ``compile_contracts`` of a configuration built before: median wall time."""

    config: str
    seconds: float
    runs: int


@dataclass(frozen=True)
class FreshSetup:
    """A configuration's first set-up: the circuit (compile, set-up, export), then the contracts."""

    config: str
    constraints: int
    circuit_seconds: float
    contracts_seconds: float
    total_seconds: float


def cached_setup(config: str, runs: int) -> CachedSetup:
    """Time a cached build of ``config`` (circuit and contracts) ``runs`` times, after one untimed call."""
    build_circuit(config)
    compile_contracts()
    times = []
    for _ in range(runs):
        started = time.monotonic()
        build_circuit(config)
        compile_contracts()
        times.append(time.monotonic() - started)
    return CachedSetup(config, round(median(times), 3), runs)


def fresh_setup(root: Path, config: str) -> FreshSetup:
    """Set ``config`` up from nothing in scratch folders and time each step."""
    shutil.rmtree(FRESH_DIR, ignore_errors=True)
    FRESH_DIR.mkdir(parents=True)
    try:
        manifest = json.loads((root / DEFAULT_MANIFEST).read_text())
        manifest["buildDir"] = (FRESH_DIR / "circuits").relative_to(root).as_posix()
        manifest_path = FRESH_DIR / "configs.json"
        manifest_path.write_text(json.dumps(manifest))
        started = time.monotonic()
        circuit = build_circuit(config, root, manifest_path)
        contracts_started = time.monotonic()
        compile_contracts(build_dir=FRESH_DIR / "contracts", force=True)
        finished = time.monotonic()
        return FreshSetup(
            config=config,
            constraints=circuit.constraints,
            circuit_seconds=round(contracts_started - started, 1),
            contracts_seconds=round(finished - contracts_started, 1),
            total_seconds=round(finished - started, 1),
        )
    finally:
        shutil.rmtree(FRESH_DIR, ignore_errors=True)
