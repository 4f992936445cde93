"""What every route module of the API shares: path parameters, a request's signature, a write's acceptance."""

from typing import Annotated

from fastapi import Path

from sequencer.crypto.eddsa import Signature
from sequencer.engine.market import Market
from sequencer.spec.constants import MAX_ACCOUNT_DEPTH, Side
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId

from .intake import Accepted
from .schemas import PlaceOrderIn, SignatureIn

AccountPath = Annotated[int, Path(ge=0, lt=2**MAX_ACCOUNT_DEPTH, description="account index")]
MarketPath = Annotated[str, Path(min_length=1, max_length=64)]


def signature(document: SignatureIn) -> Signature:
    """A request's signature."""
    return Signature(document.r8x, document.r8y, document.s)


def signed_order(request: PlaceOrderIn, market: Market) -> SignedOrder:
    """The signed order a placement carries, on ``market``'s tokens (which the signature covers)."""
    fields = request.order
    order = Order(
        account_index=AccountIndex(fields.account_index),
        order_id=OrderId(fields.order_id),
        base_token=TokenId(market.base_token),
        quote_token=TokenId(market.quote_token),
        side=Side.BUY if fields.side == "buy" else Side.SELL,
        price=Price(fields.price),
        amount=Amount(fields.amount),
        max_fee_bps=fields.max_fee_bps,
        expiry=Timestamp(fields.expiry),
        kind=fields.kind,
    )
    return SignedOrder(order, signature(request.signature))


def accepted(result: Accepted | None) -> Accepted:
    """A trader command's acceptance, with its receipt (the intake returns None only for seals and ticks)."""
    if result is None or result.receipt is None:
        raise RuntimeError("a trader command was accepted without a receipt")
    return result
