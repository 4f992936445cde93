"""
Margin at intake for perpetual orders (``sequencer/engine/perp_margin.py``):
the boundary is the spec's, open orders count, reduce-only orders take no
margin, and an order accepted at intake passes the spec's margin rule when
filled whole at its limit.
"""

from dataclasses import replace

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from sequencer.engine.errors import Code, OrderRejected
from sequencer.engine.perp_margin import OpenPerpOrder, check_order_margin
from sequencer.spec.constants import Side
from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual.rules import process_perp_trade
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, Position
from sequencer.spec.types import AccountIndex, Timestamp
from tests.spec.builders import ALICE, BOB, NOW
from tests.spec.perpetual.builders import MARKET, perp_order, perp_trade, ticks
from tests.spec.perpetual.conftest import Exchange, funded, opened

BUY, SELL = Side.BUY, Side.SELL


def priced(alice: int) -> Exchange:
    """Price 110, Alice with ``alice`` collateral and no position."""
    ex = funded()
    ex.ledger.set_market(MARKET, PerpMarket(oracle_price=ticks(110), oracle_time=Timestamp(NOW)))
    ex.ledger.set_account(AccountIndex(ALICE), PerpAccount(alice))
    return ex


def accepted(ex: Exchange, order: OpenPerpOrder, open_orders: list[OpenPerpOrder] | None = None) -> bool:
    try:
        check_order_margin(ex.ledger, AccountIndex(ALICE), order, open_orders or [])
    except OrderRejected as refusal:
        assert refusal.code is Code.ORDER_WOULD_BREACH_MARGIN
        return False
    return True


@pytest.mark.parametrize("collateral, ok", [(99, False), (100, True), (101, True)])
def test_the_boundary_is_the_specs(collateral: int, ok: bool) -> None:
    """Buying 100 at 100 with the price at 110 needs 100 of Alice's own, as the spec's trade test."""
    assert accepted(priced(collateral), OpenPerpOrder(MARKET, BUY, ticks(100), 100, 0)) is ok


def test_the_largest_fee_counts() -> None:
    """With a fee limit of 1 % (100 on 10,000), 100 of collateral no longer suffices."""
    assert not accepted(priced(100), OpenPerpOrder(MARKET, BUY, ticks(100), 100, 100))
    assert accepted(priced(200), OpenPerpOrder(MARKET, BUY, ticks(100), 100, 100))


def test_open_orders_count() -> None:
    """50 lots alone need 50; with another open buy of 50 the account needs 100."""
    ex = priced(60)
    order = OpenPerpOrder(MARKET, BUY, ticks(100), 50, 0)
    assert accepted(ex, order)
    assert not accepted(ex, order, [OpenPerpOrder(MARKET, BUY, ticks(100), 50, 0)])
    assert accepted(ex, order, [OpenPerpOrder(MARKET, BUY, ticks(100), 50, 0, reduce_only=True)])


def test_reducing_below_initial_margin_is_accepted_as_the_spec_allows() -> None:
    """Alice's long below initial margin at 100 may offer to sell half at 100, not to buy more."""
    ex = opened()
    ex.ledger.set_market(MARKET, replace(ex.ledger.market(MARKET), oracle_price=ticks(100)))
    assert accepted(ex, OpenPerpOrder(MARKET, SELL, ticks(100), 50, 0))
    assert not accepted(ex, OpenPerpOrder(MARKET, BUY, ticks(100), 1, 0))
    assert accepted(ex, OpenPerpOrder(MARKET, BUY, ticks(100), 1, 0, reduce_only=True))


@settings(max_examples=60, deadline=None)
@given(
    collateral=st.integers(-5_000, 5_000),
    position=st.integers(-100, 100),
    side=st.sampled_from([BUY, SELL]),
    price=st.integers(80, 140),
    lots=st.integers(1, 150),
    fee=st.integers(0, 100),
)
def test_an_accepted_order_fills_whole_at_its_limit(
    collateral: int, position: int, side: Side, price: int, lots: int, fee: int
) -> None:
    ex = priced(collateral)
    ex.ledger.set_account(AccountIndex(ALICE), PerpAccount(collateral, (Position(position, 0),)))
    ex.ledger.set_account(AccountIndex(BOB), PerpAccount(10**9, (Position(-position, 0),)))
    ex.ledger.set_market(MARKET, replace(ex.ledger.market(MARKET), open_interest=abs(position)))
    order = OpenPerpOrder(MARKET, side, price, lots, fee)
    ok = accepted(ex, order)
    event("accepted" if ok else "refused")
    if not ok:
        return
    maker = perp_order(BOB, 1, Side.SELL if side == BUY else BUY, price, lots)
    taker = perp_order(ALICE, 1, side, price, lots, max_fee_bps=fee)
    try:
        process_perp_trade(ex.state, ex.ledger, perp_trade(maker, taker, lots, 0, fee), Timestamp(NOW))
    except RollupError as refusal:
        pytest.fail(f"accepted at intake, refused by the spec: {refusal.code}")
