"""Forced requests from L1: the whole-balance withdrawal, the cancel-all, and the no-ops."""

from dataclasses import replace
from typing import Any

import pytest

from sequencer.spec.constants import Side
from sequencer.spec.errors import OrderCancelled, ValueOutOfRange
from sequencer.spec.state import State
from sequencer.spec.transition import (
    Withdrawal,
    apply_transaction,
    process_forced_cancel_all,
    process_forced_withdraw,
    process_trade,
)
from sequencer.spec.types import AccountIndex, Amount, EthAddress, OrderId
from tests.spec.assertions import assert_rejected
from tests.spec.builders import (
    ALICE,
    BASE,
    BOB,
    CAROL,
    NOW,
    QUOTE,
    eth_address,
    forced_cancel_all,
    forced_withdraw,
    order,
    price,
    trade,
)


def test_forced_withdraw_takes_the_whole_balance_to_the_sender(state: State) -> None:
    claim = process_forced_withdraw(state, forced_withdraw(BOB, QUOTE))
    assert claim == Withdrawal(eth_address(BOB), QUOTE, Amount(10000))
    account = state.get_account(AccountIndex(BOB))
    assert account.balance(QUOTE) == 0
    assert account.balance(BASE) == 1000
    assert account.nonce == 0


def test_forced_withdraw_leaves_the_order_slots_and_key(state: State) -> None:
    process_trade(state, trade(order(ALICE, 1, Side.SELL, price(2), 9), order(BOB, 2, Side.BUY, price(2), 9), 4), NOW)
    before = state.get_account(AccountIndex(ALICE)).copy()
    process_forced_withdraw(state, forced_withdraw(ALICE, BASE))
    after = state.get_account(AccountIndex(ALICE))
    assert after.order_slots == before.order_slots
    assert (after.ax, after.ay, after.eth_addr) == (before.ax, before.ay, before.eth_addr)


def test_forced_withdraw_of_another_owner_is_a_no_op(state: State) -> None:
    root = state.root
    request = replace(forced_withdraw(BOB, QUOTE), eth_addr=eth_address(ALICE))
    assert process_forced_withdraw(state, request) is None
    assert state.root == root


def test_forced_withdraw_of_a_missing_account_is_a_no_op(state: State) -> None:
    root = state.root
    assert process_forced_withdraw(state, forced_withdraw(CAROL, BASE)) is None
    assert process_forced_withdraw(state, replace(forced_withdraw(CAROL, BASE), eth_addr=EthAddress(0))) is None
    assert state.root == root


def test_forced_withdraw_of_an_empty_balance_is_a_no_op(state: State) -> None:
    process_forced_withdraw(state, forced_withdraw(ALICE, BASE))
    root = state.root
    assert process_forced_withdraw(state, forced_withdraw(ALICE, BASE)) is None
    assert state.root == root


def test_forced_withdraw_outcome_carries_the_claim(state: State) -> None:
    outcome = apply_transaction(state, forced_withdraw(ALICE, QUOTE), NOW, None)
    assert outcome.withdrawal == Withdrawal(eth_address(ALICE), QUOTE, Amount(1000))
    assert apply_transaction(state, forced_withdraw(ALICE, QUOTE), NOW, None).withdrawal is None


@pytest.mark.parametrize(
    ("field", "value", "bits"),
    [("account_index", 16, 4), ("eth_addr", 2**160, 160), ("token", 4, 2), ("token", -1, 2)],
)
def test_forced_withdraw_value_out_of_range(state: State, field: str, value: int, bits: int) -> None:
    changes: dict[str, Any] = {field: value}
    request = replace(forced_withdraw(ALICE, BASE), **changes)
    error = assert_rejected(state, lambda: process_forced_withdraw(state, request), ValueOutOfRange)
    assert (error.field, error.value, error.bits) == (field, value, bits)


def test_forced_cancel_all_raises_min_order_id(state: State) -> None:
    process_forced_cancel_all(state, forced_cancel_all(ALICE, 5))
    assert state.get_account(AccountIndex(ALICE)).min_order_id == 5


def test_forced_cancel_all_never_lowers_min_order_id(state: State) -> None:
    process_forced_cancel_all(state, forced_cancel_all(ALICE, 5))
    root = state.root
    process_forced_cancel_all(state, forced_cancel_all(ALICE, 3))
    assert state.get_account(AccountIndex(ALICE)).min_order_id == 5
    assert state.root == root


def test_forced_cancel_all_of_another_owner_or_missing_account_is_a_no_op(state: State) -> None:
    root = state.root
    process_forced_cancel_all(state, replace(forced_cancel_all(BOB, 9), eth_addr=eth_address(ALICE)))
    process_forced_cancel_all(state, forced_cancel_all(CAROL, 9))
    assert state.root == root


@pytest.mark.parametrize(
    ("field", "value", "bits"),
    [("account_index", 16, 4), ("eth_addr", 2**160, 160), ("min_order_id", 2**48, 48)],
)
def test_forced_cancel_all_value_out_of_range(state: State, field: str, value: int, bits: int) -> None:
    changes: dict[str, Any] = {field: value}
    request = replace(forced_cancel_all(ALICE, 1), **changes)
    error = assert_rejected(state, lambda: process_forced_cancel_all(state, request), ValueOutOfRange)
    assert (error.field, error.value, error.bits) == (field, value, bits)


@pytest.mark.parametrize("cancelled", ["maker", "taker"])
def test_trade_of_a_cancelled_order_is_refused(state: State, cancelled: str) -> None:
    account = ALICE if cancelled == "maker" else BOB
    process_forced_cancel_all(state, forced_cancel_all(account, 3))
    tx = trade(order(ALICE, 2, Side.SELL, price(2), 9), order(BOB, 2, Side.BUY, price(2), 9), 4)
    error = assert_rejected(state, lambda: process_trade(state, tx, NOW), OrderCancelled)
    assert (error.order_id, error.min_order_id) == (2, 3)


def test_orders_from_min_order_id_on_still_trade(state: State) -> None:
    process_forced_cancel_all(state, forced_cancel_all(ALICE, 3))
    tx = trade(order(ALICE, 3, Side.SELL, price(2), 9), order(BOB, 2, Side.BUY, price(2), 9), 4)
    process_trade(state, tx, NOW)
    assert state.get_account(AccountIndex(ALICE)).order_slot(OrderId(3)) == (3, 4)
