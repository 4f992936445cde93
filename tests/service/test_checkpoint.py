"""
Checkpoints: restoring the newest checkpoint and replaying the log's tail
gives, byte for byte, the state of a full replay; a checkpoint damaged or
cut short (a SIGKILL while it was written) is skipped for an older one; a
log compacted behind a checkpoint restarts from it.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from random import Random

import pytest

from sequencer.client.http import SequencerClient
from sequencer.l1.rollup import BatchVerification
from sequencer.service.canonical import canonical_state, state_digest
from sequencer.service import checkpoint as checkpoint_module
from sequencer.service.checkpoint import (
    CheckpointInProgress,
    checkpoints,
    load_latest,
    start_checkpoint,
    write_checkpoint,
)
from sequencer.service.commands import Tick
from sequencer.service.core import SequencerService
from sequencer.service.machine import Machine
from sequencer.service.server import BackgroundServer
from sequencer.service.wal import WriteAheadLog
from tests.engine.actions import busy_market
from tests.engine.exchange import funding
from tests.service.harness import OPERATOR, standalone_config, wait_for, write_funding
from tests.service.test_replay import FINGERPRINT, genesis, live_and_replayed

REPO_ROOT = Path(__file__).resolve().parents[2]


def restored_with_tail(directory: Path) -> Machine:
    """What a restart does: the newest valid checkpoint (or genesis), then the log after it."""
    wal = WriteAheadLog.open(directory, FINGERPRINT)
    machine = load_latest(directory, FINGERPRINT, wal.last_seq()) or genesis()
    for record in wal.records(machine.seq + 1):
        machine.replay(record.entry)
    wal.close()
    return machine


def replay_prefix(directory: Path, through: int) -> Machine:
    """The machine after the log's first ``through`` entries."""
    wal = WriteAheadLog.open(directory, FINGERPRINT)
    machine = genesis()
    for record in wal.records():
        if record.entry.seq > through:
            break
        machine.replay(record.entry)
    wal.close()
    return machine


@pytest.fixture(scope="module")
def busy_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Machine, Path]:
    """A busy market's log, written once for the module, and the live machine that wrote it."""
    directory = tmp_path_factory.mktemp("busy")
    live, _ = live_and_replayed(busy_market(Random(11), 300), directory)
    assert live.seq > 200 and live.operator.trades and live.operator.batches
    return live, directory


@pytest.fixture
def logged(busy_log: tuple[Machine, Path], tmp_path: Path) -> tuple[Machine, Path]:
    """A copy of the busy market's log for one test, and the live machine that wrote it."""
    live, directory = busy_log
    shutil.copytree(directory, tmp_path / "data")
    return live, tmp_path / "data"


def test_checkpoint_and_tail_equal_a_full_replay(logged: tuple[Machine, Path]) -> None:
    live, directory = logged
    for through in (1, live.seq // 3, live.seq - 1, live.seq):
        write_checkpoint(directory, FINGERPRINT, replay_prefix(directory, through))
        restored = restored_with_tail(directory)
        assert restored.seq == live.seq and restored.time_ms == live.time_ms
        assert canonical_state(restored.operator) == canonical_state(live.operator), through
        assert restored.operator.head.root == live.operator.head.root
    assert len(checkpoints(directory)) == 2  # older ones are removed


def test_a_background_checkpoint_holds_the_state_at_the_fork(logged: tuple[Machine, Path]) -> None:
    """The forked child writes the state as it was when it forked, while the parent goes on changing it."""
    live, directory = logged
    wal = WriteAheadLog.open(directory, FINGERPRINT)
    records = list(wal.records())
    wal.close()
    machine = genesis()
    half = len(records) // 2
    for record in records[:half]:
        machine.replay(record.entry)
    expected = canonical_state(machine.operator)
    writing = start_checkpoint(directory, FINGERPRINT, machine)
    for record in records[half:]:  # the parent moves on at once
        machine.replay(record.entry)
    assert writing.wait() is True
    restored = load_latest(directory, FINGERPRINT, live.seq)
    assert restored is not None and restored.seq == half == writing.seq
    assert canonical_state(restored.operator) == expected != canonical_state(machine.operator)


def test_a_damaged_checkpoint_is_skipped_for_an_older_one(logged: tuple[Machine, Path]) -> None:
    live, directory = logged
    write_checkpoint(directory, FINGERPRINT, replay_prefix(directory, 50))
    newest = write_checkpoint(directory, FINGERPRINT, replay_prefix(directory, 200))
    data = bytearray(newest.path.read_bytes())
    data[-10] ^= 0xFF
    newest.path.write_bytes(bytes(data))
    assert load_latest(directory, FINGERPRINT, live.seq) is not None
    assert load_latest(directory, FINGERPRINT, live.seq).seq == 50  # type: ignore[union-attr]
    assert canonical_state(restored_with_tail(directory).operator) == canonical_state(live.operator)


def test_a_checkpoint_of_another_configuration_or_ahead_of_the_log_is_skipped(logged: tuple[Machine, Path]) -> None:
    live, directory = logged
    write_checkpoint(directory, "another-configuration", replay_prefix(directory, 100))
    assert load_latest(directory, FINGERPRINT, live.seq) is None
    write_checkpoint(directory, FINGERPRINT, replay_prefix(directory, 100))
    assert load_latest(directory, FINGERPRINT, 99) is None  # the log lost entries the checkpoint holds


def test_a_compacted_log_restarts_from_its_checkpoint(logged: tuple[Machine, Path]) -> None:
    live, directory = logged
    checkpoint = write_checkpoint(directory, FINGERPRINT, replay_prefix(directory, 150))
    wal = WriteAheadLog.open(directory, FINGERPRINT)
    assert wal.compact(checkpoint.seq) == 150
    assert wal.record(150) is None and wal.record(151) is not None
    assert wal.last_seq() == live.seq
    wal.close()
    assert canonical_state(restored_with_tail(directory).operator) == canonical_state(live.operator)


WRITER = """
import sys, time
from pathlib import Path
import sequencer.service.checkpoint as checkpoint
from tests.service.test_checkpoint import replay_prefix
from tests.service.test_replay import FINGERPRINT

directory, through = Path(sys.argv[1]), int(sys.argv[2])
machine = replay_prefix(directory, through)
real_fsync = checkpoint.os.fsync

def slow_fsync(descriptor):
    print("writing", flush=True)  # the body is in the temporary file, not yet on disk nor renamed
    time.sleep(60)
    real_fsync(descriptor)

checkpoint.os.fsync = slow_fsync
checkpoint.write_checkpoint(directory, FINGERPRINT, machine)
"""


def test_sigkill_while_a_checkpoint_is_written_leaves_the_last_good_one(logged: tuple[Machine, Path]) -> None:
    live, directory = logged
    write_checkpoint(directory, FINGERPRINT, replay_prefix(directory, 120))
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(directory), str(live.seq)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert writer.stdout is not None
    deadline = time.monotonic() + 120
    while writer.stdout.readline().strip() != b"writing":
        assert time.monotonic() < deadline and writer.poll() is None, "the writer never started writing"
    os.killpg(writer.pid, signal.SIGKILL)
    writer.wait()
    assert [checkpoint.seq for checkpoint in checkpoints(directory)] == [120]
    assert list((directory / "checkpoints").glob("*.tmp"))  # the cut-short file is there, and ignored
    restored = restored_with_tail(directory)
    assert canonical_state(restored.operator) == canonical_state(live.operator)


def test_the_service_checkpoints_and_restarts_from_its_checkpoint(tmp_path: Path) -> None:
    """A running service writes checkpoints on its timer; a restart restores one and replays only the tail."""
    queue = write_funding(tmp_path / "queue.json")
    config = replace(standalone_config(tmp_path / "data"), checkpoint_every=3, compact_log=True)
    first = SequencerService(config, OPERATOR, l1=queue)
    with BackgroundServer(first) as server, SequencerClient(server.url) as client:
        wait_for(lambda: client.status().l1_requests == len(funding()))
        wait_for(lambda: bool(checkpoints(config.data_dir)), timeout_s=60)
    # The timer may have logged a tick or a seal until the server stopped: compare with the state at the stop.
    stopped_at, stopped_digest = first.machine.seq, state_digest(first.operator)
    wal = WriteAheadLog.open(config.data_dir, config.fingerprint())
    assert wal.compacted_through() > 0  # the log's head entries are gone: only the checkpoint holds them
    wal.close()

    second = SequencerService(config, OPERATOR, l1=queue)
    second.open()
    try:
        assert second.machine.seq == stopped_at
        assert state_digest(second.operator) == stopped_digest
    finally:
        asyncio.run(second.stop())


class StalledSettlement:
    """A settlement that takes batches and never gets them verified (the proving queue is in memory)."""

    def __init__(self) -> None:
        self.sealed: list[int] = []

    def seal(self, number: int, batch: object) -> None:
        self.sealed.append(number)

    def step(self) -> int:
        return 0

    def stage(self, number: int) -> str:
        return "proving"

    def verification(self, number: int) -> BatchVerification | None:
        return None


def test_no_checkpoint_holds_a_built_batch_l1_does_not_hold(tmp_path: Path) -> None:
    """A restart must build every unverified batch again for the (in-memory) proving queue: no checkpoint skips one."""
    queue = write_funding(tmp_path / "queue.json")
    config = replace(standalone_config(tmp_path / "data"), checkpoint_every=1)
    settlement = StalledSettlement()
    service = SequencerService(config, OPERATOR, l1=queue, settlement=settlement)
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        wait_for(lambda: client.status().l1_requests == len(funding()) and bool(settlement.sealed), timeout_s=30)
        time.sleep(0.5)  # timer rounds that would checkpoint
        assert service.operator.built > 0
    # Checkpoints were taken before any batch was built, none after (not at stop either).
    fingerprint = config.fingerprint()
    restored = load_latest(config.data_dir, fingerprint, 10**9)
    assert restored is None or restored.operator.built == 0


def test_a_checkpoint_child_past_its_deadline_is_killed_and_counts_as_failed(
    logged: tuple[Machine, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hung write (a stuck disk) must not hold a checkpoint slot forever: the parent kills the child."""
    _, directory = logged
    monkeypatch.setattr(checkpoint_module, "write_checkpoint", lambda *args: time.sleep(60))
    started = time.monotonic()
    writing = start_checkpoint(directory, FINGERPRINT, replay_prefix(directory, 50), timeout_s=0.5)
    assert writing.poll() is None  # still writing
    assert writing.wait() is False
    assert time.monotonic() - started < 30
    with pytest.raises(ProcessLookupError):
        os.kill(writing.pid, 0)  # killed and reaped
    assert checkpoints(directory) == []


def test_a_failing_checkpoint_child_reports_its_error(
    logged: tuple[Machine, Path], monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    _, directory = logged

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint_module, "write_checkpoint", full_disk)
    assert start_checkpoint(directory, FINGERPRINT, replay_prefix(directory, 50)).wait() is False
    assert "No space left on device" in capfd.readouterr().err


def test_a_stale_temporary_file_is_removed_by_the_next_write(logged: tuple[Machine, Path]) -> None:
    _, directory = logged
    (directory / "checkpoints").mkdir()
    stale = directory / "checkpoints" / f"{7:016d}.checkpoint.tmp"
    stale.write_bytes(b"cut short")
    write_checkpoint(directory, FINGERPRINT, replay_prefix(directory, 50))
    assert not stale.exists()


def test_no_background_checkpoint_while_a_batch_is_built_and_none_soon_after_a_failure(tmp_path: Path) -> None:
    """The timer's checkpoint never waits for (or races) a batch build; a failed one is retried only later."""
    config = replace(standalone_config(tmp_path / "data"), checkpoint_every=2)
    service = SequencerService(config, OPERATOR)
    service.open()
    try:
        for _ in range(2):
            service.machine.apply(Tick(), service.machine.time_ms)
        with service._building:  # a worker thread builds a batch
            service._checkpoint_in_background()
            assert service._writing is None
        service._checkpoint_in_background()
        writing = service._writing
        assert writing is not None and writing.wait() is True
        service._checkpoint_in_background()  # takes note of the finished child
        assert service._writing is None and checkpoints(config.data_dir)[0].seq == 2

        service.machine.apply(Tick(), service.machine.time_ms)
        service.machine.apply(Tick(), service.machine.time_ms)
        service._writing = CheckpointInProgress(os.getpid(), service.machine.seq, 0.0)  # a child nobody can reap
        service._checkpoint_in_background()
        assert service._writing is None  # counted as failed
        service._checkpoint_in_background()
        assert service._writing is None  # not again until checkpoint_every more entries
        service.machine.apply(Tick(), service.machine.time_ms)
        service.machine.apply(Tick(), service.machine.time_ms)
        service._checkpoint_in_background()
        assert service._writing is not None and service._writing.wait() is True
    finally:
        service._writing = None
        asyncio.run(service.stop())
