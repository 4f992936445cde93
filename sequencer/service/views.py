"""The API's documents built from the operator's records."""

from sequencer.engine.book import PriceLevels
from sequencer.engine.checks import next_order_id
from sequencer.engine.market import Market
from sequencer.engine.orders import OrderRecord
from sequencer.engine.records import TradeRecord, WithdrawalRecord
from sequencer.engine.operator import Operator
from sequencer.spec.constants import Side
from sequencer.spec.types import AccountIndex, TokenId

from .receipts import Receipt
from .schemas import (
    AccountOut,
    BalanceOut,
    BookOut,
    LevelOut,
    MarketOut,
    OrderOut,
    ReceiptOut,
    SideName,
    TradeOut,
    TradeSideOut,
    WithdrawalOut,
)


def side_name(side: Side) -> SideName:
    """``"buy"`` or ``"sell"``."""
    return "buy" if side == Side.BUY else "sell"


def eth_address(value: int) -> str:
    """An L1 address held as an integer, as 0x-hex."""
    return "0x" + value.to_bytes(20, "big").hex()


def market_out(market: Market) -> MarketOut:
    """A market's configuration."""
    return MarketOut(
        name=market.name,
        base_token=market.base_token,
        quote_token=market.quote_token,
        tick_size=market.tick_size,
        lot_size=market.lot_size,
        min_amount=market.min_amount,
        maker_fee_bps=market.maker_fee_bps,
        taker_fee_bps=market.taker_fee_bps,
    )


def book_out(book: PriceLevels, sequence: int, depth: int) -> BookOut:
    """The best ``depth`` levels of a book (a spot or a perpetual market's) as of log entry ``sequence``."""
    snapshot = book.depth(depth)
    return BookOut(
        market=book.name,
        sequence=sequence,
        bids=[LevelOut(price=level.price, amount=level.amount, orders=level.orders) for level in snapshot.bids],
        asks=[LevelOut(price=level.price, amount=level.amount, orders=level.orders) for level in snapshot.asks],
    )


def order_out(record: OrderRecord) -> OrderOut:
    """An order and its progress."""
    order = record.order
    return OrderOut(
        market=record.market,
        account_index=order.account_index,
        order_id=order.order_id,
        client_order_id=record.client_order_id,
        kind=record.kind,
        side=side_name(order.side),
        price=order.price,
        amount=order.amount,
        filled=record.filled,
        remaining=record.remaining,
        max_fee_bps=order.max_fee_bps,
        expiry=order.expiry,
        status=record.status,
        reason=record.reason,
        accepted_at=record.accepted_at,
        closed_at=record.closed_at,
    )


def trade_out(trade: TradeRecord) -> TradeOut:
    """A trade."""
    fill = trade.fill
    return TradeOut(
        trade_id=trade.trade_id,
        market=trade.market,
        time=trade.time,
        price=fill.price,
        base=fill.base,
        quote=fill.quote,
        taker_side=side_name(trade.taker_side),
        maker=TradeSideOut(
            account_index=fill.maker.order.account_index, order_id=fill.maker.order.order_id, fee=fill.maker_fee
        ),
        taker=TradeSideOut(
            account_index=fill.taker.order.account_index, order_id=fill.taker.order.order_id, fee=fill.taker_fee
        ),
    )


def receipt_out(receipt: Receipt) -> ReceiptOut:
    """A receipt."""
    return ReceiptOut.model_validate(receipt.to_json())


def withdrawal_out(record: WithdrawalRecord, status: str) -> WithdrawalOut:
    """A withdrawal, with the status of its batch (``pending`` before one is sealed)."""
    return WithdrawalOut(
        account_index=record.account_index,
        token=record.withdraw.token,
        amount=record.withdraw.amount,
        nonce=record.nonce,
        eth_address=eth_address(record.eth_addr),
        time=record.time,
        batch=record.batch,
        status=status,
    )


def account_out(operator: Operator, index: AccountIndex, tokens: list[TokenId]) -> AccountOut:
    """An existing account with its balances of ``tokens``."""
    account = operator.head.get_account(index)
    balances = []
    for token in tokens:
        balance = account.balance(token)
        locked = operator.locks.get(index, token)
        balances.append(BalanceOut(token=token, balance=balance, locked=locked, available=balance - locked))
    return AccountOut(
        account_index=index,
        eth_address=eth_address(account.eth_addr),
        public_key=(account.ax, account.ay),
        nonce=account.nonce,
        min_order_id=account.min_order_id,
        highest_order_id=operator.registry.highest_order_ids.get(index, 0),
        next_order_id=next_order_id(operator.registry, account, index),
        open_orders=len(operator.open_orders(index)),
        balances=balances,
    )
