"""
A node's HTTP API (``matchproof node start --api-port``): any node of the
set serves the committed book and takes orders, which it forwards into
consensus through its own CometBFT and answers once their block is
committed, with the block and the position the order got there.

- ``GET /v1/status``: the node's committed status (``SequencerApp.status``);
- ``GET /v1/markets/{market}/book``: the resting orders, in priority order;
- ``POST /v1/orders``: place a signed order (the sequencer service's
  ``PlaceOrderIn``). 200 with ``{tx_hash, height, index, result}`` once
  committed and accepted; a refusal at the mempool or in the block is a
  coded error (``INVALID_SIGNATURE``, ``INSUFFICIENT_BALANCE``, ...), and
  changed nothing;
- ``GET /v1/threshold-key``: the set's threshold key, to encrypt orders to
  (``encrypted.encrypt_order``); 404 ``NO_ENCRYPTED_ORDERS`` on a set without one;
- ``POST /v1/encrypted-orders``: ``{"ciphertext": hex}``, an encrypted order.
  200 with ``{tx_hash, height, index, result}`` once its block is committed:
  its place is final, the result is ``WAITING`` and carries its ordinal;
- ``GET /v1/outcomes/{height}/{index}``: the result of a transaction whose
  block waited for encrypted orders, once it ran (404 ``OUTCOME_NOT_FOUND``
  while it waits).
"""

import base64
import hashlib
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sequencer.engine.errors import Code, RequestRejected
from sequencer.service.commands import PlaceOrder
from sequencer.service.errors import INVALID_REQUEST, error_response, install_error_handlers
from sequencer.service.routing import MarketPath, signed_order
from sequencer.service.schemas import PlaceOrderIn

from .app import SequencerApp, TxCode, encode_tx
from .encrypted import MAX_CIPHERTEXT_BYTES, EncryptedOrder

COMMIT_TIMEOUT_S = 30.0
"""How long a placement waits for its block (CometBFT's own ``timeout_broadcast_tx_commit`` is 10 s)."""

CONSENSUS_UNAVAILABLE = "CONSENSUS_UNAVAILABLE"
"""The node's CometBFT did not answer, or did not commit the order in time: it may still be committed later."""


NO_ENCRYPTED_ORDERS = "NO_ENCRYPTED_ORDERS"
"""The set has no threshold key: it takes no encrypted orders."""

OUTCOME_NOT_FOUND = "OUTCOME_NOT_FOUND"
"""No waiting transaction ran at that place (yet)."""


class NotFound(Exception):
    """Nothing of what was asked for (404, with a code)."""

    def __init__(self, code: str, message: str) -> None:
        """``code``: what is missing; ``message``: in words."""
        super().__init__(message)
        self.code = code


class EncryptedOrderIn(BaseModel):
    """An encrypted order: a command's transaction encrypted to the set's threshold key, in hex."""

    model_config = ConfigDict(extra="forbid")

    ciphertext: str = Field(pattern="^[0-9a-f]+$", max_length=2 * MAX_CIPHERTEXT_BYTES)


class ConsensusUnavailable(Exception):
    """The order's fate is unknown: the node's CometBFT did not answer or did not commit it in time (503)."""


def node_api(app: SequencerApp, rpc_url: str) -> FastAPI:
    """The API of the node whose application is ``app`` and whose CometBFT answers at ``rpc_url``."""
    api = FastAPI(title="Matchproof sequencer node", docs_url="/docs")
    install_error_handlers(api)

    @api.exception_handler(ConsensusUnavailable)
    async def unavailable(request: Request, error: ConsensusUnavailable) -> JSONResponse:
        return error_response(503, CONSENSUS_UNAVAILABLE, str(error))

    @api.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> JSONResponse:
        return error_response(404, error.code, str(error))

    @api.get("/v1/status")
    async def status() -> dict[str, Any]:
        """The node's committed status."""
        return app.status()

    @api.get("/v1/markets/{market}/book")
    async def book(market: MarketPath) -> list[dict[str, Any]]:
        """The market's resting orders in priority order: bids best first, then asks."""
        try:
            return app.book(market)
        except KeyError:
            raise RequestRejected(Code.UNKNOWN_MARKET, f"no market {market!r}", market=market) from None

    @api.post("/v1/orders")
    async def place_order(request: PlaceOrderIn) -> dict[str, Any]:
        """Place a signed order through consensus; answers once its block is committed."""
        market = app.machine.operator.markets.get(request.market)
        if market is None:
            raise RequestRejected(Code.UNKNOWN_MARKET, f"no market {request.market!r}", market=request.market)
        tx = encode_tx(PlaceOrder(request.market, signed_order(request, market), request.client_order_id))
        return await _commit(rpc_url, tx)

    @api.get("/v1/threshold-key")
    async def threshold_key() -> dict[str, Any]:
        """The set's threshold key (hex) that encrypted orders are encrypted to, and how many members' shares decrypt one."""
        if app.decryptor is None:
            raise NotFound(NO_ENCRYPTED_ORDERS, "this set takes no encrypted orders")
        key = app.decryptor.key
        return {"key_set": key.key_set.hex(), "needed": key.needed, "members": app.decryptor.members}

    @api.post("/v1/encrypted-orders")
    async def place_encrypted(request: EncryptedOrderIn) -> dict[str, Any]:
        """Order an encrypted order through consensus; answers once its block, and so its place, is final."""
        if len(request.ciphertext) % 2:
            raise RequestRejected(INVALID_REQUEST, "ciphertext: whole bytes in hex")
        return await _commit(rpc_url, EncryptedOrder(bytes.fromhex(request.ciphertext)).encode())

    @api.get("/v1/outcomes/{height}/{index}")
    async def outcome(height: int, index: int) -> dict[str, Any]:
        """What a transaction whose block waited for encrypted orders did, once it ran."""
        try:
            return app.outcome(f"{height}/{index}")
        except KeyError:
            raise NotFound(OUTCOME_NOT_FOUND, f"no waiting transaction at {height}/{index} ran (yet)") from None

    return api


async def _commit(rpc_url: str, tx: bytes) -> dict[str, Any]:
    """Send ``tx`` with ``broadcast_tx_commit`` and answer with where it landed, or raise its refusal."""
    payload = {"jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_commit", "params": {"tx": base64.b64encode(tx).decode()}}
    try:
        async with httpx.AsyncClient(timeout=COMMIT_TIMEOUT_S) as client:
            answer = (await client.post(rpc_url, json=payload)).json()
            if "result" not in answer:
                raise ConsensusUnavailable(f"the node's consensus did not commit the order: {answer.get('error')}")
            result = answer["result"]
            for stage in ("check_tx", "tx_result"):
                outcome = result[stage]
                if int(outcome.get("code", 0)) != TxCode.OK:
                    raise RequestRejected(outcome.get("info") or INVALID_REQUEST, outcome.get("log", ""), stage=stage)
            height = int(result["height"])
            block = (await client.get(f"{rpc_url}/block", params={"height": height})).json()["result"]["block"]
            index = [base64.b64decode(included) for included in block["data"]["txs"] or []].index(tx)
    except (httpx.HTTPError, KeyError, ValueError) as error:
        raise ConsensusUnavailable(f"the node's consensus did not commit the order: {error!r}") from error
    return {"tx_hash": hashlib.sha256(tx).hexdigest().upper(), "height": height, "index": index, "result": result["tx_result"]}
