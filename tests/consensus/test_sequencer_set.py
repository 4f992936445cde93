"""
A sequencer set of four real CometBFT nodes on loopback, each running
``matchproof node start`` (its sequencer application and its CometBFT), over
a rollup deployed on a real anvil.

The rollup's submitter is the set's contract, listing the four nodes'
member keys. Deposits made on L1 reach every node through the block
proposers (each other node checks them against its own reading of L1);
orders sent to different nodes are committed in one order and matched
identically by every node; an encrypted order is ordered while no node can
read it, decrypted only after its block is committed, and matched at its
place, before an order sent after it; every node signs every batch, and the two
proving nodes send each batch to L1 once three of four signed it, where
it is verified. A node killed (a prover) leaves the other three (more than
two thirds) going on, their batches still verified; restarted, it loads
its last snapshot, replays its blocks after it, catches up from its peers
and reaches the same state.
"""

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from prover import CircuitArtifacts
from sequencer.client.http import cancel_body
from sequencer.consensus.api import receipt_digest
from sequencer.consensus.app import WAITING, TxCode
from sequencer.consensus.signatures import load_member_key
from sequencer.engine.cancels import CancelOrder, SignedCancel
from sequencer.l1.sequencer_set import signer_of
from sequencer.spec.types import AccountIndex, OrderId
from sequencer.consensus.encrypted import encrypt_order
from sequencer.crypto.threshold import ThresholdKey
from sequencer.l1.anvil import AnvilNode
from sequencer.spec.constants import Side
from tests.consensus.local_set import (
    LOT,
    answers,
    MARKET,
    NODES,
    agreed,
    commit,
    deploy_local_set,
    first_shares,
    order_json,
    place,
    query,
    send,
    status,
    stop,
)
from tests.e2e.test_sequencer_with_provers import wait_for

pytestmark = pytest.mark.slow

PROVERS = (2, 3)
"""The nodes that prove and send batches; node 3 is the one killed."""


def test_four_nodes_order_match_and_recover_alike(node: AnvilNode, circuit: CircuitArtifacts, tmp_path: Path) -> None:
    local = deploy_local_set(node, circuit, tmp_path)
    devnet, homes, alice, bob = local.devnet, local.homes, local.alice, local.bob
    api_ports = local.api_ports

    def start(i: int) -> subprocess.Popen[bytes]:
        return local.start(i, prove=i in PROVERS)

    nodes = [start(i) for i in range(NODES)]
    try:
        # The operator's registration and both deposits, proposed from L1 and checked by every node.
        wait_for(lambda: all((s := status(h)) is not None and s["l1_seen"] == 3 for h in homes), 180, "the L1 requests")

        # Orders sent to different nodes: every node commits them in one order and matches them alike.
        sent = [
            commit(homes[0], place(devnet, alice, 1, Side.SELL, 2_000, 1_000)),
            commit(homes[1], place(devnet, alice, 2, Side.SELL, 2_010, 1_000)),
            commit(homes[2], place(devnet, bob, 1, Side.BUY, 2_010, 500)),
            commit(homes[3], place(devnet, bob, 2, Side.BUY, 1_990, 200)),
        ]
        assert [result["code"] for result in sent] == [TxCode.OK] * 4, sent
        assert len({result["height"] for result in sent}) > 1  # one order a block (commit waits for each)
        forged = send(homes[1], place(devnet, bob, 3, Side.BUY, 2_010, 1, signer=alice))  # signed with Alice's key
        assert (forged["check_tx"]["code"], forged["check_tx"]["info"]) == (TxCode.REJECTED, "INVALID_SIGNATURE")
        refused = commit(homes[1], place(devnet, bob, 3, Side.BUY, 2_010, 10**8))  # more than Bob's USDC pays for
        assert (refused["code"], refused["info"]) == (TxCode.REJECTED, "INSUFFICIENT_BALANCE"), refused
        wait_for(lambda: agreed(homes, refused["height"]), 60, "every node at the same state")
        wait_for(lambda: local.settled(homes), 180, "every batch signed and verified on L1")
        first = devnet.rollup.last_batch()
        signed = status(homes[0])
        assert signed is not None and all(count >= 3 for count in signed["signatures"].values()), signed
        book = query(homes[3], f"book/{MARKET.name}")
        assert [(o["account"], o["order_id"], o["side"], int(o["remaining"]) // LOT) for o in book] == [
            (2, 2, "buy", 200), (1, 1, "sell", 500), (1, 2, "sell", 1_000),
        ]  # fmt: skip

        # Any node's API takes an order (into consensus) and answers with its block and position; any serves the book.
        with httpx.Client(timeout=60) as api:
            placed = api.post(f"http://127.0.0.1:{api_ports[1]}/v1/orders", json=order_json(devnet, bob, 5, 1_980, 100))
            assert placed.status_code == 200, placed.text
            assert placed.json()["height"] > refused["height"] and placed.json()["index"] >= 0
            book_of_node_2 = f"http://127.0.0.1:{api_ports[2]}/v1/markets/{MARKET.name}/book"
            wait_for(lambda: any(o["order_id"] == 5 for o in api.get(book_of_node_2).json()), 30, "the order on node 2")
            forged = api.post(f"http://127.0.0.1:{api_ports[0]}/v1/orders", json=order_json(devnet, bob, 6, 1_980, 100, signer=alice))
            assert (forged.status_code, forged.json()["code"]) == (422, "INVALID_SIGNATURE"), forged.text
            unknown = api.get(f"http://127.0.0.1:{api_ports[0]}/v1/markets/NOPE/book")
            assert (unknown.status_code, unknown.json()["code"]) == (404, "UNKNOWN_MARKET")

            # An encrypted bid, encrypted to the set's threshold key, is ordered unread; a plain bid at the same
            # price sent once the encrypted one's block is committed comes after it, and so fills after it.
            key = ThresholdKey(bytes.fromhex(api.get(f"http://127.0.0.1:{api_ports[0]}/v1/threshold-key").json()["key_set"]))
            encrypted = api.post(
                f"http://127.0.0.1:{api_ports[1]}/v1/encrypted-orders",
                json={"ciphertext": encrypt_order(key, place(devnet, bob, 7, Side.BUY, 2_000, 300)).ciphertext.hex()},
            )
            assert encrypted.status_code == 200, encrypted.text
            ordered_at, position = encrypted.json()["height"], encrypted.json()["index"]
            assert encrypted.json()["result"]["info"] == WAITING
            plain = commit(homes[2], place(devnet, bob, 11, Side.BUY, 2_000, 300))
            assert plain["code"] == TxCode.OK and plain["height"] > ordered_at
            outcome_url = f"http://127.0.0.1:{api_ports[3]}/v1/outcomes/{ordered_at}/{position}"
            wait_for(lambda: api.get(outcome_url).status_code == 200, 60, "the encrypted order to be decrypted and run")
            assert api.get(outcome_url).json()["code"] == TxCode.OK
            # No share of it was in any block until the block after its own was committed too.
            opened_at = first_shares(homes[0], ordered_at)
            assert opened_at >= ordered_at + 2, (ordered_at, opened_at)
        wait_for(lambda: agreed(homes, opened_at), 60, "every node to run the encrypted order")
        book = query(homes[0], f"book/{MARKET.name}")
        assert [(o["account"], o["order_id"], o["side"], int(o["remaining"]) // LOT) for o in book][:2] == [
            (2, 11, "buy", 100), (2, 2, "buy", 200),
        ]  # fmt: skip  (Alice's 500 at 2,000: 300 to the encrypted bid, ordered first, 200 to the plain one)

        # One node down: the other three (more than two thirds of the power) go on.
        stop(nodes[3], signal.SIGKILL)
        more = commit(homes[0], place(devnet, bob, 4, Side.BUY, 2_000, 500))
        assert more["code"] == TxCode.OK, more
        wait_for(lambda: agreed(homes[:3], more["height"]), 60, "the three live nodes at the same state")
        assert [o["order_id"] for o in query(homes[0], f"book/{MARKET.name}")] == [11, 4, 2, 5, 2]
        wait_for(lambda: local.settled(homes[:3]) and devnet.rollup.last_batch() > first, 180, "the live prover's batches on L1")

        # Restarted, the fourth loads its snapshot, replays its blocks after it and catches up with its peers: the same state.
        nodes[3] = start(3)
        wait_for(lambda: agreed(homes, more["height"]), 120, "the restarted node to catch up")
        restarted_log = max(tmp_path.glob("node3-*.log"), key=lambda path: path.stat().st_mtime).read_text()
        assert "loaded the snapshot at height" in restarted_log  # it replayed only the blocks after its snapshot

        # Its API takes Bob's cancel into consensus, with a receipt its member key signed.
        index = devnet.rollup.account_index(bob.address)
        assert index is not None
        cancel = CancelOrder(AccountIndex(index), OrderId(5))
        body = cancel_body(SignedCancel(cancel, devnet.l2_key(bob).sign(cancel.message_hash())))
        wait_for(lambda: answers(f"{local.api(3)}/v1/status"), 60, "node 3's API")
        cancelled = httpx.post(f"{local.api(3)}/v1/orders/cancel", json=body, timeout=60)
        assert cancelled.status_code == 200, cancelled.text
        landed = cancelled.json()
        digest = receipt_digest(landed["tx_hash"], landed["height"], landed["index"])
        assert landed["receipt"]["node"] == load_member_key(homes[3].home).address == signer_of(digest, bytes.fromhex(landed["receipt"]["signature"][2:]))
        wait_for(lambda: agreed(homes, landed["height"]), 60, "every node to take the cancel")
        assert 5 not in [o["order_id"] for o in query(homes[0], f"book/{MARKET.name}")]
    finally:
        for process in nodes:
            stop(process)
