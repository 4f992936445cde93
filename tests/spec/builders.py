"""
Builders for test transactions: fixed keys, fixed addresses, signed orders.

Every private key comes from a counter, never from a random source, so tests
and vectors are the same on every run.
"""

from dataclasses import replace
from functools import cache

from sequencer.crypto.eddsa import PublicKey, Signature, private_to_public, sign
from sequencer.spec.constants import PRICE_SCALE, OrderKind, Side, TreeConfig
from sequencer.spec.transactions import (
    Cancel,
    CancelAll,
    Deposit,
    ForcedCancelAll,
    ForcedWithdraw,
    Order,
    SignedOrder,
    Trade,
    Withdraw,
    cancel_all_message,
    cancel_message,
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

SMALL = TreeConfig(account_depth=4, balance_depth=2, order_depth=2)
"""The tree sizes of the unit tests: 16 accounts, 2 tokens, 4 order slots."""

FEE = 0
ALICE = 1
BOB = 2
CAROL = 3
"""Account indices of the unit tests."""

BASE = TokenId(0)
QUOTE = TokenId(1)
NOW = Timestamp(1_700_000_000)
LATER = Timestamp(NOW + 3600)


def private_key(account: int) -> bytes:
    """The private key of the account with this index: the counter ``account + 1`` as 32 bytes."""
    return (account + 1).to_bytes(32, "big")


@cache
def public_key(account: int) -> PublicKey:
    """The public key of :func:`private_key`."""
    return private_to_public(private_key(account))


def eth_address(account: int) -> EthAddress:
    """A fixed, non-zero L1 address for the account with this index."""
    return EthAddress(0xA11CE0000000000000000000000000000000000 + account)


def price(quote_per_base: int) -> Price:
    """A whole-number price in the protocol's fixed-point format."""
    return Price(quote_per_base * PRICE_SCALE)


def deposit(account: int, token: TokenId, amount: int) -> Deposit:
    """A deposit into ``account``, carrying the account's fixed key and address."""
    key = public_key(account)
    return Deposit(
        account_index=AccountIndex(account),
        eth_addr=eth_address(account),
        ax=FieldElement(key.ax),
        ay=FieldElement(key.ay),
        token=token,
        amount=Amount(amount),
    )


def order(
    account: int,
    order_id: int,
    side: Side,
    limit: Price,
    amount: int,
    *,
    max_fee_bps: int = 30,
    expiry: Timestamp = LATER,
    base: TokenId = BASE,
    quote: TokenId = QUOTE,
    kind: OrderKind = OrderKind.LIMIT,
) -> Order:
    """An order of ``account`` on the ``base``/``quote`` market, of ``kind``."""
    return Order(
        account_index=AccountIndex(account),
        order_id=OrderId(order_id),
        base_token=base,
        quote_token=quote,
        side=side,
        price=limit,
        amount=Amount(amount),
        max_fee_bps=max_fee_bps,
        expiry=expiry,
        kind=kind,
    )


def signed(order_: Order, signer: int | None = None) -> SignedOrder:
    """``order_`` signed by its own account's key, or by ``signer``'s."""
    account = order_.account_index if signer is None else signer
    return SignedOrder(order_, sign(private_key(account), order_.message_hash()))


def trade(
    maker: Order,
    taker: Order,
    fill_base: int,
    *,
    fill_quote: int | None = None,
    maker_fee_bps: int = 0,
    taker_fee_bps: int = 0,
) -> Trade:
    """A trade of ``fill_base`` at the maker's price (or at ``fill_quote``), both orders signed."""
    if fill_quote is None:
        fill_quote = fill_base * maker.price // PRICE_SCALE
    return Trade(
        maker=signed(maker),
        taker=signed(taker),
        fill_base=Amount(fill_base),
        fill_quote=Amount(fill_quote),
        maker_fee_bps=maker_fee_bps,
        taker_fee_bps=taker_fee_bps,
    )


def withdraw(
    account: int, token: TokenId, amount: int, nonce: int, signer: int | None = None
) -> Withdraw:
    """A withdrawal signed by the account's key, or by ``signer``'s."""
    unsigned = Withdraw(
        account_index=AccountIndex(account),
        token=token,
        amount=Amount(amount),
        nonce=Nonce(nonce),
        signature=Signature(0, 0, 0),
    )
    key = private_key(account if signer is None else signer)
    return replace(unsigned, signature=sign(key, unsigned.message_hash()))


def cancel(account: int, order_id: int, signer: int | None = None) -> Cancel:
    """A cancel of the account's order ``order_id``, signed by its key or by ``signer``'s."""
    key = private_key(account if signer is None else signer)
    message = cancel_message(AccountIndex(account), OrderId(order_id))
    return Cancel(AccountIndex(account), OrderId(order_id), sign(key, message))


def cancel_all(account: int, min_order_id: int, signer: int | None = None) -> CancelAll:
    """A cancel-all of the account's orders below ``min_order_id``, signed by its key or by ``signer``'s."""
    key = private_key(account if signer is None else signer)
    message = cancel_all_message(AccountIndex(account), OrderId(min_order_id))
    return CancelAll(AccountIndex(account), OrderId(min_order_id), sign(key, message))


def forced_withdraw(account: int, token: TokenId) -> ForcedWithdraw:
    """A forced withdrawal request sent on L1 by the account's own address."""
    return ForcedWithdraw(AccountIndex(account), eth_address(account), token)


def forced_cancel_all(account: int, min_order_id: int) -> ForcedCancelAll:
    """A forced cancel-all request sent on L1 by the account's own address."""
    return ForcedCancelAll(AccountIndex(account), eth_address(account), OrderId(min_order_id))
