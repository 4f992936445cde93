"""
Proving jobs under leases: how sealed batches are shared out among prover
workers that may die, stall or lie.

A worker leases the oldest unproven batch for ``lease_seconds``; it keeps the
lease by reporting progress, and loses it when it falls silent, so another
worker can take the batch. A proof is accepted only after it is checked
against the batch's public input and the circuit's verification key: a
corrupted proof is refused, the lease dropped, and the job goes back to the
queue. Proven batches come out strictly in batch order, however the workers
finish.

The queue holds no I/O and reads time only through ``clock``, so tests drive
it with a fake clock.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prover.groth16 import Proof
from sequencer.witness.batch import ProvableBatch


class LeaseLost(Exception):
    """The lease named does not hold the job (it expired and went to another worker, or never did)."""

    code = "LEASE_LOST"


class ProofRejected(Exception):
    """A submitted proof does not prove the batch; the job goes back to the queue."""

    code = "PROOF_REJECTED"


class UnknownJob(Exception):
    """No job has this batch number."""

    code = "UNKNOWN_JOB"


@dataclass
class Lease:
    """A worker's hold on a job until ``expires_at`` (on the queue's clock)."""

    lease_id: str
    worker: str
    leased_at: float
    expires_at: float
    step: str = "leased"


@dataclass(frozen=True)
class Completion:
    """An accepted proof: which batch, which worker, after how many leases, how long its last lease ran."""

    number: int
    worker: str
    attempts: int
    seconds: float


@dataclass
class Job:
    """One batch to prove, its current lease and, once accepted, its proof."""

    number: int
    batch: ProvableBatch
    lease: Lease | None = None
    proof: Proof | None = None
    attempts: int = 0
    rejected: int = 0


@dataclass
class ProvingQueue:
    """
    The sequencer's proving jobs, and the record of accepted proofs.

    ``check`` verifies a proof against the verification key (raising on
    failure): ``prover.verify_proof`` in production.
    """

    check: Callable[[Proof], None]
    lease_seconds: float = 60.0
    max_lease_seconds: float = 900.0
    """
    How long one lease may be kept alive by progress reports in all: a
    worker that reports progress forever without handing in a proof would
    otherwise hold the oldest batch (and so settlement) as long as it likes.
    """
    clock: Callable[[], float] = time.monotonic
    jobs: dict[int, Job] = field(default_factory=dict)
    completions: list[Completion] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, number: int, batch: ProvableBatch) -> None:
        """Queue a sealed batch for proving (again: no-op)."""
        with self._lock:
            self.jobs.setdefault(number, Job(number, batch))

    def lease(self, worker: str) -> tuple[Job, Lease] | None:
        """The oldest job without a proof or a live lease, now leased to ``worker``; None if there is none."""
        with self._lock:
            now = self.clock()
            for number in sorted(self.jobs):
                job = self.jobs[number]
                if job.proof is None and (job.lease is None or job.lease.expires_at <= now):
                    job.lease = Lease(f"{number}-{secrets.token_hex(16)}", worker, now, now + self.lease_seconds)
                    job.attempts += 1
                    return job, job.lease
            return None

    def progress(self, number: int, lease_id: str, step: str, worker: str) -> Lease:
        """
        Record a worker's step and extend its lease, never past
        ``max_lease_seconds`` after it was taken.

        Raises
        ------
        LeaseLost
            ``worker`` does not hold the lease (it expired, also by reaching
            its limit, or is another worker's).
        """
        with self._lock:
            job = self._job(number)
            lease = self._held(job, lease_id, worker)
            lease.step = step
            lease.expires_at = min(self.clock() + self.lease_seconds, lease.leased_at + self.max_lease_seconds)
            return lease

    def complete(self, number: int, lease_id: str, proof: Proof, worker: str) -> None:
        """
        Accept a proof from the lease holder ``worker``, after checking it.

        Raises
        ------
        LeaseLost
            The lease no longer holds the job, or is not ``worker``'s.
        ProofRejected
            The proof is for another public input or does not verify; the
            lease is dropped and the job can be leased again.
        """
        with self._lock:
            job = self._job(number)
            self._held(job, lease_id, worker)
        # Verify outside the lock: it takes a while, and the lease stays held.
        try:
            if proof.public_signals != (job.batch.public_input_hash,):
                raise ProofRejected(f"batch {number}: the proof is for another public input")
            self.check(proof)
        except ProofRejected:
            self._drop(job, lease_id)
            raise
        except Exception as error:
            self._drop(job, lease_id)
            raise ProofRejected(f"batch {number}: the proof does not verify ({error})") from error
        with self._lock:
            lease = self._held(job, lease_id, worker)
            job.proof = proof
            job.lease = None
            self.completions.append(Completion(number, lease.worker, job.attempts, self.clock() - lease.leased_at))

    def release(self, number: int, lease_id: str, worker: str) -> None:
        """Give a job back at once (its worker could not prove it); a lease no longer held is left alone."""
        with self._lock:
            job = self._job(number)
            lease = job.lease
            if lease is not None and lease.lease_id == lease_id and lease.worker == worker:
                job.lease = None

    def take_proven(self, after: int) -> list[tuple[Job, Proof]]:
        """The proven jobs numbered ``after + 1``, ``after + 2``, ... up to the first gap, in order."""
        with self._lock:
            ready = []
            number = after + 1
            while (job := self.jobs.get(number)) is not None and job.proof is not None:
                ready.append((job, job.proof))
                number += 1
            return ready

    def forget_through(self, number: int) -> None:
        """Drop the jobs up to ``number`` (verified on L1 and final)."""
        with self._lock:
            for done in [n for n in self.jobs if n <= number]:
                del self.jobs[done]

    def _job(self, number: int) -> Job:
        """The job of batch ``number`` (raises ``UnknownJob``)."""
        job = self.jobs.get(number)
        if job is None:
            raise UnknownJob(f"no proving job for batch {number}")
        return job

    def _held(self, job: Job, lease_id: str, worker: str) -> Lease:
        """The job's lease if ``lease_id`` names it, ``worker`` holds it and it has not expired (raises ``LeaseLost``)."""
        lease = job.lease
        if lease is None or lease.lease_id != lease_id or lease.worker != worker or lease.expires_at <= self.clock():
            raise LeaseLost(f"lease {lease_id} does not hold batch {job.number}")
        return lease

    def _drop(self, job: Job, lease_id: str) -> None:
        """End a lease whose proof was refused, so the job is free at once."""
        with self._lock:
            if job.lease is not None and job.lease.lease_id == lease_id:
                job.lease = None
            job.rejected += 1
