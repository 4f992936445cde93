"""
The live feed: each subscriber of a market gets its trades and its book as
they change, in log order; each subscriber of an account's channel
(:func:`account_channel`) its perpetual positions and margin.

After each committed group the service publishes, per market it touched,
the group's trades and then a fresh depth snapshot carrying the log sequence
number it reflects; a subscriber starts with a snapshot. Snapshots rather
than deltas keep clients simple and let a client that missed messages catch
up with the next one. A subscriber that falls ``QUEUE_LIMIT`` messages
behind is dropped, its last message a ``{"type": "dropped"}``, instead of
growing memory without bound.
"""

import asyncio
from typing import Any

QUEUE_LIMIT = 1000
"""Messages a subscriber may have waiting before it is dropped."""

Message = dict[str, Any]


def account_channel(index: int) -> str:
    """The channel of an account's positions (market names cannot contain a slash)."""
    return f"account/{index}"


class Subscription:
    """One subscriber's queue of messages for one market."""

    def __init__(self, market: str) -> None:
        """An empty subscription to ``market``."""
        self.market = market
        self.queue: asyncio.Queue[Message] = asyncio.Queue(QUEUE_LIMIT)


class Feed:
    """The subscribers of every market."""

    def __init__(self) -> None:
        """No subscribers."""
        self._subscriptions: dict[str, set[Subscription]] = {}

    def subscribe(self, market: str) -> Subscription:
        """A new subscription to ``market``."""
        subscription = Subscription(market)
        self._subscriptions.setdefault(market, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to ``subscription``."""
        subscribers = self._subscriptions.get(subscription.market, set())
        subscribers.discard(subscription)
        if not subscribers:
            self._subscriptions.pop(subscription.market, None)

    def subscribers(self, market: str) -> int:
        """How many subscriptions ``market`` has."""
        return len(self._subscriptions.get(market, ()))

    def channels(self) -> list[str]:
        """Every market or channel that has a subscriber."""
        return list(self._subscriptions)

    def publish(self, market: str, message: Message) -> None:
        """Queue ``message`` for every subscriber of ``market``; drop the ones that are full."""
        for subscription in list(self._subscriptions.get(market, ())):
            try:
                subscription.queue.put_nowait(message)
            except asyncio.QueueFull:
                self._drop(subscription)

    def _drop(self, subscription: Subscription) -> None:
        """Unsubscribe a subscriber that fell behind, leaving it only the message saying so."""
        self.unsubscribe(subscription)
        while not subscription.queue.empty():
            subscription.queue.get_nowait()
        subscription.queue.put_nowait({"type": "dropped", "reason": f"more than {QUEUE_LIMIT} messages behind"})
