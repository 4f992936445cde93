"""
A load generator light enough to share a 2-core machine with the sequencer it
measures: HTTP/1.1 over keep-alive asyncio connections, each request's bytes
encoded before the clock starts, each response read by its Content-Length.

A general HTTP client (httpx) spends a millisecond or more of CPU per request:
at 1,000 requests/s it would take a whole core from the sequencer and measure
itself. This one speaks only what the benchmark sends (POST with a JSON body,
a response with Content-Length) and nothing else.
"""

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def post_request(host: str, port: int, path: str, body: dict[str, Any]) -> bytes:
    """The bytes of ``POST path`` with ``body`` as JSON, keeping the connection open."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + payload


class Connection:
    """One keep-alive connection: send a request, read its response's status."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Wrap an open stream pair; use :meth:`open`."""
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        """Connect to ``host:port``."""
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> int:
        """Send ``request`` and read the whole response; returns its status code."""
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        await self._reader.readexactly(length)
        return status

    def close(self) -> None:
        """Close the connection."""
        self._writer.close()


@dataclass(frozen=True)
class OpenLoopRun:
    """What an open-loop run saw: each acknowledged request's latency (s), refusals, and the run's length (s)."""

    latencies: list[float]
    refused: int
    seconds: float


async def open_loop(host: str, port: int, requests: Sequence[bytes], rate: float, connections: int) -> OpenLoopRun:
    """
    Send ``requests`` at ``rate`` per second, each at its scheduled time on
    the first free connection of ``connections``; a request's latency runs
    from its scheduled time (waiting for a connection counts) to its response.
    """
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await Connection.open(host, port))
    latencies: list[float] = []
    refused = 0

    async def send(request: bytes, scheduled: float) -> None:
        nonlocal refused
        connection = await pool.get()
        try:
            status = await connection.exchange(request)
        finally:
            pool.put_nowait(connection)
        if status == 200:
            latencies.append(time.perf_counter() - scheduled)
        else:
            refused += 1

    started = time.perf_counter()
    tasks = []
    for number, request in enumerate(requests):
        scheduled = started + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(request, scheduled)))
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait().close()
    return OpenLoopRun(latencies, refused, seconds)


async def closed_loop(host: str, port: int, requests: Sequence[bytes], senders: int, seconds: float) -> tuple[int, float]:
    """``senders`` connections posting back to back until ``seconds`` pass; returns acknowledgments and time taken."""
    queue = iter(requests)
    acknowledged = 0
    deadline = time.perf_counter() + seconds

    async def sender() -> None:
        nonlocal acknowledged
        connection = await Connection.open(host, port)
        try:
            for request in queue:
                if time.perf_counter() > deadline:
                    return
                if await connection.exchange(request) == 200:
                    acknowledged += 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    return acknowledged, time.perf_counter() - started
