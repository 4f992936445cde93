"""
How refusals become HTTP responses: always a 4xx (503 only when the sequencer
itself stopped) with a body ``{"code", "message", "details", "values"}``:
``values`` holds the refusal's offending values by name (integers as decimal
strings, as every amount in the API), ``details`` the problems of a request
that does not fit the schema.

The codes are the spec's error codes (``sequencer.spec.errors``), the
engine's (``sequencer.engine.errors.Code``) and the few below for requests
that never reach the sequencer.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sequencer.engine.errors import Code
from sequencer.engine.errors import RequestRejected
from sequencer.spec.errors import AccountNotFound, InvalidNonce

from .intake import ServiceUnavailable
from .schemas import ErrorOut

MALFORMED_JSON = "MALFORMED_JSON"
"""The body is not JSON."""
INVALID_REQUEST = "INVALID_REQUEST"
"""The body or a parameter does not fit the schema: missing or unknown field, wrong type, out of range."""
NOT_FOUND = "NOT_FOUND"
"""No such route."""
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
"""The route does not take this method."""
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
"""The body is larger than the sequencer reads."""
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
"""The body is not declared as ``application/json``."""
BATCH_NOT_FOUND = "BATCH_NOT_FOUND"
"""No batch with that number exists yet."""
ENTRY_NOT_FOUND = "ENTRY_NOT_FOUND"
"""No log entry with that sequence number exists yet."""
DIGEST_LOCAL_ONLY = "DIGEST_LOCAL_ONLY"
"""The whole-state digest is served to the sequencer's own machine only (it costs time in proportion to the state)."""
SEQUENCER_STOPPED = "SEQUENCER_STOPPED"
"""The sequencer stopped after an internal error and must be restarted."""

STATUS_BY_CODE: dict[str, int] = {
    Code.UNKNOWN_MARKET: 404,
    Code.ORDER_NOT_FOUND: 404,
    AccountNotFound.code: 404,
    BATCH_NOT_FOUND: 404,
    ENTRY_NOT_FOUND: 404,
    Code.ORDER_ID_USED: 409,
    Code.ORDER_SLOT_BUSY: 409,
    Code.DUPLICATE_CLIENT_ORDER_ID: 409,
    Code.ORDER_NOT_OPEN: 409,
    Code.MIN_ORDER_ID_NOT_RAISED: 409,
    InvalidNonce.code: 409,
    DIGEST_LOCAL_ONLY: 403,
}
"""Refusals that are not a plain 422."""


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    values: Mapping[str, int | str] | None = None,
) -> JSONResponse:
    """A refusal's response."""
    shown = {name: str(value) for name, value in (values or {}).items()}
    body = ErrorOut(code=code, message=message, details=details or [], values=shown)
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


def refusal_response(refusal: RequestRejected) -> JSONResponse:
    """The response to a refusal of the sequencer."""
    return error_response(STATUS_BY_CODE.get(refusal.code, 422), refusal.code, str(refusal), values=refusal.values)


def unavailable_response(error: ServiceUnavailable) -> JSONResponse:
    """The response to any write once the sequencer has stopped."""
    return error_response(503, SEQUENCER_STOPPED, str(error))


def malformed_json_response() -> JSONResponse:
    """The response to a body that does not parse as JSON."""
    return error_response(400, MALFORMED_JSON, "the body is not valid JSON")


def validation_response(problems: Sequence[Mapping[str, Any]]) -> JSONResponse:
    """The response to a request that does not fit its schema (pydantic's list of problems)."""
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return malformed_json_response()
    details = [
        {"location": [str(part) for part in problem.get("loc", ())], "problem": str(problem.get("msg", ""))}
        for problem in problems
    ]
    first = details[0] if details else {"location": [], "problem": "invalid request"}
    message = f"{'.'.join(first['location'])}: {first['problem']}"
    return error_response(422, INVALID_REQUEST, message, details)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every refusal, malformed request and unknown route with a coded error."""

    @app.exception_handler(RequestRejected)
    async def rejected(request: Request, refusal: RequestRejected) -> JSONResponse:
        return refusal_response(refusal)

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, error: ServiceUnavailable) -> JSONResponse:
        return unavailable_response(error)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return validation_response(list(error.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {400: MALFORMED_JSON, 404: NOT_FOUND, 405: METHOD_NOT_ALLOWED, 413: REQUEST_TOO_LARGE}
        return error_response(error.status_code, codes.get(error.status_code, INVALID_REQUEST), str(error.detail))
