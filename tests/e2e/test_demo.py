"""
The README's main command, as a test: ``matchproof devnet --config test``
runs the whole story through the production path (anvil, the sequencer
service and a prover worker as processes, the trader client over HTTP,
real proofs verified on L1) and ends with the balances it promises.
"""

from sequencer.demo import run_demo


def test_the_devnet_demo_runs_the_whole_story_through_the_service() -> None:
    lines: list[str] = []
    run_demo("test", lines.append)
    text = "\n".join(lines)
    assert "trade: 2 WETH for 4,000 USDC at 2,000" in text
    assert "trade: 3 WETH for 6,000 USDC at 2,000" in text
    table = lines[lines.index("== L1 balances before -> after") + 1 :][:4]
    balances = {" ".join(line.split()[:2]): line.split()[-1] for line in table}
    assert balances == {"Alice WETH": "15", "Alice USDC": "9,990", "Bob WETH": "4.99", "Bob USDC": "50,000"}
    assert lines[-1].startswith("== 9 batches proven by the worker and verified on L1")
