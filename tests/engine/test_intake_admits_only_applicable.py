"""
Whatever a request carries, intake either refuses it with a code and changes
nothing, or accepts something the spec can apply: an accepted order trades
(as taker now, or as maker against any later crossing order) and every batch
holding it builds. ``EngineInvariantError`` is never reachable from a request.

Each field of an order is drawn from the values at its edges (zero, one, the
spec's limits, the largest value that fits its bits and the first that does
not), so a check that intake forgets is found whichever field it concerns:
this is how a signed ``max_fee_bps`` above 100 % once stopped the market.
"""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequencer.crypto.eddsa import sign
from sequencer.engine.cancels import CancelAllBelow, CancelOrder, SignedCancel, SignedCancelAll
from sequencer.engine.operator import Operator
from sequencer.engine.errors import RequestRejected
from sequencer.service.canonical import canonical_state
from sequencer.spec.constants import (
    AMOUNT_BITS,
    FEE_BPS_BITS,
    MAX_FEE_BPS,
    ORDER_ID_BITS,
    PRICE_BITS,
    TIMESTAMP_BITS,
    OrderKind,
    Side,
)
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import OrderId, Timestamp, TokenId
from tests.engine.exchange import ALICE, BOB, CAROL, CONFIG, FUNDS_BASE, LOT, MARKET, TICK, funded_operator
from tests.engine.helpers import assert_consistent
from tests.support.scenario import NOW, UNIT, Trader

EDGE_SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
"""Fixed-seed examples (the same in every run), no per-example deadline."""

MID = 100 * UNIT
"""The price around which Bob keeps a two-sided book."""


def edges(bits: int, *inside: int) -> st.SearchStrategy[int]:
    """Zero, one, ``inside`` values, the largest value of ``bits`` bits and the first past it."""
    return st.sampled_from([0, 1, *inside, 2**bits - 1, 2**bits])


def lots(count: int) -> int:
    """``count`` lots of base."""
    return count * LOT


FIELD_EDGES: dict[str, list[int]] = {
    "account_index": [0, 9, 2**CONFIG.account_depth - 1, 2**CONFIG.account_depth],
    "order_id": [0, 1, 2**CONFIG.order_depth, 2**ORDER_ID_BITS - 1, 2**ORDER_ID_BITS],
    "base_token": [MARKET.quote_token, 2],
    "quote_token": [MARKET.base_token, 2],
    "side": [2],
    "price": [0, 1, TICK, MID - TICK, MID, MID + TICK, 10**9 * UNIT, 2**PRICE_BITS - 1, 2**PRICE_BITS],
    "amount": [0, 1, LOT, FUNDS_BASE, FUNDS_BASE + LOT, 2**AMOUNT_BITS - 1, 2**AMOUNT_BITS],
    "max_fee_bps": [0, 1, 20, MAX_FEE_BPS - 1, MAX_FEE_BPS, MAX_FEE_BPS + 1, 2**FEE_BPS_BITS - 1, 2**FEE_BPS_BITS],
    "expiry": [0, NOW - 1, NOW, NOW + 1, 2**TIMESTAMP_BITS - 1, 2**TIMESTAMP_BITS],
}
"""For each field of an order, the values at its edges."""


def crossing_order(side: Side, order_id: int, lot_count: int, edge: dict[str, int]) -> Order:
    """Alice's order that crosses Bob's book on ``side``, with the fields in ``edge`` replaced."""
    fields: dict[str, int] = {
        "account_index": ALICE.index,
        "order_id": order_id,
        "base_token": MARKET.base_token,
        "quote_token": MARKET.quote_token,
        "side": side,
        "price": MID + TICK if side == Side.BUY else MID - TICK,
        "amount": lots(lot_count),
        "max_fee_bps": 50,
        "expiry": NOW + 3600,
    }
    fields.update(edge)
    return Order(**fields)  # type: ignore[arg-type]


@st.composite
def orders(draw: st.DrawFn) -> Order:
    """A crossing order of Alice with two fields moved to edge values."""
    names = draw(st.lists(st.sampled_from(sorted(FIELD_EDGES)), min_size=2, max_size=2, unique=True))
    edge = {name: draw(st.sampled_from(FIELD_EDGES[name])) for name in names}
    side = draw(st.sampled_from([Side.BUY, Side.SELL]))
    return crossing_order(side, draw(st.integers(1, 40)), draw(st.integers(1, 80)), edge)


kinds = st.sampled_from(list(OrderKind))
signers = st.sampled_from([ALICE.private_key, BOB.private_key])


def two_sided_book() -> Operator:
    """A funded exchange where Bob rests a bid and an ask 1 tick either side of ``MID``."""
    operator = funded_operator()
    for order_id, side, price in ((1, Side.BUY, MID - TICK), (2, Side.SELL, MID + TICK)):
        operator.submit_order(MARKET.name, BOB.order(order_id, side, price, lots(50)), Timestamp(NOW))
    return operator


def sweep(operator: Operator, trader: Trader, first_id: int, now: int) -> None:
    """``trader`` takes the whole book on both sides with IOC orders at the widest prices its funds allow."""
    for order_id, side, price in ((first_id, Side.BUY, 1000 * UNIT), (first_id + 1, Side.SELL, TICK)):
        signed = trader.order(order_id, side, price, lots(500), expiry=now + 3600, kind=OrderKind.IOC)
        try:
            operator.submit_order(MARKET.name, signed, Timestamp(now))
        except RequestRejected:
            continue  # refused for the sweeper's own reasons: fine, the point is what the engine does


def seal_and_build_all(operator: Operator, now: int) -> None:
    """Seal every pending transaction and build every sealed batch (the spec applies them whole)."""
    while operator.pending:
        operator.seal(Timestamp(now))
    while operator.build_next() is not None:
        pass


def check_applicable(order: Order, signer: bytes, kind: OrderKind, later: int) -> None:
    """Submit ``order``: refused with nothing changed, or accepted and applicable as taker and as maker."""
    operator = two_sided_book()
    order = dataclasses.replace(order, kind=kind)
    signed = SignedOrder(order, sign(signer, order.message_hash()))
    before = canonical_state(operator)
    try:
        operator.submit_order(MARKET.name, signed, Timestamp(NOW))
    except RequestRejected:
        assert canonical_state(operator) == before
        return
    assert_consistent(operator)
    # As a maker, now and later in its life, against crossing orders of another trader.
    sweep(operator, CAROL, 10, NOW)
    sweep(operator, CAROL, 20, NOW + later)
    assert_consistent(operator)
    seal_and_build_all(operator, NOW + later)


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in sorted(FIELD_EDGES.items()) for value in values]
)
def test_every_order_field_at_its_edges(name: str, value: int) -> None:
    """Each field alone at each edge value, for both sides and every order kind."""
    for side in (Side.BUY, Side.SELL):
        for kind in OrderKind:
            check_applicable(crossing_order(side, 5, 10, {name: value}), ALICE.private_key, kind, 3600)


@EDGE_SETTINGS
@given(order=orders(), signer=signers, kind=kinds, later=st.sampled_from([0, 1, 3599, 3600, 3601]))
def test_any_order_intake_accepts_can_be_applied(order: Order, signer: bytes, kind: OrderKind, later: int) -> None:
    check_applicable(order, signer, kind, later)


withdrawal_amounts = edges(AMOUNT_BITS, FUNDS_BASE, FUNDS_BASE + 1)


@EDGE_SETTINGS
@given(
    token=st.sampled_from([0, 1, 2]).map(TokenId),
    amount=withdrawal_amounts,
    nonce=st.sampled_from([0, 1, 2**32]),
    signer=signers,
    cancel_id=edges(ORDER_ID_BITS, 1, 2),
    cancel_below=edges(ORDER_ID_BITS, 1, 2),
)
def test_withdrawals_and_cancels_intake_accepts_can_be_applied(
    token: TokenId, amount: int, nonce: int, signer: bytes, cancel_id: int, cancel_below: int
) -> None:
    operator = two_sided_book()
    for request in (
        lambda: operator.withdraw(BOB.withdraw(token, amount, nonce, signer=signer), Timestamp(NOW)),
        lambda: operator.cancel(_cancel(cancel_id, signer), Timestamp(NOW)),
        lambda: operator.cancel_all(_cancel_all(cancel_below, signer), Timestamp(NOW)),
    ):
        before = canonical_state(operator)
        try:
            request()
        except RequestRejected:
            assert canonical_state(operator) == before
        assert_consistent(operator)
    sweep(operator, CAROL, 10, NOW)
    seal_and_build_all(operator, NOW)


def _cancel(order_id: int, signer: bytes) -> SignedCancel:
    """Bob's cancel of ``order_id``, signed by ``signer``."""
    request = CancelOrder(BOB.index, OrderId(order_id))
    return SignedCancel(request, sign(signer, request.message_hash()))


def _cancel_all(min_order_id: int, signer: bytes) -> SignedCancelAll:
    """Bob's cancel-all below ``min_order_id``, signed by ``signer``."""
    request = CancelAllBelow(BOB.index, OrderId(min_order_id))
    return SignedCancelAll(request, sign(signer, request.message_hash()))


def test_a_fee_limit_above_100_percent_is_refused_and_the_market_keeps_trading() -> None:
    """The order that once stopped the market: a signed fee limit of 10,001 bps."""
    operator = two_sided_book()
    poisoned = ALICE.order(5, Side.BUY, MID + TICK, lots(10), max_fee_bps=MAX_FEE_BPS + 1)
    try:
        operator.submit_order(MARKET.name, poisoned, Timestamp(NOW))
    except RequestRejected as refusal:
        assert refusal.code == "INVALID_FEE_LIMIT"
    else:
        raise AssertionError("an order signing a fee limit above 100 % was accepted")
    outcome = operator.submit_order(MARKET.name, ALICE.order(6, Side.BUY, MID + TICK, lots(10)), Timestamp(NOW))
    assert [trade.fill.base for trade in outcome.trades] == [lots(10)]
    seal_and_build_all(operator, NOW)
