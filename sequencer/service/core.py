"""
The sequencer service: the state machine, its log, its intake and the loops
around them.

:meth:`SequencerService.open` rebuilds the state by replaying the log of the
data directory. :meth:`SequencerService.start` then runs, on the event loop:

- the intake (``intake.Intake``), which applies, logs and acknowledges commands;
- a timer that seals a batch once its oldest transaction waited
  ``max_batch_wait_s`` and expires stale orders, both as logged commands;
- with an L1 source, a poller that feeds the rollup's L1 requests in queue order;
- with a settlement, the settlement loop: it builds each sealed batch in
  order, hands it over (to the proving queue, whose workers run remotely or
  in this process), steps the settlement and records what L1 verified.

A batch is recorded ``verified`` only once L1 holds this sequencer's own
public input under its number. If L1 verified anything else (another
operator with the submitter's key, a second instance of this one), the
sequencer's state is no longer the proven one: it halts with an
:class:`L1Conflict` (logged at CRITICAL, shown by ``/v1/status`` and
``/metrics``), refuses every write with 503 ``SEQUENCER_STOPPED`` and
keeps serving reads, instead of reporting batches it never sent.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from eth_account.signers.local import LocalAccount

from sequencer.engine.orders import OrderRecord
from sequencer.l1.submitter import SubmissionConflict
from sequencer.engine.operator import Operator, OrderOutcome, PerpOrderOutcome
from sequencer.engine.records import PerpTradeRecord
from sequencer.engine.errors import RequestRejected
from sequencer.settlement import LocalProver
from sequencer.spec.types import AccountIndex, Timestamp
from sequencer.witness.batch import ProvableBatch

from .commands import (
    AddL1Request,
    Command,
    PlacePerpOrder,
    PostPrices,
    SealBatch,
    Tick,
    TickFunding,
    TransferCollateral,
)
from .config import ServiceConfig
from .feed import Feed
from .intake import Accepted, Intake, ServiceUnavailable
from .l1 import ExitView, L1Requests, QueueSnapshot
from .machine import Liquidations, Machine
from .perp_views import close_out, perp_account_out, perp_markets_out, perp_trade_out
from .checkpoint import CheckpointInProgress, collector_paused, load_latest, start_checkpoint, write_checkpoint
from .proving import Settlement
from .receipts import ReceiptSigner
from .views import book_out, trade_out
from .wal import BatchProgress, BatchStatus, LogMismatch, WriteAheadLog

log = logging.getLogger(__name__)

PERPETUAL_COMMANDS = (PlacePerpOrder, TransferCollateral, PostPrices, TickFunding)
"""The commands that can change an account's positions, value or margin."""

FEED_DEPTH = 20
"""Levels per side in the feed's book snapshots."""


class L1Conflict(Exception):
    """L1 verified a batch that is not this sequencer's: its state is no longer the proven one."""

    def __init__(self, number: int, on_chain: int, ours: int | None) -> None:
        mine = "this sequencer has no such batch" if ours is None else f"ours is {ours}"
        super().__init__(f"L1 verified batch {number} with public input {on_chain}; {mine}")
        self.number = number


def wall_clock_ms() -> int:
    """Unix time in milliseconds."""
    return time.time_ns() // 1_000_000


def _keep_running(error: BaseException) -> None:
    """The default reaction to a fatal intake error: none beyond refusing requests (the embedder decides)."""


class SequencerService:
    """One sequencer: configuration, state machine, log and background loops."""

    def __init__(
        self,
        config: ServiceConfig,
        operator_account: LocalAccount,
        *,
        l1: L1Requests | None = None,
        settlement: Settlement | None = None,
        local_prover: LocalProver | None = None,
        clock_ms: Callable[[], int] = wall_clock_ms,
        on_fatal: Callable[[BaseException], None] = _keep_running,
    ) -> None:
        """
        A sequencer for ``config`` that signs receipts (and L1 submissions)
        with ``operator_account``; without ``l1`` it takes no L1 requests,
        without a ``settlement`` its batches stay sealed. ``local_prover``, a
        worker on the settlement's proving queue, runs while the service does.
        """
        self.config = config
        self.machine = Machine(
            Operator.genesis(
                config.tree, config.slots, list(config.markets), dict(config.min_withdrawals), config.perp
            )
        )
        self.signer = ReceiptSigner(operator_account, config.receipt_domain)
        self.feed = Feed()
        self.progress: dict[int, BatchProgress] = {}
        self._l1 = l1
        self._settlement = settlement
        self._local_prover = local_prover
        self._clock_ms = clock_ms
        self._on_fatal = on_fatal
        self._wal: WriteAheadLog | None = None
        self._intake: Intake | None = None
        self._inputs: dict[int, int] = {}
        """Public input hash of each batch built and not yet recorded verified."""
        self.halted: L1Conflict | None = None
        self._checkpointed = 0
        """The log position of the newest checkpoint written or restored."""
        self._writing: CheckpointInProgress | None = None
        """The checkpoint a forked child is writing, if any."""
        self._checkpoint_failed = 0
        """The log position of the last background checkpoint that failed (the next try waits for more entries)."""
        self._building = threading.Lock()
        """Held while a batch is built (in a worker thread) or the state is checkpointed: never both at once."""
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def operator(self) -> Operator:
        """The state machine's operator (read it; change it only through :meth:`submit`)."""
        return self.machine.operator

    @property
    def wal(self) -> WriteAheadLog:
        """The open log."""
        if self._wal is None:
            raise RuntimeError("the service is not open")
        return self._wal

    @property
    def intake(self) -> Intake:
        """The running intake."""
        if self._intake is None:
            raise RuntimeError("the service is not open")
        return self._intake

    def open(self) -> None:
        """
        Open the data directory's log and replay it.

        Restores the newest valid checkpoint first, if there is one, and
        replays only the entries after it.

        Raises
        ------
        LogMismatch
            The log belongs to another configuration, or was compacted behind
            a checkpoint that is missing.
        ReplayDiverged
            A logged entry no longer applies.
        """
        fingerprint = self.config.fingerprint()
        wal = WriteAheadLog.open(self.config.data_dir, fingerprint)
        with collector_paused():
            restored = load_latest(self.config.data_dir, fingerprint, wal.last_seq())
            if restored is not None:
                self.machine = restored
                log.info("restored the checkpoint at log entry %d", restored.seq)
            elif wal.compacted_through() > 0:
                raise LogMismatch(
                    f"the log was compacted through entry {wal.compacted_through()} and no checkpoint holds it"
                )
            self._checkpointed = self.machine.seq
            self.machine.replay_all(record.entry for record in wal.records(self.machine.seq + 1))
        self.progress = wal.batch_progress()
        self._wal = wal
        self._intake = Intake(
            self.machine,
            wal,
            self.signer,
            self._clock_ms,
            self._committed,
            self._on_fatal,
            self.config.max_group,
        )
        log.info("at log entry %d: %d replayed after the checkpoint", self.machine.seq, self.machine.seq - self._checkpointed)

    async def start(self) -> None:
        """Start the intake and the background loops (call :meth:`open` first)."""
        loops = [self.intake.run(), self._timer()]
        if self._l1 is not None:
            loops.append(self._poll_l1(self._l1))
        if self._settlement is not None:
            loops.append(self._settle(self._settlement))
        self._tasks = [asyncio.create_task(loop) for loop in loops]
        if self._local_prover is not None:
            self._local_prover.start()

    async def stop(self) -> None:
        """
        Stop the loops, write a last checkpoint (unless an internal error
        left the state apart from the log) and close the log.
        """
        if self._local_prover is not None:
            await asyncio.to_thread(self._local_prover.stop)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        consistent = self._intake is not None and (self._intake.failure is None or self.halted is not None)
        if self._wal is not None and consistent and self.config.checkpoint_every:
            try:
                self.checkpoint()
            except Exception as error:  # the log holds every entry: a restart replays it
                log.error("checkpoint at stop failed: %r", error)
        if self._wal is not None:
            self._wal.close()
            self._wal = None

    async def submit(self, command: Command) -> Accepted | None:
        """Apply a command through the intake (see ``Intake.submit``)."""
        return await self.intake.submit(command)

    def l1_queue(self, limit: int) -> QueueSnapshot | None:
        """
        The L1 side now: freeze, consumed requests, the oldest ``limit``
        waiting with their deadlines (node calls: not on the event loop);
        None without a chain.
        """
        return None if self._l1 is None else self._l1.snapshot(limit)

    def exit_view(self, owner: str) -> ExitView | None:
        """``owner``'s way out of the rollup (node calls, and a rebuild once frozen: not on the event loop)."""
        return None if self._l1 is None else self._l1.exit_view(owner)

    def batch_status(self, number: int) -> BatchStatus:
        """The status of batch ``number``: ``open`` for the next one, else its recorded progress."""
        if number > len(self.operator.batches):
            return BatchStatus.OPEN
        progress = self.progress.get(number)
        if progress is not None:
            return progress.status
        if self._settlement is not None:
            return BatchStatus(self._settlement.stage(number))
        return BatchStatus.SEALED

    # ------------------------------------------------------------------ loops

    async def _timer(self) -> None:
        """Seal due batches, expire stale orders and tick funding when due, every ``poll_interval_s``."""
        while self.intake.failure is None:
            await asyncio.sleep(self.config.poll_interval_s)
            now = Timestamp(self.machine.time_for(self._clock_ms()) // 1000)
            try:
                if self.operator.expiry_due(now):
                    await self.submit(Tick())
                if self.operator.funding_due(now, self.config.funding_interval_s):
                    await self._tick_funding(now)
                if self.operator.seal_due(now, self.config.max_batch_wait_s):
                    await self.submit(SealBatch())
            except ServiceUnavailable:
                return
            try:
                self._checkpoint_in_background()
            except Exception as error:  # a full disk must not stop sealing and expiry: the log has it all
                log.error("checkpoint failed (the log still holds every entry): %r", error)

    async def _tick_funding(self, now: Timestamp) -> None:
        """
        Submit the funding tick at ``now``, unless all its rates are zero (it
        would move nothing: no batch slot and no proof for it, and the next
        tick charges at most an interval anyway); one the spec refuses (an
        index at its bound) is logged and skipped.
        """
        tick = self.operator.funding_tick(now, self.config.funding_interval_s)
        if not any(tick.rates):
            return
        try:
            await self.submit(TickFunding(tick))
        except RequestRejected as refusal:
            log.error("funding tick refused: %s: %s", refusal.code, refusal)

    def checkpoint(self) -> int:
        """
        Write a checkpoint of the state at the log's head now (when the head
        moved since the last one and :meth:`_checkpoint_allowed`), then
        compact the log behind it if the configuration says so. Returns the
        last checkpoint's log position. The timer writes its periodic ones in
        the background instead; this waits for one in progress first (at
        most until its deadline).

        Call it on the event loop: the intake changes the state only there,
        so the state it serialises is the one at a group boundary.
        """
        if self._writing is not None:
            self._checkpoint_written(self._writing.wait())
        with self._building:  # a batch being built changes what is allowed and the sealed state: wait for it
            if not (self._checkpoint_allowed() and self.machine.seq > self._checkpointed):
                return self._checkpointed
            write_checkpoint(self.config.data_dir, self.config.fingerprint(), self.machine)
        self._checkpointed = self.machine.seq
        self._compact()
        return self._checkpointed

    def _checkpoint_in_background(self) -> None:
        """
        Every ``checkpoint_every`` entries, fork a child that writes a
        checkpoint of the state as it is now (``start_checkpoint``), and take
        note when it is done; the event loop goes on meanwhile. While a batch
        is being built it tries again at the next tick; after a failure, only
        ``checkpoint_every`` entries later.
        """
        if self._writing is not None:
            written = self._writing.poll()
            if written is not None:
                self._checkpoint_written(written)
            return
        since = max(self._checkpointed, self._checkpoint_failed)
        if not self.config.checkpoint_every or self.machine.seq - since < self.config.checkpoint_every:
            return
        if not self._building.acquire(blocking=False):  # never block the event loop on a build
            return
        try:  # no batch is being built: what is allowed holds until the fork, and the child sees a whole state
            if self._checkpoint_allowed():
                self._writing = start_checkpoint(self.config.data_dir, self.config.fingerprint(), self.machine)
        finally:
            self._building.release()

    def _checkpoint_written(self, written: bool) -> None:
        """The background checkpoint finished: on success it is the last one (and the log may be compacted)."""
        assert self._writing is not None
        seq, self._writing = self._writing.seq, None
        if not written:
            log.error("the checkpoint at log entry %d failed (the log still holds every entry)", seq)
            self._checkpoint_failed = seq
            return
        self._checkpointed = max(self._checkpointed, seq)
        self._compact()

    def _compact(self) -> None:
        """Delete the log's entries behind the last checkpoint, if the configuration says so."""
        if self.config.compact_log:
            removed = self.wal.compact(self._checkpointed)
            log.info("checkpoint at log entry %d; %d entries compacted", self._checkpointed, removed)
        else:
            log.info("checkpoint at log entry %d", self._checkpointed)

    def _checkpoint_allowed(self) -> bool:
        """
        Whether the state may be checkpointed: only when its built batches
        are all recorded verified. The proving queue lives in memory, so a
        restart must build again every batch L1 does not hold yet (it
        continues after the checkpoint's last built batch); until then the
        last checkpoint stays.
        """
        return all(
            (progress := self.progress.get(number)) is not None and progress.status is BatchStatus.VERIFIED
            for number in range(self.operator.built, 0, -1)
        )

    async def _poll_l1(self, source: L1Requests) -> None:
        """Feed new L1 requests, in queue order, every ``poll_interval_s``."""
        while True:
            try:
                requests = await asyncio.to_thread(source.since, self.operator.l1_seen)
            except Exception as error:  # the node or file is unavailable: try again later
                log.warning("cannot read L1 requests: %s", error)
                await asyncio.sleep(self.config.retry_delay_s)
                continue
            try:
                for index, request in requests:
                    if index == self.operator.l1_seen:
                        await self.submit(AddL1Request(index, request))
            except RequestRejected as refusal:  # the spec refuses an L1 request: the rollup cannot go on
                log.critical("L1 request %d refused: %s: %s", self.operator.l1_seen, refusal.code, refusal)
                return
            except ServiceUnavailable:
                return
            await asyncio.sleep(self.config.poll_interval_s)

    async def _settle(self, settlement: Settlement) -> None:
        """Hand each sealed batch to the settlement in order, step it, record what it verified."""
        while True:
            operator = self.operator
            while operator.built < len(operator.batches):
                number = operator.built + 1
                batch = await asyncio.to_thread(self._build_next)
                if batch is not None and self.batch_status(number) is not BatchStatus.VERIFIED:
                    self._inputs[number] = batch.public_input_hash
                    settlement.seal(number, batch)
            try:
                verified = await asyncio.to_thread(settlement.step)
            except SubmissionConflict as conflict:
                self._halt(L1Conflict(conflict.number, conflict.on_chain, conflict.ours))
                return
            except Exception as error:  # a prover or L1 failure: the settlement retries on its next step
                log.warning("settlement: %s", error)
                await asyncio.sleep(self.config.retry_delay_s)
                continue
            for number in range(1, verified + 1):
                if self.batch_status(number) is not BatchStatus.VERIFIED:
                    verification = await asyncio.to_thread(settlement.verification, number)
                    on_chain = 0 if verification is None else verification.public_input_hash
                    verified_by = BatchProgress(number, BatchStatus.VERIFIED)
                    if verification is not None:
                        verified_by = replace(verified_by, l1_tx=verification.transaction, l1_gas=verification.gas_used)
                    if not self._record_verified(number, on_chain, verified_by):
                        return
            await asyncio.sleep(self.config.poll_interval_s)

    def _build_next(self) -> ProvableBatch | None:
        """``Operator.build_next``, never while a checkpoint is written (it runs in a worker thread)."""
        with self._building:
            return self.operator.build_next()

    def _record_verified(self, number: int, on_chain: int, progress: BatchProgress) -> bool:
        """
        Record batch ``number`` verified if L1 verified this sequencer's own
        public input under it; halt and return False otherwise.
        """
        ours = self._inputs.get(number)
        if ours != on_chain:
            self._halt(L1Conflict(number, on_chain, ours))
            return False
        self._save(replace(progress, status=BatchStatus.VERIFIED, error=None))
        del self._inputs[number]
        return True

    def _halt(self, conflict: L1Conflict) -> None:
        """Stop taking requests because L1 no longer holds this sequencer's batches; keep serving reads."""
        self.halted = conflict
        log.critical("sequencer halted: %s; an operator must look (no request is taken until then)", conflict)
        self.intake.halt(conflict)

    def _save(self, progress: BatchProgress) -> BatchProgress:
        """Record a batch's progress in memory and in the log database."""
        progress = replace(progress, updated_ms=self._clock_ms())
        self.wal.save_batch_progress(progress)
        self.progress[progress.number] = progress
        return progress

    # ------------------------------------------------------------------ feed

    def _committed(self, accepted: list[Accepted]) -> None:
        """
        Publish a committed group's trades, then a book snapshot of each
        market it touched; for a perpetual market, also its price, funding
        and open interest after each oracle update or funding tick, and the
        closes it started.
        """
        touched: set[str] = set()
        priced = False
        for done in accepted:
            outcome = done.outcome
            records: list[OrderRecord] = []
            if isinstance(outcome, OrderOutcome):
                records = [outcome.order, *outcome.self_trades]
                for trade in outcome.trades:
                    self._publish(trade.market, "trade", done.entry.seq, lambda: trade_out(trade).model_dump(mode="json"))
            elif isinstance(outcome, PerpOrderOutcome):
                records = [outcome.order, *outcome.self_trades, *outcome.unfillable]
                for perp_trade in outcome.trades:
                    self._publish(perp_trade.market, "trade", done.entry.seq, lambda: self._perp_trade_view(perp_trade))
            elif isinstance(outcome, Liquidations):
                priced = True
                for close in outcome.closes:
                    name = self._perp_market_name(close.market)
                    if name is not None:
                        self._publish(name, "close", done.entry.seq, lambda: close_out(close).model_dump(mode="json"))
                        touched.add(name)
            elif isinstance(outcome, OrderRecord):
                records = [outcome]
            elif isinstance(outcome, list):
                records = outcome
            touched.update(record.market for record in records)
        if priced and self.config.perp is not None:
            for market in perp_markets_out(self.config.perp, self.operator.perp_ledger()):
                self._publish(market.name, "market", self.machine.seq, lambda: market.model_dump(mode="json"))
        if any(isinstance(done.entry.command, PERPETUAL_COMMANDS) for done in accepted):
            self._publish_positions()
        for name in sorted(touched):
            book = self.operator.book_named(name)
            if book is not None and self.feed.subscribers(name):
                snapshot = book_out(book, self.machine.seq, FEED_DEPTH)
                self.feed.publish(name, {"type": "book", **snapshot.model_dump(mode="json")})

    def _publish_positions(self) -> None:
        """A fresh ``position`` snapshot to every subscriber of an account's channel."""
        ledger = self.operator.perp_ledger()
        for channel in self.feed.channels():
            kind, _, index = channel.partition("/")
            if kind == "account":
                view = perp_account_out(ledger, AccountIndex(int(index)))
                self.feed.publish(channel, {"type": "position", "sequence": self.machine.seq, **view.model_dump(mode="json")})

    def _publish(self, market: str, kind: str, sequence: int, shown: Callable[[], dict[str, Any]]) -> None:
        """Publish a ``kind`` message of ``market`` at log entry ``sequence``, if anyone listens (``shown`` makes its body)."""
        if self.feed.subscribers(market):
            self.feed.publish(market, {"type": kind, "sequence": sequence, **shown()})

    def _perp_trade_view(self, trade: PerpTradeRecord) -> dict[str, Any]:
        """A perpetual trade as the feed shows it."""
        assert self.config.perp is not None
        quantum = self.config.perp.config.markets[trade.trade.maker.order.market].quantum
        return perp_trade_out(trade, quantum).model_dump(mode="json")

    def _perp_market_name(self, market: int) -> str | None:
        """The name the engine trades perpetual market ``market`` under, if it trades it."""
        for rules in self.config.perp.markets if self.config.perp is not None else ():
            if rules.market == market:
                return rules.name
        return None
