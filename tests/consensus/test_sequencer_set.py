"""
A sequencer set of four real CometBFT nodes on loopback, each running
``matchproof node start`` (its sequencer application and its CometBFT), over
a rollup deployed on a real anvil.

The rollup's submitter is the set's contract, listing the four nodes'
member keys. Deposits made on L1 reach every node through the block
proposers (each other node checks them against its own reading of L1);
orders sent to different nodes are committed in one order and matched
identically by every node; every node signs every batch, and the two
proving nodes send each batch to L1 once three of four signed it, where
it is verified. A node killed (a prover) leaves the other three (more than
two thirds) going on, their batches still verified; restarted, it replays
its blocks, catches up from its peers and reaches the same state.
"""

import base64
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts
from sequencer.client.http import place_order_body
from sequencer.consensus.app import TxCode, decode_tx, encode_tx
from sequencer.consensus.cometbft import NodeHome
from sequencer.consensus.signatures import load_member_key
from sequencer.devnet import Devnet, devnet_market
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.l1.sequencer_set import sequencer_set_of
from sequencer.local_system import markets_document
from sequencer.service.commands import PlaceOrder
from sequencer.spec.constants import Side
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId
from tests.e2e.conftest import UNIT, USDC, WETH
from tests.e2e.test_sequencer_with_provers import free_port, matchproof, wait_for

pytestmark = pytest.mark.slow

NODES = 4
PROVERS = (2, 3)
"""The nodes that prove and send batches; node 3 is the one killed."""
MARKET = devnet_market()
LOT = 10**15
"""0.001 WETH; prices are in ticks of 0.001 USDC."""


@pytest.fixture
def node() -> Iterator[AnvilNode]:
    with start_anvil() as anvil:
        yield anvil


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> None:
    """Stop a node (its application and its CometBFT)."""
    if process.poll() is None:
        os.killpg(process.pid, signum)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def query(home: NodeHome, path: str) -> Any:
    """A node's ``abci_query`` answer, as JSON."""
    answer = httpx.get(f"{home.rpc_url}/abci_query", params={"path": json.dumps(path)}, timeout=10).json()
    response = answer["result"]["response"]
    assert response.get("code", 0) == 0, response
    return json.loads(base64.b64decode(response["value"]))


def status(home: NodeHome) -> dict[str, Any] | None:
    """A node's committed status; None while it does not answer."""
    try:
        return dict(query(home, "status"))
    except (httpx.HTTPError, KeyError, ValueError):
        return None


def send(home: NodeHome, tx: bytes) -> dict[str, Any]:
    """Send a transaction to a node and wait for its block: ``broadcast_tx_commit``'s answer."""
    payload = {"jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_commit", "params": {"tx": base64.b64encode(tx).decode()}}
    return dict(httpx.post(home.rpc_url, json=payload, timeout=30).json()["result"])


def commit(home: NodeHome, tx: bytes) -> dict[str, Any]:
    """Send a transaction the mempool takes, and wait for its block: its height and its result there."""
    result = send(home, tx)
    assert result["check_tx"]["code"] == 0, result
    return {"height": int(result["height"]), **result["tx_result"]}


def place(
    devnet: Devnet, trader: LocalAccount, order_id: int, side: Side, price: int, lots: int, signer: LocalAccount | None = None
) -> bytes:
    """A WETH/USDC limit order of ``trader``, signed with its key (or ``signer``'s), as a transaction."""
    index = devnet.rollup.account_index(trader.address)
    assert index is not None
    order = Order(
        AccountIndex(index), OrderId(order_id), TokenId(WETH), TokenId(USDC), side, Price(price * 10**15),
        Amount(lots * LOT), 30, Timestamp(int(time.time()) + 3600),
    )  # fmt: skip
    return encode_tx(PlaceOrder(MARKET.name, SignedOrder(order, devnet.l2_key(signer or trader).sign(order.message_hash()))))


def order_json(
    devnet: Devnet, trader: LocalAccount, order_id: int, price: int, lots: int, signer: LocalAccount | None = None
) -> dict[str, Any]:
    """A WETH/USDC limit buy of ``trader`` as a node's API takes it (the sequencer service's ``PlaceOrderIn``)."""
    command = decode_tx(place(devnet, trader, order_id, Side.BUY, price, lots, signer))
    assert isinstance(command, PlaceOrder)
    return place_order_body(command)


def agreed(homes: list[NodeHome], height: int) -> bool:
    """Whether every node answers, has committed block ``height``, and all hold the same state and book."""
    states = [status(home) for home in homes]
    if any(state is None or state["height"] < height for state in states):
        return False
    books = {json.dumps(query(home, f"book/{MARKET.name}")) for home in homes}
    return len({state["digest"] for state in states if state}) == 1 and len(books) == 1


def test_four_nodes_order_match_and_recover_alike(node: AnvilNode, circuit: CircuitArtifacts, tmp_path: Path) -> None:
    devnet = Devnet.deploy(node.web3(), node.accounts()[0], circuit)
    devnet.deployment.save(tmp_path / "deployment.json")
    (tmp_path / "markets.json").write_text(json.dumps(markets_document([MARKET])))
    alice, bob = node.accounts()[1], node.accounts()[2]
    devnet.mint(WETH, alice.address, 10 * UNIT)
    devnet.mint(USDC, bob.address, 10_000 * UNIT)
    devnet.rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
    devnet.rollup.deposit(bob, USDC, 10_000 * UNIT, devnet.l2_key(bob).public_key)

    base_port = free_port()
    init = matchproof("node", "init", "--dir", str(tmp_path / "set"), "--nodes", str(NODES), "--base-port", str(base_port), log=tmp_path / "init.log")
    assert init.wait(timeout=60) == 0, (tmp_path / "init.log").read_text()
    homes = [NodeHome.read(tmp_path / "set" / f"node{i}") for i in range(NODES)]
    members = [load_member_key(home.home) for home in homes]
    assert all(member.address in (tmp_path / "init.log").read_text() for member in members)
    operator_key = {"MATCHPROOF_OPERATOR_PRIVATE_KEY": "0x" + bytes(node.accounts()[0].key).hex()}
    deploy_set = matchproof(
        "node", "deploy-set", "--dir", str(tmp_path / "set"), "--rpc", node.url,
        "--deployment", str(tmp_path / "deployment.json"), env=operator_key, log=tmp_path / "deploy-set.log",
    )  # fmt: skip
    assert deploy_set.wait(timeout=120) == 0, (tmp_path / "deploy-set.log").read_text()
    contract = sequencer_set_of(devnet.rollup)
    assert contract is not None and set(contract.functions.members().call()) == {m.address for m in members}
    assert all(devnet.w3.eth.get_balance(member.address) == 10**18 for member in members)  # gas for their batches

    api_ports = [free_port() for _ in range(NODES)]

    def start(i: int) -> subprocess.Popen[bytes]:
        return matchproof(
            "node", "start", "--home", str(homes[i].home), "--markets", str(tmp_path / "markets.json"),
            "--circuit", circuit.config.name, "--rpc", node.url, "--deployment", str(tmp_path / "deployment.json"),
            "--max-batch-wait", "2", "--api-port", str(api_ports[i]), *(("--prove", "--stagger", "3") if i in PROVERS else ()),
            log=tmp_path / f"node{i}-{time.monotonic_ns()}.log",
        )  # fmt: skip

    def settled(live: list[NodeHome]) -> bool:
        """Whether every batch the live nodes sealed is signed by three members and verified on L1."""
        states = [status(home) for home in live]
        if any(state is None for state in states):
            return False
        sealed = max(state["sealed_batches"] for state in states if state)
        return sealed > 0 and devnet.rollup.last_batch() == sealed

    nodes = [start(i) for i in range(NODES)]
    try:
        # The operator's registration and both deposits, proposed from L1 and checked by every node.
        wait_for(lambda: all((s := status(h)) is not None and s["l1_seen"] == 3 for h in homes), 180, "the L1 requests")

        # Orders sent to different nodes: every node commits them in one order and matches them alike.
        sent = [
            commit(homes[0], place(devnet, alice, 1, Side.SELL, 2_000, 1_000)),
            commit(homes[1], place(devnet, alice, 2, Side.SELL, 2_010, 1_000)),
            commit(homes[2], place(devnet, bob, 1, Side.BUY, 2_010, 500)),
            commit(homes[3], place(devnet, bob, 2, Side.BUY, 1_990, 200)),
        ]
        assert [result["code"] for result in sent] == [TxCode.OK] * 4, sent
        assert len({result["height"] for result in sent}) > 1  # one order a block (commit waits for each)
        forged = send(homes[1], place(devnet, bob, 3, Side.BUY, 2_010, 1, signer=alice))  # signed with Alice's key
        assert (forged["check_tx"]["code"], forged["check_tx"]["info"]) == (TxCode.REJECTED, "INVALID_SIGNATURE")
        refused = commit(homes[1], place(devnet, bob, 3, Side.BUY, 2_010, 10**8))  # more than Bob's USDC pays for
        assert (refused["code"], refused["info"]) == (TxCode.REJECTED, "INSUFFICIENT_BALANCE"), refused
        wait_for(lambda: agreed(homes, refused["height"]), 60, "every node at the same state")
        wait_for(lambda: settled(homes), 180, "every batch signed and verified on L1")
        first = devnet.rollup.last_batch()
        signed = status(homes[0])
        assert signed is not None and all(count >= 3 for count in signed["signatures"].values()), signed
        book = query(homes[3], f"book/{MARKET.name}")
        assert [(o["account"], o["order_id"], o["side"], int(o["remaining"]) // LOT) for o in book] == [
            (2, 2, "buy", 200), (1, 1, "sell", 500), (1, 2, "sell", 1_000),
        ]  # fmt: skip

        # Any node's API takes an order (into consensus) and answers with its block and position; any serves the book.
        with httpx.Client(timeout=60) as api:
            placed = api.post(f"http://127.0.0.1:{api_ports[1]}/v1/orders", json=order_json(devnet, bob, 5, 1_980, 100))
            assert placed.status_code == 200, placed.text
            assert placed.json()["height"] > refused["height"] and placed.json()["index"] >= 0
            book_of_node_2 = f"http://127.0.0.1:{api_ports[2]}/v1/markets/{MARKET.name}/book"
            wait_for(lambda: any(o["order_id"] == 5 for o in api.get(book_of_node_2).json()), 30, "the order on node 2")
            forged = api.post(f"http://127.0.0.1:{api_ports[0]}/v1/orders", json=order_json(devnet, bob, 6, 1_980, 100, signer=alice))
            assert (forged.status_code, forged.json()["code"]) == (422, "INVALID_SIGNATURE"), forged.text
            unknown = api.get(f"http://127.0.0.1:{api_ports[0]}/v1/markets/NOPE/book")
            assert (unknown.status_code, unknown.json()["code"]) == (404, "UNKNOWN_MARKET")

        # One node down: the other three (more than two thirds of the power) go on.
        stop(nodes[3], signal.SIGKILL)
        more = commit(homes[0], place(devnet, bob, 4, Side.BUY, 2_000, 500))
        assert more["code"] == TxCode.OK, more
        wait_for(lambda: agreed(homes[:3], more["height"]), 60, "the three live nodes at the same state")
        assert [o["order_id"] for o in query(homes[0], f"book/{MARKET.name}")] == [2, 5, 2]  # Alice's first order filled
        wait_for(lambda: settled(homes[:3]) and devnet.rollup.last_batch() > first, 180, "the live prover's batches on L1")

        # Restarted, the fourth replays its blocks and catches up with its peers: the same state.
        nodes[3] = start(3)
        wait_for(lambda: agreed(homes, more["height"]), 120, "the restarted node to catch up")
    finally:
        for process in nodes:
            stop(process)
