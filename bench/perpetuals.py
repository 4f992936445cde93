"""
What a perpetual slot costs, against a spot trade slot measured in the same
run: ``python -m bench.perpetuals``.

- *constraints*: each part of a perpetual slot (``circuits/perpetual/``:
  the markets' moves, a trade, a collateral transfer, a close), and the spot
  trade slot (``TxSlot``), compiled as circuits of their own at the exchange
  depths (``bench/perp_parts.json``; compiled, not set up). Every perpetual
  slot carries every part, so a slot costs their sum.
- *L1 gas*: ``submitBatch`` on rollups deployed in this run with
  ``AcceptAllVerifier`` (the calldata, the sha256 of the public data and the
  storage writes are real; the pairing check, the same at every size, is
  not run): one spot slot and ``k`` perpetual slots of perpetual trades'
  (or liquidations') published bytes, and ``k`` spot trade slots; the
  marginal gas per slot is the slope of a least-squares line through the
  sizes.

It prints a markdown report and writes it to
``bench/results/<stamp>-perpetuals.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3 import Web3

from bench.contracts_build import ACCEPT_ALL_CONTRACT, bench_contracts
from bench.l1_cost import ESTIMATE_TREE, TX_GAS_CAP, mine_next_second
from bench.measure import linear_fit, median_int
from bench.paths import RESULTS_DIR
from prover.build import compile_circuit
from prover.manifest import load_config
from sequencer.crypto.keys import L2Keypair
from sequencer.l1.anvil import start_anvil
from sequencer.l1.compile import CompiledContracts, compile_contracts
from sequencer.l1.deploy import OperatorKey, PerpetualsConfig, RollupConfig, TestTokenSpec, deploy, deploy_contract
from sequencer.l1.paths import REPO_ROOT
from sequencer.l1.rollup import Rollup
from sequencer.l1.transactions import send_transaction
from sequencer.spec.constants import Side
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.public_data import PERP_SLOT_BYTES, LiquidationData, PerpTradeData, encode_perp_slot
from sequencer.spec.perpetual.state import PerpConfig, PerpMarketParams
from sequencer.spec.public_data import SLOT_BYTES, NoopData, TradeData, encode_slot
from sequencer.spec.state import State
from sequencer.spec.types import AccountIndex, Amount, FieldElement, Price, TokenId

PARTS_MANIFEST = REPO_ROOT / "bench" / "perp_parts.json"
PARTS = ("spot_trade_slot", "perp_market_moves", "perp_trade", "perp_transfer", "perp_close")
"""The configurations of ``PARTS_MANIFEST``, the spot slot first (the baseline)."""
SIZES = (1, 4, 16, 64)
RUNS = 3
FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def deployment_config() -> PerpConfig:
    """One market, three of three oracle keys: what the L1 cost reads (only the parameters' hash and quanta)."""
    keys = tuple(L2Keypair.from_private_key(hashlib.sha256(b"bench oracle %d" % i).digest()).public_key for i in range(3))
    market = PerpMarketParams(quantum=1, initial_margin=100_000, maintenance_margin=50_000, max_funding_rate=10**6, open_interest_cap=2**39)
    return PerpConfig(TokenId(1), (market,), keys, 3, 60, 600, AccountIndex(1), 10_000)


def perp_trade_slot() -> bytes:
    """A perpetual trade's 40 published bytes, with values of a busy exchange's widths."""
    return encode_perp_slot(
        PerpTradeData(AccountIndex(1_234_567), AccountIndex(7_654_321), 4_321, 1_234, Side.SELL, 0, Amount(12_345), Price(3_456_789), 5, 10)
    )


def liquidation_slot() -> bytes:
    """A liquidation's 40 published bytes, against a liquidator's order."""
    return encode_perp_slot(
        LiquidationData(AccountIndex(1_234_567), 0, AccountIndex(7_654_321), True, 4_321, Amount(12_345), Amount(42_674_000_123), Amount(426_740))
    )


def spot_trade_slot() -> bytes:
    """A spot trade's published bytes, as ``perp_trade_slot``'s."""
    return encode_slot(
        TradeData(
            AccountIndex(1_234_567), AccountIndex(7_654_321), 4_321, 1_234, Side.SELL, TokenId(0), TokenId(1),
            Amount(12_345 * 10**15), Price(3_456 * 10**18), 5, 10,
        )
    )


@dataclass(frozen=True)
class GasLine:
    """``submitBatch`` gas at each size and the line through them: the marginal gas of one more slot."""

    label: str
    gas: dict[int, int]
    fixed: int
    per_slot: int


def submission_gas(
    w3: Web3,
    deployer: LocalAccount,
    product: CompiledContracts,
    label: str,
    sizes: Sequence[int],
    rollup_for: Callable[[int], tuple[RollupConfig, FieldElement]],
    public_data_for: Callable[[int], bytes],
) -> GasLine:
    """Median gas of ``RUNS`` submissions at each size on a fresh accept-all rollup (after one warm-up)."""
    accept_all, _, _ = deploy_contract(w3, deployer, bench_contracts(), ACCEPT_ALL_CONTRACT)
    key = L2Keypair.from_private_key(hashlib.sha256(b"matchproof bench accept-all operator").digest())
    measured: dict[int, int] = {}
    for size in sizes:
        config, root = rollup_for(size)
        deployment = deploy(
            w3,
            deployer,
            product,
            config=config,
            operator=OperatorKey(deployer.address, key.public_key.ax, key.public_key.ay),
            test_tokens=(TestTokenSpec("Bench token", "BENCH"), TestTokenSpec("Bench collateral", "BCOL")),
            verifier=accept_all,
        )
        rollup = Rollup(w3, deployment, product)
        gas = []
        for number in range(1, RUNS + 2):
            mine_next_second(w3)
            timestamp = int(w3.eth.get_block("latest")["timestamp"])
            call = rollup.contract.functions.submitBatch(
                number, (root + number) % FIELD_ORDER, timestamp, 0, public_data_for(size), [0] * 8
            )
            receipt = send_transaction(w3, deployer, call.build_transaction({"from": deployer.address}), gas=TX_GAS_CAP)
            if number > 1:
                gas.append(int(receipt["gasUsed"]))
        measured[size] = median_int(gas)
    fixed, slope = linear_fit(sorted(measured.items()))
    return GasLine(label, measured, round(fixed), round(slope))


def gas_lines(sizes: Sequence[int]) -> list[GasLine]:
    """The marginal gas of a spot trade slot, a perpetual trade slot and a liquidation slot, on one anvil."""
    perp = deployment_config()
    perp_root = State.genesis(ESTIMATE_TREE, perp_config_hash(perp)).root
    spot_root = State.genesis(ESTIMATE_TREE).root
    noop = encode_slot(NoopData())

    def perp_rollup(size: int) -> tuple[RollupConfig, FieldElement]:
        return (
            RollupConfig(
                1, ESTIMATE_TREE.account_depth, ESTIMATE_TREE.balance_depth, perp_root,
                perpetuals=PerpetualsConfig.of(perp, "0x" + "11" * 20, slots=size),
            ),
            perp_root,
        )

    def spot_rollup(size: int) -> tuple[RollupConfig, FieldElement]:
        return RollupConfig(size, ESTIMATE_TREE.account_depth, ESTIMATE_TREE.balance_depth, spot_root), spot_root

    with start_anvil() as node:
        w3 = node.web3()
        deployer = node.accounts()[0]
        product = compile_contracts()
        return [
            submission_gas(w3, deployer, product, "spot trade slot", sizes, spot_rollup, lambda k: spot_trade_slot() * k),
            submission_gas(
                w3, deployer, product, "perpetual trade slot", sizes, perp_rollup, lambda k: noop + perp_trade_slot() * k
            ),
            submission_gas(
                w3, deployer, product, "liquidation slot", sizes, perp_rollup, lambda k: noop + liquidation_slot() * k
            ),
        ]


def part_constraints() -> dict[str, int]:
    """Each part of ``PARTS_MANIFEST`` compiled at its depths: its constraints."""
    counted = {}
    for name in PARTS:
        config = load_config(PARTS_MANIFEST, name)
        directory = REPO_ROOT / config.build_dir / config.name
        directory.mkdir(parents=True, exist_ok=True)
        counted[name] = compile_circuit(REPO_ROOT, config, directory).n_constraints
    return counted


def report(constraints: dict[str, int], lines: list[GasLine]) -> str:
    """The markdown report: constraints per part against the spot slot, marginal gas per slot against spot's."""
    spot = constraints["spot_trade_slot"]
    slot = sum(count for name, count in constraints.items() if name != "spot_trade_slot")
    rows = [
        "## Constraints (exchange depths: 2^24 accounts, 16 tokens, 2^12 order slots; four markets, 3 of 4 oracle keys)",
        "",
        "| part | constraints | x spot trade slot |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {count:,} | {count / spot:.2f} |" for name, count in constraints.items()),
        f"| a perpetual slot (every part) | {slot:,} | {slot / spot:.2f} |",
        "",
        f"Each slot's share of the batch's public-input sha256 is not counted: it grows with the bytes it "
        f"publishes, {SLOT_BYTES} for a spot slot and {PERP_SLOT_BYTES} for a perpetual one.",
        "",
        "## L1 gas of submitBatch (accept-all verifier, median of "
        f"{RUNS} after a warm-up; sizes {', '.join(str(size) for size in SIZES)})",
        "",
        "| slot | marginal gas a slot | x spot trade slot | fixed | gas at each size |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    base = lines[0].per_slot
    for line in lines:
        sizes = ", ".join(f"{size}: {gas:,}" for size, gas in line.gas.items())
        rows.append(f"| {line.label} | {line.per_slot:,} | {line.per_slot / base:.2f} | {line.fixed:,} | {sizes} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure, print the report and write it under ``bench/results/``."""
    parser = argparse.ArgumentParser(prog="python -m bench.perpetuals", description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="where to write <stamp>-perpetuals.md")
    args = parser.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = f"# Perpetual slots: constraints and L1 gas ({stamp})\n\n" + report(part_constraints(), gas_lines(SIZES))
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stamp}-perpetuals.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
