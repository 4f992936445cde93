"""
How sealed batches reach L1: a :class:`Settlement` that runs the whole path
(``sequencer.settlement.Settlement``: the proving queue, its workers, remote
or in this process, and the L1 submitter). The sequencer hands it each
sealed batch in order, steps it, and records the batches L1 verified.
"""

from typing import Protocol

from sequencer.l1.rollup import BatchVerification
from sequencer.witness.batch import ProvableBatch


class Settlement(Protocol):
    """Takes sealed batches all the way to L1 (proving queue, workers, submitter)."""

    def seal(self, number: int, batch: ProvableBatch) -> None:
        """Take batch ``number``."""

    def step(self) -> int:
        """Make progress; returns the number of the last batch verified on L1."""

    def stage(self, number: int) -> str:
        """Where an unverified sealed batch is: ``sealed``, ``proving`` or ``proven``."""

    def verification(self, number: int) -> BatchVerification | None:
        """How L1 verified batch ``number`` (public input, transaction, gas); None if it did not."""
