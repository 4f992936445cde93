"""
A set of four real CometBFT nodes on loopback, one of them byzantine
(``byzantine_node``: it proposes blocks with a deposit L1 never saw, passes
off its decryption shares as another member's, and signs other batches than
the ones built), over a rollup on a real anvil.

The three honest nodes (more than two thirds) refuse every lie: no block
the byzantine node proposes is ever decided (the round moves on to the next
proposer), its invented deposit never happens, an encrypted order is still decrypted
with the honest members' shares and runs at its place, and every batch
reaches L1 with the honest members' signatures only. Every node, the
byzantine one too, holds the same state.
"""

import base64
import re
from pathlib import Path

import httpx
import pytest

from prover import CircuitArtifacts
from sequencer.consensus.app import TxCode, decode_tx
from sequencer.consensus.encrypted import DecryptionShares, encrypt_order
from sequencer.crypto.threshold import ThresholdKey
from sequencer.l1.anvil import AnvilNode
from sequencer.spec.constants import Side
from tests.consensus.local_set import LOT, MARKET, agreed, commit, deploy_local_set, first_shares, place, query, status, stop
from tests.e2e.test_sequencer_with_provers import wait_for

pytestmark = pytest.mark.slow

BYZANTINE = 3
PROVER = 2


def test_a_byzantine_member_cannot_make_the_honest_nodes_diverge(node: AnvilNode, circuit: CircuitArtifacts, tmp_path: Path) -> None:
    local = deploy_local_set(node, circuit, tmp_path)
    devnet, homes, alice, bob = local.devnet, local.homes, local.alice, local.bob
    honest = [home for i, home in enumerate(homes) if i != BYZANTINE]
    nodes = [
        local.start(i, prove=i == PROVER, program="tests.consensus.byzantine_node" if i == BYZANTINE else "sequencer.cli")
        for i in range(len(homes))
    ]
    try:
        wait_for(lambda: all((s := status(h)) is not None and s["l1_seen"] == 3 for h in homes), 180, "the L1 requests")
        # The byzantine node's mempool and RPC serve traders as any node's do.
        ask = commit(homes[BYZANTINE], place(devnet, alice, 1, Side.SELL, 2_000, 1_000))
        assert ask["code"] == TxCode.OK, ask
        with httpx.Client(timeout=60) as api:
            key = ThresholdKey(bytes.fromhex(api.get(f"{local.api(0)}/v1/threshold-key").json()["key_set"]))
            encrypted = api.post(
                f"{local.api(0)}/v1/encrypted-orders",
                json={"ciphertext": encrypt_order(key, place(devnet, bob, 1, Side.BUY, 2_000, 300)).ciphertext.hex()},
            )
            assert encrypted.status_code == 200, encrypted.text
            plain = commit(homes[1], place(devnet, bob, 2, Side.BUY, 2_000, 900))
            outcome = f"{local.api(1)}/v1/outcomes/{encrypted.json()['height']}/{encrypted.json()['index']}"
            wait_for(lambda: api.get(outcome).status_code == 200, 60, "the encrypted order to be decrypted with the honest shares")
            assert api.get(outcome).json()["code"] == TxCode.OK
        # The shares that decrypted it are the honest members' (0 to 2): the byzantine one's, under member 0's name, were dropped.
        opened_at = first_shares(homes[0], encrypted.json()["height"])
        block = httpx.get(f"{homes[0].rpc_url}/block", params={"height": opened_at}, timeout=10).json()["result"]["block"]
        shares = decode_tx(base64.b64decode(block["data"]["txs"][0]))
        assert isinstance(shares, DecryptionShares) and {share.member for share in shares.shares} == {0, 1, 2}
        honest_logs = "".join(path.read_text() for i in (0, 1, 2) for path in tmp_path.glob(f"node{i}-*.log"))
        assert "proposing without shares that are not their members'" in honest_logs
        wait_for(lambda: agreed(homes, plain["height"]), 60, "every node at the same state")
        book = query(homes[0], f"book/{MARKET.name}")
        assert [(o["order_id"], int(o["remaining"]) // LOT) for o in book] == [(2, 200)]  # 300 to the encrypted bid, 700 to the plain one

        # Let every node have several turns as proposer: none of the byzantine node's blocks was decided.
        last = plain["height"] + 8
        wait_for(lambda: agreed(homes, last), 120, f"block {last} on every node")
        byzantine = httpx.get(f"{homes[BYZANTINE].rpc_url}/status", timeout=10).json()["result"]["validator_info"]["address"]
        headers = [
            httpx.get(f"{homes[0].rpc_url}/commit", params={"height": h}, timeout=10).json()["result"]["signed_header"]
            for h in range(2, last + 1)
        ]
        assert all(header["header"]["proposer_address"] != byzantine for header in headers)
        assert any(int(header["commit"]["round"]) > 0 for header in headers)  # its turns ended in a later round
        assert all(state["l1_seen"] == 3 for state in map(status, homes) if state)  # the invented deposit never happened
        # Each honest node's metrics count the proposals it refused; CometBFT's own metrics are beside them.
        for i in (0, 1, 2):
            metrics = httpx.get(f"{local.api(i)}/metrics", timeout=10).text
            refused = re.search(r'^matchproof_node_refused_total\{what="proposals"\} (\d+)', metrics, re.MULTILINE)
            assert refused is not None and int(refused.group(1)) > 0, metrics
        consensus = httpx.get(f"http://127.0.0.1:{homes[0].p2p_port + 4}/metrics", timeout=10).text
        assert "cometbft_consensus_height" in consensus

        # Every batch reaches L1 with the three honest signatures: the byzantine member's are of other batches.
        wait_for(lambda: local.settled(honest), 180, "every batch signed and verified on L1")
        signed = status(homes[0])
        assert signed is not None and signed["signatures"] and set(signed["signatures"].values()) == {3}, signed
    finally:
        for process in nodes:
            stop(process)
