"""
JSON encodings of the perpetual transactions, as ``codec`` writes the spot
ones: integers as decimal strings, enums by their names, every document
tagged with its type; decoding is as strict (``CodecError``).
"""

from typing import assert_never

from sequencer.spec.perpetual.transactions import (
    CollateralTransfer,
    Deleverage,
    FundingTick,
    Liquidation,
    OracleUpdate,
    PerpOrder,
    PerpTrade,
    PerpTransaction,
    SignedPerpOrder,
    SignedPrice,
)
from sequencer.spec.transactions import Noop
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp

from .codec import CodecError, Json, decode_kind, decode_side, decode_signature, encode_side, encode_signature, integer, obj


def encode_perp_order(order: PerpOrder) -> Json:
    """A perpetual order's signed fields."""
    return {
        "account_index": str(order.account_index),
        "order_id": str(order.order_id),
        "market": str(order.market),
        "side": encode_side(order.side),
        "price": str(order.price),
        "amount": str(order.amount),
        "max_fee_bps": str(order.max_fee_bps),
        "expiry": str(order.expiry),
        "kind": order.kind.value,
        "reduce_only": order.reduce_only,
    }


def decode_perp_order(document: Json) -> PerpOrder:
    """The inverse of :func:`encode_perp_order`."""
    return PerpOrder(
        account_index=AccountIndex(integer(document, "account_index")),
        order_id=OrderId(integer(document, "order_id")),
        market=integer(document, "market"),
        side=decode_side(document.get("side")),
        price=Price(integer(document, "price")),
        amount=Amount(integer(document, "amount")),
        max_fee_bps=integer(document, "max_fee_bps"),
        expiry=Timestamp(integer(document, "expiry")),
        kind=decode_kind(document.get("kind")),
        reduce_only=boolean(document, "reduce_only"),
    )


def decode_signed_perp_order(document: Json) -> SignedPerpOrder:
    """The inverse of :func:`encode_signed_perp_order`."""
    return SignedPerpOrder(decode_perp_order(obj(document, "order")), decode_signature(obj(document, "signature")))


def decode_collateral_transfer(document: Json) -> CollateralTransfer:
    """A collateral transfer from its tagged encoding (:func:`encode_perp_transaction`)."""
    return CollateralTransfer(
        AccountIndex(integer(document, "account_index")),
        Amount(integer(document, "amount")),
        boolean(document, "to_collateral"),
        Nonce(integer(document, "nonce")),
        decode_signature(obj(document, "signature")),
    )


def decode_oracle_update(document: Json) -> OracleUpdate:
    """An oracle update from its tagged encoding (:func:`encode_perp_transaction`)."""
    prices = document.get("prices")
    if not isinstance(prices, list) or not all(isinstance(p, dict) for p in prices):
        raise CodecError("prices must be a list of signed prices")
    return OracleUpdate(
        integer(document, "market"),
        tuple(
            SignedPrice(
                integer(p, "signer"),
                Price(integer(p, "price")),
                Timestamp(integer(p, "timestamp")),
                decode_signature(obj(p, "signature")),
            )
            for p in prices
        ),
    )


def decode_funding_tick(document: Json) -> FundingTick:
    """A funding tick from its tagged encoding (:func:`encode_perp_transaction`): signed rates as decimal strings."""
    rates = document.get("rates")
    if not isinstance(rates, list) or not all(isinstance(rate, str) and _signed_decimal(rate) for rate in rates):
        raise CodecError("rates must be a list of signed integers as decimal strings")
    return FundingTick(tuple(int(rate) for rate in rates))


def _signed_decimal(text: str) -> bool:
    """Whether ``text`` is a signed decimal integer of at most 80 digits."""
    digits = text.removeprefix("-")
    return 0 < len(digits) <= 80 and digits.isascii() and digits.isdigit()


def boolean(document: Json, name: str) -> bool:
    """A JSON boolean field."""
    value = document.get(name)
    if not isinstance(value, bool):
        raise CodecError(f"{name} must be true or false, got {value!r}")
    return value


def encode_signed_perp_order(signed: SignedPerpOrder) -> Json:
    """A perpetual order with its signature."""
    return {"order": encode_perp_order(signed.order), "signature": encode_signature(signed.signature)}


def encode_perp_transaction(tx: PerpTransaction) -> Json:
    """Any perpetual slot's transaction, tagged with its type."""
    match tx:
        case Noop():
            return {"type": "noop"}
        case OracleUpdate():
            prices = [
                {
                    "signer": str(p.signer),
                    "price": str(p.price),
                    "timestamp": str(p.timestamp),
                    "signature": encode_signature(p.signature),
                }
                for p in tx.prices
            ]
            return {"type": "oracle_update", "market": str(tx.market), "prices": prices}
        case FundingTick():
            return {"type": "funding_tick", "rates": [str(rate) for rate in tx.rates]}
        case PerpTrade():
            return {
                "type": "perp_trade",
                "maker": encode_signed_perp_order(tx.maker),
                "taker": encode_signed_perp_order(tx.taker),
                "fill": str(tx.fill),
                "maker_fee_bps": str(tx.maker_fee_bps),
                "taker_fee_bps": str(tx.taker_fee_bps),
            }
        case Liquidation():
            return {
                "type": "liquidation",
                "account_index": str(tx.account_index),
                "market": str(tx.market),
                "size": str(tx.size),
                "quote": str(tx.quote),
                "penalty": str(tx.penalty),
                "liquidator": None if tx.liquidator is None else encode_signed_perp_order(tx.liquidator),
            }
        case Deleverage():
            return {
                "type": "deleverage",
                "account_index": str(tx.account_index),
                "counterparty": str(tx.counterparty),
                "market": str(tx.market),
                "size": str(tx.size),
                "quote": str(tx.quote),
            }
        case CollateralTransfer():
            return {
                "type": "collateral_transfer",
                "account_index": str(tx.account_index),
                "amount": str(tx.amount),
                "to_collateral": tx.to_collateral,
                "nonce": str(tx.nonce),
                "signature": encode_signature(tx.signature),
            }
        case _:
            assert_never(tx)
