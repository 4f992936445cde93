"""
Where the sequencer reads the rollup's L1 request queue from, and what it
shows of the L1 side (the queue with its deadlines, a trader's way out).

On a chain that is the rollup contract (:class:`ChainRequests`). Without
one (development, intake tests) it is a JSON file that stands in for the
queue (:class:`FileRequests`): the requests are read in order and may be
appended to while the sequencer runs.

A request is a deposit, a forced withdrawal or a forced cancel-all
(``L1Transaction``). Requests are taken as soon as the node reports them. A production sequencer
should wait for some confirmations first so that a reorganisation cannot
remove a deposit it already credited (future work).
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sequencer.l1.exodus import Departure, ExitProof, PerpClaimArguments, exit_proof, perp_claim_arguments, plan_departure
from sequencer.l1.reconstruct import Reconstruction, reconstruct
from sequencer.l1.rollup import Rollup
from sequencer.spec.transactions import L1Transaction

from .codec import CodecError, decode_l1_request, encode_l1_request


@dataclass(frozen=True)
class WaitingRequest:
    """An L1 request no verified batch has consumed yet, and the last block in which one still may."""

    index: int
    transaction: L1Transaction
    deadline_block: int


@dataclass(frozen=True)
class QueueSnapshot:
    """
    The rollup's L1 side as of ``block``: whether it is frozen, how many
    requests verified batches consumed, and the oldest ones still waiting.
    """

    block: int
    frozen: bool
    consumed: int
    queued: int
    waiting: tuple[WaitingRequest, ...]


@dataclass(frozen=True)
class ExitView:
    """
    A trader's way out: the rollup, what a forced request costs and how soon
    a batch must serve it, and once the rollup is frozen what ``matchproof
    exit`` would pay them (:func:`sequencer.l1.exodus.plan_departure`) with
    their account's exit proof, which serves every balance it exits and
    which the way-out page lets a browser wallet send.
    """

    chain_id: int
    rollup: str
    frozen: bool
    request_fee: int
    deadline_blocks: int
    departure: Departure | None
    proof: ExitProof | None = None
    """The account's exit proof; None unless the departure exits a balance."""
    perp_claim: PerpClaimArguments | None = None
    """``claimPerpetual``'s arguments; None unless the departure proves a perpetual claim."""


class L1Requests(Protocol):
    """A source of the rollup's L1 requests, in queue order."""

    def since(self, start: int) -> list[tuple[int, L1Transaction]]:
        """Every request from index ``start`` on, as ``(index, request)``, in order."""

    def snapshot(self, limit: int) -> QueueSnapshot | None:
        """The queue's state with its oldest ``limit`` waiting requests; None without a chain."""

    def exit_view(self, owner: str) -> ExitView | None:
        """``owner``'s way out (:class:`ExitView`); None without a chain."""


class ChainRequests:
    """The rollup contract's queue, read through a node."""

    def __init__(self, rollup: Rollup, confirmations: int = 0) -> None:
        """
        Read the queue of ``rollup``, taking a request only once its block
        has ``confirmations`` blocks on top of it (0: as soon as it is mined).
        """
        self._rollup = rollup
        self._confirmations = confirmations
        self._frozen_state: Reconstruction | None = None

    def since(self, start: int) -> list[tuple[int, L1Transaction]]:
        """Every confirmed request from ``start`` on, from the contract's events."""
        to_block = None if self._confirmations == 0 else self._rollup.w3.eth.block_number - self._confirmations
        return [(request.index, request.transaction) for request in self._rollup.l1_requests(start, to_block)]

    def snapshot(self, limit: int) -> QueueSnapshot:
        """The contract's queue now (several node calls: call it off the event loop)."""
        rollup = self._rollup
        block = rollup.w3.eth.block_number
        consumed = rollup.l1_processed()
        queued = rollup.l1_request_count()
        waiting = tuple(
            WaitingRequest(request.index, request.transaction, rollup.request_deadline(request.index))
            for request in rollup.l1_requests(consumed)[:limit]
        )
        return QueueSnapshot(block, rollup.frozen(), consumed, queued, waiting)

    def exit_view(self, owner: str) -> ExitView:
        """
        ``owner``'s way out now (node calls; once frozen, the state is rebuilt
        from L1 the first time, seconds, and kept: a frozen rollup no longer changes).
        """
        rollup = self._rollup
        contract = rollup.contract
        frozen = rollup.frozen()
        departure = None
        proof = None
        perp_claim = None
        if frozen:
            if self._frozen_state is None:
                self._frozen_state = reconstruct(rollup.w3, contract)
            departure = plan_departure(contract, self._frozen_state, owner)
            if departure.account is not None and departure.exits:
                proof = exit_proof(self._frozen_state.state, departure.account)
            if departure.account is not None and departure.perpetual_claim:
                perp_claim = perp_claim_arguments(self._frozen_state.state, departure.account)
        return ExitView(
            chain_id=int(rollup.w3.eth.chain_id),
            rollup=rollup.deployment.rollup,
            frozen=frozen,
            request_fee=rollup.request_fee(),
            deadline_blocks=int(contract.functions.requestDeadlineBlocks().call()),
            departure=departure,
            proof=proof,
            perp_claim=perp_claim,
        )


class FileRequests:
    """
    A JSON file standing in for the queue: ``{"requests": [request, ...]}``,
    each request as ``codec.encode_l1_request`` writes it.
    """

    def __init__(self, path: Path) -> None:
        """Read requests from ``path`` (a missing file is an empty queue)."""
        self.path = path

    def since(self, start: int) -> list[tuple[int, L1Transaction]]:
        """Every request in the file from ``start`` on."""
        return list(enumerate(self.read(), start=0))[start:]

    def snapshot(self, limit: int) -> None:
        """None: a file has no blocks, deadlines or freeze."""
        return None

    def exit_view(self, owner: str) -> None:
        """None: without a chain there is no way out to show."""
        return None

    def read(self) -> list[L1Transaction]:
        """
        The whole queue.

        Raises
        ------
        CodecError
            The file is not a queue's encoding.
        """
        if not self.path.exists():
            return []
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise CodecError(f"{self.path}: {error}") from error
        entries = document.get("requests") if isinstance(document, dict) else None
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise CodecError(f'{self.path}: expected {{"requests": [objects]}}')
        return [decode_l1_request(entry) for entry in entries]

    def write(self, requests: list[L1Transaction]) -> None:
        """Replace the queue (atomically: a reader never sees half a file)."""
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        temporary.write_text(json.dumps({"requests": [encode_l1_request(r) for r in requests]}), encoding="utf-8")
        temporary.replace(self.path)
