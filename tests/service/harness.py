"""
A standalone sequencer for the service and client tests: the engine tests'
exchange, its L1 requests read from a queue file, served on loopback.
"""

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from sequencer.client.http import SequencerClient
from sequencer.client.trader import Trader
from sequencer.crypto.keys import L2Keypair
from sequencer.engine.batcher import PerpSetup
from sequencer.service.config import ServiceConfig
from sequencer.service.core import SequencerService
from sequencer.service.l1 import FileRequests
from sequencer.service.server import BackgroundServer
from sequencer.spec.transactions import L1Transaction
from sequencer.spec.types import AccountIndex
from tests.engine.exchange import ALICE, BOB, CAROL, CONFIG, MARKET, SLOTS, funding

OPERATOR: LocalAccount = Account.from_key(b"\x42" * 32)
"""The operator's Ethereum key: it signs the receipts."""

MAX_BATCH_WAIT_S = 1


def trader(number: int) -> Trader:
    """Alice (1), Bob (2) or Carol (3) as the client sees them."""
    seed = {1: ALICE, 2: BOB, 3: CAROL}[number]
    return Trader(AccountIndex(seed.index), L2Keypair.from_private_key(seed.private_key))


def standalone_config(data_dir: Path) -> ServiceConfig:
    """The test exchange's configuration, with fast timers."""
    return ServiceConfig(
        data_dir=data_dir,
        tree=CONFIG,
        slots=SLOTS,
        markets=(MARKET,),
        max_batch_wait_s=MAX_BATCH_WAIT_S,
        poll_interval_s=0.05,
    )


def write_funding(path: Path, extra: Sequence[L1Transaction] = ()) -> FileRequests:
    """A queue file holding the exchange's funding deposits, then ``extra``."""
    queue = FileRequests(path)
    queue.write([*funding(), *extra])
    return queue


@contextmanager
def running_sequencer(
    directory: Path, extra: Sequence[L1Transaction] = (), perp: PerpSetup | None = None
) -> Iterator[tuple[BackgroundServer, SequencerClient]]:
    """A funded standalone sequencer in this process (``extra`` L1 requests too; ``perp``'s markets), and a client of it."""
    queue = write_funding(directory / "queue.json", extra)
    service = SequencerService(replace(standalone_config(directory / "data"), perp=perp), OPERATOR, l1=queue)
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        wait_for(lambda: client.status().l1_requests == len(funding()) + len(extra))
        yield server, client


def wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Poll ``condition`` until it holds (fails the test after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)
