"""
The trading page signs in the browser: its JavaScript signer
(``sequencer/service/explorer/static/signer.mjs``), run under node, computes
the same Poseidon hashes, BLAKE-512 digests, keys, signatures, messages and
derived L2 keys as the Python the sequencer and the circuit agree with.
"""

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from sequencer.crypto.blake512 import blake512
from sequencer.crypto.eddsa import private_to_public, sign
from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.keys import derive_l2_private_key
from sequencer.crypto.poseidon import poseidon
from sequencer.engine.cancels import CancelAllBelow, CancelOrder
from sequencer.l1.paths import REPO_ROOT
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.transactions import Order, withdraw_message
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp, TokenId

CHECK = Path(__file__).with_name("signer_check.mjs")
CHAIN_ID = 31337
ROLLUP = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def random_order(rng: random.Random, kind: OrderKind) -> Order:
    """An order of ``kind`` with every field drawn over its width."""
    return Order(
        AccountIndex(rng.getrandbits(24)),
        OrderId(rng.getrandbits(48)),
        TokenId(rng.getrandbits(4)),
        TokenId(rng.getrandbits(4)),
        Side(rng.getrandbits(1)),
        Price(rng.getrandbits(96)),
        Amount(rng.getrandbits(96)),
        rng.randint(0, 10_000),
        Timestamp(rng.getrandbits(64)),
        kind,
    )


def order_json(order: Order) -> dict[str, Any]:
    """An order as the page holds it (the API's field names; numbers as decimal strings)."""
    return {
        "account_index": str(order.account_index),
        "order_id": str(order.order_id),
        "base_token": str(order.base_token),
        "quote_token": str(order.quote_token),
        "side": "sell" if order.side == Side.SELL else "buy",
        "price": str(order.price),
        "amount": str(order.amount),
        "max_fee_bps": str(order.max_fee_bps),
        "expiry": str(order.expiry),
        "kind": order.kind.value,
    }


@pytest.fixture(scope="module")
def computed() -> tuple[dict[str, Any], dict[str, Any]]:
    """The cases, and what the JavaScript signer computed for them."""
    rng = random.Random(14_002)
    keys = [bytes(32), bytes([1] * 32), *(rng.randbytes(32) for _ in range(4))]
    cases = {
        "poseidon": [[str(rng.randrange(FIELD_MODULUS)) for _ in range(arity)] for arity in range(1, 13)],
        "blake512": [rng.randbytes(length).hex() for length in (0, 1, 64, 111, 112, 113, 127, 128, 129, 255, 300)],
        "keys": [key.hex() for key in keys],
        "signatures": [[key.hex(), str(message)] for key in keys for message in (0, FIELD_MODULUS - 1, rng.randrange(FIELD_MODULUS))],
        "orders": [order_json(random_order(rng, kind)) for kind in OrderKind],
        "cancels": [[rng.getrandbits(24), rng.getrandbits(48)] for _ in range(3)],
        "withdrawals": [[rng.getrandbits(24), rng.getrandbits(8), str(rng.getrandbits(96)), rng.getrandbits(32)] for _ in range(3)],
        "ethKeys": ["0x" + rng.randbytes(32).hex() for _ in range(2)],
        "chainId": CHAIN_ID,
        "rollup": ROLLUP,
    }
    result = subprocess.run(
        ["node", str(CHECK)],
        input=json.dumps(cases), capture_output=True, text=True, check=True, cwd=REPO_ROOT, timeout=120,
    )
    return cases, json.loads(result.stdout)


def test_poseidon_of_every_arity_a_message_uses(computed: tuple[dict[str, Any], dict[str, Any]]) -> None:
    cases, js = computed
    assert [int(h) for h in js["poseidon"]] == [poseidon([int(x) for x in inputs]) for inputs in cases["poseidon"]]


def test_blake512_across_the_block_and_padding_edges(computed: tuple[dict[str, Any], dict[str, Any]]) -> None:
    cases, js = computed
    assert js["blake512"] == [blake512(bytes.fromhex(data)).hex() for data in cases["blake512"]]


def test_public_keys_and_signatures(computed: tuple[dict[str, Any], dict[str, Any]]) -> None:
    cases, js = computed
    for key, point in zip(cases["keys"], js["publicKeys"], strict=True):
        public = private_to_public(bytes.fromhex(key))
        assert [int(v) for v in point] == [public.ax, public.ay]
    for (key, message), signature in zip(cases["signatures"], js["signatures"], strict=True):
        expected = sign(bytes.fromhex(key), int(message))
        assert (int(signature["r8x"]), int(signature["r8y"]), int(signature["s"])) == (expected.r8x, expected.r8y, expected.s)


def test_the_messages_a_trader_signs(computed: tuple[dict[str, Any], dict[str, Any]]) -> None:
    cases, js = computed
    for data, message in zip(cases["orders"], js["orderMessages"], strict=True):
        order = Order(
            AccountIndex(int(data["account_index"])), OrderId(int(data["order_id"])), TokenId(int(data["base_token"])),
            TokenId(int(data["quote_token"])), Side.SELL if data["side"] == "sell" else Side.BUY,
            Price(int(data["price"])), Amount(int(data["amount"])), int(data["max_fee_bps"]),
            Timestamp(int(data["expiry"])), OrderKind(data["kind"]),
        )
        assert int(message) == order.message_hash()
    for (account, order_id), cancel, cancel_all in zip(
        cases["cancels"], js["cancelMessages"], js["cancelAllMessages"], strict=True
    ):
        assert int(cancel) == CancelOrder(AccountIndex(account), OrderId(order_id)).message_hash()
        assert int(cancel_all) == CancelAllBelow(AccountIndex(account), OrderId(order_id)).message_hash()
    for (account, token, amount, nonce), message in zip(cases["withdrawals"], js["withdrawMessages"], strict=True):
        assert int(message) == withdraw_message(AccountIndex(account), TokenId(token), Amount(int(amount)), Nonce(nonce))


def test_the_l2_key_derived_from_an_ethereum_key(computed: tuple[dict[str, Any], dict[str, Any]]) -> None:
    cases, js = computed
    for key, derived in zip(cases["ethKeys"], js["derivedKeys"], strict=True):
        assert derived == derive_l2_private_key(Account.from_key(key), CHAIN_ID, ROLLUP).hex()
