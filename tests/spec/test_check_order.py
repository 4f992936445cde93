"""
``check_order``: the checks of a trade that concern one order alone, which
the sequencer runs at intake. For every one-order fault it refuses exactly
what ``process_trade`` refuses, with the same error, whichever side the
faulty order takes; a sound order passes and changes nothing.
"""

from collections.abc import Callable
from dataclasses import replace

import pytest

from sequencer.crypto.eddsa import sign
from sequencer.spec.constants import Side
from sequencer.spec.errors import (
    AccountNotFound,
    InvalidFeeLimit,
    InvalidSignature,
    OrderCancelled,
    OrderExpired,
    OrderIdStale,
    OrderOverfilled,
    PriceNotEncodable,
    RollupError,
    ValueOutOfRange,
)
from sequencer.spec.state import State
from sequencer.spec.transactions import Order, SignedOrder, Trade
from sequencer.spec.transition import check_order, process_trade
from sequencer.spec.types import Amount, OrderId, Price, Timestamp
from tests.spec.builders import ALICE, BOB, NOW, order, price, private_key, signed

Fault = Callable[[State, Order], SignedOrder]


def resigned(order_: Order) -> SignedOrder:
    """``order_`` signed by its account's key (whatever its fields)."""
    return SignedOrder(order_, sign(private_key(order_.account_index), order_.message_hash()))


def _fill_slot(state: State, order_: Order, order_id: int, filled: int) -> None:
    """Record ``filled`` of order ``order_id`` in the slot ``order_`` uses."""
    state.set_order_slot(order_.account_index, OrderId(order_id), Amount(filled))


def expired(state: State, order_: Order) -> SignedOrder:
    return resigned(replace(order_, expiry=Timestamp(NOW - 1)))


def fee_limit_above_100_percent(state: State, order_: Order) -> SignedOrder:
    return resigned(replace(order_, max_fee_bps=10001))


def fee_limit_out_of_range(state: State, order_: Order) -> SignedOrder:
    return resigned(replace(order_, max_fee_bps=2**14))


def price_not_encodable(state: State, order_: Order) -> SignedOrder:
    return resigned(replace(order_, price=Price(order_.price + 1)))


def missing_account(state: State, order_: Order) -> SignedOrder:
    return resigned(replace(order_, account_index=9))


def signed_by_another_key(state: State, order_: Order) -> SignedOrder:
    other = BOB if order_.account_index == ALICE else ALICE
    return signed(order_, signer=other)


def cancelled_from_l1(state: State, order_: Order) -> SignedOrder:
    state.set_min_order_id(order_.account_index, OrderId(order_.order_id + 1))
    return resigned(order_)


def stale(state: State, order_: Order) -> SignedOrder:
    _fill_slot(state, order_, order_.order_id + 4, 0)  # 4 order slots: the same slot
    return resigned(order_)


def completely_filled(state: State, order_: Order) -> SignedOrder:
    _fill_slot(state, order_, order_.order_id, order_.amount)
    return resigned(order_)


FAULTS: list[tuple[Fault, type[RollupError]]] = [
    (expired, OrderExpired),
    (fee_limit_above_100_percent, InvalidFeeLimit),
    (fee_limit_out_of_range, ValueOutOfRange),
    (price_not_encodable, PriceNotEncodable),
    (missing_account, AccountNotFound),
    (signed_by_another_key, InvalidSignature),
    (cancelled_from_l1, OrderCancelled),
    (stale, OrderIdStale),
    (completely_filled, OrderOverfilled),
]


def alice_sells() -> Order:
    return order(ALICE, 1, Side.SELL, price(2), 600)


def bob_buys() -> Order:
    return order(BOB, 1, Side.BUY, price(3), 600)


@pytest.mark.parametrize("side", ["maker", "taker"])
@pytest.mark.parametrize(("fault", "error"), FAULTS, ids=[fault.__name__ for fault, _ in FAULTS])
def test_check_order_matches_process_trade(
    state: State, fault: Fault, error: type[RollupError], side: str
) -> None:
    good_maker, good_taker = signed(alice_sells()), signed(bob_buys())
    faulty = fault(state, alice_sells() if side == "maker" else bob_buys())
    maker, taker = (faulty, good_taker) if side == "maker" else (good_maker, faulty)
    root = state.root
    with pytest.raises(error):
        check_order(state, faulty, NOW)
    with pytest.raises(error):
        process_trade(state, Trade(maker, taker, Amount(100), Amount(200), Amount(0), Amount(0)), NOW)
    assert state.root == root


def test_a_sound_order_passes_and_changes_nothing(state: State) -> None:
    root = state.root
    account = check_order(state, signed(alice_sells()), NOW)
    assert account == state.get_account(alice_sells().account_index)
    assert state.root == root


def test_an_order_trades_at_its_expiry_second(state: State) -> None:
    check_order(state, signed(replace(alice_sells(), expiry=NOW)), NOW)
