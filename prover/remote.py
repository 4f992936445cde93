"""A stateless prover worker that leases batches from the sequencer over HTTP.

The loop: lease the oldest unproven batch (`POST /prover/lease`), prove it with the
local proving key while a heartbeat thread reports the current step
(`POST /prover/jobs/{n}/progress`, which also keeps the lease alive), then post the
proof (`POST /prover/jobs/{n}/proof`). The sequencer checks every proof before it
accepts it. A worker that dies simply stops reporting: its lease expires and another
worker takes the batch. Workers keep nothing between jobs, so any number of them may
run, on this machine or others.
"""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from prover.build import CircuitArtifacts
from prover.groth16 import Proof, ProverBackend, WitnessBackend, prove
from prover.progress import terminal_bar
from prover.worker import decode_job_input

log = logging.getLogger(__name__)


class JobRefused(Exception):
    """The sequencer refused a worker's request (its error code and message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class LeasedJob:
    """A batch this worker holds a lease on, and the circuit input to prove."""

    number: int
    lease: str
    lease_seconds: float
    circuit: str
    witness_input: dict[str, Any]


class ProvingClient:
    """The sequencer's prover job endpoints, called with this worker's key."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 30.0) -> None:
        """Talk to the sequencer at `base_url` with the worker key `token` (`NAME:SECRET`; the worker is NAME)."""
        self.worker = token.partition(":")[0]
        self._http = httpx.Client(base_url=base_url, timeout=timeout_s, headers={"Authorization": f"Bearer {token}"})

    def circuit(self) -> str:
        """The circuit configuration the sequencer's jobs are for."""
        return str(self._ok(self._http.get("/prover/circuit"))["circuit"])

    def lease(self) -> LeasedJob | None:
        """Lease the oldest unproven batch; None when there is nothing to prove."""
        response = self._http.post("/prover/lease", json={})
        if response.status_code == 204:
            return None
        body = self._ok(response)
        witness_input = decode_job_input(body["input"])
        if not isinstance(witness_input, dict):
            raise JobRefused("BAD_JOB", "the job's input is not an object")
        return LeasedJob(int(body["number"]), str(body["lease"]), float(body["leaseSeconds"]), str(body["circuit"]), witness_input)

    def progress(self, job: LeasedJob, step: str) -> None:
        """Report the step being worked on; keeps the lease alive."""
        self._ok(self._http.post(f"/prover/jobs/{job.number}/progress", json={"lease": job.lease, "step": step}))

    def submit(self, job: LeasedJob, proof: Proof) -> None:
        """Hand the proof in; raises JobRefused (e.g. PROOF_REJECTED, LEASE_LOST) if it is not taken."""
        self._ok(self._http.post(f"/prover/jobs/{job.number}/proof", json={"lease": job.lease, "proof": proof.to_json()}))

    @staticmethod
    def _ok(response: httpx.Response) -> dict[str, Any]:
        """The JSON body of a 2xx answer; JobRefused with the sequencer's code otherwise."""
        if response.is_success:
            body = response.json()
            return body if isinstance(body, dict) else {}
        try:
            error = response.json()
            code, message = str(error.get("code", response.status_code)), str(error.get("message", ""))
        except (ValueError, AttributeError):
            code, message = str(response.status_code), response.text
        raise JobRefused(code, message)


class Heartbeat:
    """Reports a job's current step every third of its lease, from a thread, until stopped."""

    def __init__(self, client: ProvingClient, job: LeasedJob) -> None:
        """Start reporting for `job`."""
        self._client, self._job = client, job
        self._step = "leased"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job.number}", daemon=True)
        self._thread.start()

    def step(self, step: str) -> None:
        """A new step starts: report it now."""
        self._step = step
        self._report()

    def stop(self) -> None:
        """Stop reporting."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._job.lease_seconds / 3):
            self._report()

    def _report(self) -> None:
        try:
            self._client.progress(self._job, self._step)
        except (JobRefused, httpx.HTTPError) as error:
            log.warning("batch=%d heartbeat failed: %s", self._job.number, error)


def prove_one(
    client: ProvingClient,
    artifacts: CircuitArtifacts,
    witness: WitnessBackend = "wasm",
    backend: ProverBackend = "arkworks",
) -> int | None:
    """Lease, prove (the witness by `witness`, the proof by `backend`) and hand in one batch.

    Returns the batch's number, or None if there was none.
    """
    job = client.lease()
    if job is None:
        return None
    if job.circuit != artifacts.config.name:
        raise JobRefused("WRONG_CIRCUIT", f"the job is for circuit {job.circuit!r}, this worker has {artifacts.config.name!r}")
    started = time.monotonic()
    heartbeat = Heartbeat(client, job)

    def on_step(step: str) -> None:
        log.info("worker=%s batch=%d step=%s elapsed=%.2fs", client.worker, job.number, step, time.monotonic() - started)
        heartbeat.step(step)

    try:
        proof = prove(
            artifacts, job.witness_input, on_step=on_step, witness=witness, backend=backend,
            progress=terminal_bar(f"batch {job.number}"),
        )  # fmt: skip
    finally:
        heartbeat.stop()
    client.submit(job, proof)
    log.info(
        "worker=%s batch=%d step=done elapsed=%.2fs witness=%.2fs prove=%.2fs",
        client.worker, job.number, time.monotonic() - started, proof.witness_seconds, proof.prove_seconds,
    )  # fmt: skip
    return job.number


def served_circuit(base_url: str, token: str, poll_seconds: float = 1.0) -> str:
    """
    The circuit configuration the sequencer at `base_url` proves, asked with
    the worker key `token`; waits (logging every try) while it does not answer
    yet, as a worker started beside its sequencer must.

    Raises JobRefused if the sequencer refuses the key.
    """
    client = ProvingClient(base_url, token)
    while True:
        try:
            return client.circuit()
        except httpx.HTTPError as error:
            log.info("worker=%s waiting for %s: %s", client.worker, base_url, error)
            time.sleep(poll_seconds)


def run_remote_worker(
    base_url: str,
    artifacts: CircuitArtifacts,
    token: str,
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
    witness: WitnessBackend = "wasm",
    backend: ProverBackend = "arkworks",
) -> int:
    """Prove leased batches until `stop` is set; returns how many were handed in.

    A refused proof or a lost lease is logged and the worker goes on with the next job.
    """
    client = ProvingClient(base_url, token)
    done = 0
    halt = stop or threading.Event()
    while not halt.is_set():
        try:
            number = prove_one(client, artifacts, witness, backend)
        except (JobRefused, httpx.HTTPError) as error:
            log.warning("worker=%s error=%s", client.worker, error)
            halt.wait(poll_seconds)
            continue
        if number is None:
            halt.wait(poll_seconds)
        else:
            done += 1
    return done

