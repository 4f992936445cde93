"""
The in-process prover worker leases from the proving queue like a remote
one: it keeps its lease while a proof takes longer than the lease, and gives
a batch back at once when its prover fails.
"""

import time
from collections.abc import Callable

from prover.groth16 import Proof
from sequencer.proving_queue import ProvingQueue
from sequencer.settlement import LocalProver
from sequencer.witness.batch import ProvableBatch
from tests.proving.test_proving_queue import Verifier, batch, proof_for


def slow_prover(seconds: float) -> Callable[[ProvableBatch], Proof]:
    """A prover that takes ``seconds`` and proves the batch's public input."""

    def prove(job: ProvableBatch) -> Proof:
        time.sleep(seconds)
        return proof_for(job.public_input_hash)

    return prove


def test_a_proof_slower_than_the_lease_is_still_accepted() -> None:
    queue = ProvingQueue(check=Verifier(), lease_seconds=0.3)
    queue.add(1, batch(101))
    worker = LocalProver(queue, slow_prover(1.0))
    assert worker.prove_next() == 1
    assert queue.jobs[1].proof is not None and queue.jobs[1].attempts == 1


def test_a_failing_prover_gives_the_batch_back_at_once() -> None:
    queue = ProvingQueue(check=Verifier(), lease_seconds=60)
    queue.add(1, batch(101))

    def broken(job: ProvableBatch) -> Proof:
        raise RuntimeError("the prover fell over")

    assert LocalProver(queue, broken).prove_next() is None
    assert queue.jobs[1].lease is None  # free for another worker now, not in 60 s
    assert LocalProver(queue, slow_prover(0.0)).prove_next() == 1
