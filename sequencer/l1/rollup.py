"""
The rollup contract as the operator and traders use it from Python: deposits
and forced requests, the L1 request queue read back as spec transactions,
batch submission, claims and freezing. (Exits and refunds, which need the
state rebuilt from L1, are in :mod:`sequencer.l1.exodus`.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import EventData, TxReceipt, Wei

from sequencer.crypto.eddsa import PublicKey
from sequencer.spec.constants import TxType
from sequencer.spec.transactions import Deposit, ForcedCancelAll, ForcedWithdraw, L1Transaction
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, OrderId, TokenId
from sequencer.witness.batch import ProvableBatch

from .compile import CompiledContracts
from .deploy import Deployment, rollup_contract, token_contract
from .transactions import send_transaction

SUBMIT_GAS_BASE = 1_000_000
SUBMIT_GAS_PER_BATCH = 150_000
SUBMIT_GAS_PER_SLOT = 40_000
"""Explicit gas for ``submitBatch`` and ``submitBatches``: the verifier's pairing check must
never run short (an estimate can be fooled by a verifier that returns false when out of gas).
A batch costs ~65k in a bundle (a pair, two scalar multiplications, its header and event) and
a slot at most ~30k (a withdrawal credited to a new claim); the base covers the transaction
and the pairing check's fixed part with room to spare."""

MAX_SUBMISSION_GAS = 2**24
"""The most gas one transaction may use (EIP-7825, from the osaka fork): bundles stay under it."""

Submission = tuple[int, ProvableBatch, list[int]]
"""A proven batch ready for L1: its number, the batch and its proof's calldata (8 words)."""


def submission_gas(batches: Sequence[ProvableBatch]) -> int:
    """The gas limit to send with a submission of ``batches`` in one transaction."""
    return SUBMIT_GAS_BASE + sum(
        SUBMIT_GAS_PER_BATCH + SUBMIT_GAS_PER_SLOT * (len(batch.slot_data) + len(batch.perp_slot_data)) for batch in batches
    )


def batch_submission(number: int, batch: ProvableBatch, proof: list[int]) -> tuple[Any, ...]:
    """One element of ``submitBatches``'s argument (the contract's ``BatchSubmission``)."""
    return (number, batch.new_root, batch.timestamp, batch.l1_count, batch.public_data, proof)


@dataclass(frozen=True)
class L1Request:
    """A queued L1 request, as its event reports it, with its position in the queue."""

    index: int
    transaction: L1Transaction
    chain: FieldElement


@dataclass(frozen=True)
class BatchVerification:
    """A batch as L1 verified it: its public input, the transaction that did and the gas it used (all its batches')."""

    public_input_hash: int
    transaction: str
    gas_used: int


def request_from_event(args: Mapping[str, Any]) -> L1Request:
    """
    The request an ``L1RequestQueued`` event reports, as a spec transaction.

    Raises ``ValueError`` for a request type the spec does not know.
    """
    index, tx_type = int(args["requestIndex"]), int(args["txType"])
    account = AccountIndex(int(args["accountIndex"]))
    eth_addr = EthAddress(int(args["ethAddr"], 16))
    transaction: L1Transaction
    if tx_type == TxType.DEPOSIT:
        transaction = Deposit(
            account,
            eth_addr,
            FieldElement(int(args["ax"])),
            FieldElement(int(args["ay"])),
            TokenId(int(args["tokenId"])),
            Amount(int(args["amount"])),
        )
    elif tx_type == TxType.FORCED_WITHDRAW:
        transaction = ForcedWithdraw(account, eth_addr, TokenId(int(args["tokenId"])))
    elif tx_type == TxType.FORCED_CANCEL_ALL:
        transaction = ForcedCancelAll(account, eth_addr, OrderId(int(args["amount"])))
    else:
        raise ValueError(f"request {index} has unknown type {tx_type}")
    return L1Request(index, transaction, FieldElement(int(args["chain"])))


class Rollup:
    """One deployed rollup, on one chain."""

    def __init__(self, w3: Web3, deployment: Deployment, artifacts: CompiledContracts) -> None:
        """Bind to the deployment's rollup contract."""
        self.w3 = w3
        self.deployment = deployment
        self.artifacts = artifacts
        self.contract: Contract = rollup_contract(w3, deployment, artifacts)

    def token(self, token_id: int) -> Contract:
        """The ERC-20 contract of a rollup token id."""
        return token_contract(self.w3, self.deployment.tokens[token_id], self.artifacts)

    def deposit(self, trader: LocalAccount, token_id: int, amount: int, key: PublicKey) -> TxReceipt:
        """Approve and deposit ``amount`` of a token; ``key`` registers the account on its first deposit."""
        send_transaction(
            self.w3,
            trader,
            self.token(token_id).functions.approve(self.contract.address, amount).build_transaction(
                {"from": trader.address}
            ),
        )
        registered, _ = self.contract.functions.accountOf(trader.address).call()
        ax, ay = (0, 0) if registered else (key.ax, key.ay)
        call = self.contract.functions.deposit(token_id, amount, ax, ay)
        fee = self.request_fee(registers=not registered)
        return send_transaction(self.w3, trader, call.build_transaction({"from": trader.address, "value": Wei(fee)}))

    def request_fee(self, registers: bool = False) -> int:
        """
        The wei an L1 request pays (``requestFee()``), with ``registrationFee()`` on top for the
        deposit that registers an account.
        """
        fee = int(self.contract.functions.requestFee().call())
        return fee + int(self.contract.functions.registrationFee().call()) if registers else fee

    def account_index(self, owner: str) -> AccountIndex | None:
        """The rollup account of an L1 address, or None if it never deposited."""
        registered, index = self.contract.functions.accountOf(Web3.to_checksum_address(owner)).call()
        return AccountIndex(index) if registered else None

    def l1_requests(self, start: int, to_block: int | None = None) -> list[L1Request]:
        """Every request queued from index ``start`` on (up to block ``to_block``, if given), in queue order, as spec transactions."""
        count = int(self.contract.functions.l1RequestCount().call())
        if start >= count or (to_block is not None and to_block < self.deployment.block_number):
            return []
        logs = self.contract.events.L1RequestQueued().get_logs(
            from_block=self.deployment.block_number, to_block="latest" if to_block is None else to_block
        )
        requests = [request_from_event(log["args"]) for log in logs]
        return sorted((r for r in requests if r.index >= start), key=lambda request: request.index)

    def chain_at(self, index: int) -> FieldElement:
        """The L1 request chain after the first ``index`` requests."""
        return FieldElement(int(self.contract.functions.l1Chain(index).call()))

    def state_root(self) -> FieldElement:
        """The last proven state root."""
        return FieldElement(int(self.contract.functions.stateRoot().call()))

    def last_batch(self) -> int:
        """The number of the last verified batch (0 before the first)."""
        return int(self.contract.functions.lastBatch().call())

    def batch_hash(self, number: int) -> int:
        """The public input hash the contract verified for batch ``number`` (0 if none), from its
        ``BatchVerified`` event on the canonical chain (the contract stores only the last root)."""
        event = self._verified_event(number)
        return 0 if event is None else int(event["args"]["publicInputHash"])

    def batch_verification(self, number: int) -> BatchVerification | None:
        """
        How the contract verified batch ``number``, from its ``BatchVerified``
        event on the canonical chain and its transaction's receipt; None if it did not.
        """
        event = self._verified_event(number)
        if event is None:
            return None
        transaction = event["transactionHash"]
        gas = int(self.w3.eth.get_transaction_receipt(transaction)["gasUsed"])
        return BatchVerification(int(event["args"]["publicInputHash"]), transaction.to_0x_hex(), gas)

    def _verified_event(self, number: int) -> EventData | None:
        """The last ``BatchVerified`` event of batch ``number`` on the canonical chain, if any."""
        events = self.contract.events.BatchVerified().get_logs(
            from_block=self.deployment.block_number, argument_filters={"batchNumber": number}
        )
        return events[-1] if events else None

    def l1_processed(self) -> int:
        """How many L1 requests verified batches have consumed."""
        return int(self.contract.functions.l1Processed().call())

    def submit_batch(
        self, sender: LocalAccount, number: int, batch: ProvableBatch, proof: list[int]
    ) -> TxReceipt:
        """Submit a proven batch with explicit gas; raises ``TransactionFailed`` if it reverts."""
        call = self.contract.functions.submitBatch(*batch_submission(number, batch, proof))
        gas = submission_gas([batch])
        return send_transaction(self.w3, sender, call.build_transaction({"from": sender.address}), gas=gas)

    def submit_batches(self, sender: LocalAccount, submissions: Sequence[Submission]) -> TxReceipt:
        """Submit consecutive proven batches in one transaction (``submitBatches``: their proofs
        are verified together); raises ``TransactionFailed`` if it reverts."""
        call = self.contract.functions.submitBatches([batch_submission(*submission) for submission in submissions])
        gas = submission_gas([batch for _, batch, _ in submissions])
        return send_transaction(self.w3, sender, call.build_transaction({"from": sender.address}), gas=gas)

    def request_forced_withdrawal(self, trader: LocalAccount, token_id: int) -> TxReceipt:
        """Queue a forced withdrawal of the trader's whole balance of a token (paying the request fee)."""
        call = self.contract.functions.requestForcedWithdrawal(token_id)
        return send_transaction(self.w3, trader, call.build_transaction({"from": trader.address, "value": Wei(self.request_fee())}))

    def request_forced_cancel_all(self, trader: LocalAccount, min_order_id: int) -> TxReceipt:
        """Queue a forced cancel-all of the trader's orders below ``min_order_id`` (paying the request fee)."""
        call = self.contract.functions.requestForcedCancelAll(min_order_id)
        return send_transaction(self.w3, trader, call.build_transaction({"from": trader.address, "value": Wei(self.request_fee())}))

    def l1_request_count(self) -> int:
        """How many L1 requests were ever queued."""
        return int(self.contract.functions.l1RequestCount().call())

    def pending_requests(self) -> int:
        """How many queued L1 requests no verified batch has consumed yet."""
        return self.l1_request_count() - self.l1_processed()

    def blocks_to_deadline(self) -> int | None:
        """Blocks left before the oldest unconsumed L1 request is overdue (negative once it is; None if none waits)."""
        if self.pending_requests() == 0:
            return None
        return self.request_deadline(self.l1_processed()) - self.w3.eth.block_number

    def request_deadline(self, index: int) -> int:
        """The last block in which a batch may still consume L1 request ``index``."""
        return int(self.contract.functions.l1RequestDeadline(index).call())

    def freeze(self, sender: LocalAccount) -> TxReceipt:
        """Freeze the rollup (anyone may, once the oldest waiting request is past its deadline)."""
        call = self.contract.functions.freeze()
        return send_transaction(self.w3, sender, call.build_transaction({"from": sender.address}))

    def frozen(self) -> bool:
        """Whether the rollup is frozen."""
        return bool(self.contract.functions.frozen().call())

    def mint_test_token(self, sender: LocalAccount, token_id: int, to: str, amount: int) -> TxReceipt:
        """Mint a development token (``TestToken``: anyone may mint; a real ERC-20 refuses)."""
        call = self.token(token_id).functions.mint(Web3.to_checksum_address(to), amount)
        return send_transaction(self.w3, sender, call.build_transaction({"from": sender.address}))

    def claimable(self, owner: str, token_id: int) -> int:
        """What ``owner`` may claim of a token."""
        return int(self.contract.functions.claimable(Web3.to_checksum_address(owner), token_id).call())

    def claim(self, sender: LocalAccount, owner: str, token_id: int) -> TxReceipt:
        """Pay ``owner`` its claimable amount of a token (anyone may send this)."""
        call = self.contract.functions.claim(Web3.to_checksum_address(owner), token_id)
        return send_transaction(self.w3, sender, call.build_transaction({"from": sender.address}))
