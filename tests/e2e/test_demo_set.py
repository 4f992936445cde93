"""``matchproof devnet --nodes 4`` on the ``test`` circuit: the story through a sequencer set of four CometBFT nodes."""

import re

from sequencer.demo_set import run_set_demo


def test_the_set_demo_trades_through_two_nodes_and_settles_on_l1() -> None:
    lines: list[str] = []
    run_set_demo("test", 4, lines.append)
    text = "\n".join(lines)
    assert "every node took the 3 L1 requests" in text
    assert re.search(r"Alice sells 2 WETH at 2000 through node 0's API: committed in block \d+, position \d+", text), text
    assert re.search(r"Bob buys 2 WETH at 2010 through node 3's API: committed in block \d+", text), text
    assert re.search(r"Bob's buy, encrypted to the set's threshold key, through node 2: ordered in block \d+, position \d+, while no node can read it", text), text
    assert "it ran at its place: Bob bought Alice's WETH" in text
    assert "on all 4 nodes" in text
    assert re.search(r"Alice withdraws 1,000 USDC through node 3's API: committed in block \d+", text), text
    assert "Alice claims her withdrawal on L1: 1,000 USDC" in text
    settled = next(line for line in lines if "proven, signed" in line)
    assert re.search(r"== [1-9]\d* batches proven, signed \(batch 1: [34], ", settled), settled
