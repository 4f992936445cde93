"""How the API shows perpetual markets, accounts, trades and closes (pure functions of the engine's records)."""

from sequencer.engine.batcher import PerpSetup
from sequencer.engine.liquidations import account_risk
from sequencer.engine.orders import OrderRecord
from sequencer.engine.records import PerpTradeRecord
from sequencer.spec.constants import Side
from sequencer.spec.perpetual.constants import MARGIN_SCALE
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.margin import funding_payment
from sequencer.spec.perpetual.rules import withdrawable_collateral
from sequencer.spec.perpetual.transactions import Deleverage, Liquidation
from sequencer.spec.transition import fee_amount
from sequencer.spec.types import AccountIndex, Amount

from .perp_schemas import CloseOut, PerpAccountOut, PerpMarketOut, PerpTradeOut, PerpTradeSideOut, PositionOut
from .schemas import OrderOut
from .views import order_out, side_name


def perp_markets_out(setup: PerpSetup, ledger: PerpLedger) -> list[PerpMarketOut]:
    """Every perpetual market the engine trades, with its parameters and state."""
    found = []
    for rules in setup.markets:
        params, market = setup.config.markets[rules.market], ledger.market(rules.market)
        found.append(
            PerpMarketOut(
                name=rules.name,
                market=rules.market,
                quantum=params.quantum,
                initial_margin=params.initial_margin,
                maintenance_margin=params.maintenance_margin,
                max_funding_rate=params.max_funding_rate,
                open_interest_cap=params.open_interest_cap,
                maker_fee_bps=rules.maker_fee_bps,
                taker_fee_bps=rules.taker_fee_bps,
                min_size=rules.min_size,
                max_size=rules.max_size,
                oracle_price=market.oracle_price,
                oracle_time=market.oracle_time,
                funding_index=market.funding_index,
                funding_time=market.funding_time,
                open_interest=market.open_interest,
            )
        )
    return found


def perp_account_out(ledger: PerpLedger, index: AccountIndex) -> PerpAccountOut:
    """An account's perpetual side and its risk, funding settled (``engine.liquidations.account_risk``)."""
    account = ledger.account(index)
    risk = account_risk(ledger, account)
    positions = []
    settled_collateral = account.collateral
    for market_id, (params, market) in enumerate(zip(ledger.config.markets, ledger.markets(), strict=True)):
        position = account.position(market_id)
        payment = funding_payment(position, market, params)
        settled_collateral += payment
        if position.size:
            notional = position.size * market.oracle_price * params.quantum
            positions.append(PositionOut(market=market_id, size=position.size, notional=notional, unsettled_funding=payment))
    ratio = None if risk.ratio is None else f"{float(risk.ratio / MARGIN_SCALE):.4f}"
    return PerpAccountOut(
        account_index=index,
        collateral=settled_collateral,
        positions=positions,
        value=risk.value,
        initial_requirement=risk.initial,
        maintenance_requirement=risk.maintenance,
        to_liquidation=risk.to_liquidation,
        liquidatable=risk.liquidatable,
        margin_ratio=ratio,
        withdrawable=withdrawable_collateral(ledger, index),
    )


def perp_trade_out(record: PerpTradeRecord, quantum: int) -> PerpTradeOut:
    """A perpetual fill, its fees as the spec charges them (each side's rate of the notional, rounded down)."""
    trade = record.trade
    maker, taker = trade.maker.order, trade.taker.order
    notional = trade.fill * maker.price * quantum
    return PerpTradeOut(
        trade_id=record.trade_id,
        market=record.market,
        time=record.time,
        price=maker.price,
        size=trade.fill,
        notional=notional,
        taker_side=side_name(taker.side),
        maker=PerpTradeSideOut(
            account_index=maker.account_index, order_id=maker.order_id, fee=fee_amount(Amount(notional), trade.maker_fee_bps)
        ),
        taker=PerpTradeSideOut(
            account_index=taker.account_index, order_id=taker.order_id, fee=fee_amount(Amount(notional), trade.taker_fee_bps)
        ),
    )


def close_out(close: Liquidation | Deleverage) -> CloseOut:
    """A liquidation or a deleveraging the sequencer applied."""
    if isinstance(close, Liquidation):
        return CloseOut(
            kind="liquidation",
            account_index=close.account_index,
            market=close.market,
            size=close.size,
            quote=close.quote,
            penalty=close.penalty,
            counterparty=None,
        )
    return CloseOut(
        kind="deleverage",
        account_index=close.account_index,
        market=close.market,
        size=close.size,
        quote=close.quote,
        penalty=None,
        counterparty=close.counterparty,
    )


def orders_out(records: list[OrderRecord]) -> list[OrderOut]:
    """Orders and their progress."""
    return [order_out(record) for record in records]


SIDES = {"buy": Side.BUY, "sell": Side.SELL}
"""A side by its API name."""
