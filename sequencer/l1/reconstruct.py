"""
The rollup's state rebuilt from L1 alone, with no sequencer.

Everything the state depends on is in the rollup's own events: every field
of every L1 request (``L1RequestQueued``) and the public data and timestamp
of every proven batch (``BatchVerified``, which the batch's proof binds
through its public input). Events do not depend on how a transaction
reached the rollup, so batches submitted through a multisig, a relayer or a
smart account rebuild like direct calls. The rebuild replays the
batches in order onto the genesis state (:func:`sequencer.spec.replay.replay_batch`)
and checks every step against what the contract itself stored or verified:

- each request's hash folds into the chain value its event reports, and the
  last of them is the contract's chain;
- each batch's published data, with the chain values around the requests
  it consumed, hashes to the public input the contract verified;
- each replay ends at the batch's verified new root, and the last at the
  contract's last proven root.

A node that altered or dropped data would fail one of these checks, so a
rebuild either gives the proven state or raises :class:`ReconstructionError`.

Only the tree depths come from the contract's views; the order tree's depth,
which the contract does not use, is the one whose empty state has the
contract's genesis root.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.types import BlockIdentifier, EventData

from sequencer.spec.constants import TreeConfig
from sequencer.spec.errors import RollupError
from sequencer.spec.public_data import (
    chain_step,
    decode_slot,
    l1_request_hash,
    public_input_hash,
)
from sequencer.l1.perp_parameters import PerpParametersMismatch, read_perp_parameters
from sequencer.spec.perpetual.constants import MAX_PERP_MARKETS
from sequencer.spec.perpetual.public_data import decode_perp_slot, split_batch_data
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.replay import replay_batch
from sequencer.spec.state import State
from sequencer.spec.transactions import Deposit
from sequencer.spec.types import FieldElement, Timestamp

from .checks import DeploymentMismatch, empty_state_trees
from .rollup import L1Request, request_from_event

LOG_CHUNK_BLOCKS = 10_000
"""Blocks per ``eth_getLogs`` call: public nodes cap the range one call may cover."""


class ReconstructionError(Exception):
    """What L1 reports does not rebuild into the state the contract proved."""


@dataclass(frozen=True)
class PublishedBatch:
    """A verified batch as L1 holds it: its header, its public data and where it came from."""

    number: int
    old_root: FieldElement
    new_root: FieldElement
    timestamp: Timestamp
    l1_count: int
    slots: tuple[bytes, ...]
    public_input_hash: FieldElement
    transaction: HexBytes
    perp_slots: tuple[bytes, ...] = ()


@dataclass
class Reconstruction:
    """
    The proven state rebuilt from L1, and what else L1 says about the rollup:
    its requests (consumed or not), its batches and whether it is frozen.
    """

    config: TreeConfig
    state: State
    perp_config: PerpConfig | None
    """The deployment's perpetual parameters, as L1 carries them (None without perpetual markets)."""
    requests: list[L1Request]
    batches: list[PublishedBatch]
    processed: int
    """How many requests proven batches consumed; the rest are waiting."""
    frozen: bool
    block: int
    """The block the rebuild read L1 at."""

    @property
    def root(self) -> FieldElement:
        """The rebuilt state's root: the contract's last proven root."""
        return self.state.root

    def pending_deposits(self) -> list[tuple[int, Deposit]]:
        """The deposits no batch consumed, as ``(request index, deposit)``: refundable once frozen."""
        return [
            (request.index, request.transaction)
            for request in self.requests[self.processed :]
            if isinstance(request.transaction, Deposit)
        ]


def reconstruct(
    w3: Web3,
    contract: Contract,
    *,
    progress: Callable[[str], None] | None = None,
    replayed: Callable[[int, int], None] | None = None,
) -> Reconstruction:
    """
    Rebuild the rollup's proven state from ``contract``'s events, as of the
    latest block.

    ``progress``, if given, is told each step; ``replayed(done, total)`` each
    batch replayed.

    Raises
    ------
    ReconstructionError
        A check against the contract fails.
    """
    say = progress or (lambda _message: None)
    block = int(w3.eth.block_number)
    views = ContractViews(contract, block)
    try:
        perp_config_hash = FieldElement(int(views.call("perpetuals")[4]))
        config = empty_state_trees(
            views.uint("accountDepth"), views.uint("balanceDepth"), views.uint("genesisRoot"), perp_config_hash
        )
    except DeploymentMismatch as error:
        raise ReconstructionError(str(error)) from error
    start = views.uint("deploymentBlock")
    say(f"tree depths {config.account_depth}/{config.balance_depth}/{config.order_depth}, blocks {start}..{block}")

    requests = read_requests(contract, start, block)
    if chain_of(requests) != views.uint("l1Chain", len(requests)):
        raise ReconstructionError("the L1 request events do not fold into the contract's request chain")
    say(f"{len(requests)} L1 requests")

    perpetuals = views.call("perpetuals")
    perp_slots = int(perpetuals[5])
    perp_config = None
    if perp_config_hash:
        try:
            perp_config = read_perp_parameters(contract, start, start, perp_config_hash)
        except PerpParametersMismatch as error:
            raise ReconstructionError(str(error)) from error
        quanta = [params.quantum for params in perp_config.markets]
        quanta += [0] * (MAX_PERP_MARKETS - len(quanta))
        if (int(perpetuals[0]), [int(q) for q in perpetuals[2]]) != (perp_config.collateral_token, quanta):
            raise ReconstructionError(
                "the rollup's collateral token and quanta (what its perpetual claims are valued with) are not its parameters'"
            )
        say(f"perpetual parameters: {len(perp_config.markets)} markets, {perp_slots} perpetual slots a batch")

    batches = read_batches(contract, start, block, requests, (views.uint("nTx"), perp_slots))
    if len(batches) != views.uint("lastBatch"):
        raise ReconstructionError(f"{len(batches)} batches found, the contract verified {views.uint('lastBatch')}")
    say(f"{len(batches)} batches")

    state = State.genesis(config, perp_config_hash)
    if state.root != views.uint("genesisRoot"):
        raise ReconstructionError("the genesis state is not the contract's genesis root")
    processed = replay(state, batches, requests, replayed, perp_config)
    if state.root != views.uint("stateRoot") or processed != views.uint("l1Processed"):
        raise ReconstructionError("the rebuilt state is not the contract's last proven state")
    say(f"state rebuilt: root {state.root}")
    return Reconstruction(config, state, perp_config, requests, batches, processed, bool(views.call("frozen")), block)


def replay(
    state: State,
    batches: Sequence[PublishedBatch],
    requests: Sequence[L1Request],
    replayed: Callable[[int, int], None] | None = None,
    perp_config: PerpConfig | None = None,
) -> int:
    """
    Replay every batch onto ``state`` (the genesis state), its perpetual
    slots on the markets of ``perp_config``; returns how many requests they
    consumed. ``replayed(done, total)`` is told after each batch.

    Raises
    ------
    ReconstructionError
        A batch does not start from the state the previous one left, or its
        replay fails or ends elsewhere than at its verified new root.
    """
    consumed = 0
    for batch in batches:
        if batch.old_root != state.root:
            raise ReconstructionError(f"batch {batch.number} starts from another root than the rebuilt state")
        consumed_requests = [request.transaction for request in requests[consumed : consumed + batch.l1_count]]
        try:
            new_root = replay_batch(
                state,
                [decode_slot(slot) for slot in batch.slots],
                consumed_requests,
                batch.timestamp,
                [decode_perp_slot(slot) for slot in batch.perp_slots],
                perp_config,
            )
        except (RollupError, ValueError) as error:
            raise ReconstructionError(f"batch {batch.number} does not replay: {error}") from error
        if new_root != batch.new_root:
            raise ReconstructionError(f"batch {batch.number} replays to another root than the one it proved")
        consumed += batch.l1_count
        if replayed is not None:
            replayed(batch.number, len(batches))
    return consumed


def read_requests(contract: Contract, from_block: int, to_block: int) -> list[L1Request]:
    """
    Every L1 request queued between two blocks, in queue order, each checked
    against the chain value its event reports.

    Raises
    ------
    ReconstructionError
        A request is missing, or its hash does not fold into its chain value.
    """
    events = logs(contract, "L1RequestQueued", from_block, to_block)
    try:
        requests = sorted((request_from_event(event["args"]) for event in events), key=lambda r: r.index)
    except ValueError as error:
        raise ReconstructionError(str(error)) from error
    chain = FieldElement(0)
    for position, request in enumerate(requests):
        if request.index != position:
            raise ReconstructionError(f"L1 request {position} is missing from the events")
        chain = chain_step(chain, l1_request_hash(request.transaction))
        if chain != request.chain:
            raise ReconstructionError(f"L1 request {position} does not hash to the chain its event reports")
    return requests


def chain_of(requests: Sequence[L1Request]) -> FieldElement:
    """The request chain after ``requests`` (checked by :func:`read_requests`)."""
    return requests[-1].chain if requests else FieldElement(0)


def read_batches(
    contract: Contract, from_block: int, to_block: int, requests: Sequence[L1Request], slots: tuple[int, int]
) -> list[PublishedBatch]:
    """
    Every verified batch, in order, with the public data its event
    published (``slots``: how many spot and perpetual slots a batch holds),
    checked against the public input hash the contract verified.

    Raises
    ------
    ReconstructionError
        A batch is missing, its data is malformed, or it does not hash to its
        verified public input.
    """
    events = sorted(logs(contract, "BatchVerified", from_block, to_block), key=lambda e: int(e["args"]["batchNumber"]))
    chains = [FieldElement(0)] + [request.chain for request in requests]
    batches = []
    consumed = 0
    for position, event in enumerate(events, start=1):
        batch = published_batch(event, slots)
        if batch.number != position:
            raise ReconstructionError(f"batch {position} is missing from the events")
        if consumed + batch.l1_count >= len(chains):
            raise ReconstructionError(f"batch {batch.number} consumes requests that were never queued")
        expected = public_input_hash(
            batch.old_root,
            batch.new_root,
            batch.timestamp,
            chains[consumed],
            chains[consumed + batch.l1_count],
            b"".join(batch.slots + batch.perp_slots),
        )
        if expected != batch.public_input_hash:
            raise ReconstructionError(f"the published data of batch {batch.number} is not what its proof verified")
        consumed += batch.l1_count
        batches.append(batch)
    return batches


def published_batch(event: EventData, slots: tuple[int, int]) -> PublishedBatch:
    """
    A ``BatchVerified`` event's batch: its header, timestamp and public data,
    cut into ``slots`` (spot, perpetual).

    Raises
    ------
    ReconstructionError
        The public data is not that many slots.
    """
    args = event["args"]
    number = int(args["batchNumber"])
    try:
        spot, perp = split_batch_data(bytes(args["publicData"]), *slots)
    except ValueError as error:
        raise ReconstructionError(f"the public data of batch {number} is malformed: {error}") from error
    return PublishedBatch(
        number=number,
        old_root=FieldElement(int(args["oldRoot"])),
        new_root=FieldElement(int(args["newRoot"])),
        timestamp=Timestamp(int(args["timestamp"])),
        l1_count=int(args["l1Count"]),
        slots=tuple(spot),
        public_input_hash=FieldElement(int(args["publicInputHash"])),
        transaction=HexBytes(event["transactionHash"]),
        perp_slots=tuple(perp),
    )


def logs(contract: Contract, event: str, from_block: int, to_block: int) -> list[EventData]:
    """Every ``event`` of the contract between two blocks (inclusive), fetched in chunks."""
    found: list[EventData] = []
    for start in range(from_block, to_block + 1, LOG_CHUNK_BLOCKS):
        end = min(start + LOG_CHUNK_BLOCKS - 1, to_block)
        found += contract.events[event]().get_logs(from_block=start, to_block=end)
    return found


class ContractViews:
    """The contract's views, all read at one block so that they agree with each other."""

    def __init__(self, contract: Contract, block: BlockIdentifier) -> None:
        """Read ``contract`` at ``block``."""
        self.contract = contract
        self.block = block

    def call(self, name: str, *args: Any) -> Any:
        """The view ``name(*args)``."""
        return self.contract.functions[name](*args).call(block_identifier=self.block)

    def uint(self, name: str, *args: Any) -> int:
        """A view that returns one integer."""
        return int(self.call(name, *args))
