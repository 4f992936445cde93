"""
JSON encodings of the perpetual transactions, as ``codec`` writes the spot
ones: integers as decimal strings, enums by their names, every document
tagged with its type.
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
)
from sequencer.spec.transactions import Noop

from .codec import Json, encode_side, encode_signature


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
