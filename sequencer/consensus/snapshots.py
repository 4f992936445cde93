"""
Snapshots of a set node's application, so that a restart replays only the
blocks after the last one (``matchproof node start --snapshot-interval N``).

A snapshot is everything the application holds beside its code: the
machine, the committed height and app hash, the built batches' digests and
their members' signatures, the encrypted orders and the blocks waiting for
them, the results of the blocks that waited, and the batches this node's
prover has not seen verified. It is written at a commit (every ``N``
heights) into ``<home>/data/matchproof-snapshots/`` with the service's
durable, checked format (``service.checkpoint.write_pickled``), under a
fingerprint of everything that decides how blocks apply (the circuit, the
markets, the rollup, the batch and funding clocks): a snapshot of another
configuration is skipped. At start the node loads the newest one that
checks, tells CometBFT its height and app hash (``info``), and CometBFT
replays the blocks after it from its own store, then from its peers.

A snapshot is written on the event loop that serves consensus, so the set
waits for it: fine for a devnet's state; a large state would want the
service's forked writer. The home is trusted: loading a snapshot runs
pickle.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sequencer.service.checkpoint import read_pickled, write_pickled

from .app import SequencerApp

log = logging.getLogger(__name__)

FORMAT = "matchproof-node-snapshot-1"
FOLDER = Path("data") / "matchproof-snapshots"
SUFFIX = ".snapshot"
KEEP = 2
"""How many snapshots a node keeps: the newest, and one before it in case the newest is damaged."""

STATE = ("machine", "committed", "digests", "signatures", "decryptor", "waiting", "outcomes", "built")
"""The application's attributes a snapshot holds."""


def fingerprint(settings: dict[str, object]) -> str:
    """The fingerprint of the settings that decide how blocks apply (JSON-serialisable)."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Snapshots:
    """A node's snapshots: where they go, how often, and the configuration they belong to."""

    home: Path
    interval: int
    fingerprint: str

    def after_commit(self, app: SequencerApp) -> None:
        """Write a snapshot if the committed height is a multiple of the interval."""
        height = app.committed.height
        if height == 0 or height % self.interval:
            return
        path = self.home / FOLDER / f"{height:016d}{SUFFIX}"
        write_pickled(path, self._header(height), {name: getattr(app, name) for name in STATE})
        for old in self._files()[KEEP:]:
            old.unlink(missing_ok=True)

    def restore(self, app: SequencerApp) -> int:
        """Load the newest snapshot that checks into ``app``; its height (0 if none: the app stays at genesis)."""
        for path in self._files():
            height = int(path.name.removesuffix(SUFFIX))
            state = read_pickled(path, self._header(height))
            if not isinstance(state, dict) or set(state) != set(STATE):
                continue
            for name, value in state.items():
                setattr(app, name, value)
            log.info("loaded the snapshot at height %d (%s)", height, path)
            return height
        return 0

    def _header(self, height: int) -> dict[str, object]:
        return {"format": FORMAT, "fingerprint": self.fingerprint, "height": height}

    def _files(self) -> list[Path]:
        """The snapshot files, newest first."""
        folder = self.home / FOLDER
        found = [path for path in folder.glob(f"*{SUFFIX}") if path.name.removesuffix(SUFFIX).isdigit()] if folder.is_dir() else []
        return sorted(found, key=lambda path: int(path.name.removesuffix(SUFFIX)), reverse=True)
