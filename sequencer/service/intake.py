"""
The intake: one worker that applies commands in arrival order, writes the
accepted ones to the log and only then acknowledges them.

Requests queue up while the worker is busy. Two stages run one behind the
other, each on a whole group of requests:

1. The verifier takes everything queued (up to ``max_group``) as one group
   and verifies its signatures in a worker thread (natively, in parallel on
   all cores, without the GIL), keeping the results for the engine's own
   checks. Nothing is decided there.
2. The applier takes the verified group, applies each command, signs a
   receipt for each accepted trader command, seals every batch that became
   full, then writes the whole group to the log in one transaction (one
   fsync) and resolves the callers' futures.

While one group is applied on the event loop, the next one is verified on
another core. Group commit keeps the cost of durability per request low
under load, and nothing is acknowledged, published or visible to readers
before it is on disk: the applier never yields to the event loop between
applying a group and committing it.

If anything other than a refusal goes wrong (the log cannot be written, or
the engine broke an invariant), the in-memory state may no longer match the
log: the intake stops, fails every request from then on, and calls
``on_fatal`` so the process can exit and be restarted, rebuilding its state
from the log.
"""

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from sequencer.engine.errors import RequestRejected

from .ahead import check_ahead
from .commands import Command, SealBatch, Tick, TraderCommand, request_hash_of
from .machine import LogEntry, Machine, Outcome
from .receipts import Receipt, ReceiptSigner
from .wal import LogRecord, WriteAheadLog

log = logging.getLogger(__name__)


class ServiceUnavailable(Exception):
    """The intake stopped after a fatal error; no request is taken until a restart."""


@dataclass(frozen=True)
class Accepted:
    """An accepted command: its log entry, what it did and its receipt (trader commands)."""

    entry: LogEntry
    outcome: Outcome
    receipt: Receipt | None


_Pending = tuple[Command, "asyncio.Future[Accepted | None]"]


class Intake:
    """Applies, logs and acknowledges commands, one group at a time."""

    def __init__(
        self,
        machine: Machine,
        wal: WriteAheadLog,
        signer: ReceiptSigner,
        clock_ms: Callable[[], int],
        on_commit: Callable[[list[Accepted]], None],
        on_fatal: Callable[[BaseException], None],
        max_group: int,
    ) -> None:
        """
        Feed ``machine`` and ``wal``; ``on_commit`` is called with each
        committed group's accepted entries (including seals and ticks).
        """
        self._machine = machine
        self._wal = wal
        self._signer = signer
        self._clock_ms = clock_ms
        self._on_commit = on_commit
        self._on_fatal = on_fatal
        self._max_group = max_group
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._verified: asyncio.Queue[list[_Pending]] = asyncio.Queue(maxsize=1)
        self.failure: BaseException | None = None

    async def submit(self, command: Command) -> Accepted | None:
        """
        Apply ``command`` and return once it is on disk; None for a seal with
        nothing pending or a tick with nothing to expire (nothing is logged then).

        Raises
        ------
        RequestRejected
            The operator refused the command; nothing changed.
        ServiceUnavailable
            The intake has stopped.
        """
        if self.failure is not None:
            raise self._stopped()
        future: asyncio.Future[Accepted | None] = asyncio.get_running_loop().create_future()
        await self._queue.put((command, future))
        return await future

    async def run(self) -> None:
        """Verify and apply groups until cancelled or a fatal error; then refuse whatever still waits."""
        verifier = asyncio.create_task(self._verify_groups())
        try:
            await self._apply_groups()
        finally:
            verifier.cancel()
            with suppress(asyncio.CancelledError):
                await verifier
            self._refuse_waiting([], ServiceUnavailable("the sequencer is stopping"))

    async def _verify_groups(self) -> None:
        """Stage 1: take each group as it queues up and verify its signatures ahead of the applier."""
        while True:
            group = [await self._queue.get()]
            while len(group) < self._max_group and not self._queue.empty():
                group.append(self._queue.get_nowait())
            try:
                await self._check_ahead(group)
                await self._verified.put(group)
            except asyncio.CancelledError:  # the service stops: the group held here is refused, not left waiting
                self._refuse_waiting(group, ServiceUnavailable("the sequencer is stopping"))
                raise

    async def _apply_groups(self) -> None:
        """Stage 2: apply and commit each verified group, in order."""
        while True:
            group = await self._verified.get()
            if self.failure is not None:  # halted while the group was being verified
                self._refuse_waiting(group, self._stopped())
                return
            try:
                self._process(group)
            except Exception as error:  # anything but a refusal leaves memory and log apart
                self._fail(error, group)
                return

    async def _check_ahead(self, group: list[_Pending]) -> None:
        """
        Verify the group's signatures in a worker thread, keeping the results
        for the engine. Nothing is decided here, so a failure only costs the
        engine its own checks.
        """
        try:
            await asyncio.to_thread(check_ahead, self._machine.operator.head, [command for command, _ in group])
        except Exception:
            log.exception("checking signatures ahead failed; the engine checks each one itself")

    def _process(self, group: list[_Pending]) -> None:
        """Apply a group, commit it, then resolve its futures and report it."""
        machine = self._machine
        time_ms = machine.time_for(self._clock_ms())
        records: list[LogRecord] = []
        accepted: list[Accepted] = []
        results: list[tuple[asyncio.Future[Accepted | None], Accepted | None | RequestRejected]] = []
        for command, future in group:
            tick = machine.tick(time_ms)
            if tick is not None:
                self._add(Accepted(tick[0], tick[1], None), records, accepted)
            if isinstance(command, Tick) or (isinstance(command, SealBatch) and not machine.operator.pending):
                results.append((future, None))
                continue
            try:
                entry, outcome = machine.apply(command, time_ms)
            except RequestRejected as refusal:
                results.append((future, refusal))
                continue
            receipt = self._receipt(entry) if isinstance(command, TraderCommand) else None
            done = Accepted(entry, outcome, receipt)
            self._add(done, records, accepted)
            results.append((future, done))
            while machine.operator.batch_complete():
                seal, batch = machine.apply(SealBatch(), time_ms)
                self._add(Accepted(seal, batch, None), records, accepted)
        self._wal.append(records)
        for future, result in results:
            if future.done():
                continue
            if isinstance(result, RequestRejected):
                future.set_exception(result)
            else:
                future.set_result(result)
        self._on_commit(accepted)

    @staticmethod
    def _add(done: Accepted, records: list[LogRecord], accepted: list[Accepted]) -> None:
        """Queue an accepted entry for the group's log write and report."""
        records.append(LogRecord(done.entry, done.receipt))
        accepted.append(done)

    def _receipt(self, entry: LogEntry) -> Receipt:
        """The signed receipt of a trader command's entry."""
        return self._signer.sign(request_hash_of(entry.encoded_command), entry.seq, entry.time_ms)

    def halt(self, reason: BaseException) -> None:
        """
        Stop taking requests for ``reason`` (not an internal error: the
        state and its log agree, so the process keeps serving reads).
        """
        self.failure = reason
        self._refuse_waiting([], self._stopped())

    def _fail(self, error: BaseException, group: list[_Pending]) -> None:
        """Stop taking requests after a fatal error and fail every waiting one."""
        self.failure = error
        log.critical("sequencer intake stopped: %r", error, exc_info=error)
        self._refuse_waiting(group, ServiceUnavailable("the sequencer stopped after an internal error; it must be restarted"))
        self._on_fatal(error)

    def _stopped(self) -> ServiceUnavailable:
        """The refusal of every request once the intake has stopped for ``failure``."""
        return ServiceUnavailable(f"the sequencer stopped: {self.failure}")

    def _refuse_waiting(self, group: list[_Pending], unavailable: ServiceUnavailable) -> None:
        """Fail the requests of ``group`` and every queued or verified one with ``unavailable``."""
        waiting = list(group)
        while not self._verified.empty():
            waiting.extend(self._verified.get_nowait())
        while not self._queue.empty():
            waiting.append(self._queue.get_nowait())
        for _, future in waiting:
            if not future.done():
                future.set_exception(unavailable)
