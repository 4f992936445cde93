"""The way out on anvil, from Python: forced requests read back as the spec's, and exits
proven with the spec's state paid by the contract.

No batch is accepted here (the verifier rejects every proof), so the proven state is
set by writing the contract's state root and consumed-request count with
``anvil_setStorageAt``: the exits are then checked against a root the spec computed.
"""

import argparse
import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractCustomError
from web3.types import RPCEndpoint

from sequencer.crypto.eddsa import PublicKey
from sequencer.crypto.poseidon import poseidon
from sequencer.keystore import KEYSTORE_PASSWORD_ENV
from sequencer.l1.compile import CompiledContracts
from sequencer.l1.deploy import OperatorKey, RollupConfig, TestTokenSpec, deploy
from sequencer.l1.anvil import AnvilNode
from sequencer.l1.exit_cli import add_subcommands
from sequencer.l1.exodus import exit_proof, freeze_if_due, leave
from sequencer.l1.reconstruct import Reconstruction, read_requests
from sequencer.l1.rollup import Rollup
from sequencer.l1.transactions import send_transaction
from sequencer.spec.constants import TreeConfig
from sequencer.spec.merkle import compute_root
from sequencer.spec.public_data import advance_chain
from sequencer.spec.state import State
from sequencer.spec.transactions import Deposit, ForcedCancelAll, ForcedWithdraw
from sequencer.spec.transition import process_deposit
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, OrderId, TokenId
from tests.contracts.conftest import CONFIG, MINT
from tests.contracts.helpers import ALICE_KEY, BOB_KEY, OPERATOR_KEY, custom_error

DEADLINE_BLOCKS = 4
TREE = TreeConfig(CONFIG.account_depth, CONFIG.balance_depth, order_depth=2)
SLOT_STATE_ROOT = 0
SLOT_L1_PROCESSED = 4
"""Storage slots of Matchproof (``forge inspect Matchproof storage``)."""


@pytest.fixture
def rollup(
    w3: Web3,
    deployer: LocalAccount,
    operator: LocalAccount,
    alice: LocalAccount,
    bob: LocalAccount,
    artifacts: CompiledContracts,
) -> Rollup:
    """A fresh rollup at genesis whose requests are due within four blocks; Alice and Bob hold its tokens."""
    deployment = deploy(
        w3,
        deployer,
        artifacts,
        config=RollupConfig(CONFIG.n_tx, TREE.account_depth, TREE.balance_depth, State.genesis(TREE).root, DEADLINE_BLOCKS),
        operator=OperatorKey(operator.address, *OPERATOR_KEY),
        test_tokens=(TestTokenSpec("Wrapped Ether", "WETH"), TestTokenSpec("USD Coin", "USDC", 6)),
        verifier_contract="RejectingVerifier",
    )
    rollup = Rollup(w3, deployment, artifacts)
    for token_id in (0, 1):
        token = rollup.token(token_id)
        for owner in (alice, bob):
            send_transaction(w3, owner, token.functions.mint(owner.address, MINT).build_transaction({"from": owner.address}))
    return rollup


def set_storage(rollup: Rollup, slot: int, value: int) -> None:
    """Write one storage word of the rollup contract (anvil only)."""
    word = "0x" + value.to_bytes(32, "big").hex()
    rollup.w3.provider.make_request(RPCEndpoint("anvil_setStorageAt"), [rollup.contract.address, hex(slot), word])


def mine(rollup: Rollup, blocks: int) -> None:
    """Mine empty blocks (anvil only)."""
    rollup.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(blocks)])


def test_forced_requests_are_read_back_as_the_spec_hashes_them(rollup: Rollup, alice: LocalAccount) -> None:
    rollup.deposit(alice, 0, 10, PublicKey(*ALICE_KEY))
    receipt = rollup.request_forced_withdrawal(alice, 1)
    rollup.request_forced_cancel_all(alice, 2**48 - 1)
    requests = rollup.l1_requests(0)
    eth_addr = EthAddress(int(alice.address, 16))
    assert [r.transaction for r in requests[2:]] == [
        ForcedWithdraw(AccountIndex(1), eth_addr, TokenId(1)),
        ForcedCancelAll(AccountIndex(1), eth_addr, OrderId(2**48 - 1)),
    ]
    assert advance_chain(FieldElement(0), [r.transaction for r in requests]) == rollup.chain_at(4)
    assert rollup.request_deadline(2) == int(receipt["blockNumber"]) + DEADLINE_BLOCKS


def test_freeze_waits_for_the_deadline(rollup: Rollup, bob: LocalAccount) -> None:
    contract = rollup.contract
    set_storage(rollup, SLOT_L1_PROCESSED, 1)  # a batch consumed the operator's creation
    rollup.deposit(bob, 0, 1, PublicKey(*BOB_KEY))
    deadline = rollup.request_deadline(1)
    assert not freeze_if_due(rollup.w3, contract, bob)
    block = rollup.w3.eth.block_number
    with pytest.raises(ContractCustomError) as refused:
        contract.functions.freeze().call({"from": bob.address})
    assert refused.value.data == custom_error(contract.abi, "DeadlineNotPassed", 1, deadline, block)
    mine(rollup, deadline - block)
    assert not freeze_if_due(rollup.w3, contract, bob)
    mine(rollup, 1)
    assert freeze_if_due(rollup.w3, contract, bob)
    assert rollup.frozen()


def test_exits_of_the_spec_state_are_paid_and_pending_deposits_refunded(
    rollup: Rollup, alice: LocalAccount, bob: LocalAccount
) -> None:
    # Proven: the operator's creation and the deposits of Alice and Bob (requests 0-2).
    rollup.deposit(alice, 0, 1000, PublicKey(*ALICE_KEY))
    rollup.deposit(bob, 1, 500, PublicKey(*BOB_KEY))
    state = State.genesis(TREE)
    for request in rollup.l1_requests(0):
        assert isinstance(request.transaction, Deposit)
        process_deposit(state, request.transaction)
    # Every field of Alice's leaf is non-trivial, so the contract hashes the spec's layout.
    alice_index = AccountIndex(1)
    state.set_order_slot(alice_index, OrderId(6), Amount(40))
    state.set_min_order_id(alice_index, OrderId(5))
    state.increment_nonce(alice_index)
    set_storage(rollup, SLOT_STATE_ROOT, state.root)
    set_storage(rollup, SLOT_L1_PROCESSED, 3)
    # Waiting: a later deposit of Alice, which is refunded, not exited.
    rollup.deposit(alice, 0, 70, PublicKey(*ALICE_KEY))
    mine(rollup, DEADLINE_BLOCKS + 1)
    rollup.freeze(bob)

    w3, contract = rollup.w3, rollup.contract
    requests = read_requests(contract, rollup.deployment.block_number, w3.eth.block_number)
    rebuilt = Reconstruction(TREE, state, None, requests, [], 3, True, w3.eth.block_number)
    weth = rollup.token(0)
    before = weth.functions.balanceOf(alice.address).call()
    departure = leave(w3, contract, alice, rebuilt)
    assert departure.exits == {TokenId(0): 1000}
    assert list(departure.refunds) == [3]
    assert weth.functions.balanceOf(alice.address).call() == before + 1070
    assert leave(w3, contract, alice, rebuilt).total(TokenId(0)) == 0  # leaving twice pays nothing

    # Bob's proof sent from Alice's address is checked as a leaf of Alice's, and fails.
    bob_leaf = state.get_account(AccountIndex(2))
    bob_proof = exit_proof(state, AccountIndex(2))
    assert bob_proof.balances == (0, 500) + (0,) * 14
    fields = (bob_leaf.ax, bob_leaf.ay, int(alice.address, 16), bob_leaf.nonce, bob_leaf.min_order_id)
    as_alice = poseidon([*fields, bob_proof.order_root, *bob_leaf.balance_words(), bob_proof.perp_hash])
    account_root = compute_root(FieldElement(as_alice), alice_index, bob_proof.account_siblings)
    root = poseidon([account_root, bob_proof.perp_commitment])
    with pytest.raises(ContractCustomError) as refused:
        contract.functions.exit(1, bob_proof.as_abi(), alice.address).call({"from": alice.address})
    assert refused.value.data == custom_error(contract.abi, "InvalidExitProof", root, state.root)
    assert leave(w3, contract, bob, rebuilt).exits == {TokenId(1): 500}
    for token_id in (0, 1):
        assert rollup.token(token_id).functions.balanceOf(contract.address).call() == 0


def keystore(directory: Path, account: LocalAccount, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The account's key in a keystore file (a weak KDF: a test), its password in the environment."""
    monkeypatch.setenv(KEYSTORE_PASSWORD_ENV, "correct horse")
    path = directory / f"{account.address}.json"
    path.write_text(json.dumps(Account.encrypt(account.key, "correct horse", iterations=2)))
    return path


def matchproof(anvil: AnvilNode, rollup: Rollup, *argv: str) -> int:
    """Run a subcommand of :mod:`sequencer.l1.exit_cli` against the rollup."""
    parser = argparse.ArgumentParser(prog="matchproof")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    command, *rest = argv
    args = parser.parse_args([command, "--rpc", anvil.url, "--rollup", rollup.contract.address, *rest])
    return int(args.run(args))


def test_commands_request_from_l1_and_refuse_to_exit_an_unfrozen_rollup(
    anvil: AnvilNode,
    rollup: Rollup,
    alice: LocalAccount,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rollup.deposit(alice, 0, 10, PublicKey(*ALICE_KEY))
    key = keystore(tmp_path, alice, monkeypatch)
    assert matchproof(anvil, rollup, "reconstruct", "--account", alice.address) == 0
    assert "2 L1 requests" in capsys.readouterr().out
    assert matchproof(anvil, rollup, "exit", "--keystore", str(key)) == 1
    assert "not frozen" in capsys.readouterr().err
    assert matchproof(anvil, rollup, "force-cancel-all", "--keystore", str(key), "--min-order-id", "7") == 0
    assert "L1 request 2 queued" in capsys.readouterr().out
    alice_address = EthAddress(int(alice.address, 16))
    assert rollup.l1_requests(2)[0].transaction == ForcedCancelAll(AccountIndex(1), alice_address, OrderId(7))
    assert matchproof(anvil, rollup, "force-withdraw", "--keystore", str(key), "--token", "5") == 1
    assert "the request was refused" in capsys.readouterr().err


def test_reconstruct_command_refuses_a_state_that_does_not_rebuild(
    anvil: AnvilNode, rollup: Rollup, capsys: pytest.CaptureFixture[str]
) -> None:
    set_storage(rollup, SLOT_STATE_ROOT, 12345)
    assert matchproof(anvil, rollup, "reconstruct") == 1
    assert "not the contract's last proven state" in capsys.readouterr().err


def test_the_submitter_claims_the_request_fees_and_nobody_else_does(
    anvil: AnvilNode,
    rollup: Rollup,
    operator: LocalAccount,
    alice: LocalAccount,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``matchproof claim-fees``: the fees of Alice's registering deposit and forced request go where the submitter says."""
    rollup.deposit(alice, 0, 10, PublicKey(*ALICE_KEY))
    rollup.request_forced_withdrawal(alice, 0)
    paid = rollup.request_fee(registers=True) + rollup.request_fee()
    alice_key, operator_key = keystore(tmp_path, alice, monkeypatch), keystore(tmp_path, operator, monkeypatch)
    treasury = "0x" + "7e" * 20
    assert matchproof(anvil, rollup, "claim-fees", "--keystore", str(alice_key), "--to", treasury) == 1
    assert "NotSubmitter" in capsys.readouterr().err
    assert matchproof(anvil, rollup, "claim-fees", "--keystore", str(operator_key), "--to", treasury) == 0
    assert f"{paid} wei of request fees paid" in capsys.readouterr().out
    assert rollup.w3.eth.get_balance(Web3.to_checksum_address(treasury)) == paid
    assert matchproof(anvil, rollup, "claim-fees", "--keystore", str(operator_key), "--to", treasury) == 1
    assert "NoFees" in capsys.readouterr().err
