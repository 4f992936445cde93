"""
A batch the running sequencer did not send, verified by L1: the service
notices and halts cleanly instead of reporting batches it never sent.

The sequencer runs against a real anvil with its proving queue and L1
submitter; a prover in this test proves its first batch, then stops. While
the sequencer's next batch waits for a prover, a second party holding the
submitter's key (a second instance of the operator) proves and submits a
different, valid batch under the same number. The sequencer must not call
its own batch verified: it halts (``/v1/status`` says why), refuses writes
with 503 ``SEQUENCER_STOPPED`` and keeps answering reads.
"""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts, prove, verify_proof
from sequencer.client.http import ApiError, SequencerClient
from sequencer.client.trader import Trader, next_order_id
from sequencer.devnet import Devnet, devnet_market, tree_config
from sequencer.l1.anvil import AnvilNode
from sequencer.l1.reconstruct import reconstruct
from sequencer.l1.submitter import Submitter
from sequencer.proving_queue import ProvingQueue
from sequencer.service.config import ServiceConfig
from sequencer.service.core import SequencerService
from sequencer.service.l1 import ChainRequests
from sequencer.service.server import BackgroundServer
from sequencer.settlement import Settlement
from sequencer.spec.constants import Side
from sequencer.witness.batch import build_batch
from tests.e2e.conftest import UNIT, WETH
from tests.service.harness import wait_for


class InProcessProver:
    """A prover worker on the queue itself, in a thread, until stopped."""

    def __init__(self, queue: ProvingQueue, circuit: CircuitArtifacts) -> None:
        self._queue, self._circuit = queue, circuit
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            leased = self._queue.lease("in-process")
            if leased is None:
                self._stop.wait(0.1)
                continue
            job, lease = leased
            self._queue.complete(job.number, lease.lease_id, prove(self._circuit, job.batch.circuit_input), "in-process")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def running(
    anvil: AnvilNode, devnet: Devnet, circuit: CircuitArtifacts, tmp_path: Path
) -> Iterator[tuple[SequencerService, SequencerClient, InProcessProver]]:
    """The sequencer service on the devnet's rollup, its settlement and a prover running."""
    rollup, operator = devnet.rollup, devnet.operator_account
    queue = ProvingQueue(check=lambda proof: verify_proof(circuit, proof), lease_seconds=30)
    settlement = Settlement(queue, Submitter(rollup, operator, finality_blocks=1), handed_over=rollup.last_batch())
    config = ServiceConfig(
        tmp_path / "data", tree_config(circuit), devnet.operator.slots, (devnet_market(),),
        chain_id=devnet.deployment.chain_id, rollup=devnet.deployment.rollup,
        max_batch_wait_s=1, poll_interval_s=0.1, token_count=len(devnet.deployment.tokens),
    )  # fmt: skip
    service = SequencerService(config, operator, l1=ChainRequests(rollup), settlement=settlement)
    prover = InProcessProver(queue, circuit)
    try:
        with BackgroundServer(service) as server, SequencerClient(server.url) as client:
            yield service, client, prover
    finally:
        prover.stop()


def test_a_foreign_batch_on_l1_halts_the_sequencer_cleanly(
    running: tuple[SequencerService, SequencerClient, InProcessProver],
    devnet: Devnet,
    alice: LocalAccount,
    circuit: CircuitArtifacts,
) -> None:
    service, client, prover = running
    rollup = devnet.rollup
    wait_for(lambda: rollup.last_batch() >= 1 and client.batch(1).status == "verified", timeout_s=120)
    prover.stop()

    # Alice deposits: the sequencer seals a batch with it, which nobody proves for now.
    rollup.deposit(alice, WETH, 2 * UNIT, devnet.l2_key(alice).public_key)
    wait_for(lambda: client.status().sealed_batches >= 2, timeout_s=60)
    ours = client.batch(2)
    assert ours.status in ("sealed", "proving")

    # A second party with the submitter's key proves an empty batch 2 from L1's state and submits it.
    proven = reconstruct(devnet.w3, rollup.contract)
    foreign = build_batch(
        proven.state, (), devnet.now(), rollup.chain_at(proven.processed), devnet.operator.slots
    )
    proof = prove(circuit, foreign.circuit_input).solidity_calldata()
    rollup.submit_batch(devnet.operator_account, 2, foreign, proof)
    assert rollup.last_batch() == 2

    wait_for(lambda: client.status().halted is not None, timeout_s=60)
    status = client.status()
    assert status.halted is not None and "batch 2" in status.halted
    assert client.batch(2).status != "verified"  # never reported as sent
    assert service.halted is not None and service.halted.number == 2

    # Writes are refused with a clear code; reads still work.
    info = client.info()
    seller = Trader.from_eth_account(alice, info, client.account_by_address(alice.address).account_index)
    market = client.market(devnet_market().name)
    order_id = next_order_id(client.account(seller.account_index))
    with pytest.raises(ApiError) as refused:
        client.place_order(seller.order(market, order_id, Side.SELL, 2000 * UNIT, UNIT, 50, 2**40))
    assert (refused.value.status, refused.value.code) == (503, "SEQUENCER_STOPPED")
    assert client.book(market.name).bids == []
