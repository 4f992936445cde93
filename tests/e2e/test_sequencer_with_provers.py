"""
The whole system as separate processes: ``matchproof sequencer
--remote-provers`` against a real anvil deployment, one or two ``matchproof
prover`` workers leasing its batches over HTTP, and traders talking to its API. Their
trade is proven by a worker and verified on L1, batches in order, the
sequencer's ``/metrics`` tells an operator what happened, and its explorer
shows each batch verified with its L1 transaction, in a real browser.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from prover import CircuitArtifacts
from sequencer.client.http import SequencerClient
from sequencer.client.trader import Trader, next_order_id
from sequencer.devnet import Devnet, devnet_market
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.spec.constants import Side
from sequencer.service.prover_auth import PROVER_TOKEN_ENV, add_key
from tests.e2e.conftest import UNIT, USDC, WETH
from tests.web.browser import browser_page, screenshot

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def matchproof(*args: str, env: dict[str, str] | None = None, log: Path) -> subprocess.Popen[bytes]:
    """A ``matchproof`` process (in its own session, so the test can stop it and its children)."""
    return subprocess.Popen(
        [sys.executable, "-m", "sequencer.cli", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture
def node() -> Iterator[AnvilNode]:
    with start_anvil() as anvil:
        yield anvil


@pytest.fixture(params=[1, 2], ids=["one worker", "two workers"])
def workers(request: pytest.FixtureRequest) -> int:
    """How many prover workers run."""
    return int(request.param)


@pytest.fixture
def system(node: AnvilNode, circuit: CircuitArtifacts, tmp_path: Path, workers: int) -> Iterator[tuple[Devnet, str, Path]]:
    """The rollup deployed, the sequencer and its workers running; yields the devnet, the API URL and the log folder."""
    devnet = Devnet.deploy(node.web3(), node.accounts()[0], circuit)
    devnet.deployment.save(tmp_path / "deployment.json")
    market = devnet_market()
    (tmp_path / "markets.json").write_text(json.dumps({"markets": [{
        "name": market.name, "base_token": market.base_token, "quote_token": market.quote_token,
        "tick_size": str(market.tick_size), "lot_size": str(market.lot_size), "min_amount": str(market.min_amount),
        "maker_fee_bps": market.maker_fee_bps, "taker_fee_bps": market.taker_fee_bps,
    }]}))  # fmt: skip
    url = f"http://127.0.0.1:{free_port()}"
    keys = tmp_path / "prover-keys.json"
    tokens = {name: add_key(keys, name) for name in (f"w{n}" for n in range(1, workers + 1))}
    processes = [
        matchproof(
            "sequencer", "--rpc", node.url, "--deployment", str(tmp_path / "deployment.json"),
            "--markets", str(tmp_path / "markets.json"), "--circuit", circuit.config.name,
            "--data-dir", str(tmp_path / "data"), "--remote-provers", "--prover-keys", str(keys), "--lease-seconds", "30",
            "--max-batch-wait", "1", "--poll-interval", "0.2", "--port", url.rsplit(":", 1)[1],
            env={"MATCHPROOF_OPERATOR_PRIVATE_KEY": "0x" + bytes(node.accounts()[0].key).hex()},
            log=tmp_path / "sequencer.log",
        ),  # fmt: skip
        *(
            matchproof(
                "prover", "--sequencer", url, "--config", circuit.config.name,
                env={PROVER_TOKEN_ENV: token}, log=tmp_path / f"{name}.log",
            )  # fmt: skip
            for name, token in tokens.items()
        ),
    ]
    try:
        wait_for(lambda: _answers(url), 120, "the sequencer")
        yield devnet, url, tmp_path
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _answers(url: str) -> bool:
    """Whether the sequencer's API is up."""
    try:
        return httpx.get(f"{url}/v1/info", timeout=2).is_success
    except httpx.HTTPError:
        return False


def metric(url: str, name: str) -> float:
    """One sample of the sequencer's /metrics."""
    for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics")


def test_trade_proven_by_remote_workers_and_verified_on_l1(
    system: tuple[Devnet, str, Path], node: AnvilNode, workers: int
) -> None:
    devnet, url, logs = system
    alice, bob = node.accounts()[1], node.accounts()[2]
    devnet.mint(WETH, alice.address, 10 * UNIT)
    devnet.mint(USDC, bob.address, 10_000 * UNIT)
    devnet.rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
    devnet.rollup.deposit(bob, USDC, 10_000 * UNIT, devnet.l2_key(bob).public_key)

    with SequencerClient(url) as client:
        wait_for(lambda: client.status().l1_requests == 3, 60, "the L1 requests")
        info = client.info()
        market = client.market("WETH-USDC")
        traders = {}
        for name, account in (("alice", alice), ("bob", bob)):
            traders[name] = Trader.from_eth_account(account, info, client.account_by_address(account.address).account_index)
        expiry = devnet.now() + 3600
        sell = traders["alice"].order(market, next_order_id(client.account(traders["alice"].account_index)), Side.SELL, 2000 * UNIT, 2 * UNIT, 50, expiry)
        client.place_order(sell)
        buy = traders["bob"].order(market, next_order_id(client.account(traders["bob"].account_index)), Side.BUY, 2000 * UNIT, UNIT, 50, expiry)
        placed = client.place_order(buy)
        acknowledged = time.monotonic()
        assert [t.base for t in placed.trades] == [UNIT]

        def all_verified() -> bool:
            sealed = [b for b in client.batches(limit=100) if b.status != "open"]
            return bool(sealed) and all(b.status == "verified" for b in sealed) and sum(b.trades for b in sealed) == 1

        wait_for(all_verified, 300, "every batch verified on L1")
        latency = time.monotonic() - acknowledged
        sealed = [b for b in client.batches(limit=100) if b.status != "open"]

    # Each sealed batch verified once, in order, by the contract.
    events = devnet.rollup.contract.events.BatchVerified().get_logs(from_block=devnet.deployment.block_number)
    assert [int(e["args"]["batchNumber"]) for e in events] == list(range(1, len(sealed) + 1))
    assert devnet.rollup.last_batch() == len(sealed)
    assert metric(url, 'matchproof_batches{status="verified"}') == len(sealed)
    assert metric(url, "matchproof_l1_requests_pending") == 0
    assert metric(url, "matchproof_l1_gas_spent_total") > 0
    assert metric(url, "matchproof_proving_seconds_count") == len(sealed)
    assert metric(url, "matchproof_proving_queue_depth") == 0
    worker_logs = "".join(path.read_text() for path in logs.glob("w*.log"))
    assert worker_logs.count("step=done") == len(sealed)

    with browser_page() as page:
        page.goto(f"{url}/explorer/batches")
        for batch in sealed:
            row = page.locator("#batches tr").filter(has=page.get_by_role("link", name=str(batch.number), exact=True))
            expect(row.locator(".badge")).to_have_text("verified")
            assert batch.l1_tx is not None and batch.l1_gas is not None
            assert batch.l1_gas == devnet.w3.eth.get_transaction_receipt(batch.l1_tx)["gasUsed"]
            expect(row.locator("code.tx")).to_have_text(batch.l1_tx)
            expect(row.locator("td").last).to_have_text(f"{batch.l1_gas:,}")
        screenshot(page, "explorer-batches")
    print(f"{workers} worker(s): order acknowledged -> its batch verified on L1 in {latency:.1f} s")
