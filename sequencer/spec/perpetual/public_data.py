"""
What a perpetual slot publishes: enough for anyone to replay it from L1 data
alone (:mod:`.replay`), so that after a freeze every account's collateral
and positions, and the markets, can be rebuilt and claimed against.

A batch publishes its spot slots (:mod:`sequencer.spec.public_data`), then
its perpetual slots, each ``PERP_SLOT_BYTES`` bytes laid out bit by bit by
the manifest ``public_data_layout.json`` beside this module. A perpetual
slot is wider than a spot slot because a liquidation publishes its quote
and its penalty in full (96 bits each): neither has a decimal form in
general (the insurance fund takes exactly the bankruptcy quote). What the
proof checks and a replay does not need is left out: signatures, the
orders' limits, the oracles' individual prices.

Funding rates are signed: each is published offset by ``RATE_OFFSET``,
four of them whatever the number of markets (an unconfigured market's is
zero).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import assert_never

from sequencer.spec.constants import Side
from sequencer.spec.public_data import SLOT_BYTES, Layout, NoopData, order_ref, side_of
from sequencer.spec.transactions import Noop
from sequencer.spec.types import AccountIndex, Amount, Price, Timestamp

from .constants import FUNDING_RATE_BITS, MAX_PERP_MARKETS, PerpTxType
from .rules import latest_time, median_price
from .state import PerpConfig
from .transactions import (
    CollateralTransfer,
    Deleverage,
    FundingTick,
    Liquidation,
    OracleUpdate,
    PerpTrade,
    PerpTransaction,
)

PERP_LAYOUT = Layout.load(Path(__file__).with_name("public_data_layout.json"), PerpTxType)
"""The perpetual slot's manifest, read."""

PERP_SLOT_BYTES = PERP_LAYOUT.slot_bytes
"""Bytes every perpetual slot publishes, whatever its type."""

RATE_OFFSET = 1 << FUNDING_RATE_BITS
"""Added to a funding rate (``|rate| < 2**FUNDING_RATE_BITS``) to publish it unsigned."""


@dataclass(frozen=True)
class OracleUpdateData:
    """A published oracle update: the market, its new price (the median) and the latest signed time."""

    market: int
    price: Price
    oracle_time: Timestamp


@dataclass(frozen=True)
class FundingTickData:
    """A published funding tick: a rate for each of the ``MAX_PERP_MARKETS`` markets (zero past the configured ones)."""

    rates: tuple[int, ...]


@dataclass(frozen=True)
class PerpTradeData:
    """
    A published perpetual trade: who traded which orders (as references, as
    a spot trade publishes them), the maker's side, the market, the size in
    lots at the maker's price in ticks, and each side's fee rate.
    """

    maker_account: AccountIndex
    taker_account: AccountIndex
    maker_order_ref: int
    taker_order_ref: int
    maker_side: Side
    market: int
    size: Amount
    price: Price
    maker_fee_bps: int
    taker_fee_bps: int


@dataclass(frozen=True)
class LiquidationData:
    """
    A published liquidation: the account, the market, the size closed, the
    quote and the penalty, and the counterparty: a liquidator's account and
    order (``by_order``) or the insurance fund (then the order reference is 0).
    """

    account_index: AccountIndex
    market: int
    counterparty: AccountIndex
    by_order: bool
    counterparty_order_ref: int
    size: Amount
    quote: Amount
    penalty: Amount


@dataclass(frozen=True)
class DeleverageData:
    """A published deleveraging: the bankrupt account, its counterparty, the market, the size and the quote."""

    account_index: AccountIndex
    counterparty: AccountIndex
    market: int
    size: Amount
    quote: Amount


@dataclass(frozen=True)
class CollateralTransferData:
    """A published collateral transfer: the account, the amount and its direction."""

    account_index: AccountIndex
    amount: Amount
    to_collateral: bool


PerpSlotData = (
    NoopData
    | OracleUpdateData
    | FundingTickData
    | PerpTradeData
    | LiquidationData
    | DeleverageData
    | CollateralTransferData
)
"""The content of one perpetual slot's public data."""


def perp_slot_data(tx: PerpTransaction, config: PerpConfig) -> PerpSlotData:
    """What a perpetual slot holding ``tx`` publishes (a liquidation against no order names ``config``'s fund)."""
    match tx:
        case Noop():
            return NoopData()
        case OracleUpdate():
            return OracleUpdateData(tx.market, median_price(tx), latest_time(tx))
        case FundingTick():
            return FundingTickData(tx.rates + (0,) * (MAX_PERP_MARKETS - len(tx.rates)))
        case PerpTrade():
            maker, taker = tx.maker.order, tx.taker.order
            return PerpTradeData(
                maker_account=maker.account_index,
                taker_account=taker.account_index,
                maker_order_ref=order_ref(maker.order_id),
                taker_order_ref=order_ref(taker.order_id),
                maker_side=maker.side,
                market=maker.market,
                size=tx.fill,
                price=maker.price,
                maker_fee_bps=tx.maker_fee_bps,
                taker_fee_bps=tx.taker_fee_bps,
            )
        case Liquidation():
            order = tx.liquidator.order if tx.liquidator is not None else None
            return LiquidationData(
                account_index=tx.account_index,
                market=tx.market,
                counterparty=order.account_index if order is not None else config.insurance_fund,
                by_order=order is not None,
                counterparty_order_ref=order_ref(order.order_id) if order is not None else 0,
                size=tx.size,
                quote=tx.quote,
                penalty=tx.penalty,
            )
        case Deleverage():
            return DeleverageData(tx.account_index, tx.counterparty, tx.market, tx.size, tx.quote)
        case CollateralTransfer():
            return CollateralTransferData(tx.account_index, tx.amount, tx.to_collateral)
        case _:
            assert_never(tx)


def encode_perp_slot(data: PerpSlotData) -> bytes:
    """Lay out a perpetual slot's public data in its ``PERP_SLOT_BYTES`` bytes; bytes of unused fields are zero."""
    pack = PERP_LAYOUT.pack
    match data:
        case NoopData():
            return pack(PerpTxType.NOOP, {})
        case OracleUpdateData():
            return pack(
                PerpTxType.ORACLE_UPDATE, {"market": data.market, "price": data.price, "oracleTime": data.oracle_time}
            )
        case FundingTickData():
            if len(data.rates) != MAX_PERP_MARKETS:
                raise ValueError(f"a funding tick publishes {MAX_PERP_MARKETS} rates, not {len(data.rates)}")
            return pack(PerpTxType.FUNDING_TICK, {f"rate{i}": rate + RATE_OFFSET for i, rate in enumerate(data.rates)})
        case PerpTradeData():
            return pack(
                PerpTxType.PERP_TRADE,
                {
                    "accountA": data.maker_account,
                    "accountB": data.taker_account,
                    "orderRefA": data.maker_order_ref,
                    "orderRefB": data.taker_order_ref,
                    "sideA": data.maker_side,
                    "market": data.market,
                    "size": data.size,
                    "price": data.price,
                    "feeBpsA": data.maker_fee_bps,
                    "feeBpsB": data.taker_fee_bps,
                },
            )
        case LiquidationData():
            if not data.by_order and data.counterparty_order_ref:
                raise ValueError("a liquidation against the fund has no order reference")
            return pack(
                PerpTxType.LIQUIDATION,
                {
                    "accountA": data.account_index,
                    "market": data.market,
                    "accountB": data.counterparty,
                    "flag": int(data.by_order),
                    "orderRefB": data.counterparty_order_ref,
                    "size": data.size,
                    "quote": data.quote,
                    "penalty": data.penalty,
                },
            )
        case DeleverageData():
            return pack(
                PerpTxType.DELEVERAGE,
                {
                    "accountA": data.account_index,
                    "accountB": data.counterparty,
                    "market": data.market,
                    "size": data.size,
                    "quote": data.quote,
                },
            )
        case CollateralTransferData():
            return pack(
                PerpTxType.COLLATERAL_TRANSFER,
                {"accountA": data.account_index, "amount": data.amount, "flag": int(data.to_collateral)},
            )
        case _:
            assert_never(data)


def decode_perp_slot(slot: bytes) -> PerpSlotData:
    """
    Read a perpetual slot's public data back from its bytes.

    Only what :func:`encode_perp_slot` produces is accepted: a slot of the
    wrong length, an unknown type, or any bit set outside the fields of the
    slot's type (or an order reference on a liquidation against the fund)
    raises ``ValueError``.
    """
    if len(slot) != PERP_SLOT_BYTES:
        raise ValueError(f"a perpetual slot is {PERP_SLOT_BYTES} bytes, not {len(slot)}")
    data = unpack_perp_slot(slot)
    if encode_perp_slot(data) != slot:
        raise ValueError(f"perpetual slot {slot.hex()} is not a canonical encoding")
    return data


def unpack_perp_slot(slot: bytes) -> PerpSlotData:
    """The fields of a perpetual slot's type, read without checking the other bytes."""
    tx_type, value = PERP_LAYOUT.unpack(slot, PerpTxType)
    match tx_type:
        case PerpTxType.NOOP:
            return NoopData()
        case PerpTxType.ORACLE_UPDATE:
            return OracleUpdateData(value["market"], Price(value["price"]), Timestamp(value["oracleTime"]))
        case PerpTxType.FUNDING_TICK:
            return FundingTickData(tuple(value[f"rate{i}"] - RATE_OFFSET for i in range(MAX_PERP_MARKETS)))
        case PerpTxType.PERP_TRADE:
            return PerpTradeData(
                maker_account=AccountIndex(value["accountA"]),
                taker_account=AccountIndex(value["accountB"]),
                maker_order_ref=value["orderRefA"],
                taker_order_ref=value["orderRefB"],
                maker_side=side_of(value["sideA"]),
                market=value["market"],
                size=Amount(value["size"]),
                price=Price(value["price"]),
                maker_fee_bps=value["feeBpsA"],
                taker_fee_bps=value["feeBpsB"],
            )
        case PerpTxType.LIQUIDATION:
            return LiquidationData(
                account_index=AccountIndex(value["accountA"]),
                market=value["market"],
                counterparty=AccountIndex(value["accountB"]),
                by_order=bool(value["flag"]),
                counterparty_order_ref=value["orderRefB"],
                size=Amount(value["size"]),
                quote=Amount(value["quote"]),
                penalty=Amount(value["penalty"]),
            )
        case PerpTxType.DELEVERAGE:
            return DeleverageData(
                account_index=AccountIndex(value["accountA"]),
                counterparty=AccountIndex(value["accountB"]),
                market=value["market"],
                size=Amount(value["size"]),
                quote=Amount(value["quote"]),
            )
        case PerpTxType.COLLATERAL_TRANSFER:
            return CollateralTransferData(AccountIndex(value["accountA"]), Amount(value["amount"]), bool(value["flag"]))
        case _:
            assert_never(tx_type)


def split_batch_data(data: bytes, spot_slots: int, perp_slots: int) -> tuple[list[bytes], list[bytes]]:
    """
    A batch's public data cut into its ``spot_slots`` spot slots and its
    ``perp_slots`` perpetual slots (``ValueError`` unless it is exactly that long).
    """
    spot_bytes = spot_slots * SLOT_BYTES
    if len(data) != spot_bytes + perp_slots * PERP_SLOT_BYTES:
        raise ValueError(f"{len(data)} bytes are not {spot_slots} spot slots and {perp_slots} perpetual slots")
    spot = [data[i : i + SLOT_BYTES] for i in range(0, spot_bytes, SLOT_BYTES)]
    perp = [data[i : i + PERP_SLOT_BYTES] for i in range(spot_bytes, len(data), PERP_SLOT_BYTES)]
    return spot, perp
