"""
The CometBFT program the sequencer set runs on: its pinned release, where
the project installs it, and a set of node homes on one machine.

``scripts/bootstrap`` builds ``COMETBFT_VERSION`` with ``go install`` into
``.venv/bin`` and generates the Python modules of its ABCI protobuf
definitions from the same release (``scripts/gen_abci_proto.py``).

:func:`init_set` lays out the homes of an N-validator set on loopback with
``cometbft testnet`` (keys, a shared genesis) and gives each node its own
ports on 127.0.0.1: peer-to-peer, RPC (where traders' transactions and
queries go), the ABCI address its sequencer application listens on, and
CometBFT's Prometheus metrics (``+ 4``); the genesis turns on vote
extensions, which carry decryption shares.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sequencer.l1.paths import REPO_ROOT

COMETBFT_VERSION = "v0.38.26"
"""The CometBFT release: 0.38 is the line with ABCI 2.0 (FinalizeBlock, vote extensions) that chains run today."""

TIMEOUT_COMMIT = "500ms"
"""How long a node waits after a commit before the next height: the block interval on an idle set."""


VOTE_EXTENSIONS_FROM = 1
"""The first height whose precommits carry vote extensions (``consensus.encrypted``'s decryption shares)."""


class CometBFTUnavailable(Exception):
    """The pinned CometBFT is not installed (run ``scripts/bootstrap``), or another version is."""


def cometbft_binary() -> Path:
    """
    The project's CometBFT: ``.venv/bin/cometbft``, else one on the PATH,
    of the pinned version.

    Raises
    ------
    CometBFTUnavailable
        None is installed, or not the pinned version.
    """
    installed = REPO_ROOT / ".venv" / "bin" / "cometbft"
    found = installed if installed.is_file() else shutil.which("cometbft")
    if found is None:
        raise CometBFTUnavailable("cometbft is not installed: run scripts/bootstrap")
    version = subprocess.run([str(found), "version"], capture_output=True, text=True, check=True).stdout.strip()
    if f"v{version}" != COMETBFT_VERSION:
        raise CometBFTUnavailable(f"{found} is CometBFT {version}, not {COMETBFT_VERSION}: run scripts/bootstrap")
    return Path(found)


@dataclass(frozen=True)
class NodeHome:
    """One node's home folder and the loopback ports it listens on."""

    home: Path
    p2p_port: int
    rpc_port: int
    abci_port: int

    @property
    def rpc_url(self) -> str:
        """Where the node's CometBFT RPC answers (``broadcast_tx_*``, ``abci_query``, ``status``)."""
        return f"http://127.0.0.1:{self.rpc_port}"

    @classmethod
    def read(cls, home: Path) -> "NodeHome":
        """The ports a home's ``config/config.toml`` gives its node."""
        text = (home / "config" / "config.toml").read_text()
        return cls(
            home,
            _port(_get(text, "p2p", "laddr")),
            _port(_get(text, "rpc", "laddr")),
            _port(_get(text, "", "proxy_app")),
        )


PORTS_PER_NODE = 10
"""
Node ``i`` of a set on one machine has ports ``base + 10 i`` to ``+ 9``:
p2p, RPC, application, its API at ``+ 3`` and CometBFT's metrics at ``+ 4``.
"""


def api_port(base_port: int, node: int) -> int:
    """Where node ``node`` of a set laid out from ``base_port`` serves its HTTP API, by convention (``--api-port``)."""
    return base_port + PORTS_PER_NODE * node + 3


def init_set(directory: Path, nodes: int, base_port: int) -> list[NodeHome]:
    """
    Homes for ``nodes`` validators under ``directory`` (``node0`` ...), each
    with its own keys and the set's genesis; node ``i`` listens on
    ``base_port + 10 i`` (p2p), ``+ 1`` (RPC), ``+ 2`` (its application)
    and ``+ 4`` (CometBFT's metrics), all on 127.0.0.1, with the others as
    persistent peers. CometBFT's
    ``testnet`` draws every node's keys here, as a trusted dealer: a devnet's
    way; each operator of a real set makes its own (``cometbft init``).

    Raises
    ------
    ValueError
        The ports would run past 65535.
    """
    if not 0 < base_port <= 65535 - PORTS_PER_NODE * nodes:
        raise ValueError(f"base port {base_port} leaves no room for {nodes} nodes' ports")
    binary = cometbft_binary()
    subprocess.run(
        [str(binary), "testnet", "--v", str(nodes), "--n", "0", "--o", str(directory), "--starting-ip-address", "127.0.0.1"],
        check=True,
        capture_output=True,
    )
    first = [base_port + PORTS_PER_NODE * i for i in range(nodes)]
    homes = [NodeHome(directory / f"node{i}", port, port + 1, port + 2) for i, port in enumerate(first)]
    ids = [
        subprocess.run([str(binary), "show-node-id", "--home", str(h.home)], check=True, capture_output=True, text=True).stdout.strip()
        for h in homes
    ]
    for i, node in enumerate(homes):
        peers = ",".join(f"{ids[j]}@127.0.0.1:{other.p2p_port}" for j, other in enumerate(homes) if j != i)
        path = node.home / "config" / "config.toml"
        text = path.read_text()
        for section, key, value in (
            ("", "proxy_app", f'"tcp://127.0.0.1:{node.abci_port}"'),
            ("", "moniker", f'"sequencer{i}"'),
            ("rpc", "laddr", f'"tcp://127.0.0.1:{node.rpc_port}"'),
            ("p2p", "laddr", f'"tcp://127.0.0.1:{node.p2p_port}"'),
            ("p2p", "persistent_peers", f'"{peers}"'),
            ("p2p", "allow_duplicate_ip", "true"),
            ("p2p", "addr_book_strict", "false"),
            ("consensus", "timeout_commit", f'"{TIMEOUT_COMMIT}"'),
            ("instrumentation", "prometheus", "true"),
            ("instrumentation", "prometheus_listen_addr", f'"127.0.0.1:{node.p2p_port + 4}"'),
            # CheckTx reads nothing a block changes but keys, which never change: checking the
            # mempool again after every block would only re-verify its signatures.
            ("mempool", "recheck", "false"),
        ):
            text = _set(text, section, key, value)
        path.write_text(text)
        genesis_path = node.home / "config" / "genesis.json"
        genesis = json.loads(genesis_path.read_text())
        # Precommits carry the nodes' decryption shares of encrypted orders from the first block on.
        genesis["consensus_params"]["abci"]["vote_extensions_enable_height"] = str(VOTE_EXTENSIONS_FROM)
        genesis_path.write_text(json.dumps(genesis, indent=2) + "\n")
    return homes


def _section_span(text: str, section: str) -> tuple[int, int]:
    """Where ``[section]``'s keys are in a config.toml ("" for the top level, before the first section)."""
    if not section:
        first = re.search(r"^\[", text, re.MULTILINE)
        return 0, first.start() if first else len(text)
    header = re.search(rf"^\[{re.escape(section)}\]\s*$", text, re.MULTILINE)
    if header is None:
        raise ValueError(f"config.toml has no [{section}]")
    following = re.search(r"^\[", text[header.end() :], re.MULTILINE)
    return header.end(), header.end() + following.start() if following else len(text)


def _set(text: str, section: str, key: str, value: str) -> str:
    """``text`` with ``key = value`` in ``section`` (the key must be there already, as cometbft writes every key)."""
    start, end = _section_span(text, section)
    body, count = re.subn(rf"^{re.escape(key)} = .*$", f"{key} = {value}", text[start:end], count=1, flags=re.MULTILINE)
    if count != 1:
        raise ValueError(f"config.toml has no {key} in [{section or 'top level'}]")
    return text[:start] + body + text[end:]


def _get(text: str, section: str, key: str) -> str:
    """The value of ``key`` in ``section``, unquoted."""
    start, end = _section_span(text, section)
    found = re.search(rf"^{re.escape(key)} = (.*)$", text[start:end], re.MULTILINE)
    if found is None:
        raise ValueError(f"config.toml has no {key} in [{section or 'top level'}]")
    return found.group(1).strip().strip('"')


def _port(address: str) -> int:
    """The port of ``tcp://host:port``."""
    return int(address.rsplit(":", 1)[1])
