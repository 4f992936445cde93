"""
What the operator remembers of accepted requests besides the state: trades,
withdrawals, pending transactions and sealed batches.
"""

from dataclasses import dataclass, replace

from sequencer.spec.constants import Side
from sequencer.spec.perpetual.transactions import PerpTrade, PerpTransaction
from sequencer.spec.transactions import Deposit, Trade, Transaction, Withdraw
from sequencer.spec.transition import SlotOutcome
from sequencer.spec.types import AccountIndex, Amount, EthAddress, Nonce, Timestamp, TokenId

from .book import Fill


@dataclass(frozen=True)
class TradeRecord:
    """A fill the engine made, numbered from 1 in the order trades happened."""

    trade_id: int
    market: str
    time: Timestamp
    fill: Fill

    @property
    def taker_side(self) -> Side:
        """The aggressor's side: a buy taker lifted an ask, a sell taker hit a bid."""
        return self.fill.taker.order.side

    def transaction(self) -> Trade:
        """The trade as a batch transaction."""
        fill = self.fill
        return Trade(fill.maker, fill.taker, fill.base, fill.quote, fill.maker_fee_bps, fill.taker_fee_bps)


@dataclass(frozen=True)
class PerpTradeRecord:
    """A perpetual fill the engine made, numbered from 1 in the order perpetual trades happened."""

    trade_id: int
    market: str
    time: Timestamp
    trade: PerpTrade


@dataclass
class WithdrawalRecord:
    """An accepted L2 withdrawal, and the batch that carries it once one is sealed."""

    withdraw: Withdraw
    eth_addr: EthAddress
    time: Timestamp
    batch: int | None = None

    @property
    def account_index(self) -> AccountIndex:
        """The account paying out."""
        return self.withdraw.account_index

    @property
    def nonce(self) -> Nonce:
        """The account's nonce the withdrawal was signed for."""
        return self.withdraw.nonce


@dataclass(frozen=True)
class PendingTransaction:
    """
    An accepted transaction waiting for a batch, with the time it was
    accepted and what the spec's ``apply_transaction`` returned for it on
    the head state (its fees, which the batch credits when sealed).
    """

    transaction: Transaction
    time: Timestamp
    outcome: SlotOutcome


@dataclass(frozen=True)
class PendingPerpTransaction:
    """
    An accepted perpetual transaction waiting for a batch. ``time`` is the
    timestamp of the batch it joins, at which the head state applied it: a
    perpetual rule reads the batch's time (price freshness, funding's
    elapsed time, when an oracle price was signed), so the head applies it
    at the time its batch will have, not at the time it was accepted.
    """

    transaction: PerpTransaction
    time: Timestamp


Pending = PendingTransaction | PendingPerpTransaction
"""A transaction waiting for a batch: a spot slot's or a perpetual slot's."""


@dataclass(frozen=True)
class BatchContents:
    """
    How many transactions a batch holds, how many of them are trades,
    deposits and withdrawals, and how many perpetual transactions it holds
    beside them (trades, prices, funding ticks, collateral transfers, closes).
    """

    transactions: int
    trades: int
    deposits: int
    withdrawals: int
    perpetual: int = 0

    @classmethod
    def of(cls, transactions: tuple[Transaction, ...], perpetual: int = 0) -> "BatchContents":
        """The contents of ``transactions`` and ``perpetual`` perpetual transactions."""
        return cls(
            len(transactions),
            sum(isinstance(tx, Trade) for tx in transactions),
            sum(isinstance(tx, Deposit) for tx in transactions),
            sum(isinstance(tx, Withdraw) for tx in transactions),
            perpetual,
        )


@dataclass(frozen=True)
class SealedBatch:
    """
    A batch's transactions, fixed once sealed, numbered from 1 as the rollup
    contract numbers batches.

    ``timestamp`` is the batch's time as the circuit and the contract see
    it: the acceptance time of its first transaction (never before the
    previous batch's). Every transaction in it was accepted at that time or
    later, so every order it trades was unexpired at the batch's time, and
    batch timestamps never decrease.

    ``transactions`` is held until the batch's circuit input is built, then
    dropped (:meth:`built`): the built batch carries them to the prover, the
    log and L1 keep them, and holding every batch's transactions would make
    the state, and each checkpoint, grow with the log. ``contents`` and
    ``fees`` stay.
    """

    number: int
    timestamp: Timestamp
    sealed_at: Timestamp
    transactions: tuple[Transaction, ...] | None
    fees: tuple[tuple[TokenId, Amount], ...]
    """The fees the batch credits to the fee account, per token, sorted by token."""
    contents: BatchContents
    perp_transactions: tuple[PerpTransaction, ...] | None = ()
    """The perpetual slots' transactions (held until built, as ``transactions``)."""

    def built(self) -> "SealedBatch":
        """The batch once its circuit input is built: the same, without its transactions."""
        return replace(self, transactions=None, perp_transactions=None)
