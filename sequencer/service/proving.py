"""
The proving hooks: how sealed batches get a proof and reach L1.

Either of two:

- a :class:`BatchProver` and a :class:`BatchPublisher`: the sequencer hands
  each sealed batch, in order, to the prover and the proof to the publisher,
  and records each step (``sealed``, ``proving``, ``proven``, ``verified``
  with its L1 transaction) in the log database, so a restarted sequencer
  neither proves a batch twice nor submits one the contract already
  verified. :class:`LocalProver` proves in this process with snarkjs and
  :class:`RollupPublisher` submits with the operator's key;
- a :class:`Settlement` that runs the whole path itself, such as
  ``sequencer.settlement.Settlement`` (remote prover workers under leases
  and the L1 submitter): the sequencer hands it each sealed batch in order,
  steps it, and records the batches it reports verified.
"""

from typing import Protocol

from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts, prove
from sequencer.l1.rollup import Rollup
from sequencer.witness.batch import ProvableBatch


class BatchProver(Protocol):
    """Proves batches."""

    def prove(self, batch: ProvableBatch) -> tuple[int, ...]:
        """The proof of ``batch`` as the rollup contract takes it (8 words); raises if it cannot."""


class BatchPublisher(Protocol):
    """Puts proven batches on L1."""

    def verified_up_to(self) -> int:
        """The number of the last batch the rollup contract verified."""

    def verified_input(self, number: int) -> int:
        """The public input hash the rollup contract verified for batch ``number`` (0 if none)."""

    def submit(self, number: int, batch: ProvableBatch, proof: tuple[int, ...]) -> str:
        """Submit batch ``number`` with its proof; returns the L1 transaction hash; raises if it fails."""


class Settlement(Protocol):
    """Takes sealed batches all the way to L1 (proving queue, workers, submitter)."""

    def seal(self, number: int, batch: ProvableBatch) -> None:
        """Take batch ``number``."""

    def step(self) -> int:
        """Make progress; returns the number of the last batch verified on L1."""

    def stage(self, number: int) -> str:
        """Where an unverified sealed batch is: ``sealed``, ``proving`` or ``proven``."""

    def verified_input(self, number: int) -> int:
        """The public input hash L1 verified for batch ``number`` (0 if none)."""


class LocalProver:
    """Proves in this process with the circuit's proving key (each proof is verified before it is returned)."""

    def __init__(self, artifacts: CircuitArtifacts) -> None:
        """Prove with ``artifacts`` (``prover.build_circuit``)."""
        self._artifacts = artifacts

    def prove(self, batch: ProvableBatch) -> tuple[int, ...]:
        """Compute the witness, prove with snarkjs and verify."""
        return tuple(prove(self._artifacts, batch.circuit_input).solidity_calldata())


class RollupPublisher:
    """Submits batches to the rollup contract from the operator's account."""

    def __init__(self, rollup: Rollup, operator: LocalAccount) -> None:
        """Submit to ``rollup``, signing with ``operator``."""
        self._rollup = rollup
        self._operator = operator

    def verified_up_to(self) -> int:
        """The contract's last verified batch."""
        return self._rollup.last_batch()

    def verified_input(self, number: int) -> int:
        """The public input hash the contract verified for batch ``number``."""
        return self._rollup.batch_hash(number)

    def submit(self, number: int, batch: ProvableBatch, proof: tuple[int, ...]) -> str:
        """``submitBatch`` with explicit gas; raises ``TransactionFailed`` if it reverts."""
        receipt = self._rollup.submit_batch(self._operator, number, batch, list(proof))
        return "0x" + bytes(receipt["transactionHash"]).hex()
