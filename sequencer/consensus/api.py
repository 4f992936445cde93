"""
A node's HTTP API (``matchproof node start --api-port``): any node of the
set serves the committed book and takes orders, which it forwards into
consensus through its own CometBFT and answers once their block is
committed, with the block and the position the order got there.

- ``GET /v1/status``: the node's committed status (``SequencerApp.status``);
- ``GET /metrics``: the node's metrics (``metrics``);
- ``GET /v1/markets/{market}/book``: the resting orders, in priority order;
- ``POST /v1/orders``: place a signed order (the sequencer service's
  ``PlaceOrderIn``). 200 with ``{tx_hash, height, index, result, receipt}``
  once committed and accepted; a refusal at the mempool or in the block is
  a coded error (``INVALID_SIGNATURE``, ``INSUFFICIENT_BALANCE``, ...), and
  changed nothing. The receipt is the node's member key's signature of
  where the transaction landed (:func:`receipt_digest`);
- ``POST /v1/orders/cancel``, ``/v1/orders/cancel-all``, ``/v1/withdrawals``,
  ``/v1/perp/orders``, ``/v1/perp/collateral``, ``/v1/perp/prices``: the
  sequencer service's other signed requests, each answered the same way;
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

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sequencer.engine.errors import Code, RequestRejected
from sequencer.service.commands import PlaceOrder
from sequencer.service.errors import INVALID_REQUEST, error_response, install_error_handlers
from sequencer.service.metrics import metrics_router
from sequencer.l1.sequencer_set import sign_digest
from sequencer.service.perp_routes import collateral_command, perp_order_command, prices_command
from sequencer.service.perp_schemas import CollateralTransferIn, OraclePricesIn, PlacePerpOrderIn
from sequencer.service.routing import MarketPath, cancel_all_command, cancel_command, signed_order, withdrawal_command
from sequencer.service.schemas import CancelAllIn, CancelIn, PlaceOrderIn, WithdrawIn

from .app import Carried, SequencerApp, TxCode, encode_tx
from .metrics import node_metrics
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


def receipt_digest(tx_hash: str, height: int, index: int) -> bytes:
    """What a node's receipt signs: keccak256 of a tag, the transaction's sha256, its block's height and its position there."""
    return keccak(b"matchproof node receipt" + bytes.fromhex(tx_hash) + height.to_bytes(8, "big") + index.to_bytes(4, "big"))


def node_api(app: SequencerApp, rpc_url: str, key: LocalAccount) -> FastAPI:
    """The API of the node whose application is ``app``, whose CometBFT answers at ``rpc_url`` and whose member key is ``key``."""

    async def commit(carried: Carried) -> dict[str, Any]:
        """Send a transaction into consensus; where it landed, with the node's receipt."""
        landed = await _commit(rpc_url, encode_tx(carried))
        signature = sign_digest(key, receipt_digest(landed["tx_hash"], landed["height"], landed["index"]))
        return {**landed, "receipt": {"node": key.address, "signature": "0x" + signature.hex()}}

    api = FastAPI(title="Matchproof sequencer node", docs_url="/docs")
    install_error_handlers(api)
    api.include_router(metrics_router([lambda: node_metrics(app)]))

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
        return await commit(PlaceOrder(request.market, signed_order(request, market), request.client_order_id))

    @api.post("/v1/orders/cancel")
    async def cancel(request: CancelIn) -> dict[str, Any]:
        """Cancel an open order through consensus."""
        return await commit(cancel_command(request))

    @api.post("/v1/orders/cancel-all")
    async def cancel_all(request: CancelAllIn) -> dict[str, Any]:
        """Cancel an account's open orders below the signed id through consensus."""
        return await commit(cancel_all_command(request))

    @api.post("/v1/withdrawals")
    async def withdraw(request: WithdrawIn) -> dict[str, Any]:
        """Withdraw to the account's L1 address through consensus."""
        return await commit(withdrawal_command(request))

    @api.post("/v1/perp/orders")
    async def place_perp_order(request: PlacePerpOrderIn) -> dict[str, Any]:
        """Place a signed perpetual order through consensus."""
        return await commit(perp_order_command(request))

    @api.post("/v1/perp/collateral")
    async def transfer(request: CollateralTransferIn) -> dict[str, Any]:
        """Move collateral through consensus."""
        return await commit(collateral_command(request))

    @api.post("/v1/perp/prices")
    async def post_prices(request: OraclePricesIn) -> dict[str, Any]:
        """Post an oracle quorum's prices through consensus."""
        return await commit(prices_command(request))

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
        return await commit(EncryptedOrder(bytes.fromhex(request.ciphertext)))

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
