"""
The operator's state as one canonical byte string, to compare two operators
(a live one and one rebuilt from the log) byte for byte.

It covers everything replay must reproduce: the head state (its root, which
commits to every account, plus each account's key, nonce, order slots and
its balances of the markets' tokens, for people to read), every book in
priority order, every accepted order's progress, the locks, the order-id
counters, the trades, the withdrawals, the pending transactions
and the sealed batches' times, fees and contents. It leaves out what is
rebuilt on demand (the circuit inputs of built batches, and so the
transactions a built batch no longer holds) and internal indexes.
"""

import hashlib
from typing import Any

from sequencer.engine.orders import OrderRecord
from sequencer.engine.records import Pending, PendingTransaction, PerpTradeRecord, SealedBatch, TradeRecord, WithdrawalRecord
from sequencer.engine.operator import Operator
from sequencer.spec.transactions import SignedOrder
from sequencer.spec.types import AccountIndex, TokenId

from .codec import canonical_json, encode_signed_order, encode_transaction, encode_withdraw
from .perp_codec import encode_perp_transaction, encode_signed_perp_order


def canonical_state(operator: Operator) -> bytes:
    """The operator's replayable state, serialised canonically."""
    tokens = sorted({t for m in operator.markets.values() for t in (m.base_token, m.quote_token)})
    document: dict[str, Any] = {
        "clock": str(operator.clock),
        "l1_seen": str(operator.l1_seen),
        "head_root": str(operator.head.root),
        "accounts": [_account(operator, index, tokens) for index in sorted(operator.accounts)],
        "books": {
            name: [[str(r.order.account_index), str(r.order.order_id)] for r in book.resting()]
            for name, book in sorted(operator.books.items())
        },
        "perp_books": {
            name: [[str(r.order.account_index), str(r.order.order_id)] for r in book.resting()]
            for name, book in sorted(operator.perp_books.items())
        },
        "perp_trades": [_perp_trade(t) for t in operator.perp_trades],
        "orders": [_order(r) for r in sorted(operator.orders.values(), key=lambda r: r.sequence)],
        "locks": [[str(a), str(t), str(amount)] for a, t, amount in operator.locks.items()],
        "last_order_ids": [[str(a), str(slot), str(i)] for (a, slot), i in sorted(operator.registry.last_order_ids.items())],
        "trades": [_trade(t) for t in operator.trades],
        "withdrawals": [_withdrawal(w) for w in operator.withdrawals],
        "pending": [_pending(p) for p in operator.pending],
        "batches": [_batch(b) for b in operator.batches],
    }
    return canonical_json(document)


def state_digest(operator: Operator) -> str:
    """sha256 of :func:`canonical_state`, hex: a short name for a state."""
    return hashlib.sha256(canonical_state(operator)).hexdigest()


def _perp_trade(trade: PerpTradeRecord) -> dict[str, Any]:
    """A perpetual fill the engine made."""
    return {
        "id": str(trade.trade_id),
        "market": trade.market,
        "time": str(trade.time),
        "trade": encode_perp_transaction(trade.trade),
    }


def _pending(pending: Pending) -> dict[str, Any]:
    """A transaction waiting for a batch, spot or perpetual, with its time."""
    if isinstance(pending, PendingTransaction):
        return {"time": str(pending.time), "tx": encode_transaction(pending.transaction)}
    return {"time": str(pending.time), "perp_tx": encode_perp_transaction(pending.transaction)}


def _account(operator: Operator, index: AccountIndex, tokens: list[TokenId]) -> dict[str, Any]:
    """An account's leaf preimage, its balances of ``tokens`` and its order slots."""
    account = operator.head.get_account(index)
    return {
        "index": str(index),
        "eth_addr": str(account.eth_addr),
        "ax": str(account.ax),
        "ay": str(account.ay),
        "nonce": str(account.nonce),
        "min_order_id": str(account.min_order_id),
        "balances": {str(t): str(account.balance(t)) for t in tokens},
        "slots": {str(slot): [str(i), str(f)] for slot, (i, f) in sorted(account.order_slots.items())},
    }


def _order(record: OrderRecord) -> dict[str, Any]:
    """An accepted order and its progress."""
    return {
        "market": record.market,
        "signed": (
            encode_signed_order(record.signed)
            if isinstance(record.signed, SignedOrder)
            else encode_signed_perp_order(record.signed)
        ),
        "kind": record.kind.value,
        "client_order_id": record.client_order_id,
        "sequence": str(record.sequence),
        "accepted_at": str(record.accepted_at),
        "filled": str(record.filled),
        "status": record.status.value,
        "reason": None if record.reason is None else record.reason.value,
        "closed_at": None if record.closed_at is None else str(record.closed_at),
    }


def _trade(trade: TradeRecord) -> dict[str, Any]:
    """A trade and when it happened."""
    return {
        "id": str(trade.trade_id),
        "market": trade.market,
        "time": str(trade.time),
        "tx": encode_transaction(trade.transaction()),
    }


def _withdrawal(record: WithdrawalRecord) -> dict[str, Any]:
    """A withdrawal and its batch."""
    return {
        "withdraw": encode_withdraw(record.withdraw),
        "eth_addr": str(record.eth_addr),
        "time": str(record.time),
        "batch": None if record.batch is None else str(record.batch),
    }


def _batch(batch: SealedBatch) -> dict[str, Any]:
    """
    A sealed batch's number, times, fees and contents. Not its transactions:
    a built batch no longer holds them, and whether a batch is built depends
    on the service, not on the log. The head state, which every transaction
    changed, and the pending transactions are compared instead.
    """
    contents = batch.contents
    return {
        "number": str(batch.number),
        "timestamp": str(batch.timestamp),
        "sealed_at": str(batch.sealed_at),
        "fees": [[str(t), str(a)] for t, a in batch.fees],
        "contents": [
            str(contents.transactions), str(contents.trades), str(contents.deposits), str(contents.withdrawals),
            str(contents.perpetual),
        ],  # fmt: skip
    }
