"""
The proving hooks: sealed batches are proven and submitted in order, each
step recorded; a failure is retried; a restart neither proves again nor
resubmits what L1 verified; a settlement takes batches all the way itself.
"""

from dataclasses import replace
from pathlib import Path

import pytest

from sequencer.client.http import ApiError, SequencerClient
from sequencer.service.core import SequencerService
from sequencer.service.proving import BatchProver, BatchPublisher, Settlement
from sequencer.service.schemas import BatchOut
from sequencer.service.server import BackgroundServer
from sequencer.witness.batch import ProvableBatch
from tests.engine.exchange import SLOTS, funding
from tests.service.harness import OPERATOR, standalone_config, trader, wait_for, write_funding
from tests.support.scenario import BASE, UNIT

BATCHES = -(-len(funding()) // SLOTS)
"""The funding deposits fill this many batches."""


class FlakyProver:
    """Fails its first ``failures`` proofs, then proves every batch (a fake proof of its number)."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.proven: list[ProvableBatch] = []

    def prove(self, batch: ProvableBatch) -> tuple[int, ...]:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the prover fell over")
        self.proven.append(batch)
        return (len(self.proven),) * 8


class FakeRollup:
    """Verifies whatever it is sent, in order, like the contract with an accepting verifier."""

    def __init__(self, verified: int = 0, inputs: dict[int, int] | None = None) -> None:
        self.verified = verified
        self.inputs = dict(inputs or {})
        self.submitted: list[int] = []

    def verified_up_to(self) -> int:
        return self.verified

    def verified_input(self, number: int) -> int:
        return self.inputs.get(number, 0)

    def submit(self, number: int, batch: ProvableBatch, proof: tuple[int, ...]) -> str:
        assert number == self.verified + 1, "batches must arrive in order"
        self.submitted.append(number)
        self.verified = number
        self.inputs[number] = batch.public_input_hash
        return f"0x{number:064x}"


def run_until_verified(directory: Path, prover: BatchProver, rollup: BatchPublisher) -> list[BatchOut]:
    """Serve until the funding batches are verified; returns them as the API shows them."""
    service = SequencerService(
        replace(standalone_config(directory / "data"), retry_delay_s=0.05),
        OPERATOR,
        l1=write_funding(directory / "queue.json"),
        prover=prover,
        publisher=rollup,
    )
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        wait_for(lambda: all(client.batch(n).status == "verified" for n in range(1, BATCHES + 1)))
        return [client.batch(n) for n in range(1, BATCHES + 1)]


def test_batches_are_proven_and_submitted_in_order_with_their_l1_transaction(tmp_path: Path) -> None:
    rollup = FakeRollup()
    batches = run_until_verified(tmp_path, FlakyProver(failures=1), rollup)
    assert rollup.submitted == list(range(1, BATCHES + 1))
    assert [b.l1_tx for b in batches] == [f"0x{n:064x}" for n in range(1, BATCHES + 1)]
    assert batches[0].attempts == 2 and batches[0].error is None  # the failed attempt was retried
    assert [b.deposits for b in batches] == [SLOTS] * (BATCHES - 1) + [len(funding()) - SLOTS * (BATCHES - 1)]


def test_a_restart_does_not_prove_or_submit_again(tmp_path: Path) -> None:
    first = FakeRollup()
    run_until_verified(tmp_path, FlakyProver(), first)
    prover, again = FlakyProver(), FakeRollup(verified=first.verified, inputs=first.inputs)
    service = SequencerService(
        standalone_config(tmp_path / "data"), OPERATOR, l1=write_funding(tmp_path / "queue.json"),
        prover=prover, publisher=again,
    )  # fmt: skip
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        assert [client.batch(n).status for n in range(1, BATCHES + 1)] == ["verified"] * BATCHES
    assert prover.proven == [] and again.submitted == []


class RecordingSettlement:
    """A settlement that verifies every batch it was given on its next step."""

    def __init__(self) -> None:
        self.sealed: list[int] = []
        self.inputs: dict[int, int] = {}

    def seal(self, number: int, batch: ProvableBatch) -> None:
        self.sealed.append(number)
        self.inputs[number] = batch.public_input_hash

    def verified_input(self, number: int) -> int:
        return self.inputs.get(number, 0)

    def step(self) -> int:
        return len(self.sealed)

    def stage(self, number: int) -> str:
        return "proven" if number in self.sealed else "sealed"


def test_a_settlement_takes_the_batches_in_order(tmp_path: Path) -> None:
    settlement: Settlement = RecordingSettlement()
    service = SequencerService(
        standalone_config(tmp_path / "data"), OPERATOR, l1=write_funding(tmp_path / "queue.json"), settlement=settlement
    )
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        wait_for(lambda: all(client.batch(n).status == "verified" for n in range(1, BATCHES + 1)))
    assert isinstance(settlement, RecordingSettlement) and settlement.sealed == list(range(1, BATCHES + 1))


def test_a_batch_l1_verified_that_is_not_ours_halts_the_sequencer(tmp_path: Path) -> None:
    """L1 already holds another batch 1 (another operator with the submitter's key): never report ours verified."""
    foreign = FakeRollup(verified=1, inputs={1: 12345})
    prover = FlakyProver()
    service = SequencerService(
        replace(standalone_config(tmp_path / "data"), retry_delay_s=0.05),
        OPERATOR, l1=write_funding(tmp_path / "queue.json"), prover=prover, publisher=foreign,
    )  # fmt: skip
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        wait_for(lambda: client.status().halted is not None)
        assert "batch 1" in (client.status().halted or "")
        assert client.batch(1).status != "verified"
        with pytest.raises(ApiError) as refused:
            client.withdraw(trader(1).withdraw(BASE, UNIT, 0))
        assert (refused.value.status, refused.value.code) == (503, "SEQUENCER_STOPPED")
    assert prover.proven == [] and foreign.submitted == []
