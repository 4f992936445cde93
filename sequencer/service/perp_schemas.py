"""
The perpetual markets' request and response documents, as ``schemas``
writes the spot ones. Values that may be negative (collateral, positions,
funding indices, an account's value) travel as signed decimal strings.
"""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from sequencer.spec.constants import OrderKind
from sequencer.spec.perpetual.constants import PERP_PRICE_BITS, SIZE_BITS

from .schemas import (
    AccountIndexField,
    ClientOrderId,
    Count,
    FeeBpsField,
    MarketName,
    NonceField,
    OrderIdField,
    OrderOut,
    ReceiptOut,
    Request,
    Response,
    SideName,
    SignatureIn,
    U64,
    U96,
    AS_STRING,
    decimal_schema,
    integer_schema,
    uint_parser,
)

Size = Annotated[int, BeforeValidator(uint_parser(SIZE_BITS)), AS_STRING, WithJsonSchema(decimal_schema(SIZE_BITS))]
"""An order's size, in lots."""
PerpPrice = Annotated[
    int, BeforeValidator(uint_parser(PERP_PRICE_BITS)), AS_STRING, WithJsonSchema(decimal_schema(PERP_PRICE_BITS))
]
"""A price, in ticks."""
PerpMarketId = Annotated[int, BeforeValidator(uint_parser(8)), WithJsonSchema(integer_schema(8))]
OracleSigner = Annotated[int, BeforeValidator(uint_parser(8)), WithJsonSchema(integer_schema(8))]

_SIGNED_SCHEMA: dict[str, Any] = {"type": "string", "pattern": "^-?[0-9]+$", "description": "a signed integer as a decimal string"}
Signed = Annotated[int, PlainSerializer(str, return_type=str, when_used="json"), WithJsonSchema(_SIGNED_SCHEMA)]
"""A signed integer of a response (collateral, a position, a funding index, a value)."""


# ---------------------------------------------------------------- requests


class PerpOrderIn(Request):
    """
    The fields of a signed perpetual order; signed ``PerpOrder.message_hash``
    (``docs/DESIGN.md``, "Perpetual trade"), the market by its id.
    """

    account_index: AccountIndexField
    order_id: OrderIdField
    market: PerpMarketId
    side: SideName
    price: PerpPrice
    amount: Size
    max_fee_bps: FeeBpsField
    expiry: U64
    kind: OrderKind = OrderKind.LIMIT
    reduce_only: bool = False


class PlacePerpOrderIn(Request):
    """Place a perpetual order in the market named ``market`` (the order signs its id), with an optional client order id."""

    market: MarketName
    client_order_id: ClientOrderId | None = None
    order: PerpOrderIn
    signature: SignatureIn


class CollateralTransferIn(Request):
    """Move ``amount`` of the collateral token into collateral (or out of it); signed at the account's nonce."""

    account_index: AccountIndexField
    amount: U96
    to_collateral: bool
    nonce: NonceField
    signature: SignatureIn


class SignedPriceIn(Request):
    """Oracle ``signer``'s signature of ``price`` for the market at ``timestamp``."""

    signer: OracleSigner
    price: PerpPrice
    timestamp: U64
    signature: SignatureIn


class OraclePricesIn(Request):
    """A quorum's signed prices for one market, signers in ascending order."""

    market: PerpMarketId
    prices: Annotated[list[SignedPriceIn], Field(min_length=1, max_length=32)]


# ---------------------------------------------------------------- responses


class PerpTradeSideOut(Response):
    """One side of a perpetual trade: its account, order and fee (collateral units)."""

    account_index: AccountIndexField
    order_id: OrderIdField
    fee: U96


class PerpTradeOut(Response):
    """A perpetual fill: ``size`` lots at the maker's ``price``, ``notional`` collateral units."""

    trade_id: Count
    market: str
    time: U64
    price: PerpPrice
    size: Size
    notional: U96
    taker_side: SideName
    maker: PerpTradeSideOut
    taker: PerpTradeSideOut


class PlacePerpOrderOut(Response):
    """
    A placed perpetual order, its trades, own orders it cancelled
    (self-trade prevention), makers cancelled because the spec no longer
    lets them fill, and its receipt.
    """

    order: OrderOut
    trades: list[PerpTradeOut]
    self_trade_cancels: list[OrderOut]
    unfillable_cancels: list[OrderOut]
    receipt: ReceiptOut


class CloseOut(Response):
    """A liquidation (against the insurance fund) or a deleveraging (against ``counterparty``) the sequencer applied."""

    kind: Literal["liquidation", "deleverage"]
    account_index: AccountIndexField
    market: PerpMarketId
    size: Size
    quote: U96
    penalty: U96 | None
    counterparty: AccountIndexField | None


class PricesOut(Response):
    """An accepted oracle update: the closes it started, and its receipt."""

    closes: list[CloseOut]
    receipt: ReceiptOut


class CollateralTransferOut(Response):
    """An accepted collateral transfer: the account's collateral after it, and the receipt."""

    collateral: Signed
    receipt: ReceiptOut


class PerpMarketOut(Response):
    """
    A perpetual market: its parameters (margins in parts per million, the
    funding rate per second times ``FUNDING_RATE_SCALE``), the engine's fees
    and sizes, and its state (price, funding, open interest).
    """

    name: str
    market: PerpMarketId
    quantum: U64
    initial_margin: Count
    maintenance_margin: Count
    max_funding_rate: U96
    open_interest_cap: Size
    maker_fee_bps: FeeBpsField
    taker_fee_bps: FeeBpsField
    min_size: Size
    max_size: Size
    oracle_price: PerpPrice
    oracle_time: U64
    funding_index: Signed
    funding_time: U64
    open_interest: Size


class PositionOut(Response):
    """A position: its size (long above zero), its notional at the oracle price, and funding not yet settled (negative: owed)."""

    market: PerpMarketId
    size: Signed
    notional: Signed
    unsettled_funding: Signed


class PerpAccountOut(Response):
    """
    An account's perpetual side, its funding settled: collateral, positions,
    value at the oracle prices, its initial and maintenance requirements,
    how much it may still lose before it can be liquidated (negative: it
    can be now), its margin ratio (value over maintenance requirement, null
    without positions) and how much collateral it may take out.
    """

    account_index: AccountIndexField
    collateral: Signed
    positions: list[PositionOut]
    value: Signed
    initial_requirement: Signed
    maintenance_requirement: Signed
    to_liquidation: Signed
    liquidatable: bool
    margin_ratio: str | None
    withdrawable: Signed
