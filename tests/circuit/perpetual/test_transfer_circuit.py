"""
The collateral transfer in the circuit (``CollateralTransfer`` and
``MeetsInitial`` of ``circuits/perpetual/trade.circom``) against the spec's
``process_collateral_transfer``: on accounts drawn around their initial
margin, with spot balances around the amount and collaterals near their
width, it accepts exactly what the spec accepts (the signature and the
nonce, the withdrawal's rules, kept valid here).
"""

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from prover import CircuitArtifacts
from sequencer.spec.constants import AMOUNT_BITS
from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual.commitment import signed_field
from sequencer.spec.perpetual.constants import COLLATERAL_BITS
from sequencer.spec.perpetual.margin import health
from sequencer.spec.perpetual.rules import process_collateral_transfer
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, PerpMarketParams, Position
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.circuit.perpetual.checking import accepts
from tests.spec.builders import ALICE, NOW
from tests.spec.perpetual.builders import COLLATERAL, MAX_PRICE_AGE, config, fresh_ledger, transfer
from tests.spec.perpetual.conftest import funded

MARKETS = (
    PerpMarketParams(quantum=1, initial_margin=100_000, maintenance_margin=50_000, max_funding_rate=10**6, open_interest_cap=10**9),
    PerpMarketParams(quantum=7, initial_margin=123_457, maintenance_margin=61_729, max_funding_rate=10**6, open_interest_cap=10**9),
)


@pytest.fixture(scope="module")
def circuit(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    return perp_circuit("perp_transfer")


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_the_circuit_accepts_exactly_what_the_spec_accepts(circuit: CircuitArtifacts, data: st.DataObject) -> None:
    prices = (data.draw(st.integers(1, 150)), data.draw(st.integers(1, 50)))
    ages = (data.draw(st.sampled_from([0, MAX_PRICE_AGE, MAX_PRICE_AGE + 1])), 0)
    sizes = (data.draw(st.integers(-100, 100)), data.draw(st.integers(-30, 30)))
    ledger = fresh_ledger(replace(config(), markets=MARKETS))
    for market_id, (price, age) in enumerate(zip(prices, ages, strict=True)):
        ledger.set_market(market_id, PerpMarket(oracle_price=price, oracle_time=Timestamp(NOW - age)))
    bare = PerpAccount(0, tuple(Position(size, 0) for size in sizes))
    state = health(ledger, bare)
    needed = -(-state.initial // 10**6) - state.value
    top = 2**COLLATERAL_BITS - 1
    collateral = data.draw(st.one_of(st.integers(needed - 50, needed + 2_000), st.integers(top - 100, top), st.integers(-top, -top + 100)))
    to_collateral = data.draw(st.booleans())
    amount = data.draw(st.one_of(st.integers(0, 2_100), st.integers(2**AMOUNT_BITS - 100, 2**AMOUNT_BITS - 1)))
    spot = data.draw(st.one_of(st.integers(0, 2_000), st.integers(2**AMOUNT_BITS - 2_000, 2**AMOUNT_BITS - 1)))
    pool = data.draw(st.one_of(st.integers(0, 2_100), st.integers(2**COLLATERAL_BITS - 2_100, 2**COLLATERAL_BITS - 1)))

    ex = funded()
    ex.ledger = ledger
    ex.ledger.set_account(AccountIndex(ALICE), replace(bare, collateral=collateral))
    ex.state.set_balance(AccountIndex(ALICE), COLLATERAL, Amount(spot))
    ex.ledger.collateral_pool = pool
    try:
        process_collateral_transfer(ex.state, ex.ledger, transfer(ALICE, amount, 0, to_collateral), Timestamp(NOW))
        refusal = None
    except RollupError as refused:
        refusal = refused.code
    witness = {
        "toCollateral": int(to_collateral),
        "amount": amount,
        "spotBalance": spot,
        "collateral": signed_field(collateral),
        "pool": pool,
        "size": [signed_field(size) for size in sizes],
        "price": list(prices),
        "oracleTime": [NOW - age for age in ages],
        "quantum": [params.quantum for params in MARKETS],
        "initialMargin": [params.initial_margin for params in MARKETS],
        "maintenanceMargin": [params.maintenance_margin for params in MARKETS],
        "timestamp": NOW,
        "maxAge": MAX_PRICE_AGE,
    }
    assert accepts(circuit, witness) is (refusal is None)
    event(refusal or "accepted")
