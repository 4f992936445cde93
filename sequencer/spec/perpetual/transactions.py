"""
The transactions of perpetual futures (``docs/DESIGN.md``, "Perpetual futures").

Traders sign perpetual orders and collateral transfers; oracles sign
prices; the operator sends funding ticks, liquidations and deleveragings,
which need no signature of the accounts they act on because the rules
(an account below maintenance margin, a deficit the insurance fund cannot
cover) are what authorise them.
"""

from dataclasses import dataclass

from sequencer.crypto.eddsa import Signature
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.transactions import Noop, signed_message
from sequencer.spec.types import AccountIndex, Amount, FieldElement, Nonce, OrderId, Price, Timestamp

from .constants import COLLATERAL_TRANSFER_MESSAGE_TAG, ORACLE_PRICE_MESSAGE_TAG, PERP_ORDER_MESSAGE_TAG


@dataclass(frozen=True)
class PerpOrder:
    """
    An order to trade up to ``amount`` lots of ``market`` at ``price`` ticks
    or better until ``expiry``: buying opens or grows a long position (or
    shrinks a short one), selling the reverse. A ``reduce_only`` order may
    only shrink its account's position, never open, grow or flip it.
    ``max_fee_bps`` bounds the fee, a share of the notional, in collateral.
    (``price`` and ``amount`` reuse spot's types for the rules both share;
    here they count ticks and lots.)
    """

    account_index: AccountIndex
    order_id: OrderId
    market: int
    side: Side
    price: Price
    amount: Amount
    max_fee_bps: int
    expiry: Timestamp
    kind: OrderKind = OrderKind.LIMIT
    reduce_only: bool = False

    def message_hash(self) -> FieldElement:
        """The message the account signs: its tag and all eleven inputs' worth of fields."""
        return signed_message(
            [
                PERP_ORDER_MESSAGE_TAG,
                self.account_index,
                self.order_id,
                self.market,
                self.side,
                self.price,
                self.amount,
                self.max_fee_bps,
                self.expiry,
                self.kind.code,
                int(self.reduce_only),
            ]
        )


@dataclass(frozen=True)
class SignedPerpOrder:
    """A perpetual order with its account's signature of :meth:`PerpOrder.message_hash`."""

    order: PerpOrder
    signature: Signature


@dataclass(frozen=True)
class PerpTrade:
    """
    A fill of ``fill`` lots between a resting ``maker`` and an incoming
    ``taker`` order of one market, at the maker's price: the buyer pays the
    seller ``fill * price * quantum`` collateral for the position. Each side
    pays its fee rate of that notional, rounded down, to the fee account.
    """

    maker: SignedPerpOrder
    taker: SignedPerpOrder
    fill: Amount
    maker_fee_bps: int
    taker_fee_bps: int


def oracle_price_message(market: int, price: Price, timestamp: Timestamp) -> FieldElement:
    """The message an oracle signs: ``market``'s price, ``price`` ticks, at ``timestamp``."""
    return signed_message([ORACLE_PRICE_MESSAGE_TAG, market, price, timestamp])


@dataclass(frozen=True)
class SignedPrice:
    """One oracle's signed price: ``signer`` is its index in the configuration's key set."""

    signer: int
    price: Price
    timestamp: Timestamp
    signature: Signature


@dataclass(frozen=True)
class OracleUpdate:
    """A market's new oracle price: the median of a quorum of signed prices, in ascending order of signer."""

    market: int
    prices: tuple[SignedPrice, ...]


@dataclass(frozen=True)
class FundingTick:
    """Move every market's funding index by its rate (one per market, signed: positive, longs pay shorts)."""

    rates: tuple[int, ...]


@dataclass(frozen=True)
class Liquidation:
    """
    Close ``size`` lots of ``account_index``'s position in ``market``
    for ``quote`` collateral, against the signed order of a ``liquidator``
    (its account takes the opposite side) or, with no order, against the
    insurance fund; ``penalty`` collateral of the liquidated account goes to
    the insurance fund.
    """

    account_index: AccountIndex
    market: int
    size: Amount
    quote: Amount
    penalty: Amount
    liquidator: SignedPerpOrder | None = None


@dataclass(frozen=True)
class Deleverage:
    """
    Close ``size`` lots of a bankrupt account's position in ``market``
    against ``counterparty``'s opposite position, at the bankrupt account's
    bankruptcy price: ``quote`` collateral.
    """

    account_index: AccountIndex
    counterparty: AccountIndex
    market: int
    size: Amount
    quote: Amount


def collateral_transfer_message(
    account_index: AccountIndex, amount: Amount, to_collateral: bool, nonce: Nonce
) -> FieldElement:
    """The message an account signs to move ``amount`` between its spot balance and its collateral."""
    return signed_message([COLLATERAL_TRANSFER_MESSAGE_TAG, account_index, amount, int(to_collateral), nonce])


@dataclass(frozen=True)
class CollateralTransfer:
    """
    Move ``amount`` of the collateral token from the account's spot balance
    into its collateral (``to_collateral``), or back; signed at the
    account's nonce, which withdrawals share, so it applies once.
    """

    account_index: AccountIndex
    amount: Amount
    to_collateral: bool
    nonce: Nonce
    signature: Signature

    def message_hash(self) -> FieldElement:
        """The message the account signs for this transfer."""
        return collateral_transfer_message(self.account_index, self.amount, self.to_collateral, self.nonce)


PerpTransaction = Noop | OracleUpdate | FundingTick | PerpTrade | Liquidation | Deleverage | CollateralTransfer
"""What one perpetual slot of a batch holds (a noop pads the slots a batch does not use)."""
