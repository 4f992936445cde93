"""
Settlement: sealed batches go to the proving queue; proofs come back in any
order and go to the L1 submitter in batch order; the queue forgets a batch
once the submitter no longer needs it.
"""

from dataclasses import dataclass

from sequencer.l1.submitter import Submitter
from sequencer.proving_queue import ProvingQueue
from sequencer.witness.batch import ProvableBatch


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

    def verified_input(self, number: int) -> int:
        """The public input hash L1 verified for batch ``number`` (0 if none)."""
        return self.submitter.rollup.batch_hash(number)

    def step(self) -> int:
        """Pass new proofs to the submitter in order and advance it; returns the last verified batch."""
        for job, proof in self.queue.take_proven(self.handed_over):
            self.submitter.add(job.number, job.batch, proof.solidity_calldata())
            self.handed_over = job.number
        verified = self.submitter.step()
        pending = self.submitter.pending()
        self.queue.forget_through(min(pending) - 1 if pending else self.handed_over)
        return verified
