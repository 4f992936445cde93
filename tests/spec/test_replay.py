"""Replaying published batches: the same state as applying them, and refusals of data that does not fit."""

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from sequencer.spec.constants import Side
from sequencer.spec.errors import InsufficientBalance, ReplayMismatch
from sequencer.spec.public_data import (
    CancelAllData,
    DepositData,
    ForcedWithdrawData,
    SlotData,
    WithdrawData,
    decode_slot,
)
from sequencer.spec.replay import replay_batch
from sequencer.spec.state import State
from sequencer.spec.transactions import L1_TRANSACTIONS, L1Transaction, Noop, Transaction
from sequencer.spec.types import AccountIndex, Amount, FieldElement, OrderId, Timestamp
from sequencer.witness.batch import build_batch
from tests.spec.builders import (
    ALICE,
    BASE,
    BOB,
    CAROL,
    NOW,
    QUOTE,
    deposit,
    eth_address,
    forced_cancel_all,
    forced_withdraw,
    order,
    price,
    trade,
    withdraw,
)
from tests.vectors.generate import CONFIG, VECTORS_PATH, decode_tx

VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text())["batches"]


def published(state: State, txs: Sequence[Transaction], timestamp: Timestamp) -> tuple[list[SlotData], list[L1Transaction]]:
    """What applying ``txs`` to a copy of ``state`` publishes: its slots and the L1 requests it consumes."""
    batch = build_batch(state.copy(), txs, timestamp, FieldElement(0), max(1, len(txs)))
    requests = [tx for tx in txs if isinstance(tx, L1_TRANSACTIONS)]
    return [decode_slot(slot) for slot in batch.slot_data], requests


def assert_replay_matches(state: State, txs: Sequence[Transaction], timestamp: Timestamp = NOW) -> State:
    """Replaying the published batch gives the root of applying it; returns the applied state."""
    slots, requests = published(state, txs, timestamp)
    applied = state.copy()
    new_root = build_batch(applied, txs, timestamp, FieldElement(0), max(1, len(txs))).new_root
    replayed = state.copy()
    assert replay_batch(replayed, slots, requests, timestamp) == new_root
    assert replayed.root == new_root
    return applied


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if "new_root" in v["expected"]], ids=lambda v: v["name"]
)
def test_replay_rebuilds_every_valid_vector(vector: dict[str, Any]) -> None:
    pre_txs = [decode_tx(tx) for tx in vector["pre_state"]["txs"]]
    state = assert_replay_matches(State.genesis(CONFIG), pre_txs, Timestamp(int(vector["pre_state"]["timestamp"])))
    assert str(state.root) == vector["old_root"]
    txs = [decode_tx(tx) for tx in vector["txs"]]
    after = assert_replay_matches(state, txs, Timestamp(int(vector["timestamp"])))
    assert str(after.root) == vector["expected"]["new_root"]


def test_replay_of_forced_requests_and_trades(state: State) -> None:
    txs: list[Transaction] = [
        trade(order(ALICE, 1, Side.SELL, price(2), 900), order(BOB, 2, Side.BUY, price(2), 900), 500, maker_fee_bps=30, taker_fee_bps=30),
        forced_cancel_all(ALICE, 5),
        forced_withdraw(BOB, QUOTE),
        forced_withdraw(CAROL, BASE),
        replace(forced_withdraw(ALICE, BASE), eth_addr=eth_address(BOB)),
        withdraw(ALICE, QUOTE, 3, nonce=0),
        deposit(CAROL, BASE, 7),
        Noop(),
    ]
    after = assert_replay_matches(state, txs)
    assert after.get_account(AccountIndex(ALICE)).min_order_id == 5
    assert after.get_account(AccountIndex(BOB)).balance(QUOTE) == 0


def test_replay_refuses_a_request_of_another_kind(state: State) -> None:
    root = state.root
    with pytest.raises(ReplayMismatch):
        replay_batch(state, [DepositData(AccountIndex(ALICE))], [forced_withdraw(ALICE, BASE)], NOW)
    with pytest.raises(ReplayMismatch):
        replay_batch(state, [DepositData(AccountIndex(ALICE))], [deposit(BOB, BASE, 1)], NOW)
    assert state.root == root


def test_replay_refuses_missing_and_leftover_requests(state: State) -> None:
    with pytest.raises(ReplayMismatch):
        replay_batch(state, [DepositData(AccountIndex(ALICE))], [], NOW)
    with pytest.raises(ReplayMismatch):
        replay_batch(state, [], [deposit(ALICE, BASE, 1)], NOW)


def test_replay_refuses_a_forced_withdrawal_of_another_amount(state: State) -> None:
    root = state.root
    data = ForcedWithdrawData(AccountIndex(ALICE), BASE, Amount(999))
    with pytest.raises(ReplayMismatch):
        replay_batch(state, [data], [forced_withdraw(ALICE, BASE)], NOW)
    assert state.root == root


def test_replay_refuses_a_withdrawal_from_an_account_that_does_not_exist(state: State) -> None:
    with pytest.raises(ReplayMismatch):
        replay_batch(state, [WithdrawData(AccountIndex(CAROL), BASE, Amount(0))], [], NOW)


def test_replay_refuses_an_overdraft(state: State) -> None:
    root = state.root
    with pytest.raises(InsufficientBalance):
        replay_batch(state, [WithdrawData(AccountIndex(ALICE), BASE, Amount(1001))], [], NOW)
    assert state.root == root


def test_replay_refuses_a_cancel_all_of_an_account_that_does_not_exist(state: State) -> None:
    with pytest.raises(ReplayMismatch):
        replay_batch(state, [CancelAllData(AccountIndex(CAROL), OrderId(5))], [], NOW)
