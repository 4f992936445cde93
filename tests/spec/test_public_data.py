"""Public data: the byte layout of the manifest (DESIGN.md's table), decoding, and the hashes."""

import hashlib
import importlib.util
import json
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon
from sequencer.spec.perpetual.constants import PerpTxType
from sequencer.spec.constants import (
    AMOUNT_BITS,
    MAX_ACCOUNT_DEPTH,
    MAX_BALANCE_DEPTH,
    ORDER_ID_BITS,
    ORDER_REF_BITS,
    TRADE_FEE_BPS_BITS,
    Side,
    TxType,
)
from sequencer.spec.decimal import DECIMAL_BITS, MANTISSA_LIMIT, pack_decimal, unpack_decimal
from sequencer.spec.public_data import (
    LAYOUT,
    BitField,
    CancelData,
    LAYOUT_FILE,
    SLOT_BYTES,
    TX_TYPE,
    DepositData,
    Layout,
    ForcedCancelAllData,
    ForcedWithdrawData,
    NoopData,
    SlotData,
    TradeData,
    WithdrawData,
    advance_chain,
    chain_step,
    decode_slot,
    encode_slot,
    l1_request_hash,
    public_input_hash,
    slot_bytes,
    split_slots,
)
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop, Transaction
from sequencer.spec.transition import resolve_order_id
from sequencer.spec.types import (
    AccountIndex,
    Amount,
    FieldElement,
    OrderId,
    Price,
    Timestamp,
    TokenId,
)
from tests.vectors.generate_public_data import PUBLIC_DATA_PATH, build_public_data_vectors
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


def be(value: int, width: int) -> bytes:
    """``value`` as ``width`` big-endian bytes."""
    return value.to_bytes(width, "big")


def bits(*fields: tuple[int, int]) -> bytes:
    """A slot holding ``(value, width in bits)`` one after the other from its first bit, then zeros."""
    whole, used = 0, 0
    for value, width in fields:
        assert 0 <= value < 1 << width
        whole, used = whole << width | value, used + width
    return (whole << (8 * SLOT_BYTES - used)).to_bytes(SLOT_BYTES, "big")


def test_trade_layout(state: State) -> None:
    maker = order(ALICE, 5, Side.SELL, price(2), 100)
    taker = order(BOB, 6, Side.BUY, price(2), 100)
    tx = trade(maker, taker, 100, maker_fee_bps=30, taker_fee_bps=12)
    two = 2 * 10**18 // 10**8 * 10**8  # price(2) = 2 * 10^18: mantissa 2 * 10^10 needs exponent 8
    assert two == 2 * 10**18
    assert slot_bytes(tx, state) == bits(
        (2, 4), (Side.SELL, 1), (0, 3), (ALICE, 24), (BOB, 24), (5, 16), (6, 16), (BASE, 4), (QUOTE, 4),
        (100, 40), (8 * MANTISSA_LIMIT + 2 * 10**10, 40), (30, 8), (12, 8),
    )  # fmt: skip


def test_a_trade_publishes_order_references_the_state_resolves(state: State) -> None:
    """An order id's low ORDER_REF_BITS bits: the slot's window gives the id back."""
    order_id = 3 * 2**ORDER_REF_BITS + 5
    state.set_min_order_id(AccountIndex(ALICE), OrderId(3 * 2**ORDER_REF_BITS))
    account = state.get_account(AccountIndex(ALICE))
    tx = trade(order(ALICE, order_id, Side.SELL, price(2), 100), order(BOB, 6, Side.BUY, price(2), 100), 100)
    data = decode_slot(slot_bytes(tx, state))
    assert isinstance(data, TradeData) and data.maker_order_ref == 5 and data.taker_order_ref == 6
    assert resolve_order_id(account, data.maker_order_ref) == order_id
    assert resolve_order_id(state.get_account(AccountIndex(BOB)), data.taker_order_ref) == 6


def test_withdraw_layout_publishes_account_token_and_amount(state: State) -> None:
    """No L1 address: the contract pays the account's registered one."""
    assert slot_bytes(withdraw(BOB, QUOTE, 42, nonce=0), state) == bits(
        (3, 4), (0, 4), (BOB, 24), (0, 56), (QUOTE, 4), (0, 4), (42, 96)
    )


def test_deposit_layout_publishes_only_type_and_account(state: State) -> None:
    assert slot_bytes(deposit(CAROL, QUOTE, 9), state) == bits((1, 4), (0, 4), (CAROL, 24))


def test_forced_withdraw_layout_publishes_the_whole_balance_and_the_sender(state: State) -> None:
    data = decode_slot(slot_bytes(forced_withdraw(BOB, QUOTE), state))
    assert data == ForcedWithdrawData(AccountIndex(BOB), QUOTE, Amount(10000))


def test_forced_withdraw_that_does_not_apply_publishes_zero(state: State) -> None:
    wrong_owner = replace(forced_withdraw(BOB, QUOTE), eth_addr=eth_address(ALICE))
    assert decode_slot(slot_bytes(wrong_owner, state)) == ForcedWithdrawData(AccountIndex(BOB), QUOTE, Amount(0))
    assert decode_slot(slot_bytes(forced_withdraw(CAROL, BASE), state)) == ForcedWithdrawData(
        AccountIndex(CAROL), BASE, Amount(0)
    )


def test_forced_cancel_all_layout_publishes_only_type_and_account(state: State) -> None:
    assert slot_bytes(forced_cancel_all(ALICE, 7), state) == bits((5, 4), (0, 4), (ALICE, 24))


def test_noop_layout_is_zero(state: State) -> None:
    assert slot_bytes(Noop(), state) == bytes(SLOT_BYTES)


def test_every_field_holds_the_protocol_range_it_publishes() -> None:
    widths = {name: field.bits for name, field in LAYOUT.fields.items()}
    assert widths["accountA"] == widths["accountB"] == MAX_ACCOUNT_DEPTH
    assert widths["token1"] == widths["token2"] == MAX_BALANCE_DEPTH
    assert widths["orderRefA"] == widths["orderRefB"] == ORDER_REF_BITS
    assert widths["orderIdA"] == ORDER_ID_BITS
    assert widths["sideA"] == 1
    assert widths["amount"] == AMOUNT_BITS
    assert widths["fillBase"] == widths["price"] == DECIMAL_BITS
    assert LAYOUT.fields["fillBase"].decimal and LAYOUT.fields["price"].decimal
    assert widths["feeBpsA"] == widths["feeBpsB"] == TRADE_FEE_BPS_BITS
    assert 2 ** widths["txType"] > max(TxType)


def test_a_trade_fits_24_bytes_and_wastes_no_byte() -> None:
    used = sum(field.bits for field in LAYOUT.type_fields[TxType.TRADE])
    assert SLOT_BYTES <= 24 and 8 * SLOT_BYTES - 8 < used <= 8 * SLOT_BYTES


def test_the_manifest_refuses_overlapping_fields(tmp_path: Path) -> None:
    manifest = json.loads(LAYOUT_FILE.read_text())
    manifest["txTypes"]["DEPOSIT"] = ["txType", "accountA", "accountB", "fillBase", "amount"]
    bad = tmp_path / "layout.json"
    bad.write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="overlap"):
        Layout.load(bad)


def test_the_manifest_refuses_a_decimal_field_of_another_width(tmp_path: Path) -> None:
    manifest = json.loads(LAYOUT_FILE.read_text())
    manifest["fields"]["feeBpsA"]["decimal"] = True
    bad = tmp_path / "layout.json"
    bad.write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="decimal field feeBpsA"):
        Layout.load(bad)


def random_decimal(rng: random.Random) -> int:
    """A decimal float over its mantissa's and exponent's whole widths."""
    return rng.randrange(MANTISSA_LIMIT) * 10 ** rng.randrange(32)


def random_slot(rng: random.Random) -> SlotData:
    """Slot data with every field drawn over its whole published width."""
    kind = rng.randrange(7)
    if kind == 0:
        return NoopData()
    if kind == 1:
        return DepositData(AccountIndex(rng.getrandbits(24)))
    if kind == 2:
        return TradeData(
            maker_account=AccountIndex(rng.getrandbits(24)),
            taker_account=AccountIndex(rng.getrandbits(24)),
            maker_order_ref=rng.getrandbits(ORDER_REF_BITS),
            taker_order_ref=rng.getrandbits(ORDER_REF_BITS),
            maker_side=Side(rng.getrandbits(1)),
            base_token=TokenId(rng.getrandbits(4)),
            quote_token=TokenId(rng.getrandbits(4)),
            fill_base=Amount(random_decimal(rng)),
            price=Price(random_decimal(rng)),
            maker_fee_bps=rng.getrandbits(8),
            taker_fee_bps=rng.getrandbits(8),
        )
    if kind == 3:
        return ForcedCancelAllData(AccountIndex(rng.getrandbits(24)))
    if kind == 6:
        return CancelData(AccountIndex(rng.getrandbits(24)), OrderId(rng.getrandbits(48)))
    withdrawal = WithdrawData if kind == 4 else ForcedWithdrawData
    return withdrawal(
        account_index=AccountIndex(rng.getrandbits(24)),
        token=TokenId(rng.getrandbits(4)),
        amount=Amount(rng.getrandbits(96)),
    )


def test_pack_then_decode_round_trip() -> None:
    rng = random.Random(20240601)
    for _ in range(500):
        data = random_slot(rng)
        assert decode_slot(encode_slot(data)) == data


def test_round_trip_at_the_largest_values() -> None:
    top = TradeData(
        maker_account=AccountIndex(2**24 - 1),
        taker_account=AccountIndex(2**24 - 1),
        maker_order_ref=2**ORDER_REF_BITS - 1,
        taker_order_ref=2**ORDER_REF_BITS - 1,
        maker_side=Side.SELL,
        base_token=TokenId(2**4 - 1),
        quote_token=TokenId(2**4 - 1),
        fill_base=Amount((MANTISSA_LIMIT - 1) * 10**31),
        price=Price((MANTISSA_LIMIT - 1) * 10**31),
        maker_fee_bps=255,
        taker_fee_bps=255,
    )
    slot = encode_slot(top)
    assert slot == bytes([0b0010_1000]) + b"\xff" * (SLOT_BYTES - 1)  # trade, sell, three zero bits
    assert decode_slot(slot) == top


def test_a_fill_or_price_without_a_decimal_form_is_not_encoded() -> None:
    trade_data = random_slot(random.Random(7))
    assert isinstance(trade_data, TradeData)
    with pytest.raises(ValueError, match="decimal float"):
        encode_slot(replace(trade_data, fill_base=Amount(MANTISSA_LIMIT + 1)))
    with pytest.raises(ValueError, match="decimal float"):
        encode_slot(replace(trade_data, price=Price(10**18 + 1)))


def test_encode_refuses_a_value_wider_than_its_field() -> None:
    with pytest.raises(ValueError, match="accountA"):
        encode_slot(DepositData(AccountIndex(2**24)))


def test_round_trip_of_a_real_batch(state: State) -> None:
    txs: list[Transaction] = [
        deposit(CAROL, BASE, 1),
        trade(order(ALICE, 1, Side.SELL, price(2), 9), order(BOB, 2, Side.BUY, price(2), 9), 9),
        withdraw(ALICE, QUOTE, 8, nonce=0),
        Noop(),
        forced_withdraw(BOB, BASE),
        forced_cancel_all(BOB, 3),
    ]
    decoded = [decode_slot(slot_bytes(tx, state)) for tx in txs]
    assert decoded[0] == DepositData(AccountIndex(CAROL))
    assert isinstance(decoded[1], TradeData) and decoded[1].fill_quote == 18
    assert decoded[2] == WithdrawData(AccountIndex(ALICE), QUOTE, Amount(8))
    assert decoded[3] == NoopData()
    assert decoded[4] == ForcedWithdrawData(AccountIndex(BOB), BASE, Amount(1000))
    assert decoded[5] == ForcedCancelAllData(AccountIndex(BOB))


def with_bits(slot: bytes, offset: int, width: int, value: int) -> bytes:
    """``slot`` with the ``width`` bits from bit ``offset`` replaced by ``value``."""
    changed = bytearray(slot)
    BitField("test", offset, width).write_raw(changed, value)
    return bytes(changed)


DEPOSIT_SLOT = bits((1, 4), (0, 4), (3, 24))
WITHDRAW_SLOT = encode_slot(WithdrawData(AccountIndex(3), TokenId(1), Amount(5)))
TRADE_SLOT = encode_slot(random_slot(random.Random(7)))  # seed 7 draws a trade
CANCEL_SLOT = encode_slot(CancelData(AccountIndex(3), OrderId(9)))
LAST_BIT = 8 * SLOT_BYTES - 1


@pytest.mark.parametrize(
    "slot",
    [
        with_bits(bytes(SLOT_BYTES), 0, 4, 8),  # unknown type
        with_bits(bytes(SLOT_BYTES), 0, 4, 15),
        with_bits(bytes(SLOT_BYTES), LAST_BIT, 1, 1),  # a noop with data
        with_bits(DEPOSIT_SLOT, 55, 1, 1),  # a deposit with a second account
        with_bits(DEPOSIT_SLOT, LAST_BIT, 1, 1),
        with_bits(DEPOSIT_SLOT, 4, 1, 1),  # a deposit with a side
        with_bits(WITHDRAW_SLOT, 71, 1, 1),  # a withdrawal with an order reference
        with_bits(WITHDRAW_SLOT, 95, 1, 1),  # a withdrawal with a quote token
        with_bits(with_bits(DEPOSIT_SLOT, 0, 4, 5), 91, 1, 1),  # a cancel-all with a token
        with_bits(CANCEL_SLOT, LAST_BIT, 1, 1),  # a cancel with an amount
        with_bits(TRADE_SLOT, 5, 3, 1),  # a trade with a bit after its side
        with_bits(TRADE_SLOT, 96, 40, MANTISSA_LIMIT + 1),  # a fill of exponent 1 that fits exponent 0
        with_bits(TRADE_SLOT, 136, 40, 31 * MANTISSA_LIMIT),  # a price of 0 with exponent 31
        DEPOSIT_SLOT[:-1],  # a short slot
        DEPOSIT_SLOT + bytes(1),  # a long one
    ],
)
def test_decode_refuses_non_canonical_slots(slot: bytes) -> None:
    with pytest.raises(ValueError):
        decode_slot(slot)


def test_split_slots_refuses_a_partial_slot() -> None:
    assert split_slots(bytes(2 * SLOT_BYTES)) == [bytes(SLOT_BYTES)] * 2
    with pytest.raises(ValueError, match="whole number"):
        split_slots(bytes(SLOT_BYTES + 1))


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


def test_public_input_hash_is_the_low_bits_of_sha256_over_the_header_and_the_data() -> None:
    data = bytes(range(SLOT_BYTES)) + bytes(SLOT_BYTES)
    values = [FieldElement(v) for v in (11, 12, 13, FIELD_MODULUS - 1)]
    old_root, new_root, chain_start, chain_end = values
    result = public_input_hash(old_root, new_root, Timestamp(2**64 - 1), chain_start, chain_end, data)
    preimage = be(11, 32) + be(12, 32) + be(2**64 - 1, 8) + be(13, 32) + be(FIELD_MODULUS - 1, 32) + data
    assert result == int.from_bytes(hashlib.sha256(preimage).digest(), "big") % 2**253
    assert result < FIELD_MODULUS
    assert list(LAYOUT.header.values()) == [32, 32, 8, 32, 32]


def test_the_circuit_and_contract_constants_are_generated_from_the_manifest() -> None:
    """circuits/lib/public_data_layout.circom, PublicDataLayout.sol and the perpetual slot's Circom layout match their manifests."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_public_data_layout.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    spec = importlib.util.spec_from_file_location("gen_public_data_layout", script)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.TX_TYPE_CODES == {tx_type.name: int(tx_type) for tx_type in TxType}
    assert generator.PERP_TX_TYPE_CODES == {tx_type.name: int(tx_type) for tx_type in PerpTxType}


PUBLIC_DATA_VECTORS: dict[str, Any] = json.loads(PUBLIC_DATA_PATH.read_text())


def test_committed_public_data_vectors_equal_a_fresh_generation() -> None:
    """Run ``PYTHONPATH=. .venv/bin/python -m tests.vectors.generate_public_data`` if this fails."""
    assert build_public_data_vectors() == PUBLIC_DATA_VECTORS


@pytest.mark.parametrize("vector", PUBLIC_DATA_VECTORS["slots"], ids=lambda v: v["name"])
def test_slot_vector_decodes_and_encodes_back(vector: dict[str, Any]) -> None:
    slot = bytes.fromhex(vector["data"][2:])
    assert len(slot) == PUBLIC_DATA_VECTORS["slotBytes"] == SLOT_BYTES
    assert encode_slot(decode_slot(slot)) == slot
    assert TX_TYPE.read(slot) == vector["txType"]


@pytest.mark.parametrize("vector", PUBLIC_DATA_VECTORS["batches"], ids=lambda v: v["name"])
def test_batch_vector_public_input(vector: dict[str, Any]) -> None:
    data = bytes.fromhex(vector["data"][2:])
    slots = split_slots(data)
    assert len(slots) == vector["nTx"]
    for slot in slots:
        decode_slot(slot)
    header = [FieldElement(int(vector[name], 16)) for name in ("oldRoot", "newRoot", "l1ChainStart", "l1ChainEnd")]
    timestamp = Timestamp(int(vector["timestamp"], 16))
    public_input = public_input_hash(header[0], header[1], timestamp, header[2], header[3], data)
    assert public_input == int(vector["publicInputHash"], 16)


def test_the_trade_slot_of_the_refusal_cases_is_a_trade() -> None:
    assert isinstance(decode_slot(TRADE_SLOT), TradeData)


@pytest.mark.parametrize("vector", PUBLIC_DATA_VECTORS["decimals"]["values"], ids=lambda v: v["value"])
def test_decimal_vector_packs_and_unpacks(vector: dict[str, str]) -> None:
    value, packed = int(vector["value"]), int(vector["packed"])
    assert pack_decimal(value) == packed
    assert unpack_decimal(packed) == value


@pytest.mark.parametrize("value", PUBLIC_DATA_VECTORS["decimals"]["notEncodable"])
def test_decimal_vector_without_a_form_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not a decimal float"):
        pack_decimal(int(value))


def test_every_decimal_form_is_canonical_and_exact() -> None:
    """Packing is exact and unique: unpacking a canonical form gives the value back, any other form is refused."""
    rng = random.Random(11)
    for _ in range(2000):
        packed = rng.getrandbits(DECIMAL_BITS)
        try:
            value = unpack_decimal(packed)
        except ValueError:
            exponent, mantissa = divmod(packed, MANTISSA_LIMIT)
            assert exponent > 0 and 10 * mantissa < MANTISSA_LIMIT
            continue
        assert pack_decimal(value) == packed
