"""
The L1 submitter: sends proven batches to the rollup contract strictly in
order, each exactly once, through the ordinary failures of a chain.

- **One transaction in flight, batches bundled.** It sends every consecutive
  proven batch it holds (up to ``max_bundle``) in one ``submitBatches``
  transaction, whose proofs the verifier checks together: the transaction's
  and the pairing check's fixed costs are shared. The next transaction is sent
  only once the chain verified the previous one, so order never depends on the
  mempool. A bundle's gas limit stays under the transaction cap. The batches
  of a bundle that reverted are retried one at a time, so a bad batch holds
  back none before it and is named.
- **Explicit gas.** ``eth_estimateGas`` is unreliable for a pairing check
  (TOOLCHAIN.md); the rollup reverts on a failed proof anyway, and the
  submitter sends a fixed, generous gas limit per slot.
- **Stuck transactions are replaced, not duplicated.** A batch not mined
  after ``stuck_blocks`` blocks is sent again with the same nonce and fees
  raised by at least the 12.5 % a node requires for a replacement.
- **Reorgs.** A batch stays watched until it is ``finality_blocks`` deep; if
  the chain forgets it (the contract's ``lastBatch`` goes below it), it is
  sent again.
- **Deadlines.** Each round it looks at the oldest L1 request the chain
  still waits for and warns when its deadline is near (the sequencer seals a
  batch holding a forced request at once, see ``Operator.seal_due``).
- **The chain is the memory.** The submitter keeps no state that the chain
  does not confirm: after a restart it reads ``lastBatch`` and the verified
  public input of each batch (its ``BatchVerified`` event), and resends only
  what is missing. A resend of a transaction still in the mempool becomes its
  replacement (same nonce).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3RPCError
from web3.types import Nonce, TxParams, TxReceipt, Wei

from sequencer.witness.batch import ProvableBatch

from .rollup import MAX_SUBMISSION_GAS, Rollup, batch_submission, submission_gas

log = logging.getLogger(__name__)

MAX_BUNDLE = 128
"""The most batches ``submitBatches`` takes (the verifier's ``MAX_PROOFS``)."""

DEFAULT_MAX_BUNDLE = 16
"""Batches per L1 transaction by default: 16 keeps a transaction of the 8-slot devnet circuit
near 1.5M gas (and its gas limit, see ``submission_gas``, under 10M)."""

REPLACEMENT_BUMP_NUM = 9
REPLACEMENT_BUMP_DEN = 8
"""Fees of a replacement: more than 9/8 of the replaced one (nodes require at least +12.5 %)."""


class SubmissionReverted(Exception):
    """A batch's submission keeps reverting: an operator must look (a bad proof, a wrong timestamp...)."""

    def __init__(self, number: int, times: int) -> None:
        super().__init__(f"batch {number}: its submission reverted {times} times")
        self.number = number


class SubmissionConflict(Exception):
    """The chain verified a different batch under a number this submitter holds: two operators disagree."""

    def __init__(self, number: int, on_chain: int, ours: int) -> None:
        super().__init__(f"batch {number}: the chain holds public input {on_chain}, ours is {ours}")
        self.number = number
        self.on_chain = on_chain
        self.ours = ours


@dataclass(frozen=True)
class Fees:
    """EIP-1559 fees of one submission."""

    max_fee: int
    priority_fee: int

    def bumped(self) -> Fees:
        """Fees high enough to replace a transaction that paid these."""
        return Fees(
            self.max_fee * REPLACEMENT_BUMP_NUM // REPLACEMENT_BUMP_DEN + 1,
            self.priority_fee * REPLACEMENT_BUMP_NUM // REPLACEMENT_BUMP_DEN + 1,
        )

    def at_least(self, other: Fees) -> Fees:
        """Each fee the larger of the two: a replacement also pays what the chain asks now."""
        return Fees(max(self.max_fee, other.max_fee), max(self.priority_fee, other.priority_fee))


@dataclass
class Sent:
    """The submission in flight: its first and last batch, nonce, fees, hash and when it was (last) sent."""

    number: int
    last: int
    nonce: int
    fees: Fees
    tx_hash: HexBytes
    sent_block: int
    replacements: int = 0
    attempts: tuple[HexBytes, ...] = ()
    """Every transaction sent for these batches, the replaced ones too."""


@dataclass
class Submitter:
    """
    Sends the proven batches it is given, in order, until the chain holds them.

    ``fees`` sets the first attempt's fees (default: from the node); tests
    start below the base fee to make a transaction stuck on purpose.
    """

    rollup: Rollup
    account: LocalAccount
    stuck_blocks: int = 3
    finality_blocks: int = 2
    fees: Fees | None = None
    max_bundle: int = DEFAULT_MAX_BUNDLE
    proven: dict[int, tuple[ProvableBatch, list[int]]] = field(default_factory=dict)
    in_flight: Sent | None = None
    sent_transactions: list[HexBytes] = field(default_factory=list)
    max_reverts: int = 3
    deadline_warning_blocks: int = 100
    gas_spent: int = 0
    """Gas of every submission this submitter saw mined, reverted ones included."""
    reverts: dict[int, int] = field(default_factory=dict)
    singles_through: int = 0
    """Batches up to this number are sent alone: they were in a bundle that reverted."""

    @property
    def w3(self) -> Web3:
        """The chain."""
        return self.rollup.w3

    def add(self, number: int, batch: ProvableBatch, proof: list[int]) -> None:
        """Hand over a proven batch (in any order; they are sent in order)."""
        self.proven[number] = (batch, proof)

    def step(self) -> int:
        """
        One round: settle the submission in flight (done, reverted, stuck),
        forget what is final, send the next batch, and resend what the chain
        lost. Returns the chain's ``lastBatch``.

        Raises
        ------
        SubmissionConflict
            The chain verified another batch under one of our numbers.
        SubmissionReverted
            A batch's submission reverted ``max_reverts`` times.
        """
        head = self.w3.eth.block_number
        if self.in_flight is not None:
            self._watch(head)
        # Read the chain after the receipts: what was mined meanwhile counts.
        verified = self.rollup.last_batch()
        self._watch_deadline()
        self._check_agreement(verified)
        self._forget_final(verified, head)
        if self.in_flight is None and verified + 1 in self.proven:
            self._send(verified + 1, self._initial_fees(), nonce=None)
        return verified

    def _watch_deadline(self) -> None:
        """Warn while the oldest L1 request is close to its deadline: past it, anyone may freeze the rollup."""
        left = self.rollup.blocks_to_deadline()
        if left is not None and left <= self.deadline_warning_blocks:
            log.warning("the oldest L1 request is due in %d blocks: prove and submit its batch first", left)

    def pending(self) -> list[int]:
        """Numbers of the batches not yet final, in order."""
        return sorted(self.proven)

    def _check_agreement(self, verified: int) -> None:
        """Every batch the chain verified under a number we hold must be ours."""
        for number, (batch, _) in self.proven.items():
            if number <= verified:
                on_chain = self.rollup.batch_hash(number)
                if on_chain != batch.public_input_hash:
                    raise SubmissionConflict(number, on_chain, batch.public_input_hash)

    def _forget_final(self, verified: int, head: int) -> None:
        """Drop the batches verified at least ``finality_blocks`` deep."""
        for number in [n for n in self.proven if n <= verified]:
            if self._depth(number, head) >= self.finality_blocks:
                del self.proven[number]

    def _depth(self, number: int, head: int) -> int:
        """How many blocks deep the verification of batch ``number`` is (0 if unknown)."""
        logs = self.rollup.contract.events.BatchVerified().get_logs(
            from_block=self.rollup.deployment.block_number, argument_filters={"batchNumber": number}
        )
        if not logs:
            return 0
        return head - int(logs[-1]["blockNumber"]) + 1

    def _watch(self, head: int) -> None:
        """Follow the submission in flight: mined (verified or reverted), done by another attempt, stuck, or waiting."""
        sent = self.in_flight
        assert sent is not None
        receipt = self._receipt(sent.tx_hash)
        if receipt is not None:
            self._count_gas(sent)
            self.in_flight = None
            if receipt["status"] == 1:
                log.info("batches %d-%d verified on L1 by %s", sent.number, sent.last, sent.tx_hash.to_0x_hex())
                return
            self.reverts[sent.number] = self.reverts.get(sent.number, 0) + 1
            self.singles_through = max(self.singles_through, sent.last)
            log.warning("batch %d: %s reverted (%d times)", sent.number, sent.tx_hash.to_0x_hex(), self.reverts[sent.number])
            if self.reverts[sent.number] >= self.max_reverts:
                raise SubmissionReverted(sent.number, self.reverts[sent.number])
            return
        if self.rollup.last_batch() >= sent.number:
            # An earlier attempt (same nonce) was mined instead of the latest: look again next step.
            self._count_gas(sent)
            self.in_flight = None
            return
        if self._known(sent.tx_hash) and head - sent.sent_block < self.stuck_blocks:
            return
        # Stuck for too long, or dropped from the mempool: replace it.
        log.warning("batch %d: %s not mined after %d blocks; replacing", sent.number, sent.tx_hash.to_0x_hex(), head - sent.sent_block)
        fees = sent.fees.bumped().at_least(self._network_fees())
        self._send(sent.number, fees, nonce=sent.nonce, replacements=sent.replacements + 1)

    def _count_gas(self, sent: Sent) -> None:
        """Add the gas of whichever of the batch's transactions was mined."""
        for tx_hash in sent.attempts:
            try:
                self.gas_spent += int(self.w3.eth.get_transaction_receipt(tx_hash)["gasUsed"])
            except TransactionNotFound:
                continue

    def _receipt(self, tx_hash: HexBytes) -> TxReceipt | None:
        """The transaction's receipt, or None while it is not mined."""
        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None

    def _known(self, tx_hash: HexBytes) -> bool:
        """Whether the node still knows the transaction (mined or in its mempool)."""
        try:
            self.w3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            return False
        return True

    def _initial_fees(self) -> Fees:
        """The first attempt's fees: as configured, or what the chain asks now."""
        return self.fees if self.fees is not None else self._network_fees()

    def _network_fees(self) -> Fees:
        """Twice the latest base fee plus the node's suggested tip."""
        base_fee = int(self.w3.eth.get_block("latest").get("baseFeePerGas", 0))
        priority = int(self.w3.eth.max_priority_fee)
        return Fees(2 * base_fee + priority, priority)

    def _bundle(self, number: int) -> list[int]:
        """
        The batches to send from ``number``: the consecutive proven ones, up to
        ``max_bundle`` and under the transaction gas cap; only ``number`` if it
        was in a bundle that reverted.
        """
        limit = 1 if number <= self.singles_through else self.max_bundle
        numbers = [number]
        while len(numbers) < limit and (following := numbers[-1] + 1) in self.proven:
            batches = [self.proven[n][0] for n in (*numbers, following)]
            if submission_gas(batches) > MAX_SUBMISSION_GAS:
                break
            numbers.append(following)
        return numbers

    def _send(self, number: int, fees: Fees, nonce: int | None, replacements: int = 0) -> None:
        """
        Sign and send the batches from ``number`` on (:meth:`_bundle`): ``submitBatch``
        for one, ``submitBatches`` for several.

        Without a nonce, the account's next one on the chain (``latest``): a
        transaction of ours left in the mempool by an earlier run has that
        nonce too, and is replaced.
        """
        numbers = self._bundle(number)
        submissions = [batch_submission(n, *self.proven[n]) for n in numbers]
        if nonce is None:
            nonce = self.w3.eth.get_transaction_count(self.account.address, "latest")
        functions = self.rollup.contract.functions
        call = functions.submitBatch(*submissions[0]) if len(numbers) == 1 else functions.submitBatches(submissions)
        template: TxParams = {
            "from": self.account.address,
            "nonce": Nonce(nonce),
            "gas": submission_gas([self.proven[n][0] for n in numbers]),
            "maxFeePerGas": Wei(fees.max_fee),
            "maxPriorityFeePerGas": Wei(fees.priority_fee),
            "chainId": self.w3.eth.chain_id,
        }
        signed = self.account.sign_transaction(cast(dict[str, Any], call.build_transaction(template)))
        tx_hash = HexBytes(signed.hash)
        try:
            self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Web3RPCError as error:
            message = str(error).lower()
            if "already known" in message or "already imported" in message:
                pass  # the very same transaction is in the mempool: follow it
            elif "underpriced" in message or "replacement" in message:
                # A transaction of an earlier run holds the nonce with higher fees: outbid it.
                self._send(number, fees.bumped(), nonce, replacements + 1)
                return
            elif "nonce too low" in message:
                # The nonce was used meanwhile (our earlier transaction was mined): look again next step.
                self.in_flight = None
                return
            else:
                raise
        log.info(
            "batches %d-%d sent as %s (nonce %d, max fee %d)", number, numbers[-1], tx_hash.to_0x_hex(), nonce, fees.max_fee
        )
        self.sent_transactions.append(tx_hash)
        earlier = self.in_flight.attempts if self.in_flight is not None and self.in_flight.number == number else ()
        self.in_flight = Sent(
            number, numbers[-1], nonce, fees, tx_hash, self.w3.eth.block_number, replacements, (*earlier, tx_hash)
        )
