"""
The HTTP API's request and response documents (pydantic models; they are
also the OpenAPI schema and what the Python client parses).

Integers that can exceed 2**53 (amounts, prices, keys, signatures, expiries,
nonces) travel as decimal strings; requests may also give them as JSON
integers. Every integer a request gives is checked against its bit width
here, so an out-of-range, negative, fractional or non-numeric value is
refused before it reaches the sequencer.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from sequencer.engine.orders import CloseReason, OrderStatus
from sequencer.spec.constants import OrderKind

MAX_DIGITS = 80
"""A decimal string longer than this is refused unread (no value of the API needs more than 78)."""


def uint_parser(bits: int) -> Callable[[object], int]:
    """A validator taking a JSON integer or decimal string below ``2**bits``."""

    def parse(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and 0 < len(value) <= MAX_DIGITS and value.isascii() and value.isdigit():
            number = int(value)
        else:
            raise ValueError("must be a non-negative integer (a JSON integer or a decimal string)")
        if not 0 <= number < 2**bits:
            raise ValueError(f"must be in [0, 2**{bits})")
        return number

    return parse


def decimal_schema(bits: int) -> dict[str, Any]:
    """The JSON schema of an integer below ``2**bits`` written as a decimal string."""
    return {"type": "string", "pattern": "^[0-9]+$", "description": f"an integer in [0, 2**{bits}) as a decimal string"}


AS_STRING = PlainSerializer(str, return_type=str, when_used="json")


def integer_schema(bits: int) -> dict[str, Any]:
    """The JSON schema of an integer below ``2**bits`` written as a JSON integer."""
    return {"type": "integer", "minimum": 0, "maximum": 2**bits - 1}


# Integers that are decimal strings on the wire.
U256 = Annotated[int, BeforeValidator(uint_parser(256)), AS_STRING, WithJsonSchema(decimal_schema(256))]
U96 = Annotated[int, BeforeValidator(uint_parser(96)), AS_STRING, WithJsonSchema(decimal_schema(96))]
U64 = Annotated[int, BeforeValidator(uint_parser(64)), AS_STRING, WithJsonSchema(decimal_schema(64))]

# Integers that are JSON integers on the wire (all below 2**53).
AccountIndexField = Annotated[int, BeforeValidator(uint_parser(32)), WithJsonSchema(integer_schema(32))]
TokenField = Annotated[int, BeforeValidator(uint_parser(16)), WithJsonSchema(integer_schema(16))]
OrderIdField = Annotated[int, BeforeValidator(uint_parser(48)), WithJsonSchema(integer_schema(48))]
FeeBpsField = Annotated[int, BeforeValidator(uint_parser(14)), WithJsonSchema(integer_schema(14))]
NonceField = Annotated[int, BeforeValidator(uint_parser(32)), WithJsonSchema(integer_schema(32))]
Count = Annotated[int, BeforeValidator(uint_parser(53)), WithJsonSchema(integer_schema(53))]

MarketName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
ClientOrderId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
SideName = Literal["buy", "sell"]


class Request(BaseModel):
    """A request document: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    """A response document."""


# ---------------------------------------------------------------- requests


class SignatureIn(Request):
    """An EdDSA-Poseidon signature ``(R8x, R8y, S)`` (circomlibjs ``signPoseidon``)."""

    r8x: U256
    r8y: U256
    s: U256


class OrderIn(Request):
    """The fields of a signed order; its tokens are the market's."""

    account_index: AccountIndexField
    order_id: OrderIdField
    side: SideName
    price: U96
    amount: U96
    max_fee_bps: FeeBpsField
    expiry: U64
    kind: OrderKind = OrderKind.LIMIT


class PlaceOrderIn(Request):
    """Place an order: the signed order (its kind signed with it) and an optional client order id."""

    market: MarketName
    client_order_id: ClientOrderId | None = None
    order: OrderIn
    signature: SignatureIn


class CancelIn(Request):
    """Cancel one order; signed ``Poseidon([16, account_index, order_id])``."""

    account_index: AccountIndexField
    order_id: OrderIdField
    signature: SignatureIn


class CancelAllIn(Request):
    """
    Cancel every order below ``min_order_id``; signed ``Poseidon([17,
    account_index, min_order_id])``, ``min_order_id`` above the account's.
    """

    account_index: AccountIndexField
    min_order_id: OrderIdField
    signature: SignatureIn


class WithdrawIn(Request):
    """Withdraw to the account's L1 address; signed as ``docs/DESIGN.md`` says."""

    account_index: AccountIndexField
    token: TokenField
    amount: U96
    nonce: NonceField
    signature: SignatureIn


# ---------------------------------------------------------------- responses


class ErrorOut(Response):
    """Every refusal: a stable ``code``, a message for people, the offending ``values``, and details for malformed requests."""

    code: str
    message: str
    details: list[dict[str, Any]] = []
    values: dict[str, str] = {}


class ReceiptOut(Response):
    """The sequencer's signed receipt (EIP-712 ``Receipt``, see ``sequencer.service.receipts``)."""

    request_hash: str
    sequence: Count
    timestamp_ms: Count
    signer: str
    signature: str


class MarketOut(Response):
    """A market's tokens, grid and fees."""

    name: str
    base_token: TokenField
    quote_token: TokenField
    tick_size: U96
    lot_size: U96
    min_amount: U96
    maker_fee_bps: FeeBpsField
    taker_fee_bps: FeeBpsField


class LevelOut(Response):
    """One price level: the open amount there and how many orders hold it."""

    price: U96
    amount: U96
    orders: Count


class BookOut(Response):
    """A depth snapshot, best levels first, as of log entry ``sequence``."""

    market: str
    sequence: Count
    bids: list[LevelOut]
    asks: list[LevelOut]


class TradeSideOut(Response):
    """One side of a trade."""

    account_index: AccountIndexField
    order_id: OrderIdField
    fee: U96


class TradeOut(Response):
    """A trade at the maker's price; fees are in the token each side received."""

    trade_id: Count
    market: str
    time: U64
    price: U96
    base: U96
    quote: U96
    taker_side: SideName
    maker: TradeSideOut
    taker: TradeSideOut


class OrderOut(Response):
    """An accepted order and its progress."""

    market: str
    account_index: AccountIndexField
    order_id: OrderIdField
    client_order_id: str | None
    kind: OrderKind
    side: SideName
    price: U96
    amount: U96
    filled: U96
    remaining: U96
    max_fee_bps: FeeBpsField
    expiry: U64
    status: OrderStatus
    reason: CloseReason | None
    accepted_at: U64
    closed_at: U64 | None


class PlaceOrderOut(Response):
    """A placed order, the trades it made, own orders it cancelled (self-trade prevention), its receipt."""

    order: OrderOut
    trades: list[TradeOut]
    self_trade_cancels: list[OrderOut]
    receipt: ReceiptOut


class CancelOut(Response):
    """The cancelled order and the receipt."""

    order: OrderOut
    receipt: ReceiptOut


class CancelAllOut(Response):
    """The cancelled orders and the receipt."""

    cancelled: list[OrderOut]
    receipt: ReceiptOut


class WithdrawalOut(Response):
    """An accepted withdrawal, its batch once sealed, and that batch's status."""

    account_index: AccountIndexField
    token: TokenField
    amount: U96
    nonce: NonceField
    eth_address: str
    time: U64
    batch: Count | None
    status: str


class WithdrawOut(Response):
    """The accepted withdrawal and the receipt."""

    withdrawal: WithdrawalOut
    receipt: ReceiptOut


class BalanceOut(Response):
    """One token of an account: balance (what the state holds), locked by open orders, available."""

    token: TokenField
    balance: U96
    locked: U96
    available: U96


class AccountOut(Response):
    """
    An account as the sequencer's head state has it. A new order's id must
    be at least ``min_order_id`` (a cancel-all raises it), above every id
    used before in its slot, in a slot no open order holds, and less than
    2^16 above the larger of ``min_order_id`` and the id its slot last
    recorded (a trade publishes only an id's low 16 bits):
    ``next_order_id`` is one that will do (null when no slot has one: a
    cancel-all above ``highest_order_id`` frees them all).
    """

    account_index: AccountIndexField
    eth_address: str
    public_key: tuple[U256, U256]
    nonce: NonceField
    min_order_id: OrderIdField
    highest_order_id: OrderIdField
    next_order_id: OrderIdField | None
    open_orders: Count
    balances: list[BalanceOut]


class BatchOut(Response):
    """A batch: the open one, or a sealed one with its proving status and L1 transaction."""

    number: Count
    status: str
    transactions: Count
    trades: Count
    deposits: Count
    withdrawals: Count
    perpetual: Count = 0
    """Perpetual transactions beside the spot ones: trades, prices, funding ticks, collateral transfers, closes."""
    timestamp: U64 | None
    sealed_at: U64 | None
    l1_tx: str | None
    l1_gas: U64 | None
    """Gas of the L1 transaction that verified the batch: the whole transaction's, shared when it verified several."""
    attempts: Count
    error: str | None


class InfoOut(Response):
    """Who the sequencer is and what it runs: deployment, receipt signer, sizes."""

    chain_id: Count
    rollup: str
    sequencer: str
    slots: Count
    account_depth: Count
    balance_depth: Count
    order_depth: Count
    max_batch_wait_s: Count
    markets: list[str]
    perpetual_markets: list[str] = []
    """The perpetual markets' names (``/v1/perp``); none on a spot-only deployment."""
    perp_slots: Count = 0
    """Perpetual slots a batch has."""


class StatusOut(Response):
    """The log's head, and on request a digest of the state it gives (compare replicas or restarts)."""

    sequence: Count
    time_ms: Count
    state_digest: str | None
    state_root: U256
    l1_requests: Count
    pending_transactions: Count
    sealed_batches: Count
    intake_failed: bool
    halted: str | None
    """Why the sequencer stopped taking requests while still serving reads (L1 verified a batch not its own)."""


class LogEntryOut(Response):
    """A logged request (its canonical encoding) and its receipt: the evidence of its position."""

    sequence: Count
    time_ms: Count
    request: dict[str, Any]
    receipt: ReceiptOut | None
