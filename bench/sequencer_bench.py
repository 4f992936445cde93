"""
Sequencer benchmark (not a test): prints figures, each beside the landed
path's (the intake as it was when issue 9 was filed: signatures checked by
the Python reference, order messages hashed by the plain-form Poseidon, the
log replayed one entry at a time), measured in the same run. Takes 4-6
minutes on a 2-core machine.

    .venv/bin/python -m bench.sequencer_bench [--orders N] [--rate R] [--seconds S] [--requests N]

1. Matching throughput, orders per second, of the same pre-signed order
   stream through: the book alone (no balances, no signatures); the
   operator with signature checks off (book, locks, and the spec applying
   each trade to the Merkle state); the operator on the landed path; the
   operator with the native verifier and hasher; and the same with each
   chunk's messages hashed and signatures verified ahead, in parallel.
2. Replay of the log of those orders, landed (one by one) and as a restart
   does it (``Machine.replay_all``); a checkpoint's size, write and load.
3. Restart after ``--requests`` logged requests: the service's own
   ``open`` (newest checkpoint, then the log's tail), against a full replay.
4. HTTP intake, landed path and this one, each in a sequencer process of its
   own on loopback: latency at ``--rate`` orders/s offered open-loop for
   ``--seconds`` (counted from each order's scheduled send time, so queueing
   is not hidden, to the acknowledgment: logged, fsync'd, receipt signed),
   p50, p99 and max; then capacity, ``--senders`` clients back to back.

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
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from eth_account import Account

import sequencer.engine.checks as checks_module
import sequencer.spec.transactions as transactions_module
import sequencer.spec.transition as transition_module
from sequencer.crypto.poseidon_reference import poseidon as reference_poseidon
from bench.http_load import closed_loop, open_loop, post_request
from sequencer.crypto.eddsa import private_to_public, sign
from sequencer.crypto.eddsa import verify as reference_verify
from sequencer.crypto.signatures import forget as forget_verifications
from sequencer.engine.book import OrderBook
from sequencer.engine.market import Market
from sequencer.engine.orders import OrderRecord
from sequencer.spec.constants import OrderKind, Side, TreeConfig
from sequencer.engine.operator import Operator
from sequencer.engine.errors import RequestRejected
from sequencer.service.ahead import check_ahead
from sequencer.service.commands import AddL1Request, Command, PlaceOrder, SealBatch
from sequencer.service.config import ServiceConfig
from sequencer.service.core import SequencerService
from sequencer.service.l1 import FileRequests
from sequencer.service.checkpoint import checkpoints, collector_paused, load_latest, start_checkpoint, write_checkpoint
from sequencer.service.machine import LogEntry, Machine
from sequencer.service.server import serve
from sequencer.service.wal import LogRecord, WriteAheadLog
from sequencer.spec.transactions import Deposit, Order, SignedOrder, forget_order_messages
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, OrderId, Price, Timestamp, TokenId

UNIT = 10**18
TREE = TreeConfig(account_depth=8, balance_depth=2, order_depth=8)
SLOTS = 64
TRADERS = 16
MARKET = Market(
    "BASE-QUOTE", TokenId(0), TokenId(1), Price(UNIT // 100), Amount(UNIT // 100), Amount(UNIT // 100), 10, 20
)
OPERATOR_KEY = "0x" + "42" * 32
HOST = "127.0.0.1"
OPEN_LOOP_CONNECTIONS = 64
"""Connections of the open-loop run: enough that a burst queues at the sequencer, not in the generator."""
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
        kind = rng.choices([OrderKind.LIMIT, OrderKind.IOC, OrderKind.POST_ONLY], weights=[6, 3, 1])[0]
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
            kind,
        )
        next_id[trader] += 1
        commands.append(PlaceOrder(MARKET.name, SignedOrder(order, sign(private_key(trader), order.message_hash()))))
    return commands


def funded_operator() -> Operator:
    """An operator at genesis after :func:`funding`."""
    operator = Operator.genesis(TREE, SLOTS, [MARKET])
    for index, request in enumerate(funding()):
        operator.add_l1_request(index, request, Timestamp(NOW))
    return operator


# ---------------------------------------------------------------- matching


BOOK_RUNS = 7
"""Passes of the book-alone stream: one takes milliseconds, so the median of several is the figure."""


def book_throughput(commands: list[PlaceOrder]) -> float:
    """Orders per second through the book alone: the median of ``BOOK_RUNS`` passes, each on a fresh book."""
    rates = []
    for _ in range(BOOK_RUNS):
        book = OrderBook(MARKET)
        started = time.perf_counter()
        for sequence, command in enumerate(commands, start=1):
            record = OrderRecord(MARKET.name, command.signed, None, sequence, Timestamp(NOW))
            if record.kind is OrderKind.POST_ONLY and book.would_cross(record.side, record.order.price):
                continue
            book.match(record)
            if record.remaining and record.kind.rests:
                book.add(record)
        rates.append(len(commands) / (time.perf_counter() - started))
    return statistics.median(rates)


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
            operator.submit_order(command.market, command.signed, Timestamp(NOW))
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
    Orders per second when each chunk's order messages are hashed and
    signatures verified ahead of the engine, in parallel on all cores without
    the GIL (``service.ahead.check_ahead``, as a restart does; the API does the
    same per request in worker threads), then the engine finds them kept.
    """
    operator = funded_operator()
    clear_crypto_caches()
    started = time.perf_counter()
    for first in range(0, len(commands), chunk):
        group = commands[first : first + chunk]
        check_ahead(operator.head, group)
        for command in group:
            try:
                operator.submit_order(command.market, command.signed, Timestamp(NOW))
            except RequestRejected:
                pass
            while len(operator.pending) >= SLOTS:
                operator.seal(Timestamp(NOW))
    return len(commands) / (time.perf_counter() - started)


@contextmanager
def landed_path() -> Iterator[None]:
    """
    The intake as it was when the issue was filed, the baseline: signatures
    checked by the Python reference (``eddsa.verify``) and order messages
    hashed by the plain-form Poseidon (``poseidon_reference``), one at a time.
    """
    patched: list[tuple[ModuleType, str, object]] = [
        (checks_module, "verify", reference_verify),
        (transition_module, "verify", reference_verify),
        (transactions_module, "poseidon", reference_poseidon),
    ]
    saved = [getattr(module, name) for module, name, _ in patched]
    for module, name, replacement in patched:
        setattr(module, name, replacement)
    try:
        yield
    finally:
        for (module, name, _), original in zip(patched, saved, strict=True):
            setattr(module, name, original)


def logged_orders(commands: list[PlaceOrder]) -> tuple[Machine, list[LogEntry]]:
    """The machine after accepting ``commands``, and the log entries of those it accepted."""
    machine = Machine(funded_operator())
    entries = []
    for command in commands:
        try:
            entries.append(machine.apply(command, NOW * 1000)[0])
        except RequestRejected:
            continue
    return machine, entries


def replay_rate(entries: list[LogEntry], ahead: bool) -> float:
    """
    Entries per second replaying ``entries`` from cold caches: one by one (as
    the landed path did), or as a restart does (``SequencerService.open``:
    ``Machine.replay_all`` with the garbage collector paused).
    """
    clear_crypto_caches()
    replayed = Machine(funded_operator())
    started = time.perf_counter()
    if ahead:
        with collector_paused():
            replayed.replay_all(entries)
    else:
        for entry in entries:
            replayed.replay(entry)
    return len(entries) / (time.perf_counter() - started)


def checkpoint_seconds(machine: Machine) -> tuple[float, float, int]:
    """Seconds to write and to load a checkpoint of ``machine``, and its size in bytes."""
    with tempfile.TemporaryDirectory(prefix="matchproof-bench-") as scratch:
        started = time.perf_counter()
        checkpoint = write_checkpoint(Path(scratch), "bench", machine)
        write_s = time.perf_counter() - started
        size = checkpoint.path.stat().st_size
        started = time.perf_counter()
        restored = load_latest(Path(scratch), "bench", machine.seq)
        load_s = time.perf_counter() - started
    assert restored is not None and restored.operator.head.root == machine.operator.head.root
    return write_s, load_s, size


@dataclass(frozen=True)
class Restart:
    """A restart of a data directory holding a long log: what it took, against replaying the whole log."""

    entries: int
    tail: int
    checkpoint_bytes: int
    checkpoint_write_s: float
    fork_s: float
    restart_s: float
    full_replay_s: float


def restart_after(requests: int, checkpoint_every: int, orders: Iterator[PlaceOrder]) -> Restart:
    """
    Build a data directory whose log holds ``requests`` entries, with a
    checkpoint every ``checkpoint_every`` entries as the service takes them,
    the last one ``checkpoint_every - 1`` entries before the end (the worst
    case); then time the service's own restart (``SequencerService.open``),
    and a full replay of the same log on the landed path.

    Up to the last checkpoint the entries are L1 deposits topping up the
    traders' balances, sealed into batches as they fill: they need no
    signature, so that a million can be logged in a minute (a million signed
    orders would take the benchmark over ten minutes to sign). The tail a
    restart replays is signed ``orders`` (and seals), the costliest entries
    to replay. The state holds every sealed batch, as the operator keeps
    them, so the checkpoint grows with the log.
    """
    last_checkpoint = (requests - 1) // checkpoint_every * checkpoint_every + 1
    with tempfile.TemporaryDirectory(prefix="matchproof-bench-") as scratch:
        config = ServiceConfig(Path(scratch) / "data", TREE, SLOTS, (MARKET,), checkpoint_every=checkpoint_every)
        wal = WriteAheadLog.open(config.data_dir, config.fingerprint())
        machine = Machine(Operator.genesis(TREE, SLOTS, [MARKET]))
        records: list[LogRecord] = []
        funded = funding()
        checkpoint_bytes, checkpoint_write_s, fork_s = 0, 0.0, 0.0
        index = 0
        while machine.seq < requests:
            if len(machine.operator.pending) >= SLOTS:
                command: Command = SealBatch()
            elif machine.seq < last_checkpoint:
                command = AddL1Request(index, top_up(index, funded))
                index += 1
            else:
                order = next(orders, None)
                if order is None:
                    raise RuntimeError("the signed orders ran out before the log's tail was complete")
                command = order
            try:
                entry, _ = machine.apply(command, NOW * 1000)
            except RequestRejected:
                continue
            records.append(LogRecord(entry, None))
            if len(records) == 10_000 or machine.seq == requests:
                wal.append(records)
                records = []
            if machine.seq % checkpoint_every == 1:
                wal.append(records)
                records = []
                started = time.perf_counter()
                writing = start_checkpoint(config.data_dir, config.fingerprint(), machine)
                fork_s = time.perf_counter() - started
                assert writing.wait(), "the checkpoint's child failed"
                checkpoint_write_s = time.perf_counter() - started
                checkpoint_bytes = checkpoints(config.data_dir)[0].path.stat().st_size
        wal.close()
        clear_crypto_caches()
        service = SequencerService(config, Account.from_key(OPERATOR_KEY))
        started = time.perf_counter()
        service.open()
        restart_s = time.perf_counter() - started
        assert service.machine.seq == requests
        wal = WriteAheadLog.open(config.data_dir, config.fingerprint())
        replayed = Machine(Operator.genesis(TREE, SLOTS, [MARKET]))
        clear_crypto_caches()
        with landed_path():
            started = time.perf_counter()
            for record in wal.records():
                replayed.replay(record.entry)
            full_replay_s = time.perf_counter() - started
        wal.close()
        assert replayed.operator.head.root == service.machine.operator.head.root
        return Restart(
            requests, requests - last_checkpoint, checkpoint_bytes, checkpoint_write_s, fork_s, restart_s, full_replay_s
        )


def top_up(index: int, funded: list[Deposit]) -> Deposit:
    """L1 request ``index``: the ``funded`` deposits first, then deposits to the traders in turn."""
    if index < len(funded):
        return funded[index]
    trader = 1 + index % TRADERS
    return Deposit(
        AccountIndex(trader), EthAddress(0x1000 + trader), FieldElement(0), FieldElement(0), TokenId(index % 2), Amount(UNIT)
    )


@contextmanager
def signature_checks_off() -> Iterator[None]:
    """Replace EdDSA verification by ``True`` where the operator and the spec call it (this process only)."""
    modules = (checks_module, transition_module)  # both import ``verify`` by name: replace it there
    saved = [module.__dict__["verify"] for module in modules]
    for module in modules:
        module.__dict__["verify"] = lambda *args: True
    try:
        yield
    finally:
        for module, verify in zip(modules, saved, strict=True):
            module.__dict__["verify"] = verify


# ---------------------------------------------------------------- HTTP


def serve_for_benchmark(data_dir: Path, port: int, landed: bool) -> None:
    """The sequencer the HTTP benchmark talks to (run in its own process), on the landed path if ``landed``."""
    queue = FileRequests(data_dir / "queue.json")
    config = ServiceConfig(data_dir / "data", TREE, SLOTS, (MARKET,), max_batch_wait_s=1, poll_interval_s=0.05)
    service = SequencerService(config, Account.from_key(OPERATOR_KEY), l1=queue)
    if landed:
        with landed_path():
            serve(service, "127.0.0.1", port, log_level="warning")
    else:
        serve(service, "127.0.0.1", port, log_level="warning")


def order_body(command: PlaceOrder) -> dict[str, Any]:
    """The API document of an order."""
    order, signature = command.signed.order, command.signed.signature
    return {
        "market": command.market,
        "order": {
            "account_index": order.account_index,
            "order_id": order.order_id,
            "side": "buy" if order.side == Side.BUY else "sell",
            "price": str(order.price),
            "amount": str(order.amount),
            "max_fee_bps": order.max_fee_bps,
            "expiry": str(order.expiry),
            "kind": order.kind.value,
        },
        "signature": {"r8x": str(signature.r8x), "r8y": str(signature.r8y), "s": str(signature.s)},
    }


@dataclass(frozen=True)
class Sustained:
    """An open-loop run at a high offered load: how fast the answers came and how late."""

    offered: float
    answered: int
    rate: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class HttpFigures:
    """One sequencer process measured over HTTP: latency at an offered load, then capacity."""

    acknowledged: int
    refused: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    capacity: float
    sustained: Sustained | None


def http_figures(
    bodies: list[dict[str, Any]], rate: float, seconds: float, senders: int, sustained_rate: float | None, landed: bool
) -> HttpFigures:
    """
    Run a sequencer process: latency at ``rate`` orders/s for ``seconds``,
    then capacity with ``senders`` clients, then (if ``sustained_rate``) an
    open loop at that rate for ``seconds``, last because it takes the log past
    a periodic checkpoint, whose forked child then shares the cores.
    """
    warm_up, offered = 20, int(rate * seconds)
    high = int((sustained_rate or 0) * seconds)
    with tempfile.TemporaryDirectory(prefix="matchproof-bench-") as scratch:
        directory = Path(scratch)
        FileRequests(directory / "queue.json").write(list(funding()))
        port = 18_000 + os.getpid() % 1000 + (1 if landed else 0)
        serve_command = [sys.executable, "-m", "bench.sequencer_bench", "serve", str(directory), str(port)]
        process = subprocess.Popen(serve_command + (["landed"] if landed else []))
        url = f"http://{HOST}:{port}"
        try:
            wait_until_funded(url, len(funding()))
            for body in bodies[:warm_up]:  # the first requests pay for lazy imports
                httpx.post(f"{url}/v1/orders", json=body)
            requests = [post_request(HOST, port, "/v1/orders", body) for body in bodies[warm_up:]]
            run = asyncio.run(open_loop(HOST, port, requests[:offered], rate, OPEN_LOOP_CONNECTIONS))
            capacity_run = closed_loop(HOST, port, requests[offered : len(requests) - high], senders, seconds)
            acknowledged, taken = asyncio.run(capacity_run)
            sustained = None
            if sustained_rate:
                last = requests[len(requests) - high :]
                high_run = asyncio.run(open_loop(HOST, port, last, sustained_rate, OPEN_LOOP_CONNECTIONS))
                answered = len(high_run.latencies) + high_run.refused
                late = sorted(high_run.latencies)
                sustained = Sustained(
                    sustained_rate,
                    answered,
                    answered / high_run.seconds,
                    statistics.median(late) * 1e3,
                    late[min(len(late) - 1, int(len(late) * 0.99))] * 1e3,
                )
        finally:
            process.terminate()
            process.wait()
    ordered = sorted(run.latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return HttpFigures(
        len(ordered),
        run.refused,
        statistics.median(ordered) * 1e3,
        p99 * 1e3,
        ordered[-1] * 1e3,
        acknowledged / taken,
        sustained,
    )


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


def main() -> None:
    """Run the benchmarks and print their figures, each beside the landed path's."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000, help="orders in the matching stream")
    parser.add_argument("--rate", type=float, default=1000.0, help="offered HTTP load, orders per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each HTTP run")
    parser.add_argument("--senders", type=int, default=32, help="concurrent clients of the capacity run")
    parser.add_argument(
        "--sustained-rate",
        type=float,
        default=2000.0,
        help="offered HTTP load of the sustained run (this path only; 0 skips it)",
    )
    parser.add_argument("--requests", type=int, default=1_000_000, help="log entries before the timed restart")
    parser.add_argument("--checkpoint-every", type=int, default=ServiceConfig.checkpoint_every, help="log entries between checkpoints")
    args = parser.parse_args()
    http_orders = 20 + int((args.rate + args.sustained_rate) * args.seconds) + int(3000 * args.seconds)
    tail = 3 * args.checkpoint_every  # some are refused (a trader's slots wrap around): the tail skips them
    print(f"signing {args.orders + http_orders + tail + args.checkpoint_every} orders ...", flush=True)
    commands = order_stream(args.orders, seed=1)
    bodies = [order_body(c) for c in order_stream(http_orders, seed=2)]
    tail_orders = order_stream(tail, seed=3)
    # Replay is measured over a checkpoint interval of orders: at most what a restart replays after its checkpoint.
    replayed_orders = order_stream(args.checkpoint_every, seed=4)
    print(
        f"matching, {args.orders} orders of {TRADERS} traders (limit, IOC, post-only around one price); "
        f"trees: {TREE.account_depth}-level accounts, {TREE.order_depth}-level orders:"
    )
    book = book_throughput(commands)
    print(f"  book alone:                           {book:10.0f} orders/s (median of {BOOK_RUNS} passes)")
    with signature_checks_off():
        rate, trades, refused = operator_throughput(commands)
    print(f"  operator, signature checks off:       {rate:10.0f} orders/s ({trades} trades, {refused} refused)")
    with landed_path():
        baseline, _, _ = operator_throughput(commands)
    print(f"  operator, landed path (the baseline): {baseline:10.0f} orders/s  (Python verifier, plain Poseidon)")
    native, _, _ = operator_throughput(commands)
    print(f"  operator, native verifier and hash:   {native:10.0f} orders/s  x{native / baseline:.1f}")
    ahead = ahead_and_operator_throughput(commands)
    print(f"  checked ahead in parallel + engine:   {ahead:10.0f} orders/s  x{ahead / baseline:.1f}")

    machine, entries = logged_orders(replayed_orders)
    with landed_path():
        landed_replay = replay_rate(entries, ahead=False)
    replay = replay_rate(entries, ahead=True)
    write_s, load_s, size = checkpoint_seconds(machine)
    print(f"replay of {len(entries)} logged orders (a checkpoint interval's, less the refused):")
    print(f"  landed path, one by one:              {landed_replay:10.0f} entries/s")
    print(f"  checked ahead in chunks (replay_all): {replay:10.0f} entries/s  x{replay / landed_replay:.1f}")
    print(f"  checkpoint of that state: {size / 1e6:.2f} MB, written in {write_s:.3f} s, loaded in {load_s:.3f} s")

    print(f"building a log of {args.requests:,} requests (checkpoint every {args.checkpoint_every:,}) ...", flush=True)
    restart = restart_after(args.requests, args.checkpoint_every, iter(tail_orders))
    print(
        f"restart after {restart.entries:,} logged requests: {restart.restart_s:.2f} s "
        f"(checkpoint of {restart.checkpoint_bytes / 1e6:.1f} MB, written by a forked child in "
        f"{restart.checkpoint_write_s:.2f} s while the parent paused {restart.fork_s * 1e3:.0f} ms to fork; "
        f"then a tail of {restart.tail:,} entries, signed orders); "
        f"full replay on the landed path {restart.full_replay_s:.2f} s  x{restart.full_replay_s / restart.restart_s:.1f}"
    )

    print("HTTP intake (loopback; each acknowledgment after the fsync'd log write and a signed receipt):")
    figures = {}
    for name, landed in (("landed path", True), ("this path", False)):
        sustained_rate = None if landed else args.sustained_rate
        figure = http_figures(bodies, args.rate, args.seconds, args.senders, sustained_rate, landed)
        figures[name] = figure
        print(
            f"  {name:12s} {args.rate:.0f}/s offered for {args.seconds:.0f} s: {figure.acknowledged} acknowledged, "
            f"{figure.refused} refused; p50 {figure.p50_ms:.1f} ms, p99 {figure.p99_ms:.1f} ms, "
            f"max {figure.max_ms:.1f} ms; capacity ({args.senders} clients) {figure.capacity:.0f} orders/s"
        )
    old, new = figures["landed path"], figures["this path"]
    if new.sustained is not None:
        high = new.sustained
        print(
            f"  this path    {high.offered:.0f}/s offered for {args.seconds:.0f} s (open loop): "
            f"{high.answered} answered at {high.rate:.0f}/s; p50 {high.p50_ms:.1f} ms, p99 {high.p99_ms:.1f} ms"
        )
    print(f"  ratios: capacity x{new.capacity / old.capacity:.1f}, p99 latency x{old.p99_ms / new.p99_ms:.1f} lower")


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve_for_benchmark(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4:5] == ["landed"])
    else:
        main()
