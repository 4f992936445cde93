"""
The production processes on this machine, for the devnet demo: a
``matchproof sequencer`` serving a deployment on a local chain, and
``matchproof prover`` workers leasing its batches with keys of their own.
Each runs as its own process, exactly as an operator would start it, and
logs to a file in the scratch folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import httpx
from eth_account.signers.local import LocalAccount

from sequencer.engine.market import Market
from sequencer.engine.perp_market import PerpMarketRules
from sequencer.l1.deploy import Deployment, TestTokenSpec
from sequencer.l1.paths import REPO_ROOT
from sequencer.keystore import OPERATOR_KEY_ENV
from sequencer.oracle.feeder import OracleKeys
from sequencer.service.prover_auth import PROVER_TOKEN_ENV, add_key

STARTUP_TIMEOUT_S = 300.0
"""How long the sequencer may take to start (it builds or loads the circuit first)."""


def free_port() -> int:
    """A TCP port nothing listens on now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_port_block(span: int) -> int:
    """
    The first of ``span`` consecutive loopback ports nothing listens on now,
    below Linux's ephemeral range (from 32768), where no outgoing
    connection's port can take one before its server binds it (a set of
    nodes binds its ports only once every node starts).

    Raises
    ------
    OSError
        No such block was found in 100 tries.
    """
    for _ in range(100):
        base = random.randrange(20_000, 32_768 - span)
        try:
            with contextlib.ExitStack() as probes:
                for port in range(base, base + span):
                    probe = probes.enter_context(socket.socket())
                    probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise OSError(f"no {span} free consecutive ports below 32768")


def start_matchproof(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A ``matchproof`` process (``args`` after the command's name) in its own session, logging to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sequencer.cli", *args],
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    """Stop a process started in its own session, and its children: SIGTERM, then SIGKILL after ``timeout_s``."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def markets_document(
    markets: Sequence[Market], tokens: Sequence[TestTokenSpec] = (), perpetual: Sequence[PerpMarketRules] = ()
) -> dict[str, object]:
    """
    The markets file's JSON for ``markets`` and the ``perpetual`` markets
    (``service.config.load_markets`` and ``load_perp_markets`` read it),
    with the symbol and decimals of ``tokens`` (token id = index) if given.
    """
    labels = {str(token): {"symbol": spec.symbol, "decimals": spec.decimals} for token, spec in enumerate(tokens)}
    return {
        **({"tokens": labels} if labels else {}),
        "markets": [
            {
                "name": m.name,
                "base_token": m.base_token,
                "quote_token": m.quote_token,
                "tick_size": str(m.tick_size),
                "lot_size": str(m.lot_size),
                "min_amount": str(m.min_amount),
                "maker_fee_bps": m.maker_fee_bps,
                "taker_fee_bps": m.taker_fee_bps,
            }
            for m in markets
        ],
        **(
            {
                "perpetual_markets": [
                    {
                        "name": rules.name,
                        "market": rules.market,
                        "maker_fee_bps": rules.maker_fee_bps,
                        "taker_fee_bps": rules.taker_fee_bps,
                        "min_size": rules.min_size,
                        "max_size": rules.max_size,
                    }
                    for rules in perpetual
                ]
            }
            if perpetual
            else {}
        ),
    }


class LocalSystem:
    """
    The sequencer and ``workers`` prover workers as processes, for a
    deployment on the chain at ``rpc``, and the oracle feeder when the
    deployment has perpetual markets; stopped (SIGTERM, then SIGKILL) on exit.
    """

    def __init__(
        self,
        scratch: Path,
        rpc: str,
        deployment: Deployment,
        markets: Sequence[Market],
        operator: LocalAccount,
        circuit: str,
        workers: int = 1,
        tokens: Sequence[TestTokenSpec] = (),
        perpetual: Sequence[PerpMarketRules] = (),
        oracles: OracleKeys | None = None,
        funding_interval_s: int = 60,
    ) -> None:
        """
        Prepare the files the processes read (nothing starts until ``with``);
        ``tokens`` label the explorer's amounts; ``perpetual`` markets are
        traded, priced by :meth:`feed` with the ``oracles``' keys, and funded
        every ``funding_interval_s`` seconds while a position is open.
        """
        self.scratch = scratch
        self.url = f"http://127.0.0.1:{free_port()}"
        scratch.mkdir(parents=True, exist_ok=True)
        deployment.save(scratch / "deployment.json")
        (scratch / "markets.json").write_text(json.dumps(markets_document(markets, tokens, perpetual)), encoding="utf-8")
        self.oracle_keys = scratch / "oracle-keys.json"
        if oracles is not None:
            oracles.save(self.oracle_keys)
        keys = scratch / "prover-keys.json"
        self._tokens = {name: add_key(keys, name) for name in (f"worker-{n}" for n in range(1, workers + 1))}
        self._sequencer_args = [
            "sequencer", "--rpc", rpc, "--deployment", str(scratch / "deployment.json"),
            "--markets", str(scratch / "markets.json"), "--circuit", circuit, "--data-dir", str(scratch / "data"),
            "--remote-provers", "--prover-keys", str(keys), "--max-batch-wait", "1", "--poll-interval", "0.2",
            "--port", self.url.rsplit(":", 1)[1], "--public-rpc", rpc, "--funding-interval", str(funding_interval_s),
        ]  # fmt: skip
        self._operator_key = "0x" + bytes(operator.key).hex()
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._feeds = 0

    def __enter__(self) -> LocalSystem:
        """Start the sequencer, wait until it answers, then start the workers."""
        self._start("sequencer", self._sequencer_args, {OPERATOR_KEY_ENV: self._operator_key})
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._answers():
            if self._processes["sequencer"].poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sequencer did not start; its log:\n{self.log_tail('sequencer')}")
            time.sleep(0.2)
        for name, token in self._tokens.items():
            self._start(name, ["prover", "--sequencer", self.url], {PROVER_TOKEN_ENV: token})
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def feed(self, prices: Sequence[int], quorum: int, market: int = 0, interval_s: float = 1.0) -> str:
        """
        Run ``matchproof oracle-feeder`` with the oracles' keys: it posts
        each price (in ticks) in turn, ``interval_s`` apart, signed by
        ``quorum`` oracles. Returns what it printed (the prices, and the
        accounts each closed).

        Raises
        ------
        RuntimeError
            The feeder failed (its log says why).
        """
        if not self.oracle_keys.exists():
            raise RuntimeError("this deployment has no oracle keys: it has no perpetual markets")
        args = [
            "oracle-feeder", "--sequencer", self.url, "--keys", str(self.oracle_keys), "--market", str(market),
            "--quorum", str(quorum), "--prices", ",".join(str(price) for price in prices), "--interval", str(interval_s),
        ]  # fmt: skip
        self._feeds += 1
        name = f"feeder-{self._feeds}"
        self._start(name, args, {})
        feeder = self._processes.pop(name)  # it exits when done: not one of the processes that must keep running
        try:
            status = feeder.wait(timeout=60 + interval_s * len(prices))
        except subprocess.TimeoutExpired:
            os.killpg(feeder.pid, signal.SIGKILL)
            feeder.wait()
            status = -signal.SIGKILL
        if status != 0:
            raise RuntimeError(f"the oracle feeder failed; its log:\n{self.log_tail(name)}")
        return (self.scratch / f"{name}.log").read_text(encoding="utf-8")

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The last lines of a process's log."""
        path = self.scratch / f"{name}.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def check_running(self) -> None:
        """Raise ``RuntimeError`` with its log if a process died."""
        for name, process in self._processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with status {process.returncode}; its log:\n{self.log_tail(name)}")

    def stop(self) -> None:
        """Stop every process: workers first, then the sequencer."""
        for name in reversed(list(self._processes)):
            stop_process(self._processes[name])

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        """One ``matchproof`` process in its own session, logging to ``<name>.log``."""
        self._processes[name] = start_matchproof(args, self.scratch / f"{name}.log", env)

    def _answers(self) -> bool:
        """Whether the sequencer's API is up."""
        try:
            return httpx.get(f"{self.url}/v1/info", timeout=2).is_success
        except httpx.HTTPError:
            return False
