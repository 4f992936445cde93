"""
The L1 submitter on a real anvil, with real proofs: a stuck submission is
replaced rather than doubled, a reorg that drops a verified batch leads to
its resubmission, a submitter restarted between sending and
confirmation neither skips nor doubles a batch, consecutive proven batches
go in one transaction, and a bundle that reverts is retried batch by batch.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from web3.logs import DISCARD

from prover import CircuitArtifacts, prove
from sequencer.devnet import Devnet
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.l1.rollup import Submission
from sequencer.l1.submitter import Fees, SubmissionReverted, Submitter
from tests.e2e.conftest import UNIT, WETH

Proven = list[Submission]


@pytest.fixture
def node() -> Iterator[AnvilNode]:
    """An anvil of this test's own."""
    with start_anvil() as anvil:
        yield anvil


@pytest.fixture
def chain(node: AnvilNode, circuit: CircuitArtifacts) -> tuple[Devnet, Proven]:
    """A fresh rollup with its first batch (the fee account's creation) proven, not submitted."""
    devnet = Devnet.deploy(node.web3(), node.accounts()[0], circuit)
    devnet.sync_l1()
    batch = devnet.operator.cut_batch(devnet.now())
    assert batch is not None
    return devnet, [(1, batch, prove(circuit, batch.circuit_input).solidity_calldata())]


def rpc(devnet: Devnet, method: str, *params: Any) -> Any:
    """A raw anvil JSON-RPC call."""
    return devnet.w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]


def verifications(devnet: Devnet, number: int) -> int:
    """How many times the chain's history verified batch ``number``."""
    events = devnet.rollup.contract.events.BatchVerified().get_logs(
        from_block=devnet.deployment.block_number, argument_filters={"batchNumber": number}
    )
    return len(events)


def mined(devnet: Devnet, submitter: Submitter) -> list[str]:
    """The submitter's transactions that the chain holds."""
    found = []
    for tx_hash in submitter.sent_transactions:
        try:
            devnet.w3.eth.get_transaction_receipt(tx_hash)
        except Exception:
            continue
        found.append(tx_hash.to_0x_hex())
    return found


def test_stuck_submission_is_replaced_not_duplicated(chain: tuple[Devnet, Proven]) -> None:
    devnet, proven = chain
    # Offer twice the current base fee, then make blocks ten times dearer: the
    # transaction sits in the mempool while blocks are mined without it.
    base_fee = int(devnet.w3.eth.get_block("latest")["baseFeePerGas"])
    rpc(devnet, "evm_setAutomine", False)
    submitter = Submitter(devnet.rollup, devnet.operator_account, stuck_blocks=2, fees=Fees(2 * base_fee, 0))
    submitter.add(*proven[0])
    assert submitter.step() == 0
    rpc(devnet, "anvil_setNextBlockBaseFeePerGas", hex(10 * base_fee))
    rpc(devnet, "anvil_mine", 2)
    assert len(mined(devnet, submitter)) == 0
    assert devnet.rollup.last_batch() == 0
    submitter.step()  # stuck for 2 blocks: replaced with the chain's fees
    rpc(devnet, "evm_mine")
    assert submitter.step() == 1
    assert len(submitter.sent_transactions) == 2
    assert len(mined(devnet, submitter)) == 1
    assert verifications(devnet, 1) == 1


def test_reorg_dropping_a_verified_batch_leads_to_resubmission(chain: tuple[Devnet, Proven]) -> None:
    devnet, proven = chain
    submitter = Submitter(devnet.rollup, devnet.operator_account, finality_blocks=3)
    submitter.add(*proven[0])
    before = rpc(devnet, "evm_snapshot")
    submitter.step()
    assert submitter.step() == 1
    assert submitter.pending() == [1]  # verified, but not yet final
    rpc(devnet, "evm_revert", before)  # the blocks that verified it are gone
    assert devnet.rollup.last_batch() == 0
    submitter.step()  # sees the chain without it: sends it again
    assert devnet.rollup.last_batch() == 1
    rpc(devnet, "anvil_mine", 3)
    submitter.step()
    assert submitter.pending() == []
    assert len(submitter.sent_transactions) == 2


def test_restart_between_sending_and_confirmation(chain: tuple[Devnet, Proven]) -> None:
    devnet, proven = chain
    rpc(devnet, "evm_setAutomine", False)
    first = Submitter(devnet.rollup, devnet.operator_account)
    first.add(*proven[0])
    first.step()  # sent, not mined
    nonce = devnet.w3.eth.get_transaction_count(devnet.operator_account.address)

    restarted = Submitter(devnet.rollup, devnet.operator_account)
    restarted.add(*proven[0])  # the operator hands its proven batches over again
    restarted.step()  # same nonce: the pending transaction, or its replacement
    rpc(devnet, "evm_mine")
    assert restarted.step() == 1
    assert verifications(devnet, 1) == 1
    assert devnet.w3.eth.get_transaction_count(devnet.operator_account.address) == nonce + 1

    # Restarted again after confirmation: nothing is sent.
    again = Submitter(devnet.rollup, devnet.operator_account, finality_blocks=1)
    again.add(*proven[0])
    assert again.step() == 1
    assert again.sent_transactions == []
    assert again.pending() == []


def proven_batches(devnet: Devnet, circuit: CircuitArtifacts, alice_deposits: int) -> Proven:
    """The first batch and one more per deposit of Alice (slots of the test circuit: one each), proven, none submitted."""
    alice = devnet.w3.eth.account.create()
    funder = devnet.operator_account
    devnet.w3.eth.send_transaction({"from": funder.address, "to": alice.address, "value": UNIT})
    devnet.mint(WETH, alice.address, alice_deposits * UNIT)
    for _ in range(alice_deposits):
        devnet.rollup.deposit(alice, WETH, UNIT, devnet.l2_key(alice).public_key)
    devnet.sync_l1()
    proven: Proven = []
    while (batch := devnet.operator.cut_batch(devnet.now())) is not None:
        proven.append((len(proven) + 1, batch, prove(circuit, batch.circuit_input).solidity_calldata()))
    return proven


def test_consecutive_proven_batches_go_in_one_transaction(node: AnvilNode, circuit: CircuitArtifacts) -> None:
    fresh = Devnet.deploy(node.web3(), node.accounts()[0], circuit)
    proven = proven_batches(fresh, circuit, 3)
    submitter = Submitter(fresh.rollup, fresh.operator_account, max_bundle=3)
    for number, batch, proof in reversed(proven):  # handed over in any order
        submitter.add(number, batch, proof)
    assert submitter.step() == 0  # batches 1-3 sent in one transaction
    assert submitter.step() == 3
    assert submitter.step() == 4  # the fourth, alone
    assert len(submitter.sent_transactions) == 2
    receipts = [fresh.w3.eth.get_transaction_receipt(tx) for tx in submitter.sent_transactions]
    first = fresh.rollup.contract.events.BatchVerified().process_receipt(receipts[0], errors=DISCARD)
    assert [int(event["args"]["batchNumber"]) for event in first] == [1, 2, 3]
    assert fresh.rollup.state_root() == proven[-1][1].new_root


def test_a_reverting_bundle_is_retried_batch_by_batch(node: AnvilNode, circuit: CircuitArtifacts) -> None:
    """A bad proof in the middle of a bundle holds back none of the batches before it, and is named."""
    fresh = Devnet.deploy(node.web3(), node.accounts()[0], circuit)
    proven = proven_batches(fresh, circuit, 2)
    number, batch, proof = proven[1]
    proven[1] = (number, batch, [proof[0] + 1, *proof[1:]])
    submitter = Submitter(fresh.rollup, fresh.operator_account)
    for submission in proven:
        submitter.add(*submission)
    with pytest.raises(SubmissionReverted) as refused:
        for _ in range(10):
            submitter.step()
    assert refused.value.number == 2
    assert fresh.rollup.last_batch() == 1
