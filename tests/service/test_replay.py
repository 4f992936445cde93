"""Replaying the write-ahead log rebuilds the state byte for byte."""

import tempfile
from pathlib import Path
from random import Random

from hypothesis import given
from hypothesis import strategies as st

from sequencer.engine.operator import Operator
from sequencer.engine.errors import RequestRejected
from sequencer.service.canonical import canonical_state
from sequencer.service.commands import AddL1Request, Command
from sequencer.service.machine import Machine
from sequencer.service.wal import LogRecord, WriteAheadLog
from tests.engine.actions import Action, Driver, actions, busy_market
from tests.engine.exchange import CONFIG, MARKET, SLOTS, funding
from tests.engine.test_properties import PROPERTY_SETTINGS
from tests.support.scenario import NOW

FINGERPRINT = "replay-test"


def genesis() -> Machine:
    """A machine at the rollup's genesis."""
    return Machine(Operator.genesis(CONFIG, SLOTS, [MARKET]))


def submit(machine: Machine, wal: WriteAheadLog, command: Command, time_ms: int) -> None:
    """What the intake does with one command: tick, apply, log what was accepted."""
    records = []
    tick = machine.tick(time_ms)
    if tick is not None:
        records.append(LogRecord(tick[0], None))
    try:
        entry, _ = machine.apply(command, time_ms)
        records.append(LogRecord(entry, None))
    except RequestRejected:
        pass
    wal.append(records)


def live_and_replayed(steps: list[Action], directory: Path) -> tuple[Machine, Machine]:
    """Run ``steps`` through a logged machine, then replay the log from disk into a fresh one."""
    live = genesis()
    wal = WriteAheadLog.open(directory, FINGERPRINT)
    for index, request in enumerate(funding()):
        submit(live, wal, AddL1Request(index, request), NOW * 1000)
    driver = Driver()
    for action in steps:
        command = driver.command(live.operator, action)
        if command is not None:
            submit(live, wal, command, live.time_for(driver.now * 1000))
    wal.close()
    replayed = genesis()
    wal = WriteAheadLog.open(directory, FINGERPRINT)
    for record in wal.records():
        replayed.replay(record.entry)
    wal.close()
    return live, replayed


@PROPERTY_SETTINGS
@given(st.lists(actions, min_size=10, max_size=40))
def test_replay_reproduces_the_state_byte_for_byte(steps: list[Action]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        live, replayed = live_and_replayed(steps, Path(directory))
    assert canonical_state(replayed.operator) == canonical_state(live.operator)
    assert (replayed.seq, replayed.time_ms) == (live.seq, live.time_ms)


def test_replay_of_a_busy_market_reproduces_the_state(tmp_path: Path) -> None:
    live, replayed = live_and_replayed(busy_market(Random(7), 300), tmp_path)
    assert len(live.operator.trades) > 50 and live.operator.batches
    assert canonical_state(replayed.operator) == canonical_state(live.operator)
