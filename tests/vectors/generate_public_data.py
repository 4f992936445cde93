"""
Shared public-data vectors: slot bytes and batch digests, for pytest, the circuit and forge.

Run from the repository root to rewrite ``tests/vectors/public_data.json``::

    PYTHONPATH=. .venv/bin/python -m tests.vectors.generate_public_data

``tests/spec/test_public_data.py`` regenerates it in memory and checks that it
equals the committed file, so the JSON always says what the spec encodes.

Format of ``public_data.json``
------------------------------

- ``slotBytes``: the bytes of one slot (the manifest's ``slotBytes``);
- ``fieldNames``: the manifest's fields, in its order;
- ``slots``: single slots, each with ``name``, ``txType`` (a number),
  ``data`` (the slot's bytes, ``0x`` hex), ``fields`` (every field of
  ``fieldNames`` read at its offset, in that order, each as a ``0x`` hex
  32-byte word: a field the type does not use reads as whatever bytes lie
  there, zero or another field's; a decimal field still packed) and
  ``withdrawal``: ``isWithdrawal``, then ``account``, ``token`` and
  ``amount`` as words (zeros unless a withdrawal);
- ``decimals``: decimal floats (``sequencer/spec/decimal.py``), each a
  ``value`` and its canonical ``packed`` form as decimal strings, and
  ``notEncodable``: values that have none;
- ``batches``: every valid batch of ``batches.json``, each with ``name``,
  ``nTx``, the header values ``oldRoot``, ``newRoot``, ``timestamp``,
  ``l1ChainStart``, ``l1ChainEnd``, ``data`` (all its slots, ``0x`` hex) and
  ``publicInputHash``, each value a ``0x`` hex word.

The circuit checks the ``batches`` through ``tests/circuit/test_circuit_vectors.py``
(the test circuit recomputes each public input and constrains it); forge
reads the whole file in ``contracts/test/PublicData.t.sol``.
"""

import json
import random
from pathlib import Path
from typing import Any

from sequencer.spec.constants import AMOUNT_BITS, PRICE_SCALE, Side, TxType
from sequencer.spec.decimal import EXPONENT_LIMIT, MANTISSA_LIMIT, is_encodable, pack_decimal
from sequencer.spec.public_data import (
    LAYOUT,
    CancelAllData,
    CancelData,
    DepositData,
    ForcedCancelAllData,
    ForcedWithdrawData,
    NoopData,
    SlotData,
    TradeData,
    WithdrawData,
    encode_slot,
    public_input_hash,
    split_slots,
)
from sequencer.spec.types import AccountIndex, Amount, FieldElement, OrderId, Price, Timestamp, TokenId
from tests.vectors.generate import VECTORS_PATH

PUBLIC_DATA_PATH = Path(__file__).with_name("public_data.json")

Json = dict[str, Any]


def word(value: int) -> str:
    """A 32-byte big-endian word, as forge's ``parseJsonBytes32`` reads it."""
    return "0x" + value.to_bytes(32, "big").hex()


def top(bits: int) -> int:
    """The largest value of a field of ``bits`` bits."""
    return 2**bits - 1


LARGEST_DECIMAL = (MANTISSA_LIMIT - 1) * 10 ** (EXPONENT_LIMIT - 1)
"""The largest value a decimal float field holds."""


def edge_slots() -> list[tuple[str, SlotData]]:
    """One slot of each type at its fields' largest values, and random ones."""
    width = {name: field.bits for name, field in LAYOUT.fields.items()}
    slots: list[tuple[str, SlotData]] = [
        ("noop", NoopData()),
        ("deposit_top", DepositData(AccountIndex(top(width["accountA"])))),
        (
            "trade_top",
            TradeData(
                maker_account=AccountIndex(top(width["accountA"])),
                taker_account=AccountIndex(top(width["accountB"])),
                maker_order_ref=top(width["orderRefA"]),
                taker_order_ref=top(width["orderRefB"]),
                maker_side=Side.SELL,
                base_token=TokenId(top(width["token1"])),
                quote_token=TokenId(top(width["token2"])),
                fill_base=Amount(LARGEST_DECIMAL),
                price=Price(LARGEST_DECIMAL),
                maker_fee_bps=top(width["feeBpsA"]),
                taker_fee_bps=top(width["feeBpsB"]),
            ),
        ),
        (
            "withdraw_top",
            WithdrawData(
                AccountIndex(top(width["accountA"])), TokenId(top(width["token1"])), Amount(top(width["amount"]))
            ),
        ),
        (
            "forced_withdraw_top",
            ForcedWithdrawData(
                AccountIndex(top(width["accountA"])), TokenId(top(width["token1"])), Amount(top(width["amount"]))
            ),
        ),
        ("forced_cancel_all_top", ForcedCancelAllData(AccountIndex(top(width["accountA"])))),
        ("cancel_top", CancelData(AccountIndex(top(width["accountA"])), OrderId(top(width["orderIdA"])))),
        ("cancel_all_top", CancelAllData(AccountIndex(top(width["accountA"])), OrderId(top(width["orderIdA"])))),
    ]
    rng = random.Random(7_000_001)
    for number in range(6):
        slots.append((f"trade_random_{number}", random_trade(rng)))
        slots.append((f"withdraw_random_{number}", random_withdrawal(rng)))
    return slots


def random_decimal(rng: random.Random) -> int:
    """A decimal float drawn over its mantissa's and exponent's whole widths."""
    return rng.randrange(MANTISSA_LIMIT) * 10 ** rng.randrange(EXPONENT_LIMIT)


def random_trade(rng: random.Random) -> TradeData:
    """A trade with every field drawn over its whole width."""
    bits = {name: field.bits for name, field in LAYOUT.fields.items()}
    return TradeData(
        maker_account=AccountIndex(rng.getrandbits(bits["accountA"])),
        taker_account=AccountIndex(rng.getrandbits(bits["accountB"])),
        maker_order_ref=rng.getrandbits(bits["orderRefA"]),
        taker_order_ref=rng.getrandbits(bits["orderRefB"]),
        maker_side=Side(rng.getrandbits(1)),
        base_token=TokenId(rng.getrandbits(bits["token1"])),
        quote_token=TokenId(rng.getrandbits(bits["token2"])),
        fill_base=Amount(random_decimal(rng)),
        price=Price(random_decimal(rng)),
        maker_fee_bps=rng.getrandbits(bits["feeBpsA"]),
        taker_fee_bps=rng.getrandbits(bits["feeBpsB"]),
    )


def random_withdrawal(rng: random.Random) -> WithdrawData | ForcedWithdrawData:
    """A withdrawal or forced withdrawal with every field drawn over its whole width."""
    bits = {name: field.bits for name, field in LAYOUT.fields.items()}
    kind = rng.choice([WithdrawData, ForcedWithdrawData])
    return kind(
        AccountIndex(rng.getrandbits(bits["accountA"])),
        TokenId(rng.getrandbits(bits["token1"])),
        Amount(rng.getrandbits(bits["amount"])),
    )


def slot_vector(name: str, data: SlotData) -> Json:
    """One slot's vector: its bytes, every field read at its offset, and its payout if any."""
    slot = encode_slot(data)
    tx_type = LAYOUT.fields["txType"].read(slot)
    withdrawal = {"isWithdrawal": False, "account": word(0), "token": word(0), "amount": word(0)}
    if isinstance(data, (WithdrawData, ForcedWithdrawData)):
        assert TxType(tx_type) in (TxType.WITHDRAW, TxType.FORCED_WITHDRAW)
        withdrawal = {
            "isWithdrawal": True,
            "account": word(data.account_index),
            "token": word(data.token),
            "amount": word(data.amount),
        }
    return {
        "name": name,
        "txType": tx_type,
        "data": "0x" + slot.hex(),
        "fields": [word(field.raw(slot)) for field in LAYOUT.fields.values()],
        "withdrawal": withdrawal,
    }


def decimal_vectors() -> Json:
    """Values and their canonical decimal floats (edges of the mantissa and exponent, prices, random), and values with none."""
    rng = random.Random(7_000_002)
    values = {
        0, 1, 10, MANTISSA_LIMIT - 1, 10 * MANTISSA_LIMIT - 10, 100 * (MANTISSA_LIMIT - 1),
        LARGEST_DECIMAL, 2 * 10**18, 2000 * PRICE_SCALE, 12_345 * 10**14, 2**AMOUNT_BITS - 2**AMOUNT_BITS % 10**20,
    }
    values |= {random_decimal(rng) for _ in range(12)}
    not_encodable = {
        MANTISSA_LIMIT, 10 * MANTISSA_LIMIT, 10**18 + 1, 2**AMOUNT_BITS - 1, MANTISSA_LIMIT * 10**EXPONENT_LIMIT
    }
    assert all(map(is_encodable, values)) and not any(map(is_encodable, not_encodable))
    return {
        "values": [{"value": str(value), "packed": str(pack_decimal(value))} for value in sorted(values)],
        "notEncodable": [str(value) for value in sorted(not_encodable)],
    }


def batch_vectors() -> list[Json]:
    """The header, public data and public input of every valid batch of ``batches.json``."""
    batches = json.loads(VECTORS_PATH.read_text())["batches"]
    found = []
    for batch in batches:
        expected = batch["expected"]
        if "slots" not in expected:
            continue
        data = b"".join(bytes.fromhex(slot) for slot in expected["slots"])
        header = {
            "oldRoot": int(batch["old_root"]),
            "newRoot": int(expected["new_root"]),
            "timestamp": int(batch["timestamp"]),
            "l1ChainStart": int(batch["chain_start"]),
            "l1ChainEnd": int(expected["chain_end"]),
        }
        public_input = public_input_hash(
            FieldElement(header["oldRoot"]),
            FieldElement(header["newRoot"]),
            Timestamp(header["timestamp"]),
            FieldElement(header["l1ChainStart"]),
            FieldElement(header["l1ChainEnd"]),
            data,
        )
        assert str(public_input) == expected["public_input_hash"]
        assert len(split_slots(data)) == batch["n_tx"]
        found.append(
            {"name": batch["name"], "nTx": batch["n_tx"]}
            | {name: word(value) for name, value in header.items()}
            | {"data": "0x" + data.hex(), "publicInputHash": word(public_input)}
        )
    return found


def build_public_data_vectors() -> Json:
    """The whole file."""
    return {
        "slotBytes": LAYOUT.slot_bytes,
        "fieldNames": list(LAYOUT.fields),
        "slots": [slot_vector(name, data) for name, data in edge_slots()],
        "decimals": decimal_vectors(),
        "batches": batch_vectors(),
    }


def main() -> None:
    PUBLIC_DATA_PATH.write_text(json.dumps(build_public_data_vectors(), indent=1) + "\n")


if __name__ == "__main__":
    main()
