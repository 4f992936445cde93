"""
The settlement loop: sealed batches are handed over in order and recorded
verified once L1 holds them; a restart hands over nothing L1 already
verified; a batch L1 verified that is not the sequencer's halts it.
"""

from dataclasses import replace
from pathlib import Path

import pytest

from sequencer.client.http import ApiError, SequencerClient
from sequencer.l1.rollup import BatchVerification
from sequencer.service.core import SequencerService
from sequencer.service.proving import Settlement
from sequencer.service.server import BackgroundServer
from sequencer.witness.batch import ProvableBatch
from tests.engine.exchange import SLOTS, funding
from tests.service.harness import OPERATOR, standalone_config, trader, wait_for, write_funding
from tests.support.scenario import BASE, UNIT

BATCHES = -(-len(funding()) // SLOTS)
"""The funding deposits fill this many batches."""


class RecordingSettlement:
    """A settlement that verifies every batch it was given on its next step (or what ``verified`` says L1 holds)."""

    def __init__(self, verified: int = 0, inputs: dict[int, int] | None = None) -> None:
        self.sealed: list[int] = []
        self.verified = verified
        self.inputs = dict(inputs or {})

    def seal(self, number: int, batch: ProvableBatch) -> None:
        self.sealed.append(number)
        self.inputs.setdefault(number, batch.public_input_hash)

    def step(self) -> int:
        self.verified = max(self.verified, max(self.sealed, default=0))
        return self.verified

    def stage(self, number: int) -> str:
        return "proven" if number in self.sealed else "sealed"

    def verification(self, number: int) -> BatchVerification | None:
        if number > self.verified or number not in self.inputs:
            return None
        return BatchVerification(self.inputs[number], f"0x{number:064x}", 100_000 + number)


def serve_until_verified(directory: Path, settlement: Settlement) -> None:
    """Serve until the funding batches are verified, each shown with the L1 transaction that verified it."""
    service = SequencerService(
        standalone_config(directory / "data"), OPERATOR, l1=write_funding(directory / "queue.json"), settlement=settlement
    )
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        wait_for(lambda: all(client.batch(n).status == "verified" for n in range(1, BATCHES + 1)))
        shown = [(client.batch(n).l1_tx, client.batch(n).l1_gas) for n in range(1, BATCHES + 1)]
        assert shown == [(f"0x{n:064x}", 100_000 + n) for n in range(1, BATCHES + 1)]


def test_a_settlement_takes_the_batches_in_order(tmp_path: Path) -> None:
    settlement = RecordingSettlement()
    serve_until_verified(tmp_path, settlement)
    assert settlement.sealed == list(range(1, BATCHES + 1))


def test_a_restart_hands_over_nothing_l1_verified(tmp_path: Path) -> None:
    first = RecordingSettlement()
    serve_until_verified(tmp_path, first)
    again = RecordingSettlement(verified=first.verified, inputs=first.inputs)
    serve_until_verified(tmp_path, again)
    assert again.sealed == []


def test_a_batch_l1_verified_that_is_not_ours_halts_the_sequencer(tmp_path: Path) -> None:
    """L1 already holds another batch 1 (another operator with the submitter's key): never report ours verified."""
    foreign = RecordingSettlement(verified=1, inputs={1: 12345})
    service = SequencerService(
        replace(standalone_config(tmp_path / "data"), retry_delay_s=0.05),
        OPERATOR, l1=write_funding(tmp_path / "queue.json"), settlement=foreign,
    )  # fmt: skip
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        wait_for(lambda: client.status().halted is not None)
        assert "batch 1" in (client.status().halted or "")
        assert client.batch(1).status != "verified"
        with pytest.raises(ApiError) as refused:
            client.withdraw(trader(1).withdraw(BASE, UNIT, 0))
        assert (refused.value.status, refused.value.code) == (503, "SEQUENCER_STOPPED")
