"""
Sequencer benchmark (not a test): prints figures, takes about a minute.

    .venv/bin/python -m bench.sequencer_bench [--orders N] [--rate R] [--seconds S]

1. Matching throughput, orders per second, of the same pre-signed order
   stream through:
   - the book alone (no balances, no signatures);
   - the operator with signature checks off (every EdDSA verification,
     the operator's and the spec's, replaced by ``True`` in this process
     only) -- book, locks, and the spec applying each trade to the Merkle state;
   - the operator with signature checks on (as it runs).
2. HTTP intake latency at a fixed offered load: a sequencer in its own
   process on loopback, orders sent open-loop at ``--rate`` per second for
   ``--seconds``; latency counts from each order's scheduled send time (so
   queueing is not hidden), to the acknowledgment (logged, fsync'd, receipt
   signed). p50, p99 and max. Then its capacity: ``--senders`` clients
   sending back to back for ``--seconds``, acknowledged orders per second.
3. Replay: how fast the log of that run rebuilds the state.

The load generator shares the machine with the sequencer: on a small
machine it takes a core of its own.

Orders are signed before any clock starts: signing is the client's cost.
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account

import sequencer.operator as operator_module
import sequencer.spec.transition as transition_module
from sequencer.crypto.eddsa import PublicKey, private_to_public, sign
from sequencer.crypto.eddsa import verify as reference_verify
from sequencer.crypto.signatures import verify_ahead
from sequencer.crypto.signatures import forget as forget_verifications
from sequencer.engine.book import OrderBook
from sequencer.engine.market import Market
from sequencer.engine.orders import OrderKind, OrderRecord
from sequencer.operator import Operator, RequestRejected
from sequencer.service.commands import PlaceOrder
from sequencer.service.config import ServiceConfig
from sequencer.service.core import SequencerService
from sequencer.service.l1 import FileRequests
from sequencer.service.checkpoint import load_latest, write_checkpoint
from sequencer.service.machine import Machine
from sequencer.service.server import serve
from sequencer.service.wal import WriteAheadLog
from sequencer.spec.constants import Side, TreeConfig
from sequencer.spec.transactions import Deposit, Order, SignedOrder, forget_order_messages
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, OrderId, Price, Timestamp, TokenId

UNIT = 10**18
TREE = TreeConfig(account_depth=8, balance_depth=1, order_depth=8)
SLOTS = 64
TRADERS = 16
MARKET = Market(
    "BASE-QUOTE", TokenId(0), TokenId(1), Price(UNIT // 100), Amount(UNIT // 100), Amount(UNIT // 100), 10, 20
)
OPERATOR_KEY = "0x" + "42" * 32
NOW = int(time.time())


def private_key(trader: int) -> bytes:
    """Trader ``trader``'s L2 key (account ``trader``; 0 is the fee account)."""
    return (1000 + trader).to_bytes(32, "big")


def funding() -> list[Deposit]:
    """The fee account, then every trader with plenty of both tokens."""
    requests = []
    for index in range(TRADERS + 1):
        key = private_to_public(private_key(index))
        for token in (0, 1):
            ax, ay = (key.ax, key.ay) if token == 0 else (0, 0)
            amount = 0 if index == 0 else 10**9 * UNIT
            requests.append(
                Deposit(
                    AccountIndex(index),
                    EthAddress(0x1000 + index),
                    FieldElement(ax),
                    FieldElement(ay),
                    TokenId(token),
                    Amount(amount),
                )
            )
    return requests


def order_stream(count: int, seed: int) -> list[PlaceOrder]:
    """``count`` signed orders around a price of 100: 60 % limit, 30 % IOC, 10 % post-only."""
    rng = random.Random(seed)
    next_id = [1] * (TRADERS + 1)
    commands = []
    for _ in range(count):
        trader = rng.randint(1, TRADERS)
        side = rng.choice([Side.BUY, Side.SELL])
        offset = rng.randint(-20, 20)
        order = Order(
            AccountIndex(trader),
            OrderId(next_id[trader]),
            MARKET.base_token,
            MARKET.quote_token,
            side,
            Price((10_000 + offset) * UNIT // 100),
            Amount(rng.randint(1, 100) * MARKET.lot_size),
            50,
            Timestamp(NOW + 10**6),
        )
        next_id[trader] += 1
        kind = rng.choices([OrderKind.LIMIT, OrderKind.IOC, OrderKind.POST_ONLY], weights=[6, 3, 1])[0]
        commands.append(
            PlaceOrder(MARKET.name, SignedOrder(order, sign(private_key(trader), order.message_hash())), kind)
        )
    return commands


def funded_operator() -> Operator:
    """An operator at genesis after :func:`funding`."""
    operator = Operator.genesis(TREE, SLOTS, [MARKET])
    for index, request in enumerate(funding()):
        operator.add_l1_request(index, request, Timestamp(NOW))
    return operator


# ---------------------------------------------------------------- matching


def book_throughput(commands: list[PlaceOrder]) -> float:
    """Orders per second through the book alone."""
    book = OrderBook(MARKET)
    started = time.perf_counter()
    for sequence, command in enumerate(commands, start=1):
        record = OrderRecord(MARKET.name, command.signed, command.kind, None, sequence, Timestamp(NOW))
        if command.kind is OrderKind.POST_ONLY and book.would_cross(record.side, record.order.price):
            continue
        book.match(record)
        if record.remaining and command.kind.rests:
            book.add(record)
    return len(commands) / (time.perf_counter() - started)


def operator_throughput(commands: list[PlaceOrder]) -> tuple[float, int, int]:
    """
    Orders per second through the operator (sealing full batches as they fill); also trades and refusals.

    The orders were signed in this process, which hashed their messages:
    the caches of message hashes and verifications are emptied first, so
    each order is hashed and verified as a sequencer receiving it would.
    """
    operator = funded_operator()
    clear_crypto_caches()
    refused = 0
    started = time.perf_counter()
    for command in commands:
        try:
            operator.submit_order(command.market, command.signed, Timestamp(NOW), command.kind)
        except RequestRejected:
            refused += 1
        while len(operator.pending) >= SLOTS:
            operator.seal(Timestamp(NOW))
    return len(commands) / (time.perf_counter() - started), len(operator.trades), refused


def clear_crypto_caches() -> None:
    """Forget every order message hash and signature verification result kept so far."""
    forget_order_messages()
    forget_verifications()


def ahead_and_operator_throughput(commands: list[PlaceOrder], chunk: int = 64) -> float:
    """
    Orders per second when signatures are verified ahead of the engine, as
    the API does: each chunk's signatures checked in parallel by the native
    verifier (both cores, without the GIL), then the engine finds them kept.
    """
    operator = funded_operator()
    clear_crypto_caches()
    started = time.perf_counter()
    for first in range(0, len(commands), chunk):
        group = commands[first : first + chunk]
        keys = {index: operator.head.get_account(index) for index in {c.signed.order.account_index for c in group}}
        verify_ahead(
            [(PublicKey(keys[c.signed.order.account_index].ax, keys[c.signed.order.account_index].ay),
              c.signed.order.message_hash(), c.signed.signature) for c in group]
        )  # fmt: skip
        for command in group:
            try:
                operator.submit_order(command.market, command.signed, Timestamp(NOW), command.kind)
            except RequestRejected:
                pass
            while len(operator.pending) >= SLOTS:
                operator.seal(Timestamp(NOW))
    return len(commands) / (time.perf_counter() - started)


@contextmanager
def python_signature_checks() -> Iterator[None]:
    """Verify with the Python reference (``eddsa.verify``), as the landed intake did: the baseline."""
    modules = (operator_module, transition_module)
    saved = [module.__dict__["verify"] for module in modules]
    for module in modules:
        module.__dict__["verify"] = reference_verify
    try:
        yield
    finally:
        for module, verify in zip(modules, saved, strict=True):
            module.__dict__["verify"] = verify


def restart_seconds(commands: list[PlaceOrder]) -> tuple[int, float, float, float]:
    """
    Log entries, then seconds to rebuild the state: by replaying every entry,
    by loading a checkpoint taken at the head, and the checkpoint's write.
    """
    machine = Machine(funded_operator())
    entries = []
    for command in commands:
        try:
            entries.append(machine.apply(command, NOW * 1000)[0])
        except RequestRejected:
            continue
    clear_crypto_caches()
    replayed = Machine(funded_operator())
    started = time.perf_counter()
    for entry in entries:
        replayed.replay(entry)
    one_by_one_s = time.perf_counter() - started
    clear_crypto_caches()
    replayed = Machine(funded_operator())
    started = time.perf_counter()
    replayed.replay_all(entries)
    replay_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="matchproof-bench-") as scratch:
        started = time.perf_counter()
        write_checkpoint(Path(scratch), "bench", machine)
        write_s = time.perf_counter() - started
        started = time.perf_counter()
        restored = load_latest(Path(scratch), "bench", machine.seq)
        load_s = time.perf_counter() - started
    assert restored is not None and restored.operator.head.root == machine.operator.head.root
    return len(entries), replay_s, load_s, write_s


@contextmanager
def signature_checks_off() -> Iterator[None]:
    """Replace EdDSA verification by ``True`` where the operator and the spec call it (this process only)."""
    modules = (operator_module, transition_module)  # both import ``verify`` by name: replace it there
    saved = [module.__dict__["verify"] for module in modules]
    for module in modules:
        module.__dict__["verify"] = lambda *args: True
    try:
        yield
    finally:
        for module, verify in zip(modules, saved, strict=True):
            module.__dict__["verify"] = verify


# ---------------------------------------------------------------- HTTP


def serve_for_benchmark(data_dir: Path, port: int) -> None:
    """The sequencer the HTTP benchmark talks to (run in its own process)."""
    queue = FileRequests(data_dir / "queue.json")
    config = ServiceConfig(data_dir / "data", TREE, SLOTS, (MARKET,), max_batch_wait_s=1, poll_interval_s=0.05)
    serve(SequencerService(config, Account.from_key(OPERATOR_KEY), l1=queue), "127.0.0.1", port, log_level="warning")


def order_body(command: PlaceOrder) -> dict[str, Any]:
    """The API document of an order."""
    order, signature = command.signed.order, command.signed.signature
    return {
        "market": command.market,
        "kind": command.kind.value,
        "order": {
            "account_index": order.account_index,
            "order_id": order.order_id,
            "side": "buy" if order.side == Side.BUY else "sell",
            "price": str(order.price),
            "amount": str(order.amount),
            "max_fee_bps": order.max_fee_bps,
            "expiry": str(order.expiry),
        },
        "signature": {"r8x": str(signature.r8x), "r8y": str(signature.r8y), "s": str(signature.s)},
    }


async def offered_load(url: str, bodies: list[dict[str, Any]], rate: float) -> tuple[list[float], int, float]:
    """Send ``bodies`` open-loop at ``rate`` per second; returns latencies (s), refusals and the run's length."""
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def send(body: dict[str, Any], scheduled: float) -> None:
            nonlocal failures
            response = await client.post("/v1/orders", json=body)
            if response.status_code == 200:
                latencies.append(time.perf_counter() - scheduled)
            else:
                failures += 1

        started = time.perf_counter()
        tasks = []
        for number, body in enumerate(bodies):
            scheduled = started + number / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(body, scheduled)))
        await asyncio.gather(*tasks)
        return latencies, failures, time.perf_counter() - started


async def closed_loop(url: str, bodies: list[dict[str, Any]], senders: int, seconds: float) -> tuple[int, float]:
    """``senders`` clients posting back to back until ``seconds`` pass; returns acknowledgments and time taken."""
    queue = iter(bodies)
    acknowledged = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def sender() -> None:
            nonlocal acknowledged
            for body in queue:
                if time.perf_counter() > deadline:
                    return
                if (await client.post("/v1/orders", json=body)).status_code == 200:
                    acknowledged += 1

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(senders)))
        return acknowledged, time.perf_counter() - started


def http_figures(rate: float, seconds: float, senders: int) -> None:
    """Run a sequencer process: latency at ``rate`` orders/s, then capacity with ``senders`` clients; replay speed."""
    warm_up, offered = 20, int(rate * seconds)
    stream = [order_body(c) for c in order_stream(warm_up + offered + int(400 * seconds), seed=2)]
    with tempfile.TemporaryDirectory(prefix="matchproof-bench-") as scratch:
        directory = Path(scratch)
        FileRequests(directory / "queue.json").write(list(funding()))
        port = 18_000 + os.getpid() % 1000
        process = subprocess.Popen([sys.executable, "-m", "bench.sequencer_bench", "serve", str(directory), str(port)])
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_funded(url, len(funding()))
            for body in stream[:warm_up]:  # the first requests pay for lazy imports
                httpx.post(f"{url}/v1/orders", json=body)
            measured = stream[warm_up : warm_up + offered]
            latencies, refused, _ = asyncio.run(offered_load(url, measured, rate))
            acknowledged, taken = asyncio.run(closed_loop(url, stream[warm_up + offered :], senders, seconds))
        finally:
            process.terminate()
            process.wait()
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print("HTTP intake (loopback; each acknowledgment after the fsync'd log write and a signed receipt):")
        print(
            f"  {rate:.0f} orders/s offered for {seconds:.0f} s: {len(ordered)} acknowledged, {refused} refused; "
            f"latency p50 {statistics.median(ordered) * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms, "
            f"max {ordered[-1] * 1e3:.1f} ms"
        )
        print(f"  capacity, {senders} clients back to back: {acknowledged / taken:.0f} orders/s acknowledged")
        replay_speed(directory)


def wait_until_funded(url: str, requests: int) -> None:
    """Wait until the sequencer answers and has taken the funding deposits."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/status").json()["l1_requests"] == requests:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the benchmark's sequencer did not start")


def replay_speed(directory: Path) -> None:
    """Print how fast the run's log replays."""
    config = ServiceConfig(directory / "data", TREE, SLOTS, (MARKET,), max_batch_wait_s=1, poll_interval_s=0.05)
    wal = WriteAheadLog.open(config.data_dir, config.fingerprint())
    records = list(wal.records())
    wal.close()
    machine = Machine(Operator.genesis(TREE, SLOTS, [MARKET]))
    started = time.perf_counter()
    for record in records:
        machine.replay(record.entry)
    elapsed = time.perf_counter() - started
    print(f"  replay of its log: {len(records)} entries in {elapsed:.2f} s ({len(records) / elapsed:.0f} entries/s)")


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000, help="orders in the matching stream")
    parser.add_argument("--rate", type=float, default=50.0, help="offered HTTP load, orders per second")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each HTTP run")
    parser.add_argument("--senders", type=int, default=16, help="concurrent clients of the capacity run")
    args = parser.parse_args()
    print(f"signing {args.orders} orders ...", flush=True)
    commands = order_stream(args.orders, seed=1)
    print(
        f"matching, {args.orders} orders of {TRADERS} traders (limit, IOC, post-only around one price); "
        f"trees: {TREE.account_depth}-level accounts, {TREE.order_depth}-level orders:"
    )
    print(f"  book alone:                          {book_throughput(commands):10.0f} orders/s")
    with signature_checks_off():
        rate, trades, refused = operator_throughput(commands)
    print(f"  operator, signature checks off:      {rate:10.0f} orders/s ({trades} trades, {refused} refused)")
    with python_signature_checks():
        baseline, _, _ = operator_throughput(commands)
    print(f"  operator, Python verifier (landed):  {baseline:10.0f} orders/s  (the baseline)")
    rate, trades, refused = operator_throughput(commands)
    print(
        f"  operator, native verifier:           {rate:10.0f} orders/s ({trades} trades, {refused} refused) "
        f"x{rate / baseline:.1f}"
    )
    ahead = ahead_and_operator_throughput(commands)
    print(f"  verified ahead in parallel + engine: {ahead:10.0f} orders/s  x{ahead / baseline:.1f}")
    entries, replay_s, load_s, write_s = restart_seconds(commands)
    print(
        f"restart after {entries} logged orders: full replay {replay_s:.2f} s ({entries / replay_s:.0f} entries/s); "
        f"checkpoint load {load_s:.3f} s (written in {write_s:.3f} s)"
    )
    http_figures(args.rate, args.seconds, args.senders)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve_for_benchmark(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
