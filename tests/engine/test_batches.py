"""Sealing and building batches: timestamps, fees, order, and agreement with the head state."""

from sequencer.engine.operator import Operator
from sequencer.engine.records import BatchContents
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.transactions import Deposit, ForcedWithdraw, Trade, Withdraw
from sequencer.spec.types import Timestamp, TokenId
from tests.engine.exchange import ALICE, BOB, FEE_ACCOUNT, SLOTS, funded_operator, funding
from tests.engine.helpers import place
from tests.support.scenario import BASE, NOW, QUOTE, UNIT


def build_all(operator: Operator) -> None:
    """Build every sealed batch (the spec and the witness builder accept them, or this raises)."""
    while operator.build_next() is not None:
        pass


def test_full_batches_seal_in_order_and_build_to_the_head_state(operator: Operator) -> None:
    for order_id in range(1, 6):
        place(operator, BOB, order_id, Side.SELL, (10 + order_id) * UNIT, UNIT)
    place(operator, ALICE, 1, Side.BUY, 20 * UNIT, 5 * UNIT, now=NOW + 1)
    while operator.seal(Timestamp(NOW + 2)) is not None:
        pass
    assert [b.number for b in operator.batches] == list(range(1, len(operator.batches) + 1))
    assert all(len(b.transactions) <= SLOTS for b in operator.batches)
    build_all(operator)
    assert operator.sealed.root == operator.head.root


def test_batch_timestamp_is_its_first_transactions_time() -> None:
    operator = funded_operator(slots=2)
    deposits = operator.seal(Timestamp(NOW + 50))
    assert deposits is not None and deposits.timestamp == NOW and deposits.sealed_at == NOW + 50
    while operator.seal(Timestamp(NOW + 50)) is not None:
        pass
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT, now=NOW + 60)
    place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT, now=NOW + 70)
    batch = operator.seal(Timestamp(NOW + 80))
    assert batch is not None and batch.timestamp == NOW + 70
    timestamps = [b.timestamp for b in operator.batches]
    assert timestamps == sorted(timestamps)


def test_a_trade_stays_provable_after_its_orders_expire(operator: Operator) -> None:
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT, expiry=NOW + 5)
    place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT, now=NOW + 5, expiry=NOW + 5)
    while operator.seal(Timestamp(NOW + 1000)) is not None:
        pass
    build_all(operator)  # the trade's batch is dated at or before NOW + 5
    assert operator.sealed.root == operator.head.root


def test_sealing_credits_the_batch_fees_to_the_fee_account() -> None:
    operator = funded_operator(slots=1)
    while operator.seal(Timestamp(NOW)) is not None:
        pass
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    fill = place(operator, ALICE, 1, Side.BUY, 10 * UNIT, UNIT).trades[0].fill
    fee_account = operator.head.get_account(FEE_ACCOUNT.index)
    assert (fee_account.balance(BASE), fee_account.balance(QUOTE)) == (0, 0)
    batch = operator.seal(Timestamp(NOW))
    assert batch is not None and isinstance(batch.transactions[0], Trade)
    assert dict(batch.fees) == {BASE: fill.taker_fee, QUOTE: fill.maker_fee}
    fee_account = operator.head.get_account(FEE_ACCOUNT.index)
    assert (fee_account.balance(BASE), fee_account.balance(QUOTE)) == (fill.taker_fee, fill.maker_fee)
    build_all(operator)
    assert operator.sealed.root == operator.head.root


def test_seal_due_when_full_or_waited_long_enough() -> None:
    operator = funded_operator(slots=100)
    assert not operator.seal_due(Timestamp(NOW + 4), max_wait=5)
    assert operator.seal_due(Timestamp(NOW + 5), max_wait=5)
    assert funded_operator(slots=2).seal_due(Timestamp(NOW), max_wait=5)
    operator.seal(Timestamp(NOW))
    assert not operator.seal_due(Timestamp(NOW + 100), max_wait=5)


def test_seal_due_at_once_for_a_forced_request() -> None:
    operator = funded_operator(slots=100)
    operator.seal(Timestamp(NOW))
    request = ForcedWithdraw(ALICE.index, ALICE.eth_addr, TokenId(BASE))
    operator.add_l1_request(len(funding()), request, Timestamp(NOW))
    assert operator.seal_due(Timestamp(NOW), max_wait=3600)


def test_withdrawals_learn_their_batch(operator: Operator) -> None:
    record = operator.withdraw(ALICE.withdraw(TokenId(BASE), UNIT, 0), Timestamp(NOW))
    while operator.seal(Timestamp(NOW)) is not None:
        pass
    assert record.batch == len(operator.batches)
    assert isinstance(operator.batches[-1].transactions[-1], Withdraw)


def test_cut_batch_seals_and_builds_one_batch_at_a_time(operator: Operator) -> None:
    first = operator.cut_batch(Timestamp(NOW))
    assert first is not None and all(isinstance(tx, Deposit) for tx in first.transactions)
    assert first.l1_count == SLOTS
    while operator.cut_batch(Timestamp(NOW)) is not None:
        pass
    assert operator.built == len(operator.batches) and operator.sealed.root == operator.head.root
    assert operator.cut_batch(Timestamp(NOW)) is None


def test_a_built_batch_keeps_its_contents_not_its_transactions(operator: Operator) -> None:
    """The state does not grow with the log: a batch whose circuit input is built drops its transactions."""
    sealed = operator.seal(Timestamp(NOW))
    assert sealed is not None and sealed.transactions is not None
    assert sealed.contents == BatchContents(SLOTS, 0, SLOTS, 0)
    built = operator.build_next()
    assert built is not None and tuple(built.transactions) == sealed.transactions
    kept = operator.batches[0]
    assert kept.transactions is None
    assert (kept.number, kept.timestamp, kept.fees, kept.contents) == (1, sealed.timestamp, sealed.fees, sealed.contents)


def test_an_immediate_orders_fills_are_never_split_between_batches() -> None:
    """A batch ends early rather than between two fills of one immediate-or-cancel taker."""
    operator = funded_operator(slots=3)
    while operator.seal(Timestamp(NOW)) is not None:
        pass
    place(operator, BOB, 1, Side.SELL, 10 * UNIT, UNIT)
    place(operator, BOB, 2, Side.SELL, 11 * UNIT, UNIT)
    place(operator, BOB, 3, Side.SELL, 12 * UNIT, UNIT)
    place(operator, BOB, 4, Side.SELL, 13 * UNIT, UNIT)
    place(operator, ALICE, 1, Side.BUY, 11 * UNIT, UNIT)  # one trade: slot 1
    outcome = place(operator, ALICE, 2, Side.BUY, 13 * UNIT, 3 * UNIT, kind=OrderKind.IOC)  # three fills
    assert len(outcome.trades) == 3 and len(operator.pending) == 4
    first = operator.seal(Timestamp(NOW + 1))
    second = operator.seal(Timestamp(NOW + 1))
    assert first is not None and second is not None
    assert [len(b.transactions or ()) for b in (first, second)] == [1, 3]
    build_all(operator)
    assert operator.sealed.root == operator.head.root


def test_an_immediate_order_fills_at_most_a_batchs_slots() -> None:
    operator = funded_operator(slots=2)
    for order_id in range(1, 5):
        place(operator, BOB, order_id, Side.SELL, (10 + order_id) * UNIT, UNIT)
    outcome = place(operator, ALICE, 1, Side.BUY, 20 * UNIT, 4 * UNIT, kind=OrderKind.MARKET)
    assert [t.fill.base for t in outcome.trades] == [UNIT, UNIT]
    assert outcome.order.filled == 2 * UNIT
    while operator.seal(Timestamp(NOW + 1)) is not None:
        pass
    build_all(operator)
    assert operator.sealed.root == operator.head.root
