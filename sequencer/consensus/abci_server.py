"""
An ABCI 2.0 socket server: CometBFT connects to it (four connections:
consensus, mempool, query, snapshots) and sends ``Request`` messages, each
answered in order with the matching ``Response``.

The application is any object with the handlers of :class:`Application`.
Handlers run one at a time on the server's event loop, whatever connection
their request came on, so the application needs no locks. What the
sequencer set does not use is answered here: ``echo``, ``flush`` and no
state-sync snapshots.
"""

import asyncio
import logging
from typing import Protocol

from tendermint.abci import types_pb2 as abci

from .wire import WireError, frame, read_request

log = logging.getLogger(__name__)


class Application(Protocol):
    """The handlers an ABCI application gives the server, one per request it answers itself."""

    def info(self, request: abci.RequestInfo) -> abci.ResponseInfo:
        """Where the application stands: the last block it committed and that block's app hash."""

    def init_chain(self, request: abci.RequestInitChain) -> abci.ResponseInitChain:
        """The chain's genesis."""

    def check_tx(self, request: abci.RequestCheckTx) -> abci.ResponseCheckTx:
        """Whether a transaction may enter the mempool."""

    def prepare_proposal(self, request: abci.RequestPrepareProposal) -> abci.ResponsePrepareProposal:
        """As the proposer: the block's transactions."""

    def process_proposal(self, request: abci.RequestProcessProposal) -> abci.ResponseProcessProposal:
        """Whether to vote for another proposer's block."""

    def extend_vote(self, request: abci.RequestExtendVote) -> abci.ResponseExtendVote:
        """What this node adds to its precommit (its decryption shares)."""

    def verify_vote_extension(self, request: abci.RequestVerifyVoteExtension) -> abci.ResponseVerifyVoteExtension:
        """Whether another validator's vote extension is acceptable."""

    def finalize_block(self, request: abci.RequestFinalizeBlock) -> abci.ResponseFinalizeBlock:
        """Apply a decided block."""

    def commit(self, request: abci.RequestCommit) -> abci.ResponseCommit:
        """Make the last finalized block's state the committed one."""

    def query(self, request: abci.RequestQuery) -> abci.ResponseQuery:
        """Answer a read (``abci_query``)."""


HANDLED = (
    "info",
    "init_chain",
    "check_tx",
    "prepare_proposal",
    "process_proposal",
    "extend_vote",
    "verify_vote_extension",
    "finalize_block",
    "commit",
    "query",
)
"""The requests the application answers (:class:`Application`'s handlers, named as the request's field)."""


def respond(app: Application, request: abci.Request) -> abci.Response:
    """The response to one request (a ``ResponseException`` if the application raised: CometBFT stops on it)."""
    kind = request.WhichOneof("value")
    try:
        if kind in HANDLED:
            return abci.Response(**{kind: getattr(app, kind)(getattr(request, kind))})
        match kind:
            case "echo":
                return abci.Response(echo=abci.ResponseEcho(message=request.echo.message))
            case "flush":
                return abci.Response(flush=abci.ResponseFlush())
            case "list_snapshots":
                return abci.Response(list_snapshots=abci.ResponseListSnapshots())
            case "offer_snapshot":
                reject = abci.ResponseOfferSnapshot.REJECT
                return abci.Response(offer_snapshot=abci.ResponseOfferSnapshot(result=reject))
            case "load_snapshot_chunk":
                return abci.Response(load_snapshot_chunk=abci.ResponseLoadSnapshotChunk())
            case "apply_snapshot_chunk":
                abort = abci.ResponseApplySnapshotChunk.ABORT
                return abci.Response(apply_snapshot_chunk=abci.ResponseApplySnapshotChunk(result=abort))
            case _:
                return abci.Response(exception=abci.ResponseException(error=f"unknown request {kind!r}"))
    except Exception as error:  # an application bug: CometBFT halts rather than diverge
        log.exception("ABCI %s failed", kind)
        return abci.Response(exception=abci.ResponseException(error=f"{kind}: {type(error).__name__}: {error}"))


class AbciServer:
    """Serves one application to CometBFT's connections."""

    def __init__(self, app: Application) -> None:
        """A server for ``app``."""
        self.app = app

    async def serve(self, host: str, port: int, started: asyncio.Event | None = None) -> None:
        """Listen on ``host:port`` until cancelled; ``started`` is set once it listens."""
        server = await asyncio.start_server(self._connection, host, port)
        async with server:
            if started is not None:
                started.set()
            await server.serve_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer one connection's requests in order until CometBFT closes it."""
        try:
            while (request := await read_request(reader)) is not None:
                writer.write(frame(respond(self.app, request)))
                if request.WhichOneof("value") == "flush":
                    await writer.drain()
        except (WireError, ConnectionError) as error:
            log.warning("ABCI connection closed: %s", error)
        finally:
            writer.close()
