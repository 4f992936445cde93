"""
The batcher: accepted transactions wait in acceptance order; sealing takes
the oldest into a batch; building replays each sealed batch, in order, on
the state the previous one left (the proven state's successor), giving the
circuit's input.

A batch holds its spot slots, then its perpetual slots (``spec.batch``), so
the transactions waiting are cut into batches in acceptance order: a batch
takes spot transactions up to its spot slots, then perpetual ones up to its
perpetual slots, and a spot transaction accepted after a perpetual one
starts the next batch. Replaying a batch is then replaying its
transactions in the order the head state took them. A perpetual
transaction joins the batch being filled only if the head state applied it
at that batch's timestamp (:meth:`Batcher.perp_placement`).

It holds no head state and checks nothing: every transaction it queues was
already applied to the head state by the spec, so replaying them in the
same order cannot fail unless the engine broke a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.perpetual.transactions import PerpTransaction
from sequencer.spec.state import State
from sequencer.spec.transactions import ForcedCancelAll, ForcedWithdraw, Transaction
from sequencer.spec.transition import SlotOutcome, continues_immediate_run, total_fees
from sequencer.spec.types import FieldElement, Timestamp
from sequencer.witness.batch import PerpSlots, ProvableBatch, build_batch

from .perp_market import PerpMarketRules
from .records import BatchContents, Pending, PendingPerpTransaction, PendingTransaction, SealedBatch


@dataclass(frozen=True)
class Cut:
    """The batch the oldest waiting transactions (from ``start``) make: how many of them, its timestamp, and its slots used."""

    start: int
    end: int
    timestamp: Timestamp
    spot: int
    perp: int


@dataclass(frozen=True)
class PerpSetup:
    """
    The perpetual side of a deployment: its parameters, how many perpetual
    slots a batch has, and the engine's rules for the markets it trades.
    """

    config: PerpConfig
    slots: int
    markets: tuple[PerpMarketRules, ...] = ()


@dataclass
class Batcher:
    """
    Pending transactions, sealed batches (those built hold no transactions
    any more: ``SealedBatch.built``), and ``sealed``: the state after the
    last batch whose circuit input was built (``chain``: the L1 request
    chain there).
    """

    slots: int
    sealed: State
    chain: FieldElement = FieldElement(0)
    pending: list[Pending] = field(default_factory=list)
    batches: list[SealedBatch] = field(default_factory=list)
    built: int = 0
    perp: PerpSetup | None = None
    """The perpetual slots of every batch, if the deployment has perpetual markets."""

    @property
    def perp_slots(self) -> int:
        """How many perpetual slots a batch has (0 without perpetual markets)."""
        return 0 if self.perp is None else self.perp.slots

    def queue(self, transaction: Transaction, time: Timestamp, outcome: SlotOutcome) -> None:
        """A transaction the head state took at ``time`` (with the spec's ``outcome``) waits for its batch."""
        self.pending.append(PendingTransaction(transaction, time, outcome))

    def queue_perp(self, transaction: PerpTransaction, time: Timestamp) -> None:
        """A perpetual transaction the head state took at ``time``, from :meth:`perp_placement`, waits for its batch."""
        self.pending.append(PendingPerpTransaction(transaction, time))

    def perp_placement(self, now: Timestamp, not_before: Timestamp) -> tuple[Timestamp, PerpTransaction | None]:
        """
        Where a perpetual transaction accepted at ``now`` goes: the timestamp
        to apply it at and the perpetual transaction before it in its batch
        (None if it is the batch's first). It joins the batch being filled
        if that batch has a perpetual slot free and its timestamp is at
        least ``not_before`` (an oracle update's latest signed time);
        otherwise it starts the next batch, at ``now`` (never before the
        batch before it).
        """
        assert self.perp_slots > 0, "the deployment has no perpetual slots"
        last = self._last_cut()
        if last is not None and last.perp < self.perp_slots and last.timestamp >= not_before:
            previous = self.pending[-1]
            return last.timestamp, previous.transaction if isinstance(previous, PendingPerpTransaction) else None
        floor = last.timestamp if last is not None else self.sealed_timestamp()
        return Timestamp(max(floor, now)), None

    def perp_room(self) -> int:
        """How many perpetual transactions the batch being filled still takes (a full batch's slots if none can join it)."""
        last = self._last_cut()
        if last is None or last.perp == self.perp_slots:
            return self.perp_slots
        return self.perp_slots - last.perp

    def cut(self, start: int, previous: Timestamp) -> Cut:
        """
        The batch the waiting transactions from ``start`` make, after a
        batch of timestamp ``previous``: spot ones up to the spot slots, then
        perpetual ones of the same timestamp up to the perpetual slots. It
        ends early rather than between two fills of one immediate spot
        order, which must trade in one batch (the engine never gives one more
        fills than a batch has slots).
        """
        pending = self.pending
        timestamp = Timestamp(max(previous, pending[start].time))
        spot = perp = 0
        end = start
        while end < len(pending):
            item = pending[end]
            if isinstance(item, PendingPerpTransaction):
                if perp == self.perp_slots or item.time != timestamp:
                    break
                perp += 1
            else:
                if perp or spot == self.slots:
                    break
                spot += 1
            end += 1
        while end < len(pending) and spot == end - start and _continues_run(pending[end - 1], pending[end]):
            end -= 1
            spot -= 1
        assert end > start, "an immediate order's run of fills is longer than a batch"
        return Cut(start, end, timestamp, spot, perp)

    def complete(self) -> bool:
        """
        Whether the oldest waiting transactions make a whole batch: later
        ones wait behind it, or nothing more can join it.
        """
        if not self.pending:
            return False
        cut = self.cut(0, self.sealed_timestamp())
        return cut.end < len(self.pending) or (cut.spot == self.slots and cut.perp == self.perp_slots)

    def seal_due(self, now: Timestamp, max_wait: int) -> bool:
        """
        Whether to seal a batch: a full one is pending, the oldest pending
        transaction waited ``max_wait`` s, or the next batch carries a forced
        request (a forced withdrawal or cancel-all has an L1 deadline, after
        which anyone may freeze the rollup: it never waits for a batch to fill).
        """
        if not self.pending:
            return False
        cut = self.cut(0, self.sealed_timestamp())
        forced = any(isinstance(p.transaction, (ForcedWithdraw, ForcedCancelAll)) for p in self.pending[: cut.end])
        return forced or self.complete() or now - self.pending[0].time >= max_wait

    def seal(self, time: Timestamp) -> SealedBatch | None:
        """
        Seal the oldest pending transactions (at most one batch, :meth:`cut`)
        at ``time``; None if none is pending. The batch's timestamp is the
        time of its first transaction (never before the previous batch's),
        so no order in it trades after its own acceptance time.
        """
        if not self.pending:
            return None
        cut = self.cut(0, self.sealed_timestamp())
        taken, self.pending = self.pending[: cut.end], self.pending[cut.end :]
        spot = [p for p in taken if isinstance(p, PendingTransaction)]
        transactions = tuple(p.transaction for p in spot)
        perp_transactions = tuple(p.transaction for p in taken if isinstance(p, PendingPerpTransaction))
        batch = SealedBatch(
            number=len(self.batches) + 1,
            timestamp=cut.timestamp,
            sealed_at=time,
            transactions=transactions,
            fees=tuple(sorted(total_fees([p.outcome for p in spot]).items())),
            contents=BatchContents.of(transactions, len(perp_transactions)),
            perp_transactions=perp_transactions,
        )
        self.batches.append(batch)
        return batch

    def build_next(self) -> ProvableBatch | None:
        """
        Build the circuit input of the oldest sealed batch not built yet, on
        the state after the previous one; None if every sealed batch is built.

        Raises
        ------
        RollupError
            The spec refuses the batch (the engine broke a rule).
        """
        if self.built >= len(self.batches):
            return None
        sealed = self.batches[self.built]
        assert sealed.transactions is not None, "a batch not built yet holds its transactions"
        perp = None
        if self.perp is not None:
            perp = PerpSlots(self.perp.slots, self.perp.config, sealed.perp_transactions or ())
        batch = build_batch(self.sealed, sealed.transactions, sealed.timestamp, self.chain, self.slots, perp)
        self.chain = batch.chain_end
        self.batches[self.built] = sealed.built()
        self.built += 1
        return batch

    def sealed_timestamp(self) -> Timestamp:
        """The timestamp of the last sealed batch (0 before the first)."""
        return self.batches[-1].timestamp if self.batches else Timestamp(0)

    def _last_cut(self) -> Cut | None:
        """The batch the newest waiting transactions are in (the one being filled); None if none waits."""
        cut = None
        start, previous = 0, self.sealed_timestamp()
        while start < len(self.pending):
            cut = self.cut(start, previous)
            start, previous = cut.end, cut.timestamp
        return cut


def _continues_run(previous: Pending, item: Pending) -> bool:
    """Whether ``item`` continues an immediate spot order's run of fills that ``previous`` belongs to."""
    if isinstance(previous, PendingPerpTransaction) or isinstance(item, PendingPerpTransaction):
        return False
    return continues_immediate_run(previous.transaction, item.transaction)
