"""
A sequencer set of real CometBFT nodes on loopback over a rollup on a real
anvil, for the tests: :func:`deploy_local_set` deploys the rollup with two
funded traders, lays out the nodes' homes (``matchproof node init``) and
makes their set the rollup's submitter (``matchproof node deploy-set``);
:meth:`LocalSet.start` runs a node (``matchproof node start``). The helpers
read a node's committed state and send it transactions.
"""

import base64
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts
from sequencer.client.http import place_order_body
from sequencer.consensus.app import decode_tx, encode_tx
from sequencer.consensus.cometbft import PORTS_PER_NODE, NodeHome, api_port
from sequencer.consensus.encrypted import DecryptionShares
from sequencer.consensus.signatures import load_member_key
from sequencer.devnet import Devnet, devnet_market
from sequencer.l1.anvil import AnvilNode
from sequencer.l1.paths import REPO_ROOT
from sequencer.l1.sequencer_set import sequencer_set_of
from sequencer.local_system import free_port_block, markets_document
from sequencer.service.commands import PlaceOrder
from sequencer.spec.constants import Side
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId
from tests.e2e.conftest import UNIT, USDC, WETH
from tests.e2e.test_sequencer_with_provers import matchproof, wait_for

NODES = 4
MARKET = devnet_market()
LOT = 10**15
"""0.001 WETH; prices are in ticks of 0.001 USDC."""


@dataclass
class LocalSet:
    """A deployed set: the rollup, its two traders (Alice holds WETH, Bob USDC), the nodes' homes and API ports."""

    anvil: AnvilNode
    devnet: Devnet
    circuit: CircuitArtifacts
    directory: Path
    homes: list[NodeHome]
    api_ports: list[int]
    alice: LocalAccount
    bob: LocalAccount

    def start(self, i: int, prove: bool, program: str = "sequencer.cli") -> subprocess.Popen[bytes]:
        """Node ``i`` (``matchproof node start``, or the same command of another ``program`` module), proving if ``prove``."""
        args = [
            "node", "start", "--home", str(self.homes[i].home), "--markets", str(self.directory / "markets.json"),
            "--circuit", self.circuit.config.name, "--rpc", self.anvil.url, "--deployment", str(self.directory / "deployment.json"),
            "--max-batch-wait", "2", "--api-port", str(self.api_ports[i]), "--snapshot-interval", "5",
            *(("--prove", "--stagger", "3") if prove else ()),
        ]  # fmt: skip
        log = self.directory / f"node{i}-{time.monotonic_ns()}.log"
        with log.open("wb") as out:
            return subprocess.Popen(
                [sys.executable, "-m", program, *args], cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def settled(self, live: list[NodeHome]) -> bool:
        """Whether every batch the live nodes sealed is verified on L1."""
        states = [status(home) for home in live]
        if any(state is None for state in states):
            return False
        sealed = max(state["sealed_batches"] for state in states if state)
        return sealed > 0 and self.devnet.rollup.last_batch() == sealed

    def api(self, i: int) -> str:
        """Node ``i``'s API."""
        return f"http://127.0.0.1:{self.api_ports[i]}"


def deploy_local_set(anvil: AnvilNode, circuit: CircuitArtifacts, directory: Path) -> LocalSet:
    """
    The rollup on ``anvil`` with Alice's 10 WETH and Bob's 10,000 USDC
    deposited, and a set of :data:`NODES` nodes as its submitter, each
    member funded for gas; the nodes are not started.
    """
    devnet = Devnet.deploy(anvil.web3(), anvil.accounts()[0], circuit)
    devnet.deployment.save(directory / "deployment.json")
    (directory / "markets.json").write_text(json.dumps(markets_document([MARKET])))
    alice, bob = anvil.accounts()[1], anvil.accounts()[2]
    devnet.mint(WETH, alice.address, 10 * UNIT)
    devnet.mint(USDC, bob.address, 10_000 * UNIT)
    devnet.rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
    devnet.rollup.deposit(bob, USDC, 10_000 * UNIT, devnet.l2_key(bob).public_key)

    base_port = free_port_block(PORTS_PER_NODE * NODES)
    init = matchproof("node", "init", "--dir", str(directory / "set"), "--nodes", str(NODES), "--base-port", str(base_port), log=directory / "init.log")
    assert init.wait(timeout=60) == 0, (directory / "init.log").read_text()
    homes = [NodeHome.read(directory / "set" / f"node{i}") for i in range(NODES)]
    members = [load_member_key(home.home) for home in homes]
    assert all(member.address in (directory / "init.log").read_text() for member in members)
    operator_key = {"MATCHPROOF_OPERATOR_PRIVATE_KEY": "0x" + bytes(anvil.accounts()[0].key).hex()}
    deploy_set = matchproof(
        "node", "deploy-set", "--dir", str(directory / "set"), "--rpc", anvil.url,
        "--deployment", str(directory / "deployment.json"), env=operator_key, log=directory / "deploy-set.log",
    )  # fmt: skip
    assert deploy_set.wait(timeout=120) == 0, (directory / "deploy-set.log").read_text()
    contract = sequencer_set_of(devnet.rollup)
    assert contract is not None and set(contract.functions.members().call()) == {m.address for m in members}
    assert all(devnet.w3.eth.get_balance(member.address) == 10**18 for member in members)  # gas for their batches
    return LocalSet(anvil, devnet, circuit, directory, homes, [api_port(base_port, i) for i in range(NODES)], alice, bob)


def answers(url: str) -> bool:
    """Whether ``url`` answers 200."""
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


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


def first_shares(home: NodeHome, since: int) -> int:
    """The height of the first block from ``since`` on that carries decryption shares (waiting for it to come)."""
    height = since
    while True:
        wait_for(lambda: (s := status(home)) is not None and s["height"] >= height, 60, f"block {height}")
        block = httpx.get(f"{home.rpc_url}/block", params={"height": height}, timeout=10).json()["result"]["block"]
        if any(isinstance(decode_tx(base64.b64decode(tx)), DecryptionShares) for tx in block["data"]["txs"] or []):
            return height
        height += 1


def agreed(homes: list[NodeHome], height: int) -> bool:
    """Whether every node answers, has committed block ``height``, and all hold the same state and book."""
    states = [status(home) for home in homes]
    if any(state is None or state["height"] < height for state in states):
        return False
    books = {json.dumps(query(home, f"book/{MARKET.name}")) for home in homes}
    return len({state["digest"] for state in states if state}) == 1 and len(books) == 1
