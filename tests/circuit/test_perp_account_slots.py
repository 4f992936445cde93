"""
The perpetual slots that move accounts in the batch circuit (``test_perp``:
one spot slot, two perpetual slots), compiled only: the witness is what is
checked.

Batches of collateral transfers and trades built by the witness builder
from the spec are accepted and replay from their public data to the roots
they prove, the fee account trading on either side included. Soundness, as
``test_circuit_soundness.py`` does it for spot: each case breaks one rule of
``process_perp_trade`` or ``process_collateral_transfer``, checks that the
spec refuses it with the rule's error, turns that one check off, builds the
batch (so the witness is consistent in every other respect: roots, paths,
hashes, public data) and asserts the circuit refuses it.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from prover import CircuitArtifacts
from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon
from sequencer.spec.constants import FEE_ACCOUNT, OrderKind
from sequencer.spec import errors
from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual import errors as perp_errors
from sequencer.spec.perpetual import rules
from sequencer.spec.perpetual.commitment import perp_commitment, perp_config_hash
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.public_data import decode_perp_slot, split_batch_data
from sequencer.spec.perpetual.rules import (
    bankruptcy_quote,
    process_collateral_transfer,
    process_oracle_update,
    process_perp_trade,
)
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket
from sequencer.spec.perpetual.transactions import (
    Deleverage,
    FundingTick,
    Liquidation,
    PerpTransaction,
    SignedPerpOrder,
)
from sequencer.spec.public_data import decode_slot, public_input_hash
from sequencer.spec.replay import replay_batch
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop
from sequencer.spec.transition import process_deposit
from sequencer.spec.types import AccountIndex, Amount, FieldElement, Nonce, Timestamp
from sequencer.witness.batch import PerpSlots, ProvableBatch, build_batch
from tests.circuit.perpetual.checking import accepts
from tests.spec.builders import ALICE, BOB, CAROL, NOW, deposit
from tests.spec.perpetual.builders import (
    BUY,
    COLLATERAL,
    FUND,
    MARKET,
    MAX_PRICE_AGE,
    SELL,
    config,
    perp_order,
    perp_trade,
    price_update,
    ticks,
    transfer,
)
from tests.spec.perpetual.conftest import Exchange, at_price, funded, opened, priced
from tests.spec.perpetual.test_liquidation import by_carol, by_fund, liquidatable

PERP_SLOTS = 2


def build(state: State, perp_txs: list[PerpTransaction], timestamp: int = NOW + 10) -> ProvableBatch:
    """A batch of one spot noop and ``perp_txs`` in the perpetual slots."""
    return build_batch(state, [Noop()], Timestamp(timestamp), FieldElement(0), 1, PerpSlots(PERP_SLOTS, config(), perp_txs))


def replay_state(before: State, batch: ProvableBatch) -> State:
    """``before`` (a copy) with ``batch`` replayed from its public data alone."""
    spot, perp = split_batch_data(batch.public_data, 1, PERP_SLOTS)
    slots, perp_slots = [decode_slot(s) for s in spot], [decode_perp_slot(p) for p in perp]
    state = before.copy()
    replay_batch(state, slots, [], batch.timestamp, perp_slots, config())
    return state


def replays(before: State, batch: ProvableBatch) -> bool:
    """Whether ``batch``'s public data, replayed on ``before``, gives the root it proves."""
    return replay_state(before, batch).root == batch.new_root


def with_fee_account_collateral(ex: Exchange, amount: int) -> Exchange:
    """The fee account, given ``amount`` of spot collateral-token, moves it all into collateral."""
    process_deposit(ex.state, deposit(FEE_ACCOUNT, COLLATERAL, amount))
    process_collateral_transfer(ex.state, ex.ledger, transfer(FEE_ACCOUNT, amount, 0), Timestamp(NOW))
    return ex


def test_collateral_moves_in_and_out_and_trades(test_perp: CircuitArtifacts) -> None:
    """
    From spot balances only: a first price and Alice's collateral in, Bob's
    collateral in and a trade between them, then collateral out of Alice's
    account (a long at a profit) and a price fall: each batch accepted and
    replayed, the pool following.
    """
    ex = funded()
    replayed = ex.state.copy()
    trade = perp_trade(sell(), buy(), 30, 10, 20)
    batches = [
        build(ex.state, [price_update(ticks(110), NOW), transfer(ALICE, 5_000, 0)]),
        build(ex.state, [transfer(BOB, 4_000, 0), trade], NOW + 20),
        build(ex.state, [transfer(ALICE, 1_000, 1, to_collateral=False), price_update(ticks(105), NOW + 25)], NOW + 30),
    ]
    for batch in batches:
        assert accepts(test_perp, batch.circuit_input)
        assert replays(replayed, batch)
        replayed = replay_state(replayed, batch)
    ledger = PerpLedger(config(), ex.state)
    assert ledger.collateral_pool == 8_000
    assert ledger.account(ALICE).collateral == 5_000 - 3_000 - 6 - 1_000
    assert ex.state.get_account(ALICE).balance(COLLATERAL) == 100_000 - 5_000 + 1_000


def test_every_kind_of_perpetual_slot_is_proven(test_perp: CircuitArtifacts) -> None:
    """
    A price, collateral in, a trade with fees; funding and a fall to 99,
    where Alice is closed partly against the fund (with a penalty) and
    partly against Carol's order; a fall to 80, where she is bankrupt and
    the fund short; her deleveraging against Bob and Bob's collateral out.
    Each batch accepted and replayed from its public data.
    """
    ex = funded()
    replayed = ex.state.copy()
    trade = perp_trade(perp_order(BOB, 1, SELL, 100, 100), perp_order(ALICE, 1, BUY, 100, 100), 100, 10, 20)
    history: list[tuple[list[PerpTransaction], int]] = [
        ([price_update(110, NOW), transfer(ALICE, 500, 0)], NOW),
        ([transfer(BOB, 5_000, 0), transfer(CAROL, 50_000, 0)], NOW),
        ([trade], NOW),
        ([FundingTick((10**6,)), price_update(99, NOW + 60)], NOW + 60),
        (
            [
                Liquidation(AccountIndex(ALICE), MARKET, Amount(10), Amount(990), Amount(9)),
                Liquidation(AccountIndex(ALICE), MARKET, Amount(40), Amount(3_960), Amount(30), perp_order(CAROL, 1, BUY, 99, 40)),
            ],
            NOW + 60,
        ),
        ([price_update(80, NOW + 120)], NOW + 120),
    ]
    for txs, timestamp in history:
        batch = build(ex.state, txs, timestamp)
        assert accepts(test_perp, batch.circuit_input)
        assert replays(replayed, batch)
        replayed = replay_state(replayed, batch)
    quote = bankruptcy_quote(PerpLedger(config(), ex.state), AccountIndex(ALICE), MARKET, 50)
    last = [Deleverage(AccountIndex(ALICE), AccountIndex(BOB), MARKET, Amount(50), Amount(quote)), transfer(BOB, 1_000, 1, to_collateral=False)]
    batch = build(ex.state, last, NOW + 120)
    assert accepts(test_perp, batch.circuit_input)
    assert replays(replayed, batch)
    ledger = PerpLedger(config(), ex.state)
    assert [ledger.account(index).position(MARKET).size for index in (ALICE, BOB, CAROL, FUND)] == [0, -50, 40, 10]


def fund_long_at_99() -> Exchange:
    """
    The insurance fund itself long 100 at 100 against Bob's short, with 500
    collateral, at oracle price 99: below maintenance; Carol holds 5,000.
    """
    ex = funded()
    process_oracle_update(ex.ledger, price_update(ticks(110), NOW), Timestamp(NOW))
    ex.state.set_balance(AccountIndex(FUND), COLLATERAL, Amount(500))
    for index, amount in ((FUND, 500), (BOB, 5_000), (CAROL, 5_000)):
        process_collateral_transfer(ex.state, ex.ledger, transfer(index, amount, 0), Timestamp(NOW))
    process_perp_trade(ex.state, ex.ledger, perp_trade(sell(), perp_order(FUND, 1, BUY, ticks(100), 100), 100), Timestamp(NOW))
    process_oracle_update(ex.ledger, price_update(ticks(99), NOW + 10), Timestamp(NOW + 10))
    return ex


@pytest.mark.parametrize(
    ("exchange", "liquidation"),
    [
        # The fund is the liquidated account: its penalty goes to itself.
        (fund_long_at_99, Liquidation(AccountIndex(FUND), MARKET, Amount(10), Amount(990), Amount(9), by_carol(10, 990).liquidator)),
        # The fund liquidates through its own signed order: counterparty and fund are one leaf.
        (lambda: liquidatable(ticks(99)), Liquidation(AccountIndex(ALICE), MARKET, Amount(10), Amount(990), Amount(9), perp_order(FUND, 1, BUY, ticks(100), 10))),
    ],
    ids=["the fund liquidated", "the fund's own order"],
)
def test_the_insurance_fund_in_two_parts_of_a_close(
    test_perp: CircuitArtifacts, exchange: Callable[[], Exchange], liquidation: Liquidation
) -> None:
    """A close where the insurance fund's leaf is also the closed account's or the counterparty's: proven and replayed."""
    ex = exchange()
    before = ex.state.copy()
    penalty_before = ex.ledger.account(AccountIndex(FUND)).collateral
    batch = build(ex.state, [liquidation], CLOSE_TIME)
    assert accepts(test_perp, batch.circuit_input)
    assert replays(before, batch)
    assert ex.ledger.account(AccountIndex(FUND)).collateral != penalty_before


def test_trades_are_proven_and_replay_from_their_public_data(test_perp: CircuitArtifacts) -> None:
    """Bob's resting sell fills Alice's limit buy, then her immediate-or-cancel buy; both pay fees."""
    ex = priced(5_000, 5_000)
    before = ex.state.copy()
    maker = perp_order(BOB, 1, SELL, ticks(100), 100)
    batch = build(
        ex.state,
        [
            perp_trade(maker, perp_order(ALICE, 1, BUY, ticks(100), 30), 30, 10, 20),
            perp_trade(maker, perp_order(ALICE, 2, BUY, ticks(101), 20, kind=OrderKind.IOC), 20, 0, 30),
        ],
    )
    assert accepts(test_perp, batch.circuit_input)
    assert replays(before, batch)
    ledger = PerpLedger(config(), ex.state)
    assert ledger.account(ALICE).position(0).size == 50 and ledger.account(BOB).position(0).size == -50
    assert ledger.account(FEE_ACCOUNT).collateral == 3 + 6 + 6
    assert ledger.market(0).open_interest == 50


def test_the_fee_account_trades_on_either_side(test_perp: CircuitArtifacts) -> None:
    """The fee account sells as a maker, then buys as a taker, and is credited both fees of each trade."""
    ex = with_fee_account_collateral(priced(5_000, 5_000), 5_000)
    before = ex.state.copy()
    batch = build(
        ex.state,
        [
            perp_trade(perp_order(FEE_ACCOUNT, 1, SELL, ticks(100), 40), perp_order(ALICE, 1, BUY, ticks(100), 40), 40, 50, 50),
            perp_trade(perp_order(BOB, 1, SELL, ticks(105), 10), perp_order(FEE_ACCOUNT, 2, BUY, ticks(105), 10), 10, 40, 40),
        ],
    )
    assert accepts(test_perp, batch.circuit_input)
    assert replays(before, batch)
    fee = PerpLedger(config(), ex.state).account(FEE_ACCOUNT)
    assert fee.position(0).size == -30
    assert fee.collateral == 5_000 + 40 * 100 - 10 * 105 + 2 * 20 + 2 * 4 - 20 - 4


def test_a_trade_the_spec_applies_is_accepted_only_with_its_own_outcome(test_perp: CircuitArtifacts) -> None:
    """Another fill, fee, collateral, funding settlement or published byte than the builder's: refused."""
    batch = build(priced(5_000, 5_000).state, [perp_trade(perp_order(BOB, 1, SELL, ticks(100), 100), perp_order(ALICE, 1, BUY, ticks(100), 30), 30, 10, 20)])
    witness = batch.circuit_input
    assert accepts(test_perp, witness)

    def bumped(name: str, at: tuple[int, ...]) -> dict[str, object]:
        values = [list(v) if isinstance(v, list) else v for v in witness[name]]  # type: ignore[union-attr]
        target = values
        for index in at[:-1]:
            target = target[index]
        target[at[-1]] += 1
        return {**witness, name: values}

    tampered = [
        bumped("perpFill", (0,)),
        bumped("perpFeeA", (0,)),
        bumped("perpCollateralA", (0,)),
        bumped("perpPaymentB", (0, 0)),
        bumped("perpSizeF", (0, 0)),
        bumped("perpReduceOnlyB", (0,)),
        bumped("perpTxType", (1,)),
    ]
    for number, values in enumerate(tampered):
        assert not accepts(test_perp, values), number


@pytest.mark.parametrize("taken", [0, 4_000])
def test_a_slot_that_is_not_a_transfer_moves_no_collateral(test_perp: CircuitArtifacts, taken: int) -> None:
    """
    A prover who claims an amount out of collateral in a slot that is not a
    transfer (here the noop that pads a trade's batch), with the new root and
    public input of a pool ``taken`` lower: refused, the same witness with
    nothing taken accepted (so only the pool tells them apart).
    """
    ex = priced(5_000, 5_000)
    batch = build(ex.state, [perp_trade(sell(), buy(), 30)])
    pool = PerpLedger(config(), ex.state).collateral_pool
    commitment = perp_commitment(ex.state.perp_markets, pool - taken, perp_config_hash(config()))
    root = FieldElement(poseidon([ex.state.account_tree.root, commitment]))
    assert (root == batch.new_root) is (taken == 0)
    amounts = list(batch.circuit_input["perpAmount"])  # type: ignore[arg-type]
    amounts[1] = taken
    forged = {
        **batch.circuit_input,
        "perpAmount": amounts,
        "newRoot": root,
        "publicInputHash": public_input_hash(
            batch.old_root, root, batch.timestamp, batch.chain_start, batch.chain_end, batch.public_data
        ),
    }
    assert accepts(test_perp, forged) is (taken == 0)


@dataclass(frozen=True)
class Case:
    """A trade or a transfer that breaks one rule, the checks of ``rules`` to turn off, and the spec's error."""

    exchange: Callable[[], Exchange]
    tx: PerpTransaction | Callable[[Exchange], PerpTransaction]
    disabled: dict[str, Callable[..., object]]
    error: type[RollupError]
    timestamp: int = NOW + 10
    wraps_pool: bool = False
    """The prover's state keeps the pool as a field element (a negative one wraps), as the circuit's arithmetic would."""


def no_check(*_: object) -> None:
    """A check turned off."""


def signed_by_bob(order: SignedPerpOrder) -> SignedPerpOrder:
    """``order`` with the signature of Bob's order of the same terms instead of its own account's."""
    return replace(order, signature=perp_order(BOB, order.order.order_id, order.order.side, order.order.price, order.order.amount).signature)


def uncapped(ledger: PerpLedger, market_id: int, changes: list[tuple[PerpAccount, PerpAccount]]) -> PerpMarket:
    """``rules.with_open_interest`` without its cap: the open interest follows the longs."""
    market = ledger.market(market_id)
    longs = sum(max(a.position(market_id).size, 0) - max(b.position(market_id).size, 0) for b, a in changes)
    return replace(market, open_interest=market.open_interest + longs)


def sell(amount: int = 100, **terms: object) -> SignedPerpOrder:
    """Bob's resting sell at 100."""
    return perp_order(BOB, 1, SELL, ticks(100), amount, **terms)  # type: ignore[arg-type]


def buy(amount: int = 30, price: int = 100, **terms: object) -> SignedPerpOrder:
    """Alice's buy at ``price``."""
    return perp_order(ALICE, 1, BUY, ticks(price), amount, **terms)  # type: ignore[arg-type]


CLOSE_TIME = NOW + 20
"""After ``liquidatable``'s price (signed ten seconds after ``NOW``)."""


def bankrupt_alice_against_bob(ex: Exchange) -> Deleverage:
    """All of Alice's long closed against Bob's short at her bankruptcy quote."""
    quote = bankruptcy_quote(ex.ledger, AccountIndex(ALICE), MARKET, 100)
    return Deleverage(AccountIndex(ALICE), AccountIndex(BOB), MARKET, Amount(100), Amount(quote))


def opened_position_of_bob() -> Exchange:
    """Bob (5,000) short 100 at 100 against Alice (500): the pool is 5,500, Bob's collateral 15,000."""
    return opened(500, 5_000)


def at_fifty(ex: Exchange) -> Exchange:
    """The price falls to 50: Alice is deep below zero, Bob may take 9,500 out by his margin, the pool holds 5,500."""
    at_price(ex, ticks(50), NOW + 5)
    return ex


def funded_exchange() -> Exchange:
    """At oracle price 110, Alice and Bob hold 5,000 collateral each (and 95,000 on the spot side)."""
    return priced(5_000, 5_000)


def opened_position() -> Exchange:
    """Alice long 30 at 100 against Bob, at oracle price 110 (``funded_exchange``)."""
    ex = funded_exchange()
    process_perp_trade(ex.state, ex.ledger, perp_trade(sell(), buy(), 30), Timestamp(NOW))
    return ex


CASES = {
    "beyond initial margin": Case(
        funded_exchange, perp_trade(sell(900), buy(900, 100), 900), {"check_margin": no_check}, perp_errors.MarginInsufficient
    ),
    "a reduce-only order that opens": Case(
        funded_exchange, perp_trade(sell(), buy(reduce_only=True), 30), {"check_reduce_only": no_check}, perp_errors.ReduceOnlyIncrease
    ),
    "an order signed with another key": Case(
        funded_exchange, perp_trade(sell(), signed_by_bob(buy()), 30), {"check_signature": no_check}, errors.InvalidSignature
    ),
    "an expired order": Case(
        funded_exchange, perp_trade(sell(), buy(expiry=NOW), 30), {"check_unexpired": no_check}, errors.OrderExpired
    ),
    "a fee above the signed limit": Case(
        funded_exchange, perp_trade(sell(), buy(), 30, 101, 0), {"check_fee": no_check}, errors.FeeAboveLimit
    ),
    "a fee limit above 100%": Case(
        funded_exchange, perp_trade(sell(), buy(max_fee_bps=10_001), 30), {"check_fee_limit": no_check}, errors.InvalidFeeLimit
    ),
    "a taker's price limit crossed": Case(
        funded_exchange, perp_trade(sell(), buy(price=99), 30), {"check_taker_limit": no_check}, errors.PriceLimitViolated
    ),
    "a maker that does not rest": Case(
        funded_exchange, perp_trade(sell(kind=OrderKind.IOC), buy(), 30), {"check_kinds": no_check}, errors.MakerDoesNotRest
    ),
    "a fill beyond the order": Case(
        funded_exchange,
        perp_trade(sell(), buy(20), 30),
        {"filled_after": lambda account, order, fill: Amount(fill)},
        errors.OrderOverfilled,
    ),
    "prices too old": Case(
        funded_exchange, perp_trade(sell(), buy(), 30), {"check_priced": no_check}, perp_errors.OraclePriceTooOld, NOW + MAX_PRICE_AGE + 1
    ),
    "open interest above its cap": Case(
        lambda: priced(50_000, 50_000),
        perp_trade(sell(1_001), buy(1_001), 1_001),
        {"with_open_interest": uncapped},
        perp_errors.OpenInterestCapExceeded,
    ),
    "collateral out below initial margin": Case(
        lambda: opened_position(),
        transfer(ALICE, 5_000, 1, to_collateral=False),
        {"check_meets_initial": no_check},
        perp_errors.MarginInsufficient,
    ),
    "collateral out at prices too old": Case(
        lambda: opened_position(),
        transfer(ALICE, 10, 1, to_collateral=False),
        {"check_prices_fresh": no_check},
        perp_errors.OraclePriceTooOld,
        NOW + MAX_PRICE_AGE + 1,
    ),
    "collateral out beyond the pool": Case(
        lambda: at_fifty(opened_position_of_bob()),
        transfer(BOB, 6_000, 1, to_collateral=False),
        {"check_pool": no_check},
        perp_errors.CollateralPoolShort,
        wraps_pool=True,
    ),
    "collateral in beyond the spot balance": Case(
        funded_exchange, transfer(ALICE, 95_001, 1), {"check_spot_balance": no_check}, errors.InsufficientBalance
    ),
    "a transfer signed at another nonce": Case(
        funded_exchange,
        replace(transfer(ALICE, 10, 2), nonce=Nonce(1)),
        {"check_signature": no_check},
        errors.InvalidSignature,
    ),
    "a liquidation of an account above maintenance": Case(
        lambda: liquidatable(ticks(110)), by_fund(10, 1_100), {"check_liquidatable": no_check}, perp_errors.NotLiquidatable, CLOSE_TIME
    ),
    "a liquidation worse than bankruptcy": Case(
        lambda: liquidatable(ticks(94)),
        by_carol(10, 945),
        {"check_not_worse_than_bankruptcy": no_check},
        perp_errors.WorseThanBankruptcy,
        CLOSE_TIME,
    ),
    "a liquidation above the penalty cap": Case(
        lambda: liquidatable(ticks(99)), by_carol(10, 980), {"check_liquidation_cost": no_check}, perp_errors.LiquidationTooCostly, CLOSE_TIME
    ),
    "the fund paying above the bankruptcy quote": Case(
        lambda: liquidatable(ticks(94)), by_fund(10, 960), {"check_fund_pays_no_more": no_check}, perp_errors.InsuranceFundOverpays, CLOSE_TIME
    ),
    "the fund left worth less than zero": Case(
        lambda: liquidatable(ticks(94), fund=0), by_fund(10, 950), {"check_fund_solvent": no_check}, perp_errors.InsuranceFundExhausted, CLOSE_TIME
    ),
    "a liquidator's order signed with another key": Case(
        lambda: liquidatable(ticks(99)),
        replace(by_carol(10, 990), liquidator=signed_by_bob(by_carol(10, 990).liquidator)),  # type: ignore[arg-type]
        {"check_signature": no_check},
        errors.InvalidSignature,
        CLOSE_TIME,
    ),
    "a liquidator's price limit crossed": Case(
        lambda: liquidatable(ticks(99)),
        by_carol(10, 990, limit=ticks(98)),
        {"check_quote_within_limit": no_check},
        errors.PriceLimitViolated,
        CLOSE_TIME,
    ),
    "a deleveraging while the fund covers the deficit": Case(
        lambda: liquidatable(ticks(80)), bankrupt_alice_against_bob, {"check_fund_short": no_check}, perp_errors.InsuranceFundSufficient, CLOSE_TIME
    ),
    "a deleveraging off the bankruptcy quote": Case(
        lambda: liquidatable(ticks(80), fund=0),
        lambda ex: replace(bankrupt_alice_against_bob(ex), quote=bankrupt_alice_against_bob(ex).quote + 1),
        {"check_bankruptcy_quote": no_check},
        perp_errors.NotBankruptcyPrice,
        CLOSE_TIME,
    ),
    "an account that does not exist": Case(
        funded_exchange,
        perp_trade(sell(), perp_order(CAROL + 1, 1, BUY, ticks(100), 30), 30),
        {"existing_account": lambda state, index: state.get_account(index), "check_signature": no_check, "check_margin": no_check},
        errors.AccountNotFound,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_slot_breaking_one_rule_has_no_witness(name: str, test_perp: CircuitArtifacts, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    exchange = case.exchange()
    tx = case.tx(exchange) if callable(case.tx) else case.tx
    with pytest.raises(case.error):
        build(exchange.state.copy(), [tx], case.timestamp)
    for check, replacement in case.disabled.items():
        monkeypatch.setattr(rules, check, replacement)
    if case.wraps_pool:
        set_pool = State.set_collateral_pool
        monkeypatch.setattr(State, "set_collateral_pool", lambda state, pool: set_pool(state, pool % FIELD_MODULUS))
    batch = build(exchange.state, [tx], case.timestamp)
    assert not accepts(test_perp, batch.circuit_input)


def test_an_immediate_taker_does_not_resume_in_a_later_batch(test_perp: CircuitArtifacts, monkeypatch: pytest.MonkeyPatch) -> None:
    """Alice's immediate-or-cancel buy fills 10 of 30 in one batch; its rest may not fill in the next."""
    ex = funded_exchange()
    taker = buy(30, kind=OrderKind.IOC)
    build(ex.state, [perp_trade(sell(), taker, 10)])
    with pytest.raises(errors.ImmediateOrderResumed):
        build(ex.state.copy(), [perp_trade(sell(), taker, 10)], NOW + 20)
    monkeypatch.setattr(rules, "check_immediate_run", no_check)
    assert not accepts(test_perp, build(ex.state, [perp_trade(sell(), taker, 10)], NOW + 20).circuit_input)
