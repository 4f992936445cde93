"""
Set-up cost: how long ``matchproof build`` takes when everything is cached,
and what the first set-up on a fresh machine costs.

The fresh set-up is measured for real, in scratch folders under
``build/bench/fresh/`` that are removed afterwards: a copy of the circuit
manifest pointing its build folder there, and (with the ptau) a scratch
``MATCHPROOF_CACHE``, so neither the repository's builds nor the machine's
cached ptau are touched or reused. It covers the development ptau (when
asked: minutes, once per machine), circom compilation and the Groth16 set-up
with its export, and compiling the contracts with the new verifier. Installing
the toolchain (``scripts/bootstrap``) is not included.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.measure import median
from bench.paths import BUILD_DIR
from prover import build_circuit, dev_ptau
from prover.manifest import DEFAULT_MANIFEST
from sequencer.l1.compile import compile_contracts

FRESH_DIR = BUILD_DIR / "fresh"
CACHE_ENV = "MATCHPROOF_CACHE"


@dataclass(frozen=True)
class CachedSetup:
    """``build_circuit`` and ``compile_contracts`` of a configuration built before: median wall time."""

    config: str
    seconds: float
    runs: int


@dataclass(frozen=True)
class FreshSetup:
    """A configuration's first set-up, step by step (``ptau_seconds`` None: the machine's ptau was reused)."""

    config: str
    constraints: int
    ptau_power: int
    ptau_seconds: float | None
    circuit_seconds: float
    contracts_seconds: float
    total_seconds: float


def cached_setup(config: str, runs: int) -> CachedSetup:
    """Time a cached build of ``config`` (circuit and contracts) ``runs`` times, after one untimed call."""
    circuit = build_circuit(config)
    compile_contracts(circuit.verifier_sol)
    times = []
    for _ in range(runs):
        started = time.monotonic()
        circuit = build_circuit(config)
        compile_contracts(circuit.verifier_sol)
        times.append(time.monotonic() - started)
    return CachedSetup(config, round(median(times), 3), runs)


@contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """Set (or, with None, leave alone) an environment variable for the block, then restore it."""
    previous = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def fresh_setup(root: Path, config: str, with_ptau: bool) -> FreshSetup:
    """
    Set ``config`` up from nothing in scratch folders and time each step;
    with ``with_ptau`` the development ptau is generated too (in a scratch
    cache), as on a fresh machine.
    """
    shutil.rmtree(FRESH_DIR, ignore_errors=True)
    FRESH_DIR.mkdir(parents=True)
    try:
        manifest = json.loads((root / DEFAULT_MANIFEST).read_text())
        manifest["buildDir"] = (FRESH_DIR / "circuits").relative_to(root).as_posix()
        manifest_path = FRESH_DIR / "configs.json"
        manifest_path.write_text(json.dumps(manifest))
        power = int(manifest["configs"][config]["ptauPower"])
        with _environment(CACHE_ENV, str(FRESH_DIR / "cache") if with_ptau else None):
            started = time.monotonic()
            ptau_seconds = None
            if with_ptau:
                dev_ptau(power, root)
                ptau_seconds = time.monotonic() - started
            circuit_started = time.monotonic()
            circuit = build_circuit(config, root, manifest_path)
            contracts_started = time.monotonic()
            compile_contracts(circuit.verifier_sol, build_dir=FRESH_DIR / "contracts", force=True)
            finished = time.monotonic()
        return FreshSetup(
            config=config,
            constraints=circuit.constraints,
            ptau_power=power,
            ptau_seconds=None if ptau_seconds is None else round(ptau_seconds, 1),
            circuit_seconds=round(contracts_started - circuit_started, 1),
            contracts_seconds=round(finished - contracts_started, 1),
            total_seconds=round(finished - started, 1),
        )
    finally:
        shutil.rmtree(FRESH_DIR, ignore_errors=True)
