"""The proving queue's leases, checks and ordering, on a fake clock (no proofs computed)."""

from dataclasses import dataclass, replace

import pytest

from prover.groth16 import Proof
from sequencer.proving_queue import LeaseLost, ProofRejected, ProvingQueue, UnknownJob
from sequencer.witness.batch import ProvableBatch


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


def batch(public_input: int) -> ProvableBatch:
    """A stand-in batch: the queue only reads its public input hash."""
    return ProvableBatch(
        transactions=(), timestamp=0, old_root=0, new_root=0, chain_start=0, chain_end=0, l1_count=0,  # type: ignore[arg-type]
        slot_data=(), public_input_hash=public_input, withdrawals=(), circuit_input={},  # type: ignore[arg-type]
    )  # fmt: skip


def proof_for(public_input: int) -> Proof:
    """A proof object claiming ``public_input`` (its curve points are never checked by these tests' ``check``)."""
    return Proof((1, 2), ((3, 4), (5, 6)), (7, 8), (public_input,), 0.0, 0.0)


class Verifier:
    """Accepts every proof except those listed as bad."""

    def __init__(self) -> None:
        self.bad: set[Proof] = set()

    def __call__(self, proof: Proof) -> None:
        if proof in self.bad:
            raise ValueError("pairing check failed")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier() -> Verifier:
    return Verifier()


@pytest.fixture
def queue(clock: Clock, verifier: Verifier) -> ProvingQueue:
    q = ProvingQueue(check=verifier, lease_seconds=10.0, clock=clock)
    for number in (1, 2, 3):
        q.add(number, batch(100 + number))
    return q


def test_lease_hands_out_oldest_job_first_and_each_once(queue: ProvingQueue) -> None:
    leased = [queue.lease(worker) for worker in ("a", "b", "c", "d")]
    assert [item[0].number if item else None for item in leased] == [1, 2, 3, None]


def test_lease_expires_and_job_goes_to_another_worker(queue: ProvingQueue, clock: Clock) -> None:
    first = queue.lease("a")
    assert first is not None
    clock.now = 10.0
    second = queue.lease("b")
    assert second is not None and second[0].number == 1 and second[1].worker == "b"
    with pytest.raises(LeaseLost):
        queue.complete(1, first[1].lease_id, proof_for(101), "a")
    queue.complete(1, second[1].lease_id, proof_for(101), "b")
    assert queue.jobs[1].attempts == 2


def test_progress_extends_the_lease(queue: ProvingQueue, clock: Clock) -> None:
    job, lease = queue.lease("a") or pytest.fail("no job")
    clock.now = 9.0
    queue.progress(job.number, lease.lease_id, "prove", "a")
    clock.now = 18.0
    assert queue.lease("b") is not None and queue.lease("b") is not None  # jobs 2 and 3, not 1
    assert queue.jobs[1].lease is not None and queue.jobs[1].lease.worker == "a"
    assert queue.jobs[1].lease.step == "prove"


def test_progress_after_expiry_is_refused(queue: ProvingQueue, clock: Clock) -> None:
    job, lease = queue.lease("a") or pytest.fail("no job")
    clock.now = 10.0
    with pytest.raises(LeaseLost):
        queue.progress(job.number, lease.lease_id, "prove", "a")


def test_proof_for_another_public_input_is_rejected_and_job_released(queue: ProvingQueue) -> None:
    job, lease = queue.lease("a") or pytest.fail("no job")
    with pytest.raises(ProofRejected):
        queue.complete(job.number, lease.lease_id, proof_for(999), "a")
    again = queue.lease("b")
    assert again is not None and again[0].number == 1
    assert queue.jobs[1].rejected == 1


def test_proof_failing_verification_is_rejected_and_job_released(queue: ProvingQueue, verifier: Verifier) -> None:
    job, lease = queue.lease("a") or pytest.fail("no job")
    corrupted = replace(proof_for(101), pi_a=(1, 3))
    verifier.bad.add(corrupted)
    with pytest.raises(ProofRejected):
        queue.complete(job.number, lease.lease_id, corrupted, "a")
    assert queue.jobs[1].proof is None
    assert queue.lease("b") is not None


def test_proven_jobs_come_out_in_order_up_to_the_first_gap(queue: ProvingQueue) -> None:
    leases = {n: queue.lease(f"w{n}") for n in (1, 2, 3)}
    for number in (3, 2):
        held = leases[number]
        assert held is not None
        queue.complete(number, held[1].lease_id, proof_for(100 + number), f"w{number}")
    assert queue.take_proven(0) == []  # batch 1 is still being proven
    held = leases[1]
    assert held is not None
    queue.complete(1, held[1].lease_id, proof_for(101), "w1")
    assert [job.number for job, _ in queue.take_proven(0)] == [1, 2, 3]
    assert [job.number for job, _ in queue.take_proven(2)] == [3]
    queue.forget_through(2)
    assert sorted(queue.jobs) == [3]


def test_unknown_job_is_named(queue: ProvingQueue) -> None:
    with pytest.raises(UnknownJob):
        queue.progress(42, "x", "prove", "a")


def test_another_worker_cannot_use_a_lease(queue: ProvingQueue) -> None:
    job, lease = queue.lease("a") or pytest.fail("no job")
    with pytest.raises(LeaseLost):
        queue.progress(job.number, lease.lease_id, "prove", "b")
    with pytest.raises(LeaseLost):
        queue.complete(job.number, lease.lease_id, proof_for(101), "b")
    queue.complete(job.number, lease.lease_id, proof_for(101), "a")


def test_progress_keeps_a_lease_only_up_to_its_limit(queue: ProvingQueue, clock: Clock) -> None:
    """A worker that reports progress forever loses the batch after ``max_lease_seconds``."""
    job, lease = queue.lease("a") or pytest.fail("no job")
    while clock.now + 5 < queue.max_lease_seconds:
        clock.now += 5
        queue.progress(job.number, lease.lease_id, "prove", "a")
    clock.now = queue.max_lease_seconds
    with pytest.raises(LeaseLost):
        queue.progress(job.number, lease.lease_id, "prove", "a")
    again = queue.lease("b")
    assert again is not None and again[0].number == job.number
