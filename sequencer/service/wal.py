"""
The write-ahead log: every accepted command, durably stored before it is
acknowledged, in a SQLite database in the sequencer's data directory.

SQLite runs in WAL journal mode with ``synchronous=FULL``: a commit returns
only after the log file is fsync'd, so a command whose acknowledgment left
the sequencer survives ``kill -9`` and power loss. Commands are appended in
groups (one transaction, one fsync per group) by the intake.

The same database keeps each batch's proving status (not part of the
replayed state: it records what happened outside, on the prover and on L1)
and a fingerprint of the configuration, so a data directory is never
replayed under other markets or tree sizes.
"""

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .codec import canonical_json
from .commands import decode_command
from .machine import LogEntry
from .receipts import Receipt

DATABASE_NAME = "sequencer.sqlite3"
FORMAT_VERSION = "3"
"""
The commands' encoding; a log of another version is refused (2: a cancel-all
signs ``min_order_id``, not a nonce; 3: withdrawals, cancels and cancel-alls
sign messages of 11 inputs, so older signatures no longer verify).
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log (
    seq INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    command TEXT NOT NULL,
    receipt TEXT
);
CREATE TABLE IF NOT EXISTS compacted (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    through INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    number INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    l1_tx TEXT,
    l1_gas INTEGER,
    proof TEXT,
    error TEXT,
    attempts INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
"""


class LogMismatch(Exception):
    """The data directory belongs to another configuration or format."""


class BatchStatus(StrEnum):
    """
    Where a batch is on its way to L1.

    ``open`` is the batch still taking transactions; it becomes ``sealed``
    when it is full or its oldest transaction waited long enough, then a
    prover takes it (``proving``), proves it (``proven``) and the operator
    submits the proof; ``verified`` once the rollup contract accepted it.
    """

    OPEN = "open"
    SEALED = "sealed"
    PROVING = "proving"
    PROVEN = "proven"
    VERIFIED = "verified"


@dataclass(frozen=True)
class LogRecord:
    """A log entry and the receipt it was acknowledged with (trader commands only)."""

    entry: LogEntry
    receipt: Receipt | None


@dataclass(frozen=True)
class BatchProgress:
    """
    A sealed batch's status, its L1 transaction and the gas that transaction
    used (several batches share one when bundled) and its proof once known,
    and its last error.
    """

    number: int
    status: BatchStatus
    l1_tx: str | None = None
    l1_gas: int | None = None
    proof: tuple[int, ...] | None = None
    error: str | None = None
    attempts: int = 0
    updated_ms: int = 0


class WriteAheadLog:
    """The log and batch status tables of one data directory."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        """Wrap an open connection; use :meth:`open`."""
        self._db = connection

    @classmethod
    def open(cls, directory: Path, fingerprint: str) -> "WriteAheadLog":
        """
        Open (creating if needed) the log in ``directory``.

        Raises
        ------
        LogMismatch
            The directory's log was written under another ``fingerprint`` or format.
        """
        directory.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(directory / DATABASE_NAME, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.executescript(_SCHEMA)
        log = cls(connection)
        log._check_meta({"format": FORMAT_VERSION, "fingerprint": fingerprint})
        return log

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def append(self, records: Sequence[LogRecord]) -> None:
        """Store ``records`` in one transaction; returns once they are on disk."""
        if not records:
            return
        rows = [
            (
                r.entry.seq,
                r.entry.time_ms,
                r.entry.encoded_command.decode(),
                None if r.receipt is None else canonical_json(r.receipt.to_json()).decode(),
            )
            for r in records
        ]
        with self._transaction():
            self._db.executemany("INSERT INTO log (seq, time_ms, command, receipt) VALUES (?, ?, ?, ?)", rows)

    def records(self, start: int = 1) -> Iterator[LogRecord]:
        """The log from sequence number ``start`` on, in order."""
        cursor = self._db.execute(
            "SELECT seq, time_ms, command, receipt FROM log WHERE seq >= ? ORDER BY seq", (start,)
        )
        for seq, time_ms, command, receipt in cursor:
            yield self._record(seq, time_ms, command, receipt)

    def last_seq(self) -> int:
        """The sequence number of the newest entry, compacted ones included; 0 for an empty log."""
        row = self._db.execute("SELECT MAX(seq) FROM log").fetchone()
        return max(int(row[0] or 0), self.compacted_through())

    def compacted_through(self) -> int:
        """The last entry :meth:`compact` removed; 0 if none was."""
        row = self._db.execute("SELECT through FROM compacted WHERE id = 0").fetchone()
        return 0 if row is None else int(row[0])

    def compact(self, through: int) -> int:
        """
        Delete the entries up to ``through``, which a durable checkpoint holds
        the effect of (their receipts are then no longer served). Returns how
        many were deleted.
        """
        with self._transaction():
            cursor = self._db.execute("DELETE FROM log WHERE seq <= ?", (through,))
            self._db.execute(
                "INSERT INTO compacted (id, through) VALUES (0, ?)"
                " ON CONFLICT (id) DO UPDATE SET through = MAX(through, excluded.through)",
                (through,),
            )
        return int(cursor.rowcount)

    def record(self, seq: int) -> LogRecord | None:
        """The log entry ``seq``, if there is one."""
        row = self._db.execute("SELECT seq, time_ms, command, receipt FROM log WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else self._record(*row)

    def batch_progress(self) -> dict[int, BatchProgress]:
        """Every batch whose status was recorded, by number."""
        rows = self._db.execute(
            "SELECT number, status, l1_tx, l1_gas, proof, error, attempts, updated_ms FROM batches ORDER BY number"
        )
        return {
            number: BatchProgress(
                number,
                BatchStatus(status),
                l1_tx,
                l1_gas,
                None if proof is None else tuple(int(word) for word in json.loads(proof)),
                error,
                attempts,
                updated_ms,
            )
            for number, status, l1_tx, l1_gas, proof, error, attempts, updated_ms in rows
        }

    def save_batch_progress(self, progress: BatchProgress) -> None:
        """Record a batch's status (replacing the previous record)."""
        proof = None if progress.proof is None else json.dumps([str(word) for word in progress.proof])
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO batches (number, status, l1_tx, l1_gas, proof, error, attempts, updated_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    progress.number,
                    progress.status.value,
                    progress.l1_tx,
                    progress.l1_gas,
                    proof,
                    progress.error,
                    progress.attempts,
                    progress.updated_ms,
                ),
            )

    def _check_meta(self, expected: dict[str, str]) -> None:
        """Write the metadata into a new log, or check an existing log's."""
        stored = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not stored:
            with self._transaction():
                self._db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(expected.items()))
            return
        if stored != expected:
            raise LogMismatch(
                "the data directory was written by another configuration or format "
                f"(stored {stored}, expected {expected}); use a fresh data directory"
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Run the block's statements in one transaction: committed, or rolled back on an exception."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @staticmethod
    def _record(seq: int, time_ms: int, command: str, receipt: str | None) -> LogRecord:
        """A row as a record."""
        entry = LogEntry(seq, time_ms, decode_command(json.loads(command)))
        return LogRecord(entry, None if receipt is None else Receipt.from_json(json.loads(receipt)))
