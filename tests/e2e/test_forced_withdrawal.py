"""
The happy path of the forced requests on a real anvil with real proofs: a
trader with an order resting on the book cancels her orders and withdraws
her whole balance from L1; the operator serves both in time, the withdrawal
is paid, and the rollup cannot be frozen since no request is overdue.
"""

import pytest
from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError

from prover import CircuitArtifacts
from sequencer.devnet import Devnet
from sequencer.l1.anvil import AnvilNode
from sequencer.l1.reconstruct import reconstruct
from sequencer.spec.constants import Side
from sequencer.spec.types import TokenId
from tests.contracts.helpers import custom_error
from tests.e2e.conftest import UNIT, USDC, WETH
from tests.e2e.traders import account_of, place

DEADLINE_BLOCKS = 12
"""Blocks the operator has to serve an L1 request: a few batches' worth."""


@pytest.fixture(scope="module")
def devnet(anvil: AnvilNode, circuit: CircuitArtifacts) -> Devnet:
    """A rollup whose L1 requests are due within a dozen blocks."""
    return Devnet.deploy(anvil.web3(), anvil.accounts()[0], circuit, request_deadline_blocks=DEADLINE_BLOCKS)


def test_forced_requests_served_in_time(devnet: Devnet, alice: LocalAccount, bob: LocalAccount) -> None:
    rollup = devnet.rollup
    rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
    rollup.deposit(bob, USDC, 50_000 * UNIT, devnet.l2_key(bob).public_key)
    devnet.sync_l1()
    devnet.settle()

    # Alice sells 5 WETH at 2000; Bob takes 2. The other 3 rest on the book.
    assert place(devnet, alice, 1, Side.SELL, 2000 * UNIT, 5 * UNIT) == []
    assert len(place(devnet, bob, 1, Side.BUY, 2000 * UNIT, 2 * UNIT)) == 1
    devnet.settle()
    alice_index = account_of(devnet, alice)
    weth_left = devnet.operator.sealed.get_account(alice_index).balance(TokenId(WETH))
    assert weth_left == 8 * UNIT

    # From L1: cancel every order below 100, then withdraw all her WETH. No signature.
    rollup.request_forced_cancel_all(alice, 100)
    receipt = rollup.request_forced_withdrawal(alice, WETH)
    assert devnet.sync_l1() == 2
    submitted = devnet.settle()
    assert int(submitted[-1].receipt["blockNumber"]) <= rollup.request_deadline(rollup.l1_processed() - 1)
    assert int(receipt["blockNumber"]) + DEADLINE_BLOCKS == rollup.request_deadline(rollup.l1_processed() - 1)

    # Proven: her WETH is claimable, her balance is zero, her resting order can no longer trade.
    account = devnet.operator.sealed.get_account(alice_index)
    assert account.balance(TokenId(WETH)) == 0
    assert account.min_order_id == 100
    assert rollup.claimable(alice.address, WETH) == weth_left
    assert place(devnet, bob, 2, Side.BUY, 2000 * UNIT, UNIT) == []
    before = rollup.token(WETH).functions.balanceOf(alice.address).call()
    rollup.claim(alice, alice.address, WETH)
    assert rollup.token(WETH).functions.balanceOf(alice.address).call() == before + weth_left

    # Every request was served: the rollup cannot be frozen, now or later.
    for wait in (0, DEADLINE_BLOCKS + 1):
        devnet.mine(wait)
        with pytest.raises(ContractCustomError) as refused:
            rollup.contract.functions.freeze().call({"from": bob.address})
        assert refused.value.data == custom_error(rollup.contract.abi, "NothingToFreeze")
    assert not rollup.frozen()

    # And the state rebuilt from L1 alone is the proven one, each batch replayed in turn.
    replayed: list[tuple[int, int]] = []
    rebuilt = reconstruct(devnet.w3, rollup.contract, replayed=lambda done, total: replayed.append((done, total)))
    assert rebuilt.root == devnet.operator.sealed.root == rollup.state_root()
    batches = rollup.last_batch()
    assert replayed == [(number, batches) for number in range(1, batches + 1)]
