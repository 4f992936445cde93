"""
The perpetual markets' HTTP routes, served beside the spot API when the
deployment has perpetual markets (``ServiceConfig.perp``).

Writes (perpetual orders, collateral transfers, an oracle feeder's signed
prices) go through the intake like every other request and answer with the
sequencer's signed receipt once on disk; reads come from the head state.
An oracle update is answered with the liquidations it started: the
sequencer closes every account the new price leaves below maintenance in
the same log entry.
"""

from typing import Annotated

from fastapi import APIRouter, Query, WebSocket

from sequencer.engine.batcher import PerpSetup
from sequencer.engine.errors import Code, RequestRejected
from sequencer.engine.operator import PerpOrderOutcome
from sequencer.spec.errors import AccountNotFound
from sequencer.spec.perpetual.transactions import (
    CollateralTransfer,
    OracleUpdate,
    PerpOrder,
    SignedPerpOrder,
    SignedPrice,
)
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp

from .commands import PlacePerpOrder, PostPrices, TransferCollateral
from .core import SequencerService
from .feed import account_channel
from .routing import AccountPath, MarketPath, accepted, signature
from .machine import Liquidations
from .perp_schemas import (
    CollateralTransferIn,
    CollateralTransferOut,
    OraclePricesIn,
    PerpAccountOut,
    PerpMarketOut,
    PerpTradeOut,
    PlacePerpOrderIn,
    PlacePerpOrderOut,
    PricesOut,
)
from .perp_views import SIDES, close_out, orders_out, perp_account_out, perp_markets_out, perp_trade_out
from .schemas import BookOut
from .views import book_out, order_out, receipt_out
from .websocket import WS_NOT_FOUND, serve_subscription



def perp_order_command(request: PlacePerpOrderIn) -> PlacePerpOrder:
    """The perpetual order a placement carries."""
    fields = request.order
    order = PerpOrder(
        account_index=AccountIndex(fields.account_index),
        order_id=OrderId(fields.order_id),
        market=fields.market,
        side=SIDES[fields.side],
        price=Price(fields.price),
        amount=Amount(fields.amount),
        max_fee_bps=fields.max_fee_bps,
        expiry=Timestamp(fields.expiry),
        kind=fields.kind,
        reduce_only=fields.reduce_only,
    )
    return PlacePerpOrder(request.market, SignedPerpOrder(order, signature(request.signature)), request.client_order_id)


def collateral_command(request: CollateralTransferIn) -> TransferCollateral:
    """The collateral move a request carries."""
    transfer = CollateralTransfer(
        AccountIndex(request.account_index),
        Amount(request.amount),
        request.to_collateral,
        Nonce(request.nonce),
        signature(request.signature),
    )
    return TransferCollateral(transfer)


def prices_command(request: OraclePricesIn) -> PostPrices:
    """The oracle prices a feeder's request carries."""
    prices = tuple(SignedPrice(p.signer, Price(p.price), Timestamp(p.timestamp), signature(p.signature)) for p in request.prices)
    return PostPrices(OracleUpdate(request.market, prices))


def perp_router(service: SequencerService, setup: PerpSetup) -> APIRouter:
    """The routes of the perpetual markets of ``setup``, served by ``service``."""
    router = APIRouter(prefix="/v1/perp", tags=["perpetuals"])
    operator = service.operator
    quantum = {rules.name: setup.config.markets[rules.market].quantum for rules in setup.markets}

    def known_market(name: str) -> str:
        """``name``, if it is a perpetual market's (``UNKNOWN_MARKET`` otherwise)."""
        if name not in operator.perp_books:
            raise RequestRejected(Code.UNKNOWN_MARKET, f"no perpetual market {name!r}", market=name)
        return name

    @router.get("/markets", response_model=list[PerpMarketOut])
    async def markets() -> list[PerpMarketOut]:
        """Every perpetual market: parameters, fees, sizes, oracle price, funding and open interest."""
        return perp_markets_out(setup, operator.perp_ledger())

    @router.get("/markets/{market}/book", response_model=BookOut)
    async def book(market: MarketPath, depth: Annotated[int, Query(ge=1, le=500)] = 50) -> BookOut:
        """The best ``depth`` price levels of each side (prices in ticks, amounts in lots)."""
        return book_out(operator.perp_books[known_market(market)], service.machine.seq, depth)

    @router.get("/markets/{market}/trades", response_model=list[PerpTradeOut])
    async def trades(market: MarketPath, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[PerpTradeOut]:
        """The market's latest trades, newest first."""
        name = known_market(market)
        found: list[PerpTradeOut] = []
        for record in reversed(operator.perp_trades):
            if len(found) == limit:
                break
            if record.market == name:
                found.append(perp_trade_out(record, quantum[name]))
        return found

    @router.get("/accounts/{account}", response_model=PerpAccountOut)
    async def account(account: AccountPath) -> PerpAccountOut:
        """An account's collateral, positions and margin: how far it is from liquidation, what it may take out."""
        if not operator.head.get_account(AccountIndex(account)).exists:
            raise RequestRejected(AccountNotFound.code, f"account {account} does not exist", account=account)
        return perp_account_out(operator.perp_ledger(), AccountIndex(account))

    @router.websocket("/accounts/{account}/feed")
    async def account_feed(websocket: WebSocket, account: int) -> None:
        """
        An account's live positions: a ``position`` snapshot (as ``GET
        /v1/perp/accounts/{account}``) on connecting, then a fresh one after
        each committed group of perpetual requests (orders, transfers,
        prices, funding: each can change its value or margin).
        """
        await websocket.accept()
        if not 0 <= account < 2**operator.config.account_depth or not operator.head.get_account(AccountIndex(account)).exists:
            await websocket.close(code=WS_NOT_FOUND, reason=f"no account {account}")
            return
        subscription = service.feed.subscribe(account_channel(account))
        view = perp_account_out(operator.perp_ledger(), AccountIndex(account))
        first = {"type": "position", "sequence": service.machine.seq, **view.model_dump(mode="json")}
        await serve_subscription(websocket, service.feed, subscription, first)

    @router.post("/orders", response_model=PlacePerpOrderOut)
    async def place_order(request: PlacePerpOrderIn) -> PlacePerpOrderOut:
        """
        Place a signed perpetual order. It is refused
        (``ORDER_WOULD_BREACH_MARGIN``) if the account, with its other open
        orders, could not bear it filled at its limit; ``client_order_id`` is not signed.
        """
        done = accepted(await service.submit(perp_order_command(request)))
        outcome = done.outcome
        assert isinstance(outcome, PerpOrderOutcome) and done.receipt is not None
        return PlacePerpOrderOut(
            order=order_out(outcome.order),
            trades=[perp_trade_out(t, quantum[t.market]) for t in outcome.trades],
            self_trade_cancels=orders_out(outcome.self_trades),
            unfillable_cancels=orders_out(outcome.unfillable),
            receipt=receipt_out(done.receipt),
        )

    @router.post("/collateral", response_model=CollateralTransferOut)
    async def transfer(request: CollateralTransferIn) -> CollateralTransferOut:
        """
        Move the collateral token between the account's spot balance and its
        collateral. Out of collateral, only what leaves the account meeting
        its initial margin (``withdrawable`` in the account's view).
        """
        done = accepted(await service.submit(collateral_command(request)))
        assert done.receipt is not None
        collateral = operator.perp_ledger().account(AccountIndex(request.account_index)).collateral
        return CollateralTransferOut(collateral=collateral, receipt=receipt_out(done.receipt))

    @router.post("/prices", response_model=PricesOut)
    async def post_prices(request: OraclePricesIn) -> PricesOut:
        """
        An oracle feeder's quorum of signed prices for one market (signers
        ascending). The sequencer then liquidates every account the new
        price leaves below maintenance; the answer lists those closes.
        """
        done = accepted(await service.submit(prices_command(request)))
        outcome = done.outcome
        assert isinstance(outcome, Liquidations) and done.receipt is not None
        return PricesOut(closes=[close_out(close) for close in outcome.closes], receipt=receipt_out(done.receipt))

    return router
