"""Deposits: account creation, credits, and the checks that guard them."""

from dataclasses import replace
from typing import Any

import pytest

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.spec.constants import AMOUNT_BITS
from sequencer.spec.errors import BalanceOverflow, NotAFieldElement, ValueOutOfRange
from sequencer.spec.state import State
from sequencer.spec.transition import process_deposit
from sequencer.spec.types import AccountIndex, FieldElement
from tests.spec.assertions import assert_rejected
from tests.spec.builders import (
    ALICE,
    BASE,
    CAROL,
    QUOTE,
    SMALL,
    deposit,
    eth_address,
    public_key,
)


def test_deposit_creates_the_account() -> None:
    state = State.genesis(SMALL)
    process_deposit(state, deposit(CAROL, QUOTE, 70))
    account = state.get_account(AccountIndex(CAROL))
    assert account.exists
    assert (account.ax, account.ay) == (public_key(CAROL).ax, public_key(CAROL).ay)
    assert account.eth_addr == eth_address(CAROL)
    assert account.balance(QUOTE) == 70
    assert account.nonce == 0


def test_deposit_to_an_existing_account_keeps_its_key_and_address(state: State) -> None:
    tx = replace(
        deposit(ALICE, BASE, 5), eth_addr=eth_address(9), ax=FieldElement(0), ay=FieldElement(0)
    )
    process_deposit(state, tx)
    account = state.get_account(AccountIndex(ALICE))
    assert (account.ax, account.ay) == (public_key(ALICE).ax, public_key(ALICE).ay)
    assert account.eth_addr == eth_address(ALICE)
    assert account.balance(BASE) == 1005


def test_deposit_of_zero_creates_the_account() -> None:
    state = State.genesis(SMALL)
    process_deposit(state, deposit(CAROL, BASE, 0))
    assert state.get_account(AccountIndex(CAROL)).exists


def test_deposit_balance_overflow(state: State) -> None:
    tx = deposit(ALICE, BASE, 2**AMOUNT_BITS - 1000)
    error = assert_rejected(state, lambda: process_deposit(state, tx), BalanceOverflow)
    assert (error.account, error.token, error.balance) == (ALICE, BASE, 1000)


def test_deposit_up_to_the_largest_balance(state: State) -> None:
    process_deposit(state, deposit(ALICE, BASE, 2**AMOUNT_BITS - 1001))
    assert state.get_account(AccountIndex(ALICE)).balance(BASE) == 2**AMOUNT_BITS - 1


@pytest.mark.parametrize(
    ("field", "value", "bits"),
    [
        ("account_index", 16, 4),
        ("account_index", -1, 4),
        ("eth_addr", 2**160, 160),
        ("token", 4, 2),
        ("amount", 2**96, 96),
        ("amount", -1, 96),
    ],
)
def test_deposit_value_out_of_range(state: State, field: str, value: int, bits: int) -> None:
    changes: dict[str, Any] = {field: value}
    tx = replace(deposit(CAROL, BASE, 1), **changes)
    error = assert_rejected(state, lambda: process_deposit(state, tx), ValueOutOfRange)
    assert (error.field, error.value, error.bits) == (field, value, bits)


@pytest.mark.parametrize("field", ["ax", "ay"])
def test_deposit_key_not_a_field_element(state: State, field: str) -> None:
    changes: dict[str, Any] = {field: FIELD_MODULUS}
    tx = replace(deposit(CAROL, BASE, 1), **changes)
    error = assert_rejected(state, lambda: process_deposit(state, tx), NotAFieldElement)
    assert (error.field, error.value) == (field, FIELD_MODULUS)
