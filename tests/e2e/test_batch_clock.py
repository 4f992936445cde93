"""
The batch clock is bounded by L1's: a batch whose timestamp lags the block
by more than the deployment's ``maxTimestampLag`` is refused, so an order
cannot be filled in a batch submitted long after it expired by giving the
batch an old timestamp; and a newer timestamp makes the spec (and so the
circuit) refuse the expired order. On a real anvil with a real proof.
"""

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractCustomError

from prover import CircuitArtifacts, prove
from sequencer.devnet import Devnet
from sequencer.l1.anvil import AnvilNode
from sequencer.l1.reconstruct import reconstruct
from sequencer.spec.constants import Side
from sequencer.spec.errors import OrderExpired
from sequencer.witness.batch import build_batch
from tests.e2e.conftest import UNIT, USDC, WETH
from tests.e2e.traders import place

MAX_LAG = 60
"""Seconds a batch's timestamp may lag L1 in this deployment."""


@pytest.fixture(scope="module")
def devnet(anvil: AnvilNode, circuit: CircuitArtifacts) -> Devnet:
    """A rollup whose batches may lag L1 by a minute at most."""
    return Devnet.deploy(anvil.web3(), anvil.accounts()[0], circuit, max_timestamp_lag=MAX_LAG)


def test_an_expired_order_cannot_be_filled_in_a_batch_submitted_after_the_lag(
    devnet: Devnet, alice: LocalAccount, bob: LocalAccount, circuit: CircuitArtifacts
) -> None:
    rollup = devnet.rollup
    assert rollup.contract.functions.maxTimestampLag().call() == MAX_LAG
    rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
    rollup.deposit(bob, USDC, 50_000 * UNIT, devnet.l2_key(bob).public_key)
    devnet.sync_l1()
    devnet.settle()

    # Alice's order lives 30 s; it trades now, in a batch stamped now, proven at once...
    assert place(devnet, alice, 1, Side.SELL, 2000 * UNIT, UNIT, lifetime=30) == []
    assert len(place(devnet, bob, 1, Side.BUY, 2000 * UNIT, UNIT)) == 1
    proven = reconstruct(devnet.w3, rollup.contract)  # the state before the trade's batch
    batch = devnet.operator.cut_batch(devnet.now())
    assert batch is not None
    proof = prove(circuit, batch.circuit_input).solidity_calldata()
    number = rollup.last_batch() + 1

    # ...but submitted after the lag: refused, though the proof is valid.
    devnet.advance_time(MAX_LAG + 5)
    with pytest.raises(ContractCustomError) as refused:
        rollup.submit_batch(devnet.operator_account, number, batch, proof)
    assert str(refused.value.data).startswith(Web3.keccak(text="TimestampTooOld(uint256,uint256,uint256)")[:4].to_0x_hex())
    assert rollup.last_batch() == number - 1

    # A batch stamped with L1's time now cannot hold the trade: the order has expired.
    with pytest.raises(OrderExpired):
        build_batch(proven.state, batch.transactions, devnet.now(), rollup.chain_at(proven.processed), len(batch.slot_data))
