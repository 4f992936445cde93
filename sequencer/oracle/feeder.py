"""
A signed-price feeder: the oracles of a devnet, several keys in one
process, posting a quorum's signed prices to the sequencer.

Each oracle signs its own reading of a reference price (the reference
moved by its place in the quorum times ``spread`` ticks, so readings differ
and their median is the reference) at the time of posting; the sequencer
takes the median (``spec.perpetual.rules.process_oracle_update``). A
market's next prices must be signed after its last ones, so posts are at
least a second apart.

In production each oracle is its own party with its own feed and key;
this process stands in for a quorum of them.
"""

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sequencer.crypto.eddsa import sign
from sequencer.spec.perpetual.transactions import OracleUpdate, SignedPrice, oracle_price_message
from sequencer.spec.types import Price, Timestamp


class FeederError(Exception):
    """The feeder cannot run: unreadable keys, or the sequencer refused its prices."""


@dataclass(frozen=True)
class OracleKeys:
    """The private keys of an oracle key set, by signer index (the order of the deployment's ``oracle_keys``)."""

    keys: tuple[bytes, ...]

    @classmethod
    def load(cls, path: Path) -> "OracleKeys":
        """
        The keys of a JSON file ``{"keys": ["0x<32 bytes>", ...]}``.

        Raises
        ------
        FeederError
            The file is unreadable or malformed.
        """
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            keys = tuple(bytes.fromhex(str(key).removeprefix("0x")) for key in document["keys"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise FeederError(f"cannot read oracle keys from {path}: {error}") from error
        if not keys or any(len(key) != 32 for key in keys):
            raise FeederError(f"{path}: expected a list of 32-byte keys")
        return cls(keys)

    def save(self, path: Path) -> None:
        """Write the keys as :meth:`load` reads them (the file holds private keys: keep it private)."""
        path.write_text(json.dumps({"keys": ["0x" + key.hex() for key in self.keys]}, indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)


def readings(reference: int, quorum: int, spread: int) -> list[int]:
    """The quorum's readings of ``reference``: ``spread`` ticks apart, centred on it (their median)."""
    middle = quorum // 2
    return [max(1, reference + (place - middle) * spread) for place in range(quorum)]


def signed_update(keys: OracleKeys, market: int, reference: int, timestamp: int, quorum: int, spread: int = 0) -> OracleUpdate:
    """The first ``quorum`` oracles' signed readings of ``reference`` for ``market`` at ``timestamp``, signers ascending."""
    if not 0 < quorum <= len(keys.keys):
        raise FeederError(f"a quorum of {quorum} needs that many of the {len(keys.keys)} keys")
    prices = []
    for signer, price in enumerate(readings(reference, quorum, spread)):
        message = oracle_price_message(market, Price(price), Timestamp(timestamp))
        prices.append(SignedPrice(signer, Price(price), Timestamp(timestamp), sign(keys.keys[signer], message)))
    return OracleUpdate(market, tuple(prices))


def update_document(update: OracleUpdate) -> dict[str, Any]:
    """An oracle update as ``POST /v1/perp/prices`` takes it."""
    return {
        "market": update.market,
        "prices": [
            {
                "signer": p.signer,
                "price": str(p.price),
                "timestamp": str(p.timestamp),
                "signature": {"r8x": str(p.signature.r8x), "r8y": str(p.signature.r8y), "s": str(p.signature.s)},
            }
            for p in update.prices
        ],
    }


@dataclass
class Feeder:
    """Posts signed prices for one market to a sequencer's API."""

    sequencer: str
    keys: OracleKeys
    market: int
    quorum: int
    spread: int = 0
    clock: Callable[[], float] = time.time
    last_signed: int = 0

    def post(self, reference: int) -> dict[str, Any]:
        """
        Sign ``reference`` now (after the last time this feeder signed) and
        post it; returns the sequencer's answer (the closes it started).

        Raises
        ------
        FeederError
            The sequencer refused the prices or cannot be reached.
        """
        now = int(self.clock())
        while now <= self.last_signed:
            time.sleep(0.05)
            now = int(self.clock())
        update = signed_update(self.keys, self.market, reference, now, self.quorum, self.spread)
        try:
            answer = httpx.post(f"{self.sequencer}/v1/perp/prices", json=update_document(update), timeout=30)
        except httpx.HTTPError as error:
            raise FeederError(f"cannot reach the sequencer: {error}") from error
        if not answer.is_success:
            raise FeederError(f"the sequencer refused the prices: {answer.status_code} {answer.text}")
        self.last_signed = now
        result: dict[str, Any] = answer.json()
        return result

    def run(self, path: Iterable[int], interval_s: float, on_posted: Callable[[int, dict[str, Any]], None]) -> None:
        """Post each price of ``path`` in turn, ``interval_s`` apart, reporting each answer to ``on_posted``."""
        for number, reference in enumerate(path):
            if number:
                time.sleep(interval_s)
            on_posted(reference, self.post(reference))
