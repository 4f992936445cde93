"""
What every route module of the API shares: path parameters, a request's
signature, the command each write request carries (which a sequencer set
node's API builds alike), a write's acceptance.
"""

from typing import Annotated

from fastapi import Path

from sequencer.crypto.eddsa import Signature
from sequencer.engine.cancels import CancelAllBelow, CancelOrder, SignedCancel, SignedCancelAll
from sequencer.engine.market import Market
from sequencer.spec.constants import MAX_ACCOUNT_DEPTH, Side
from sequencer.spec.transactions import Order, SignedOrder, Withdraw
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp, TokenId

from .commands import Cancel, CancelAllOrders, RequestWithdrawal
from .intake import Accepted
from .schemas import CancelAllIn, CancelIn, PlaceOrderIn, SignatureIn, WithdrawIn

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


def cancel_command(request: CancelIn) -> Cancel:
    """The cancel a request carries."""
    cancel = CancelOrder(AccountIndex(request.account_index), OrderId(request.order_id))
    return Cancel(SignedCancel(cancel, signature(request.signature)))


def cancel_all_command(request: CancelAllIn) -> CancelAllOrders:
    """The cancel-all a request carries."""
    cancel_all = CancelAllBelow(AccountIndex(request.account_index), OrderId(request.min_order_id))
    return CancelAllOrders(SignedCancelAll(cancel_all, signature(request.signature)))


def withdrawal_command(request: WithdrawIn) -> RequestWithdrawal:
    """The withdrawal a request carries."""
    withdraw = Withdraw(
        AccountIndex(request.account_index),
        TokenId(request.token),
        Amount(request.amount),
        Nonce(request.nonce),
        signature(request.signature),
    )
    return RequestWithdrawal(withdraw)


def accepted(result: Accepted | None) -> Accepted:
    """A trader command's acceptance, with its receipt (the intake returns None only for seals and ticks)."""
    if result is None or result.receipt is None:
        raise RuntimeError("a trader command was accepted without a receipt")
    return result
