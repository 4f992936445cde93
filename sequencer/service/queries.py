"""
Reads of the service's state that more than one front end answers: the API's
JSON routes and the explorer's pages build their documents here, so both
show the same thing.
"""

from sequencer.engine.records import BatchContents, PendingTransaction
from sequencer.spec.types import AccountIndex

from .core import SequencerService
from .schemas import BatchOut, TradeOut, WithdrawalOut
from .views import trade_out, withdrawal_out


def recent_trades(service: SequencerService, market: str, limit: int) -> list[TradeOut]:
    """The market's latest ``limit`` trades, newest first."""
    found: list[TradeOut] = []
    for trade in reversed(service.operator.trades):
        if len(found) == limit:
            break
        if trade.market == market:
            found.append(trade_out(trade))
    return found


def batch_out(service: SequencerService, number: int) -> BatchOut:
    """A sealed batch, or the open one (``number`` just after the last sealed)."""
    operator = service.operator
    if number == len(operator.batches) + 1:
        pending = operator.next_batch()
        spot = tuple(p.transaction for p in pending if isinstance(p, PendingTransaction))
        contents = BatchContents.of(spot, len(pending) - len(spot))
        timestamp = sealed_at = None
    else:
        sealed = operator.batches[number - 1]
        contents, timestamp, sealed_at = sealed.contents, sealed.timestamp, sealed.sealed_at
    progress = service.progress.get(number)
    return BatchOut(
        number=number,
        status=service.batch_status(number).value,
        transactions=contents.transactions,
        trades=contents.trades,
        deposits=contents.deposits,
        withdrawals=contents.withdrawals,
        perpetual=contents.perpetual,
        timestamp=timestamp,
        sealed_at=sealed_at,
        l1_tx=None if progress is None else progress.l1_tx,
        l1_gas=None if progress is None else progress.l1_gas,
        attempts=0 if progress is None else progress.attempts,
        error=None if progress is None else progress.error,
    )


def recent_batches(service: SequencerService, limit: int) -> list[BatchOut]:
    """The open batch and the latest sealed ones, ``limit`` in all, newest first."""
    newest = len(service.operator.batches) + 1
    return [batch_out(service, number) for number in range(newest, max(0, newest - limit), -1)]


def batch_trades(service: SequencerService, number: int) -> list[TradeOut]:
    """
    The trades of batch ``number`` (sealed, or the open one), in slot order.

    Trades reach batches in the order they were made (the pending queue is
    first in, first out, and trade ids count them in that order), so batch
    ``number`` holds the trades after those of the batches before it.
    """
    operator = service.operator
    before = sum(batch.contents.trades for batch in operator.batches[: number - 1])
    held = batch_out(service, number).trades
    return [trade_out(trade) for trade in operator.trades[before : before + held]]


def batch_withdrawals(service: SequencerService, number: int) -> list[WithdrawalOut]:
    """The signed withdrawals batch ``number`` pays, in slot order (none in the open batch yet)."""
    status = service.batch_status(number).value
    return [withdrawal_out(w, status) for w in service.operator.withdrawals if w.batch == number]


def account_withdrawals(service: SequencerService, index: AccountIndex) -> list[WithdrawalOut]:
    """The account's withdrawals, oldest first, with their batch's status (``pending`` before one)."""
    return [
        withdrawal_out(w, "pending" if w.batch is None else service.batch_status(w.batch).value)
        for w in service.operator.withdrawals
        if w.account_index == index
    ]
