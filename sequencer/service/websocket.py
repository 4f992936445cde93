"""
Serving one feed subscription over a WebSocket: its first message, then
every message the feed queues for it, until the client leaves or falls too
far behind (``feed.QUEUE_LIMIT``).
"""

import asyncio
from contextlib import suppress

from fastapi import WebSocket, WebSocketDisconnect

from .feed import Feed, Message, Subscription

WS_NOT_FOUND = 4404
"""WebSocket close code for a feed of an unknown market or account."""
WS_TOO_SLOW = 4008
"""WebSocket close code for a subscriber that fell too far behind."""


async def serve_subscription(websocket: WebSocket, feed: Feed, subscription: Subscription, first: Message) -> None:
    """Send ``first``, then the subscription's messages; unsubscribe when the client leaves or is dropped."""
    listener = asyncio.create_task(until_closed(websocket))
    try:
        await websocket.send_json(first)
        while not listener.done():
            getter = asyncio.ensure_future(subscription.queue.get())
            await asyncio.wait({getter, listener}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                break
            message = getter.result()
            await websocket.send_json(message)
            if message["type"] == "dropped":
                await websocket.close(code=WS_TOO_SLOW, reason="too slow")
                break
    except WebSocketDisconnect:
        pass
    finally:
        listener.cancel()
        feed.unsubscribe(subscription)


async def until_closed(websocket: WebSocket) -> None:
    """Read (and ignore) what a feed subscriber sends, until it disconnects."""
    with suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
