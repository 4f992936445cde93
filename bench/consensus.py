"""
Orders through the sequencer set's consensus: ``python -m bench.consensus``.

A rollup of the ``test`` circuit on anvil; ``--nodes`` CometBFT nodes
(``matchproof node``) on loopback and, as the baseline measured in the same
run, a set of one node under the same load. Alice rests one large sell
order; ``--takers`` takers (12: with the operator and the maker, most of the ``test`` circuit's 16 accounts) then send immediate-or-cancel buys that each trade
against it, each taker through one node's RPC (``broadcast_tx_sync``,
one order after another, so each taker's order ids arrive in order), at
full speed. Each order's acknowledgment is the mempool's answer; its commit
is the moment node 0 reports the block that holds it (a websocket
subscription to ``tm.event='NewBlock'``).

Every order is signed (and encrypted) before the clock starts. The set
runs the load twice: in the clear, and with every taker's order encrypted
to the set's threshold key (``consensus.encrypted``). An encrypted order is
committed unread and runs once it and every encrypted order before it are
decrypted: when the block carrying the last share it needs is committed
(read from the same events: each encrypted order's ordinal in its block's
results, each block's decryption shares).

Reported: orders per second run (first send to the last order run), and
the acknowledgment-to-commit and acknowledgment-to-run latencies' p50 and
p99 (the same in the clear). Without a set contract on L1 the nodes sign
no batches, and nothing is proven: this measures ordering and matching
through consensus. Writes ``bench/results/<stamp>-consensus.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import websockets
from eth_account.signers.local import LocalAccount

from bench.paths import RESULTS_DIR
from prover import build_circuit
from sequencer.consensus.app import decode_tx, encode_tx
from sequencer.consensus.encrypted import DecryptionShares, EncryptedOrder, load_threshold_key, encrypt_order
from sequencer.consensus.cometbft import PORTS_PER_NODE, NodeHome
from sequencer.devnet import Devnet, devnet_market
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.local_system import free_port_block, markets_document, start_matchproof, stop_process
from sequencer.service.commands import PlaceOrder
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId

CIRCUIT = "test"
MARKET = devnet_market()
UNIT = 10**18
LOT = 10**15
PRICE = 2_000 * 10**15
TAKERS = 12
"""How many takers send at once (each one order after another, so its order ids arrive in order)."""


@dataclass(frozen=True)
class Figures:
    """One set's figures under one load."""

    nodes: int
    encrypted: bool
    orders: int
    committed: int
    orders_per_s: float
    p50_ms: float
    p99_ms: float
    run_p50_ms: float
    run_p99_ms: float


def order_tx(devnet: Devnet, trader: LocalAccount, order_id: int, side: Side, lots: int, kind: OrderKind) -> bytes:
    """A signed WETH/USDC order at the benchmark's price, as a transaction."""
    index = devnet.rollup.account_index(trader.address)
    assert index is not None
    order = Order(
        AccountIndex(index), OrderId(order_id), TokenId(0), TokenId(1), side, Price(PRICE), Amount(lots * LOT), 30,
        Timestamp(int(time.time()) + 3600), kind,
    )  # fmt: skip
    return encode_tx(PlaceOrder(MARKET.name, SignedOrder(order, devnet.l2_key(trader).sign(order.message_hash()))))


def status(home: NodeHome) -> dict[str, object] | None:
    """A node's committed status, or None while it does not answer."""
    try:
        answer = httpx.get(f"{home.rpc_url}/abci_query", params={"path": '"status"'}, timeout=5).json()
        return dict(json.loads(base64.b64decode(answer["result"]["response"]["value"])))
    except (httpx.HTTPError, KeyError, ValueError):
        return None


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition()`` until it holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def broadcast(client: httpx.Client, home: NodeHome, tx: bytes) -> bool:
    """``broadcast_tx_sync``: whether the mempool took the transaction."""
    payload = {"jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_sync", "params": {"tx": base64.b64encode(tx).decode()}}
    result = client.post(home.rpc_url, json=payload).json().get("result") or {}
    return int(result.get("code", 1)) == 0


class CommitWatcher:
    """
    Node 0's ``NewBlock`` events on a websocket: when each transaction (by
    sha256) was committed, each encrypted one's ordinal, and when each ordinal
    had the shares that decrypt it.
    """

    def __init__(self, home: NodeHome, needed: int) -> None:
        self.url = f"ws://127.0.0.1:{home.rpc_port}/websocket"
        self.needed = needed
        self.committed: dict[bytes, float] = {}
        self.ordinals: dict[bytes, int] = {}
        self.decrypted: dict[int, float] = {}
        self._shares: dict[int, int] = {}
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._closed: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._watch(),), daemon=True)

    def __enter__(self) -> CommitWatcher:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("no websocket subscription")
        return self

    def __exit__(self, *_: object) -> None:
        closed = self._closed
        if closed is not None:
            self._loop.call_soon_threadsafe(closed.set_result, None)
        self._thread.join(10)

    async def _watch(self) -> None:
        """Read the subscription until closed."""
        self._closed = self._loop.create_future()
        async with websockets.connect(self.url, max_size=None) as socket_:
            reading = asyncio.ensure_future(self._read(socket_))
            await self._closed
            reading.cancel()

    async def _read(self, socket_: websockets.ClientConnection) -> None:
        """Subscribe, then note each committed transaction's time."""
        subscribe = {"jsonrpc": "2.0", "id": 1, "method": "subscribe", "params": {"query": "tm.event='NewBlock'"}}
        await socket_.send(json.dumps(subscribe))
        await socket_.recv()
        self._ready.set()
        async for message in socket_:  # one event a block, with its transactions and their results
            value = json.loads(message).get("result", {}).get("data", {}).get("value", {})
            now = time.monotonic()
            txs = [base64.b64decode(tx) for tx in value.get("block", {}).get("data", {}).get("txs") or []]
            results = value.get("result_finalize_block", {}).get("tx_results") or []
            for tx, result in zip(txs, results, strict=True):
                key = hashlib.sha256(tx).digest()
                self.committed[key] = now
                carried = decode_tx(tx)
                if isinstance(carried, EncryptedOrder):
                    self.ordinals[key] = json.loads(base64.b64decode(result.get("data") or ""))["ordinal"]
                elif isinstance(carried, DecryptionShares):
                    for share in carried.shares:
                        self._shares[share.ordinal] = self._shares.get(share.ordinal, 0) + 1
                        if self._shares[share.ordinal] == self.needed:
                            self.decrypted[share.ordinal] = now

    def ran(self, key: bytes) -> float | None:
        """When the transaction ran: at its commit in the clear; encrypted, once it and every encrypted order before it was decrypted."""
        if key not in self.committed:
            return None
        ordinal = self.ordinals.get(key)
        if ordinal is None:
            return self.committed[key]
        if any(earlier not in self.decrypted for earlier in range(ordinal + 1)):
            return None
        return max(self.decrypted[earlier] for earlier in range(ordinal + 1))


@contextmanager
def node_set(anvil: AnvilNode, devnet: Devnet, directory: Path, nodes: int) -> Iterator[list[NodeHome]]:
    """``nodes`` running nodes over the devnet's rollup, once every node took its L1 requests."""
    init = start_matchproof(
        ["node", "init", "--dir", str(directory), "--nodes", str(nodes), "--base-port", str(free_port_block(PORTS_PER_NODE * nodes))],
        directory.with_suffix(".log"),
    )
    if init.wait(timeout=60) != 0:
        raise RuntimeError(directory.with_suffix(".log").read_text())
    homes = [NodeHome.read(directory / f"node{i}") for i in range(nodes)]
    processes = [
        start_matchproof(
            [
                "node", "start", "--home", str(home.home), "--markets", str(directory.parent / "markets.json"),
                "--circuit", CIRCUIT, "--rpc", anvil.url, "--deployment", str(directory.parent / "deployment.json"),
            ],
            home.home / "node.log",
        )  # fmt: skip
        for home in homes
    ]
    try:
        requests = devnet.rollup.l1_request_count()
        wait_for(lambda: all((s := status(h)) is not None and s["l1_seen"] == requests for h in homes), 180, "the L1 requests")
        yield homes
    finally:
        for process in processes:
            stop_process(process, timeout_s=20)


def rest_sell(devnet: Devnet, home: NodeHome, maker: LocalAccount, lots: int) -> None:
    """Rest the maker's large sell, which every taker's buy trades against."""
    with httpx.Client(timeout=30) as client:
        if not broadcast(client, home, order_tx(devnet, maker, 1, Side.SELL, lots, OrderKind.LIMIT)):
            raise RuntimeError("the maker's order was refused")
    time.sleep(2)  # it rests before the takers arrive


def measure(devnet: Devnet, homes: list[NodeHome], takers: list[LocalAccount], per_taker: int, encrypted: bool, first_id: int) -> Figures:
    """Send every taker's IOC buys (order ids from ``first_id``) at full speed, encrypted to the set if ``encrypted``; the figures."""
    key, _ = load_threshold_key(homes[0].home)
    acks: dict[bytes, float] = {}
    lock = threading.Lock()
    loads = []  # every taker's transactions, signed (and encrypted) before the clock starts
    for taker in takers:
        orders = [order_tx(devnet, taker, first_id + i, Side.BUY, 1, OrderKind.IOC) for i in range(per_taker)]
        loads.append([encrypt_order(key, order).encode() for order in orders] if encrypted else orders)
    with CommitWatcher(homes[0], key.needed) as watcher:

        def send_all(number: int, txs: list[bytes]) -> None:
            home = homes[number % len(homes)]
            with httpx.Client(timeout=30) as client:
                for tx in txs:
                    if broadcast(client, home, tx):
                        with lock:
                            acks[hashlib.sha256(tx).digest()] = time.monotonic()

        started = time.monotonic()
        threads = [threading.Thread(target=send_all, args=(number, txs)) for number, txs in enumerate(loads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wait_for(lambda: all(watcher.ran(key) is not None for key in acks), 300, "every acknowledged order run")
        latencies = sorted(watcher.committed[key] - acks[key] for key in acks)
        runs = sorted(watcher.ran(key) or 0.0 for key in acks)
        ran = sorted((watcher.ran(key) or 0.0) - acks[key] for key in acks)
    count = len(latencies)
    return Figures(
        nodes=len(homes),
        encrypted=encrypted,
        orders=len(takers) * per_taker,
        committed=count,
        orders_per_s=count / (runs[-1] - started),
        p50_ms=1000 * _percentile(latencies, 0.5),
        p99_ms=1000 * _percentile(latencies, 0.99),
        run_p50_ms=1000 * _percentile(ran, 0.5),
        run_p99_ms=1000 * _percentile(ran, 0.99),
    )


def _percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of sorted ``values`` (nearest rank below)."""
    return values[min(len(values) - 1, int(len(values) * fraction))]


def run(nodes: int, per_taker: int, directory: Path, takers: int = TAKERS) -> list[Figures]:
    """
    The baseline (one node, in the clear) and ``nodes`` nodes, each on a
    fresh chain under the same load: in the clear, then encrypted.
    """
    circuit = build_circuit(CIRCUIT)
    figures = []
    for count in (1, nodes):
        with start_anvil(accounts=2 + takers) as anvil:
            w3 = anvil.web3()
            devnet = Devnet.deploy(w3, anvil.accounts()[0], circuit)
            folder = directory / f"set{count}"
            folder.mkdir(parents=True)
            devnet.deployment.save(folder / "deployment.json")
            (folder / "markets.json").write_text(json.dumps(markets_document([MARKET])))
            maker, *senders = anvil.accounts()[1 : 2 + takers]
            devnet.mint(0, maker.address, 1_000 * UNIT)
            devnet.rollup.deposit(maker, 0, 1_000 * UNIT, devnet.l2_key(maker).public_key)
            for taker in senders:
                devnet.mint(1, taker.address, 10**6 * UNIT)
                devnet.rollup.deposit(taker, 1, 10**6 * UNIT, devnet.l2_key(taker).public_key)
            with node_set(anvil, devnet, folder / "nodes", count) as homes:
                rest_sell(devnet, homes[0], maker, 10 * per_taker * len(senders))
                figures.append(measure(devnet, homes, senders, per_taker, encrypted=False, first_id=1))
                if count > 1:
                    figures.append(measure(devnet, homes, senders, per_taker, encrypted=True, first_id=1 + per_taker))
    return figures


def report(figures: list[Figures], per_taker: int, takers: int = TAKERS) -> str:
    """The results as Markdown, each set beside the one-node baseline."""
    base = figures[0]
    lines = [
        f"# Orders through consensus ({datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')})",
        "",
        f"{takers} takers x {per_taker} IOC orders, each trading against one resting order; CometBFT "
        "v0.38 nodes on loopback, the `test` circuit's rollup on anvil; no batch signing or proving.",
        "",
        "| nodes | orders | orders run | orders/s | x one node | ack-to-commit p50 (ms) | p99 (ms) | ack-to-run p50 (ms) | p99 (ms) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for figure in figures:
        lines.append(
            f"| {figure.nodes} | {'encrypted' if figure.encrypted else 'in the clear'} | {figure.committed} of {figure.orders} | "
            f"{figure.orders_per_s:.0f} | {figure.orders_per_s / base.orders_per_s:.2f} | {figure.p50_ms:.0f} | "
            f"{figure.p99_ms:.0f} | {figure.run_p50_ms:.0f} | {figure.run_p99_ms:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print its table and write it under ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m bench.consensus", description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--nodes", type=int, default=4, help="the set's size (the baseline is one node)")
    parser.add_argument("--takers", type=int, default=TAKERS, help="how many takers send at once")
    parser.add_argument("--orders", type=int, default=33, help="orders each taker sends")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="where to write <stamp>-consensus.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="matchproof-consensus-") as scratch:
        figures = run(args.nodes, args.orders, Path(scratch), args.takers)
    text = report(figures, args.orders, args.takers)
    print(text)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (args.out / f"{stamp}-consensus.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
