"""
Who may move the root, and what a user needs to leave, on a real anvil with
real proofs.

The operator hands batch submission to a smart account (as it would to a
multisig) and submits every batch through it, so no transaction is a direct
``submitBatch`` call. A stranger who proves the operator's next batch
itself (the proving key is public, and the batch's data is the operator's)
cannot submit it: only the submitter may. The operator then ignores a forced
withdrawal; a bystander freezes the rollup; ``matchproof reconstruct`` and
``matchproof exit`` rebuild the state from the rollup's events alone and pay
every trader its last proven balance (one of them to another address it
names, as a trader whose own address a token blacklists would).
"""

from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError

from prover import CircuitArtifacts, prove
from sequencer.devnet import Devnet
from sequencer.l1.anvil import AnvilNode
from sequencer.l1.deploy import deploy_contract
from sequencer.l1.rollup import submission_gas
from sequencer.l1.transactions import send_transaction
from sequencer.spec.constants import Side
from sequencer.spec.types import TokenId
from sequencer.witness.batch import ProvableBatch
from tests.e2e.conftest import UNIT, USDC, WETH
from tests.e2e.test_exodus import held, key_file, matchproof
from tests.e2e.traders import account_of, place

DEADLINE_BLOCKS = 10
TOKENS = (WETH, USDC)


@pytest.fixture(scope="module")
def devnet(anvil: AnvilNode, circuit: CircuitArtifacts) -> Devnet:
    """A rollup whose L1 requests are due within ten blocks."""
    return Devnet.deploy(anvil.web3(), anvil.accounts()[0], circuit, request_deadline_blocks=DEADLINE_BLOCKS)


def submit_batch_call(devnet: Devnet, number: int, batch: ProvableBatch, proof: list[int]) -> bytes:
    """The calldata of ``submitBatch`` for a proven batch."""
    call = devnet.rollup.contract.functions.submitBatch(
        number, batch.new_root, batch.timestamp, batch.l1_count, batch.public_data, proof
    )
    return bytes.fromhex(call._encode_transaction_data()[2:])


def settle_through(devnet: Devnet, account: Contract, owner: LocalAccount) -> int:
    """Cut, prove and submit every pending batch through the smart account; returns how many."""
    count = 0
    while (batch := devnet.operator.cut_batch(devnet.now())) is not None:
        proof = prove(devnet.circuit, batch.circuit_input).solidity_calldata()
        data = submit_batch_call(devnet, devnet.rollup.last_batch() + 1, batch, proof)
        execute = account.functions.execute(devnet.rollup.contract.address, data)
        gas = submission_gas([batch]) + 50_000
        send_transaction(devnet.w3, owner, execute.build_transaction({"from": owner.address}), gas=gas)
        count += 1
    return count


def test_batches_relayed_by_a_smart_account_still_let_everyone_exit(
    anvil: AnvilNode, devnet: Devnet, alice: LocalAccount, bob: LocalAccount, tmp_path: Path
) -> None:
    rollup = devnet.rollup
    operator, stranger, bystander = anvil.accounts()[0], anvil.accounts()[6], anvil.accounts()[7]
    address, _, _ = deploy_contract(devnet.w3, operator, rollup.artifacts, "SmartAccount", operator.address)
    account = devnet.w3.eth.contract(address=address, abi=rollup.artifacts.get("SmartAccount").abi)
    handover = rollup.contract.functions.setSubmitter(address)
    send_transaction(devnet.w3, operator, handover.build_transaction({"from": operator.address}))
    assert rollup.contract.functions.submitter().call() == address

    rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
    rollup.deposit(bob, USDC, 50_000 * UNIT, devnet.l2_key(bob).public_key)
    devnet.sync_l1()
    assert settle_through(devnet, account, operator) >= 3
    assert place(devnet, alice, 1, Side.SELL, 2000 * UNIT, 4 * UNIT) == []
    assert len(place(devnet, bob, 1, Side.BUY, 2000 * UNIT, UNIT)) == 1

    # A stranger proves the operator's next batch and races it: refused, whatever the proof.
    batch = devnet.operator.cut_batch(devnet.now())
    assert batch is not None
    proof = prove(devnet.circuit, batch.circuit_input).solidity_calldata()
    number = rollup.last_batch() + 1
    with pytest.raises(ContractCustomError) as refused:
        rollup.submit_batch(stranger, number, batch, proof)
    assert str(refused.value.data).startswith(Web3.keccak(text="NotSubmitter(address,address)")[:4].to_0x_hex())
    assert rollup.last_batch() == number - 1
    data = submit_batch_call(devnet, number, batch, proof)
    send_transaction(
        devnet.w3, operator, account.functions.execute(rollup.contract.address, data).build_transaction({"from": operator.address}),
        gas=submission_gas([batch]) + 50_000,
    )  # fmt: skip
    assert rollup.last_batch() == number
    final = devnet.operator.sealed
    assert rollup.state_root() == final.root

    # No batch of this rollup was a direct call to it.
    for log in rollup.contract.events.BatchVerified().get_logs(from_block=devnet.deployment.block_number):
        sent = devnet.w3.eth.get_transaction(log["transactionHash"])
        assert str(sent["to"]).lower() == address.lower()

    # Alice asks L1 for her USDC; the operator ignores it; a bystander freezes.
    assert matchproof(anvil, devnet, "force-withdraw", key_file(tmp_path, alice), "--token", str(USDC)) == 0
    devnet.mine(rollup.request_deadline(rollup.l1_processed()) - devnet.w3.eth.block_number + 1)
    assert matchproof(anvil, devnet, "freeze", key_file(tmp_path, bystander)) == 0
    assert matchproof(anvil, devnet, "reconstruct") == 0

    # Bob has his exits paid to another address of his (say his own is blacklisted by a token).
    elsewhere = anvil.accounts()[8].address
    traders = {"operator": operator, "alice": alice, "bob": bob}
    for name, trader in traders.items():
        index = account_of(devnet, trader)
        expected = {token: final.get_account(index).balance(TokenId(token)) for token in TOKENS}
        paid_to = elsewhere if name == "bob" else trader.address
        before = {token: held(devnet, paid_to, token) for token in TOKENS}
        extra = ("--to", elsewhere) if name == "bob" else ()
        assert matchproof(anvil, devnet, "exit", key_file(tmp_path, trader), *extra) == 0
        for token in TOKENS:
            assert held(devnet, paid_to, token) - before[token] == expected[token], (name, token)
    assert [held(devnet, rollup.contract.address, token) for token in TOKENS] == [0, 0]
