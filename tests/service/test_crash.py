"""
Crash safety: a real sequencer process under a stream of orders is killed
with SIGKILL at random moments and restarted, several times. Afterwards every
acknowledged request is in the log at the position its receipt names, and the
state the restarted sequencer serves equals a clean replay of its log.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from prover.manifest import DEFAULT_MANIFEST, load_config
from sequencer.client.http import ApiError, SequencerClient
from sequencer.client.trader import Trader
from sequencer.spec.constants import OrderKind, Side, TreeConfig
from sequencer.l1.paths import REPO_ROOT
from sequencer.engine.operator import Operator
from sequencer.service.canonical import state_digest
from sequencer.service.commands import CancelAllOrders, Command, PlaceOrder, request_hash
from sequencer.service.config import ServiceConfig, load_markets
from sequencer.service.machine import Machine
from sequencer.service.schemas import MarketOut, ReceiptOut
from sequencer.service.wal import WriteAheadLog
from tests.engine.exchange import LOT, MARKET
from tests.service.harness import OPERATOR, trader, write_funding
from tests.support.scenario import NOW, UNIT

CIRCUIT = "devnet"
"""The circuit configuration the process runs with (tree depths and batch size only: nothing is proven)."""

KILLS = 3
STARTUP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Ack:
    """An acknowledged request: what was sent and the receipt's position and hash."""

    command: Command
    sequence: int
    request_hash: str


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def markets_file(path: Path) -> Path:
    """The test market as a markets file."""
    entry = {
        "name": MARKET.name,
        "base_token": MARKET.base_token,
        "quote_token": MARKET.quote_token,
        "tick_size": str(MARKET.tick_size),
        "lot_size": str(MARKET.lot_size),
        "min_amount": str(MARKET.min_amount),
        "maker_fee_bps": MARKET.maker_fee_bps,
        "taker_fee_bps": MARKET.taker_fee_bps,
    }
    path.write_text(json.dumps({"markets": [entry]}))
    return path


@contextmanager
def sequencer_process(directory: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Start ``python -m sequencer.service sequencer`` on a free port; yields it and its URL once it answers."""
    port = free_port()
    command = [
        sys.executable, "-m", "sequencer.service", "sequencer",
        "--markets", str(directory / "markets.json"),
        "--data-dir", str(directory / "data"),
        "--l1-requests-file", str(directory / "queue.json"),
        "--circuit", CIRCUIT,
        "--port", str(port),
        "--max-batch-wait", "1",
        "--poll-interval", "0.05",
    ]  # fmt: skip
    environment = {**os.environ, "MATCHPROOF_OPERATOR_PRIVATE_KEY": OPERATOR.key.hex()}
    with (directory / "sequencer.log").open("ab") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        assert process.poll() is None, (directory / "sequencer.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "the sequencer did not start"
        try:
            if httpx.get(f"{url}/v1/status", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    try:
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


class OrderStream(threading.Thread):
    """One trader sending orders (and a cancel-all when its slots are full) as fast as the sequencer answers."""

    def __init__(self, url: str, who: Trader, market: MarketOut, seed: int, next_id: int) -> None:
        super().__init__(daemon=True)
        self.client = SequencerClient(url, timeout_s=5)
        self.who, self.market, self.next_id = who, market, next_id
        self.rng = random.Random(seed)
        self.acks: list[Ack] = []
        self.stop = threading.Event()

    def run(self) -> None:
        """Send until stopped or until the sequencer disappears."""
        with self.client:
            while not self.stop.is_set():
                try:
                    self._send_one()
                except httpx.TransportError:
                    return  # the sequencer is gone: whether the last request got in is unknown

    def _send_one(self) -> None:
        """Place the next order; on a busy slot, cancel everything below the next id instead."""
        command = self._next_order()
        try:
            self._acknowledged(command, self.client.place_order(command).receipt)
        except ApiError as refusal:
            if refusal.code == "ORDER_SLOT_BUSY":
                cancel_all = CancelAllOrders(self.who.cancel_all(self.next_id))
                self._acknowledged(cancel_all, self.client.cancel_all(cancel_all.request).receipt)

    def _next_order(self) -> PlaceOrder:
        """A random order around the price of 10, with the next id."""
        side = self.rng.choice([Side.BUY, Side.SELL])
        price = self.rng.randint(98, 102) * UNIT // 10
        kind = self.rng.choice([OrderKind.LIMIT, OrderKind.LIMIT, OrderKind.IOC, OrderKind.MARKET, OrderKind.FOK])
        order_id, self.next_id = self.next_id, self.next_id + 1
        amount = self.rng.randint(1, 20) * LOT
        return self.who.order(self.market, order_id, side, price, amount, 50, NOW + 10**8, kind)

    def _acknowledged(self, command: Command, receipt: ReceiptOut) -> None:
        """Remember an acknowledged request."""
        self.acks.append(Ack(command, receipt.sequence, receipt.request_hash))


def test_acknowledged_requests_survive_sigkill(tmp_path: Path) -> None:
    markets_file(tmp_path / "markets.json")
    write_funding(tmp_path / "queue.json")
    rng = random.Random(3)
    acks: list[Ack] = []
    next_ids = {number: 1 for number in (1, 2, 3)}
    for phase in range(KILLS + 1):
        with sequencer_process(tmp_path) as (process, url):
            with SequencerClient(url) as client:
                market = client.market(MARKET.name)
            streams = {n: OrderStream(url, trader(n), market, rng.randrange(2**32), next_ids[n]) for n in next_ids}
            for stream in streams.values():
                stream.start()
            time.sleep(rng.uniform(0.5, 2.0))
            if phase < KILLS:
                os.kill(process.pid, signal.SIGKILL)
            for number, stream in streams.items():
                stream.stop.set()
                stream.join(timeout=30)
                acks += stream.acks
                next_ids[number] = stream.next_id
            if phase == KILLS:
                check_acknowledged(url, acks)
                with SequencerClient(url) as client:
                    status = client.status(digest=True)
    assert len(acks) > 50, "the stream acknowledged too little to test anything"
    assert sum(isinstance(ack.command, CancelAllOrders) for ack in acks) < len(acks)
    assert status.state_digest == digest_of_clean_replay(tmp_path, status.sequence)


def check_acknowledged(url: str, acks: list[Ack]) -> None:
    """Every acknowledged request is in the log at its receipt's position, with the same hash."""
    assert len({ack.sequence for ack in acks}) == len(acks)
    with SequencerClient(url) as client:
        for ack in acks:
            entry = client.log_entry(ack.sequence)
            assert entry.receipt is not None
            assert entry.receipt.request_hash == ack.request_hash == "0x" + request_hash(ack.command).hex()


def digest_of_clean_replay(directory: Path, sequence: int) -> str:
    """The state digest of a fresh replay of the log up to ``sequence``, configured as the process was."""
    params = dict(load_config(REPO_ROOT / DEFAULT_MANIFEST, CIRCUIT).params)
    tree = TreeConfig.from_circuit_params(params)
    config = ServiceConfig(directory / "data", tree, params["nTx"], load_markets(directory / "markets.json"))
    machine = Machine(Operator.genesis(config.tree, config.slots, list(config.markets)))
    wal = WriteAheadLog.open(config.data_dir, config.fingerprint())
    for record in wal.records():
        if record.entry.seq > sequence:
            break
        machine.replay(record.entry)
    wal.close()
    assert machine.seq == sequence
    return state_digest(machine.operator)
