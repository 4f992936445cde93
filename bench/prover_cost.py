"""
Prover cost: constraints per transaction slot, and the time and memory of
witness generation and proving per batch with each available backend.

Constraints per slot come from compiling each configuration's circuit with
one and with two slots (``circom2 --r1cs`` with the manifest's flags, no
set-up): ``per slot = C(2) - C(1)``, corrected for sha256's whole blocks (see
``fit_constraints``), and ``fixed = C(1) - per slot``, at that
configuration's tree depths. Configurations too large to set up here
(``exchange``) are only compiled. Compiles are cached under
``build/bench/constraints/``, keyed by the circuit sources and tool versions.

Backends, each run as its own process (timed, with its own peak memory from
``wait4``) on the circuit input of a real trade batch:

- witness, ``wasm``: ``snarkjs wtns calculate`` (a fresh node process: start-up
  and WebAssembly compilation included);
- witness, ``wasm-server``: the product's path, a long-lived node process
  per circuit (``prover.witness``): no start-up; its memory is not measured;
- witness, ``native``: circom's C++ witness generator (``circom2 --c``, then
  ``make``), when nasm, g++ and make are installed
  (``bench/install_native_witness.sh``); its witness must equal the wasm one;
- prove, ``snarkjs``: ``snarkjs groth16 prove`` (the reference);
- prove, ``arkworks``: a fresh Python process that reads the zkey and proves the
  wasm witness with ``prover.arkworks`` (key loading included, like snarkjs);
- prove, ``arkworks-warm``: the product's path, the key already loaded in the
  worker (``prover.arkworks`` caches it): proving alone; its memory is not measured;
- verify, ``snarkjs`` (``groth16 verify``, a fresh node process) and ``arkworks``
  (``prover.verify_proof``'s default, in process), on the arkworks proof.

An arkworks proof is checked by snarkjs once, so a fast prover that proves
nothing cannot win.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.measure import ChildRun, median, run_child
from bench.paths import BUILD_DIR
from prover import CircuitArtifacts
from prover.arkworks import prove_witness
from prover.build import read_r1cs_header
from prover.errors import ToolError
from prover.groth16 import Proof, verify_proof
from prover.manifest import CircuitConfig
from prover.tools import npm_bin, npm_version, run_tool
from prover.witness import WitnessInput, calculator_for, encode_input
from sequencer.spec.public_data import LAYOUT

CONSTRAINTS_DIR = BUILD_DIR / "constraints"
NATIVE_DIR = BUILD_DIR / "native"
NATIVE_NAME = "witness"
"""The native generator's main file is ``witness.circom``; circom reserves ``main`` for ``--c``."""
STAMP = "stamp.json"


@dataclass(frozen=True)
class ConstraintFit:
    """Constraints of one configuration's circuit with 1 and 2 slots, and the split into fixed and per slot."""

    config: str
    params: dict[str, int]
    constraints_1: int
    constraints_2: int
    per_slot: int
    """What one more slot adds to a large batch, its share of the sha256 of the public data included."""
    sha256_per_slot: int
    """The part of ``per_slot`` that hashes the slot's public data: ``slotBytes / 64`` of a sha256 block."""
    fixed: int


@dataclass(frozen=True)
class StepTiming:
    """One prover step with one backend: median seconds over the runs, and peak memory (None: not measured)."""

    step: str
    backend: str
    seconds: float
    runs: list[float]
    peak_rss_bytes: int | None


@dataclass(frozen=True)
class Pipeline:
    """A witness backend followed by a prover: seconds per batch and per trade."""

    name: str
    seconds_per_batch: float
    seconds_per_trade: float


@dataclass(frozen=True)
class ProverConfigResult:
    """Every backend's timings on one configuration's real trade batch."""

    config: str
    slots: int
    constraints: int
    steps: list[StepTiming]
    pipelines: list[Pipeline]
    native_witness: str
    """``measured``, or why the native witness generator was not measured."""
    native_build_seconds: float | None
    """Wall time of compiling and building the native generator in this run (None: cached or absent)."""


def _source_digest(root: Path, config: CircuitConfig) -> str:
    """sha256 over the circuit sources on the include paths outside node_modules, the flags and the npm versions."""
    digest = hashlib.sha256()
    for include in config.include_paths:
        if "node_modules" in Path(include).parts:
            continue
        for source in sorted((root / include).rglob("*.circom")):
            digest.update(source.relative_to(root).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    digest.update(json.dumps(list(config.circom_flags)).encode())
    for package in ("circom2", "circomlib"):
        digest.update(f"{package} {npm_version(root, package)}".encode())
    return digest.hexdigest()


def _stamped(directory: Path, key: str) -> dict[str, object] | None:
    """The stamp of a finished job in ``directory`` if it was made with ``key``."""
    try:
        stamp = json.loads((directory / STAMP).read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("key") == key else None


def _include_flags(config: CircuitConfig) -> list[str]:
    return [flag for include in config.include_paths for flag in ("-l", include)]


def with_slots(config: CircuitConfig, slots: int) -> CircuitConfig:
    """``config`` with ``nTx`` replaced by ``slots`` (same tree depths)."""
    params = tuple((name, slots if name == "nTx" else value) for name, value in config.params)
    return dataclasses.replace(config, name=f"{config.name}-ntx{slots}", params=params)


def _compiled_count(root: Path, name: str, main: str, config: CircuitConfig) -> int:
    """The constraint count of the circuit whose main file is ``main``, compiled with ``config``'s flags (cached)."""
    directory = CONSTRAINTS_DIR / name
    key = hashlib.sha256((main + _source_digest(root, config)).encode()).hexdigest()
    stamp = _stamped(directory, key)
    cached = stamp.get("constraints") if stamp is not None else None
    if isinstance(cached, int):
        return cached
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    (directory / "main.circom").write_text(main)
    relative = directory.relative_to(root).as_posix()
    run_tool(
        [
            str(npm_bin(root, "circom2")),
            f"{relative}/main.circom",
            "--r1cs",
            *config.circom_flags,
            *_include_flags(config),
            "-o",
            relative,
        ],
        root,
    )
    constraints = read_r1cs_header(directory / "main.r1cs").n_constraints
    (directory / STAMP).write_text(json.dumps({"key": key, "constraints": constraints}))
    return constraints


def compiled_constraints(root: Path, config: CircuitConfig) -> int:
    """The constraint count of ``config``'s circuit, compiled without a set-up (cached)."""
    return _compiled_count(root, config.name, config.main_circom(), config)


def sha256_blocks(message_bytes: int) -> int:
    """How many 64-byte compression blocks sha256 runs over a message of ``message_bytes`` (padding included)."""
    return (message_bytes + 8) // 64 + 1


def sha256_block_constraints(root: Path, config: CircuitConfig) -> int:
    """Constraints of one sha256 compression (circomlib's ``Sha256`` of two blocks minus one block), with ``config``'s flags."""
    counts = []
    for blocks in (1, 2):
        bits = 8 * (64 * blocks - 9)
        main = (
            "pragma circom 2.0.0;\n"
            'include "circomlib/circuits/sha256/sha256.circom";\n'
            f"component main = Sha256({bits});\n"
        )
        counts.append(_compiled_count(root, f"sha256-{blocks}-block", main, config))
    return counts[1] - counts[0]


def fit_constraints(root: Path, config: CircuitConfig, built: CircuitArtifacts | None = None) -> ConstraintFit:
    """
    Constraints per slot and per batch of ``config`` (a built circuit's own count is reused for its slot count).

    sha256 runs in whole 64-byte blocks, so ``C(2) - C(1)`` alone would count a
    slot's share of the public-input hash as 0 or as a whole block. The fit
    takes the blocks out of that difference and puts back the slot's exact
    share, ``8 * slotBytes / 512`` of a block: ``per_slot`` is what a slot adds
    to a large batch.
    """
    counts: dict[int, int] = {}
    for slots in (1, 2):
        if built is not None and dict(built.config.params).get("nTx") == slots:
            counts[slots] = built.constraints
        else:
            counts[slots] = compiled_constraints(root, with_slots(config, slots))
    block = sha256_block_constraints(root, config)
    header = sum(LAYOUT.header.values())
    extra_blocks = sha256_blocks(header + 2 * LAYOUT.slot_bytes) - sha256_blocks(header + LAYOUT.slot_bytes)
    sha_share = round(block * LAYOUT.slot_bytes / 64)
    per_slot = counts[2] - counts[1] - extra_blocks * block + sha_share
    params = {name: value for name, value in config.params if name != "nTx"}
    return ConstraintFit(config.name, params, counts[1], counts[2], per_slot, sha_share, counts[1] - per_slot)


# ---------------------------------------------------------------- the native witness generator


def native_witness_missing() -> str | None:
    """Why the native witness generator cannot be built here, or None if its tools are installed."""
    missing = [tool for tool in ("nasm", "g++", "make") if shutil.which(tool) is None]
    if missing:
        return f"not measured: {', '.join(missing)} missing (run bench/install_native_witness.sh)"
    return None


def build_native_witness(root: Path, circuit: CircuitArtifacts) -> tuple[Path, float | None]:
    """
    The native witness generator of ``circuit`` (``circom2 --c`` and ``make``),
    built unless a build for the same sources exists; returns its path and
    the build's wall time (None when it was cached).

    Raises ``ToolError`` if circom or make fails.
    """
    config = circuit.config
    directory = NATIVE_DIR / config.name
    main = config.main_circom()
    key = hashlib.sha256((main + _source_digest(root, config)).encode()).hexdigest()
    binary = directory / f"{NATIVE_NAME}_cpp" / NATIVE_NAME
    if _stamped(directory, key) is not None and binary.is_file():
        return binary, None
    started = time.monotonic()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    (directory / f"{NATIVE_NAME}.circom").write_text(main)
    relative = directory.relative_to(root).as_posix()
    run_tool(
        [
            str(npm_bin(root, "circom2")),
            f"{relative}/{NATIVE_NAME}.circom",
            "--c",
            *config.circom_flags,
            *_include_flags(config),
            "-o",
            relative,
        ],
        root,
    )
    run_tool(["make", "-s"], binary.parent)
    (directory / STAMP).write_text(json.dumps({"key": key}))
    return binary, time.monotonic() - started


# ---------------------------------------------------------------- timing the backends

PIPELINE_PROVERS = ("snarkjs", "arkworks-warm")
"""The provers each witness backend is paired with in the per-trade pipelines."""

_ARKWORKS_CHILD = "import sys; from pathlib import Path; from prover.arkworks import prove_witness; prove_witness(Path(sys.argv[1]), Path(sys.argv[2]))"
"""A fresh process that reads a zkey (argv 1) and proves a witness file (argv 2) with arkworks."""


def _check_arkworks_proof(circuit: CircuitArtifacts, witness: Path) -> Proof:
    """One arkworks proof of ``witness``, verified by snarkjs (raises ProofNotVerified if it fails)."""
    proof = Proof.from_arkworks(prove_witness(circuit.zkey, witness), 0.0, 0.0)
    verify_proof(circuit, proof, verifier="snarkjs")
    return proof


def _repeat_child(command: Sequence[str], cwd: Path, runs: int) -> list[ChildRun]:
    """One warm-up run (discarded), then ``runs`` measured ones."""
    run_child(command, cwd)
    return [run_child(command, cwd) for _ in range(runs)]


def _child_timing(step: str, backend: str, measured: list[ChildRun]) -> StepTiming:
    return StepTiming(
        step, backend, median([run.seconds for run in measured]), [round(run.seconds, 4) for run in measured],
        max(run.peak_rss_bytes for run in measured),
    )  # fmt: skip


def _repeat_in_process(action: Callable[[], object], runs: int) -> list[float]:
    """One warm-up call, then the wall time of ``runs`` calls."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def time_backends(
    root: Path,
    circuit: CircuitArtifacts,
    witness_input: WitnessInput,
    runs: int,
    native: Path | None,
    native_status: str,
    native_build_seconds: float | None,
) -> ProverConfigResult:
    """Time every available backend on ``witness_input``: a warm-up, then ``runs`` runs each."""
    slots = dict(circuit.config.params)["nTx"]
    snarkjs = str(npm_bin(root, "snarkjs"))
    steps: list[StepTiming] = []
    with tempfile.TemporaryDirectory(prefix="matchproof-bench-prove-") as scratch:
        folder = Path(scratch)
        (folder / "input.json").write_text(
            json.dumps({name: encode_input(value, name) for name, value in witness_input.items()})
        )
        wasm = _repeat_child([snarkjs, "wtns", "calculate", str(circuit.wasm), "input.json", "wasm.wtns"], folder, runs)
        steps.append(_child_timing("witness", "wasm", wasm))

        calculator = calculator_for(circuit.wasm)
        server = _repeat_in_process(lambda: calculator.compute(witness_input, folder / "server.wtns"), runs)
        steps.append(StepTiming("witness", "wasm-server", median(server), [round(t, 4) for t in server], None))

        if native is not None:
            native_runs = _repeat_child([str(native), "input.json", "native.wtns"], folder, runs)
            if (folder / "native.wtns").read_bytes() != (folder / "wasm.wtns").read_bytes():
                native_status = "not measured: the native witness differs from the wasm witness"
            else:
                steps.append(_child_timing("witness", "native", native_runs))

        prove = _repeat_child(
            [snarkjs, "groth16", "prove", str(circuit.zkey), "wasm.wtns", "proof.json", "public.json"], folder, runs
        )
        steps.append(_child_timing("prove", "snarkjs", prove))
        arkworks = _repeat_child([sys.executable, "-c", _ARKWORKS_CHILD, str(circuit.zkey), "wasm.wtns"], folder, runs)
        steps.append(_child_timing("prove", "arkworks", arkworks))
        warm = _repeat_in_process(lambda: prove_witness(circuit.zkey, folder / "wasm.wtns"), runs)
        steps.append(StepTiming("prove", "arkworks-warm", median(warm), [round(t, 4) for t in warm], None))
        proof = _check_arkworks_proof(circuit, folder / "wasm.wtns")
        (folder / "arkworks-proof.json").write_text(json.dumps(proof.to_snarkjs()))
        (folder / "arkworks-public.json").write_text(json.dumps([str(value) for value in proof.public_signals]))
        check = [snarkjs, "groth16", "verify", str(circuit.vkey), "arkworks-public.json", "arkworks-proof.json"]
        steps.append(_child_timing("verify", "snarkjs", _repeat_child(check, folder, runs)))
        native_checks = _repeat_in_process(lambda: verify_proof(circuit, proof, verifier="arkworks"), runs)
        steps.append(StepTiming("verify", "arkworks", median(native_checks), [round(t, 4) for t in native_checks], None))

    pipelines = [
        Pipeline(
            f"{witness.backend} witness + {proof.backend} prove",
            witness.seconds + proof.seconds,
            (witness.seconds + proof.seconds) / slots,
        )
        for proof in steps
        if proof.step == "prove" and proof.backend in PIPELINE_PROVERS
        for witness in steps
        if witness.step == "witness"
    ]
    return ProverConfigResult(
        config=circuit.config.name,
        slots=slots,
        constraints=circuit.constraints,
        steps=steps,
        pipelines=pipelines,
        native_witness="measured" if any(step.backend == "native" for step in steps) else native_status,
        native_build_seconds=native_build_seconds,
    )


def measure_prover(
    root: Path, circuit: CircuitArtifacts, witness_input: WitnessInput, runs: int, native_witness: bool
) -> ProverConfigResult:
    """Build the native witness generator when asked and possible, then time every backend."""
    native: Path | None = None
    build_seconds: float | None = None
    status = "not measured: switched off" if not native_witness else (native_witness_missing() or "measured")
    if native_witness and status == "measured":
        try:
            native, build_seconds = build_native_witness(root, circuit)
        except (ToolError, OSError) as error:
            status = f"not measured: the build failed ({error})"
    return time_backends(root, circuit, witness_input, runs, native, status, build_seconds)
