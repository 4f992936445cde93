"""
The sequencer's state machine as a CometBFT application: every node of the
sequencer set applies the same decided blocks to the same
:class:`~sequencer.service.machine.Machine`, so every honest node holds the
same books, trades and batches. The block proposer chooses the order of
transactions, never the matches: matching is the engine's, at each
transaction's place in the block.

A transaction is one command in its canonical JSON
(``service.commands.canonical_command``), the bytes a receipt's request
hash covers. Three kinds of command reach the machine:

- *trader commands* (orders, cancels, withdrawals, perpetual orders,
  collateral moves, oracle prices) come through the mempool from any node;
- *L1 requests* (deposits, forced requests) are put at the front of a block
  by its proposer, from its own reading of the rollup's queue, and every
  other node checks each against its own reading before voting for the
  block (``process_proposal``), so no proposer can invent a deposit;
- *the machine's own* (expiring stale orders, a funding tick every
  ``funding_interval_s`` while someone holds a perpetual position, sealing
  a batch whose oldest transaction waited ``max_batch_wait_s``) are derived
  by every node from the block's time and state, never carried in a block.

A trader may also send a command encrypted to the set's threshold key
(``encrypted.EncryptedOrder``): a block orders it unread, and that block
and every block after it wait until it is decrypted, two blocks later,
from the members' decryption shares that their vote extensions carried
(``extend_vote``) and the next proposer put at the front of its block. So
every transaction, an encrypted one too, runs at its place in the order of
blocks (``encrypted`` tells the whole protocol).

Beside commands, a transaction may carry a member's signature of a batch
(``signatures.BatchSignature``). With a sequencer set on L1 every node
builds each batch at the end of the block that sealed it, so every node
knows each batch's digest, and a block records a signature only if it
recovers to a member who has not signed that batch yet.

Time inside the machine is the block's time (BFT time: a weighted median of
the validators' clocks), never a node's own clock, so every node gives every
command the same time.

The app hash chains each block's effect: sha256 of the previous hash, the
height, the rollup state root after the block and the hash of the block's
transaction results. Nodes that apply a block differently disagree on it,
and CometBFT stops the chain rather than let them diverge.
"""

import hashlib
import json
import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp as ProtoTimestamp
from tendermint.abci import types_pb2 as abci
from web3.exceptions import Web3Exception

from sequencer.engine.checks import signed_by
from sequencer.engine.errors import RequestRejected
from sequencer.service.ahead import signed_parts
from sequencer.service.canonical import state_digest
from sequencer.service.codec import CodecError
from sequencer.service.commands import (
    AddL1Request,
    Cancel,
    CancelAllOrders,
    Command,
    PlaceOrder,
    PlacePerpOrder,
    PostPrices,
    RequestWithdrawal,
    SealBatch,
    TickFunding,
    TransferCollateral,
    canonical_command,
    decode_command,
)
from sequencer.service.l1 import L1Requests
from sequencer.l1.sequencer_set import SignedBatchHeader, batch_digest, signer_of
from sequencer.service.machine import Machine
from sequencer.spec.errors import InvalidTransaction
from sequencer.spec.perpetual.rules import check_oracle_quorum, check_oracle_signatures
from sequencer.spec.types import FieldElement, Timestamp
from sequencer.witness.batch import ProvableBatch

from .encrypted import (
    ENCRYPTED_TX_TYPE,
    SHARES_TX_TYPE,
    DecryptionShares,
    MemberShare,
    EncryptedOrder,
    Share,
    Decryptor,
    decode_extension,
)
from .signatures import TX_TYPE, BatchSignature, SigningSet
from .wire import encode_varint

TRADER_COMMANDS = (PlaceOrder, Cancel, CancelAllOrders, RequestWithdrawal, PlacePerpOrder, TransferCollateral, PostPrices)
"""The commands anyone may send through a node's mempool."""

CODESPACE = "matchproof"

INVALID_CIPHERTEXT = "INVALID_CIPHERTEXT"
"""The ``info`` of an encrypted order whose ciphertext is not well formed."""

L1_READ_ERRORS = (OSError, Web3Exception, ValueError)
"""What reading the L1 queue may raise: the node unreachable, an RPC error, a queue it cannot decode."""

logger = logging.getLogger(__name__)


class TxCode:
    """The codes of a transaction's result (``ExecTxResult.code``, ``ResponseCheckTx.code``); 0 is accepted."""

    OK = 0
    MALFORMED = 1
    """Not a command in canonical JSON."""
    NOT_ALLOWED = 2
    """A command no trader may send (an L1 request, a seal, a tick)."""
    REJECTED = 3
    """The engine refused the command (its code in the result's ``info``); nothing changed."""
    UNSIGNABLE = 4
    """A batch signature of no member, of an unknown batch, a repeat, or on a rollup without a set; nothing changed."""


WAITING = "WAITING"
"""
The ``info`` of an accepted transaction whose block waits for encrypted
orders to be decrypted; its result comes later (the ``outcome`` query).
"""


@dataclass
class NodeCounters:
    """How many proposals, vote extensions and decryption shares of others this node refused."""

    proposals: int = 0
    vote_extensions: int = 0
    shares: int = 0


class ProposalRejected(Exception):
    """A proposed block this node does not vote for: what is wrong with it."""


@dataclass
class Head:
    """The last block the machine applied: its height and app hash (committed once CometBFT calls ``commit``)."""

    height: int = 0
    app_hash: bytes = b""


Carried = Command | BatchSignature | EncryptedOrder | DecryptionShares
"""What a transaction carries."""

_DECODERS: dict[str, Callable[[dict[str, Any]], Carried]] = {
    TX_TYPE: BatchSignature.decode,
    ENCRYPTED_TX_TYPE: EncryptedOrder.decode,
    SHARES_TX_TYPE: DecryptionShares.decode,
}
"""The transactions that are not commands, by their ``type``."""


def decode_tx(tx: bytes) -> Carried:
    """
    The command, batch signature, encrypted order or decryption shares a transaction carries.

    Raises
    ------
    CodecError
        The bytes are not the canonical JSON of any.
    """
    try:
        document = json.loads(tx)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CodecError(f"not JSON: {error}") from error
    if not isinstance(document, dict):
        raise CodecError("not a JSON object")
    kind = document.get("type")
    carried = _DECODERS[kind](document) if isinstance(kind, str) and kind in _DECODERS else decode_command(document)
    if encode_tx(carried) != tx:  # one encoding each: the request hash names one transaction
        raise CodecError("not the canonical encoding")
    return carried


def encode_tx(carried: Carried) -> bytes:
    """The transaction that carries a command, a batch signature, an encrypted order or decryption shares."""
    return carried.encode() if isinstance(carried, (BatchSignature, EncryptedOrder, DecryptionShares)) else canonical_command(carried)


@dataclass
class DecidedBlock:
    """A decided block not run yet: its height, its time, and its transactions by position (an encrypted one with its ordinal)."""

    height: int
    time_ms: int
    txs: list[tuple[int, Carried, int | None]] = field(default_factory=list)

    def ready(self, decryptor: "Decryptor | None") -> bool:
        """Whether every encrypted order in it is decrypted."""
        return all(ordinal is None or (decryptor is not None and ordinal in decryptor.decrypted) for _, _, ordinal in self.txs)


def block_time_ms(time: ProtoTimestamp) -> int:
    """A block's time in unix milliseconds."""
    return int(time.seconds) * 1000 + int(time.nanos) // 1_000_000


class SequencerApp:
    """The replicated sequencer: an ABCI application over one machine (see the module's docstring)."""

    def __init__(
        self,
        machine: Machine,
        l1: L1Requests | None,
        max_batch_wait_s: int,
        signing: SigningSet | None = None,
        funding_interval_s: int = 60,
        decryptor: Decryptor | None = None,
        member_share: MemberShare | None = None,
    ) -> None:
        """
        An application around a machine at genesis; ``l1`` is this node's
        reading of the rollup's request queue (None: no chain, no L1
        requests), ``max_batch_wait_s`` how long a transaction waits for its
        batch, ``signing`` the sequencer set on L1 (None: the rollup has
        none, batches are neither built here nor signed),
        ``funding_interval_s`` the time between funding ticks (the engine's
        funding policy sets their rates), ``decryptor`` the set's threshold
        key and encrypted orders (None: the set takes none), ``member_share``
        this node's secret share of that key (None: it makes no shares).
        """
        self.machine = machine
        self.l1 = l1
        self.max_batch_wait_s = max_batch_wait_s
        self.funding_interval_s = funding_interval_s
        self.signing = signing
        self.committed = Head()
        self._finalized = Head()
        self.digests: dict[int, bytes] = {}
        """Each built batch's digest, by number: what its members sign."""
        self.signatures: dict[int, dict[str, bytes]] = {}
        """The members' signatures recorded for each batch, by signer address."""
        self.keep_built = False
        """Whether to keep built batches for this node's prover (:attr:`built`)."""
        self.built: dict[int, ProvableBatch] = {}
        """Built batches this node's prover has not seen verified yet (not part of the replicated state)."""
        self.decryptor = decryptor
        self.member_share = member_share
        self.waiting: deque[DecidedBlock] = deque()
        """Decided blocks that wait for encrypted orders to be decrypted, oldest first."""
        self.outcomes: dict[tuple[int, int], abci.ExecTxResult] = {}
        """The results of transactions whose block waited, by (height, position)."""
        self.refused = NodeCounters()
        """What this node refused of others (its own view, not replicated state)."""
        self.on_commit: list[Callable[[], None]] = []
        """What runs after each commit (a snapshot writer)."""

    # ------------------------------------------------------------------ connection handshake

    def info(self, request: abci.RequestInfo) -> abci.ResponseInfo:
        """
        The last committed block. The machine lives in memory: after a
        restart it is at its last snapshot (``snapshots``) or at genesis
        (height 0), and CometBFT replays the blocks of its store after that
        to it before it joins consensus again.
        """
        return abci.ResponseInfo(
            data="matchproof sequencer",
            last_block_height=self.committed.height,
            last_block_app_hash=self.committed.app_hash,
        )

    def init_chain(self, request: abci.RequestInitChain) -> abci.ResponseInitChain:
        """Genesis: the machine's state is the rollup's genesis, whatever the genesis file holds."""
        return abci.ResponseInitChain(app_hash=self.committed.app_hash)

    # ------------------------------------------------------------------ mempool

    def check_tx(self, request: abci.RequestCheckTx) -> abci.ResponseCheckTx:
        """
        Admit a trader's command (a spot one only if its account exists and
        signed it, in the committed state; oracle prices only from a quorum
        of the oracles' valid signatures), an encrypted order (if its
        ciphertext is well formed: nothing else of it can be read) or a
        batch signature; anything else never enters the mempool. The block that carries a command
        checks it again, in full.
        """
        try:
            command = decode_tx(request.tx)
        except CodecError as error:
            return abci.ResponseCheckTx(code=TxCode.MALFORMED, log=str(error), codespace=CODESPACE)
        if isinstance(command, EncryptedOrder):
            if self.decryptor is None:
                return abci.ResponseCheckTx(code=TxCode.NOT_ALLOWED, log="this set takes no encrypted orders", codespace=CODESPACE)
            if not self.decryptor.well_formed(command):
                return abci.ResponseCheckTx(code=TxCode.REJECTED, info=INVALID_CIPHERTEXT, log="not a ciphertext", codespace=CODESPACE)
            return abci.ResponseCheckTx(code=TxCode.OK)
        if not isinstance(command, (*TRADER_COMMANDS, BatchSignature)):
            log = f"{type(command).__name__} is not a trader's command"
            return abci.ResponseCheckTx(code=TxCode.NOT_ALLOWED, log=log, codespace=CODESPACE)
        if isinstance(command, PostPrices):
            return self._check_prices(command)
        signed = None if isinstance(command, BatchSignature) else signed_parts(command)
        if signed is not None:
            index, message, signature = signed
            try:
                signed_by(self.machine.operator.head, index, FieldElement(message()), signature)
            except RequestRejected as error:
                return abci.ResponseCheckTx(code=TxCode.REJECTED, info=error.code, log=str(error), codespace=CODESPACE)
        return abci.ResponseCheckTx(code=TxCode.OK)

    def _check_prices(self, command: PostPrices) -> abci.ResponseCheckTx:
        """
        Admit oracle prices only from a quorum of known oracles, ascending,
        each signature valid (their times are the block's to judge).
        """
        perp = self.machine.operator.perp
        if perp is None:
            return abci.ResponseCheckTx(code=TxCode.NOT_ALLOWED, log="this rollup has no perpetual markets", codespace=CODESPACE)
        try:
            check_oracle_quorum(perp.config, command.update)
            check_oracle_signatures(perp.config, command.update)
        except InvalidTransaction as error:
            return abci.ResponseCheckTx(code=TxCode.REJECTED, info=error.code, log=str(error), codespace=CODESPACE)
        return abci.ResponseCheckTx(code=TxCode.OK)

    # ------------------------------------------------------------------ consensus

    def prepare_proposal(self, request: abci.RequestPrepareProposal) -> abci.ResponsePrepareProposal:
        """
        As the proposer: the decryption shares the last commit's votes
        carried (``encrypted``), the L1 requests this node reads that the
        machine has not taken, then the mempool's trader commands in its
        order, within the block's byte limit.
        """
        txs: list[bytes] = []
        room = request.max_tx_bytes
        shares = self._received_shares(request.local_last_commit)
        l1_txs = [encode_tx(command) for command in self._new_l1_requests()]
        for tx in (*shares, *l1_txs, *(tx for tx in request.txs if self._from_trader(tx))):
            size = len(tx) + len(encode_varint(len(tx))) + 1  # as the block's protobuf encoding counts it
            if size > room:
                break
            txs.append(tx)
            room -= size
        return abci.ResponsePrepareProposal(txs=txs)

    def process_proposal(self, request: abci.RequestProcessProposal) -> abci.ResponseProcessProposal:
        """Vote for a block only if every transaction is one a proposer may include (:meth:`check_proposal`)."""
        try:
            self.check_proposal(list(request.txs))
        except ProposalRejected as error:
            self.refused.proposals += 1
            logger.warning("refused the proposal of %s at height %d: %s", request.proposer_address.hex(), request.height, error)
            return abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.REJECT)
        return abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.ACCEPT)

    def extend_vote(self, request: abci.RequestExtendVote) -> abci.ResponseExtendVote:
        """
        This node's decryption shares of every encrypted order that waits in
        the committed state and whose share no block carried yet (nothing
        without a share key). CometBFT asks while precommitting the block
        after, so no share is ever made of an order whose place could still change.
        """
        if self.decryptor is None or self.member_share is None:
            return abci.ResponseExtendVote()
        wanted = self.decryptor.wanted_from(self.member_share.member)
        return abci.ResponseExtendVote(vote_extension=self.member_share.shares_of(wanted).encode() if wanted else b"")

    def verify_vote_extension(self, request: abci.RequestVerifyVoteExtension) -> abci.ResponseVerifyVoteExtension:
        """
        Accept another validator's vote extension only if it is empty or
        holds members' shares of waiting encrypted orders. Whether each is
        its member's share is checked once, for every extension together:
        by the proposer, which carries only valid ones, and by every voter
        of its block (``check_proposal``).
        """
        try:
            shares = decode_extension(request.vote_extension)
            if not shares.shares:
                wrong = None
            else:
                wrong = "this set takes no encrypted orders" if self.decryptor is None else self.decryptor.misplaced(shares)
        except CodecError as error:
            wrong = str(error)
        if wrong is not None:
            self.refused.vote_extensions += 1
            validator = request.validator_address.hex()
            logger.warning("refused the vote extension of validator %s at height %d: %s", validator, request.height, wrong)
            return abci.ResponseVerifyVoteExtension(status=abci.ResponseVerifyVoteExtension.REJECT)
        return abci.ResponseVerifyVoteExtension(status=abci.ResponseVerifyVoteExtension.ACCEPT)

    def check_proposal(self, txs: list[bytes]) -> None:
        """
        Check a proposed block: decryption shares first if any, each a
        member's valid share of a waiting encrypted order; then L1 requests, in
        queue order from the next one the machine expects, each the request
        this node reads at that index; then trader commands and encrypted
        orders only.

        Raises
        ------
        ProposalRejected
            A transaction that does not decode, a share that is not a
            member's share of a waiting order, an L1 request this node does
            not read there (or reads differently), or a command no proposer may include.
        """
        expected = self.machine.operator.l1_seen
        known: Iterator[tuple[int, Any]] | None = None
        traders = False
        for position, tx in enumerate(txs):
            try:
                command = decode_tx(tx)
            except CodecError as error:
                raise ProposalRejected(f"transaction {position}: {error}") from error
            if isinstance(command, DecryptionShares):
                if position != 0 or self.decryptor is None:
                    why = "decryption shares only lead a block of a set that takes encrypted orders"
                    raise ProposalRejected(f"transaction {position}: {why}")
                wrong = self.decryptor.unchecked(command)
                if wrong is not None:
                    raise ProposalRejected(f"transaction {position}: {wrong}")
            elif isinstance(command, EncryptedOrder):
                if self.decryptor is None or not self.decryptor.well_formed(command):
                    raise ProposalRejected(f"transaction {position}: an encrypted order this set cannot take (no key, or not a ciphertext)")
                traders = True
            elif isinstance(command, AddL1Request):
                if traders:
                    raise ProposalRejected(f"transaction {position}: an L1 request after a trader's command")
                if known is None:
                    try:
                        known = iter(self.l1.since(expected) if self.l1 is not None else [])
                    except L1_READ_ERRORS as error:  # what this node cannot check, it does not vote for
                        raise ProposalRejected(f"L1 cannot be read: {error}") from error
                index, l1_request = next(known, (None, None))
                if (command.index, command.request) != (index, l1_request):
                    raise ProposalRejected(f"transaction {position}: L1 request {command.index} is not the queue's")
            elif isinstance(command, (*TRADER_COMMANDS, BatchSignature)):
                traders = True
            else:
                raise ProposalRejected(f"transaction {position}: {type(command).__name__} is never proposed")

    def finalize_block(self, request: abci.RequestFinalizeBlock) -> abci.ResponseFinalizeBlock:
        """
        Take a decided block. Its decryption shares decrypt every encrypted order
        that now has enough; then the block joins the decided blocks not run
        yet, and every one whose encrypted orders are all decrypted runs, oldest
        first, up to the first that still waits (:meth:`_run`). So every
        transaction runs at its place in the order of blocks, an encrypted order
        too, once it can be read.

        A transaction of a block that runs at once has its result here; one
        whose block waits is accepted as ``WAITING``, and its result, once
        it runs, is the ``outcome/<height>/<position>`` query's.
        """
        block = DecidedBlock(request.height, block_time_ms(request.time))
        results: dict[int, abci.ExecTxResult] = {}
        for position, tx in enumerate(request.txs):
            try:
                carried = decode_tx(tx)
            except CodecError as error:  # a decided block holds only what its voters checked
                results[position] = abci.ExecTxResult(code=TxCode.MALFORMED, log=str(error), codespace=CODESPACE)
                continue
            if isinstance(carried, DecryptionShares):
                results[position] = self._open(carried)
            elif isinstance(carried, EncryptedOrder) and self.decryptor is None:
                log = "this set takes no encrypted orders"
                results[position] = abci.ExecTxResult(code=TxCode.NOT_ALLOWED, log=log, codespace=CODESPACE)
            elif isinstance(carried, EncryptedOrder) and self.decryptor is not None:
                ordinal = self.decryptor.order(carried)
                if ordinal is None:
                    refused = abci.ExecTxResult(code=TxCode.REJECTED, info=INVALID_CIPHERTEXT, log="not a ciphertext", codespace=CODESPACE)
                    results[position] = refused
                else:
                    block.txs.append((position, carried, ordinal))
            else:
                block.txs.append((position, carried, None))
        self.waiting.append(block)
        outcome = hashlib.sha256()
        while self.waiting and self.waiting[0].ready(self.decryptor):
            done = self.waiting.popleft()
            ran = self._run(done)
            if done.height == request.height:
                results.update(ran)
            else:
                self.outcomes.update({(done.height, position): result for position, result in ran.items()})
                for result in ran.values():
                    outcome.update(_result_digest(result))
        for position, _, ordinal in block.txs:
            if position not in results:  # its block waits
                data = json.dumps({} if ordinal is None else {"ordinal": ordinal}).encode()
                results[position] = abci.ExecTxResult(code=TxCode.OK, info=WAITING, data=data)
        ordered = [results[position] for position in range(len(request.txs))]
        for result in ordered:
            outcome.update(_result_digest(result))
        app_hash = hashlib.sha256(
            self.committed.app_hash
            + request.height.to_bytes(8, "big")
            + int(self.machine.operator.head.root).to_bytes(32, "big")
            + outcome.digest()
        ).digest()
        self._finalized = Head(request.height, app_hash)
        return abci.ResponseFinalizeBlock(tx_results=ordered, app_hash=app_hash)

    def _run(self, block: DecidedBlock) -> dict[int, abci.ExecTxResult]:
        """
        Run a decided block at its time: each transaction in order (a
        refused one changes nothing and says why in its result), then the
        machine's own commands (expiry, a due funding tick, a due batch
        seal); the results by position.
        """
        time_ms = self.machine.time_for(block.time_ms)
        results = {position: self._apply(carried, ordinal, time_ms) for position, carried, ordinal in block.txs}
        self.machine.tick(time_ms)
        operator = self.machine.operator
        now = Timestamp(time_ms // 1000)
        if operator.funding_due(now, self.funding_interval_s):
            self._tick_funding(time_ms)
        if operator.seal_due(now, self.max_batch_wait_s):
            self.machine.apply(SealBatch(), time_ms)
        if self.signing is not None:
            self._build_sealed(self.signing)
        return results

    def commit(self, request: abci.RequestCommit) -> abci.ResponseCommit:
        """The finalized block is the committed one; CometBFT keeps every block (a restart replays those after the node's snapshot)."""
        self.committed = self._finalized
        for hook in self.on_commit:
            hook()
        return abci.ResponseCommit(retain_height=0)

    # ------------------------------------------------------------------ reads

    def query(self, request: abci.RequestQuery) -> abci.ResponseQuery:
        """
        Reads of the committed state, as JSON: ``status`` (height, app hash,
        log position, rollup root, state digest, L1 requests taken, batches
        sealed, encrypted orders), ``book/<market>`` (its resting orders in
        priority order) and ``outcome/<height>/<position>`` (the result of a
        transaction whose block waited, once it ran).
        """
        handlers: dict[str, Callable[[str], Any]] = {"status": lambda _: self.status(), "book": self.book, "outcome": self.outcome}
        name, _, argument = request.path.strip("/").partition("/")
        handler = handlers.get(name)
        if handler is None:
            return abci.ResponseQuery(code=TxCode.MALFORMED, log=f"no query {request.path!r}", codespace=CODESPACE)
        try:
            value = handler(argument)
        except KeyError as error:
            return abci.ResponseQuery(code=TxCode.MALFORMED, log=f"not found: {error}", codespace=CODESPACE)
        return abci.ResponseQuery(value=json.dumps(value).encode(), height=self.committed.height)

    def status(self) -> dict[str, Any]:
        """
        The committed status: height, app hash, log position, rollup root,
        state digest, L1 requests taken, batches sealed, signatures, encrypted orders.
        """
        operator = self.machine.operator
        return {
            "height": self.committed.height,
            "app_hash": self.committed.app_hash.hex(),
            "seq": self.machine.seq,
            "root": str(operator.head.root),
            "digest": state_digest(operator),
            "l1_seen": operator.l1_seen,
            "sealed_batches": len(operator.batches),
            "signatures": {str(number): len(signers) for number, signers in sorted(self.signatures.items())},
            "encrypted": None if self.decryptor is None else {
                "ordered": self.decryptor.ordered,
                "waiting": len(self.decryptor.waiting),
                "blocks_waiting": len(self.waiting),
            },
        }  # fmt: skip

    def outcome(self, where: str) -> dict[str, Any]:
        """
        The result of the transaction at ``<height>/<position>`` whose block
        waited, once it ran (``KeyError`` while it waits, or if its block ran at once).
        """
        height, _, position = where.partition("/")
        if not (height.isdigit() and position.isdigit()):
            raise KeyError(where)
        result = self.outcomes[(int(height), int(position))]
        return {"code": result.code, "info": result.info, "log": result.log, "data": result.data.decode()}

    def book(self, market: str) -> list[dict[str, Any]]:
        """A market's resting orders in priority order (``KeyError`` for an unknown market)."""
        book = self.machine.operator.book_named(market)
        if book is None:
            raise KeyError(market)
        return [
            {
                "account": int(record.order.account_index),
                "order_id": int(record.order.order_id),
                "side": record.side.name.lower(),
                "price": str(record.order.price),
                "remaining": str(record.remaining),
                "sequence": record.sequence,
            }
            for record in book.resting()
        ]

    # ------------------------------------------------------------------ helpers

    def _new_l1_requests(self) -> list[AddL1Request]:
        """The L1 requests this node reads that the machine has not taken, in queue order (none while L1 cannot be read)."""
        if self.l1 is None:
            return []
        try:
            requests = self.l1.since(self.machine.operator.l1_seen)
        except L1_READ_ERRORS as error:
            logger.warning("proposing without L1 requests: %s", error)
            return []
        return [AddL1Request(index, request) for index, request in requests]

    def _from_trader(self, tx: bytes) -> bool:
        """
        Whether ``tx`` is a trader's command, an encrypted order or a
        signature (the mempool holds nothing else, but a proposer checks).
        """
        try:
            return isinstance(decode_tx(tx), (*TRADER_COMMANDS, EncryptedOrder, BatchSignature))
        except CodecError:
            return False

    def _tick_funding(self, time_ms: int) -> None:
        """
        Tick funding at ``time_ms`` as the service does: not when every rate
        is zero (it would move nothing); one the spec refuses is skipped, on
        every node alike.
        """
        tick = self.machine.operator.funding_tick(Timestamp(time_ms // 1000), self.funding_interval_s)
        if not any(tick.rates):
            return
        try:
            self.machine.apply(TickFunding(tick), time_ms)
        except RequestRejected as refusal:
            logger.error("funding tick refused: %s: %s", refusal.code, refusal)

    def _build_sealed(self, signing: SigningSet) -> None:
        """Build every sealed batch not built yet, and note what its members sign."""
        operator = self.machine.operator
        while (batch := operator.build_next()) is not None:
            number = operator.built
            if self.keep_built:
                self.built[number] = batch
            self.digests[number] = batch_digest(signing.chain_id, signing.contract, SignedBatchHeader.of(number, batch))
            self.signatures[number] = {}

    def _record(self, signed: BatchSignature) -> abci.ExecTxResult:
        """Record a member's signature of a built batch, once; its result."""
        digest = self.digests.get(signed.batch)
        if self.signing is None or digest is None:
            log = "no sequencer set on this rollup" if self.signing is None else f"no batch {signed.batch} is built"
            return abci.ExecTxResult(code=TxCode.UNSIGNABLE, log=log, codespace=CODESPACE)
        try:
            signer = signer_of(digest, signed.signature)
        except ValueError as error:
            return abci.ExecTxResult(code=TxCode.UNSIGNABLE, log=f"not a signature: {error}", codespace=CODESPACE)
        if signer not in self.signing.members:
            log = f"{signer} is not a member, or signed another batch {signed.batch}"
            return abci.ExecTxResult(code=TxCode.UNSIGNABLE, log=log, codespace=CODESPACE)
        if signer in self.signatures[signed.batch]:
            return abci.ExecTxResult(code=TxCode.UNSIGNABLE, log=f"{signer} already signed batch {signed.batch}", codespace=CODESPACE)
        self.signatures[signed.batch][signer] = signed.signature
        return abci.ExecTxResult(code=TxCode.OK, data=json.dumps({"batch": signed.batch, "signer": signer}).encode())

    def _apply(self, carried: Carried, ordinal: int | None, time_ms: int) -> abci.ExecTxResult:
        """
        Apply one transaction of a decided block (an encrypted order as what
        it decrypted to); its result (what it did, or why nothing changed).
        """
        if isinstance(carried, BatchSignature):
            return self._record(carried)
        if isinstance(carried, EncryptedOrder):
            assert self.decryptor is not None and ordinal is not None  # an encrypted order waits for its ordinal to be decrypted
            try:
                carried = decode_tx(self.decryptor.decrypted.pop(ordinal))
            except CodecError as error:
                return abci.ExecTxResult(code=TxCode.MALFORMED, log=f"encrypted order {ordinal}: {error}", codespace=CODESPACE)
            if not isinstance(carried, TRADER_COMMANDS):
                log = f"encrypted order {ordinal}: {type(carried).__name__} is not a trader's command"
                return abci.ExecTxResult(code=TxCode.NOT_ALLOWED, log=log, codespace=CODESPACE)
        # Shares never wait in a block, and an encrypted order was decrypted above.
        assert not isinstance(carried, (EncryptedOrder, DecryptionShares))
        self.machine.tick(time_ms)
        try:
            entry, _ = self.machine.apply(carried, time_ms)
        except RequestRejected as error:
            return abci.ExecTxResult(code=TxCode.REJECTED, info=error.code, log=str(error), codespace=CODESPACE)
        except ValueError as error:
            return abci.ExecTxResult(code=TxCode.REJECTED, info="INVALID", log=str(error), codespace=CODESPACE)
        data = {"seq": entry.seq} if ordinal is None else {"seq": entry.seq, "ordinal": ordinal}
        return abci.ExecTxResult(code=TxCode.OK, data=json.dumps(data).encode())

    def _open(self, shares: DecryptionShares) -> abci.ExecTxResult:
        """Record a decided block's decryption shares, decrypting every encrypted order that has enough."""
        if self.decryptor is None:
            return abci.ExecTxResult(code=TxCode.NOT_ALLOWED, log="this set takes no encrypted orders", codespace=CODESPACE)
        before = set(self.decryptor.decrypted)
        self.decryptor.receive(shares)
        return abci.ExecTxResult(code=TxCode.OK, data=json.dumps({"decrypted": sorted(set(self.decryptor.decrypted) - before)}).encode())

    def _received_shares(self, last_commit: abci.ExtendedCommitInfo) -> list[bytes]:
        """
        As the proposer: the shares the last commit's votes carried that a
        block may carry, as one transaction (none if no share is new).
        """
        if self.decryptor is None:
            return []
        received: list[Share] = []
        for vote in last_commit.votes:
            try:
                received.extend(decode_extension(vote.vote_extension).shares)
            except CodecError:  # CometBFT verified it (verify_vote_extension): not from an honest node
                continue
        useful = self.decryptor.useful(received)
        left_out = set(received) - set(useful.shares)
        decryptor = self.decryptor
        wrong = sorted(
            (s.ordinal, s.member) for s in left_out if s.ordinal in decryptor.waiting and s.member not in decryptor.shares[s.ordinal]
        )
        if wrong:
            self.refused.shares += len(wrong)
            logger.warning("proposing without shares that are not their members' (ordinal, member): %s", wrong)
        return [useful.encode()] if useful.shares else []


def _result_digest(result: abci.ExecTxResult) -> bytes:
    """What a transaction's result says, for the app hash: its code, info and data (not the free-text log)."""
    return abci.ExecTxResult(code=result.code, info=result.info, data=result.data).SerializeToString(deterministic=True)
