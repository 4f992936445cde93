"""The write-ahead log: entries and receipts round-trip, batch progress is kept, foreign logs are refused."""

import sqlite3
from pathlib import Path

import pytest
from eth_account import Account

from sequencer.crypto.eddsa import Signature
from sequencer.engine.cancels import CancelAllBelow, SignedCancelAll
from sequencer.service.commands import AddL1Request, CancelAllOrders, SealBatch, Tick, request_hash
from sequencer.service.machine import LogEntry
from sequencer.service.receipts import ReceiptDomain, ReceiptSigner
from sequencer.service.wal import BatchProgress, BatchStatus, LogMismatch, LogRecord, WriteAheadLog
from sequencer.spec.types import AccountIndex, OrderId
from tests.engine.exchange import ALICE
from tests.support.scenario import BASE, UNIT


def test_entries_and_receipts_round_trip(tmp_path: Path) -> None:
    signer = ReceiptSigner(Account.from_key(b"\x05" * 32), ReceiptDomain(31337, "0x" + "11" * 20))
    cancel_all = CancelAllOrders(SignedCancelAll(CancelAllBelow(AccountIndex(1), OrderId(3)), Signature(1, 2, 3)))
    records = [
        LogRecord(LogEntry(1, 1000, AddL1Request(0, ALICE.deposit(BASE, UNIT, creates=True))), None),
        LogRecord(LogEntry(2, 1001, cancel_all), signer.sign(request_hash(cancel_all), 2, 1001)),
        LogRecord(LogEntry(3, 1001, SealBatch()), None),
        LogRecord(LogEntry(4, 2000, Tick()), None),
    ]
    wal = WriteAheadLog.open(tmp_path, "fingerprint")
    wal.append(records[:2])
    wal.append(records[2:])
    wal.close()
    wal = WriteAheadLog.open(tmp_path, "fingerprint")
    assert list(wal.records()) == records
    assert list(wal.records(start=3)) == records[2:]
    assert wal.record(2) == records[1] and wal.record(5) is None
    wal.close()


def test_a_sequence_number_is_written_once(tmp_path: Path) -> None:
    wal = WriteAheadLog.open(tmp_path, "fingerprint")
    wal.append([LogRecord(LogEntry(1, 1000, Tick()), None)])
    with pytest.raises(sqlite3.IntegrityError):
        wal.append([LogRecord(LogEntry(2, 1000, Tick()), None), LogRecord(LogEntry(1, 1000, Tick()), None)])
    assert [r.entry.seq for r in wal.records()] == [1]  # the failed group left nothing behind
    wal.close()


def test_batch_progress_is_kept(tmp_path: Path) -> None:
    wal = WriteAheadLog.open(tmp_path, "fingerprint")
    proven = BatchProgress(2, BatchStatus.PROVEN, proof=tuple(range(8)), attempts=1, updated_ms=5)
    wal.save_batch_progress(BatchProgress(1, BatchStatus.VERIFIED, l1_tx="0xab", attempts=1))
    wal.save_batch_progress(proven)
    assert wal.batch_progress()[2] == proven
    assert wal.batch_progress()[1].l1_tx == "0xab"
    wal.close()


def test_a_log_of_another_configuration_is_refused(tmp_path: Path) -> None:
    WriteAheadLog.open(tmp_path, "one market").close()
    with pytest.raises(LogMismatch):
        WriteAheadLog.open(tmp_path, "two markets")
