"""Public data: the bit layout of DESIGN.md's table, decoding, and the hashes."""

import random
from dataclasses import replace

import pytest

from sequencer.crypto.poseidon import poseidon
from sequencer.spec.constants import Side
from sequencer.spec.public_data import (
    DepositData,
    ForcedCancelAllData,
    ForcedWithdrawData,
    NoopData,
    SlotData,
    TradeData,
    WithdrawData,
    advance_chain,
    chain_step,
    data_hash,
    decode_slot,
    encode_slot,
    l1_request_hash,
    public_input_hash,
    slot_elements,
)
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop, Transaction
from sequencer.spec.types import (
    AccountIndex,
    Amount,
    EthAddress,
    FieldElement,
    OrderId,
    Timestamp,
    TokenId,
)
from tests.spec.builders import (
    ALICE,
    BASE,
    BOB,
    CAROL,
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


def test_trade_layout(state: State) -> None:
    maker = order(ALICE, 5, Side.SELL, price(2), 100)
    taker = order(BOB, 6, Side.BUY, price(2), 100)
    tx = trade(maker, taker, 100, maker_fee=3, taker_fee=1)
    e0, e1, e2 = slot_elements(tx, state)
    assert e0 == (
        2 | ALICE << 3 | BOB << 35 | 5 << 67 | 6 << 115 | 1 << 163 | BASE << 164 | QUOTE << 180
    )
    assert e1 == 100 | 200 << 96
    assert e2 == 3 | 1 << 96


def test_withdraw_layout_publishes_the_accounts_address(state: State) -> None:
    e0, e1, e2 = slot_elements(withdraw(BOB, QUOTE, 42, nonce=0), state)
    assert e0 == 3 | BOB << 3 | QUOTE << 164
    assert e1 == 42
    assert e2 == int(eth_address(BOB))


def test_deposit_layout_publishes_only_type_and_account(state: State) -> None:
    assert slot_elements(deposit(CAROL, QUOTE, 9), state) == (1 | CAROL << 3, 0, 0)


def test_forced_withdraw_layout_publishes_the_whole_balance_and_the_sender(state: State) -> None:
    e0, e1, e2 = slot_elements(forced_withdraw(BOB, QUOTE), state)
    assert e0 == 4 | BOB << 3 | QUOTE << 164
    assert e1 == 10000
    assert e2 == int(eth_address(BOB))


def test_forced_withdraw_that_does_not_apply_publishes_zero(state: State) -> None:
    wrong_owner = replace(forced_withdraw(BOB, QUOTE), eth_addr=eth_address(ALICE))
    assert slot_elements(wrong_owner, state) == (4 | BOB << 3 | QUOTE << 164, 0, int(eth_address(ALICE)))
    assert slot_elements(forced_withdraw(CAROL, BASE), state) == (4 | CAROL << 3, 0, int(eth_address(CAROL)))


def test_forced_cancel_all_layout_publishes_only_type_and_account(state: State) -> None:
    assert slot_elements(forced_cancel_all(ALICE, 7), state) == (5 | ALICE << 3, 0, 0)


def test_noop_layout_is_zero(state: State) -> None:
    assert slot_elements(Noop(), state) == (0, 0, 0)


def random_slot(rng: random.Random) -> SlotData:
    """Slot data with every field drawn over its whole published width."""
    kind = rng.randrange(6)
    if kind == 0:
        return NoopData()
    if kind == 1:
        return DepositData(AccountIndex(rng.getrandbits(32)))
    if kind == 2:
        return TradeData(
            maker_account=AccountIndex(rng.getrandbits(32)),
            taker_account=AccountIndex(rng.getrandbits(32)),
            maker_order_id=OrderId(rng.getrandbits(48)),
            taker_order_id=OrderId(rng.getrandbits(48)),
            maker_side=Side(rng.getrandbits(1)),
            base_token=TokenId(rng.getrandbits(16)),
            quote_token=TokenId(rng.getrandbits(16)),
            fill_base=Amount(rng.getrandbits(96)),
            fill_quote=Amount(rng.getrandbits(96)),
            maker_fee=Amount(rng.getrandbits(96)),
            taker_fee=Amount(rng.getrandbits(96)),
        )
    if kind == 3:
        return ForcedCancelAllData(AccountIndex(rng.getrandbits(32)))
    withdrawal = WithdrawData if kind == 4 else ForcedWithdrawData
    return withdrawal(
        account_index=AccountIndex(rng.getrandbits(32)),
        token=TokenId(rng.getrandbits(16)),
        amount=Amount(rng.getrandbits(96)),
        eth_addr=EthAddress(rng.getrandbits(160)),
    )


def test_pack_then_decode_round_trip() -> None:
    rng = random.Random(20240601)
    for _ in range(500):
        data = random_slot(rng)
        assert decode_slot(*encode_slot(data)) == data


def test_round_trip_at_the_largest_values() -> None:
    top = TradeData(
        maker_account=AccountIndex(2**32 - 1),
        taker_account=AccountIndex(2**32 - 1),
        maker_order_id=OrderId(2**48 - 1),
        taker_order_id=OrderId(2**48 - 1),
        maker_side=Side.SELL,
        base_token=TokenId(2**16 - 1),
        quote_token=TokenId(2**16 - 1),
        fill_base=Amount(2**96 - 1),
        fill_quote=Amount(2**96 - 1),
        maker_fee=Amount(2**96 - 1),
        taker_fee=Amount(2**96 - 1),
    )
    elements = encode_slot(top)
    assert elements == (2 | (2**196 - 8), 2**192 - 1, 2**192 - 1)
    assert decode_slot(*elements) == top


def test_round_trip_of_a_real_batch(state: State) -> None:
    txs: list[Transaction] = [
        deposit(CAROL, BASE, 1),
        trade(order(ALICE, 1, Side.SELL, price(2), 9), order(BOB, 2, Side.BUY, price(2), 9), 9),
        withdraw(ALICE, QUOTE, 8, nonce=0),
        Noop(),
        forced_withdraw(BOB, BASE),
        forced_cancel_all(BOB, 3),
    ]
    decoded = [decode_slot(*slot_elements(tx, state)) for tx in txs]
    assert decoded[0] == DepositData(AccountIndex(CAROL))
    assert isinstance(decoded[1], TradeData) and decoded[1].fill_quote == 18
    assert decoded[2] == WithdrawData(AccountIndex(ALICE), QUOTE, Amount(8), eth_address(ALICE))
    assert decoded[3] == NoopData()
    assert decoded[4] == ForcedWithdrawData(AccountIndex(BOB), BASE, Amount(1000), eth_address(BOB))
    assert decoded[5] == ForcedCancelAllData(AccountIndex(BOB))


@pytest.mark.parametrize(
    "elements",
    [
        (6, 0, 0),  # unknown type
        (7, 0, 0),
        (0, 1, 0),  # a noop with data
        (1 | 1 << 35, 0, 0),  # a deposit with a second account
        (1, 0, 5),
        (3, 0, 1 << 160),  # a withdrawal's address beyond 160 bits
        (3 | 1 << 67, 0, 0),  # a withdrawal with an order id
        (4 | 1 << 180, 0, 0),  # a forced withdrawal with a second token
        (5 | 1 << 164, 0, 0),  # a forced cancel-all with a token
        (5, 1, 0),
        (2 | 1 << 196, 0, 0),  # a trade with a bit above its fields
        (2, 1 << 192, 0),
    ],
)
def test_decode_refuses_non_canonical_slots(elements: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        decode_slot(*elements)


def test_data_hash_chains_every_slot() -> None:
    slots = [
        (FieldElement(1), FieldElement(2), FieldElement(3)),
        (FieldElement(4), FieldElement(0), FieldElement(0)),
    ]
    first = poseidon([0, 1, 2, 3])
    assert data_hash([]) == 0
    assert data_hash(slots[:1]) == first
    assert data_hash(slots) == poseidon([first, 4, 0, 0])


def test_l1_request_hash() -> None:
    tx = deposit(CAROL, QUOTE, 9)
    expected = poseidon([1, CAROL, tx.eth_addr, tx.ax, tx.ay, QUOTE, 9])
    assert l1_request_hash(tx) == expected


def test_forced_request_hashes_zero_the_fields_they_lack() -> None:
    withdrawal, cancel = forced_withdraw(BOB, QUOTE), forced_cancel_all(BOB, 77)
    assert l1_request_hash(withdrawal) == poseidon([4, BOB, eth_address(BOB), 0, 0, QUOTE, 0])
    assert l1_request_hash(cancel) == poseidon([5, BOB, eth_address(BOB), 0, 0, 0, 77])


def test_chain_folds_the_deposits_of_a_batch_in_order(state: State) -> None:
    first, second = deposit(CAROL, QUOTE, 9), deposit(ALICE, BASE, 1)
    start = FieldElement(123)
    expected = chain_step(chain_step(start, l1_request_hash(first)), l1_request_hash(second))
    assert chain_step(start, l1_request_hash(first)) == poseidon([123, l1_request_hash(first)])
    assert advance_chain(start, [first, Noop(), withdraw(ALICE, BASE, 1, 0), second]) == expected
    assert advance_chain(start, [Noop()]) == start


def test_chain_folds_forced_requests_like_deposits() -> None:
    requests = [forced_withdraw(BOB, QUOTE), deposit(CAROL, BASE, 1), forced_cancel_all(ALICE, 2)]
    expected = FieldElement(0)
    for request in requests:
        expected = chain_step(expected, l1_request_hash(request))
    assert advance_chain(FieldElement(0), requests) == expected


def test_public_input_hash() -> None:
    values = [FieldElement(v) for v in (11, 12, 13, 14, 15)]
    old_root, new_root, chain_start, chain_end, digest = values
    result = public_input_hash(old_root, new_root, Timestamp(99), chain_start, chain_end, digest)
    assert result == poseidon([11, 12, 99, 13, 14, 15])
