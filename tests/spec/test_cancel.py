"""
Signed cancels and cancel-alls: a cancel records its order cancelled in its
slot, a cancel-all raises the account's ``min_order_id``; one test per rule.
"""

import pytest

from sequencer.spec.constants import CANCELLED_FILL, ORDER_ID_BITS, Side
from sequencer.spec.errors import (
    AccountNotFound,
    InvalidSignature,
    OrderCancelled,
    OrderIdStale,
    OrderWasCancelled,
    ValueOutOfRange,
)
from sequencer.spec.state import State
from sequencer.spec.transition import check_order, process_cancel, process_cancel_all, process_trade
from sequencer.spec.types import AccountIndex, OrderId, Timestamp
from tests.spec.assertions import assert_rejected
from tests.spec.builders import ALICE, BOB, CAROL, NOW, cancel, cancel_all, order, price, signed, trade


def slot(state: State, account: int, order_id: int) -> tuple[int, int]:
    return state.get_account(AccountIndex(account)).order_slot(OrderId(order_id))


def test_cancel_records_the_order_as_wholly_filled(state: State) -> None:
    process_cancel(state, cancel(ALICE, 5))
    assert slot(state, ALICE, 5) == (5, CANCELLED_FILL)


def test_cancelled_order_cannot_trade(state: State) -> None:
    maker = order(ALICE, 1, Side.SELL, price(2), 600)
    process_trade(state, trade(maker, order(BOB, 1, Side.BUY, price(3), 100), 100), NOW)
    process_cancel(state, cancel(ALICE, 1))
    tx = trade(maker, order(BOB, 2, Side.BUY, price(3), 100), 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderWasCancelled)
    assert error.order_id == 1


def test_cancelled_order_is_refused_at_intake(state: State) -> None:
    process_cancel(state, cancel(ALICE, 1))
    resting = signed(order(ALICE, 1, Side.SELL, price(2), 600))
    with pytest.raises(OrderWasCancelled):
        check_order(state, resting, Timestamp(NOW))


def test_newer_order_takes_a_cancelled_slot(state: State) -> None:
    process_cancel(state, cancel(ALICE, 1))
    process_trade(state, trade(order(ALICE, 5, Side.SELL, price(2), 600), order(BOB, 1, Side.BUY, price(3), 100), 100), NOW)
    assert slot(state, ALICE, 5) == (5, 100)


def test_cancel_of_a_replaced_order_is_stale(state: State) -> None:
    process_trade(state, trade(order(ALICE, 5, Side.SELL, price(2), 600), order(BOB, 1, Side.BUY, price(3), 100), 100), NOW)
    error = assert_rejected(state, lambda: process_cancel(state, cancel(ALICE, 1)), OrderIdStale)
    assert (error.order_id, error.stored_id) == (1, 5)


def test_cancel_signed_by_another_key(state: State) -> None:
    assert_rejected(state, lambda: process_cancel(state, cancel(ALICE, 1, signer=BOB)), InvalidSignature)


def test_cancel_for_an_account_that_does_not_exist(state: State) -> None:
    assert_rejected(state, lambda: process_cancel(state, cancel(CAROL, 1)), AccountNotFound)


def test_cancel_of_an_order_id_out_of_range(state: State) -> None:
    assert_rejected(state, lambda: process_cancel(state, cancel(ALICE, 2**ORDER_ID_BITS)), ValueOutOfRange)


def min_order_id(state: State, account: int) -> int:
    return state.get_account(AccountIndex(account)).min_order_id


def test_cancel_all_raises_min_order_id_and_never_lowers_it(state: State) -> None:
    process_cancel_all(state, cancel_all(ALICE, 7))
    assert min_order_id(state, ALICE) == 7
    process_cancel_all(state, cancel_all(ALICE, 3))  # a replay of an older one changes nothing
    assert min_order_id(state, ALICE) == 7 and min_order_id(state, BOB) == 0


def test_orders_below_a_cancel_all_cannot_trade_and_later_ones_can(state: State) -> None:
    maker = order(ALICE, 1, Side.SELL, price(2), 600)
    process_cancel_all(state, cancel_all(ALICE, 2))
    tx = trade(maker, order(BOB, 1, Side.BUY, price(3), 100), 100)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderCancelled)
    assert error.order_id == 1
    with pytest.raises(OrderCancelled):
        check_order(state, signed(maker), Timestamp(NOW))
    process_trade(state, trade(order(ALICE, 2, Side.SELL, price(2), 600), order(BOB, 2, Side.BUY, price(3), 100), 100), NOW)
    assert slot(state, ALICE, 2) == (2, 100)


def test_cancel_all_signed_by_another_key(state: State) -> None:
    assert_rejected(state, lambda: process_cancel_all(state, cancel_all(ALICE, 5, signer=BOB)), InvalidSignature)


def test_cancel_all_for_an_account_that_does_not_exist(state: State) -> None:
    assert_rejected(state, lambda: process_cancel_all(state, cancel_all(CAROL, 5)), AccountNotFound)


def test_cancel_all_below_an_order_id_out_of_range(state: State) -> None:
    assert_rejected(state, lambda: process_cancel_all(state, cancel_all(ALICE, 2**ORDER_ID_BITS)), ValueOutOfRange)
