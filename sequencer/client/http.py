"""
A typed Python client of the sequencer's HTTP API.

Responses are parsed into the API's own models (``sequencer.service.schemas``),
so amounts are ``int`` again, and refusals raise :class:`ApiError` with the
sequencer's stable ``code``. Requests are built from the signed objects of
:mod:`sequencer.client.trader`.

    with SequencerClient("http://127.0.0.1:8080") as client:
        book = client.book("WETH-USDC")
"""

from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from sequencer.crypto.eddsa import Signature
from sequencer.engine.cancels import SignedCancel, SignedCancelAll
from sequencer.service.codec import encode_side
from sequencer.service.commands import PlaceOrder, PlacePerpOrder
from sequencer.service.perp_schemas import (
    CollateralTransferOut,
    PerpAccountOut,
    PerpMarketOut,
    PlacePerpOrderOut,
)
from sequencer.service.schemas import (
    AccountOut,
    BatchOut,
    BookOut,
    CancelAllOut,
    CancelOut,
    InfoOut,
    LogEntryOut,
    MarketOut,
    OrderOut,
    PlaceOrderOut,
    StatusOut,
    TradeOut,
    WithdrawalOut,
    WithdrawOut,
)
from sequencer.spec.perpetual.transactions import CollateralTransfer
from sequencer.spec.transactions import Withdraw

Parsed = TypeVar("Parsed")


class ApiError(Exception):
    """The sequencer refused a request: HTTP ``status``, stable ``code``, a message, details and the offending values."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]],
        values: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.values = values or {}


def _signature(signature: Signature) -> dict[str, str]:
    """A signature as the API takes it."""
    return {"r8x": str(signature.r8x), "r8y": str(signature.r8y), "s": str(signature.s)}


def place_order_body(command: PlaceOrder) -> dict[str, Any]:
    """A signed order as ``POST /v1/orders`` takes it (the sequencer's API and a set node's alike)."""
    order = command.signed.order
    return {
        "market": command.market,
        "client_order_id": command.client_order_id,
        "order": {
            "account_index": order.account_index,
            "order_id": order.order_id,
            "side": encode_side(order.side),
            "price": str(order.price),
            "amount": str(order.amount),
            "max_fee_bps": order.max_fee_bps,
            "expiry": str(order.expiry),
            "kind": order.kind.value,
        },
        "signature": _signature(command.signed.signature),
    }


def cancel_body(request: SignedCancel) -> dict[str, Any]:
    """A signed cancel as ``POST /v1/orders/cancel`` takes it (the sequencer's API and a set node's alike)."""
    return {
        "account_index": request.cancel.account_index,
        "order_id": request.cancel.order_id,
        "signature": _signature(request.signature),
    }


def withdrawal_body(withdraw: Withdraw) -> dict[str, Any]:
    """A signed withdrawal as ``POST /v1/withdrawals`` takes it (the sequencer's API and a set node's alike)."""
    return {
        "account_index": withdraw.account_index,
        "token": withdraw.token,
        "amount": str(withdraw.amount),
        "nonce": withdraw.nonce,
        "signature": _signature(withdraw.signature),
    }


class SequencerClient:
    """One sequencer's API, over one HTTP connection pool."""

    def __init__(self, base_url: str, timeout_s: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        """Talk to the sequencer at ``base_url`` (``http://host:port``), through ``transport`` if given."""
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport)

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> "SequencerClient":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # ---------------------------------------------------------------- reads

    def info(self) -> InfoOut:
        """The deployment, the receipt signer, sizes and markets."""
        return self._get("/v1/info", InfoOut)

    def status(self, digest: bool = False) -> StatusOut:
        """The log head; with ``digest``, the state's digest too."""
        return self._get("/v1/status", StatusOut, {"digest": digest})

    def log_entry(self, sequence: int) -> LogEntryOut:
        """A logged request and its receipt."""
        return self._get(f"/v1/log/{sequence}", LogEntryOut)

    def markets(self) -> list[MarketOut]:
        """Every market."""
        return self._get("/v1/markets", list[MarketOut])

    def market(self, name: str) -> MarketOut:
        """One market."""
        return self._get(f"/v1/markets/{name}", MarketOut)

    def book(self, market: str, depth: int = 50) -> BookOut:
        """The best ``depth`` levels of each side."""
        return self._get(f"/v1/markets/{market}/book", BookOut, {"depth": depth})

    def trades(self, market: str, limit: int = 100) -> list[TradeOut]:
        """The market's latest trades, newest first."""
        return self._get(f"/v1/markets/{market}/trades", list[TradeOut], {"limit": limit})

    def account(self, index: int) -> AccountOut:
        """An account's balances, locks and counters."""
        return self._get(f"/v1/accounts/{index}", AccountOut)

    def account_by_address(self, eth_address: str) -> AccountOut:
        """The account an L1 address owns."""
        return self._get(f"/v1/accounts/by-address/{eth_address}", AccountOut)

    def orders(self, index: int, status: Literal["open", "all"] = "open", limit: int = 100) -> list[OrderOut]:
        """The account's open orders (oldest first) or all its orders (newest first)."""
        return self._get(f"/v1/accounts/{index}/orders", list[OrderOut], {"status": status, "limit": limit})

    def order(self, index: int, order_id: int) -> OrderOut:
        """One order by id."""
        return self._get(f"/v1/accounts/{index}/orders/{order_id}", OrderOut)

    def order_by_client_id(self, index: int, client_order_id: str) -> OrderOut:
        """The account's latest order with this client order id."""
        return self._get(f"/v1/accounts/{index}/orders/by-client-id/{client_order_id}", OrderOut)

    def withdrawals(self, index: int) -> list[WithdrawalOut]:
        """The account's withdrawals."""
        return self._get(f"/v1/accounts/{index}/withdrawals", list[WithdrawalOut])

    def batches(self, limit: int = 20) -> list[BatchOut]:
        """The open batch and the latest sealed ones, newest first."""
        return self._get("/v1/batches", list[BatchOut], {"limit": limit})

    def batch(self, number: int) -> BatchOut:
        """One batch."""
        return self._get(f"/v1/batches/{number}", BatchOut)

    def perp_markets(self) -> list[PerpMarketOut]:
        """Every perpetual market: parameters, fees, oracle price, funding, open interest."""
        return self._get("/v1/perp/markets", list[PerpMarketOut])

    def perp_account(self, index: int) -> PerpAccountOut:
        """An account's collateral, positions and margin."""
        return self._get(f"/v1/perp/accounts/{index}", PerpAccountOut)

    # ---------------------------------------------------------------- writes

    def place_order(self, command: PlaceOrder) -> PlaceOrderOut:
        """Place a signed order (``Trader.order`` builds one)."""
        return self._post("/v1/orders", place_order_body(command), PlaceOrderOut)

    def cancel(self, request: SignedCancel) -> CancelOut:
        """Cancel one order."""
        return self._post("/v1/orders/cancel", cancel_body(request), CancelOut)

    def cancel_all(self, request: SignedCancelAll) -> CancelAllOut:
        """Cancel every open order of the account."""
        body = {
            "account_index": request.cancel_all.account_index,
            "min_order_id": str(request.cancel_all.min_order_id),
            "signature": _signature(request.signature),
        }
        return self._post("/v1/orders/cancel-all", body, CancelAllOut)

    def withdraw(self, withdraw: Withdraw) -> WithdrawOut:
        """Withdraw to the account's L1 address."""
        return self._post("/v1/withdrawals", withdrawal_body(withdraw), WithdrawOut)

    def place_perp_order(self, command: PlacePerpOrder) -> PlacePerpOrderOut:
        """Place a signed perpetual order (``Trader.perp_order`` builds one)."""
        order = command.signed.order
        body = {
            "market": command.market,
            "client_order_id": command.client_order_id,
            "order": {
                "account_index": order.account_index,
                "order_id": order.order_id,
                "market": order.market,
                "side": encode_side(order.side),
                "price": str(order.price),
                "amount": str(order.amount),
                "max_fee_bps": order.max_fee_bps,
                "expiry": str(order.expiry),
                "kind": order.kind.value,
                "reduce_only": order.reduce_only,
            },
            "signature": _signature(command.signed.signature),
        }
        return self._post("/v1/perp/orders", body, PlacePerpOrderOut)

    def transfer_collateral(self, transfer: CollateralTransfer) -> CollateralTransferOut:
        """Move the collateral token into or out of the account's collateral."""
        body = {
            "account_index": transfer.account_index,
            "amount": str(transfer.amount),
            "to_collateral": transfer.to_collateral,
            "nonce": transfer.nonce,
            "signature": _signature(transfer.signature),
        }
        return self._post("/v1/perp/collateral", body, CollateralTransferOut)

    # ---------------------------------------------------------------- plumbing

    def _get(self, path: str, kind: type[Parsed], params: dict[str, Any] | None = None) -> Parsed:
        """GET ``path`` and parse the answer as ``kind``."""
        return self._parse(self._http.get(path, params=params), kind)

    def _post(self, path: str, body: dict[str, Any], kind: type[Parsed]) -> Parsed:
        """POST a JSON body and parse the answer as ``kind``."""
        return self._parse(self._http.post(path, json=body), kind)

    @staticmethod
    def _parse(response: httpx.Response, kind: type[Parsed]) -> Parsed:
        """The answer parsed as ``kind``; an error document raises :class:`ApiError`."""
        if response.is_error:
            raise _api_error(response)
        try:
            return TypeAdapter(kind).validate_json(response.content)
        except ValidationError as error:
            raise ApiError(response.status_code, "BAD_RESPONSE", str(error), []) from error


def _api_error(response: httpx.Response) -> ApiError:
    """The error an error response reports (its error document, or its status and text)."""
    try:
        error = response.json()
        values = {str(name): str(value) for name, value in dict(error.get("values") or {}).items()}
        return ApiError(
            response.status_code, str(error["code"]), str(error["message"]), list(error["details"]), values
        )
    except (ValueError, KeyError, TypeError):
        return ApiError(response.status_code, "HTTP_ERROR", response.text[:500], [])
