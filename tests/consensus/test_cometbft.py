"""The pinned CometBFT, and the homes ``matchproof node init`` lays out for a set on one machine."""

import json
import subprocess
from pathlib import Path

from sequencer.consensus.cometbft import COMETBFT_VERSION, NodeHome, cometbft_binary, init_set


def test_the_installed_cometbft_is_the_pinned_release() -> None:
    version = subprocess.run([str(cometbft_binary()), "version"], capture_output=True, text=True, check=True).stdout
    assert f"v{version.strip()}" == COMETBFT_VERSION


def test_each_node_has_its_own_loopback_ports_and_the_others_as_peers(tmp_path: Path) -> None:
    homes = init_set(tmp_path, 3, 40_000)
    assert [NodeHome.read(home.home) for home in homes] == homes
    assert [(h.p2p_port, h.rpc_port, h.abci_port) for h in homes] == [(40_000 + 10 * i, 40_001 + 10 * i, 40_002 + 10 * i) for i in range(3)]
    genesis = {(home.home / "config" / "genesis.json").read_text() for home in homes}
    assert len(genesis) == 1 and len(json.loads(genesis.pop())["validators"]) == 3
    config = (homes[0].home / "config" / "config.toml").read_text()
    peers = next(line for line in config.splitlines() if line.startswith("persistent_peers = "))
    assert "127.0.0.1:40010" in peers and "127.0.0.1:40020" in peers and "127.0.0.1:40000" not in peers
    assert 'laddr = "tcp://127.0.0.1:40000"' in config and 'proxy_app = "tcp://127.0.0.1:40002"' in config
