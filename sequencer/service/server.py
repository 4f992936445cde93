"""
Serving the API with uvicorn: in the foreground (:func:`serve`, what
``matchproof sequencer`` runs) or in a background thread of this process
(:class:`BackgroundServer`, for tests, benchmarks and demos).

The foreground server runs on uvloop with httptools' HTTP parser (uvicorn's
pure-Python defaults cost a large share of each order's acknowledgment).
"""

import threading
import time
from collections.abc import Sequence
from types import TracebackType

import uvicorn
from fastapi import APIRouter

from .api import create_app
from .core import SequencerService

STARTUP_TIMEOUT_S = 60.0
"""How long a background server may take to replay its log and bind."""


def serve(
    service: SequencerService, host: str, port: int, log_level: str = "info", routers: Sequence[APIRouter] = ()
) -> None:
    """Replay the log, then serve (with extra ``routers``) until interrupted (SIGINT or SIGTERM stops it cleanly)."""
    uvicorn.run(
        create_app(service, routers, freeze_heap=True),
        host=host,
        port=port,
        log_level=log_level,
        log_config=None,
        ws="websockets-sansio",
        loop="uvloop",
        http="httptools",
    )


class BackgroundServer:
    """
    The API of a service, served from a thread on ``host`` (port 0: a free one).

        with BackgroundServer(service) as server:
            client = SequencerClient(server.url)
    """

    def __init__(
        self, service: SequencerService, host: str = "127.0.0.1", port: int = 0, routers: Sequence[APIRouter] = ()
    ) -> None:
        """Prepare to serve ``service`` (and ``routers``); :meth:`start` (or ``with``) starts it."""
        app = create_app(service, routers)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", ws="websockets-sansio")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="sequencer-api", daemon=True)
        self.host = host

    @property
    def port(self) -> int:
        """The port it listens on."""
        sockets = [s for server in self._server.servers for s in server.sockets]
        return int(sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        """The base URL of the API."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """
        Start serving and wait until the log is replayed and the socket bound.

        Raises
        ------
        RuntimeError
            The server stopped (its start-up failed) or did not start in time.
        """
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sequencer API did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving (the service stops and closes its log) and wait for the thread."""
        self._server.should_exit = True
        self._thread.join()

    def __enter__(self) -> "BackgroundServer":
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
