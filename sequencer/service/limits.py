"""
What the API reads of a request body, enforced before anything parses it.

A body must be JSON (``Content-Type: application/json``), else 415
``UNSUPPORTED_MEDIA_TYPE``; the middleware reads it itself, up to ``limit``
bytes, and answers 413 ``REQUEST_TOO_LARGE`` beyond that (whatever
``Content-Length`` claims); the application then receives the buffered body.
Requests of the API are small, so buffering costs nothing, and no route ever
sees an oversized body.
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import REQUEST_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE

MAX_BODY_BYTES = 64 * 1024


class BodyGuard:
    """ASGI middleware refusing HTTP bodies that are not JSON or are above ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        """Wrap ``app``."""
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Buffer the body, or refuse it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("POST", "PUT", "PATCH") and not _is_json(scope):
            await _refuse(send, 415, UNSUPPORTED_MEDIA_TYPE, "send the body as application/json")
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _refuse(send, 413, REQUEST_TOO_LARGE, f"the body exceeds {self.limit} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    """Whether the request declares a JSON body."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == b"application/json")
    return False


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    """Answer with the API's error document."""
    body = json.dumps({"code": code, "message": message, "details": []}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
