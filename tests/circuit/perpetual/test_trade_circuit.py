"""
A perpetual trade's rules on the accounts and the market in the circuit
(``circuits/perpetual/trade.circom``) against the spec's ``process_perp_trade``.

``TradeCheck`` (``trade_check.circom``, two markets) fills a maker and a
taker at the maker's price with their fees, and enforces the margin rule,
reduce-only, the open-interest cap and fresh prices. On random accounts,
fills, fees and flags it must accept exactly what the spec accepts (the
orders' own rules, spot's, are kept satisfied here), and refuse a fee off
by one.
"""

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from prover import CircuitArtifacts
from prover.witness import FIELD_ORDER
from sequencer.spec.constants import BPS, FEE_ACCOUNT, Side
from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual.commitment import signed_field
from sequencer.spec.perpetual.constants import COLLATERAL_BITS
from sequencer.spec.perpetual.rules import process_perp_trade
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, PerpMarketParams, Position
from sequencer.spec.types import AccountIndex, Timestamp
from tests.circuit.perpetual.checking import accepts
from tests.spec.builders import ALICE, BOB, NOW
from tests.spec.perpetual.builders import MAX_PRICE_AGE, config, perp_order, perp_trade
from tests.spec.perpetual.conftest import funded

MARKETS = (
    PerpMarketParams(quantum=1, initial_margin=100_000, maintenance_margin=50_000, max_funding_rate=10**6, open_interest_cap=1_000),
    PerpMarketParams(quantum=7, initial_margin=200_000, maintenance_margin=125_000, max_funding_rate=10**6, open_interest_cap=300),
)


@pytest.fixture(scope="module")
def circuit(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    return perp_circuit("perp_trade")


def account(collateral: int, sizes: tuple[int, int]) -> PerpAccount:
    return PerpAccount(collateral, tuple(Position(size, 0) for size in sizes))


def longs(*accounts: PerpAccount, market: int) -> int:
    return sum(max(perp.position(market).size, 0) for perp in accounts)


class Case:
    """One trade: Bob's resting order (the maker) and Alice's (the taker), and the market around them."""

    def __init__(
        self,
        market: int,
        prices: tuple[int, int],
        ages: tuple[int, int],
        maker: PerpAccount,
        taker: PerpAccount,
        maker_buys: bool,
        fill: int,
        price: int,
        fees: tuple[int, int],
        reduce_only: tuple[bool, bool],
        others_long: int,
        fee_collateral: int = 0,
    ) -> None:
        self.market, self.prices, self.ages = market, prices, ages
        self.maker, self.taker, self.maker_buys = maker, taker, maker_buys
        self.fill, self.price, self.fees, self.reduce_only = fill, price, fees, reduce_only
        self.open_interest = others_long + longs(maker, taker, market=market)
        self.fee_collateral = fee_collateral

    def spec_refusal(self) -> str | None:
        """The code of the spec's refusal of the trade, or None if it applies it."""
        ex = funded(replace(config(), markets=MARKETS))
        for market_id, (price, age) in enumerate(zip(self.prices, self.ages, strict=True)):
            interest = self.open_interest if market_id == self.market else 0
            ex.ledger.set_market(market_id, PerpMarket(oracle_price=price, oracle_time=Timestamp(NOW - age), open_interest=interest))
        ex.ledger.set_account(AccountIndex(BOB), self.maker)
        ex.ledger.set_account(AccountIndex(ALICE), self.taker)
        ex.ledger.set_account(AccountIndex(FEE_ACCOUNT), PerpAccount(self.fee_collateral))
        maker_side = Side.BUY if self.maker_buys else Side.SELL
        taker_side = Side.SELL if self.maker_buys else Side.BUY
        maker = perp_order(BOB, 1, maker_side, self.price, 2**40 - 1, market=self.market, max_fee_bps=255, reduce_only=self.reduce_only[0])
        taker = perp_order(ALICE, 1, taker_side, self.price, 2**40 - 1, market=self.market, max_fee_bps=255, reduce_only=self.reduce_only[1])
        try:
            process_perp_trade(ex.state, ex.ledger, perp_trade(maker, taker, self.fill, *self.fees), Timestamp(NOW))
        except RollupError as refusal:
            return refusal.code
        return None

    def witness(self) -> dict[str, object]:
        notional = self.fill * self.price * MARKETS[self.market].quantum
        return {
            "traded": [int(i == self.market) for i in range(2)],
            "price": list(self.prices),
            "oracleTime": [NOW - age for age in self.ages],
            "quantum": [params.quantum for params in MARKETS],
            "initialMargin": [params.initial_margin for params in MARKETS],
            "maintenanceMargin": [params.maintenance_margin for params in MARKETS],
            "openInterest": self.open_interest,
            "cap": MARKETS[self.market].open_interest_cap,
            "timestamp": NOW,
            "maxAge": MAX_PRICE_AGE,
            "makerCollateral": signed_field(self.maker.collateral),
            "makerSize": [signed_field(self.maker.position(i).size) for i in range(2)],
            "takerCollateral": signed_field(self.taker.collateral),
            "takerSize": [signed_field(self.taker.position(i).size) for i in range(2)],
            "makerBuys": int(self.maker_buys),
            "fill": self.fill,
            "makerPrice": self.price,
            "feeBps": list(self.fees),
            "fee": [notional * bps // BPS for bps in self.fees],
            "feeRemainder": [notional * bps % BPS for bps in self.fees],
            "reduceOnly": [int(flag) for flag in self.reduce_only],
            "feeCollateral": signed_field(self.fee_collateral),
        }


def test_a_fee_off_by_one_is_refused(circuit: CircuitArtifacts) -> None:
    case = Case(0, (100, 30), (0, 0), account(5_000, (0, 0)), account(5_000, (0, 0)), False, 33, 101, (17, 29), (False, False), 0)
    assert case.spec_refusal() is None
    witness = case.witness()
    assert accepts(circuit, witness)
    fees, remainders = list(witness["fee"]), list(witness["feeRemainder"])  # type: ignore[call-overload]
    fees[1] -= 1
    remainders[1] += BPS
    assert not accepts(circuit, {**witness, "fee": fees, "feeRemainder": remainders})
    fees[1] += 2
    remainders[1] -= 2 * BPS
    assert not accepts(circuit, {**witness, "fee": fees, "feeRemainder": [remainder % FIELD_ORDER for remainder in remainders]})


@settings(max_examples=150, deadline=None)
@given(data=st.data(), market=st.integers(0, 1))
def test_the_circuit_accepts_exactly_what_the_spec_accepts(circuit: CircuitArtifacts, data: st.DataObject, market: int) -> None:
    prices = (data.draw(st.integers(50, 150)), data.draw(st.integers(10, 50)))
    if not data.draw(st.integers(0, 15)):
        prices = (0, prices[1]) if market == 0 else (prices[0], 0)  # the traded market never priced
    ages = (data.draw(st.sampled_from([0, MAX_PRICE_AGE, MAX_PRICE_AGE + 1])), data.draw(st.sampled_from([0, 5, MAX_PRICE_AGE + 1])))
    if data.draw(st.integers(0, 3)):
        ages = (min(ages[0], MAX_PRICE_AGE), min(ages[1], MAX_PRICE_AGE))  # mostly fresh
    sizes = st.tuples(st.integers(-150, 150), st.integers(-40, 40))
    top = 2**COLLATERAL_BITS - 1
    collateral = st.one_of(
        st.integers(-15_000, 5_000), st.integers(5_000, 40_000), st.integers(top - 20_000, top), st.integers(-top, -top + 20_000)
    )
    maker = account(data.draw(collateral), data.draw(sizes))
    taker = account(data.draw(collateral), data.draw(sizes))
    reduce_only = st.integers(0, 3).map(lambda draw: draw == 0)
    case = Case(
        market,
        prices,
        ages,
        maker,
        taker,
        data.draw(st.booleans()),
        data.draw(st.integers(1, 120)),
        max(1, prices[market] + data.draw(st.integers(-5, 5))),
        (data.draw(st.integers(0, 255)), data.draw(st.integers(0, 255))),
        (data.draw(reduce_only), data.draw(reduce_only)),
        data.draw(st.integers(0, MARKETS[market].open_interest_cap)),
        data.draw(st.one_of(st.integers(0, 1_000), st.integers(top - 1_000, top))),
    )
    refusal = case.spec_refusal()
    assert accepts(circuit, case.witness()) is (refusal is None)
    event(refusal or "accepted")
