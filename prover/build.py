"""Compile a manifest configuration with circom2 and run its Groth16 set-up, once.

`build_circuit` turns a named configuration into a compiled circuit (r1cs, witness
wasm), a proving key, a verification key and a Solidity verifier under
`<buildDir>/<config>/`. The build is cached: a stamp file records a hash of every input
(the configuration, the circuit sources, the npm tool versions, the ptau's identity), and
a call whose inputs hash the same returns the existing artifacts at once.

Three set-ups, chosen by the environment (`prover.ptau.select_ptau`,
`prover.ceremony.select_ceremony_key`):

- development (no ceremony ptau selected): `prover.dev_setup` makes the proving key
  straight from the r1cs with secrets drawn and wiped on this machine, in seconds and
  with no powers-of-tau file;
- ceremony ptau (`MATCHPROOF_PTAU` and its published hash): snarkjs's `groth16 setup`
  on the checked ptau, then one random phase-2 contribution made on this machine (the
  production path is the next one);
- a ceremony's final key (`MATCHPROOF_ZKEY` and its published sha256, with the ceremony
  ptau): checked, then verified by snarkjs against the circuit just compiled and the
  ptau, contribution by contribution (`prover.ceremony`).

Whichever it is, the verification key and the Solidity verifier are exported by snarkjs from
the zkey, so what is deployed is what proofs are made with.
"""

import hashlib
import json
import logging
import secrets
import shutil
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from prover.ceremony import CeremonyKey, checked_ceremony_key, select_ceremony_key, verify_key
from prover.dev_setup import development_setup
from prover.errors import CeremonyError, CircuitTooLarge, ManifestError, ProverError
from prover.manifest import DEFAULT_MANIFEST, CircuitConfig, load_config
from prover.ptau import PTAU_BLAKE2B_ENV, PTAU_ENV, PtauSource, ptau_power, select_ptau
from prover.tools import (
    NotThatFile,
    atomic_write_text,
    binary_section,
    default_repo_root,
    file_lock,
    npm_bin,
    npm_version,
    run_tool,
)

# Bumped when the build's steps or outputs change, so that older builds are redone.
BUILD_FORMAT = 2
STAMP_NAME = "build.stamp.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class R1csHeader:
    """The sizes circom records in an .r1cs file's header section."""

    n_wires: int
    n_public_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    n_constraints: int

    @property
    def required_ptau_power(self) -> int:
        """The smallest ptau power snarkjs's Groth16 set-up accepts for this circuit.

        snarkjs needs a domain of 2^k > constraints + public inputs + outputs (one extra
        constraint per public value).
        """
        return (self.n_constraints + self.n_public_inputs + self.n_public_outputs).bit_length()


def read_r1cs_header(path: Path) -> R1csHeader:
    """The header of the .r1cs file at `path`, read directly (no node start-up).

    Raises ProverError if the file is not an r1cs file.
    """
    try:
        with binary_section(path, b"r1cs", 1) as handle:
            (field_size,) = struct.unpack("<I", handle.read(4))
            handle.seek(field_size, 1)
            wires, outputs, inputs, private, _labels, constraints = struct.unpack("<IIIIQI", handle.read(28))
    except NotThatFile as error:
        raise ProverError(str(error)) from error
    return R1csHeader(wires, outputs, inputs, private, constraints)


# File names inside a configuration's build folder (circom names its outputs after main.circom).
MAIN_CIRCOM = "main.circom"
R1CS = "main.r1cs"
WASM = "main_js/main.wasm"
ZKEY = "main.zkey"
VKEY = "verification_key.json"
VERIFIER_SOL = "Groth16Verifier.sol"


@dataclass(frozen=True)
class CircuitArtifacts:
    """The files of one built configuration, and its size.

    `zkey` is the Groth16 proving key (a development key, see the module's docstring), `vkey`
    the verification key as snarkjs exports it to JSON, and `verifier_sol` the Solidity
    verifier generated from the key (contract `Groth16Verifier`).
    """

    config: CircuitConfig
    directory: Path
    r1cs: Path
    wasm: Path
    zkey: Path
    vkey: Path
    verifier_sol: Path
    constraints: int

    @classmethod
    def in_directory(cls, config: CircuitConfig, directory: Path, constraints: int) -> "CircuitArtifacts":
        """The artifacts of `config` built in `directory`."""
        return cls(
            config=config,
            directory=directory,
            r1cs=directory / R1CS,
            wasm=directory / WASM,
            zkey=directory / ZKEY,
            vkey=directory / VKEY,
            verifier_sol=directory / VERIFIER_SOL,
            constraints=constraints,
        )


def _source_hashes(repo_root: Path, config: CircuitConfig) -> dict[str, str]:
    """sha256 of every .circom file on the include paths outside node_modules, by relative path.

    Packages under node_modules are pinned by version instead (see `_build_inputs`).
    Raises ManifestError if an include path does not exist.
    """
    hashes: dict[str, str] = {}
    for include in config.include_paths:
        if "node_modules" in PurePosixPath(include).parts:
            continue
        folder = repo_root / include
        if not folder.is_dir():
            raise ManifestError(f"include path {include!r} is not a folder under {repo_root}")
        for source in sorted(folder.rglob("*.circom")):
            hashes[source.relative_to(repo_root).as_posix()] = hashlib.sha256(source.read_bytes()).hexdigest()
    return hashes


def _build_inputs(repo_root: Path, config: CircuitConfig, ptau: PtauSource, phase2: CeremonyKey | None) -> dict[str, Any]:
    """Everything a build's output depends on, as JSON-ready data."""
    return {
        "phase2": None if phase2 is None else f"ceremony key sha256 {phase2.sha256}",
        "format": BUILD_FORMAT,
        "config": config.describe(),
        "sources": _source_hashes(repo_root, config),
        "npm": {package: npm_version(repo_root, package) for package in ("circom2", "snarkjs", "circomlib")},
        "ptau": ptau.identity,
    }


def _cached_constraints(directory: Path, inputs_hash: str) -> int | None:
    """The constraint count recorded by a complete build in `directory` with the same inputs, else None."""
    try:
        recorded = json.loads((directory / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    outputs = (MAIN_CIRCOM, R1CS, WASM, ZKEY, VKEY, VERIFIER_SOL)
    if recorded.get("inputsHash") != inputs_hash or not all((directory / name).is_file() for name in outputs):
        return None
    constraints = recorded.get("constraints")
    return constraints if isinstance(constraints, int) else None


class _StepTimer:
    """Logs each build step with its wall time, so slow steps show up in the build log."""

    def __init__(self, config_name: str) -> None:
        self.config_name = config_name
        self.started = time.monotonic()

    def done(self, step: str) -> None:
        """Log that `step` finished and restart the clock for the next one."""
        now = time.monotonic()
        log.info("circuit %s: %s took %.1f s", self.config_name, step, now - self.started)
        self.started = now


@contextmanager
def still_running(what: str, every_seconds: float = 15.0) -> Iterator[None]:
    """Log "`what`: still running (N s)" every `every_seconds` while the block runs.

    circom2 prints nothing until it is done, and a large circuit takes minutes: this is
    its progress, so a newcomer sees the build is alive.
    """
    started = time.monotonic()
    finished = threading.Event()

    def tick() -> None:
        while not finished.wait(every_seconds):
            log.info("%s: still running (%.0f s)", what, time.monotonic() - started)

    ticker = threading.Thread(target=tick, name="build-progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        finished.set()
        ticker.join()


def build_circuit(config_name: str, repo_root: Path | None = None, manifest_path: Path | None = None) -> CircuitArtifacts:
    """Build configuration `config_name` of the manifest, or return the existing build if it is current.

    `repo_root` defaults to the repository holding this package and `manifest_path` to
    its `circuits/configs.json`. circom2 runs with the repository root as its working
    directory and paths relative to it. A lock in the build folder makes a concurrent
    caller wait and then reuse this build.

    Raises ManifestError for a bad configuration, PtauError for an unusable ptau,
    CircuitTooLarge if the circuit does not fit the ptau, and ToolError (with circom's
    or snarkjs's output) if a tool fails.
    """
    root = (repo_root or default_repo_root()).resolve()
    config = load_config(manifest_path or root / DEFAULT_MANIFEST, config_name)
    ptau = select_ptau()
    phase2 = select_ceremony_key()
    directory = root / config.build_dir / config.name
    with file_lock(directory / ".build.lock"):
        inputs = _build_inputs(root, config, ptau, phase2)
        inputs_hash = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
        cached = _cached_constraints(directory, inputs_hash)
        if cached is not None:
            return CircuitArtifacts.in_directory(config, directory, cached)

        (directory / STAMP_NAME).unlink(missing_ok=True)
        constraints = _compile_and_set_up(root, config, ptau, phase2, directory)
        atomic_write_text(
            directory / STAMP_NAME,
            json.dumps({"inputsHash": inputs_hash, "constraints": constraints, "inputs": inputs}, indent=1, sort_keys=True),
        )
        return CircuitArtifacts.in_directory(config, directory, constraints)


def compile_circuit(root: Path, config: CircuitConfig, directory: Path) -> R1csHeader:
    """Compile the configuration into `directory` (r1cs, wasm, sym) and check its size; return its header.

    circom2 runs in `root` (the repository) with paths relative to it. Raises
    CircuitTooLarge if the circuit needs a larger domain than the configuration allows,
    and ToolError with circom's output if it fails.
    """
    atomic_write_text(directory / MAIN_CIRCOM, config.main_circom())
    relative_dir = directory.relative_to(root).as_posix()
    include_flags = [flag for include in config.include_paths for flag in ("-l", include)]
    log.info("circuit %s: compiling with circom2 (about a minute per 100k constraints)", config.name)
    with still_running(f"circuit {config.name}: circom2"):
        run_tool(
            [
                str(npm_bin(root, "circom2")),
                f"{relative_dir}/{MAIN_CIRCOM}",
                "--r1cs",
                "--wasm",
                "--sym",
                *config.circom_flags,
                *include_flags,
                "-o",
                relative_dir,
            ],
            root,
        )
    header = read_r1cs_header(directory / R1CS)
    log.info("circuit %s: %d constraints, needs ptau power %d", config.name, header.n_constraints, header.required_ptau_power)
    if header.required_ptau_power > config.ptau_power:
        raise CircuitTooLarge(header.n_constraints, header.required_ptau_power, config.ptau_power)
    return header


def _compile_and_set_up(
    root: Path, config: CircuitConfig, ptau: PtauSource, phase2: CeremonyKey | None, directory: Path
) -> int:
    """Compile the configuration into `directory`, check its size, run the Groth16 set-up; return the constraint count."""
    timer = _StepTimer(config.name)
    header = compile_circuit(root, config, directory)
    timer.done("compile")

    ceremony = ptau.ceremony_file()
    if phase2 is not None:
        if ceremony is None:
            raise CeremonyError(f"a ceremony key is checked against its ptau: set {PTAU_ENV} and {PTAU_BLAKE2B_ENV} too")
        shutil.copyfile(checked_ceremony_key(phase2), directory / ZKEY)
        contributions = verify_key(root, directory / R1CS, ceremony, directory / ZKEY)
        if not contributions:
            raise CeremonyError(f"{phase2.path} has no contribution: its secrets are the initial, public ones")
        log.info("circuit %s: the ceremony key verifies, %d contributions", config.name, len(contributions))
        timer.done("ceremony key verified")
    elif ceremony is None:
        development_setup(directory / R1CS, directory / ZKEY, label=f"circuit {config.name}: set-up")
        timer.done("development set-up")
    else:
        _ceremony_set_up(root, config, ceremony, header, directory)
        timer.done("set-up on the ceremony ptau")
    snarkjs = str(npm_bin(root, "snarkjs"))
    run_tool([snarkjs, "zkey", "export", "verificationkey", ZKEY, VKEY], directory)
    run_tool([snarkjs, "zkey", "export", "solidityverifier", ZKEY, VERIFIER_SOL], directory)
    timer.done("export")
    return header.n_constraints


def _ceremony_set_up(root: Path, config: CircuitConfig, ptau_path: Path, header: R1csHeader, directory: Path) -> None:
    """snarkjs's Groth16 set-up of the compiled circuit on a checked ceremony ptau, then one phase-2 contribution."""
    available = ptau_power(ptau_path)
    if header.required_ptau_power > available:
        raise CircuitTooLarge(header.n_constraints, header.required_ptau_power, available)
    snarkjs = str(npm_bin(root, "snarkjs"))
    run_tool([snarkjs, "groth16", "setup", R1CS, str(ptau_path), "main_0000.zkey"], directory)
    log.warning("circuit %s: one random phase-2 contribution made here: a development key, not for production", config.name)
    # snarkjs reads the entropy from stdin when -e is absent: it stays out of `ps`.
    run_tool(
        [snarkjs, "zkey", "contribute", "main_0000.zkey", ZKEY, "--name=matchproof development"],
        directory,
        stdin_text=secrets.token_hex(32) + "\n",
    )
    (directory / "main_0000.zkey").unlink()
