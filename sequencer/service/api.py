"""
The HTTP JSON API and the WebSocket feed (FastAPI; the OpenAPI document is at
``/openapi.json``, interactive docs at ``/docs``).

Reads come straight from the state machine, which only ever holds what the
log holds (the intake commits before it yields). Writes go through the
intake and answer once the request is on disk, with the sequencer's signed
receipt. Every refusal is a 4xx with a stable code (``errors``).
"""

import gc
import ipaddress
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request, WebSocket
from starlette.types import ASGIApp

from sequencer.engine.errors import Code
from sequencer.engine.orders import OrderRecord
from sequencer.engine.records import WithdrawalRecord
from sequencer.engine.operator import OrderOutcome
from sequencer.engine.errors import RequestRejected
from sequencer.spec.errors import AccountNotFound
from sequencer.spec.types import AccountIndex, EthAddress, OrderId

from .canonical import state_digest
from .commands import PlaceOrder, encode_command
from .core import FEED_DEPTH, SequencerService
from .errors import BATCH_NOT_FOUND, DIGEST_LOCAL_ONLY, ENTRY_NOT_FOUND, install_error_handlers
from .explorer.routes import install_explorer
from .routing import AccountPath, MarketPath, accepted, cancel_all_command, cancel_command, signed_order, withdrawal_command
from .limits import BodyGuard
from .order_lane import OrderLane
from .websocket import WS_NOT_FOUND, serve_subscription
from .perp_routes import perp_router
from . import queries
from .schemas import (
    AccountOut,
    BatchOut,
    BookOut,
    CancelAllIn,
    CancelAllOut,
    CancelIn,
    CancelOut,
    ErrorOut,
    InfoOut,
    LogEntryOut,
    MarketOut,
    OrderOut,
    PlaceOrderIn,
    PlaceOrderOut,
    StatusOut,
    TradeOut,
    WithdrawalOut,
    WithdrawIn,
    WithdrawOut,
)
from .views import account_out, book_out, market_out, order_out, receipt_out, trade_out, withdrawal_out

ERRORS = {status: {"model": ErrorOut} for status in (400, 404, 405, 409, 413, 415, 422, 503)}
"""Every route may answer these with an error document."""



def is_loopback(request: Request) -> bool:
    """Whether the request comes from this machine (a loopback address)."""
    host = request.client.host if request.client is not None else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(service: SequencerService, routers: Sequence[APIRouter] = (), freeze_heap: bool = False) -> ASGIApp:
    """
    The API of ``service``, plus ``routers`` (such as the prover job routes);
    opening the app replays the log, closing it stops the service.

    With ``freeze_heap`` (a process that serves one service for its whole
    life), everything alive once the log is replayed (the libraries, the
    state) is moved out of the garbage collector's reach: a full collection
    then scans only what came after, instead of pausing the intake for ~100 ms
    under load (``bench/sequencer_bench.py`` shows the p99 latency).

    A request meets ``BodyGuard`` first (size and media type), then
    ``OrderLane`` (which answers ``POST /v1/orders`` itself, the hot path),
    then the FastAPI app.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.open()
        if freeze_heap:
            gc.collect()
            gc.freeze()
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="Matchproof sequencer",
        version="1",
        description=__doc__,
        lifespan=lifespan,
        responses=ERRORS,  # type: ignore[arg-type]
    )
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    if service.config.perp is not None:
        app.include_router(perp_router(service, service.config.perp))
    install_explorer(app, service)

    def market_of(name: str) -> MarketOut:
        """A market's configuration; refuses an unknown market."""
        market = service.operator.markets.get(name)
        if market is None:
            raise RequestRejected(Code.UNKNOWN_MARKET, f"no market {name!r}", market=name)
        return market_out(market)

    def record_of(account: int, order_id: int) -> OrderRecord:
        """An accepted order; refuses an unknown one."""
        record = service.operator.orders.get((AccountIndex(account), OrderId(order_id)))
        if record is None:
            raise RequestRejected(
                Code.ORDER_NOT_FOUND, f"no order {order_id} of account {account}", account=account, order_id=order_id
            )
        return record

    # ---------------------------------------------------------------- sequencer

    @app.get("/v1/info", response_model=InfoOut, tags=["sequencer"])
    async def info() -> InfoOut:
        """The deployment served, the receipt signer's address, batch and tree sizes, the markets."""
        config = service.config
        return InfoOut(
            chain_id=config.chain_id,
            rollup=config.rollup,
            sequencer=service.signer.account.address,
            slots=config.slots,
            account_depth=config.tree.account_depth,
            balance_depth=config.tree.balance_depth,
            order_depth=config.tree.order_depth,
            max_batch_wait_s=config.max_batch_wait_s,
            markets=list(service.operator.markets),
            perpetual_markets=list(service.operator.perp_books),
            perp_slots=0 if config.perp is None else config.perp.slots,
        )

    digests: dict[int, str] = {}

    def digest_at_head() -> str:
        """The state digest at the log's head, computed once per head."""
        sequence = service.machine.seq
        if sequence not in digests:
            digests.clear()
            digests[sequence] = state_digest(service.operator)
        return digests[sequence]

    @app.get("/v1/status", response_model=StatusOut, tags=["sequencer"])
    async def status(request: Request, digest: bool = False) -> StatusOut:
        """
        The log's head and the state root; with ``digest=true`` also a digest
        of the whole replayed state. The digest serialises the whole history
        on the event loop, so it is served only to callers on the sequencer's
        own machine (403 ``DIGEST_LOCAL_ONLY`` otherwise), once per log head.
        """
        if digest and not is_loopback(request):
            raise RequestRejected(DIGEST_LOCAL_ONLY, "the state digest is served to the sequencer's machine only")
        return StatusOut(
            sequence=service.machine.seq,
            time_ms=service.machine.time_ms,
            state_digest=digest_at_head() if digest else None,
            state_root=service.operator.head.root,
            l1_requests=service.operator.l1_seen,
            pending_transactions=len(service.operator.pending),
            sealed_batches=len(service.operator.batches),
            intake_failed=service.intake.failure is not None,
            halted=None if service.halted is None else str(service.halted),
        )

    @app.get("/v1/log/{sequence}", response_model=LogEntryOut, tags=["sequencer"])
    async def log_entry(sequence: Annotated[int, Path(ge=1, lt=2**53)]) -> LogEntryOut:
        """A logged request and its receipt: evidence of the position it was accepted at."""
        record = service.wal.record(sequence)
        if record is None:
            raise RequestRejected(ENTRY_NOT_FOUND, f"no log entry {sequence}", sequence=sequence)
        return LogEntryOut(
            sequence=record.entry.seq,
            time_ms=record.entry.time_ms,
            request=encode_command(record.entry.command),
            receipt=None if record.receipt is None else receipt_out(record.receipt),
        )

    # ---------------------------------------------------------------- markets

    @app.get("/v1/markets", response_model=list[MarketOut], tags=["markets"])
    async def markets() -> list[MarketOut]:
        """Every market's tokens, tick and lot sizes, minimum amount and fees."""
        return [market_out(market) for market in service.operator.markets.values()]

    @app.get("/v1/markets/{market}", response_model=MarketOut, tags=["markets"])
    async def market(market: MarketPath) -> MarketOut:
        """One market's configuration."""
        return market_of(market)

    @app.get("/v1/markets/{market}/book", response_model=BookOut, tags=["markets"])
    async def book(market: MarketPath, depth: Annotated[int, Query(ge=1, le=500)] = 50) -> BookOut:
        """The best ``depth`` price levels of each side."""
        market_of(market)
        return book_out(service.operator.books[market], service.machine.seq, depth)

    @app.get("/v1/markets/{market}/trades", response_model=list[TradeOut], tags=["markets"])
    async def trades(market: MarketPath, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[TradeOut]:
        """The market's latest trades, newest first."""
        market_of(market)
        return queries.recent_trades(service, market, limit)

    @app.websocket("/v1/markets/{market}/feed")
    async def feed(websocket: WebSocket, market: str) -> None:
        """
        The market's live feed (a spot or a perpetual market's): a ``book``
        snapshot on connecting, then each committed group's ``trade``
        messages followed by a ``book`` snapshot; for a perpetual market
        also its ``market`` state (price, funding, open interest) after each
        oracle update or funding tick, and each ``close`` (a liquidation or
        a deleveraging) the sequencer started.
        """
        await websocket.accept()
        book = service.operator.book_named(market)
        if book is None:
            await websocket.close(code=WS_NOT_FOUND, reason=f"no market {market!r}")
            return
        subscription = service.feed.subscribe(market)
        snapshot = book_out(book, service.machine.seq, FEED_DEPTH)
        await serve_subscription(websocket, service.feed, subscription, {"type": "book", **snapshot.model_dump(mode="json")})

    # ---------------------------------------------------------------- accounts

    @app.get("/v1/accounts/by-address/{eth_address}", response_model=AccountOut, tags=["accounts"])
    async def account_by_address(eth_address: Annotated[str, Path(pattern="^0x[0-9a-fA-F]{40}$")]) -> AccountOut:
        """The account an L1 address owns."""
        index = service.operator.account_of(EthAddress(int(eth_address, 16)))
        if index is None:
            raise RequestRejected(
                AccountNotFound.code, f"{eth_address} has no account (it never deposited)", eth_address=eth_address
            )
        return account_out(service.operator, index, service.config.tokens)

    @app.get("/v1/accounts/{account}", response_model=AccountOut, tags=["accounts"])
    async def account(account: AccountPath) -> AccountOut:
        """An account's key, nonce, and balances with what open orders lock and what is available."""
        if not service.operator.head.get_account(AccountIndex(account)).exists:
            raise RequestRejected(AccountNotFound.code, f"account {account} does not exist", account=account)
        return account_out(service.operator, AccountIndex(account), service.config.tokens)

    @app.get("/v1/accounts/{account}/orders", response_model=list[OrderOut], tags=["orders"])
    async def account_orders(
        account: AccountPath,
        status: Literal["open", "all"] = "open",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[OrderOut]:
        """The account's open orders (oldest first), or all its orders (newest first)."""
        index = AccountIndex(account)
        if status == "open":
            return [order_out(r) for r in service.operator.open_orders(index)[:limit]]
        return [order_out(r) for r in reversed(service.operator.orders_of(index)[-limit:])]

    @app.get("/v1/accounts/{account}/orders/by-client-id/{client_order_id}", response_model=OrderOut, tags=["orders"])
    async def order_by_client_id(
        account: AccountPath, client_order_id: Annotated[str, Path(max_length=64)]
    ) -> OrderOut:
        """The account's latest order with this client order id."""
        record = service.operator.order_by_client_id(AccountIndex(account), client_order_id)
        if record is None:
            raise RequestRejected(
                Code.ORDER_NOT_FOUND,
                f"no order with client order id {client_order_id!r}",
                client_order_id=client_order_id,
            )
        return order_out(record)

    @app.get("/v1/accounts/{account}/orders/{order_id}", response_model=OrderOut, tags=["orders"])
    async def get_order(account: AccountPath, order_id: Annotated[int, Path(ge=0, lt=2**48)]) -> OrderOut:
        """One order by its id."""
        return order_out(record_of(account, order_id))

    @app.get("/v1/accounts/{account}/withdrawals", response_model=list[WithdrawalOut], tags=["withdrawals"])
    async def account_withdrawals(account: AccountPath) -> list[WithdrawalOut]:
        """The account's withdrawals, oldest first, with their batch's status (``pending`` before one)."""
        return queries.account_withdrawals(service, AccountIndex(account))

    # ---------------------------------------------------------------- writes

    @app.post("/v1/orders", response_model=PlaceOrderOut, tags=["orders"])
    async def place_order(request: PlaceOrderIn) -> PlaceOrderOut:
        """
        Place a signed order. The order signs the market's base and quote
        tokens and its ``kind``; ``client_order_id`` is not signed.
        """
        market = service.operator.markets.get(request.market)
        if market is None:
            raise RequestRejected(Code.UNKNOWN_MARKET, f"no market {request.market!r}", market=request.market)
        command = PlaceOrder(request.market, signed_order(request, market), request.client_order_id)
        done = accepted(await service.submit(command))
        outcome = done.outcome
        assert isinstance(outcome, OrderOutcome) and done.receipt is not None
        return PlaceOrderOut(
            order=order_out(outcome.order),
            trades=[trade_out(t) for t in outcome.trades],
            self_trade_cancels=[order_out(r) for r in outcome.self_trades],
            receipt=receipt_out(done.receipt),
        )

    @app.post("/v1/orders/cancel", response_model=CancelOut, tags=["orders"])
    async def cancel(request: CancelIn) -> CancelOut:
        """
        Cancel an open order (signed by its account). Binding: the cancel
        goes into a batch, whose proof then refuses any later fill of the order.
        """
        done = accepted(await service.submit(cancel_command(request)))
        assert isinstance(done.outcome, OrderRecord) and done.receipt is not None
        return CancelOut(order=order_out(done.outcome), receipt=receipt_out(done.receipt))

    @app.post("/v1/orders/cancel-all", response_model=CancelAllOut, tags=["orders"])
    async def cancel_all(request: CancelAllIn) -> CancelAllOut:
        """
        Cancel every open order of an account whose id is below the signed
        ``min_order_id``, which must be above the account's current one (sign
        the account's ``highest_order_id`` + 1 to cancel them all). Binding:
        the cancel-all goes into a batch, which raises the account's
        ``min_order_id``, and the proof then refuses any later fill of those orders.
        """
        done = accepted(await service.submit(cancel_all_command(request)))
        assert isinstance(done.outcome, list) and done.receipt is not None
        return CancelAllOut(cancelled=[order_out(r) for r in done.outcome], receipt=receipt_out(done.receipt))

    @app.post("/v1/withdrawals", response_model=WithdrawOut, tags=["withdrawals"])
    async def withdraw(request: WithdrawIn) -> WithdrawOut:
        """Withdraw to the account's L1 address, claimable there once its batch is verified."""
        done = accepted(await service.submit(withdrawal_command(request)))
        record = done.outcome
        assert isinstance(record, WithdrawalRecord) and done.receipt is not None
        return WithdrawOut(withdrawal=withdrawal_out(record, "pending"), receipt=receipt_out(done.receipt))

    # ---------------------------------------------------------------- batches

    @app.get("/v1/batches", response_model=list[BatchOut], tags=["batches"])
    async def batches(limit: Annotated[int, Query(ge=1, le=1000)] = 20) -> list[BatchOut]:
        """The open batch and the latest sealed ones, newest first, with their status and L1 transaction."""
        return queries.recent_batches(service, limit)

    BatchPath = Annotated[int, Path(ge=1, lt=2**53)]

    def existing_batch(number: int) -> int:
        """``number``, if that batch is sealed or open (``BATCH_NOT_FOUND`` otherwise)."""
        if number > len(service.operator.batches) + 1:
            raise RequestRejected(BATCH_NOT_FOUND, f"batch {number} does not exist yet", batch=number)
        return number

    @app.get("/v1/batches/{number}", response_model=BatchOut, tags=["batches"])
    async def batch(number: BatchPath) -> BatchOut:
        """One batch (the open one is the number after the last sealed)."""
        return queries.batch_out(service, existing_batch(number))

    @app.get("/v1/batches/{number}/trades", response_model=list[TradeOut], tags=["batches"])
    async def batch_trades(number: BatchPath) -> list[TradeOut]:
        """The trades of one batch, in slot order."""
        return queries.batch_trades(service, existing_batch(number))

    @app.get("/v1/batches/{number}/withdrawals", response_model=list[WithdrawalOut], tags=["batches"])
    async def batch_withdrawals(number: BatchPath) -> list[WithdrawalOut]:
        """The signed withdrawals one batch pays, in slot order."""
        return queries.batch_withdrawals(service, existing_batch(number))

    return BodyGuard(OrderLane(app, place_order))
