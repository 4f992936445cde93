"""
The operator's perpetual side: oracle prices, funding, collateral moves and
perpetual orders accepted on the head state, liquidations it starts itself,
and batches that carry spot slots then perpetual slots and build to the
head state.
"""

from collections.abc import Callable
from dataclasses import replace

import pytest

from sequencer.engine.batcher import PerpSetup
from sequencer.engine.errors import Code, RequestRejected
from sequencer.engine.operator import Operator
from sequencer.engine.orders import CloseReason, OrderStatus
from sequencer.service.canonical import canonical_state
from sequencer.spec.constants import OrderKind
from sequencer.spec.perpetual.transactions import Deleverage, FundingTick, Liquidation, OracleUpdate, PerpTrade
from sequencer.spec.types import AccountIndex, Price, Timestamp
from tests.engine.exchange import MARKET, funded_operator
from tests.engine.perp_exchange import PERP, move_collateral, perp_operator
from tests.spec.builders import ALICE, BOB, CAROL, FEE, NOW, QUOTE, SMALL, deposit
from tests.spec.perpetual.builders import (
    BUY,
    FUND,
    MAX_PRICE_AGE,
    SELL,
    config,
    perp_order,
    price_update,
    signed_price,
    transfer,
)


def build_all(operator: Operator) -> None:
    """Seal every pending transaction and build every batch (the spec and the witness builder accept them, or this raises)."""
    while operator.seal(Timestamp(operator.clock)) is not None:
        pass
    while operator.build_next() is not None:
        pass


def leveraged_long(operator: Operator) -> None:
    """
    Alice buys 100 lots from Bob at 100 with 1,500 collateral (about 6.7x):
    below maintenance once the price falls under about 89.5.
    """
    move_collateral(operator, {ALICE: 1_500, BOB: 20_000, FUND: 50_000})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, SELL, 100, 100), Timestamp(NOW))
    outcome = operator.submit_perp_order(PERP.name, perp_order(ALICE, 1, BUY, 100, 100), Timestamp(NOW))
    assert [t.trade.fill for t in outcome.trades] == [100]


def test_a_trade_then_a_price_fall_liquidates_and_every_batch_builds_to_the_head_state() -> None:
    operator = perp_operator()
    leveraged_long(operator)
    ledger = operator.perp_ledger()
    assert ledger.account(AccountIndex(ALICE)).position(0).size == 100
    assert ledger.account(AccountIndex(BOB)).position(0).size == -100
    assert operator.update_oracle(price_update(90, NOW + 10), Timestamp(NOW + 10)) == []
    closes = operator.update_oracle(price_update(89, NOW + 20), Timestamp(NOW + 20))
    assert [type(c) for c in closes] == [Liquidation] and closes[0].account_index == ALICE
    assert operator.perp_ledger().account(AccountIndex(ALICE)).position(0).size == 0
    assert operator.perp_ledger().account(FUND).position(0).size == 100
    build_all(operator)
    assert operator.sealed.root == operator.head.root
    perp_txs = [tx for batch in operator.batches for tx in batch.perp_transactions or ()]
    assert perp_txs == []  # built batches drop their transactions; the head agreed with each batch's replay


def test_a_gap_the_fund_cannot_cover_deleverages_the_opposite_position_and_builds() -> None:
    """
    With 10 in the insurance fund and a gap from 100 to 80, Alice's equity
    is negative and the fund cannot take her long: the operator closes it
    against Bob's short at her bankruptcy price, and nothing else moves.
    """
    operator = perp_operator()
    move_collateral(operator, {ALICE: 1_500, BOB: 20_000, FUND: 10})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, SELL, 100, 100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(ALICE, 1, BUY, 100, 100), Timestamp(NOW))
    before = operator.perp_ledger()
    pool = before.collateral_pool
    closes = operator.update_oracle(price_update(80, NOW + 10), Timestamp(NOW + 10))
    assert [(type(c), c.account_index) for c in closes] == [(Deleverage, ALICE)]
    assert closes[0].counterparty == BOB
    after = operator.perp_ledger()
    assert [after.account(AccountIndex(i)).position(0).size for i in (ALICE, BOB)] == [0, 0]
    assert after.account(AccountIndex(ALICE)).collateral == 0  # closed at her bankruptcy price: nothing left, nothing owed
    assert after.account(FUND).collateral == 10 and after.collateral_pool == pool
    build_all(operator)
    assert operator.sealed.root == operator.head.root


def test_batches_hold_spot_slots_then_perpetual_slots_in_acceptance_order() -> None:
    operator = perp_operator()
    move_collateral(operator, {ALICE: 1_000})  # a perpetual transaction after the deposits' spot slots
    operator.add_l1_request(5, deposit(CAROL, QUOTE, 1), Timestamp(NOW + 1))  # spot after perpetual: the next batch
    batches = []
    while (batch := operator.seal(Timestamp(NOW + 1))) is not None:
        batches.append(batch)
    shapes = [(len(b.transactions or ()), len(b.perp_transactions or ())) for b in batches]
    assert shapes == [(2, 0), (2, 0), (1, 1), (1, 0)]
    build_all(operator)
    assert operator.sealed.root == operator.head.root


def test_a_price_signed_after_the_batch_began_starts_the_next_batch() -> None:
    operator = perp_operator()
    operator.update_oracle(price_update(100, NOW + 30), Timestamp(NOW + 30))
    batches = []
    while (batch := operator.seal(Timestamp(NOW + 30))) is not None:
        batches.append(batch)
    assert [b.timestamp for b in batches] == [NOW, NOW, NOW, NOW + 30]
    assert isinstance((batches[-1].perp_transactions or ())[0], OracleUpdate)
    build_all(operator)
    assert operator.sealed.root == operator.head.root


def test_funding_is_applied_at_its_batch_time_and_builds() -> None:
    operator = perp_operator()
    leveraged_long(operator)
    operator.tick_funding(FundingTick((1_000,)), Timestamp(NOW + 100))
    build_all(operator)
    assert operator.sealed.root == operator.head.root
    assert operator.perp_ledger().market(0).funding_time == NOW + 100


def test_an_order_that_would_breach_initial_margin_is_refused_and_changes_nothing() -> None:
    operator = perp_operator()
    move_collateral(operator, {CAROL: 500})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    before = canonical_state(operator)
    with pytest.raises(RequestRejected) as refusal:
        operator.submit_perp_order(PERP.name, perp_order(CAROL, 1, BUY, 100, 100), Timestamp(NOW))
    assert refusal.value.code == Code.ORDER_WOULD_BREACH_MARGIN
    assert canonical_state(operator) == before
    # a tenth of it fits: 1,000 notional needs 100 of initial margin, plus its fee
    operator.submit_perp_order(PERP.name, perp_order(CAROL, 1, BUY, 100, 10), Timestamp(NOW))


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (lambda: price_update(0), "ZERO_ORACLE_PRICE"),
        (lambda: OracleUpdate(0, (signed_price(0, 100), signed_price(1, 100), signed_price(1, 100))), "ORACLE_SIGNERS_NOT_ASCENDING"),
        (
            lambda: OracleUpdate(0, (signed_price(0, 100), signed_price(1, 100), replace(signed_price(2, 100), price=Price(101)))),
            "INVALID_ORACLE_SIGNATURE",
        ),
        (lambda: price_update(100, NOW + 5), "ORACLE_PRICE_STALE"),
    ],
)
def test_a_bad_oracle_update_is_refused_with_its_code_and_changes_nothing(
    request_: Callable[[], OracleUpdate], code: str
) -> None:
    operator = perp_operator()
    before = canonical_state(operator)
    with pytest.raises(RequestRejected) as refusal:
        operator.update_oracle(request_(), Timestamp(NOW))
    assert refusal.value.code == code
    assert canonical_state(operator) == before


def test_collateral_in_takes_only_the_available_spot_balance_at_the_signed_nonce() -> None:
    operator = perp_operator()
    with pytest.raises(RequestRejected) as refusal:
        operator.transfer_collateral(transfer(ALICE, 100_001, 0), Timestamp(NOW))
    assert refusal.value.code == "INSUFFICIENT_BALANCE"
    with pytest.raises(RequestRejected) as refusal:
        operator.transfer_collateral(transfer(ALICE, 1_000, 1), Timestamp(NOW))
    assert refusal.value.code == "INVALID_NONCE"


def test_a_maker_the_spec_no_longer_lets_fill_is_cancelled_and_matching_goes_on() -> None:
    operator = perp_operator()
    move_collateral(operator, {ALICE: 20_000, BOB: 1_100, CAROL: 20_000})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, SELL, 100, 100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(CAROL, 1, SELL, 101, 100), Timestamp(NOW))
    operator.update_oracle(price_update(120, NOW + 10), Timestamp(NOW + 10))  # Bob's short would now be under water
    outcome = operator.submit_perp_order(PERP.name, perp_order(ALICE, 1, BUY, 110, 100), Timestamp(NOW + 10))
    assert [m.order.account_index for m in outcome.unfillable] == [BOB]
    assert outcome.unfillable[0].status is OrderStatus.CANCELLED and outcome.unfillable[0].reason is CloseReason.UNFILLABLE
    assert [(t.trade.maker.order.account_index, t.trade.fill) for t in outcome.trades] == [(CAROL, 100)]
    build_all(operator)
    assert operator.sealed.root == operator.head.root


def test_an_immediate_order_fills_within_its_batchs_perpetual_slots() -> None:
    operator = perp_operator()
    move_collateral(operator, {ALICE: 20_000, BOB: 20_000})
    operator.update_oracle(price_update(100), Timestamp(NOW))  # one perpetual slot of this batch left
    for order_id in range(1, 4):
        operator.submit_perp_order(PERP.name, perp_order(BOB, order_id, SELL, 100, 10), Timestamp(NOW))
    outcome = operator.submit_perp_order(
        PERP.name, perp_order(ALICE, 1, BUY, 100, 30, kind=OrderKind.IOC), Timestamp(NOW)
    )
    assert all(isinstance(t.trade, PerpTrade) for t in outcome.trades)
    assert len(outcome.trades) == 1 and outcome.order.reason is CloseReason.UNFILLED
    build_all(operator)
    assert operator.sealed.root == operator.head.root


def test_a_deployment_without_perpetuals_refuses_perpetual_requests() -> None:
    operator = funded_operator()
    with pytest.raises(RequestRejected) as refusal:
        operator.update_oracle(price_update(100), Timestamp(NOW))
    assert refusal.value.code == Code.PERPETUALS_NOT_CONFIGURED




def test_liquidations_the_spec_refuses_wait_and_never_fail_the_price_update() -> None:
    """With another market's price too old to value positions at, the plan's closes wait for a fresh one."""
    two = replace(config(), markets=config().markets * 2)
    operator = Operator.genesis(SMALL, 2, [MARKET], perp=PerpSetup(two, 2, (PERP,)))
    for number, account in enumerate((FEE, ALICE, BOB, CAROL, FUND)):
        operator.add_l1_request(number, deposit(account, QUOTE, 100_000), Timestamp(NOW))
    move_collateral(operator, {ALICE: 1_500, BOB: 20_000, FUND: 50_000})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.update_oracle(price_update(100, market=1), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, SELL, 100, 100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(ALICE, 1, BUY, 100, 100), Timestamp(NOW))
    late = NOW + MAX_PRICE_AGE + 1  # market 1's price is now too old
    assert operator.update_oracle(price_update(80, late), Timestamp(late)) == []
    assert operator.perp_ledger().account(AccountIndex(ALICE)).position(0).size == 100
    closes = operator.update_oracle(price_update(80, late, market=1), Timestamp(late))
    assert [c.account_index for c in closes] == [ALICE]
    build_all(operator)
    assert operator.sealed.root == operator.head.root
