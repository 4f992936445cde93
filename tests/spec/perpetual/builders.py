"""
Builders for perpetual-futures tests: one market, three oracles, signed
orders, prices and transfers, from the spot tests' fixed keys.

The market's quantum is 1 (a lot is worth its price in ticks, in collateral
ticks) and its margins 10 % and 5 %, so that the boundaries the tests probe
fall on whole ticks: a long of 100 lots bought for 10,000 collateral with
500 of its own is at its maintenance boundary exactly at price 100 (value
500, requirement 500).
"""

from functools import cache

from sequencer.crypto.eddsa import PublicKey, private_to_public, sign
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.state import PerpConfig, PerpMarketParams
from sequencer.spec.perpetual.transactions import (
    CollateralTransfer,
    OracleUpdate,
    PerpOrder,
    PerpTrade,
    SignedPerpOrder,
    SignedPrice,
    collateral_transfer_message,
    oracle_price_message,
)
from sequencer.spec.state import State
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp
from tests.spec.builders import LATER, NOW, QUOTE, SMALL, private_key

COLLATERAL = QUOTE
"""The collateral token: the spot tests' quote token."""

FUND = AccountIndex(5)
"""The insurance fund's account."""

MARKET = 0
"""The one perpetual market of the tests."""

QUANTUM = 1
"""Collateral ticks per lot per tick."""

INITIAL_MARGIN = 100_000
MAINTENANCE_MARGIN = 50_000
"""10 % and 5 %, in parts per million."""

MAX_FUNDING_RATE = 10**6
"""One millionth of the price per second."""

OPEN_INTEREST_CAP = 1_000
MAX_PENALTY = 10_000
"""A liquidation penalty of at most 1 % of the quote amount."""

ORACLES = (100, 101, 102, 103)
"""The key seeds of the four oracles; any three make a quorum."""

QUORUM = 3

WINDOW = 60
"""How old a signed price may be when an update uses it."""

MAX_PRICE_AGE = 600
"""How old a market's price may be when a transaction values positions at it."""


def oracle_key(signer: int) -> bytes:
    """The private key of oracle ``signer``."""
    return private_key(ORACLES[signer])


@cache
def config() -> PerpConfig:
    """The tests' deployment: one market, a quorum of three of four oracles."""
    oracle_keys: tuple[PublicKey, ...] = tuple(private_to_public(oracle_key(i)) for i in range(len(ORACLES)))
    return PerpConfig(
        collateral_token=COLLATERAL,
        markets=(PerpMarketParams(QUANTUM, INITIAL_MARGIN, MAINTENANCE_MARGIN, MAX_FUNDING_RATE, OPEN_INTEREST_CAP),),
        oracle_keys=oracle_keys,
        oracle_quorum=QUORUM,
        oracle_window=WINDOW,
        max_price_age=MAX_PRICE_AGE,
        insurance_fund=FUND,
        max_liquidation_penalty=MAX_PENALTY,
    )


def fresh_ledger(perp_config: PerpConfig) -> PerpLedger:
    """A ledger of ``perp_config`` over a state of its own, at genesis: for tests that need no spot side."""
    return PerpLedger(perp_config, State.genesis(SMALL, perp_config_hash(perp_config)))


def ticks(count: int) -> Price:
    """A price of ``count`` ticks: ``count`` collateral ticks per lot at the tests' quantum."""
    return Price(count)


def signed_price(signer: int, price: int, timestamp: int = NOW, market: int = MARKET) -> SignedPrice:
    """Oracle ``signer``'s signature of ``price`` ticks at ``timestamp``."""
    signature = sign(oracle_key(signer), oracle_price_message(market, Price(price), Timestamp(timestamp)))
    return SignedPrice(signer, Price(price), Timestamp(timestamp), signature)


def price_update(price: int, timestamp: int = NOW, market: int = MARKET) -> OracleUpdate:
    """Oracles 0, 1 and 2 all sign ``price`` at ``timestamp``: a quorum agreeing on it."""
    return OracleUpdate(market, tuple(signed_price(signer, price, timestamp, market) for signer in range(QUORUM)))


def perp_order(
    account: int,
    order_id: int,
    side: Side,
    price: int,
    amount: int,
    *,
    market: int = MARKET,
    max_fee_bps: int = 100,
    expiry: int = LATER,
    kind: OrderKind = OrderKind.LIMIT,
    reduce_only: bool = False,
) -> SignedPerpOrder:
    """A perpetual order of ``account`` signed with its fixed key."""
    order = PerpOrder(
        account_index=AccountIndex(account),
        order_id=OrderId(order_id),
        market=market,
        side=side,
        price=Price(price),
        amount=Amount(amount),
        max_fee_bps=max_fee_bps,
        expiry=Timestamp(expiry),
        kind=kind,
        reduce_only=reduce_only,
    )
    return SignedPerpOrder(order, sign(private_key(account), order.message_hash()))


def perp_trade(
    maker: SignedPerpOrder, taker: SignedPerpOrder, fill: int, maker_fee_bps: int = 0, taker_fee_bps: int = 0
) -> PerpTrade:
    """A fill of ``fill`` lots at the maker's price."""
    return PerpTrade(maker, taker, Amount(fill), maker_fee_bps, taker_fee_bps)


def transfer(account: int, amount: int, nonce: int, to_collateral: bool = True) -> CollateralTransfer:
    """A signed move of ``amount`` between ``account``'s spot balance and its collateral."""
    message = collateral_transfer_message(AccountIndex(account), Amount(amount), to_collateral, Nonce(nonce))
    return CollateralTransfer(
        AccountIndex(account), Amount(amount), to_collateral, Nonce(nonce), sign(private_key(account), message)
    )


BUY, SELL = Side.BUY, Side.SELL
