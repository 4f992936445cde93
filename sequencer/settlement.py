"""
Settlement: sealed batches go to the proving queue; proofs come back in any
order and go to the L1 submitter in batch order; the queue forgets a batch
once the submitter no longer needs it.

There is one way to L1: workers lease batches from the queue, whether they
run on other machines (``prover/remote.py`` over HTTP) or in this process
(:class:`LocalProver`), and one submitter sends what they proved.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from prover.groth16 import Proof
from sequencer.l1.rollup import BatchVerification
from sequencer.l1.submitter import Submitter
from sequencer.proving_queue import LeaseLost, ProofRejected, ProvingQueue
from sequencer.witness.batch import ProvableBatch

log = logging.getLogger(__name__)


@dataclass
class Settlement:
    """The path of each batch from sealed to verified on L1."""

    queue: ProvingQueue
    submitter: Submitter
    handed_over: int = 0

    def seal(self, number: int, batch: ProvableBatch) -> None:
        """A sealed batch waits for a prover."""
        self.queue.add(number, batch)

    def stage(self, number: int) -> str:
        """Where an unverified sealed batch is: ``sealed``, ``proving`` (leased) or ``proven``."""
        job = self.queue.jobs.get(number)
        if job is None:
            return "proven" if number <= self.handed_over else "sealed"
        if job.proof is not None:
            return "proven"
        return "proving" if job.lease is not None else "sealed"

    def verification(self, number: int) -> BatchVerification | None:
        """How L1 verified batch ``number`` (public input, transaction, gas); None if it did not."""
        return self.submitter.rollup.batch_verification(number)

    def step(self) -> int:
        """Pass new proofs to the submitter in order and advance it; returns the last verified batch."""
        for job, proof in self.queue.take_proven(self.handed_over):
            self.submitter.add(job.number, job.batch, proof.solidity_calldata())
            self.handed_over = job.number
        verified = self.submitter.step()
        pending = self.submitter.pending()
        self.queue.forget_through(min(pending) - 1 if pending else self.handed_over)
        return verified


class LocalProver:
    """
    A prover worker inside this process: it leases from the same queue as
    remote workers, and its proofs are checked like theirs.
    """

    def __init__(
        self, queue: ProvingQueue, prove: Callable[[ProvableBatch], Proof], name: str = "local", poll_s: float = 0.2
    ) -> None:
        """Work on ``queue``, proving each batch with ``prove``."""
        self.queue, self._prove, self.name, self._poll_s = queue, prove, name, poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def prove_next(self) -> int | None:
        """
        Lease the oldest unproven batch, prove it and hand the proof in;
        returns its number once the proof is accepted, None if there was
        nothing to prove or it failed. A failure gives the job back (logged),
        for this or another worker to try again.
        """
        leased = self.queue.lease(self.name)
        if leased is None:
            return None
        job, lease = leased
        done = threading.Event()

        def keep_lease() -> None:  # as remote workers do: report progress while proving
            while not done.wait(self.queue.lease_seconds / 3):
                try:
                    self.queue.progress(job.number, lease.lease_id, "prove", self.name)
                except LeaseLost:
                    return

        heartbeat = threading.Thread(target=keep_lease, name=f"lease-{self.name}", daemon=True)
        heartbeat.start()
        try:
            proof = self._prove(job.batch)
        except Exception as error:  # the prover failed: give the batch back
            log.warning("worker=%s batch=%d: proving failed: %s", self.name, job.number, error)
            self.queue.release(job.number, lease.lease_id, self.name)
            return None
        finally:
            done.set()
            heartbeat.join()
        try:
            self.queue.complete(job.number, lease.lease_id, proof, self.name)
        except (LeaseLost, ProofRejected) as error:
            log.warning("worker=%s batch=%d: %s", self.name, job.number, error)
            return None
        log.info("worker=%s batch=%d step=done", self.name, job.number)
        return job.number

    def start(self) -> None:
        """Prove in a background thread until :meth:`stop`."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"prover-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the batch being proven, if any."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.prove_next() is None:
                self._stop.wait(self._poll_s)
