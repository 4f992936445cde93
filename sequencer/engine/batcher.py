"""
The batcher: accepted transactions wait in acceptance order; sealing takes
the oldest into a batch; building replays each sealed batch, in order, on
the state the previous one left (the proven state's successor), giving the
circuit's input.

It holds no head state and checks nothing: every transaction it queues was
already applied to the head state by the spec, so replaying them in the
same order cannot fail unless the engine broke a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sequencer.spec.state import State
from sequencer.spec.transactions import ForcedCancelAll, ForcedWithdraw, Transaction
from sequencer.spec.transition import SlotOutcome, continues_immediate_run, total_fees
from sequencer.spec.types import FieldElement, Timestamp
from sequencer.witness.batch import ProvableBatch, build_batch

from .records import BatchContents, PendingTransaction, SealedBatch


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
    pending: list[PendingTransaction] = field(default_factory=list)
    batches: list[SealedBatch] = field(default_factory=list)
    built: int = 0

    def queue(self, transaction: Transaction, time: Timestamp, outcome: SlotOutcome) -> None:
        """A transaction the head state took at ``time`` (with the spec's ``outcome``) waits for its batch."""
        self.pending.append(PendingTransaction(transaction, time, outcome))

    def seal_due(self, now: Timestamp, max_wait: int) -> bool:
        """
        Whether to seal a batch: a full one is pending, the oldest pending
        transaction waited ``max_wait`` s, or the next batch carries a forced
        request (a forced withdrawal or cancel-all has an L1 deadline, after
        which anyone may freeze the rollup: it never waits for a batch to fill).
        """
        if not self.pending:
            return False
        forced = any(isinstance(p.transaction, (ForcedWithdraw, ForcedCancelAll)) for p in self.pending[: self.slots])
        return forced or len(self.pending) >= self.slots or now - self.pending[0].time >= max_wait

    def seal(self, time: Timestamp) -> SealedBatch | None:
        """
        Seal the oldest pending transactions (at most one batch) at ``time``;
        None if none is pending. The batch's timestamp is the time of its
        first transaction (never before the previous batch's), so no order
        in it trades after its own acceptance time. The batch ends early
        rather than between two fills of one immediate order, which must
        trade in one batch (the engine never gives one more fills than a
        batch has slots).
        """
        if not self.pending:
            return None
        count = min(self.slots, len(self.pending))
        while count < len(self.pending) and continues_immediate_run(
            self.pending[count - 1].transaction, self.pending[count].transaction
        ):
            count -= 1
        assert count > 0, "an immediate order's run of fills is longer than a batch"
        taken, self.pending = self.pending[:count], self.pending[count:]
        transactions = tuple(p.transaction for p in taken)
        previous = self.batches[-1].timestamp if self.batches else Timestamp(0)
        batch = SealedBatch(
            number=len(self.batches) + 1,
            timestamp=Timestamp(max(previous, taken[0].time)),
            sealed_at=time,
            transactions=transactions,
            fees=tuple(sorted(total_fees([p.outcome for p in taken]).items())),
            contents=BatchContents.of(transactions),
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
        batch = build_batch(self.sealed, sealed.transactions, sealed.timestamp, self.chain, self.slots)
        self.chain = batch.chain_end
        self.batches[self.built] = sealed.built()
        self.built += 1
        return batch
