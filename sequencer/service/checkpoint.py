"""
Checkpoints of the state machine, so that a restart replays only the log's tail.

A checkpoint is the whole :class:`Machine` (the operator with its books,
locks, head and sealed states, and the log position it reached) serialised
with :mod:`pickle`, behind a header that names the format, the
configuration fingerprint, the log position and the SHA-256 of the body.
It is written to a temporary file, flushed to disk and renamed into place,
so a crash while writing leaves the previous checkpoints as they were and
at worst a temporary file that loading ignores. A checkpoint whose header or
digest does not check, or that does not load, is skipped in favour of an
older one (or genesis): the log rebuilds the state, so a bad checkpoint only
costs time (unless the log was compacted behind it: keep ``--compact-log``
for data directories whose checkpoints are backed up).

The service writes its periodic checkpoints in the background
(:func:`start_checkpoint`): it forks, and the child serialises the state as
it was at the fork (the pages are shared copy-on-write) and writes it, while
the parent goes on taking requests, as Redis's background save does.
Serialising a large state on the event loop would stop every
acknowledgment for as long.

The data directory is trusted: a checkpoint is code-free data only to the
extent that nobody else can write there (pickle runs constructors).
"""

import gc
import hashlib
import json
import logging
import os
import pickle
import signal
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .machine import Machine

log = logging.getLogger(__name__)

FORMAT = "matchproof-checkpoint-10"
"""
The checkpoints' format; another is refused (7: sealed batches hold 24-byte
slots with order references; 8: an account keeps its balances by token, no
balance tree; 9: an account has a perpetual side and the state the
perpetual markets and the collateral pool; 10: the state commits to the
perpetual parameters' hash).
"""
FOLDER = "checkpoints"
SUFFIX = ".checkpoint"
KEEP = 2
"""How many checkpoints are kept: the newest, and one before it in case the newest is damaged."""
CHILD_TIMEOUT_S = 600.0
"""How long a forked child may take to write a checkpoint before it is killed (a hung disk, a stuck write)."""


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint file: where it is and the log position it holds the state at."""

    path: Path
    seq: int


def write_checkpoint(data_dir: Path, fingerprint: str, machine: Machine) -> Checkpoint:
    """
    Write ``machine`` as a checkpoint of the log at ``machine.seq``, durably,
    and remove all but the newest ``KEEP`` checkpoints. Returns the new one.
    """
    folder = data_dir / FOLDER
    path = folder / f"{machine.seq:016d}{SUFFIX}"
    write_pickled(path, {"format": FORMAT, "fingerprint": fingerprint, "seq": machine.seq}, machine)
    for old in checkpoints(data_dir)[KEEP:]:
        old.path.unlink(missing_ok=True)
    return Checkpoint(path, machine.seq)


def write_pickled(path: Path, header: dict[str, object], state: object) -> None:
    """
    Write ``state`` pickled behind a JSON header (``header``, plus the body's
    SHA-256 and size) to ``path``, durably: to a temporary file, flushed,
    then renamed into place (a temporary file left by a crash is removed by
    the next write in its folder).
    """
    body = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    header = {**header, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f"*{path.suffix}.tmp"):  # left by a writer that crashed or was killed
        stale.unlink(missing_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as file:
        file.write(json.dumps(header).encode("utf-8") + b"\n")
        file.write(body)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)
    _fsync_directory(path.parent)


def read_pickled(path: Path, expected: dict[str, object]) -> object | None:
    """
    The state :func:`write_pickled` wrote to ``path``, if its header has the
    ``expected`` values and its body its digest and loads; None (logged) if not.
    """
    try:
        with path.open("rb") as file:
            header = json.loads(file.readline())
            body = file.read()
    except (OSError, ValueError) as error:
        log.warning("%s unreadable (%s): skipped", path, error)
        return None
    if not isinstance(header, dict) or any(header.get(key) != value for key, value in {**expected, "size": len(body)}.items()):
        log.warning("%s belongs to another format, configuration or position: skipped", path)
        return None
    if header.get("sha256") != hashlib.sha256(body).hexdigest():
        log.warning("%s is damaged (digest mismatch): skipped", path)
        return None
    try:
        return _unpickle(body)
    except Exception as error:  # written by another version of the code: the log rebuilds the state
        log.warning("%s does not load (%r): skipped", path, error)
        return None


@dataclass(frozen=True)
class CheckpointInProgress:
    """
    A checkpoint a forked child is writing: its process, the log position it
    holds and the ``time.monotonic()`` after which it is killed.
    """

    pid: int
    seq: int
    deadline: float

    def poll(self) -> bool | None:
        """
        None while the child writes; then whether it wrote the checkpoint
        (answered once: the child is reaped). A child past its deadline is
        killed, and counts as failed.
        """
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere: whatever it did cannot be known
            return False
        if pid != 0:
            return os.waitstatus_to_exitcode(status) == 0
        if time.monotonic() < self.deadline:
            return None
        log.error("the checkpoint child %d ran past its deadline: killed", self.pid)
        os.kill(self.pid, signal.SIGKILL)
        return self.wait()

    def wait(self) -> bool:
        """Wait for the child (killing it at its deadline); whether it wrote the checkpoint."""
        while (written := self.poll()) is None:
            time.sleep(0.01)
        return written


def start_checkpoint(
    data_dir: Path, fingerprint: str, machine: Machine, timeout_s: float = CHILD_TIMEOUT_S
) -> CheckpointInProgress:
    """
    Fork a child that writes ``machine``, as it is now, as a checkpoint
    (:func:`write_checkpoint`) and exits; return at once.

    Call it when no other thread is changing the machine: the child sees
    the memory as it is at the fork. The child first closes every inherited
    descriptor but the standard ones (the listening and client sockets, the
    log), then only serialises and writes (no logging, no locks another
    thread may hold), writes any error to standard error, and leaves with
    ``os._exit``, so nothing of the parent's runs twice.
    """
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.closerange(3, os.sysconf("SC_OPEN_MAX"))
            write_checkpoint(data_dir, fingerprint, machine)
            code = 0
        except BaseException:
            os.write(2, f"checkpoint child {os.getpid()} failed:\n{traceback.format_exc()}".encode())
        finally:
            os._exit(code)
    return CheckpointInProgress(pid, machine.seq, time.monotonic() + timeout_s)


def checkpoints(data_dir: Path) -> list[Checkpoint]:
    """The checkpoint files of a data directory, newest first (temporary files are not checkpoints)."""
    folder = data_dir / FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{SUFFIX}"):
        stem = path.name.removesuffix(SUFFIX)
        if stem.isdigit():
            found.append(Checkpoint(path, int(stem)))
    return sorted(found, key=lambda checkpoint: checkpoint.seq, reverse=True)


def load_latest(data_dir: Path, fingerprint: str, last_logged: int) -> Machine | None:
    """
    The newest checkpoint that checks (format, fingerprint, digest) and is not
    ahead of the log (``last_logged``); None if there is none.
    """
    for checkpoint in checkpoints(data_dir):
        machine = _read(checkpoint, fingerprint)
        if machine is None:
            continue
        if machine.seq > last_logged:
            log.warning("checkpoint %s is ahead of the log (entry %d): skipped", checkpoint.path, last_logged)
            continue
        return machine
    return None


def _read(checkpoint: Checkpoint, fingerprint: str) -> Machine | None:
    """The machine of a checkpoint file, or None (logged) if the file does not check."""
    machine = read_pickled(checkpoint.path, {"format": FORMAT, "fingerprint": fingerprint, "seq": checkpoint.seq})
    if machine is None:
        return None
    if not isinstance(machine, Machine) or machine.seq != checkpoint.seq:
        log.warning("checkpoint %s does not hold the machine it says: skipped", checkpoint.path)
        return None
    return machine


@contextmanager
def collector_paused() -> Iterator[None]:
    """
    Pause the cyclic garbage collector for the block (restoring it after).

    Rebuilding a state (unpickling a checkpoint, replaying a log) creates
    millions of objects that all live on, and every burst of allocations
    would start a collection that scans them all again: a restart spent three
    to four times as long loading a checkpoint, and as long again in
    collections during the tail's replay (``bench/sequencer_bench.py``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unpickle(body: bytes) -> object:
    """``pickle.loads`` of a checkpoint's body, with the collector paused."""
    with collector_paused():
        return pickle.loads(body)


def _fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
