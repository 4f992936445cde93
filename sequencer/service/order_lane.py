"""
``POST /v1/orders`` answered straight from the request's bytes.

Placing orders is the exchange's hot path: market makers quote through it
hundreds of times a second. Through the framework, routing over every route,
dependency solving and the layers of exception middleware cost more than the
engine spends on the order itself (``bench/sequencer_bench.py`` measures
both). This ASGI wrapper answers that one route itself and hands every other
request (and the lifespan) to the app: it parses the body as the framework
does (``json.loads``), validates it with the same schema, calls the same
handler the app documents in its OpenAPI, and answers with the same documents,
refusals included (``errors``). ``tests/service/test_api.py`` runs its table
of malformed and refused orders through it.

It sits behind ``limits.BodyGuard``, which has already refused a body that is
too large or not JSON and delivers the body in one message.
"""

import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sequencer.engine.errors import RequestRejected

from .errors import malformed_json_response, refusal_response, unavailable_response, validation_response
from .intake import ServiceUnavailable
from .schemas import PlaceOrderIn, PlaceOrderOut

PATH = "/v1/orders"
"""The route the lane serves (POST only)."""

PlaceOrder = Callable[[PlaceOrderIn], Awaitable[PlaceOrderOut]]
"""The handler of the route."""

_MISSING_BODY = [{"type": "missing", "loc": ("body",), "msg": "Field required"}]
"""The framework's problem for an empty body."""


class OrderLane:
    """ASGI wrapper serving ``POST /v1/orders`` with ``place_order``, everything else with ``app``."""

    def __init__(self, app: ASGIApp, place_order: PlaceOrder) -> None:
        """Wrap ``app``."""
        self.app = app
        self.place_order = place_order

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer an order, or pass the request on."""
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return
        response = await self.answer(message.get("body", b""))
        await response(scope, receive, send)

    async def answer(self, body: bytes) -> Response:
        """The response to an order document ``body``."""
        if not body:
            return validation_response(_MISSING_BODY)
        try:
            document: Any = json.loads(body)
        except (ValueError, RecursionError):  # bad JSON or UTF-8, a number too long to convert, nesting too deep
            return malformed_json_response()
        try:
            request = PlaceOrderIn.model_validate(document)
        except ValidationError as invalid:
            return validation_response([{**problem, "loc": ("body", *problem["loc"])} for problem in invalid.errors()])
        try:
            placed = await self.place_order(request)
        except RequestRejected as refusal:
            return refusal_response(refusal)
        except ServiceUnavailable as stopped:
            return unavailable_response(stopped)
        return Response(placed.model_dump_json(), media_type="application/json")
