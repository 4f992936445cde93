"""The explorer's routes: HTML pages under ``/explorer`` and their static files."""

import asyncio
import time
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Path as PathParameter, Query
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from web3.exceptions import Web3Exception

from sequencer.l1.paths import NODE_MODULES
from sequencer.l1.reconstruct import ReconstructionError
from sequencer.spec.types import EthAddress

from ..core import SequencerService
from ..l1 import QueueSnapshot
from . import pages

STATIC = Path(__file__).with_name("static")
"""The stylesheet and the script of the pages."""

VENDOR = {
    "ethers.umd.min.js": NODE_MODULES / "ethers" / "dist" / "ethers.umd.min.js",
    "poseidon_constants.json": NODE_MODULES / "circomlibjs" / "src" / "poseidon_constants.json",
}
"""
What the trading page takes from the pinned npm packages (package.json),
served as they are: ethers for the Ethereum key, circomlib's Poseidon
constants for the signer.
"""

ADDRESS = "^0x[0-9a-fA-F]{40}$"
"""An L1 address as the pages take it."""

WAITING_SHOWN = 50
"""The oldest waiting L1 requests the L1 page lists."""

L1_READ_EVERY_S = 2.0
"""
How long one read of the L1 queue serves the L1 page: a read scans the
queue's events and asks each waiting request's deadline, so readers share it
rather than each sending the node a burst of calls.
"""


WAYS_OUT_AT_ONCE = 2
"""
Way-out pages computed at once: each asks the node a dozen questions about
its address (and the first after a freeze rebuilds the state), so a crowd of
readers waits its turn rather than flooding the sequencer's node.
"""


def install_explorer(app: FastAPI, service: SequencerService) -> None:
    """Serve the explorer's pages of ``service`` from ``app`` (``/`` leads to them)."""
    app.mount("/explorer/static", StaticFiles(directory=STATIC), name="explorer-static")
    last_read: list[tuple[float, QueueSnapshot | None]] = []
    reading = asyncio.Lock()
    planning = asyncio.Semaphore(WAYS_OUT_AT_ONCE)

    async def l1_queue() -> QueueSnapshot | None:
        """The L1 queue as read at most ``L1_READ_EVERY_S`` ago (one read at a time)."""
        async with reading:
            if not last_read or time.monotonic() - last_read[0][0] > L1_READ_EVERY_S:
                last_read[:] = [(time.monotonic(), await asyncio.to_thread(service.l1_queue, WAITING_SHOWN))]
            return last_read[0][1]

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/explorer")

    @app.get("/explorer", response_class=HTMLResponse, include_in_schema=False)
    async def overview() -> HTMLResponse:
        return HTMLResponse(pages.overview(service))

    @app.get("/explorer/markets/{name}", response_class=HTMLResponse, include_in_schema=False)
    async def market(name: Annotated[str, PathParameter(max_length=64)]) -> HTMLResponse:
        found = service.operator.markets.get(name)
        if found is None:
            return HTMLResponse(pages.not_found(f"There is no market {name}."), status_code=404)
        return HTMLResponse(pages.market_page(service, found))

    @app.get("/explorer/batches", response_class=HTMLResponse, include_in_schema=False)
    async def batches() -> HTMLResponse:
        return HTMLResponse(pages.batches_page(service))

    @app.get("/explorer/batches/{number}", response_class=HTMLResponse, include_in_schema=False)
    async def batch(number: Annotated[int, PathParameter(ge=1, lt=2**53)]) -> HTMLResponse:
        if number > len(service.operator.batches) + 1:
            return HTMLResponse(pages.not_found(f"Batch {number} does not exist yet."), status_code=404)
        return HTMLResponse(pages.batch_page(service, number))

    @app.get("/explorer/trade", response_class=HTMLResponse, include_in_schema=False)
    async def trade() -> HTMLResponse:
        return HTMLResponse(pages.trade_page(service))

    @app.get("/explorer/vendor/{name}", include_in_schema=False)
    async def vendor(name: str) -> Response:
        path = VENDOR.get(name)
        if path is None or not path.exists():
            return PlainTextResponse(f"{name} is not served here (scripts/bootstrap installs the npm packages)", 404)
        return FileResponse(path)

    @app.get("/explorer/l1", response_class=HTMLResponse, include_in_schema=False)
    async def l1() -> HTMLResponse:
        try:
            queue = await l1_queue()
        except (OSError, Web3Exception) as error:  # the node is down or refuses: say so, keep serving
            return HTMLResponse(pages.l1_page(service, None, unreachable=str(error)), status_code=503)
        return HTMLResponse(pages.l1_page(service, queue))

    @app.get("/explorer/accounts/{address}/exit", response_class=HTMLResponse, include_in_schema=False)
    async def exit_options(address: Annotated[str, PathParameter(pattern=ADDRESS)]) -> HTMLResponse:
        owner = address.lower()
        try:
            async with planning:
                view = await asyncio.to_thread(service.exit_view, owner)
        except (OSError, Web3Exception, ReconstructionError) as error:  # the node or its data: say so, keep serving
            return HTMLResponse(pages.exit_page(service, owner, None, unreachable=str(error)), status_code=503)
        return HTMLResponse(pages.exit_page(service, owner, view))

    @app.get("/explorer/account", include_in_schema=False)
    async def look_up(address: Annotated[str, Query(pattern=ADDRESS)]) -> RedirectResponse:
        return RedirectResponse(f"/explorer/accounts/{address.lower()}")

    @app.get("/explorer/accounts/{address}", response_class=HTMLResponse, include_in_schema=False)
    async def account(address: Annotated[str, PathParameter(pattern=ADDRESS)]) -> HTMLResponse:
        index = service.operator.account_of(EthAddress(int(address, 16)))
        return HTMLResponse(pages.account_page(service, address.lower(), index))
