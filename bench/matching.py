"""
Sequencer throughput without the network: the order book alone, and the
operator's whole intake (signature check, balance and slot checks, matching,
and the state update of every trade), each in one Python thread.

Both streams are deterministic (a seeded generator in the harness; the
engine itself reads no randomness). Orders are built, and for the intake
signed, before the clock starts, so only the sequencer's work is timed.

The HTTP service's figures (intake latency at an offered load, capacity,
replay) come from ``bench/sequencer_bench.py``, which the sequencer's
engineers maintain: ``sequencer_bench`` runs it as its own process, with its
own defaults, and keeps what it prints.
"""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.measure import median, percentile
from bench.paths import BENCH_DIR, REPO_ROOT
from sequencer.crypto.eddsa import Signature
from sequencer.crypto.keys import L2Keypair
from sequencer.devnet import devnet_market
from sequencer.engine.book import OrderBook
from sequencer.engine.market import Market
from sequencer.engine.orders import OrderRecord
from sequencer.spec.constants import Side, TreeConfig
from sequencer.engine.operator import Operator
from sequencer.spec.transactions import Deposit, Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, OrderId, Price, Timestamp, TokenId

SEED = 20_240_601
NOW = Timestamp(1_700_000_000)
EXPIRY = Timestamp(NOW + 86_400)
MID_TICKS = 2_000_000
"""The book's mid price in ticks of the devnet market (2,000 USDC)."""
SPREAD_TICKS = 10
MAX_LOTS = 20
BOOK_ACCOUNTS = 64
INTAKE_TREE = TreeConfig(8, 2, 4)
"""The devnet configuration's tree depths."""
INTAKE_TRADERS = 16
FUNDING = (Amount(1_000 * 10**18), Amount(10_000_000 * 10**18))
"""Each intake trader's deposit of base and of quote."""
PLACEHOLDER = Signature(0, 0, 0)
"""The book never reads signatures: its orders carry this one."""
SEQUENCER_BENCH = BENCH_DIR / "sequencer_bench.py"
SEQUENCER_BENCH_TIMEOUT_S = 1200


@dataclass(frozen=True)
class Throughput:
    """Orders per second (median over runs) and per-order latency quantiles over every run's orders."""

    what: str
    orders_per_run: int
    runs: int
    orders_per_second: float
    trades_per_run: int
    latency_us_p50: float
    latency_us_p99: float
    latency_us_p999: float


def _throughput(what: str, orders: int, trades: int, run_seconds: list[float], latencies_ns: list[int]) -> Throughput:
    """Summarise runs of ``orders`` orders each."""
    microseconds = [ns / 1_000 for ns in latencies_ns]
    return Throughput(
        what=what,
        orders_per_run=orders,
        runs=len(run_seconds),
        orders_per_second=round(orders / median(run_seconds), 1),
        trades_per_run=trades,
        latency_us_p50=round(percentile(microseconds, 0.50), 2),
        latency_us_p99=round(percentile(microseconds, 0.99), 2),
        latency_us_p999=round(percentile(microseconds, 0.999), 2),
    )


def _book_stream(market: Market, count: int, rng: random.Random) -> list[OrderRecord]:
    """Limit orders around the mid price, either side, of 1..MAX_LOTS lots; about half of them cross."""
    records = []
    for sequence in range(1, count + 1):
        side = Side(rng.randrange(2))
        offset = rng.randrange(-SPREAD_TICKS, SPREAD_TICKS + 1)
        order = Order(
            AccountIndex(1 + rng.randrange(BOOK_ACCOUNTS)),
            OrderId(sequence),
            market.base_token,
            market.quote_token,
            side,
            Price((MID_TICKS + offset) * market.tick_size),
            Amount(market.lot_size * (1 + rng.randrange(MAX_LOTS))),
            30,
            EXPIRY,
        )
        records.append(OrderRecord(market.name, SignedOrder(order, PLACEHOLDER), None, sequence, NOW))
    return records


def book_throughput(orders: int, runs: int) -> Throughput:
    """Match ``orders`` limit orders against ``OrderBook`` alone, resting what is left, ``runs`` times."""
    market = devnet_market()
    run_seconds: list[float] = []
    latencies: list[int] = []
    trades = 0
    for run in range(runs):
        records = _book_stream(market, orders, random.Random(SEED + run))
        book = OrderBook(market)
        trades = 0
        started = time.perf_counter()
        for record in records:
            before = time.perf_counter_ns()
            match = book.match(record)
            if record.remaining > 0:
                book.add(record)
            latencies.append(time.perf_counter_ns() - before)
            trades += len(match.fills)
        run_seconds.append(time.perf_counter() - started)
    return _throughput(
        "order book only: match and rest, no signature or balance checks", orders, trades, run_seconds, latencies
    )


def _trader_key(index: int) -> L2Keypair:
    return L2Keypair.from_private_key(hashlib.sha256(f"matchproof bench trader {index}".encode()).digest())


def _funded_operator(market: Market, keys: list[L2Keypair]) -> Operator:
    """An operator whose fee account and ``keys``' accounts exist, each trader funded with ``FUNDING``."""
    operator = Operator.genesis(INTAKE_TREE, 2, [market])
    requests = [
        Deposit(
            AccountIndex(0),
            EthAddress(0xFEE),
            FieldElement(keys[0].public_key.ax),
            FieldElement(keys[0].public_key.ay),
            TokenId(0),
            Amount(0),
        )
    ]
    for index, key in enumerate(keys[1:], start=1):
        for token, amount in zip((market.base_token, market.quote_token), FUNDING, strict=True):
            requests.append(
                Deposit(
                    AccountIndex(index),
                    EthAddress(0x1000 + index),
                    FieldElement(key.public_key.ax),
                    FieldElement(key.public_key.ay),
                    token,
                    amount,
                )
            )
    for position, request in enumerate(requests):
        operator.add_l1_request(position, request, NOW)
    return operator


def _intake_stream(market: Market, keys: list[L2Keypair], count: int, rng: random.Random) -> list[SignedOrder]:
    """
    Signed order pairs: a maker rests a limit order, then another trader's
    order takes all of it. Every other order trades, each maker has one open
    order at a time, and order ids only grow per account.
    """
    next_id = [0] * len(keys)
    orders = []
    for pair in range(count // 2):
        maker, taker = rng.sample(range(1, len(keys)), 2)
        side = Side(pair % 2)
        price = Price((MID_TICKS + rng.randrange(-SPREAD_TICKS, SPREAD_TICKS + 1)) * market.tick_size)
        amount = Amount(market.lot_size * (1 + rng.randrange(MAX_LOTS)))
        for account, order_side in ((maker, side), (taker, Side(1 - side))):
            next_id[account] += 1
            order = Order(
                AccountIndex(account), OrderId(next_id[account]), market.base_token, market.quote_token,
                order_side, price, amount, 30, EXPIRY,
            )  # fmt: skip
            orders.append(SignedOrder(order, keys[account].sign(order.message_hash())))
    return orders


def intake_throughput(orders: int, runs: int) -> Throughput:
    """Place ``orders`` signed orders on a funded operator (EdDSA checks on), ``runs`` times."""
    market = devnet_market()
    keys = [_trader_key(index) for index in range(INTAKE_TRADERS + 1)]
    run_seconds: list[float] = []
    latencies: list[int] = []
    trades = 0
    for run in range(runs):
        stream = _intake_stream(market, keys, orders, random.Random(SEED + run))
        operator = _funded_operator(market, keys)
        trades = 0
        started = time.perf_counter()
        for signed in stream:
            before = time.perf_counter_ns()
            trades += len(operator.place_order(market.name, signed, NOW))
            latencies.append(time.perf_counter_ns() - before)
        run_seconds.append(time.perf_counter() - started)
    return _throughput(
        "operator intake in-process: EdDSA signature, balance and slot checks, matching, "
        "state update per trade (no HTTP)",
        len(stream),
        trades,
        run_seconds,
        latencies,
    )


@dataclass(frozen=True)
class ScriptRun:
    """A benchmark script run as its own process: its command, exit status, wall time and output."""

    command: list[str]
    returncode: int
    seconds: float
    output: str


def sequencer_bench(script: Path = SEQUENCER_BENCH) -> ScriptRun | None:
    """
    Run the HTTP sequencer benchmark with its defaults and keep its output;
    None if the script is not in this tree. A failure or a timeout is
    recorded in the result (exit status and output), not raised.
    """
    if not script.is_file():
        return None
    command = [sys.executable, "-m", f"bench.{script.stem}"]
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=SEQUENCER_BENCH_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        output = error.stdout.decode(errors="replace") if isinstance(error.stdout, bytes) else (error.stdout or "")
        output += f"\n(timed out after {SEQUENCER_BENCH_TIMEOUT_S} s)"
        return ScriptRun(["python", *command[1:]], -1, round(time.monotonic() - started, 1), output.strip())
    output = completed.stdout + (f"\n{completed.stderr[-2000:]}" if completed.returncode else "")
    return ScriptRun(
        ["python", *command[1:]], completed.returncode, round(time.monotonic() - started, 1), output.strip()
    )
