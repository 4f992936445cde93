"""
The devnet demo with a sequencer set (``matchproof devnet --nodes N``, so
``scripts/devnet --nodes 4``): the rollup on a fresh anvil; ``N`` nodes of
``matchproof node`` on loopback, the set's contract as the rollup's
submitter, the first two nodes proving. Alice and Bob deposit on L1 and
trade through two different nodes' APIs, then once more with Bob's order
encrypted to the set (ordered unread, decrypted and matched at its place
once its block is committed), and Alice withdraws through a third node's
API and claims on L1; every node holds the same book and state; the set's batches are proven, signed by more than two thirds of
its members and verified on L1.
"""

import json
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount

from prover import build_circuit
from sequencer.client.http import place_order_body, withdrawal_body
from sequencer.consensus.app import encode_tx
from sequencer.consensus.cometbft import PORTS_PER_NODE, NodeHome, api_port
from sequencer.consensus.encrypted import encrypt_order
from sequencer.crypto.threshold import ThresholdKey
from sequencer.devnet import Devnet, devnet_market, devnet_perp_rules
from sequencer.l1.anvil import start_anvil
from sequencer.local_system import free_port_block, markets_document, start_matchproof, stop_process
from sequencer.service.commands import PlaceOrder
from sequencer.spec.constants import PRICE_SCALE, Side
from sequencer.spec.transactions import Order, SignedOrder, Withdraw, withdraw_message
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp, TokenId

WETH, USDC = TokenId(0), TokenId(1)
UNIT = 10**18
WITHDRAWAL = 1_000 * UNIT
"""What Alice withdraws of the USDC she sold for."""
PROVERS = 2
"""How many of the nodes (the first ones) prove and send batches."""
WAIT_S = 600
"""The longest the demo waits for a step (proofs of the devnet circuit take seconds each)."""


class NodeSet:
    """``matchproof node`` processes over one rollup, each logging into its home."""

    def __init__(self, scratch: Path, nodes: int, rpc: str, config: str, operator: LocalAccount) -> None:
        """Lay out the homes and deploy the set (as ``operator``, the rollup's submitter); nothing runs yet."""
        self.scratch = scratch
        self.rpc = rpc
        self.config = config
        base_port = free_port_block(PORTS_PER_NODE * nodes)
        self.api_ports = [api_port(base_port, i) for i in range(nodes)]
        operator_env = {"MATCHPROOF_OPERATOR_PRIVATE_KEY": "0x" + bytes(operator.key).hex()}
        self._run("node", "init", "--dir", str(scratch / "set"), "--nodes", str(nodes), "--base-port", str(base_port))
        self.homes = [NodeHome.read(scratch / "set" / f"node{i}") for i in range(nodes)]
        deployment = str(scratch / "deployment.json")
        self._run("node", "deploy-set", "--dir", str(scratch / "set"), "--rpc", rpc, "--deployment", deployment, env=operator_env)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        """Start every node (the first ``PROVERS`` proving), each serving its API."""
        for i, home in enumerate(self.homes):
            args = [
                "node", "start", "--home", str(home.home), "--markets", str(self.scratch / "markets.json"),
                "--circuit", self.config, "--rpc", self.rpc, "--deployment", str(self.scratch / "deployment.json"),
                "--max-batch-wait", "2", "--api-port", str(self.api_ports[i]),
                *(("--prove", "--stagger", "5") if i < PROVERS else ()),
            ]  # fmt: skip
            self.processes.append(start_matchproof(args, home.home / "node.log"))

    def stop(self) -> None:
        """Stop every node."""
        for process in self.processes:
            stop_process(process, timeout_s=20)

    def api(self, node: int) -> str:
        """Node ``node``'s API URL."""
        return f"http://127.0.0.1:{self.api_ports[node]}"

    def statuses(self) -> list[dict[str, Any] | None]:
        """Each node's committed status (None for one that does not answer)."""
        found: list[dict[str, Any] | None] = []
        for node in range(len(self.homes)):
            try:
                found.append(dict(httpx.get(f"{self.api(node)}/v1/status", timeout=5).json()))
            except (httpx.HTTPError, ValueError):
                found.append(None)
        return found

    def check_running(self) -> None:
        """Raise ``RuntimeError`` with its log's end if a node died."""
        for home, process in zip(self.homes, self.processes, strict=True):
            if process.poll() is not None:
                tail = (home.home / "node.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{home.home.name} exited with status {process.returncode}:\n{tail}")

    def _run(self, *args: str, env: dict[str, str] | None = None) -> None:
        """Run a ``matchproof`` command to its end; raise ``RuntimeError`` with its log if it fails."""
        log = self.scratch / f"{args[1]}.log"
        if start_matchproof(list(args), log, env).wait(timeout=300) != 0:
            raise RuntimeError(f"matchproof {' '.join(args[:2])} failed:\n{log.read_text()}")


def _order(devnet: Devnet, trader: LocalAccount, order_id: int, side: Side, price: int, amount: int) -> dict[str, Any]:
    """A signed limit order as a node's API takes it."""
    return place_order_body(_placement(devnet, trader, order_id, side, price, amount))


def _placement(devnet: Devnet, trader: LocalAccount, order_id: int, side: Side, price: int, amount: int) -> PlaceOrder:
    """A signed WETH/USDC limit order's placement."""
    index = devnet.rollup.account_index(trader.address)
    assert index is not None
    order = Order(
        AccountIndex(index), OrderId(order_id), WETH, USDC, side, Price(price), Amount(amount), 30,
        Timestamp(int(time.time()) + 3600),
    )  # fmt: skip
    return PlaceOrder(devnet_market().name, SignedOrder(order, devnet.l2_key(trader).sign(order.message_hash())))


def _wait(condition: Callable[[], bool], nodes: NodeSet, what: str) -> None:
    """Poll ``condition`` while every node runs."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        nodes.check_running()
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.5)


def run_set_demo(config: str, nodes: int, say: Callable[[str], None] = print) -> None:
    """Run the story with a set of ``nodes`` on a fresh anvil with the named circuit configuration."""
    started = time.monotonic()
    say(f"== building circuit '{config}' (cached after the first run)")
    circuit = build_circuit(config)
    with start_anvil() as node, tempfile.TemporaryDirectory(prefix="matchproof-set-") as folder:
        scratch = Path(folder)
        operator, alice, bob, fund = node.accounts()[0], node.accounts()[1], node.accounts()[2], node.accounts()[-1]
        devnet = Devnet.deploy(node.web3(), operator, circuit, fund=fund if dict(circuit.config.params)["nPerp"] else None)
        devnet.deployment.save(scratch / "deployment.json")
        perpetual = [devnet_perp_rules()] if devnet.perpetuals is not None else []
        (scratch / "markets.json").write_text(json.dumps(markets_document([devnet_market()], perpetual=perpetual)))
        say(f"== anvil at {node.url}; rollup {devnet.deployment.rollup}")
        set_nodes = NodeSet(scratch, nodes, node.url, config, operator)
        say(f"== {nodes} nodes laid out in {scratch / 'set'}; the set's contract is the rollup's submitter now")
        for home in set_nodes.homes:
            say(f"  {home.home.name}: CometBFT RPC {home.rpc_url}")
        devnet.mint(WETH, alice.address, 10 * UNIT)
        devnet.mint(USDC, bob.address, 50_000 * UNIT)
        devnet.rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
        devnet.rollup.deposit(bob, USDC, 50_000 * UNIT, devnet.l2_key(bob).public_key)
        say("== deposits on L1: Alice 10 WETH, Bob 50,000 USDC; starting the nodes (their logs: <home>/node.log)")
        set_nodes.start()
        try:
            requests = devnet.rollup.l1_request_count()
            _wait(lambda: all(s is not None and s["l1_seen"] == requests for s in set_nodes.statuses()), set_nodes, "the deposits")
            say(f"  every node took the {requests} L1 requests (each proposer's, checked by every other node)")
            with httpx.Client(timeout=60) as client:
                for who, trader, node_index, side, price in (
                    ("Alice", alice, 0, Side.SELL, 2_000), ("Bob", bob, nodes - 1, Side.BUY, 2_010)
                ):  # fmt: skip
                    order = _order(devnet, trader, 1, side, price * PRICE_SCALE, 2 * UNIT)
                    placed = _post(client, f"{set_nodes.api(node_index)}/v1/orders", order, f"{who}'s order")
                    say(
                        f"  {who} {'sells' if side == Side.SELL else 'buys'} 2 WETH at {price} through node {node_index}'s API: "
                        f"committed in block {placed['height']}, position {placed['index']}"
                    )
                _encrypted_trade(client, set_nodes, devnet, alice, bob, say)
            _wait(lambda: _same_state(set_nodes), set_nodes, "the nodes to agree")
            say("== every node matched them alike: the same book, trades and state")
            digest = set_nodes.statuses()[0]
            assert digest is not None
            say(f"  state digest {str(digest['digest'])[:16]}... on all {nodes} nodes")
            with httpx.Client(timeout=60) as client:
                _withdraw(client, set_nodes, devnet, alice, say)
            _wait(lambda: _settled(set_nodes, devnet), set_nodes, "every batch on L1")
            status = set_nodes.statuses()[0]
            assert status is not None
            signed = ", ".join(f"batch {n}: {count}" for n, count in status["signatures"].items())
            say(f"== {devnet.rollup.last_batch()} batches proven, signed ({signed} of {nodes} members) and verified on L1")
            _wait(lambda: devnet.rollup.claimable(alice.address, USDC) == WITHDRAWAL, set_nodes, "Alice's withdrawal on L1")
            usdc = devnet.rollup.token(USDC)
            before = usdc.functions.balanceOf(alice.address).call()
            devnet.rollup.claim(alice, alice.address, USDC)
            say(f"  Alice claims her withdrawal on L1: {(usdc.functions.balanceOf(alice.address).call() - before) // UNIT:,} USDC")
            say(f"  state root {hex(devnet.rollup.state_root())}; total {time.monotonic() - started:.1f} s")
        finally:
            set_nodes.stop()


def _encrypted_trade(
    client: httpx.Client, nodes: NodeSet, devnet: Devnet, alice: LocalAccount, bob: LocalAccount, say: Callable[[str], None]
) -> None:
    """Alice rests an ask in the clear; Bob's bid, encrypted to the set, is ordered unread, then decrypted and matched."""
    _post(client, f"{nodes.api(1)}/v1/orders", _order(devnet, alice, 2, Side.SELL, 2_000 * PRICE_SCALE, UNIT), "Alice's order")
    key = ThresholdKey(bytes.fromhex(client.get(f"{nodes.api(2)}/v1/threshold-key").json()["key_set"]))
    tx = encode_tx(_placement(devnet, bob, 2, Side.BUY, 2_000 * PRICE_SCALE, UNIT))
    body = {"ciphertext": encrypt_order(key, tx).ciphertext.hex()}
    placed = _post(client, f"{nodes.api(2)}/v1/encrypted-orders", body, "Bob's encrypted order")
    say(
        f"  Alice sells 1 WETH at 2000 through node 1; Bob's buy, encrypted to the set's threshold key, through node 2: "
        f"ordered in block {placed['height']}, position {placed['index']}, while no node can read it"
    )
    outcome = f"{nodes.api(0)}/v1/outcomes/{placed['height']}/{placed['index']}"
    _wait(lambda: client.get(outcome).status_code == 200, nodes, "Bob's encrypted order to run")
    result = client.get(outcome).json()
    if result["code"] != 0:
        raise RuntimeError(f"Bob's encrypted order was refused once decrypted: {result}")
    say("  once its block was committed, the nodes' shares decrypted it and it ran at its place: Bob bought Alice's WETH")


def _withdraw(client: httpx.Client, nodes: NodeSet, devnet: Devnet, alice: LocalAccount, say: Callable[[str], None]) -> None:
    """Alice withdraws some of the USDC she sold for, through node 3's API."""
    index = devnet.rollup.account_index(alice.address)
    assert index is not None
    message = withdraw_message(AccountIndex(index), USDC, Amount(WITHDRAWAL), Nonce(0))
    signed = Withdraw(AccountIndex(index), USDC, Amount(WITHDRAWAL), Nonce(0), devnet.l2_key(alice).sign(message))
    placed = _post(client, f"{nodes.api(3)}/v1/withdrawals", withdrawal_body(signed), "Alice's withdrawal")
    say(f"  Alice withdraws {WITHDRAWAL // UNIT:,} USDC through node 3's API: committed in block {placed['height']}")


def _post(client: httpx.Client, url: str, body: dict[str, Any], what: str) -> dict[str, Any]:
    """A node API's answer to a request it committed (``RuntimeError`` naming ``what`` if it refused it)."""
    answer = client.post(url, json=body)
    if answer.status_code != 200:
        raise RuntimeError(f"{what} was refused: {answer.text}")
    return dict(answer.json())


def _same_state(nodes: NodeSet) -> bool:
    """Whether every node answers with the same state digest."""
    statuses = nodes.statuses()
    return all(statuses) and len({s["digest"] for s in statuses if s}) == 1


def _settled(nodes: NodeSet, devnet: Devnet) -> bool:
    """Whether every batch the nodes sealed is verified on L1."""
    statuses = nodes.statuses()
    sealed = max((int(s["sealed_batches"]) for s in statuses if s), default=0)
    return sealed > 0 and devnet.rollup.last_batch() == sealed
