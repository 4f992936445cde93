"""
Snapshots of a set node's application (``consensus.snapshots``): a node
restored from one holds what the node that wrote it held, state, app hash,
waiting encrypted orders and all, and goes on from there alike; a damaged
snapshot falls back to the one before it, and another configuration's is
skipped.
"""

import json
from pathlib import Path

from tendermint.abci import types_pb2 as abci

from sequencer.consensus.app import SequencerApp
from sequencer.consensus.encrypted import encrypt_order
from sequencer.consensus.snapshots import FOLDER, Snapshots
from sequencer.service.canonical import state_digest
from sequencer.spec.constants import Side
from tests.consensus.test_app import ALICE, BOB, decide, funded, order_tx
from tests.consensus.test_encrypted_orders import KEY, member_node
from tests.support.scenario import NOW


def status(node: SequencerApp) -> dict[str, object]:
    """A node's ``status`` query."""
    return dict(json.loads(node.query(abci.RequestQuery(path="status")).value))


def test_a_node_restored_from_its_snapshot_goes_on_as_the_node_that_wrote_it(tmp_path: Path) -> None:
    writer = member_node(tmp_path / "writer", 0)
    snapshots = Snapshots(tmp_path / "writer", 2, "fingerprint")
    writer.on_commit.append(lambda: snapshots.after_commit(writer))
    blocks = [
        funded(writer),
        [order_tx(ALICE, 1, Side.SELL, 100, 2)],
        [encrypt_order(KEY, order_tx(BOB, 1, Side.BUY, 100, 1)).encode()],  # waits for its shares
        [order_tx(BOB, 2, Side.BUY, 99, 1)],
    ]
    for height, txs in enumerate(blocks, start=1):
        decide(writer, height, txs, NOW + height)
    assert sorted(path.name for path in (tmp_path / "writer" / FOLDER).iterdir()) == [f"{2:016d}.snapshot", f"{4:016d}.snapshot"]

    restored = member_node(tmp_path / "restored", 0)
    assert Snapshots(tmp_path / "writer", 2, "fingerprint").restore(restored) == 4
    assert status(restored) == status(writer) and status(restored)["encrypted"] == {"ordered": 1, "waiting": 1, "blocks_waiting": 2}
    info = restored.info(abci.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash) == (4, writer.committed.app_hash)
    after = [decide(node, 5, [order_tx(ALICE, 2, Side.SELL, 101, 1)], NOW + 5).app_hash for node in (writer, restored)]
    assert after[0] == after[1] and state_digest(writer.machine.operator) == state_digest(restored.machine.operator)


def test_a_damaged_or_foreign_snapshot_is_skipped(tmp_path: Path) -> None:
    writer = member_node(tmp_path / "writer", 0)
    snapshots = Snapshots(tmp_path / "writer", 1, "fingerprint")
    writer.on_commit.append(lambda: snapshots.after_commit(writer))
    decide(writer, 1, funded(writer))
    decide(writer, 2, [order_tx(ALICE, 1, Side.SELL, 100, 2)], NOW + 2)
    newest = tmp_path / "writer" / FOLDER / f"{2:016d}.snapshot"
    newest.write_bytes(newest.read_bytes()[:-1] + b"\x00")
    assert Snapshots(tmp_path / "writer", 1, "fingerprint").restore(member_node(tmp_path / "a", 0)) == 1
    assert Snapshots(tmp_path / "writer", 1, "another configuration").restore(member_node(tmp_path / "b", 0)) == 0
