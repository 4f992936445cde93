"""Withdrawals: the debit, the nonce, the L1 claim, and one test per rule."""

from dataclasses import replace
from typing import Any

import pytest

from sequencer.spec.errors import (
    AccountNotFound,
    InsufficientBalance,
    InvalidNonce,
    InvalidSignature,
    ValueOutOfRange,
)
from sequencer.spec.state import State
from sequencer.spec.transition import Withdrawal, process_withdraw
from sequencer.spec.types import AccountIndex, Amount
from tests.spec.assertions import assert_rejected
from tests.spec.builders import ALICE, BASE, BOB, CAROL, QUOTE, eth_address, withdraw


def test_withdraw_debits_counts_and_pays_the_accounts_address(state: State) -> None:
    claim = process_withdraw(state, withdraw(ALICE, QUOTE, 400, nonce=0))
    assert claim == Withdrawal(eth_address(ALICE), QUOTE, Amount(400))
    account = state.get_account(AccountIndex(ALICE))
    assert account.balance(QUOTE) == 600
    assert account.nonce == 1


def test_withdraw_of_the_whole_balance(state: State) -> None:
    process_withdraw(state, withdraw(ALICE, BASE, 1000, nonce=0))
    assert state.get_account(AccountIndex(ALICE)).balance(BASE) == 0


def test_replayed_withdrawal_is_refused(state: State) -> None:
    tx = withdraw(ALICE, BASE, 10, nonce=0)
    process_withdraw(state, tx)
    error = assert_rejected(state, lambda: process_withdraw(state, tx), InvalidNonce)
    assert (error.expected, error.got) == (1, 0)


@pytest.mark.parametrize(
    ("field", "value", "bits"),
    [("account_index", 16, 4), ("token", 4, 2), ("amount", 2**96, 96), ("amount", -1, 96)],
)
def test_withdraw_value_out_of_range(state: State, field: str, value: int, bits: int) -> None:
    changes: dict[str, Any] = {field: value}
    tx = replace(withdraw(ALICE, BASE, 1, nonce=0), **changes)
    error = assert_rejected(state, lambda: process_withdraw(state, tx), ValueOutOfRange)
    assert (error.field, error.value, error.bits) == (field, value, bits)


def test_withdraw_account_not_found(state: State) -> None:
    tx = withdraw(CAROL, BASE, 1, nonce=0)
    error = assert_rejected(state, lambda: process_withdraw(state, tx), AccountNotFound)
    assert error.account == CAROL


def test_withdraw_invalid_nonce(state: State) -> None:
    tx = withdraw(ALICE, BASE, 1, nonce=1)
    error = assert_rejected(state, lambda: process_withdraw(state, tx), InvalidNonce)
    assert (error.expected, error.got) == (0, 1)


def test_withdraw_invalid_signature(state: State) -> None:
    tx = withdraw(ALICE, BASE, 1, nonce=0, signer=BOB)
    error = assert_rejected(state, lambda: process_withdraw(state, tx), InvalidSignature)
    assert error.account == ALICE


def test_withdraw_signature_of_another_amount(state: State) -> None:
    tx = replace(withdraw(ALICE, BASE, 1, nonce=0), amount=Amount(2))
    assert_rejected(state, lambda: process_withdraw(state, tx), InvalidSignature)


def test_withdraw_insufficient_balance(state: State) -> None:
    tx = withdraw(ALICE, BASE, 1001, nonce=0)
    error = assert_rejected(state, lambda: process_withdraw(state, tx), InsufficientBalance)
    assert (error.account, error.token, error.balance, error.required) == (ALICE, BASE, 1000, 1001)


def test_nonce_is_checked_before_the_signature(state: State) -> None:
    tx = withdraw(ALICE, BASE, 1, nonce=5, signer=BOB)
    assert_rejected(state, lambda: process_withdraw(state, tx), InvalidNonce)
