"""A proving worker that takes batch jobs from a folder.

A job is `<batch>.input.json` (the circuit's witness input as JSON, integers as numbers
or decimal strings); the worker writes `<batch>.proof.json` (`Proof.to_json`) or, if the
circuit refuses the input or the proof fails, `<batch>.error.json`, each atomically, and
skips jobs that already have either. Producers must write an input atomically too (write
another name, then rename). One worker per folder: jobs are not leased (that comes with
the HTTP job queue).
"""

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from prover.build import CircuitArtifacts
from prover.errors import ProverError
from prover.groth16 import ProverBackend, WitnessBackend, prove
from prover.progress import terminal_bar
from prover.tools import atomic_write_text
from prover.witness import SignalValue

INPUT_SUFFIX = ".input.json"
PROOF_SUFFIX = ".proof.json"
ERROR_SUFFIX = ".error.json"

log = logging.getLogger(__name__)


def decode_job_input(value: Any) -> SignalValue:
    """A JSON job input with decimal-string numbers turned into ints (JSON numbers lose precision)."""
    if isinstance(value, str):
        return int(value, 10)
    if isinstance(value, list):
        return [decode_job_input(item) for item in value]
    if isinstance(value, dict):
        return {key: decode_job_input(item) for key, item in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"job input value {value!r} is not an integer")


def pending_jobs(jobs_dir: Path) -> list[str]:
    """Names of the batches in `jobs_dir` that have an input but neither a proof nor an error, oldest name first."""
    names = sorted(path.name[: -len(INPUT_SUFFIX)] for path in jobs_dir.glob(f"*{INPUT_SUFFIX}"))
    return [
        name
        for name in names
        if not (jobs_dir / f"{name}{PROOF_SUFFIX}").exists() and not (jobs_dir / f"{name}{ERROR_SUFFIX}").exists()
    ]


def prove_job(
    jobs_dir: Path,
    name: str,
    artifacts: CircuitArtifacts,
    witness: WitnessBackend = "wasm",
    backend: ProverBackend = "arkworks",
) -> None:
    """Prove batch `name` of `jobs_dir` (the witness by `witness`, the proof by `backend`).

    Writes its proof file, or its error file if it fails.
    """
    started = time.monotonic()

    def progress(step: str) -> None:
        log.info("batch=%s step=%s elapsed=%.2fs", name, step, time.monotonic() - started)

    try:
        raw = json.loads((jobs_dir / f"{name}{INPUT_SUFFIX}").read_text(encoding="utf-8"))
        witness_input = decode_job_input(raw)
        if not isinstance(witness_input, dict):
            raise ValueError("the job input is not a JSON object")
        proof = prove(
            artifacts, witness_input, on_step=progress, witness=witness, backend=backend, progress=terminal_bar(f"batch {name}")
        )
    except (ProverError, ValueError) as error:
        log.error("batch=%s step=failed elapsed=%.2fs error=%s", name, time.monotonic() - started, error)
        atomic_write_text(jobs_dir / f"{name}{ERROR_SUFFIX}", json.dumps({"error": type(error).__name__, "message": str(error)}))
        return
    atomic_write_text(jobs_dir / f"{name}{PROOF_SUFFIX}", json.dumps(proof.to_json(), indent=1))
    progress("done")


def run_worker(
    jobs_dir: Path,
    artifacts: CircuitArtifacts,
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
    exit_when_idle: bool = False,
    witness: WitnessBackend = "wasm",
    backend: ProverBackend = "arkworks",
) -> int:
    """Prove the jobs that appear in `jobs_dir` until `stop` is set (or, with `exit_when_idle`, none is left).

    Returns the number of jobs handled (proven or failed). A job whose input is refused
    gets an error file and the worker goes on; a tool failure (ToolError) too, since it is
    reported per batch. Polls every `poll_seconds` while idle.
    """
    stop_event = stop or threading.Event()
    handled = 0
    log.info("worker: watching %s with circuit %s", jobs_dir, artifacts.config.name)
    while not stop_event.is_set():
        names = pending_jobs(jobs_dir)
        if not names:
            if exit_when_idle:
                break
            stop_event.wait(poll_seconds)
            continue
        for name in names:
            if stop_event.is_set():
                break
            prove_job(jobs_dir, name, artifacts, witness, backend)
            handled += 1
    return handled
