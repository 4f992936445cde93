"""
The perpetual margin arithmetic in the circuit (``circuits/perpetual/margin.circom``)
against the spec (``sequencer/spec/perpetual/margin.py``, ``rules.check_margin``).

``AccountMargin`` (``account_margin.circom``, two markets) takes one account
before a fill (funding unsettled) and after it, settles the funding with
the witness's quotient and remainder, and enforces the margin rule. Each
test builds its input from the spec's values: the circuit must accept
exactly what the spec accepts, and refuse a witness that breaks one rule
(a funding quotient off by one, a settled collateral off by one, a position
changed in another market, a fill the margin rule refuses).
"""

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from prover import CircuitArtifacts
from sequencer.spec.perpetual.commitment import signed_field
from sequencer.spec.perpetual.constants import FUNDING_RATE_SCALE
from sequencer.spec.perpetual.errors import MarginInsufficient
from sequencer.spec.perpetual.margin import funding_payment, settled
from sequencer.spec.perpetual.rules import check_margin
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, PerpMarketParams, Position
from sequencer.spec.types import AccountIndex, Timestamp
from tests.circuit.perpetual.checking import accepts
from sequencer.spec.perpetual.ledger import PerpLedger
from tests.spec.perpetual.builders import config, fresh_ledger

ACCOUNT = AccountIndex(1)
MARKETS = (
    PerpMarketParams(quantum=1, initial_margin=100_000, maintenance_margin=50_000, max_funding_rate=10**6, open_interest_cap=10**9),
    PerpMarketParams(quantum=7, initial_margin=200_000, maintenance_margin=125_000, max_funding_rate=10**6, open_interest_cap=10**9),
)


@pytest.fixture(scope="module")
def circuit(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    """``AccountMargin(2)``, compiled only (the witness is what is checked)."""
    return perp_circuit("perp_margin")


def ledger(prices: tuple[int, int] = (100, 30), indices: tuple[int, int] = (0, 0)) -> PerpLedger:
    """A two-market ledger at ``prices`` and funding ``indices``."""
    two = fresh_ledger(replace(config(), markets=MARKETS))
    for market_id, (price, index) in enumerate(zip(prices, indices, strict=True)):
        two.set_market(market_id, PerpMarket(oracle_price=price, oracle_time=Timestamp(1), funding_index=index))
    return two


def account(collateral: int, sizes: tuple[int, int], settled_at: tuple[int, int] = (0, 0)) -> PerpAccount:
    return PerpAccount(collateral, tuple(Position(size, index) for size, index in zip(sizes, settled_at, strict=True)))


def circuit_input(book: PerpLedger, before: PerpAccount, after: PerpAccount, market: int) -> dict[str, object]:
    """The input of ``AccountMargin``: ``after`` is the account once settled and filled in ``market``."""
    markets = book.markets()
    payments = [funding_payment(before.position(i), markets[i], MARKETS[i]) for i in range(len(MARKETS))]
    owed = [
        -before.position(i).size * (markets[i].funding_index - before.position(i).funding_index) * MARKETS[i].quantum
        for i in range(len(MARKETS))
    ]
    return {
        "traded": [int(i == market) for i in range(len(MARKETS))],
        "collateral": signed_field(before.collateral),
        "size": [signed_field(before.position(i).size) for i in range(len(MARKETS))],
        "settledIndex": [signed_field(before.position(i).funding_index) for i in range(len(MARKETS))],
        "index": [signed_field(market_state.funding_index) for market_state in markets],
        "price": [market_state.oracle_price for market_state in markets],
        "quantum": [params.quantum for params in MARKETS],
        "initialMargin": [params.initial_margin for params in MARKETS],
        "maintenanceMargin": [params.maintenance_margin for params in MARKETS],
        "payment": [signed_field(payment) for payment in payments],
        "remainder": [owe - payment * FUNDING_RATE_SCALE for owe, payment in zip(owed, payments, strict=True)],
        "settledCollateral": signed_field(settled(book, before).collateral),
        "collateralAfter": signed_field(after.collateral),
        "sizeAfter": [signed_field(after.position(i).size) for i in range(len(MARKETS))],
    }


def spec_accepts(book: PerpLedger, before: PerpAccount, after: PerpAccount, market: int) -> bool:
    try:
        check_margin(book, ACCOUNT, settled(book, before), after, market)
    except MarginInsufficient:
        return False
    return True


def buy(book: PerpLedger, before: PerpAccount, market: int, size: int, price: int) -> PerpAccount:
    """``before`` settled, then buying ``size`` (selling if negative) at ``price`` ticks."""
    start = settled(book, before)
    position = start.position(market)
    moved = start.with_position(market, Position(position.size + size, position.funding_index))
    return replace(moved, collateral=start.collateral - size * price * MARKETS[market].quantum)


@pytest.mark.parametrize("collateral, accepted", [(99, False), (100, True), (101, True)])
def test_initial_margin_boundary(circuit: CircuitArtifacts, collateral: int, accepted: bool) -> None:
    """Buying 100 at 100 with the price at 110 needs 100 collateral of the account's own, as in the spec."""
    book = ledger(prices=(110, 30))
    before = account(collateral, (0, 0))
    after = buy(book, before, 0, 100, 100)
    assert spec_accepts(book, before, after, 0) is accepted
    assert accepts(circuit, circuit_input(book, before, after, 0)) is accepted


def test_reducing_below_initial_keeps_the_ratio(circuit: CircuitArtifacts) -> None:
    """A long of 100 (collateral -9,500) below initial margin at 100 may sell 50 at 100, not at 90, not 200."""
    book = ledger()
    before = account(-9_500, (100, 0))
    cases = [(buy(book, before, 0, -50, 100), True), (buy(book, before, 0, -50, 90), False), (buy(book, before, 0, -200, 100), False), (buy(book, before, 0, 1, 100), False)]
    for after, accepted in cases:
        assert spec_accepts(book, before, after, 0) is accepted
        assert accepts(circuit, circuit_input(book, before, after, 0)) is accepted


def test_a_short_in_the_second_market(circuit: CircuitArtifacts) -> None:
    """Quantum 7, 20 % initial margin: a short of 10 at 30 is worth 2,100, needs 420."""
    book = ledger()
    before = account(420, (0, 0))
    after = buy(book, before, 1, -10, 30)
    assert spec_accepts(book, before, after, 1)
    assert accepts(circuit, circuit_input(book, before, after, 1))
    short = account(419, (0, 0))
    assert not accepts(circuit, circuit_input(book, short, buy(book, short, 1, -10, 30), 1))


def funding_case() -> tuple[PerpLedger, PerpAccount, PerpAccount]:
    """A long of 3 and a short of 2 with funding to settle that does not divide evenly."""
    book = ledger(indices=(10**12 // 3, -(10**13) - 17))
    before = account(10_000, (3, -2), settled_at=(5, 11))
    return book, before, buy(book, before, 0, 1, 100)


def test_funding_settles_as_the_spec_rounds(circuit: CircuitArtifacts) -> None:
    book, before, after = funding_case()
    assert settled(book, before).collateral != before.collateral
    assert accepts(circuit, circuit_input(book, before, after, 0))


@pytest.mark.parametrize("market", [0, 1])
@pytest.mark.parametrize("shift", [1, -1])
def test_a_funding_quotient_off_by_one_is_refused(circuit: CircuitArtifacts, market: int, shift: int) -> None:
    """Another quotient needs a remainder outside [0, FUNDING_RATE_SCALE): the floor is the only one."""
    book, before, after = funding_case()
    witness = circuit_input(book, before, after, 0)
    payments, remainders = list(witness["payment"]), list(witness["remainder"])  # type: ignore[call-overload]
    payments[market] = signed_field(payments[market] + shift)
    remainders[market] = signed_field(remainders[market] - shift * FUNDING_RATE_SCALE)
    settled_collateral = signed_field(witness["settledCollateral"] + shift)  # type: ignore[operator]
    tampered = {**witness, "payment": payments, "remainder": remainders, "settledCollateral": settled_collateral}
    assert not accepts(circuit, tampered)


def test_a_settled_collateral_off_by_one_is_refused(circuit: CircuitArtifacts) -> None:
    book, before, after = funding_case()
    witness = circuit_input(book, before, after, 0)
    assert not accepts(circuit, {**witness, "settledCollateral": signed_field(witness["settledCollateral"] + 1)})  # type: ignore[operator]


def test_another_markets_position_cannot_change(circuit: CircuitArtifacts) -> None:
    book = ledger()
    before = account(100_000, (0, 5))
    after = buy(book, before, 0, 10, 100)
    witness = circuit_input(book, before, after, 0)
    assert accepts(circuit, witness)
    assert not accepts(circuit, {**witness, "sizeAfter": [signed_field(10), signed_field(6)]})


@settings(max_examples=60, deadline=None)
@given(
    collateral=st.integers(-20_000, 20_000),
    sizes=st.tuples(st.integers(-200, 200), st.integers(-200, 200)),
    prices=st.tuples(st.integers(1, 300), st.integers(1, 300)),
    market=st.integers(0, 1),
    fill=st.integers(-300, 300),
    fill_price=st.integers(1, 300),
)
def test_the_circuit_accepts_exactly_what_the_spec_accepts(
    circuit: CircuitArtifacts,
    collateral: int,
    sizes: tuple[int, int],
    prices: tuple[int, int],
    market: int,
    fill: int,
    fill_price: int,
) -> None:
    book = ledger(prices=prices, indices=(7 * 10**11, -3 * 10**11))
    before = account(collateral, sizes)
    after = buy(book, before, market, fill, fill_price)
    verdict = spec_accepts(book, before, after, market)
    assert accepts(circuit, circuit_input(book, before, after, market)) is verdict
    event("accepted" if verdict else "refused")


@settings(max_examples=60, deadline=None)
@given(data=st.data(), market=st.integers(0, 1))
def test_reductions_below_initial_margin_as_the_spec(circuit: CircuitArtifacts, data: st.DataObject, market: int) -> None:
    """
    Accounts between their maintenance and initial requirements, reducing
    (or flipping) their position at prices around the oracle's: the branch
    where only a reduction that keeps the margin ratio is allowed.
    """
    prices = (data.draw(st.integers(20, 300)), data.draw(st.integers(5, 60)))
    sizes = [data.draw(st.integers(-200, 200)), data.draw(st.integers(-60, 60))]
    sizes[market] = sizes[market] or 7
    book = ledger(prices=prices)
    worth = sum(size * price * params.quantum for size, price, params in zip(sizes, prices, MARKETS, strict=True))
    requirement = [
        sum(abs(size) * price * params.quantum * fraction(params) for size, price, params in zip(sizes, prices, MARKETS, strict=True))
        // 10**6
        for fraction in (lambda p: p.initial_margin, lambda p: p.maintenance_margin)
    ]
    value = data.draw(st.integers(requirement[1] - 200, (requirement[0] + requirement[1]) // 2))
    before = account(value - worth, (sizes[0], sizes[1]))
    position = sizes[market]
    closing = data.draw(st.one_of(st.integers(1, abs(position) // 4 + 1), st.integers(1, abs(position) + 3)))
    price = prices[market] + data.draw(st.integers(-12, 12))
    after = buy(book, before, market, -closing if position > 0 else closing, max(1, price))
    verdict = spec_accepts(book, before, after, market)
    assert accepts(circuit, circuit_input(book, before, after, market)) is verdict
    event("accepted" if verdict else "refused")
