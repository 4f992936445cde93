"""
What a member node does beside consensus, on the event loop that serves
its application: it signs every batch its application builds and sends the
signature into consensus through its own CometBFT (:class:`BatchSigner`),
and, if it proves, it proves each batch and sends it to L1 through the set
contract once more than two thirds of the set signed it (:class:`SetSubmitter`).

Any prover may submit any batch, and the rollup takes each once. To spare
gas, the members take turns: batch ``n`` waits ``(i - n) mod N`` times
``stagger_s`` at member ``i`` of ``N`` (by the order of their addresses),
so one member sends it first and the next ones only if it did not.
"""

import asyncio
import base64
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from sequencer.l1.rollup import Rollup
from sequencer.l1.sequencer_set import ordered, sign_digest, submit_signed
from sequencer.l1.transactions import TransactionFailed
from sequencer.witness.batch import ProvableBatch

from .app import SequencerApp
from .signatures import BatchSignature, SigningSet

log = logging.getLogger(__name__)

POLL_S = 0.2
"""How often the member looks for new batches, signatures and L1's progress."""


@dataclass
class BatchSigner:
    """Signs each batch the application built, once, and broadcasts the signature to ``rpc_url``."""

    app: SequencerApp
    key: LocalAccount
    rpc_url: str
    next: int = 1
    """The next batch to sign."""

    async def run(self) -> None:
        """Sign and broadcast until cancelled (a broadcast that fails is tried again)."""
        async with httpx.AsyncClient(timeout=10) as client:
            while True:
                while (digest := self.app.digests.get(self.next)) is not None:
                    if self.key.address not in self.app.signatures.get(self.next, {}):  # not signed before a restart
                        tx = BatchSignature(self.next, sign_digest(self.key, digest)).encode()
                        if not await _broadcast(client, self.rpc_url, tx):
                            break
                    self.next += 1
                await asyncio.sleep(POLL_S)


@dataclass
class SetSubmitter:
    """
    Proves the application's built batches (``prove``: a batch to its
    proof's calldata, run on a worker thread) and submits each through the
    set contract when it is the next one L1 expects and enough members signed.
    """

    app: SequencerApp
    signing: SigningSet
    rollup: Rollup
    contract: Contract
    key: LocalAccount
    prove: Callable[[ProvableBatch], list[int]]
    stagger_s: float = 10.0
    proofs: dict[int, list[int]] = field(default_factory=dict)
    ready_since: dict[int, float] = field(default_factory=dict)

    async def run(self) -> None:
        """Prove and submit until cancelled."""
        while True:
            try:
                await self.step()
            except Exception:  # a node or prover failure: log it and try again
                log.exception("settlement step failed")
            await asyncio.sleep(POLL_S)

    async def step(self) -> None:
        """Drop what L1 verified; prove the next batch without a proof; submit the next one L1 expects, if due."""
        verified = await asyncio.to_thread(self.rollup.last_batch)
        for number in [n for n in self.app.built if n <= verified]:
            del self.app.built[number]
            self.proofs.pop(number, None)
        unproven = [n for n in sorted(self.app.built) if n not in self.proofs]
        if unproven:
            number = unproven[0]
            self.proofs[number] = await asyncio.to_thread(self.prove, self.app.built[number])
        number = verified + 1
        signatures = self.app.signatures.get(number, {})
        if number not in self.proofs or len(signatures) < self.signing.threshold:
            return
        since = self.ready_since.setdefault(number, time.monotonic())
        if time.monotonic() - since < self._turn(number) * self.stagger_s:
            return
        batch, proof = self.app.built[number], self.proofs[number]
        try:
            await asyncio.to_thread(
                submit_signed, self.rollup.w3, self.key, self.contract, batch, number, proof, ordered(signatures)
            )
            log.info("batch %d sent to L1 with %d signatures", number, len(signatures))
        except TransactionFailed as error:  # another member's went first, most likely
            log.warning("batch %d: %s", number, error)

    def _turn(self, number: int) -> int:
        """How many members go before this one for batch ``number``."""
        members = sorted(self.signing.members, key=lambda address: int(address, 16))
        return (members.index(self.key.address) - number) % len(members)


async def _broadcast(client: httpx.AsyncClient, rpc_url: str, tx: bytes) -> bool:
    """Hand a transaction to a node's mempool; whether it took it."""
    payload = {"jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_sync", "params": {"tx": base64.b64encode(tx).decode()}}
    try:
        answer = (await client.post(rpc_url, json=payload)).json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("broadcast to %s failed: %s", rpc_url, error)
        return False
    if "already exists in cache" in str((answer.get("error") or {}).get("data", "")):
        return True  # an earlier try reached the mempool
    result = answer.get("result") or {}
    if result.get("code", 1) != 0:
        log.warning("broadcast refused: %s", answer)
        return False
    return True
