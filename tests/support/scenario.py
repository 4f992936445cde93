"""
Small rollup scenarios for tests: an operator and traders with fixed keys,
funded by deposits, and helpers that sign orders and withdrawals.

Keys come from fixed seeds, so every run builds the same states and roots.
"""

from dataclasses import dataclass, field

from sequencer.crypto.eddsa import PublicKey, private_to_public, sign
from sequencer.spec.constants import OrderKind, Side, TreeConfig
from sequencer.spec.public_data import advance_chain
from sequencer.spec.state import State
from sequencer.spec.transactions import (
    Cancel,
    CancelAll,
    Deposit,
    Order,
    SignedOrder,
    Trade,
    Withdraw,
    cancel_all_message,
    cancel_message,
    withdraw_message,
)
from sequencer.spec.batch import apply_batch
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

UNIT = 10**18
"""One whole token in base units (18 decimals)."""

BASE = TokenId(0)
QUOTE = TokenId(1)
NOW = Timestamp(1_700_000_000)
"""The timestamp every test batch uses unless a test says otherwise."""


@dataclass(frozen=True)
class Trader:
    """An account of the scenario: its index, L1 address and L2 key."""

    index: AccountIndex
    eth_addr: EthAddress
    private_key: bytes
    public_key: PublicKey

    @classmethod
    def numbered(cls, index: int) -> "Trader":
        """Trader ``index``, with a key and address derived from the number alone."""
        private_key = bytes([index + 1]) * 32
        return cls(
            AccountIndex(index),
            EthAddress(0x1000 + index),
            private_key,
            private_to_public(private_key),
        )

    def order(
        self,
        order_id: int,
        side: Side,
        price: int,
        amount: int,
        max_fee_bps: int = 50,
        expiry: int = NOW + 3600,
        signer: bytes | None = None,
        kind: OrderKind = OrderKind.LIMIT,
    ) -> SignedOrder:
        """An order of this trader on the BASE/QUOTE market, of ``kind``, signed by ``signer`` or its own key."""
        order = Order(
            self.index,
            OrderId(order_id),
            BASE,
            QUOTE,
            side,
            Price(price),
            Amount(amount),
            max_fee_bps,
            Timestamp(expiry),
            kind,
        )
        return SignedOrder(order, sign(signer or self.private_key, order.message_hash()))

    def cancel(self, order_id: int, signer: bytes | None = None) -> Cancel:
        """A cancel of this trader's order ``order_id``, signed by ``signer`` or its own key."""
        message = cancel_message(self.index, OrderId(order_id))
        return Cancel(self.index, OrderId(order_id), sign(signer or self.private_key, message))

    def cancel_all(self, min_order_id: int, signer: bytes | None = None) -> CancelAll:
        """A cancel-all of this trader's orders below ``min_order_id``, signed by ``signer`` or its own key."""
        message = cancel_all_message(self.index, OrderId(min_order_id))
        return CancelAll(self.index, OrderId(min_order_id), sign(signer or self.private_key, message))

    def withdraw(self, token: TokenId, amount: int, nonce: int, signer: bytes | None = None) -> Withdraw:
        """A withdrawal of this trader, signed by ``signer`` or its own key."""
        message = withdraw_message(self.index, token, Amount(amount), Nonce(nonce))
        return Withdraw(
            self.index, token, Amount(amount), Nonce(nonce), sign(signer or self.private_key, message)
        )

    def deposit(self, token: TokenId, amount: int, creates: bool) -> Deposit:
        """A deposit request; the key travels only with the one that creates the account."""
        ax, ay = (self.public_key.ax, self.public_key.ay) if creates else (0, 0)
        return Deposit(
            self.index, self.eth_addr, FieldElement(ax), FieldElement(ay), token, Amount(amount)
        )


def trade(
    maker: SignedOrder, taker: SignedOrder, fill_base: int, maker_fee_bps: int = 0, taker_fee_bps: int = 0
) -> Trade:
    """A trade of ``fill_base`` at the maker's price, each side paying its fee rate."""
    fill_quote = fill_base * maker.order.price // UNIT
    return Trade(maker, taker, Amount(fill_base), Amount(fill_quote), maker_fee_bps, taker_fee_bps)


@dataclass
class Scenario:
    """
    A state with the operator (account 0) and two funded traders, and the L1
    request chain as far as the deposits that funded them.

    Trader 1 holds 100 BASE and 10,000 QUOTE; trader 2 holds 50 BASE and
    1,000,000 QUOTE.
    """

    config: TreeConfig
    state: State
    chain: FieldElement
    operator: Trader
    traders: list[Trader] = field(default_factory=list)

    @classmethod
    def funded(cls, config: TreeConfig) -> "Scenario":
        """Genesis, then the deposits that create and fund the operator and two traders."""
        operator, one, two = (Trader.numbered(i) for i in range(3))
        deposits = [
            operator.deposit(BASE, 0, creates=True),
            one.deposit(BASE, 100 * UNIT, creates=True),
            two.deposit(QUOTE, 1_000_000 * UNIT, creates=True),
            one.deposit(QUOTE, 10_000 * UNIT, creates=False),
            two.deposit(BASE, 50 * UNIT, creates=False),
        ]
        state = State.genesis(config)
        apply_batch(state, deposits, NOW)
        return cls(config, state, advance_chain(FieldElement(0), deposits), operator, [one, two])
