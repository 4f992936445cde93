"""What the end-to-end traders do on L2: sign WETH/USDC orders, cancel-alls and withdrawals with their derived keys."""

from eth_account.signers.local import LocalAccount

from sequencer.devnet import Devnet
from sequencer.engine.book import Fill
from sequencer.engine.cancels import CancelAllBelow, SignedCancelAll
from sequencer.engine.orders import OrderRecord
from sequencer.spec.constants import Side
from sequencer.spec.transactions import Order, SignedOrder, Withdraw, withdraw_message
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp, TokenId
from tests.e2e.conftest import USDC, WETH

MARKET = "WETH-USDC"


def account_of(devnet: Devnet, trader: LocalAccount) -> AccountIndex:
    """The trader's rollup account (it must have deposited)."""
    index = devnet.rollup.account_index(trader.address)
    assert index is not None
    return index


def place(
    devnet: Devnet, trader: LocalAccount, order_id: int, side: Side, price: int, amount: int, lifetime: int = 3600
) -> list[Fill]:
    """Sign a WETH/USDC limit order valid for ``lifetime`` seconds and give it to the operator; returns its fills."""
    order = Order(
        account_of(devnet, trader), OrderId(order_id), TokenId(WETH), TokenId(USDC), side, Price(price),
        Amount(amount), 30, Timestamp(devnet.now() + lifetime),
    )  # fmt: skip
    signed = SignedOrder(order, devnet.l2_key(trader).sign(order.message_hash()))
    return devnet.operator.place_order(MARKET, signed, devnet.now())


def cancel_all(devnet: Devnet, trader: LocalAccount, below: int) -> list[OrderRecord]:
    """Sign a cancel-all of the trader's orders below ``below`` and give it to the operator; returns what it closed."""
    request = CancelAllBelow(account_of(devnet, trader), OrderId(below))
    signed = SignedCancelAll(request, devnet.l2_key(trader).sign(request.message_hash()))
    return devnet.operator.cancel_all(signed, devnet.now())


def withdraw(devnet: Devnet, trader: LocalAccount, token: int, amount: int) -> None:
    """Sign an L2 withdrawal of ``amount`` of ``token`` and give it to the operator."""
    index = account_of(devnet, trader)
    nonce = Nonce(devnet.operator.head.get_account(index).nonce)
    signature = devnet.l2_key(trader).sign(withdraw_message(index, TokenId(token), Amount(amount), nonce))
    devnet.operator.withdraw(Withdraw(index, TokenId(token), Amount(amount), nonce, signature))
