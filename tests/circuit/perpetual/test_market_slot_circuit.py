"""
The perpetual slot of the markets' transactions (``circuits/perpetual/market_slot.circom``)
against the spec: a noop, an oracle update or a funding tick moves the four
markets exactly as ``apply_perp_transaction`` does and publishes the bytes
``encode_perp_slot`` writes; every update or tick the spec refuses, and every
other outcome or published bit, the circuit refuses.
"""

from collections.abc import Callable
from dataclasses import replace

import pytest

from prover import CircuitArtifacts
from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual.constants import MAX_PERP_MARKETS, PerpTxType
from sequencer.witness.perpetual import market_inputs, market_slot_inputs
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.public_data import encode_perp_slot, perp_slot_data
from sequencer.spec.perpetual.rules import apply_perp_transaction, latest_time, median_price, priced, ticked_markets
from sequencer.spec.perpetual.state import PerpMarket
from sequencer.spec.perpetual.transactions import Deleverage, FundingTick, Liquidation, OracleUpdate, PerpTransaction
from sequencer.spec.transactions import Noop
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.circuit.perpetual.checking import accepts
from tests.spec.builders import NOW
from tests.spec.perpetual.builders import price_update, signed_price, transfer
from tests.spec.perpetual.conftest import funded
from tests.spec.perpetual.portfolios import two_market_config

Witness = dict[str, object]


@pytest.fixture(scope="module")
def circuit(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    return perp_circuit("perp_market_slot")


def ledger() -> PerpLedger:
    """Two configured markets, never priced."""
    return funded(two_market_config()).ledger


def bits_of(slot: bytes) -> list[int]:
    """A slot's bytes as bits, most significant first."""
    return [(byte >> (7 - i)) & 1 for byte in slot for i in range(8)]


def slot_witness(book: PerpLedger, tx: PerpTransaction, timestamp: int, after: tuple[PerpMarket, ...]) -> Witness:
    """The slot's witness for ``tx`` on ``book``'s markets, claiming ``after`` and the spec's public data."""
    return {
        **market_slot_inputs(book.config, book.state.perp_markets, tx, Timestamp(timestamp)),
        **market_inputs(after, "After"),
        "bits": bits_of(encode_perp_slot(perp_slot_data(tx, book.config))),
    }


def claimed_after(book: PerpLedger, tx: PerpTransaction, timestamp: int) -> tuple[PerpMarket, ...]:
    """The markets a prover would claim after ``tx``: its effect without any of the spec's checks."""
    markets = list(book.state.perp_markets)
    if isinstance(tx, OracleUpdate):
        markets[tx.market] = priced(markets[tx.market], median_price(tx), latest_time(tx), Timestamp(timestamp))
    elif isinstance(tx, FundingTick):
        configured = len(book.config.markets)
        markets[:configured] = ticked_markets(markets[:configured], tx.rates[:configured], Timestamp(timestamp))
    return tuple(markets)


def applied(circuit: CircuitArtifacts, book: PerpLedger, tx: PerpTransaction, timestamp: int) -> Witness:
    """Apply ``tx`` with the spec and check the circuit takes the step; returns its witness."""
    before = PerpLedger(book.config, book.state.copy())
    apply_perp_transaction(book.state, book, tx, Timestamp(timestamp), None)
    witness = slot_witness(before, tx, timestamp, book.state.perp_markets)
    assert accepts(circuit, witness)
    return witness


def history(circuit: CircuitArtifacts) -> list[Witness]:
    """Prices for both markets, funding both ways, a later price and tick, and noops: each step accepted."""
    book = ledger()
    steps: list[tuple[PerpTransaction, int]] = [
        (Noop(), NOW),
        (price_update(100, NOW), NOW),
        (price_update(30, NOW, market=1), NOW + 5),
        (FundingTick((10**6, -(10**6))), NOW + 65),
        (price_update(97, NOW + 70), NOW + 90),
        (FundingTick((-3, 0)), NOW + 600),
        (Noop(), NOW + 601),
    ]
    return [applied(circuit, book, tx, timestamp) for tx, timestamp in steps]


def test_the_markets_move_and_publish_as_the_spec_says(circuit: CircuitArtifacts) -> None:
    """Every step of a history the spec applies, the circuit takes, with the spec's markets and bytes."""
    witnesses = history(circuit)
    assert witnesses[1]["fundingTimeAfter"] == [NOW, 0, 0, 0]  # a first price starts the clock
    assert witnesses[3]["fundingIndexAfter"] != witnesses[3]["fundingIndex"]


@pytest.mark.parametrize(
    ("name", "tx", "timestamp"),
    [
        ("a price signed after the batch", price_update(100, NOW + 1), NOW),
        ("a price older than the window", price_update(100, NOW - 61), NOW),
        ("an unconfigured market", price_update(100, NOW, market=2), NOW),
        ("signers out of order", OracleUpdate(0, (signed_price(1, 100), signed_price(0, 100), signed_price(2, 100))), NOW),
        ("a signer twice", OracleUpdate(0, (signed_price(0, 100), signed_price(0, 100), signed_price(2, 100))), NOW),
        ("a zero price", OracleUpdate(0, (signed_price(0, 0), signed_price(1, 100), signed_price(2, 100))), NOW),
        ("a signature of another price", OracleUpdate(0, (replace(signed_price(0, 100), price=101), signed_price(1, 100), signed_price(2, 100))), NOW),
        ("a rate above the cap", FundingTick((10**6 + 1, 0)), NOW),
        ("a rate for an unconfigured market", FundingTick((0, 0, 1)), NOW),
    ],
)
def test_what_the_spec_refuses_the_circuit_refuses(circuit: CircuitArtifacts, name: str, tx: PerpTransaction, timestamp: int) -> None:
    book = ledger()
    apply_perp_transaction(book.state, book, price_update(100, NOW - 30), Timestamp(NOW - 30), None)
    with pytest.raises(RollupError):
        apply_perp_transaction(book.state.copy(), PerpLedger(book.config, book.state.copy()), tx, Timestamp(timestamp), None)
    witness = slot_witness(book, tx, timestamp, claimed_after(book, tx, timestamp))
    assert not accepts(circuit, witness), name
    # An unconfigured market's parameters are not in the configuration's hash: a prover may
    # claim any funding bound for it, and the rate is refused all the same.
    assert not accepts(circuit, {**witness, "maxFundingRate": [10**6] * MAX_PERP_MARKETS}), name


def test_no_tick_goes_back_in_time(circuit: CircuitArtifacts) -> None:
    """A funding tick before a market's last one (FundingTimeReversed) is refused."""
    book = ledger()
    apply_perp_transaction(book.state, book, price_update(100, NOW), Timestamp(NOW), None)
    tick = FundingTick((1, 0))
    with pytest.raises(RollupError):
        apply_perp_transaction(book.state.copy(), PerpLedger(book.config, book.state.copy()), tick, Timestamp(NOW - 1), None)
    assert not accepts(circuit, slot_witness(book, tick, NOW - 1, claimed_after(book, tick, NOW - 1)))


def test_any_other_outcome_or_published_bit_is_refused(circuit: CircuitArtifacts) -> None:
    """
    From each honest step: another median, latest time, index, funding time,
    open interest, price of an untouched market, a flipped bit, a
    transaction type this slot does not take, or a market or rate where the
    slot's type has none: refused.
    """
    witnesses = history(circuit)
    oracle, tick, noop = witnesses[4], witnesses[3], witnesses[6]

    def bumped(witness: Witness, name: str, index: int, by: int = 1) -> Witness:
        values = list(witness[name])  # type: ignore[call-overload]
        values[index] += by
        return {**witness, name: values}

    flipped = bumped(oracle, "bits", 130)
    flipped["bits"][130] %= 2  # type: ignore[index]
    tampered = [
        {**oracle, "median": oracle["median"] + 1},  # type: ignore[operator]
        {**oracle, "latest": oracle["latest"] - 1},  # type: ignore[operator]
        bumped(oracle, "oraclePriceAfter", 1),
        bumped(oracle, "oracleTimeAfter", 0),
        bumped(tick, "fundingIndexAfter", 0),
        bumped(tick, "fundingIndexAfter", 1, -1),
        bumped(tick, "fundingTimeAfter", 1),
        bumped(tick, "fundingTimeAfter", 2),
        bumped(noop, "openInterestAfter", 0),
        flipped,
        {**noop, "txType": PerpTxType.PERP_TRADE, "bits": [0, 0, 1, 1] + noop["bits"][4:]},  # type: ignore[index]
        {**noop, "market": 1},
        bumped(noop, "rate", 0),
        bumped(oracle, "rate", 1),
    ]
    for number, witness in enumerate(tampered):
        assert not accepts(circuit, witness), number


def test_a_transaction_that_moves_accounts_sets_only_its_type_and_market_here() -> None:
    """A trade's, a transfer's, a liquidation's and a deleveraging's markets part: no signature, no rate."""
    book = ledger()
    cases = [
        (transfer(1, 10, 0), PerpTxType.COLLATERAL_TRANSFER, 0),
        (Liquidation(AccountIndex(1), 1, Amount(1), Amount(1), Amount(0)), PerpTxType.LIQUIDATION, 1),
        (Deleverage(AccountIndex(1), AccountIndex(2), 1, Amount(1), Amount(1)), PerpTxType.DELEVERAGE, 1),
    ]
    for tx, tx_type, market in cases:
        moves = market_slot_inputs(book.config, book.state.perp_markets, tx, Timestamp(NOW))
        assert (moves["txType"], moves["market"], moves["rate"], moves["median"]) == (tx_type, market, [0] * 4, 0)
