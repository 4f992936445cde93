"""
The perpetual state's hashes in the circuit (``circuits/perpetual/commitment.circom``)
equal the spec's (``sequencer/spec/perpetual/commitment.py``), signed values
and all, and change with every field.
"""

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prover import CircuitArtifacts
from sequencer.crypto.field import FIELD_MODULUS
from sequencer.spec.perpetual.commitment import perp_account_hash, perp_commitment, perp_config_hash, signed_field
from sequencer.spec.perpetual.constants import COLLATERAL_BITS, FUNDING_INDEX_BITS, MAX_PERP_MARKETS, SIZE_BITS
from sequencer.spec.perpetual.state import PerpAccount, PerpConfig, PerpMarket, Position
from sequencer.witness.perpetual import config_hash_inputs
from sequencer.spec.types import AccountIndex, FieldElement
from tests.circuit.perpetual.checking import accepts
from tests.spec.perpetual.builders import config
from tests.spec.perpetual.portfolios import two_market_config


@pytest.fixture(scope="module")
def circuit(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    return perp_circuit("perp_commitment")


def witness(account: PerpAccount, markets: list[PerpMarket], pool: int = 0, config_hash: int = 0) -> dict[str, object]:
    padded = markets + [PerpMarket()] * (MAX_PERP_MARKETS - len(markets))
    return {
        "collateral": signed_field(account.collateral),
        "size": [signed_field(account.position(i).size) for i in range(MAX_PERP_MARKETS)],
        "settledIndex": [signed_field(account.position(i).funding_index) for i in range(MAX_PERP_MARKETS)],
        "accountHash": perp_account_hash(account),
        "oraclePrice": [market.oracle_price for market in padded],
        "oracleTime": [market.oracle_time for market in padded],
        "fundingIndex": [signed_field(market.funding_index) for market in padded],
        "fundingTime": [market.funding_time for market in padded],
        "openInterest": [market.open_interest for market in padded],
        "collateralPool": pool,
        "configHash": config_hash,
        "commitment": perp_commitment(markets, pool, FieldElement(config_hash)),
    }


signed = st.integers(-(2**SIZE_BITS - 1), 2**SIZE_BITS - 1)
index = st.integers(-(2**FUNDING_INDEX_BITS - 1), 2**FUNDING_INDEX_BITS - 1)
accounts = st.builds(
    lambda collateral, positions: PerpAccount(collateral, tuple(Position(size, at) for size, at in positions)),
    st.integers(-(2**COLLATERAL_BITS - 1), 2**COLLATERAL_BITS - 1),
    st.lists(st.tuples(signed, index), max_size=MAX_PERP_MARKETS),
)
markets = st.lists(
    st.builds(PerpMarket, st.integers(0, 2**40 - 1), st.integers(0, 2**64 - 1), index, st.integers(0, 2**64 - 1), st.integers(0, 2**40 - 1)),
    min_size=1,
    max_size=MAX_PERP_MARKETS,
)


@settings(max_examples=25, deadline=None)
@given(
    account=accounts,
    market_list=markets,
    pool=st.integers(0, 2**COLLATERAL_BITS - 1),
    config_hash=st.integers(0, FIELD_MODULUS - 1),
)
def test_the_circuit_hashes_as_the_spec(
    circuit: CircuitArtifacts, account: PerpAccount, market_list: list[PerpMarket], pool: int, config_hash: int
) -> None:
    assert accepts(circuit, witness(account, market_list, pool, config_hash))


def test_every_field_counts(circuit: CircuitArtifacts) -> None:
    """Changing any one value changes the hash the circuit computes, so the spec's no longer matches."""
    account = PerpAccount(-5, (Position(3, -7), Position(0, 0), Position(-2, 11)))
    market_list = [PerpMarket(100, 5, -9, 4, 3)]
    honest = witness(account, market_list, 700, 12345)
    assert accepts(circuit, honest)
    changed = [
        {**honest, "collateral": signed_field(-4)},
        {**honest, "size": [signed_field(3), 0, signed_field(2), 0]},
        {**honest, "settledIndex": [signed_field(-7), 0, signed_field(11), 1]},
        {**honest, "oraclePrice": [101, 0, 0, 0]},
        {**honest, "oracleTime": [5, 1, 0, 0]},
        {**honest, "fundingIndex": [signed_field(9), 0, 0, 0]},
        {**honest, "fundingTime": [4, 0, 0, 1]},
        {**honest, "openInterest": [3, 0, 0, 1]},
        {**honest, "collateralPool": 701},
        {**honest, "configHash": 12346},
    ]
    for values in changed:
        assert not accepts(circuit, values)
    assert perp_account_hash(account) != perp_account_hash(replace(account, collateral=5))


def config_witness(perp_config: PerpConfig) -> dict[str, object]:
    """The parameters of ``perp_config`` as ``ConfigHashCheck``'s inputs, with the spec's hash."""
    return {**config_hash_inputs(perp_config), "configHash": perp_config_hash(perp_config)}


@pytest.mark.parametrize("perp_config", [config(), two_market_config()], ids=["one market", "two markets"])
def test_the_circuit_hashes_the_parameters_as_the_spec(
    perp_circuit: Callable[[str], CircuitArtifacts], perp_config: PerpConfig
) -> None:
    """The tests' deployments (four oracle keys) hash alike in the circuit and the spec."""
    assert accepts(perp_circuit("perp_config_hash"), config_witness(perp_config))


def test_every_parameter_counts(perp_circuit: Callable[[str], CircuitArtifacts]) -> None:
    """
    A parameter changed, a market's parameters swapped, an unconfigured
    market claimed configured, or the oracle keys reordered: the circuit's
    hash no longer matches the spec's. The spec's hash moves with each too.
    """
    circuit = perp_circuit("perp_config_hash")
    honest = config_witness(two_market_config())
    assert accepts(circuit, honest)
    swapped = {**honest, "quantum": [7, 1, 0, 0]}
    changed: list[dict[str, object]] = [
        {**honest, name: value + 1} for name, value in honest.items() if isinstance(value, int) and name != "configHash"
    ]
    changed += [
        swapped,
        {**honest, "configured": [1, 1, 1, 0]},
        {**honest, "maxFundingRate": [10**6, 10**6 + 1, 0, 0]},
        {**honest, "keyAx": list(reversed(honest["keyAx"])), "keyAy": list(reversed(honest["keyAy"]))},  # type: ignore[call-overload]
    ]
    for values in changed:
        assert not accepts(circuit, values)
    base = two_market_config()
    variants = [
        replace(base, collateral_token=base.collateral_token + 1),
        replace(base, oracle_quorum=1),
        replace(base, oracle_window=base.oracle_window + 1),
        replace(base, max_price_age=base.max_price_age + 1),
        replace(base, insurance_fund=AccountIndex(base.insurance_fund + 1)),
        replace(base, max_liquidation_penalty=base.max_liquidation_penalty + 1),
        replace(base, markets=base.markets[:1]),
        replace(base, oracle_keys=base.oracle_keys[:3]),
    ]
    assert len({perp_config_hash(variant) for variant in variants} | {perp_config_hash(base)}) == len(variants) + 1
