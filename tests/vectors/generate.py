"""
Shared batch vectors: what the spec says each batch does, for the circuit and the contracts.

Run from the repository root to rewrite ``tests/vectors/batches.json``::

    PYTHONPATH=. .venv/bin/python -m tests.vectors.generate

``tests/spec/test_vectors.py`` regenerates the file in memory and checks that it
equals the committed one, so the JSON always says what the spec does.

Format of ``batches.json``
--------------------------

Every protocol value (an amount, a hash, a key coordinate, a timestamp) is a
decimal string, since JavaScript numbers cannot hold field elements; counts
and positions are JSON numbers. The top level holds:

- ``config``: ``account_depth``, ``balance_depth``, ``order_depth``: the tree
  depths of every batch (those of the ``test`` configuration in
  ``circuits/configs.json``);
- ``keys``: for each account the vectors use, ``account``, the
  ``private_key`` (hex; the counter ``account + 1`` as 32 bytes), and the
  public key ``ax``, ``ay``;
- ``batches``: a list of batches, each with

  - ``name`` (unique) and ``description``;
  - ``pre_state``: how to rebuild the state before the batch: ``timestamp``
    and ``txs``, applied from the genesis state as one batch (``apply_batch``).
    Its L1 requests (deposits, forced withdrawals and cancel-alls) are those
    consumed so far, so the L1 chain starts from ``0`` and folds them in order;
  - ``old_root`` and ``chain_start``: the state root and the L1 chain after
    the pre-state;
  - ``timestamp`` and ``txs``: the batch itself; ``n_tx`` is its number of
    slots (a circuit with ``nTx`` slots can run the batches with that
    ``n_tx``);
  - ``expected``, either, for a valid batch, ``new_root``, ``chain_end``,
    ``slots`` (the bytes each slot publishes, as hex),
    ``public_input_hash`` and ``withdrawals`` (``eth_addr``, ``token``,
    ``amount``, in slot order); or, for an invalid batch, ``error`` (the
    error's ``code``, see ``sequencer/spec/errors.py``) and ``slot`` (the
    first slot that fails, or ``null`` if only crediting the fees fails).

A transaction is an object with ``type`` and the fields of its dataclass in
``sequencer/spec/transactions.py``:

- ``{"type": "NOOP"}``;
- ``{"type": "DEPOSIT", "account_index", "eth_addr", "ax", "ay", "token",
  "amount", "request_hash"}``;
- ``{"type": "TRADE", "maker", "taker", "fill_base", "fill_quote",
  "maker_fee_bps", "taker_fee_bps"}``, where ``maker`` and ``taker`` are signed
  orders: ``{"order": {"account_index", "order_id", "base_token",
  "quote_token", "side", "price", "amount", "max_fee_bps", "expiry", "kind"},
  "message", "signature": {"r8x", "r8y", "s"}}``;
- ``{"type": "WITHDRAW", "account_index", "token", "amount", "nonce",
  "message", "signature": {"r8x", "r8y", "s"}}``;
- ``{"type": "FORCED_WITHDRAW", "account_index", "eth_addr", "token",
  "request_hash"}``;
- ``{"type": "FORCED_CANCEL_ALL", "account_index", "eth_addr",
  "min_order_id", "request_hash"}``;
- ``{"type": "CANCEL", "account_index", "order_id", "message",
  "signature": {"r8x", "r8y", "s"}}``;
- ``{"type": "CANCEL_ALL", "account_index", "min_order_id", "message",
  "signature": {"r8x", "r8y", "s"}}``.

``request_hash`` and ``message`` are derived values given to help other
implementations find where they differ; decoding ignores them.

The batches are a fixed list of hand-written scenarios, one per rule, and
random ones drawn from ``random.Random(SEED)``. Keys never come from a random
source.
"""

import json
import random
from dataclasses import replace
from math import gcd
from pathlib import Path
from typing import Any, Callable, Sequence

from sequencer.crypto.eddsa import Signature
from sequencer.spec.constants import (
    AMOUNT_BITS,
    PRICE_BITS,
    PRICE_SCALE,
    TRADE_FEE_BPS_BITS,
    OrderKind,
    Side,
    TreeConfig,
)
from sequencer.spec.errors import RollupError
from sequencer.spec.public_data import (
    advance_chain,
    l1_request_hash,
    public_input_hash,
    slot_bytes,
)
from sequencer.spec.state import State
from sequencer.spec.transactions import (
    Cancel,
    CancelAll,
    Deposit,
    ForcedCancelAll,
    ForcedWithdraw,
    Noop,
    Order,
    SignedOrder,
    Trade,
    Transaction,
    Withdraw,
    cancel_message,
)
from sequencer.spec.decimal import MANTISSA_LIMIT, is_encodable
from sequencer.spec.batch import apply_batch
from sequencer.spec.transition import apply_transaction
from sequencer.spec.types import (
    AccountIndex,
    Amount,
    EthAddress,
    FieldElement,
    Nonce,
    OrderId,
    Price,
    Timestamp,
    TokenId,
)
from tests.spec.builders import (
    cancel,
    cancel_all,
    deposit,
    eth_address,
    forced_cancel_all,
    forced_withdraw,
    order,
    price,
    private_key,
    public_key,
    signed,
    trade,
    withdraw,
)

CONFIG = TreeConfig(account_depth=4, balance_depth=2, order_depth=2)
"""The ``test`` configuration of ``circuits/configs.json``."""

SEED = 20_240_601
RANDOM_BATCHES = 30
VECTORS_PATH = Path(__file__).with_name("batches.json")

BASE = TokenId(0)
QUOTE = TokenId(1)
FEE, ALICE, BOB, CAROL, DAVE = 0, 1, 2, 3, 4
T0 = Timestamp(1_700_000_000)
"""The time of every hand-written batch; pre-states run a minute earlier."""
LATER = Timestamp(T0 + 3600)

Json = dict[str, Any]


# Building the vectors.


def build_vectors() -> Json:
    """The whole content of ``batches.json``."""
    batches = [scenario() for scenario in SCENARIOS]
    rng = random.Random(SEED)
    batches += [random_batch(rng, number) for number in range(RANDOM_BATCHES)]
    accounts = sorted({account for batch in batches for account in accounts_in(batch)})
    return {
        "config": {
            "account_depth": CONFIG.account_depth,
            "balance_depth": CONFIG.balance_depth,
            "order_depth": CONFIG.order_depth,
        },
        "keys": [encode_key(account) for account in accounts],
        "batches": batches,
    }


def vector(
    name: str,
    description: str,
    pre_state: Sequence[Transaction],
    txs: Sequence[Transaction],
    timestamp: Timestamp = T0,
) -> Json:
    """One batch vector: its inputs and what the spec makes of them."""
    pre_timestamp = Timestamp(timestamp - 60)
    state = rebuild(pre_timestamp, pre_state)
    chain_start = advance_chain(FieldElement(0), pre_state)
    return {
        "name": name,
        "description": description,
        "pre_state": {"timestamp": str(pre_timestamp), "txs": [encode_tx(tx) for tx in pre_state]},
        "old_root": str(state.root),
        "chain_start": str(chain_start),
        "timestamp": str(timestamp),
        "n_tx": len(txs),
        "txs": [encode_tx(tx) for tx in txs],
        "expected": expected_outcome(state, chain_start, timestamp, txs),
    }


def rebuild(timestamp: Timestamp, txs: Sequence[Transaction]) -> State:
    """The state a pre-state recipe describes."""
    state = State.genesis(CONFIG)
    apply_batch(state, txs, timestamp)
    return state


def expected_outcome(
    state: State, chain_start: FieldElement, timestamp: Timestamp, txs: Sequence[Transaction]
) -> Json:
    """What applying the batch ``txs`` to ``state`` gives, as the ``expected`` object."""
    old_root = state.root
    before = state.copy()
    try:
        result = apply_batch(state, txs, timestamp)
    except RollupError as error:
        return {"error": error.code, "slot": first_failing_slot(state, txs, timestamp)}
    slots = published_slots(before, txs, timestamp)
    chain_end = advance_chain(chain_start, txs)
    return {
        "new_root": str(result.new_root),
        "chain_end": str(chain_end),
        "slots": [slot.hex() for slot in slots],
        "public_input_hash": str(
            public_input_hash(old_root, result.new_root, timestamp, chain_start, chain_end, b"".join(slots))
        ),
        "withdrawals": [
            {"eth_addr": str(w.eth_addr), "token": str(w.token), "amount": str(w.amount)}
            for w in result.withdrawals
        ],
    }


def published_slots(state: State, txs: Sequence[Transaction], timestamp: Timestamp) -> list[bytes]:
    """What each slot of a valid batch publishes, read from the state the slot is applied to."""
    trial = state.copy()
    slots = []
    for slot, tx in enumerate(txs):
        slots.append(slot_bytes(tx, trial))
        apply_transaction(trial, tx, timestamp, txs[slot - 1] if slot else None)
    return slots


def first_failing_slot(
    state: State, txs: Sequence[Transaction], timestamp: Timestamp
) -> int | None:
    """The first slot that cannot be applied, or ``None`` if every slot can."""
    trial = state.copy()
    for slot, tx in enumerate(txs):
        try:
            apply_transaction(trial, tx, timestamp, txs[slot - 1] if slot else None)
        except RollupError:
            return slot
    return None


def accounts_in(batch: Json) -> set[int]:
    """The accounts whose keys a batch's transactions use."""
    txs = batch["pre_state"]["txs"] + batch["txs"]
    accounts = set()
    for tx in txs:
        if tx["type"] == "TRADE":
            accounts |= {int(tx[side]["order"]["account_index"]) for side in ("maker", "taker")}
        elif tx["type"] != "NOOP":
            accounts.add(int(tx["account_index"]))
    return accounts


# Encoding transactions as JSON, and back.


def encode_key(account: int) -> Json:
    key = public_key(account)
    return {
        "account": account,
        "private_key": "0x" + private_key(account).hex(),
        "ax": str(key.ax),
        "ay": str(key.ay),
    }


def encode_signature(signature: Signature) -> Json:
    return {"r8x": str(signature.r8x), "r8y": str(signature.r8y), "s": str(signature.s)}


def encode_order(signed_order: SignedOrder) -> Json:
    o = signed_order.order
    return {
        "order": {
            "account_index": str(o.account_index),
            "order_id": str(o.order_id),
            "base_token": str(o.base_token),
            "quote_token": str(o.quote_token),
            "side": str(int(o.side)),
            "price": str(o.price),
            "amount": str(o.amount),
            "max_fee_bps": str(o.max_fee_bps),
            "expiry": str(o.expiry),
            "kind": str(o.kind.code),
        },
        "message": str(o.message_hash()),
        "signature": encode_signature(signed_order.signature),
    }


def encode_tx(tx: Transaction) -> Json:
    """A transaction as a JSON object (see the module docstring)."""
    match tx:
        case Noop():
            return {"type": "NOOP"}
        case Deposit():
            return {
                "type": "DEPOSIT",
                "account_index": str(tx.account_index),
                "eth_addr": str(tx.eth_addr),
                "ax": str(tx.ax),
                "ay": str(tx.ay),
                "token": str(tx.token),
                "amount": str(tx.amount),
                "request_hash": str(l1_request_hash(tx)),
            }
        case Trade():
            return {
                "type": "TRADE",
                "maker": encode_order(tx.maker),
                "taker": encode_order(tx.taker),
                "fill_base": str(tx.fill_base),
                "fill_quote": str(tx.fill_quote),
                "maker_fee_bps": str(tx.maker_fee_bps),
                "taker_fee_bps": str(tx.taker_fee_bps),
            }
        case Withdraw():
            return {
                "type": "WITHDRAW",
                "account_index": str(tx.account_index),
                "token": str(tx.token),
                "amount": str(tx.amount),
                "nonce": str(tx.nonce),
                "message": str(tx.message_hash()),
                "signature": encode_signature(tx.signature),
            }
        case ForcedWithdraw():
            return {
                "type": "FORCED_WITHDRAW",
                "account_index": str(tx.account_index),
                "eth_addr": str(tx.eth_addr),
                "token": str(tx.token),
                "request_hash": str(l1_request_hash(tx)),
            }
        case ForcedCancelAll():
            return {
                "type": "FORCED_CANCEL_ALL",
                "account_index": str(tx.account_index),
                "eth_addr": str(tx.eth_addr),
                "min_order_id": str(tx.min_order_id),
                "request_hash": str(l1_request_hash(tx)),
            }
        case Cancel():
            return {
                "type": "CANCEL",
                "account_index": str(tx.account_index),
                "order_id": str(tx.order_id),
                "message": str(cancel_message(tx.account_index, tx.order_id)),
                "signature": encode_signature(tx.signature),
            }
        case CancelAll():
            return {
                "type": "CANCEL_ALL",
                "account_index": str(tx.account_index),
                "min_order_id": str(tx.min_order_id),
                "message": str(tx.message_hash()),
                "signature": encode_signature(tx.signature),
            }


def decode_signature(data: Json) -> Signature:
    return Signature(int(data["r8x"]), int(data["r8y"]), int(data["s"]))


def decode_order(data: Json) -> SignedOrder:
    o = data["order"]
    order_ = Order(
        account_index=AccountIndex(int(o["account_index"])),
        order_id=OrderId(int(o["order_id"])),
        base_token=TokenId(int(o["base_token"])),
        quote_token=TokenId(int(o["quote_token"])),
        side=Side(int(o["side"])),
        price=Price(int(o["price"])),
        amount=Amount(int(o["amount"])),
        max_fee_bps=int(o["max_fee_bps"]),
        expiry=Timestamp(int(o["expiry"])),
        kind=OrderKind.from_code(int(o["kind"])),
    )
    return SignedOrder(order_, decode_signature(data["signature"]))


def decode_tx(data: Json) -> Transaction:
    """The transaction a JSON object describes (derived fields are ignored)."""
    kind = data["type"]
    if kind == "NOOP":
        return Noop()
    if kind == "DEPOSIT":
        return Deposit(
            account_index=AccountIndex(int(data["account_index"])),
            eth_addr=EthAddress(int(data["eth_addr"])),
            ax=FieldElement(int(data["ax"])),
            ay=FieldElement(int(data["ay"])),
            token=TokenId(int(data["token"])),
            amount=Amount(int(data["amount"])),
        )
    if kind == "TRADE":
        return Trade(
            maker=decode_order(data["maker"]),
            taker=decode_order(data["taker"]),
            fill_base=Amount(int(data["fill_base"])),
            fill_quote=Amount(int(data["fill_quote"])),
            maker_fee_bps=int(data["maker_fee_bps"]),
            taker_fee_bps=int(data["taker_fee_bps"]),
        )
    if kind == "WITHDRAW":
        return Withdraw(
            account_index=AccountIndex(int(data["account_index"])),
            token=TokenId(int(data["token"])),
            amount=Amount(int(data["amount"])),
            nonce=Nonce(int(data["nonce"])),
            signature=decode_signature(data["signature"]),
        )
    if kind == "FORCED_WITHDRAW":
        return ForcedWithdraw(
            account_index=AccountIndex(int(data["account_index"])),
            eth_addr=EthAddress(int(data["eth_addr"])),
            token=TokenId(int(data["token"])),
        )
    if kind == "FORCED_CANCEL_ALL":
        return ForcedCancelAll(
            account_index=AccountIndex(int(data["account_index"])),
            eth_addr=EthAddress(int(data["eth_addr"])),
            min_order_id=OrderId(int(data["min_order_id"])),
        )
    if kind == "CANCEL":
        return Cancel(
            account_index=AccountIndex(int(data["account_index"])),
            order_id=OrderId(int(data["order_id"])),
            signature=decode_signature(data["signature"]),
        )
    if kind == "CANCEL_ALL":
        return CancelAll(
            account_index=AccountIndex(int(data["account_index"])),
            min_order_id=OrderId(int(data["min_order_id"])),
            signature=decode_signature(data["signature"]),
        )
    raise ValueError(f"unknown transaction type {kind!r}")


# Hand-written scenarios.

FUNDED: list[Transaction] = [
    deposit(FEE, BASE, 0),
    deposit(ALICE, BASE, 10_000),
    deposit(ALICE, QUOTE, 10_000),
    deposit(BOB, BASE, 10_000),
    deposit(BOB, QUOTE, 50_000),
]
"""A fee account and two traders: the pre-state of most scenarios."""


def alice_sells(order_id: int = 1, amount: int = 1000, **fields: Any) -> Order:
    """Alice sells base at 2 quote each."""
    return order(ALICE, order_id, Side.SELL, fields.pop("limit", price(2)), amount, **fields)


def bob_buys(order_id: int = 1, amount: int = 1000, **fields: Any) -> Order:
    """Bob buys base, paying up to 3 quote each."""
    return order(BOB, order_id, Side.BUY, fields.pop("limit", price(3)), amount, **fields)


def deposits_create_accounts() -> Json:
    return vector(
        "deposits_create_accounts",
        "From genesis: the fee account's creation, then deposits that create two accounts.",
        [],
        [
            deposit(FEE, BASE, 0),
            deposit(ALICE, BASE, 500),
            deposit(ALICE, QUOTE, 7),
            deposit(BOB, QUOTE, 900),
        ],
    )


def deposit_to_existing_account() -> Json:
    topping_up = replace(deposit(ALICE, QUOTE, 25), ax=FieldElement(0), ay=FieldElement(0))
    return vector(
        "deposit_to_existing_account",
        "A deposit to an existing account carries a zero key, which is ignored.",
        FUNDED,
        [topping_up],
    )


def full_fill_with_fees() -> Json:
    return vector(
        "full_fill_with_fees",
        "Bob buys all of Alice's 500 base at 2; each pays its largest fee (30 bps).",
        FUNDED,
        [trade(alice_sells(amount=500), bob_buys(), 500, maker_fee_bps=30, taker_fee_bps=30)],
    )


def partial_fills_in_one_batch() -> Json:
    maker = alice_sells(amount=1000)
    return vector(
        "partial_fills_in_one_batch",
        "Two takers fill 300 then 700 of one maker order; fees add up per token.",
        FUNDED + [deposit(CAROL, QUOTE, 5000)],
        [
            trade(maker, bob_buys(order_id=1), 300, maker_fee_bps=20, taker_fee_bps=0),
            trade(maker, order(CAROL, 9, Side.BUY, price(2), 700), 700, maker_fee_bps=30, taker_fee_bps=30),
        ],
    )


def fill_continues_across_batches() -> Json:
    maker = alice_sells(amount=1000)
    return vector(
        "fill_continues_across_batches",
        "The pre-state filled 300 of Alice's order; this batch fills 700 more, to the full amount.",
        FUNDED + [trade(maker, bob_buys(order_id=1), 300)],
        [trade(maker, bob_buys(order_id=2), 700)],
    )


def newer_order_takes_the_slot() -> Json:
    return vector(
        "newer_order_takes_the_slot",
        "Order 5 of Alice shares slot 1 with her order 1, half filled; it starts from zero.",
        FUNDED + [trade(alice_sells(order_id=1, amount=800), bob_buys(order_id=1), 400)],
        [trade(alice_sells(order_id=5, amount=800), bob_buys(order_id=2), 800)],
    )


def taker_sells_to_a_buying_maker() -> Json:
    maker = order(BOB, 3, Side.BUY, price(4), 100)
    taker = order(ALICE, 2, Side.SELL, price(3), 100)
    return vector(
        "taker_sells_to_a_buying_maker",
        "Bob's resting buy at 4 meets Alice's sell limited at 3: the trade is at 4.",
        FUNDED,
        [trade(maker, taker, 100, maker_fee_bps=0, taker_fee_bps=30)],
    )


def fractional_price() -> Json:
    maker = alice_sells(limit=Price(PRICE_SCALE * 5 // 4))
    return vector(
        "fractional_price",
        "A price of 1.25 quote per base: 8 base for exactly 10 quote.",
        FUNDED,
        [trade(maker, bob_buys(), 8, fill_quote=10)],
    )


def withdrawals() -> Json:
    return vector(
        "withdrawals",
        "Alice withdraws twice (nonces 0 and 1) and Bob once; each is paid to its L1 address.",
        FUNDED,
        [
            withdraw(ALICE, BASE, 100, nonce=0),
            withdraw(BOB, QUOTE, 50_000, nonce=0),
            withdraw(ALICE, BASE, 9_900, nonce=1),
        ],
    )


def deposit_then_trade() -> Json:
    return vector(
        "deposit_then_trade",
        "Carol is created by a deposit and trades in a later slot of the same batch.",
        FUNDED,
        [
            deposit(CAROL, QUOTE, 400),
            trade(alice_sells(), order(CAROL, 1, Side.BUY, price(2), 200), 200),
        ],
    )


def fee_account_trades() -> Json:
    maker = order(FEE, 1, Side.SELL, price(2), 1000, max_fee_bps=0)
    return vector(
        "fee_account_trades",
        "The fee account sells like any account and withdraws what it received; "
        "the batch's fee (3 base) is credited to it after the last slot.",
        FUNDED + [deposit(FEE, BASE, 1000)],
        [trade(maker, bob_buys(), 1000, taker_fee_bps=30), withdraw(FEE, QUOTE, 2000, nonce=0)],
    )


def expiry_second() -> Json:
    return vector(
        "expiry_second",
        "Both orders expire at the batch's timestamp: they may still trade.",
        FUNDED,
        [trade(alice_sells(expiry=T0), bob_buys(expiry=T0), 10)],
    )


def largest_decimal_below(limit: int) -> int:
    """The largest decimal float below ``limit`` (the most a trade can publish of an amount or a price)."""
    exponent = 0
    while limit - 1 >= MANTISSA_LIMIT * 10**exponent:
        exponent += 1
    return (limit - 1) // 10**exponent * 10**exponent


def largest_values() -> Json:
    top = 2**AMOUNT_BITS - 1
    fill = largest_decimal_below(2**AMOUNT_BITS)
    last = Timestamp(2**64 - 1)
    maker = order(ALICE, 2**48 - 1, Side.SELL, price(1), top, max_fee_bps=10000, expiry=last)
    taker = order(BOB, 2**48 - 2, Side.BUY, Price(largest_decimal_below(2**PRICE_BITS)), top, max_fee_bps=10000, expiry=last)
    fee = 2**TRADE_FEE_BPS_BITS - 1
    return vector(
        "largest_values",
        "Balances and order amounts at 2**96 - 1, the largest fill and price a decimal float holds below 2**96, "
        "the largest ids and time, fee limits of 100 % and the largest fee rates a trade charges (255 bps).",
        [deposit(FEE, BASE, 0), deposit(ALICE, BASE, top), deposit(BOB, QUOTE, top)],
        [trade(maker, taker, fill, maker_fee_bps=fee, taker_fee_bps=fee)],
        timestamp=Timestamp(2**64 - 1),
    )


def only_noops() -> Json:
    return vector(
        "only_noops", "A batch of padding: the root does not change.", FUNDED, [Noop(), Noop()]
    )


def forced_withdraw_whole_balance() -> Json:
    return vector(
        "forced_withdraw_whole_balance",
        "Bob's forced withdrawal from L1 takes all of his 50000 quote to his L1 address.",
        FUNDED,
        [forced_withdraw(BOB, QUOTE)],
    )


def forced_withdraw_after_trading() -> Json:
    return vector(
        "forced_withdraw_after_trading",
        "Alice's forced withdrawal takes what her half-filled sell order left her.",
        FUNDED + [trade(alice_sells(), bob_buys(), 400, maker_fee_bps=20)],
        [forced_withdraw(ALICE, BASE)],
    )


def forced_withdraw_wrong_owner() -> Json:
    return vector(
        "forced_withdraw_wrong_owner",
        "A forced withdrawal of Bob's account sent by Alice's address takes nothing.",
        FUNDED,
        [replace(forced_withdraw(BOB, QUOTE), eth_addr=eth_address(ALICE))],
    )


def forced_withdraw_no_ops() -> Json:
    return vector(
        "forced_withdraw_no_ops",
        "Forced withdrawals of a missing account, of an empty balance and of a "
        "balance already taken in the same batch take nothing.",
        FUNDED,
        [
            forced_withdraw(CAROL, BASE),
            forced_withdraw(FEE, QUOTE),
            forced_withdraw(ALICE, QUOTE),
            forced_withdraw(ALICE, QUOTE),
        ],
    )


def forced_cancel_all_raises_min_order_id() -> Json:
    return vector(
        "forced_cancel_all_raises_min_order_id",
        "Alice cancels her orders below 7 from L1.",
        FUNDED,
        [forced_cancel_all(ALICE, 7)],
    )


def forced_cancel_all_never_lowers() -> Json:
    return vector(
        "forced_cancel_all_never_lowers",
        "Alice's orders below 7 are cancelled; a later request for 3 changes nothing.",
        FUNDED + [forced_cancel_all(ALICE, 7)],
        [forced_cancel_all(ALICE, 3)],
    )


def forced_cancel_all_wrong_owner() -> Json:
    return vector(
        "forced_cancel_all_wrong_owner",
        "A cancel-all of Alice's account sent by Bob's address changes nothing.",
        FUNDED,
        [replace(forced_cancel_all(ALICE, 9), eth_addr=eth_address(BOB))],
    )


def trade_after_cancel_all() -> Json:
    return vector(
        "trade_after_cancel_all",
        "After Alice cancelled below 7, her order 7 still trades.",
        FUNDED + [forced_cancel_all(ALICE, 7)],
        [trade(alice_sells(order_id=7), bob_buys(), 10)],
    )


def order_kinds_trade_as_signed() -> Json:
    maker = alice_sells(amount=1000, kind=OrderKind.POST_ONLY)
    return vector(
        "order_kinds_trade_as_signed",
        "Alice's post-only sell rests; Bob's immediate-or-cancel buy takes from it and from her second sell in one"
        " run of fills, then his market and fill-or-kill buys take from it.",
        FUNDED,
        [
            trade(maker, bob_buys(order_id=1, amount=300, kind=OrderKind.IOC), 100),
            trade(alice_sells(order_id=2, amount=50), bob_buys(order_id=1, amount=300, kind=OrderKind.IOC), 50),
            trade(maker, bob_buys(order_id=2, amount=300, kind=OrderKind.MARKET), 300),
            trade(maker, bob_buys(order_id=3, amount=200, kind=OrderKind.FOK), 200),
        ],
    )


def cancel_then_newer_order() -> Json:
    return vector(
        "cancel_then_newer_order",
        "Alice cancels her half-filled order 1 and Bob his unfilled order 6; Alice's order 5 then takes slot 1.",
        FUNDED + [trade(alice_sells(order_id=1, amount=800), bob_buys(order_id=1), 400)],
        [cancel(ALICE, 1), cancel(BOB, 6), trade(alice_sells(order_id=5), bob_buys(order_id=7), 100)],
    )


def signed_cancel_all() -> Json:
    return vector(
        "signed_cancel_all",
        "Alice signs a cancel of her orders below 7, then a replay of an older one below 3 changes nothing;"
        " her order 7 still trades.",
        FUNDED,
        [cancel_all(ALICE, 7), cancel_all(ALICE, 3), trade(alice_sells(order_id=7), bob_buys(), 10)],
    )


def invalid(
    name: str, description: str, tx: Transaction, pre_state: Sequence[Transaction] = ()
) -> Callable[[], Json]:
    """A scenario whose batch is the one invalid slot ``tx`` after the funded pre-state."""
    return lambda: vector(name, description, FUNDED + list(pre_state), [tx])


def with_taker_signed_by(tx: Trade, signer: int) -> Trade:
    return replace(tx, taker=signed(tx.taker.order, signer=signer))


SCENARIOS: list[Callable[[], Json]] = [
    deposits_create_accounts,
    deposit_to_existing_account,
    full_fill_with_fees,
    partial_fills_in_one_batch,
    fill_continues_across_batches,
    newer_order_takes_the_slot,
    taker_sells_to_a_buying_maker,
    fractional_price,
    withdrawals,
    deposit_then_trade,
    fee_account_trades,
    expiry_second,
    largest_values,
    only_noops,
    forced_withdraw_whole_balance,
    forced_withdraw_after_trading,
    forced_withdraw_wrong_owner,
    forced_withdraw_no_ops,
    forced_cancel_all_raises_min_order_id,
    forced_cancel_all_never_lowers,
    forced_cancel_all_wrong_owner,
    trade_after_cancel_all,
    order_kinds_trade_as_signed,
    cancel_then_newer_order,
    signed_cancel_all,
    invalid(
        "fill_after_cancel",
        "Alice cancelled her order 1; it fills again.",
        trade(alice_sells(order_id=1), bob_buys(), 10),
        [cancel(ALICE, 1)],
    ),
    invalid(
        "cancel_of_a_replaced_order",
        "Alice's order 5 traded in slot 1; she cancels her older order 1.",
        cancel(ALICE, 1),
        [trade(alice_sells(order_id=5), bob_buys(), 10)],
    ),
    invalid(
        "cancel_signed_by_another_key",
        "Bob signs a cancel of Alice's order 1.",
        cancel(ALICE, 1, signer=BOB),
    ),
    invalid(
        "fill_after_signed_cancel_all",
        "Alice signed a cancel of her orders below 2; her order 1 fills.",
        trade(alice_sells(order_id=1), bob_buys(), 10),
        [cancel_all(ALICE, 2)],
    ),
    invalid(
        "cancel_all_signed_by_another_key",
        "Bob signs a cancel-all of Alice's orders.",
        cancel_all(ALICE, 5, signer=BOB),
    ),
    invalid(
        "maker_does_not_rest",
        "Alice's immediate-or-cancel sell is the maker: such an order never rests.",
        trade(alice_sells(kind=OrderKind.IOC), bob_buys(), 10),
    ),
    invalid(
        "immediate_order_resumed",
        "Bob's immediate-or-cancel buy filled 100 in an earlier batch; its remainder fills now.",
        trade(alice_sells(), bob_buys(kind=OrderKind.IOC), 10),
        [trade(alice_sells(), bob_buys(kind=OrderKind.IOC), 100)],
    ),
    invalid(
        "post_only_taker",
        "Bob's post-only buy is the taker.",
        trade(alice_sells(), bob_buys(kind=OrderKind.POST_ONLY), 10),
    ),
    invalid(
        "fill_or_kill_partial",
        "Bob's fill-or-kill buy of 1000 fills 10.",
        trade(alice_sells(), bob_buys(kind=OrderKind.FOK), 10),
    ),
    invalid(
        "value_out_of_range",
        "The maker's order id is 2**48.",
        trade(alice_sells(order_id=2**48), bob_buys(), 10),
    ),
    invalid(
        "self_trade",
        "Alice's buy order meets her own sell order.",
        trade(alice_sells(), order(ALICE, 2, Side.BUY, price(2), 10), 10),
    ),
    invalid(
        "market_mismatch",
        "The taker's market is quote/base, the maker's base/quote.",
        trade(alice_sells(), bob_buys(base=QUOTE, quote=BASE), 10),
    ),
    invalid(
        "sides_not_opposite",
        "Both orders sell.",
        trade(alice_sells(), order(BOB, 1, Side.SELL, price(1), 10), 10),
    ),
    invalid(
        "account_not_found",
        "The taker is Carol, who has no account.",
        trade(alice_sells(), order(CAROL, 1, Side.BUY, price(2), 10), 10),
    ),
    invalid(
        "invalid_signature",
        "Bob's order is signed with Alice's key.",
        with_taker_signed_by(trade(alice_sells(), bob_buys(), 10), ALICE),
    ),
    invalid(
        "order_expired",
        "The maker's order expired one second before the batch.",
        trade(alice_sells(expiry=Timestamp(T0 - 1)), bob_buys(), 10),
    ),
    invalid(
        "invalid_fee_limit",
        "The taker signed a fee limit of 10001 bps.",
        trade(alice_sells(), bob_buys(max_fee_bps=10001), 10),
    ),
    invalid(
        "price_limit_violated",
        "Bob will pay at most 1.99 for Alice's base at 2.",
        trade(alice_sells(), bob_buys(limit=Price(price(2) - PRICE_SCALE // 100)), 10),
    ),
    invalid("zero_fill", "The trade moves no base.", trade(alice_sells(), bob_buys(), 0)),
    invalid(
        "fill_not_encodable",
        "A fill of 2**35 + 1 base has no decimal float form to publish.",
        trade(alice_sells(amount=2**36), bob_buys(amount=2**36), 2**35 + 1),
        [deposit(ALICE, BASE, 2**36), deposit(BOB, QUOTE, 2**38)],
    ),
    invalid(
        "price_not_encodable",
        "Bob's limit of 3 + 10**-18 quote per base has no decimal float form.",
        trade(alice_sells(), bob_buys(limit=Price(price(3) + 1)), 10),
    ),
    invalid(
        "fee_rate_out_of_range",
        "A trade charges at most 255 bps; this one charges the taker 256 (it signed 300).",
        trade(alice_sells(), bob_buys(max_fee_bps=300), 10, taker_fee_bps=256),
    ),
    invalid(
        "inexact_fill",
        "10 base at 2 is 20 quote, not 19.",
        trade(alice_sells(), bob_buys(), 10, fill_quote=19),
    ),
    invalid(
        "order_id_stale",
        "Alice's order 5 took slot 1, so her order 1 can no longer trade.",
        trade(alice_sells(order_id=1), bob_buys(order_id=2), 10),
        [trade(alice_sells(order_id=5), bob_buys(order_id=1), 10)],
    ),
    invalid(
        "order_cancelled",
        "Alice cancelled her orders below 7 from L1; her order 6 cannot trade.",
        trade(alice_sells(order_id=6), bob_buys(), 10),
        [forced_cancel_all(ALICE, 7)],
    ),
    invalid(
        "order_overfilled",
        "The pre-state filled 900 of Alice's 1000; 101 more is too much.",
        trade(alice_sells(), bob_buys(order_id=2), 101),
        [trade(alice_sells(), bob_buys(order_id=1), 900)],
    ),
    invalid(
        "fee_above_limit",
        "Alice signed a fee limit of 30 bps; the trade charges her 31.",
        trade(alice_sells(), bob_buys(), 500, maker_fee_bps=31),
    ),
    invalid(
        "insufficient_balance_trade",
        "Bob has 50000 quote and would pay 60000.",
        trade(alice_sells(amount=30_000), bob_buys(amount=30_000), 30_000),
        [deposit(ALICE, BASE, 20_000)],
    ),
    invalid(
        "balance_overflow",
        "Bob's base would reach 2**96.",
        trade(alice_sells(), bob_buys(), 10),
        [deposit(BOB, BASE, 2**AMOUNT_BITS - 10_000 - 10)],
    ),
    invalid(
        "invalid_nonce",
        "Alice already withdrew once: nonce 0 is used.",
        withdraw(ALICE, BASE, 1, nonce=0),
        [withdraw(ALICE, BASE, 1, nonce=0)],
    ),
    invalid(
        "withdraw_invalid_signature",
        "Alice's withdrawal is signed with Bob's key.",
        withdraw(ALICE, BASE, 1, nonce=0, signer=BOB),
    ),
    invalid(
        "withdraw_insufficient_balance",
        "Alice withdraws 10001 base of her 10000.",
        withdraw(ALICE, BASE, 10_001, nonce=0),
    ),
    invalid(
        "withdraw_account_not_found",
        "Carol has no account to withdraw from.",
        withdraw(CAROL, BASE, 1, nonce=0),
    ),
]


# Random batches.


class RandomBatch:
    """
    Draws valid transactions against a state that follows them.

    Each drawn transaction is applied to ``state`` at once, so the next one
    sees its effects. Order ids only grow per account, so a new order never
    finds its slot taken by a newer one.
    """

    def __init__(self, rng: random.Random, state: State, timestamp: Timestamp) -> None:
        self.rng = rng
        self.state = state
        self.timestamp = timestamp
        self.next_order_id = [rng.randrange(1, 4) for _ in range(2**CONFIG.account_depth)]
        self.resting: list[Order] = []
        self.previous: Transaction | None = None

    def take(self, tx: Transaction) -> Transaction:
        """Apply ``tx`` to the followed state, after the batch's ``previous`` slot, and return it."""
        apply_transaction(self.state, tx, self.timestamp, self.previous)
        self.previous = tx
        return tx

    def draw(self) -> Transaction:
        """A random valid transaction, already applied; a noop if none could be drawn."""
        for _ in range(20):
            kinds = ["deposit", "trade", "withdraw", "noop", "forced_withdraw", "forced_cancel_all"]
            kind = self.rng.choices(kinds, [2, 8, 2, 1, 1, 1])[0]
            tx = self.candidate(kind)
            if tx is None:
                continue
            try:
                return self.take(tx)
            except RollupError:
                continue
        return Noop()

    def candidate(self, kind: str) -> Transaction | None:
        if kind == "deposit":
            return self.deposit()
        if kind == "trade":
            return self.trade()
        if kind == "withdraw":
            return self.withdraw()
        if kind == "forced_withdraw":
            return self.forced_withdraw()
        if kind == "forced_cancel_all":
            return self.forced_cancel_all()
        return Noop()

    def traders(self) -> list[int]:
        """Existing accounts but the fee account, whose fees arrive only at batch end."""
        accounts = range(1, 2**CONFIG.account_depth)
        return [a for a in accounts if self.state.get_account(AccountIndex(a)).exists]

    def balance(self, account: int, token: TokenId) -> int:
        return self.state.get_account(AccountIndex(account)).balance(token)

    def deposit(self) -> Deposit:
        account = self.rng.randrange(1, 2**CONFIG.account_depth)
        size = self.rng.choice([0, 20, 60, 80])
        tx = deposit(account, TokenId(self.rng.randrange(2)), self.rng.getrandbits(size))
        if self.state.get_account(AccountIndex(account)).exists:
            tx = replace(tx, ax=FieldElement(0), ay=FieldElement(0))
        return tx

    def withdraw(self) -> Withdraw | None:
        funded = [(a, t) for a in self.traders() for t in (BASE, QUOTE) if self.balance(a, t) > 0]
        if not funded:
            return None
        account, token = self.rng.choice(funded)
        nonce = self.state.get_account(AccountIndex(account)).nonce
        return withdraw(account, token, self.rng.randint(1, self.balance(account, token)), nonce)

    def forced_withdraw(self) -> ForcedWithdraw:
        """A forced withdrawal of any account, now and then sent by another account's address."""
        account = self.rng.randrange(2**CONFIG.account_depth)
        sender = account if self.rng.random() < 0.8 else self.rng.randrange(2**CONFIG.account_depth)
        return replace(forced_withdraw(account, TokenId(self.rng.randrange(2))), eth_addr=eth_address(sender))

    def forced_cancel_all(self) -> ForcedCancelAll | None:
        """A cancel-all of a trader's orders below an id up to its next one; later orders start there."""
        traders = self.traders()
        if not traders:
            return None
        account = self.rng.choice(traders)
        min_order_id = self.rng.randint(0, self.next_order_id[account])
        self.next_order_id[account] = max(self.next_order_id[account], min_order_id)
        return forced_cancel_all(account, min_order_id)

    def trade(self) -> Trade | None:
        base, quote = (BASE, QUOTE) if self.rng.random() < 0.7 else (QUOTE, BASE)
        sellers = [a for a in self.traders() if self.balance(a, base) > 0]
        buyers = [a for a in self.traders() if self.balance(a, quote) > 0]
        pairs = [(s, b) for s in sellers for b in buyers if s != b]
        if not pairs:
            return None
        seller, buyer = self.rng.choice(pairs)
        trade_price = Price(self.rng.randrange(1, 10**4) * 10 ** self.rng.randrange(12, 20))
        # The smallest fill whose quote amount is a whole number at this price.
        unit = PRICE_SCALE // gcd(trade_price, PRICE_SCALE)
        affordable = self.balance(buyer, quote) * PRICE_SCALE // (unit * trade_price)
        units = min(self.balance(seller, base) // unit, affordable)
        if units == 0:
            return None
        fill_base = unit * self.rng.randint(1, units)
        while not is_encodable(fill_base):  # a fill is published as a decimal float
            fill_base = unit * self.rng.randint(1, max(1, fill_base // unit // 10))
        fill_quote = fill_base * trade_price // PRICE_SCALE
        maker_side = self.rng.choice([Side.BUY, Side.SELL])
        maker_account, taker_account = (
            (buyer, seller) if maker_side == Side.BUY else (seller, buyer)
        )
        maker = self.resting_order(maker_account, maker_side, base, trade_price, fill_base)
        if maker is None:
            maker_kind = self.rng.choice([OrderKind.LIMIT, OrderKind.POST_ONLY])
            maker = self.new_order(maker_account, maker_side, (base, quote), trade_price, fill_base, maker_kind)
            self.resting.append(maker)
        slack = self.rng.randrange(0, 11) * (trade_price // 100)  # a decimal float, as every price
        taker_limit = Price(trade_price + slack if maker_side == Side.SELL else trade_price - slack)
        taker_side = Side.BUY if maker_side == Side.SELL else Side.SELL
        taker_kind = self.rng.choice([OrderKind.LIMIT, OrderKind.IOC, OrderKind.FOK, OrderKind.MARKET])
        taker = self.new_order(taker_account, taker_side, (base, quote), taker_limit, fill_base, taker_kind)
        return trade(
            maker,
            taker,
            fill_base,
            fill_quote=fill_quote,
            maker_fee_bps=self.fee_bps(maker),
            taker_fee_bps=self.fee_bps(taker),
        )

    def resting_order(
        self, account: int, side: Side, base: TokenId, limit: Price, fill_base: int
    ) -> Order | None:
        """Half the time, an earlier maker order of ``account`` that can take this fill too."""
        if self.rng.random() < 0.5:
            return None
        for candidate in self.resting:
            stored_id, filled = self.state.get_account(AccountIndex(account)).order_slot(
                candidate.order_id
            )
            left = candidate.amount - (filled if stored_id == candidate.order_id else 0)
            if (
                candidate.account_index == account
                and candidate.order_id >= self.state.get_account(AccountIndex(account)).min_order_id
                and candidate.side == side
                and candidate.base_token == base
                and candidate.price == limit
                and candidate.expiry >= self.timestamp
                and stored_id <= candidate.order_id
                and left >= fill_base
            ):
                return candidate
        return None

    def new_order(
        self,
        account: int,
        side: Side,
        market: tuple[TokenId, TokenId],
        limit: Price,
        fill_base: int,
        kind: OrderKind,
    ) -> Order:
        """
        A fresh order of ``kind`` with room for ``fill_base`` or more (exactly
        ``fill_base`` for fill-or-kill), and a random fee limit and expiry.
        """
        order_id = self.next_order_id[account]
        self.next_order_id[account] += self.rng.randrange(1, 6)
        return order(
            account,
            order_id,
            side,
            limit,
            fill_base * (1 if kind is OrderKind.FOK else self.rng.choice([1, 1, 2, 3])),
            max_fee_bps=self.rng.choice([0, 5, 30, 100, 10000]),
            expiry=Timestamp(self.timestamp + self.rng.randrange(0, 10**6)),
            base=market[0],
            quote=market[1],
            kind=kind,
        )

    def fee_bps(self, order_: Order) -> int:
        """A random fee rate within the order's limit and what a trade may charge."""
        return self.rng.randint(0, min(order_.max_fee_bps, 2**TRADE_FEE_BPS_BITS - 1))


def random_batch(rng: random.Random, number: int) -> Json:
    """
    A random pre-state and a random batch, three times in ten spoiled.

    Most batches have one slot, the size of the test circuit, which runs
    them; the rest have 2 or 4 slots, for implementations with larger batches.
    """
    timestamp = Timestamp(T0 + 1000 * (number + 1))
    pre_timestamp = Timestamp(timestamp - 60)
    builder = RandomBatch(rng, State.genesis(CONFIG), pre_timestamp)
    pre_state = [builder.take(deposit(FEE, BASE, 0))]
    pre_state += [builder.take(builder.deposit()) for _ in range(3)]
    pre_state += [builder.draw() for _ in range(rng.randrange(2, 8))]
    # Draw the batch against the real pre-state, in which the fees are credited.
    builder.state = rebuild(pre_timestamp, pre_state)
    builder.timestamp = timestamp
    builder.previous = None
    txs = [builder.draw() for _ in range(rng.choice([1, 1, 1, 2, 4]))]
    kind = "valid"
    if rng.random() < 0.3:
        txs, kind = spoil(rng, txs), "spoiled"
    description = f"Random {kind} batch {number} (seed {SEED})."
    return vector(f"random_{number}", description, pre_state, txs, timestamp)


def spoil(rng: random.Random, txs: list[Transaction]) -> list[Transaction]:
    """Break one trade or withdrawal of the batch, if it has one."""
    slots = [i for i, tx in enumerate(txs) if isinstance(tx, (Trade, Withdraw))]
    if not slots:
        return txs
    slot = rng.choice(slots)
    tx = txs[slot]
    spoiled: list[Transaction] = []
    if isinstance(tx, Trade):
        spoiled = [
            replace(tx, fill_base=Amount(tx.fill_base + 1)),
            replace(tx, maker_fee_bps=tx.maker.order.max_fee_bps + 1),
            with_taker_signed_by(tx, tx.maker.order.account_index),
        ]
    elif isinstance(tx, Withdraw):
        spoiled = [
            replace(tx, nonce=Nonce(tx.nonce + 1)),
            replace(tx, amount=Amount(tx.amount + 2**80)),
        ]
    return txs[:slot] + [rng.choice(spoiled)] + txs[slot + 1 :]


def main() -> None:
    VECTORS_PATH.write_text(json.dumps(build_vectors(), indent=1) + "\n")


if __name__ == "__main__":
    main()
