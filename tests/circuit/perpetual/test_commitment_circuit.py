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
from sequencer.spec.perpetual.commitment import perp_account_hash, perp_commitment, signed_field
from sequencer.spec.perpetual.constants import COLLATERAL_BITS, FUNDING_INDEX_BITS, MAX_PERP_MARKETS, SIZE_BITS
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, Position
from tests.circuit.perpetual.checking import accepts


@pytest.fixture(scope="module")
def circuit(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    return perp_circuit("perp_commitment")


def witness(account: PerpAccount, markets: list[PerpMarket], pool: int = 0) -> dict[str, object]:
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
        "commitment": perp_commitment(markets, pool),
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
@given(account=accounts, market_list=markets, pool=st.integers(0, 2**COLLATERAL_BITS - 1))
def test_the_circuit_hashes_as_the_spec(circuit: CircuitArtifacts, account: PerpAccount, market_list: list[PerpMarket], pool: int) -> None:
    assert accepts(circuit, witness(account, market_list, pool))


def test_every_field_counts(circuit: CircuitArtifacts) -> None:
    """Changing any one value changes the hash the circuit computes, so the spec's no longer matches."""
    account = PerpAccount(-5, (Position(3, -7), Position(0, 0), Position(-2, 11)))
    market_list = [PerpMarket(100, 5, -9, 4, 3)]
    honest = witness(account, market_list, 700)
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
    ]
    for values in changed:
        assert not accepts(circuit, values)
    assert perp_account_hash(account) != perp_account_hash(replace(account, collateral=5))
