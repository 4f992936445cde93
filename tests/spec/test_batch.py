"""Batches: slots in order, fees to the fee account, conservation, all-or-nothing."""

from collections import Counter

from sequencer.spec.constants import AMOUNT_BITS, FEE_ACCOUNT, Side
from sequencer.spec.errors import BalanceOverflow, OrderOverfilled, ValueOutOfRange
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop, Trade, Transaction
from sequencer.spec.batch import apply_batch
from sequencer.spec.transition import Fee, SlotOutcome, Withdrawal
from sequencer.spec.types import AccountIndex, Amount, Timestamp, TokenId
from tests.spec.assertions import assert_rejected
from tests.spec.builders import (
    ALICE,
    BASE,
    BOB,
    CAROL,
    FEE,
    NOW,
    QUOTE,
    SMALL,
    deposit,
    eth_address,
    order,
    price,
    trade,
    withdraw,
)


def sell(order_id: int, amount: int) -> Trade:
    """Alice sells to Bob at 2, each paying its largest fee (30 bps)."""
    maker = order(ALICE, order_id, Side.SELL, price(2), amount)
    taker = order(BOB, order_id, Side.BUY, price(2), amount)
    return trade(maker, taker, amount, maker_fee_bps=30, taker_fee_bps=30)


def total_supply(state: State, token: TokenId) -> int:
    """All of ``token`` held in the rollup: the sum of every account's balance."""
    accounts = range(2**SMALL.account_depth)
    return sum(state.get_account(AccountIndex(i)).balance(token) for i in accounts)


def test_noop_changes_nothing(state: State) -> None:
    root = state.root
    result = apply_batch(state, [Noop(), Noop()], NOW)
    assert result.new_root == root == state.root
    assert result.slots == (SlotOutcome(), SlotOutcome())


def test_fees_are_credited_to_the_fee_account_after_the_last_slot(state: State) -> None:
    result = apply_batch(state, [sell(1, 500), sell(2, 400)], NOW)
    assert result.fees == {QUOTE: 3 + 2, BASE: 1 + 1}
    assert result.slots[0].fees == (Fee(QUOTE, Amount(3)), Fee(BASE, Amount(1)))
    fee_account = state.get_account(AccountIndex(FEE_ACCOUNT))
    assert fee_account.balance(QUOTE) == 5
    assert fee_account.balance(BASE) == 2
    assert result.new_root == state.root


def test_each_token_is_conserved(state: State) -> None:
    txs: list[Transaction] = [
        sell(1, 500),
        deposit(CAROL, QUOTE, 77),
        withdraw(ALICE, QUOTE, 300, nonce=0),
        sell(2, 100),
        Noop(),
    ]
    before = Counter({t: total_supply(state, t) for t in (BASE, QUOTE)})
    result = apply_batch(state, txs, NOW)
    deposited = Counter({QUOTE: 77})
    withdrawn = Counter({QUOTE: 300})
    for token in (BASE, QUOTE):
        after = total_supply(state, token)
        assert after == before[token] + deposited[token] - withdrawn[token]
    assert result.withdrawals == (Withdrawal(eth_address(ALICE), QUOTE, Amount(300)),)


def test_withdrawals_are_listed_in_slot_order(state: State) -> None:
    txs: list[Transaction] = [withdraw(BOB, QUOTE, 5, nonce=0), withdraw(ALICE, BASE, 6, nonce=0)]
    result = apply_batch(state, txs, NOW)
    assert result.withdrawals == (
        Withdrawal(eth_address(BOB), QUOTE, Amount(5)),
        Withdrawal(eth_address(ALICE), BASE, Amount(6)),
    )
    assert result.slots[1].withdrawal == result.withdrawals[1]


def test_a_later_slot_sees_the_earlier_ones() -> None:
    state = State.genesis(SMALL)
    txs: list[Transaction] = [deposit(CAROL, BASE, 10), withdraw(CAROL, BASE, 10, nonce=0)]
    apply_batch(state, txs, NOW)
    assert state.get_account(AccountIndex(CAROL)).balance(BASE) == 0


def test_an_invalid_slot_rejects_the_whole_batch(state: State) -> None:
    txs: list[Transaction] = [sell(1, 500), deposit(CAROL, BASE, 5), sell(1, 101)]
    error = assert_rejected(state, lambda: apply_batch(state, txs, NOW), OrderOverfilled)
    assert error.__notes__ == ["in batch slot 2"]
    assert not state.get_account(AccountIndex(CAROL)).exists


def test_fee_credit_overflow_rejects_the_whole_batch(state: State) -> None:
    apply_batch(state, [deposit(FEE, QUOTE, 2**AMOUNT_BITS - 3)], NOW)
    error = assert_rejected(state, lambda: apply_batch(state, [sell(1, 500)], NOW), BalanceOverflow)
    assert (error.account, error.token, error.amount) == (FEE, QUOTE, 3)


def test_batch_timestamp_out_of_range(state: State) -> None:
    error = assert_rejected(
        state, lambda: apply_batch(state, [Noop()], Timestamp(2**64)), ValueOutOfRange
    )
    assert error.field == "timestamp"


def test_empty_batch_is_allowed(state: State) -> None:
    assert apply_batch(state, [], NOW).new_root == state.root
