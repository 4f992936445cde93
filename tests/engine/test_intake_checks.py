"""The operator's intake checks, cancels, cancel-all, withdrawals and the L1 requests that close orders."""

import pytest

from sequencer.crypto.eddsa import sign
from sequencer.engine.checks import next_order_id
from sequencer.engine.registry import OrderRegistry
from sequencer.engine.cancels import CancelAllBelow, CancelOrder, SignedCancel, SignedCancelAll
from sequencer.engine.errors import Code
from sequencer.engine.orders import CloseReason, OrderStatus
from sequencer.engine.operator import Operator
from sequencer.engine.errors import RequestRejected
from sequencer.spec.constants import CANCELLED_FILL, ORDER_REF_BITS, Side
from sequencer.spec.state import State
from sequencer.spec.transactions import CancelAll, ForcedCancelAll, ForcedWithdraw
from sequencer.spec.types import AccountIndex, Amount, EthAddress, OrderId, Timestamp, TokenId
from tests.engine.exchange import ALICE, BOB, CONFIG, FUNDS_BASE, FUNDS_QUOTE, MARKET
from tests.engine.helpers import assert_consistent, locked, place, refused
from tests.support.scenario import BASE, NOW, QUOTE, UNIT, Trader

SLOTS_PER_ACCOUNT = 1 << CONFIG.order_depth


def cancel(trader: Trader, order_id: int, signer: bytes | None = None) -> SignedCancel:
    """A cancel of one of ``trader``'s orders."""
    request = CancelOrder(trader.index, OrderId(order_id))
    return SignedCancel(request, sign(signer or trader.private_key, request.message_hash()))


def cancel_all(trader: Trader, min_order_id: int) -> SignedCancelAll:
    """A cancel-all of ``trader``'s orders below ``min_order_id``."""
    request = CancelAllBelow(trader.index, OrderId(min_order_id))
    return SignedCancelAll(request, sign(trader.private_key, request.message_hash()))


def test_unknown_market(operator: Operator) -> None:
    with pytest.raises(RequestRejected) as refusal:
        operator.submit_order("NOPE", ALICE.order(1, Side.BUY, UNIT, UNIT), NOW)
    assert refusal.value.code == Code.UNKNOWN_MARKET


def test_bad_signature(operator: Operator) -> None:
    signed = ALICE.order(1, Side.BUY, 10 * UNIT, UNIT, signer=BOB.private_key)
    with pytest.raises(RequestRejected) as refusal:
        operator.submit_order(MARKET.name, signed, NOW)
    assert refusal.value.code == "INVALID_SIGNATURE"


def test_unknown_account(operator: Operator) -> None:
    assert refused(operator, Trader.numbered(9), 1, Side.BUY, 10 * UNIT, UNIT) == "ACCOUNT_NOT_FOUND"


def test_out_of_range_fields(operator: Operator) -> None:
    assert refused(operator, ALICE, 2**48, Side.BUY, 10 * UNIT, UNIT) == "VALUE_OUT_OF_RANGE"
    assert refused(operator, ALICE, 1, Side.BUY, 10 * UNIT, 2**96) == "VALUE_OUT_OF_RANGE"


def test_insufficient_balance_counts_locks(operator: Operator) -> None:
    place(operator, ALICE, 1, Side.SELL, 20 * UNIT, FUNDS_BASE - UNIT)
    assert refused(operator, ALICE, 2, Side.SELL, 20 * UNIT, 2 * UNIT) == "INSUFFICIENT_BALANCE"
    assert refused(operator, ALICE, 3, Side.BUY, FUNDS_QUOTE, 2 * UNIT) == "INSUFFICIENT_BALANCE"
    place(operator, ALICE, 4, Side.SELL, 20 * UNIT, UNIT)


def test_order_ids_only_grow_within_a_slot(operator: Operator) -> None:
    later = 5 + SLOTS_PER_ACCOUNT
    place(operator, ALICE, later, Side.BUY, 10 * UNIT, UNIT)
    assert refused(operator, ALICE, later, Side.BUY, 9 * UNIT, UNIT) == Code.ORDER_ID_USED
    operator.cancel(cancel(ALICE, later), NOW)
    # A cancelled order cannot be placed again (a replay: its slot records the
    # cancel), nor an older id in its slot.
    assert refused(operator, ALICE, later, Side.BUY, 10 * UNIT, UNIT) == "ORDER_WAS_CANCELLED"
    assert refused(operator, ALICE, 5, Side.BUY, 9 * UNIT, UNIT) == "ORDER_ID_STALE"
    place(operator, ALICE, later + SLOTS_PER_ACCOUNT, Side.BUY, 10 * UNIT, UNIT)


def test_two_open_orders_never_share_a_slot(operator: Operator) -> None:
    place(operator, ALICE, 3, Side.BUY, 10 * UNIT, UNIT)
    assert refused(operator, ALICE, 3 + SLOTS_PER_ACCOUNT, Side.BUY, 9 * UNIT, UNIT) == Code.ORDER_SLOT_BUSY
    place(operator, ALICE, 4, Side.BUY, 9 * UNIT, UNIT)


def test_cancel_of_a_partly_filled_order_releases_exactly_the_unfilled_lock(operator: Operator) -> None:
    place(operator, ALICE, 1, Side.BUY, 10 * UNIT, 5 * UNIT)
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, 2 * UNIT)
    assert locked(operator, ALICE, QUOTE) == 30 * UNIT
    paid = 20 * UNIT
    record = operator.cancel(cancel(ALICE, 1), NOW)
    assert (record.status, record.reason, record.filled) == (OrderStatus.CANCELLED, CloseReason.REQUESTED, 2 * UNIT)
    assert locked(operator, ALICE, QUOTE) == 0
    assert operator.available(ALICE.index, QUOTE) == FUNDS_QUOTE - paid
    assert_consistent(operator)


def test_cancel_is_queued_for_a_batch_and_binds_the_orders_slot(operator: Operator) -> None:
    """A cancel becomes a batch transaction: the head state's slot records the order cancelled."""
    place(operator, ALICE, 1, Side.BUY, 10 * UNIT, 5 * UNIT)
    request = cancel(ALICE, 1)
    operator.cancel(request, NOW)
    assert operator.pending[-1].transaction == request.transaction()
    assert operator.head.get_account(ALICE.index).order_slot(OrderId(1)) == (1, CANCELLED_FILL)
    assert refused(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT) == "ORDER_WAS_CANCELLED"
    assert_consistent(operator)


def test_cancel_refusals(operator: Operator) -> None:
    place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT)
    codes = []
    for request in (cancel(ALICE, 1, signer=BOB.private_key), cancel(ALICE, 2)):
        with pytest.raises(RequestRejected) as refusal:
            operator.cancel(request, NOW)
        codes.append(refusal.value.code)
    operator.cancel(cancel(ALICE, 1), NOW)
    with pytest.raises(RequestRejected) as refusal:
        operator.cancel(cancel(ALICE, 1), NOW)
    assert codes + [refusal.value.code] == ["INVALID_SIGNATURE", Code.ORDER_NOT_FOUND, Code.ORDER_NOT_OPEN]


def test_cancel_all_closes_the_open_orders_below_its_id_once(operator: Operator) -> None:
    place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT)
    place(operator, ALICE, 2, Side.SELL, 20 * UNIT, UNIT)
    place(operator, ALICE, 3, Side.SELL, 21 * UNIT, UNIT)
    place(operator, BOB, 1, Side.SELL, 30 * UNIT, UNIT)
    cancelled = operator.cancel_all(cancel_all(ALICE, 3), NOW)
    assert [(r.key, r.reason) for r in cancelled] == [
        ((ALICE.index, 1), CloseReason.CANCEL_ALL),
        ((ALICE.index, 2), CloseReason.CANCEL_ALL),
    ]
    assert [r.key for r in operator.open_orders(ALICE.index)] == [(ALICE.index, 3)]
    assert len(operator.open_orders(BOB.index)) == 1
    assert operator.head.get_account(ALICE.index).min_order_id == 3
    assert isinstance(operator.pending[-1].transaction, CancelAll)
    for replayed in (3, 2):
        with pytest.raises(RequestRejected) as refusal:
            operator.cancel_all(cancel_all(ALICE, replayed), NOW)
        assert refusal.value.code == Code.MIN_ORDER_ID_NOT_RAISED
    with pytest.raises(RequestRejected) as refusal:
        operator.submit_order(MARKET.name, ALICE.order(2, Side.BUY, 10 * UNIT, UNIT), NOW)
    assert refusal.value.code == "ORDER_CANCELLED"
    assert_consistent(operator)


def test_withdrawal_is_limited_to_what_locks_leave(operator: Operator) -> None:
    place(operator, ALICE, 1, Side.SELL, 10 * UNIT, 600 * UNIT)
    with pytest.raises(RequestRejected) as refusal:
        operator.withdraw(ALICE.withdraw(TokenId(BASE), 500 * UNIT, 0), Timestamp(NOW))
    assert refusal.value.code == "INSUFFICIENT_BALANCE"
    record = operator.withdraw(ALICE.withdraw(TokenId(BASE), 400 * UNIT, 0), Timestamp(NOW))
    assert record.batch is None and operator.available(ALICE.index, BASE) == 0
    with pytest.raises(RequestRejected) as refusal:
        operator.withdraw(ALICE.withdraw(TokenId(QUOTE), UNIT, 0), Timestamp(NOW))
    assert refusal.value.code == "INVALID_NONCE"


def test_l1_requests_come_in_queue_order(operator: Operator) -> None:
    with pytest.raises(RequestRejected) as refusal:
        operator.add_l1_request(operator.l1_seen + 1, ALICE.deposit(BASE, UNIT, creates=False), Timestamp(NOW))
    assert refusal.value.code == Code.L1_REQUEST_OUT_OF_ORDER


def test_forced_cancel_all_closes_orders_below_the_new_minimum(operator: Operator) -> None:
    place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT)
    place(operator, ALICE, 12, Side.BUY, 11 * UNIT, UNIT)
    request = ForcedCancelAll(AccountIndex(ALICE.index), EthAddress(ALICE.eth_addr), OrderId(10))
    operator.add_l1_request(operator.l1_seen, request, Timestamp(NOW))
    first = operator.orders[(ALICE.index, 1)]
    assert (first.status, first.reason) == (OrderStatus.CANCELLED, CloseReason.FORCED_CANCEL_ALL)
    assert operator.orders[(ALICE.index, 12)].status is OrderStatus.OPEN
    assert refused(operator, ALICE, 5, Side.BUY, 9 * UNIT, UNIT) == "ORDER_CANCELLED"
    assert_consistent(operator)


def test_forced_withdrawal_closes_orders_it_leaves_uncovered(operator: Operator) -> None:
    place(operator, ALICE, 1, Side.SELL, 10 * UNIT, UNIT)
    place(operator, ALICE, 2, Side.BUY, 9 * UNIT, UNIT)
    request = ForcedWithdraw(AccountIndex(ALICE.index), EthAddress(ALICE.eth_addr), TokenId(BASE))
    operator.add_l1_request(operator.l1_seen, request, Timestamp(NOW))
    sell, buy = operator.orders[(ALICE.index, 1)], operator.orders[(ALICE.index, 2)]
    assert (sell.status, sell.reason) == (OrderStatus.CANCELLED, CloseReason.FORCED_WITHDRAWAL)
    assert buy.status is OrderStatus.OPEN  # it locks quote, which the withdrawal left alone
    assert operator.head.get_account(ALICE.index).balance(BASE) == 0
    assert_consistent(operator)


def test_withdrawals_of_nothing_or_dust_are_refused(operator: Operator) -> None:
    """Each withdrawal costs the operator a batch slot and L1 gas: none of zero, none below the minimum."""
    minimum = operator.min_withdrawals[TokenId(BASE)]
    assert minimum == MARKET.min_amount
    for amount in (0, 1, minimum - 1):
        with pytest.raises(RequestRejected) as refusal:
            operator.withdraw(ALICE.withdraw(TokenId(BASE), amount, 0), Timestamp(NOW))
        assert refusal.value.code == "BELOW_MIN_WITHDRAWAL"
    assert operator.withdrawals == []
    operator.withdraw(ALICE.withdraw(TokenId(BASE), minimum, 0), Timestamp(NOW))


def test_a_balance_below_the_minimum_can_still_be_emptied(operator: Operator) -> None:
    minimum = operator.min_withdrawals[TokenId(BASE)]
    operator.withdraw(ALICE.withdraw(TokenId(BASE), FUNDS_BASE - 1, 0), Timestamp(NOW))
    assert operator.available(ALICE.index, TokenId(BASE)) == 1 < minimum
    operator.withdraw(ALICE.withdraw(TokenId(BASE), 1, 1), Timestamp(NOW))
    assert operator.available(ALICE.index, TokenId(BASE)) == 0


def test_configured_minimum_overrides_the_markets(operator: Operator) -> None:
    configured = Operator.genesis(CONFIG, 4, [MARKET], {TokenId(QUOTE): Amount(5 * UNIT)})
    assert configured.min_withdrawals[TokenId(QUOTE)] == 5 * UNIT
    assert configured.min_withdrawals[TokenId(BASE)] == MARKET.min_amount


def suggested(operator: Operator, trader: Trader) -> OrderId | None:
    """The order id the sequencer suggests to ``trader`` (the account document's ``next_order_id``)."""
    return next_order_id(operator.registry, operator.head.get_account(trader.index), trader.index)


def test_an_order_id_beyond_its_slots_window_is_refused(operator: Operator) -> None:
    """A fresh slot's window is [0, 2^16): a trade could not publish a larger id as a reference."""
    assert refused(operator, ALICE, 2**ORDER_REF_BITS + 1, Side.BUY, 10 * UNIT, UNIT) == "ORDER_ID_OUT_OF_WINDOW"
    place(operator, ALICE, 2**ORDER_REF_BITS - SLOTS_PER_ACCOUNT + 1, Side.BUY, 10 * UNIT, UNIT)  # slot 1's last


def test_a_cancel_all_moves_every_window_up(operator: Operator) -> None:
    operator.cancel_all(cancel_all(ALICE, 2**ORDER_REF_BITS), NOW)
    place(operator, ALICE, 2**ORDER_REF_BITS + 1, Side.BUY, 10 * UNIT, UNIT)
    assert suggested(operator, ALICE) == 2**ORDER_REF_BITS + 2


def test_next_order_id_rises_through_free_slots(operator: Operator) -> None:
    assert suggested(operator, ALICE) == 1
    place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT)
    assert suggested(operator, ALICE) == 2
    place(operator, ALICE, 3, Side.BUY, 10 * UNIT, UNIT)
    place(operator, ALICE, 2 + SLOTS_PER_ACCOUNT, Side.BUY, 10 * UNIT, UNIT)  # the highest id, in slot 2
    assert suggested(operator, ALICE) == 4  # slot 3 holds order 3; slot 4's ids start at 4
    for order_id in range(4, 4 + SLOTS_PER_ACCOUNT):
        if operator.registry.slot_owner(ALICE.index, order_id % SLOTS_PER_ACCOUNT) is None:
            place(operator, ALICE, order_id, Side.BUY, UNIT, UNIT)
    assert suggested(operator, ALICE) is None  # every slot holds an open order


def test_next_order_id_skips_a_slot_whose_window_is_used_up() -> None:
    state = State.genesis(CONFIG)
    registry = OrderRegistry()
    index = AccountIndex(1)
    registry.last_order_ids[(index, 1)] = OrderId(2**ORDER_REF_BITS - SLOTS_PER_ACCOUNT + 1)  # slot 1's last id
    registry.highest_order_ids[index] = OrderId(2**ORDER_REF_BITS)  # in slot 0: slot 1 is tried first
    assert next_order_id(registry, state.get_account(index), index) == 2
