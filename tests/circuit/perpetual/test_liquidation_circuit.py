"""
Liquidation and deleveraging in the circuit (``circuits/perpetual/liquidation.circom``)
against the spec's ``process_liquidation`` and ``process_deleverage``.

``CloseCheck`` (``close_check.circom``, two markets) closes part of one
account's position against a counterparty (a liquidator, the insurance
fund, or an opposite position when deleveraging) and enforces the rules on
the accounts' values and the quote. On random accounts, prices and quotes
the circuit must accept exactly what the spec accepts; the spec's other
rules (the liquidator's order, slots, freshness) are kept satisfied here.
"""

from collections.abc import Callable
from dataclasses import replace
from enum import Enum

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from prover import CircuitArtifacts
from sequencer.spec.constants import Side
from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual.commitment import signed_field
from sequencer.spec.perpetual.constants import COLLATERAL_BITS
from sequencer.spec.perpetual.margin import settled
from sequencer.spec.perpetual.rules import bankruptcy_quote, process_deleverage, process_liquidation
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, PerpMarketParams, Position
from sequencer.spec.perpetual.transactions import Deleverage, Liquidation
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.circuit.perpetual.checking import accepts
from tests.spec.builders import ALICE, BOB, CAROL, NOW
from tests.spec.perpetual.builders import FUND, MAX_PENALTY, config, fresh_ledger, perp_order
from tests.spec.perpetual.conftest import funded

MARKETS = (
    PerpMarketParams(quantum=1, initial_margin=100_000, maintenance_margin=50_000, max_funding_rate=10**6, open_interest_cap=10**9),
    PerpMarketParams(quantum=7, initial_margin=200_000, maintenance_margin=125_000, max_funding_rate=10**6, open_interest_cap=10**9),
)


class Mode(Enum):
    LIQUIDATOR = "liquidator"
    FUND = "fund"
    DELEVERAGE = "deleverage"


@pytest.fixture(scope="module")
def circuit(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    return perp_circuit("perp_close")


def account(collateral: int, sizes: tuple[int, int]) -> PerpAccount:
    return PerpAccount(collateral, tuple(Position(size, 0) for size in sizes))


def refusal(
    mode: Mode, prices: tuple[int, int], accounts: dict[int, PerpAccount], market: int, closing: int, quote: int, penalty: int
) -> str | None:
    """The code of the spec's refusal of the close, or None if it applies it."""
    ex = funded(replace(config(), markets=MARKETS))
    for market_id, price in enumerate(prices):
        ex.ledger.set_market(market_id, PerpMarket(oracle_price=price, oracle_time=Timestamp(NOW), open_interest=10**6))
    for index, perp in accounts.items():
        ex.ledger.set_account(AccountIndex(index), perp)
    position = accounts[ALICE].position(market).size
    try:
        if mode is Mode.DELEVERAGE:
            process_deleverage(
                ex.state, ex.ledger, Deleverage(AccountIndex(ALICE), AccountIndex(BOB), market, Amount(closing), Amount(quote)), Timestamp(NOW)
            )
        else:
            order = None
            if mode is Mode.LIQUIDATOR:
                side = Side.BUY if position > 0 else Side.SELL
                limit = 2**40 - 1 if side == Side.BUY else 0
                order = perp_order(CAROL, 1, side, limit, 2**40 - 1, market=market)
            liquidation = Liquidation(AccountIndex(ALICE), market, Amount(closing), Amount(quote), Amount(penalty), order)
            process_liquidation(ex.state, ex.ledger, liquidation, Timestamp(NOW))
    except RollupError as refused:
        return refused.code
    return None


def spec_accepts(
    mode: Mode, prices: tuple[int, int], accounts: dict[int, PerpAccount], market: int, closing: int, quote: int, penalty: int
) -> bool:
    return refusal(mode, prices, accounts, market, closing, quote, penalty) is None


def circuit_accepts(
    circuit: CircuitArtifacts,
    mode: Mode,
    prices: tuple[int, int],
    accounts: dict[int, PerpAccount],
    market: int,
    closing: int,
    quote: int,
    penalty: int,
) -> bool:
    counter = {Mode.LIQUIDATOR: CAROL, Mode.FUND: FUND, Mode.DELEVERAGE: BOB}[mode]
    book = fresh_ledger(replace(config(), markets=MARKETS))
    closed, against, fund = (settled(book, accounts[index]) for index in (ALICE, counter, FUND))
    witness = {
        "deleverage": int(mode is Mode.DELEVERAGE),
        "byFund": int(mode is Mode.FUND),
        "traded": [int(i == market) for i in range(2)],
        "price": list(prices),
        "quantum": [params.quantum for params in MARKETS],
        "initialMargin": [params.initial_margin for params in MARKETS],
        "maintenanceMargin": [params.maintenance_margin for params in MARKETS],
        "collateral": signed_field(closed.collateral),
        "size": [signed_field(closed.position(i).size) for i in range(2)],
        "counterCollateral": signed_field(against.collateral),
        "counterSize": [signed_field(against.position(i).size) for i in range(2)],
        "fundCollateral": signed_field(fund.collateral),
        "fundSize": [signed_field(fund.position(i).size) for i in range(2)],
        "closing": closing,
        "quote": quote,
        "penalty": penalty,
        "maxPenalty": MAX_PENALTY,
    }
    return accepts(circuit, witness)


def agree(circuit: CircuitArtifacts, *case: object) -> bool:
    """Whether spec and circuit agree on ``case``; returns the spec's verdict."""
    verdict = spec_accepts(*case)  # type: ignore[arg-type]
    assert circuit_accepts(circuit, *case) is verdict, case  # type: ignore[arg-type]
    return verdict


def one_market(alice: PerpAccount, bob: PerpAccount, carol: PerpAccount, fund: PerpAccount) -> dict[int, PerpAccount]:
    return {ALICE: alice, BOB: bob, CAROL: carol, FUND: fund}


ALICE_LONG = account(-9_500, (100, 0))
"""The spec tests' Alice: a long of 100 lots bought for 10,000 with 500 of her own."""
BOB_SHORT = account(15_000, (-100, 0))
CAROL_FLAT = account(5_000, (0, 0))


@pytest.mark.parametrize(
    "price, quote, penalty, accepted",
    [
        (99, 9_801, 0, True), (99, 9_800, 0, False), (99, 9_850, 49, True), (99, 9_850, 50, False),
        (95, 9_500, 0, True), (95, 9_499, 0, False), (100, 9_950, 0, False),
    ],
)  # fmt: skip
def test_the_spec_boundaries_of_a_liquidation(circuit: CircuitArtifacts, price: int, quote: int, penalty: int, accepted: bool) -> None:
    accounts = one_market(ALICE_LONG, BOB_SHORT, CAROL_FLAT, account(10_000, (0, 0)))
    assert agree(circuit, Mode.LIQUIDATOR, (price, 30), accounts, 0, 100, quote, penalty) is accepted


@pytest.mark.parametrize("quote, fund, accepted", [(9_500, 10_000, True), (9_501, 10_000, False), (9_499, 10_000, False), (9_500, 499, False)])
def test_the_fund_pays_exactly_what_it_must(circuit: CircuitArtifacts, quote: int, fund: int, accepted: bool) -> None:
    """At 90 Alice is 500 short; at 94, 100: the fund pays her bankruptcy quote, not a unit more, and stays solvent."""
    price = 90 if fund < 500 else 94
    accounts = one_market(ALICE_LONG, BOB_SHORT, CAROL_FLAT, account(fund, (0, 0)))
    assert agree(circuit, Mode.FUND, (price, 30), accounts, 0, 100, quote, 0) is accepted


@pytest.mark.parametrize("quote, fund, bob, accepted", [(9_500, 0, 15_000, True), (9_501, 0, 15_000, False), (9_499, 0, 15_000, False), (9_500, 500, 15_000, False), (9_500, 0, 9_400, False)])
def test_the_spec_boundaries_of_a_deleveraging(circuit: CircuitArtifacts, quote: int, fund: int, bob: int, accepted: bool) -> None:
    accounts = one_market(ALICE_LONG, account(bob, (-100, 0)), CAROL_FLAT, account(fund, (0, 0)))
    assert agree(circuit, Mode.DELEVERAGE, (90, 30), accounts, 0, 100, quote, 0) is accepted


def test_a_deleveraging_carries_no_penalty(circuit: CircuitArtifacts) -> None:
    """The accepted deleveraging of Alice at 90, with a penalty of 100 taken from her on top: refused."""
    accounts = one_market(ALICE_LONG, BOB_SHORT, CAROL_FLAT, account(0, (0, 0)))
    assert circuit_accepts(circuit, Mode.DELEVERAGE, (90, 30), accounts, 0, 100, 9_500, 0)
    assert not circuit_accepts(circuit, Mode.DELEVERAGE, (90, 30), accounts, 0, 100, 9_600, 100)


@pytest.mark.parametrize("mode", [Mode.LIQUIDATOR, Mode.FUND, Mode.DELEVERAGE])
def test_no_close_in_a_market_never_priced(circuit: CircuitArtifacts, mode: Mode) -> None:
    accounts = one_market(ALICE_LONG, BOB_SHORT, CAROL_FLAT, account(10_000, (0, 0)))
    assert not spec_accepts(mode, (0, 30), accounts, 0, 100, 9_500, 0)
    assert not circuit_accepts(circuit, mode, (0, 30), accounts, 0, 100, 9_500, 0)


def near(value: int, spread: int = 2) -> st.SearchStrategy[int]:
    """Integers at ``value`` and a few units either side: where the rules change their verdict."""
    return st.integers(max(0, value - spread), value + spread)


@settings(max_examples=250, deadline=None)
@given(data=st.data(), mode=st.sampled_from(Mode), market=st.integers(0, 1))
def test_the_circuit_accepts_exactly_what_the_spec_accepts(
    circuit: CircuitArtifacts, data: st.DataObject, mode: Mode, market: int
) -> None:
    """
    Random accounts near the boundaries: Alice's value drawn around her
    maintenance requirement (or below zero to deleverage), the closed size
    up to a little beyond her position, the quote at or next to her
    bankruptcy quote, the oracle notional or the cap's limit.
    """
    prices = (data.draw(st.integers(50, 150)), data.draw(st.integers(10, 50)))
    per_lot = [price * params.quantum for price, params in zip(prices, MARKETS, strict=True)]
    sizes = [data.draw(st.integers(-200, 200)), data.draw(st.integers(-30, 30))]
    sizes[market] = sizes[market] or 1
    notional = sum(abs(size) * lot for size, lot in zip(sizes, per_lot, strict=True))
    maintenance = sum(
        abs(size) * lot * params.maintenance_margin for size, lot, params in zip(sizes, per_lot, MARKETS, strict=True)
    ) // 10**6
    top = -1 if mode is Mode.DELEVERAGE else maintenance
    value = data.draw(st.integers(min(-notional // 10 - 1, top), top))
    if mode is not Mode.DELEVERAGE and not data.draw(st.integers(0, 7)):
        value = maintenance + data.draw(st.integers(0, 3))  # at or above maintenance: not liquidatable
    alice = account(value - sum(size * lot for size, lot in zip(sizes, per_lot, strict=True)), (sizes[0], sizes[1]))
    position = sizes[market]
    closing = data.draw(st.integers(1, abs(position) + 1))
    counter_sizes = [data.draw(st.integers(-200, 200)), data.draw(st.integers(-30, 30))]
    if mode is Mode.DELEVERAGE and data.draw(st.integers(0, 4)):
        counter_sizes[market] = -position * data.draw(st.integers(1, 3))
    counter_value = data.draw(st.integers(-500, 40_000))
    if not data.draw(st.integers(0, 9)):
        counter_value += 2**COLLATERAL_BITS - 50_000  # near the top of the collateral's range
    counterparty = account(counter_value - sum(s * lot for s, lot in zip(counter_sizes, per_lot, strict=True)), (counter_sizes[0], counter_sizes[1]))
    deficit = max(0, -value)
    fund = account(data.draw(st.integers(max(0, deficit - 3), deficit + 3)) if mode is Mode.DELEVERAGE else 2_000, (0, 0))
    if mode is Mode.FUND:
        fund = counterparty = account(data.draw(st.integers(0, 3_000)), (0, 0))
    elif mode is Mode.LIQUIDATOR and not data.draw(st.integers(0, 9)):
        fund = account(2**COLLATERAL_BITS - 1 - data.draw(st.integers(0, 10)), (0, 0))  # the penalty may not fit
    book = fresh_ledger(replace(config(), markets=MARKETS))
    for market_id, price in enumerate(prices):
        book.set_market(market_id, PerpMarket(oracle_price=price, oracle_time=Timestamp(NOW)))
    book.set_account(AccountIndex(ALICE), alice)
    oracle_notional = min(closing, abs(position)) * per_lot[market]
    cap = oracle_notional * MAX_PENALTY // 10**6
    penalty = 0 if mode is Mode.DELEVERAGE else data.draw(st.integers(0, cap + 1))
    anchors = [oracle_notional, oracle_notional - cap + penalty, oracle_notional + cap - penalty]
    if closing <= abs(position):
        bankruptcy = bankruptcy_quote(book, AccountIndex(ALICE), market, closing, penalty)
        anchors += [bankruptcy, max(bankruptcy, oracle_notional - cap + penalty) if position > 0 else min(bankruptcy, oracle_notional + cap - penalty)]
    if mode is Mode.DELEVERAGE and closing <= abs(position) and data.draw(st.booleans()):
        anchors = anchors[3:4]  # a deleveraging is at the bankruptcy quote exactly: aim there half the time
    quote = data.draw(st.sampled_from(anchors).flatmap(lambda anchor: st.one_of(st.just(max(0, anchor)), near(anchor))))
    accounts = one_market(alice, counterparty, counterparty, fund)
    verdict = agree(circuit, mode, prices, accounts, market, closing, quote, penalty)
    event(f"{mode.value}: {refusal(mode, prices, accounts, market, closing, quote, penalty) or 'accepted'}")
