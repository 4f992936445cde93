"""
JSON encodings of the spec's objects, for the write-ahead log, receipts and
the canonical state.

Every integer is written as a decimal string (JSON numbers lose precision
above 2**53 in most clients), enums by their names, and documents are
serialised with sorted keys and no spaces, so one value has exactly one
encoding. Decoding is strict: a wrong type or a missing field raises
``CodecError``.
"""

import json
from typing import Any, assert_never

from sequencer.crypto.eddsa import Signature
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.transactions import (
    Cancel,
    CancelAll,
    Deposit,
    ForcedCancelAll,
    ForcedWithdraw,
    L1Transaction,
    Noop,
    Order,
    SignedOrder,
    Trade,
    Transaction,
    Withdraw,
)
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

Json = dict[str, Any]
"""A decoded JSON object."""


class CodecError(ValueError):
    """A document that is not the encoding of what it should be."""


def canonical_json(document: object) -> bytes:
    """The one byte string of a JSON document: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def integer(document: Json, name: str) -> int:
    """Field ``name`` of ``document``, a non-negative decimal string, as an int."""
    value = document.get(name)
    if not isinstance(value, str) or not value.isdigit() or not value.isascii():
        raise CodecError(f"{name} must be a decimal string, got {value!r}")
    return int(value)


def text(document: Json, name: str) -> str:
    """Field ``name`` of ``document``, a string."""
    value = document.get(name)
    if not isinstance(value, str):
        raise CodecError(f"{name} must be a string, got {value!r}")
    return value


def optional_text(document: Json, name: str) -> str | None:
    """Field ``name`` of ``document``, a string or null."""
    return None if document.get(name) is None else text(document, name)


def obj(document: Json, name: str) -> Json:
    """Field ``name`` of ``document``, an object."""
    value = document.get(name)
    if not isinstance(value, dict):
        raise CodecError(f"{name} must be an object, got {value!r}")
    return value


def encode_signature(signature: Signature) -> Json:
    """An EdDSA signature as ``{r8x, r8y, s}``."""
    return {"r8x": str(signature.r8x), "r8y": str(signature.r8y), "s": str(signature.s)}


def decode_signature(document: Json) -> Signature:
    """The inverse of :func:`encode_signature`."""
    return Signature(integer(document, "r8x"), integer(document, "r8y"), integer(document, "s"))


def encode_side(side: Side) -> str:
    """``"buy"`` or ``"sell"``."""
    return side.name.lower()


def decode_side(value: object) -> Side:
    """The inverse of :func:`encode_side`."""
    if value == "buy":
        return Side.BUY
    if value == "sell":
        return Side.SELL
    raise CodecError(f"side must be 'buy' or 'sell', got {value!r}")


def encode_order(order: Order) -> Json:
    """An order's signed fields."""
    return {
        "account_index": str(order.account_index),
        "order_id": str(order.order_id),
        "base_token": str(order.base_token),
        "quote_token": str(order.quote_token),
        "side": encode_side(order.side),
        "price": str(order.price),
        "amount": str(order.amount),
        "max_fee_bps": str(order.max_fee_bps),
        "expiry": str(order.expiry),
        "kind": order.kind.value,
    }


def decode_order(document: Json) -> Order:
    """The inverse of :func:`encode_order`."""
    return Order(
        account_index=AccountIndex(integer(document, "account_index")),
        order_id=OrderId(integer(document, "order_id")),
        base_token=TokenId(integer(document, "base_token")),
        quote_token=TokenId(integer(document, "quote_token")),
        side=decode_side(document.get("side")),
        price=Price(integer(document, "price")),
        amount=Amount(integer(document, "amount")),
        max_fee_bps=integer(document, "max_fee_bps"),
        expiry=Timestamp(integer(document, "expiry")),
        kind=decode_kind(document.get("kind")),
    )


def decode_kind(value: object) -> OrderKind:
    """An order kind from its name (``limit``, ``ioc``, ``fok``, ``post_only``, ``market``)."""
    try:
        return OrderKind(str(value))
    except ValueError as error:
        raise CodecError(f"unknown order kind {value!r}") from error


def encode_signed_order(signed: SignedOrder) -> Json:
    """An order with its signature."""
    return {"order": encode_order(signed.order), "signature": encode_signature(signed.signature)}


def decode_signed_order(document: Json) -> SignedOrder:
    """The inverse of :func:`encode_signed_order`."""
    return SignedOrder(decode_order(obj(document, "order")), decode_signature(obj(document, "signature")))


def encode_deposit(deposit: Deposit) -> Json:
    """An L1 deposit request's fields."""
    return {
        "account_index": str(deposit.account_index),
        "eth_addr": str(deposit.eth_addr),
        "ax": str(deposit.ax),
        "ay": str(deposit.ay),
        "token": str(deposit.token),
        "amount": str(deposit.amount),
    }


def decode_deposit(document: Json) -> Deposit:
    """The inverse of :func:`encode_deposit`."""
    return Deposit(
        account_index=AccountIndex(integer(document, "account_index")),
        eth_addr=EthAddress(integer(document, "eth_addr")),
        ax=FieldElement(integer(document, "ax")),
        ay=FieldElement(integer(document, "ay")),
        token=TokenId(integer(document, "token")),
        amount=Amount(integer(document, "amount")),
    )


def encode_l1_request(request: L1Transaction) -> Json:
    """An L1 request's fields, tagged with its ``type``."""
    match request:
        case Deposit():
            return {"type": "deposit", **encode_deposit(request)}
        case ForcedWithdraw():
            return {
                "type": "forced_withdraw",
                "account_index": str(request.account_index),
                "eth_addr": str(request.eth_addr),
                "token": str(request.token),
            }
        case ForcedCancelAll():
            return {
                "type": "forced_cancel_all",
                "account_index": str(request.account_index),
                "eth_addr": str(request.eth_addr),
                "min_order_id": str(request.min_order_id),
            }
        case _:
            assert_never(request)


def decode_l1_request(document: Json) -> L1Transaction:
    """The inverse of :func:`encode_l1_request`."""
    kind = document.get("type")
    if kind == "deposit":
        return decode_deposit(document)
    account, eth_addr = AccountIndex(integer(document, "account_index")), EthAddress(integer(document, "eth_addr"))
    if kind == "forced_withdraw":
        return ForcedWithdraw(account, eth_addr, TokenId(integer(document, "token")))
    if kind == "forced_cancel_all":
        return ForcedCancelAll(account, eth_addr, OrderId(integer(document, "min_order_id")))
    raise CodecError(f"unknown L1 request type {kind!r}")


def encode_withdraw(withdraw: Withdraw) -> Json:
    """A signed L2 withdrawal."""
    return {
        "account_index": str(withdraw.account_index),
        "token": str(withdraw.token),
        "amount": str(withdraw.amount),
        "nonce": str(withdraw.nonce),
        "signature": encode_signature(withdraw.signature),
    }


def decode_withdraw(document: Json) -> Withdraw:
    """The inverse of :func:`encode_withdraw`."""
    return Withdraw(
        account_index=AccountIndex(integer(document, "account_index")),
        token=TokenId(integer(document, "token")),
        amount=Amount(integer(document, "amount")),
        nonce=Nonce(integer(document, "nonce")),
        signature=decode_signature(obj(document, "signature")),
    )


def encode_transaction(tx: Transaction) -> Json:
    """Any batch transaction, tagged with its type."""
    match tx:
        case Noop():
            return {"type": "noop"}
        case Deposit() | ForcedWithdraw() | ForcedCancelAll():
            return encode_l1_request(tx)
        case Withdraw():
            return {"type": "withdraw", **encode_withdraw(tx)}
        case Trade():
            return {
                "type": "trade",
                "maker": encode_signed_order(tx.maker),
                "taker": encode_signed_order(tx.taker),
                "fill_base": str(tx.fill_base),
                "fill_quote": str(tx.fill_quote),
                "maker_fee_bps": str(tx.maker_fee_bps),
                "taker_fee_bps": str(tx.taker_fee_bps),
            }
        case Cancel():
            return {
                "type": "cancel",
                "account_index": str(tx.account_index),
                "order_id": str(tx.order_id),
                "signature": encode_signature(tx.signature),
            }
        case CancelAll():
            return {
                "type": "cancel_all",
                "account_index": str(tx.account_index),
                "min_order_id": str(tx.min_order_id),
                "signature": encode_signature(tx.signature),
            }
        case _:
            assert_never(tx)
