"""
The operator's core: takes L1 requests and signed orders and withdrawals,
matches orders, keeps the head state and cuts batches for the prover.

Every transaction is applied to the head state by the spec as soon as it is
accepted, so a request the spec would refuse is refused at once and never
reaches a batch. Batches are cut from the state of the last cut, replaying the
accepted transactions in the same order, which gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sequencer.crypto.eddsa import PublicKey, verify
from sequencer.engine.book import Fill, OrderBook, OrderRejected
from sequencer.engine.market import Market
from sequencer.spec.constants import PRICE_SCALE, Side, TreeConfig
from sequencer.spec.errors import RollupError
from sequencer.spec.state import State
from sequencer.spec.transactions import Deposit, SignedOrder, Trade, Transaction, Withdraw
from sequencer.spec.transition import apply_transaction
from sequencer.spec.types import AccountIndex, Amount, FieldElement, Timestamp, TokenId
from sequencer.witness.batch import ProvableBatch, build_batch


class RequestRejected(Exception):
    """A trader's request that the operator refuses; ``code`` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Operator:
    """
    The sequencer's state machine, without I/O: feed it L1 requests, orders
    and withdrawals; take sealed batches from it.
    """

    config: TreeConfig
    slots: int
    markets: dict[str, Market]
    sealed: State
    head: State
    chain: FieldElement = FieldElement(0)
    l1_seen: int = 0
    pending: list[Transaction] = field(default_factory=list)
    books: dict[str, OrderBook] = field(default_factory=dict)

    @classmethod
    def genesis(cls, config: TreeConfig, slots: int, markets: list[Market]) -> Operator:
        """An operator at the rollup's genesis state."""
        state = State.genesis(config)
        return cls(
            config,
            slots,
            {m.name: m for m in markets},
            state,
            state.copy(),
            books={m.name: OrderBook(m) for m in markets},
        )

    def add_l1_request(self, index: int, deposit: Deposit) -> None:
        """Queue the next L1 request (they must come in queue order)."""
        if index != self.l1_seen:
            raise ValueError(f"L1 request {index} out of order, expected {self.l1_seen}")
        self._accept(deposit, Timestamp(0))
        self.l1_seen += 1

    def place_order(self, market_name: str, signed: SignedOrder, now: Timestamp) -> list[Fill]:
        """
        Check, match and accept an order; returns its fills (each a pending trade).

        Raises
        ------
        RequestRejected
            Unknown market, market rules (``OrderRejected`` codes), a bad
            signature, an expired order, an order id already used in its
            slot, or a balance that does not cover the order.
        """
        book = self.books.get(market_name)
        if book is None:
            raise RequestRejected("UNKNOWN_MARKET", f"no market {market_name!r}")
        order = signed.order
        try:
            book.check(signed)
        except OrderRejected as error:
            raise RequestRejected(error.code, str(error)) from error
        account = self.head.get_account(order.account_index)
        if not account.exists:
            raise RequestRejected("ACCOUNT_NOT_FOUND", f"account {order.account_index} does not exist")
        if not verify(PublicKey(account.ax, account.ay), order.message_hash(), signed.signature):
            raise RequestRejected("INVALID_SIGNATURE", "the order's signature does not verify")
        if order.expiry <= now:
            raise RequestRejected("ORDER_EXPIRED", "the order has expired")
        self._check_order_slot(market_name, signed)
        self._check_covered(order.account_index, self._order_cost(book.market, signed))
        fills = book.submit(signed)
        for fill in fills:
            self._accept(
                Trade(fill.maker, fill.taker, fill.base, fill.quote, fill.maker_fee, fill.taker_fee), now
            )
        return fills

    def withdraw(self, withdraw: Withdraw) -> None:
        """
        Accept a signed withdrawal.

        Raises
        ------
        RequestRejected
            What locked orders leave available does not cover it, or the spec
            refuses it (its error code).
        """
        self._check_covered(withdraw.account_index, {withdraw.token: withdraw.amount})
        self._accept(withdraw, Timestamp(0))

    def cut_batch(self, timestamp: Timestamp) -> ProvableBatch | None:
        """Seal the oldest pending transactions (at most one batch) into a provable batch."""
        if not self.pending:
            return None
        transactions, self.pending = self.pending[: self.slots], self.pending[self.slots :]
        batch = build_batch(self.sealed, transactions, timestamp, self.chain, self.slots)
        self.chain = batch.chain_end
        # The head state counts fees only once a batch credits them.
        self.head = self.sealed.copy()
        for tx in self.pending:
            apply_transaction(self.head, tx, timestamp)
        return batch

    def available(self, index: AccountIndex, token: TokenId) -> Amount:
        """The account's balance of ``token`` less what its open orders lock."""
        locked = sum(
            self._order_cost(book.market, resting.signed, resting.remaining).get(token, 0)
            for book in self.books.values()
            for resting in book.resting()
            if resting.signed.order.account_index == index
        )
        return Amount(self.head.get_account(index).balance(token) - locked)

    def _accept(self, tx: Transaction, timestamp: Timestamp) -> None:
        """Apply ``tx`` to the head state and queue it; refuse it with the spec's error code."""
        try:
            apply_transaction(self.head, tx, timestamp)
        except RollupError as error:
            raise RequestRejected(error.code, str(error)) from error
        self.pending.append(tx)

    def _check_order_slot(self, market_name: str, signed: SignedOrder) -> None:
        """A new order needs an id above its slot's and no open order in the same slot."""
        order = signed.order
        account = self.head.get_account(order.account_index)
        stored_id, _ = account.order_slot(order.order_id)
        if order.order_id <= stored_id:
            raise RequestRejected("ORDER_ID_USED", f"order ids must grow: slot holds {stored_id}")
        slot = account.slot_index(order.order_id)
        for book in self.books.values():
            for resting in book.resting():
                other = resting.signed.order
                if other.account_index == order.account_index and account.slot_index(other.order_id) == slot:
                    raise RequestRejected("ORDER_SLOT_BUSY", f"open order {other.order_id} uses the same slot")

    def _check_covered(self, index: AccountIndex, cost: dict[TokenId, Amount]) -> None:
        """The account's available balance covers ``cost`` (raises ``INSUFFICIENT_BALANCE``)."""
        for token, amount in cost.items():
            if self.available(index, token) < amount:
                raise RequestRejected("INSUFFICIENT_BALANCE", f"available balance of token {token} is too low")

    @staticmethod
    def _order_cost(market: Market, signed: SignedOrder, remaining: Amount | None = None) -> dict[TokenId, Amount]:
        """What an order can spend at most: quote at its limit for a buy, base for a sell."""
        order = signed.order
        amount = order.amount if remaining is None else remaining
        if order.side == Side.BUY:
            return {market.quote_token: Amount(amount * order.price // PRICE_SCALE)}
        return {market.base_token: amount}
