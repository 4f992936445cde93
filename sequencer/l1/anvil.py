"""Run a real anvil (a local Ethereum node) for development and tests.

    with start_anvil() as node:
        w3 = node.web3()
        deployer = node.accounts()[0]

The binary is the native one from npm ``@foundry-rs/anvil`` (1.7.1) under
``node_modules``. The hardfork is pinned (``HARDFORK``) so gas figures are
reproducible, and the EIP-7825 per-transaction gas cap (2^24) that mainnet
enforces since Osaka is switched on by default.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from sequencer.l1.paths import ANVIL_BINARY

HARDFORK = "osaka"
"""Pinned: mainnet's fork (anvil 1.7.1's default is a later blob-parameter-only fork with the same EVM)."""

DEFAULT_CHAIN_ID = 31337
STARTUP_TIMEOUT_S = 30.0
_PORT_ATTEMPTS = 3


class AnvilError(Exception):
    """anvil did not start, or stopped answering."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    request = urllib.request.Request(
        url,
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=1.0) as response:
            return "result" in json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return False


def _read_config(path: Path) -> dict[str, Any] | None:
    """anvil's ``--config-out`` JSON, or None while it is missing or half-written."""
    try:
        config: dict[str, Any] = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return config if "private_keys" in config else None


@dataclass
class AnvilNode:
    """A running anvil process. Stop it with ``stop()`` or use it as a context manager."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    chain_id: int
    hardfork: str
    private_keys: tuple[str, ...]
    """The funded dev accounts' keys, as anvil reported them (``--config-out``)."""
    workdir: Path
    """Holds anvil's log (``anvil.log``) and config output; removed by ``stop()``."""
    _stopped: bool = field(default=False, repr=False)

    def web3(self, *, timeout_s: float = 60.0) -> Web3:
        """A web3 client for this node."""
        return Web3(HTTPProvider(self.url, request_kwargs={"timeout": timeout_s}))

    def accounts(self) -> list[LocalAccount]:
        """The funded dev accounts as eth-account signers."""
        return [Account.from_key(key) for key in self.private_keys]

    def log(self) -> str:
        """anvil's output so far."""
        path = self.workdir / "anvil.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    def stop(self, timeout_s: float = 10.0) -> None:
        """Terminate anvil (kill it if it does not exit in time) and remove its files."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> AnvilNode:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_anvil(
    *,
    hardfork: str = HARDFORK,
    chain_id: int = DEFAULT_CHAIN_ID,
    accounts: int = 10,
    balance_eth: int = 10_000,
    block_time_s: int | None = None,
    tx_gas_limit_cap: bool = True,
    extra_args: Sequence[str] = (),
    binary: Path = ANVIL_BINARY,
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
) -> AnvilNode:
    """Start anvil on a free local port and wait until it answers JSON-RPC.

    Mines a block per transaction unless ``block_time_s`` is given.
    ``tx_gas_limit_cap`` enforces EIP-7825's 2^24 gas per transaction.
    Raises ``AnvilError`` if it does not come up within ``startup_timeout_s``.
    """
    if not binary.is_file():
        raise AnvilError(f"anvil binary not found at {binary} (run scripts/bootstrap)")
    last_error = ""
    for _ in range(_PORT_ATTEMPTS):
        workdir = Path(tempfile.mkdtemp(prefix="matchproof-anvil-"))
        port = _free_port()
        config_out = workdir / "config.json"
        command = [
            str(binary),
            "--host", "127.0.0.1",
            "--port", str(port),
            "--hardfork", hardfork,
            "--chain-id", str(chain_id),
            "--accounts", str(accounts),
            "--balance", str(balance_eth),
            "--config-out", str(config_out),
        ]  # fmt: skip
        if block_time_s is not None:
            command += ["--block-time", str(block_time_s)]
        if tx_gas_limit_cap:
            command.append("--enable-tx-gas-limit")
        command += list(extra_args)
        with (workdir / "anvil.log").open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + startup_timeout_s
        while time.monotonic() < deadline and process.poll() is None:
            config = _read_config(config_out) if _answers(url) else None
            if config is not None:
                return AnvilNode(
                    process=process,
                    url=url,
                    port=port,
                    chain_id=chain_id,
                    hardfork=hardfork,
                    private_keys=tuple(config["private_keys"]),
                    workdir=workdir,
                )
            time.sleep(0.05)
        node = AnvilNode(process, url, port, chain_id, hardfork, (), workdir)
        last_error = node.log()[-2000:]
        exited = process.poll() is not None
        node.stop()
        if not exited:
            raise AnvilError(f"anvil did not answer within {startup_timeout_s} s:\n{last_error}")
        # It exited: most likely the port was taken between choosing and binding it. Retry.
    raise AnvilError(f"anvil failed to start {_PORT_ATTEMPTS} times; last output:\n{last_error}")
