"""
The sequencer's deterministic state machine: the operator driven by logged
commands, each with the time the sequencer gave it.

Time inside the machine is only ever an entry's recorded time, so replaying
the log gives the same state as living through it. For that, a refused
command must change nothing: before a command is applied, :meth:`Machine.tick`
expires the orders its time makes stale, as an entry of its own; then the
command either is accepted (and logged) or changes nothing.
"""

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from typing import assert_never

from sequencer.engine.orders import OrderRecord
from sequencer.engine.records import SealedBatch, WithdrawalRecord
from sequencer.engine.operator import Operator, OrderOutcome, PerpOrderOutcome
from sequencer.spec.perpetual.transactions import Deleverage, Liquidation
from sequencer.engine.errors import RequestRejected
from sequencer.spec.types import Timestamp

from .ahead import CHUNK, check_ahead
from .commands import (
    AddL1Request,
    Cancel,
    CancelAllOrders,
    Command,
    PlaceOrder,
    PlacePerpOrder,
    PostPrices,
    RequestWithdrawal,
    SealBatch,
    Tick,
    TickFunding,
    TransferCollateral,
    canonical_command,
)

@dataclass(frozen=True)
class Liquidations:
    """What an oracle update or a funding tick did besides itself: the closes of the accounts it left below maintenance."""

    closes: list[Liquidation | Deleverage]


Outcome = OrderOutcome | PerpOrderOutcome | OrderRecord | list[OrderRecord] | WithdrawalRecord | SealedBatch | Liquidations | None
"""
What applying a command produced: the placed order, the cancelled
order(s), the withdrawal, the sealed batch, the closes an oracle update
started.
"""


@dataclass(frozen=True)
class LogEntry:
    """An accepted command at its place in the log: sequence number (from 1) and time (unix ms)."""

    seq: int
    time_ms: int
    command: Command

    @cached_property
    def encoded_command(self) -> bytes:
        """``canonical_command`` of the command, computed once for its log row and its receipt."""
        return canonical_command(self.command)


class ReplayDiverged(Exception):
    """A logged entry did not apply as it did when it was logged: the log or the code changed."""


class Machine:
    """The operator plus the log's sequence number and clock."""

    def __init__(self, operator: Operator) -> None:
        """A machine around an operator at genesis."""
        self.operator = operator
        self.seq = 0
        self.time_ms = 0

    def time_for(self, wall_ms: int) -> int:
        """The time to give the next entry: the wall clock, but never before the last entry."""
        return max(self.time_ms, wall_ms)

    def tick(self, time_ms: int) -> tuple[LogEntry, list[OrderRecord]] | None:
        """Expire the orders that are stale at ``time_ms``, as a log entry; None if none is."""
        if not self.operator.expiry_due(Timestamp(time_ms // 1000)):
            return None
        entry, outcome = self.apply(Tick(), time_ms)
        assert isinstance(outcome, list)
        return entry, outcome

    def apply(self, command: Command, time_ms: int) -> tuple[LogEntry, Outcome]:
        """
        Apply a command at ``time_ms``; returns its log entry and what it did.

        Call :meth:`tick` first at the same time, so that a refusal leaves
        the state unchanged.

        Raises
        ------
        RequestRejected
            The operator refuses the command; nothing changed.
        ValueError
            ``time_ms`` is before the last entry, orders are stale at it
            (no tick first), or a seal finds nothing pending.
        """
        if time_ms < self.time_ms:
            raise ValueError(f"time {time_ms} is before the last entry's {self.time_ms}")
        now = Timestamp(time_ms // 1000)
        if not isinstance(command, Tick) and self.operator.expiry_due(now):
            raise ValueError("orders are stale at this time: tick first")
        outcome = self._dispatch(command, now)
        self.seq += 1
        self.time_ms = time_ms
        return LogEntry(self.seq, time_ms, command), outcome

    def replay(self, entry: LogEntry) -> Outcome:
        """
        Apply a logged entry again.

        Raises
        ------
        ReplayDiverged
            The entry is out of sequence or is refused now.
        """
        if entry.seq != self.seq + 1:
            raise ReplayDiverged(f"entry {entry.seq} follows entry {self.seq}")
        try:
            _, outcome = self.apply(entry.command, entry.time_ms)
        except (RequestRejected, ValueError) as error:
            raise ReplayDiverged(f"entry {entry.seq} no longer applies: {error}") from error
        return outcome

    def replay_all(self, entries: Iterable[LogEntry]) -> None:
        """
        Replay logged entries in order (:meth:`replay`). The signatures of
        each chunk are checked ahead in parallel (``ahead.check_ahead``) on a
        worker thread while the chunk before it is replayed, as the intake
        does with its groups: the native checks run beside the engine rather
        than between its chunks (a check ahead that finds an account the
        previous chunk creates not there yet leaves it to the engine).

        Raises
        ------
        ReplayDiverged
            An entry is out of sequence or is refused now.
        """
        entries = iter(entries)
        chunk = list(islice(entries, CHUNK))
        with ThreadPoolExecutor(1, thread_name_prefix="replay-ahead") as ahead:
            checked = ahead.submit(check_ahead, self.operator.head, [entry.command for entry in chunk])
            while chunk:
                checked.result()
                following = list(islice(entries, CHUNK))
                if following:
                    checked = ahead.submit(check_ahead, self.operator.head, [entry.command for entry in following])
                for entry in chunk:
                    self.replay(entry)
                chunk = following

    def _dispatch(self, command: Command, now: Timestamp) -> Outcome:
        """Hand a command to the operator."""
        operator = self.operator
        match command:
            case PlaceOrder():
                return operator.submit_order(command.market, command.signed, now, command.client_order_id)
            case Cancel():
                return operator.cancel(command.request, now)
            case CancelAllOrders():
                return operator.cancel_all(command.request, now)
            case RequestWithdrawal():
                return operator.withdraw(command.withdraw, now)
            case PlacePerpOrder():
                return operator.submit_perp_order(command.market, command.signed, now, command.client_order_id)
            case TransferCollateral():
                operator.transfer_collateral(command.transfer, now)
                return None
            case PostPrices():
                return Liquidations(operator.update_oracle(command.update, now))
            case TickFunding():
                return Liquidations(operator.tick_funding(command.tick, now))
            case AddL1Request():
                operator.add_l1_request(command.index, command.request, now)
                return None
            case SealBatch():
                batch = operator.seal(now)
                if batch is None:
                    raise ValueError("no pending transaction to seal")
                return batch
            case Tick():
                return operator.expire(now)
            case _:
                assert_never(command)
