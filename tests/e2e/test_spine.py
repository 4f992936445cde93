"""
The proven spine end to end on a real anvil: deposits, a trade that fills an
order partially and a later one that fills it again, each batch proven with
Groth16 and verified by the contract, then withdrawals paid out on L1.
"""

import argparse
import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError

from sequencer.client.cli import add_subcommands
from sequencer.devnet import Devnet
from sequencer.keystore import PRIVATE_KEY_ENV
from sequencer.l1.anvil import AnvilNode
from sequencer.spec.constants import Side
from sequencer.spec.transactions import Order, SignedOrder, Withdraw, withdraw_message
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp, TokenId
from tests.contracts.helpers import custom_error
from tests.e2e.conftest import UNIT, USDC, WETH


def order(devnet: Devnet, trader: LocalAccount, order_id: int, side: Side, price: int, amount: int) -> SignedOrder:
    """A WETH/USDC order signed with the trader's L2 key, valid for an hour."""
    index = devnet.rollup.account_index(trader.address)
    assert index is not None
    unsigned = Order(
        index, OrderId(order_id), TokenId(WETH), TokenId(USDC), side, Price(price), Amount(amount), 30,
        Timestamp(devnet.now() + 3600),
    )  # fmt: skip
    return SignedOrder(unsigned, devnet.l2_key(trader).sign(unsigned.message_hash()))


def withdrawal(devnet: Devnet, trader: LocalAccount, token: int) -> Withdraw:
    """A signed withdrawal of the trader's whole balance of ``token``."""
    index = devnet.rollup.account_index(trader.address)
    assert index is not None
    account = devnet.operator.head.get_account(index)
    amount, nonce = account.balance(TokenId(token)), Nonce(account.nonce)
    signature = devnet.l2_key(trader).sign(withdraw_message(index, TokenId(token), amount, nonce))
    return Withdraw(index, TokenId(token), amount, nonce, signature)


def claim_with_the_cli(
    anvil: AnvilNode, deployment: Path, trader: LocalAccount, token: int, monkeypatch: pytest.MonkeyPatch
) -> int:
    """``matchproof claim TOKEN`` with the trader's key in the environment; returns its exit status."""
    monkeypatch.setenv(PRIVATE_KEY_ENV, trader.key.hex())
    parser = argparse.ArgumentParser()
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["claim", str(token), "--rpc", anvil.url, "--deployment", str(deployment)])
    status: int = args.run(args)
    return status


def assert_contract_follows_operator(devnet: Devnet) -> None:
    """The contract's proven root is the operator's sealed state root."""
    assert devnet.rollup.state_root() == devnet.operator.sealed.root


def test_deposit_trade_twice_withdraw(
    devnet: Devnet,
    anvil: AnvilNode,
    alice: LocalAccount,
    bob: LocalAccount,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rollup = devnet.rollup
    weth, usdc = rollup.token(WETH), rollup.token(USDC)

    # Deposits: L1 requests, consumed in order by proven batches.
    rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
    rollup.deposit(bob, USDC, 50_000 * UNIT, devnet.l2_key(bob).public_key)
    assert devnet.sync_l1() == 3  # the operator's fee account, Alice, Bob
    deposits = devnet.settle()
    assert [b.number for b in deposits] == [1, 2, 3]
    assert rollup.l1_processed() == 3
    assert_contract_follows_operator(devnet)

    # Alice sells 5 WETH at 2000; Bob buys 2 at up to 2010: a partial fill at 2000.
    assert devnet.operator.place_order("WETH-USDC", order(devnet, alice, 1, Side.SELL, 2000 * UNIT, 5 * UNIT), devnet.now()) == []
    fills = devnet.operator.place_order("WETH-USDC", order(devnet, bob, 1, Side.BUY, 2010 * UNIT, 2 * UNIT), devnet.now())
    assert [(f.base, f.quote) for f in fills] == [(2 * UNIT, 4000 * UNIT)]
    (first_trade,) = devnet.settle()
    alice_index = AccountIndex(1)
    assert devnet.operator.sealed.get_account(alice_index).order_slot(OrderId(1)) == (1, 2 * UNIT)
    assert_contract_follows_operator(devnet)

    # A later batch fills the rest of the same order.
    fills = devnet.operator.place_order("WETH-USDC", order(devnet, bob, 2, Side.BUY, 2000 * UNIT, 3 * UNIT), devnet.now())
    assert [(f.base, f.quote) for f in fills] == [(3 * UNIT, 6000 * UNIT)]
    (second_trade,) = devnet.settle()
    assert second_trade.number == first_trade.number + 1
    assert devnet.operator.sealed.get_account(alice_index).order_slot(OrderId(1)) == (1, 5 * UNIT)
    assert_contract_follows_operator(devnet)

    # Alice got 10,000 USDC minus the 10 bps maker fee; Bob 5 WETH minus 20 bps.
    alice_usdc = 10_000 * UNIT - 10_000 * UNIT * 10 // 10_000
    bob_weth = 5 * UNIT - 5 * UNIT * 20 // 10_000
    head = devnet.operator.head
    assert head.get_account(alice_index).balance(TokenId(USDC)) == alice_usdc
    assert head.get_account(AccountIndex(2)).balance(TokenId(WETH)) == bob_weth

    # Withdrawals, proven, then claimed on L1 exactly once.
    alice_before, bob_before = usdc.functions.balanceOf(alice.address).call(), weth.functions.balanceOf(bob.address).call()
    devnet.operator.withdraw(withdrawal(devnet, alice, USDC))
    devnet.operator.withdraw(withdrawal(devnet, bob, WETH))
    devnet.settle()
    assert_contract_follows_operator(devnet)
    assert rollup.claimable(alice.address, USDC) == alice_usdc
    assert rollup.claimable(bob.address, WETH) == bob_weth
    rollup.claim(bob, alice.address, USDC)  # anyone may pay a claim out to its owner
    deployment = tmp_path / "deployment.json"
    devnet.deployment.save(deployment)
    capsys.readouterr()
    assert claim_with_the_cli(anvil, deployment, bob, WETH, monkeypatch) == 0  # Bob's own, with matchproof claim
    assert json.loads(capsys.readouterr().out)["claimed"] == str(bob_weth)
    assert claim_with_the_cli(anvil, deployment, bob, WETH, monkeypatch) == 1
    assert "nothing of token" in capsys.readouterr().err
    assert usdc.functions.balanceOf(alice.address).call() == alice_before + alice_usdc
    assert weth.functions.balanceOf(bob.address).call() == bob_before + bob_weth
    assert rollup.claimable(alice.address, USDC) == 0
    with pytest.raises(ContractCustomError) as refused:
        rollup.claim(bob, alice.address, USDC)
    assert refused.value.data == custom_error(rollup.contract.abi, "NothingToClaim", alice.address, USDC)

    # What the rollup holds is exactly what its accounts hold on L2.
    for token, contract in ((WETH, weth), (USDC, usdc)):
        held = contract.functions.balanceOf(rollup.contract.address).call()
        on_l2 = sum(devnet.operator.sealed.get_account(AccountIndex(i)).balance(TokenId(token)) for i in range(3))
        assert held == on_l2

    # The contract logged every batch's public input, which its proof proved.
    for submitted in devnet.submitted:
        assert rollup.batch_hash(submitted.number) == submitted.batch.public_input_hash
        assert submitted.proof.public_signals == (submitted.batch.public_input_hash,)

