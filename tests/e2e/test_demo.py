"""
The README's main command, as a test: ``matchproof devnet --config
test_perp`` runs the whole story through the production path (anvil, the
sequencer service, a prover worker and the oracle feeder as processes, the
trader client over HTTP, real proofs verified on L1) and ends with the
balances it promises: the spot chapter's trades, then the perpetual
chapter's leveraged trade, funding tick and liquidation.
"""

from decimal import Decimal

from sequencer.demo import run_demo


def test_the_devnet_demo_runs_the_whole_story_through_the_service() -> None:
    lines: list[str] = []
    run_demo("test_perp", lines.append)
    text = "\n".join(lines)
    assert "trade: 2 WETH for 4,000 USDC at 2,000" in text
    assert "trade: 3 WETH for 6,000 USDC at 2,000" in text
    assert "trade: 5 ETH at 2,000, 10,000 USDC notional; fees 10 (maker), 20 (taker)" in text
    assert "posted 1850000: " in text and "started liquidation of account" in text
    chapter = lines[lines.index("== the price falls: the sequencer liquidates Alice against the insurance fund") :]
    alice = next(line for line in chapter if line.startswith("  Alice: "))
    fund = next(line for line in chapter if line.startswith("  the insurance fund: "))
    assert "no position" in alice and "long 5 ETH" in fund
    funded = next(line for line in lines if line.startswith("  Alice: long 5 ETH (funding due -"))
    assert funded  # the tick made the long owe funding
    table = lines[lines.index("== L1 balances before -> after") + 1 :][:4]
    balances = {" ".join(line.split()[:2]): line.split()[-1] for line in table}
    alice_usdc = Decimal(balances.pop("Alice USDC").replace(",", ""))
    assert balances == {"Alice WETH": "15", "Bob WETH": "4.99", "Bob USDC": "40,000"}
    # 9,990 from her sale, less the 1,200 of collateral she put up, plus what the liquidation left her
    assert Decimal(8_790) < alice_usdc < Decimal(9_990)
    assert lines[-1].startswith("== ") and "batches proven by the worker and verified on L1" in lines[-1]
