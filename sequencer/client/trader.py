"""
A trader's signing side: their L2 key and account, and the signed requests
the sequencer takes (orders, cancels, cancel-alls, withdrawals), plus the
check of the sequencer's receipts.

The L2 key is derived from the trader's Ethereum key for the deployment the
sequencer serves (``docs/DESIGN.md``, key derivation), so a trader needs
nothing but their Ethereum key.
"""

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount

from sequencer.crypto.keys import L2Keypair
from sequencer.engine.cancels import CancelAllBelow, CancelOrder, SignedCancel, SignedCancelAll
from sequencer.spec.constants import OrderKind, Side
from sequencer.service.commands import Command, PlaceOrder, PlacePerpOrder, request_hash
from sequencer.service.receipts import Receipt, ReceiptDomain, recover_signer
from sequencer.service.perp_schemas import PerpMarketOut
from sequencer.service.schemas import AccountOut, InfoOut, MarketOut, ReceiptOut
from sequencer.spec.perpetual.transactions import (
    CollateralTransfer,
    PerpOrder,
    SignedPerpOrder,
    collateral_transfer_message,
)
from sequencer.spec.transactions import Order, SignedOrder, Withdraw, withdraw_message
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp, TokenId


@dataclass(frozen=True)
class Trader:
    """An account and the L2 key that signs for it."""

    account_index: AccountIndex
    keys: L2Keypair

    @classmethod
    def from_eth_account(cls, account: LocalAccount, info: InfoOut, account_index: int) -> "Trader":
        """The trader of ``account`` on the deployment ``info`` describes."""
        return cls(AccountIndex(account_index), L2Keypair.from_eth_account(account, info.chain_id, info.rollup))

    def order(
        self,
        market: MarketOut,
        order_id: int,
        side: Side,
        price: int,
        amount: int,
        max_fee_bps: int,
        expiry: int,
        kind: OrderKind = OrderKind.LIMIT,
        client_order_id: str | None = None,
    ) -> PlaceOrder:
        """
        A signed order of ``kind`` in ``market``. For a market order,
        ``price`` is the worst price it may trade at.
        """
        order = Order(
            account_index=self.account_index,
            order_id=OrderId(order_id),
            base_token=TokenId(market.base_token),
            quote_token=TokenId(market.quote_token),
            side=side,
            price=Price(price),
            amount=Amount(amount),
            max_fee_bps=max_fee_bps,
            expiry=Timestamp(expiry),
            kind=kind,
        )
        signed = SignedOrder(order, self.keys.sign(order.message_hash()))
        return PlaceOrder(market.name, signed, client_order_id)

    def perp_order(
        self,
        market: PerpMarketOut,
        order_id: int,
        side: Side,
        price: int,
        size: int,
        max_fee_bps: int,
        expiry: int,
        kind: OrderKind = OrderKind.LIMIT,
        reduce_only: bool = False,
        client_order_id: str | None = None,
    ) -> PlacePerpOrder:
        """A signed perpetual order of ``size`` lots at ``price`` ticks in ``market``."""
        order = PerpOrder(
            account_index=self.account_index,
            order_id=OrderId(order_id),
            market=market.market,
            side=side,
            price=Price(price),
            amount=Amount(size),
            max_fee_bps=max_fee_bps,
            expiry=Timestamp(expiry),
            kind=kind,
            reduce_only=reduce_only,
        )
        return PlacePerpOrder(market.name, SignedPerpOrder(order, self.keys.sign(order.message_hash())), client_order_id)

    def collateral_transfer(self, amount: int, to_collateral: bool, nonce: int) -> CollateralTransfer:
        """A signed move of ``amount`` of the collateral token into (or out of) collateral, at the account's ``nonce``."""
        message = collateral_transfer_message(self.account_index, Amount(amount), to_collateral, Nonce(nonce))
        return CollateralTransfer(self.account_index, Amount(amount), to_collateral, Nonce(nonce), self.keys.sign(message))

    def cancel(self, order_id: int) -> SignedCancel:
        """A signed cancel of one of the trader's orders."""
        cancel = CancelOrder(self.account_index, OrderId(order_id))
        return SignedCancel(cancel, self.keys.sign(cancel.message_hash()))

    def cancel_all(self, min_order_id: int) -> SignedCancelAll:
        """
        A signed cancel-all of the trader's orders below ``min_order_id``,
        which must be above the account's (``highest_order_id`` + 1 cancels them all).
        """
        cancel_all = CancelAllBelow(self.account_index, OrderId(min_order_id))
        return SignedCancelAll(cancel_all, self.keys.sign(cancel_all.message_hash()))

    def withdraw(self, token: int, amount: int, nonce: int) -> Withdraw:
        """A signed withdrawal at the account's current ``nonce``."""
        message = withdraw_message(self.account_index, TokenId(token), Amount(amount), Nonce(nonce))
        return Withdraw(self.account_index, TokenId(token), Amount(amount), Nonce(nonce), self.keys.sign(message))


def next_order_id(account: AccountOut) -> int:
    """
    An order id the sequencer will take (``account.next_order_id``: above
    every id used in its slot, at least ``min_order_id``, in a slot no open
    order holds, within the slot's window).

    Raises
    ------
    ValueError
        No slot has one: cancel an order, or cancel all of them.
    """
    if account.next_order_id is None:
        raise ValueError("no order slot is free: every one holds an open order or has used its ids up; cancel first")
    return account.next_order_id


def receipt_is_valid(receipt: ReceiptOut, command: Command, info: InfoOut) -> bool:
    """Whether ``receipt`` is the sequencer's (``info.sequencer``) signature over ``command``."""
    parsed = Receipt.from_json(receipt.model_dump(mode="json"))
    if parsed.request_hash != request_hash(command) or parsed.signer != info.sequencer:
        return False
    return recover_signer(parsed, ReceiptDomain(info.chain_id, info.rollup)) == info.sequencer
