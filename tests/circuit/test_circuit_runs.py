"""
An immediate taker's run of fills, on a circuit of two slots: the slot after
a fill of an immediate-or-cancel or market order may continue it, and no
other slot may (``check_immediate_run``). The test circuit holds one slot,
so this compiles its own (``two_slots/configs.json``, no set-up: only the
witness is checked).
"""

from dataclasses import dataclass

import pytest

from prover import CircuitArtifacts
from prover.build import CircuitArtifacts as Artifacts, compile_circuit, load_config
from prover.errors import WitnessError
from prover.groth16 import check_witness
from sequencer.l1.paths import REPO_ROOT
from sequencer.spec import errors, transition
from sequencer.spec.constants import OrderKind, Side, TreeConfig
from sequencer.spec.transactions import SignedOrder, Trade
from sequencer.witness.batch import build_batch
from tests.support.scenario import NOW, UNIT, Scenario, trade

MANIFEST = REPO_ROOT / "tests" / "circuit" / "two_slots" / "configs.json"
PRICE = 2000 * UNIT


@pytest.fixture(scope="module")
def two_slots() -> CircuitArtifacts:
    """The batch circuit with two slots at the test configuration's depths, compiled only."""
    config = load_config(MANIFEST, "two_slots")
    directory = REPO_ROOT / config.build_dir / config.name
    directory.mkdir(parents=True, exist_ok=True)
    header = compile_circuit(REPO_ROOT, config, directory)
    return Artifacts.in_directory(config, directory, header.n_constraints)


@dataclass
class Run:
    """Trader 2's immediate buy of 4 BASE and three resting sells of trader 1 it can take from."""

    scenario: Scenario
    taker: SignedOrder

    def fill(self, maker_id: int, taker: SignedOrder | None = None) -> Trade:
        """One BASE of the immediate buy (or of ``taker``) from trader 1's sell ``maker_id``."""
        maker = self.scenario.traders[0].order(maker_id, Side.SELL, PRICE, UNIT)
        return trade(maker, taker or self.taker, UNIT)


@pytest.fixture(params=[OrderKind.IOC, OrderKind.MARKET])
def run(request: pytest.FixtureRequest) -> Run:
    scenario = Scenario.funded(TreeConfig(account_depth=4, balance_depth=2, order_depth=2))
    taker = scenario.traders[1].order(2, Side.BUY, PRICE, 4 * UNIT, kind=request.param)
    return Run(scenario, taker)


def test_a_run_of_fills_in_consecutive_slots_is_accepted(two_slots: CircuitArtifacts, run: Run) -> None:
    batch = build_batch(run.scenario.state, [run.fill(1), run.fill(2)], NOW, run.scenario.chain, 2)
    check_witness(two_slots, batch.circuit_input)


def test_a_fill_after_another_trade_is_refused(
    two_slots: CircuitArtifacts, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run was broken: the slot before the resumed fill is another order's trade."""
    state, chain = run.scenario.state, run.scenario.chain
    chain = build_batch(state, [run.fill(1)], NOW, chain, 2).chain_end
    other = run.scenario.traders[1].order(3, Side.BUY, PRICE, UNIT)
    txs = [run.fill(2, taker=other), run.fill(3)]
    with pytest.raises(errors.ImmediateOrderResumed):
        build_batch(state.copy(), txs, NOW, chain, 2)
    monkeypatch.setattr(transition, "check_immediate_run", lambda *_args: None)
    batch = build_batch(state, txs, NOW, chain, 2)
    with pytest.raises(WitnessError):
        check_witness(two_slots, batch.circuit_input)
