"""
The operator's core: takes L1 requests, signed orders, cancels and
withdrawals, matches orders, keeps the head state and seals batches for the
prover.

Every transaction is applied to the head state by the spec as soon as it is
accepted, so a request the spec would refuse is refused at once and never
reaches a batch. Sealing a batch only fixes which pending transactions it
holds (cheap); building its circuit input replays them on the state of the
previous batch (``build_next``), which gives the same result.

Nothing here reads a clock: every method that depends on time takes ``now``
(unix seconds), and the operator's clock is the latest ``now`` it was given.
Open orders whose expiry is before the clock leave the book and release their
locks. So the same calls with the same arguments always give the same state,
which is what lets the service rebuild it from its log.

The rules that keep every trade provable (``docs/DESIGN.md``):

- a fill is at the maker's price, in whole lots, so its quote is exact;
- each fee is the market's rate of what its side receives, never above the
  order's signed ``max_fee_bps`` (checked at intake);
- an account's order ids only grow within a slot (``order_id mod
  2**orderDepth``), and two open orders of one account never share a slot;
- an order trades only while unexpired, and a batch's timestamp is the time
  of its first transaction, so it is never after the time of any of its
  trades;
- an order trades as the kind it signed: only limit and post-only orders
  rest, a fill-or-kill order fills whole against one resting order, and an
  immediate-or-cancel or market order's fills are consecutive and at most a
  batch's slots, so the batcher can keep them in one batch;
- an order is accepted only if the account's balance less its locks covers
  it, so each maker can pay every fill.

A fill the spec nevertheless refuses means the engine broke one of these
rules: that raises ``EngineInvariantError`` after the book has changed, so the
operator must be dropped and rebuilt (the service rebuilds it from its log).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sequencer.spec.constants import AMOUNT_BITS, ORDER_ID_BITS, TreeConfig
from sequencer.spec.errors import RollupError
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.margin import settled
from sequencer.spec.perpetual.rules import (
    apply_perp_transaction,
    check_order_slot,
    check_perp_order_ranges,
    check_reduce_only,
    check_signed_order,
    latest_time,
)
from sequencer.spec.perpetual.transactions import (
    CollateralTransfer,
    Deleverage,
    FundingTick,
    Liquidation,
    OracleUpdate,
    PerpOrder,
    PerpTrade,
    PerpTransaction,
    SignedPerpOrder,
)
from sequencer.spec.state import State
from sequencer.spec.transactions import (
    Deposit,
    ForcedCancelAll,
    ForcedWithdraw,
    L1Transaction,
    SignedOrder,
    Transaction,
    Withdraw,
)
from sequencer.spec.transition import (
    apply_transaction,
    check_account_index,
    check_order,
    check_order_ranges,
    check_range,
    check_token,
    credit_fees,
)
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, Timestamp, TokenId
from sequencer.witness.batch import ProvableBatch

from . import checks
from .batcher import Batcher, PerpSetup
from .perp_margin import OpenPerpOrder, check_order_margin
from .perp_market import PerpBook
from .book import Fill, OrderBook, PriceLevels
from .cancels import SignedCancel, SignedCancelAll
from .errors import Code, EngineInvariantError, OrderRejected, RequestRejected
from .funding import funding_rates
from .liquidations import liquidation_plan
from .locks import Locks, order_cost
from .market import Market, default_min_withdrawals
from .orders import CloseReason, OrderKey, OrderRecord, OrderStatus
from .records import Pending, PendingTransaction, PerpTradeRecord, SealedBatch, TradeRecord, WithdrawalRecord
from .registry import OrderRegistry


@dataclass(frozen=True)
class PerpOrderOutcome:
    """
    What placing a perpetual order did: the order as it now stands, its
    trades, own orders it took out, and makers the spec no longer let fill
    (cancelled ``UNFILLABLE``).
    """

    order: OrderRecord
    trades: list[PerpTradeRecord] = field(default_factory=list)
    self_trades: list[OrderRecord] = field(default_factory=list)
    unfillable: list[OrderRecord] = field(default_factory=list)


def open_perp_order(order: PerpOrder, remaining: Amount) -> OpenPerpOrder:
    """What a perpetual order may still do, ``remaining`` lots of it, as the margin check reads it."""
    return OpenPerpOrder(order.market, order.side, order.price, remaining, order.max_fee_bps, order.reduce_only)


@dataclass(frozen=True)
class OrderOutcome:
    """What placing an order did: the order as it now stands, its trades, and own orders it took out."""

    order: OrderRecord
    trades: list[TradeRecord] = field(default_factory=list)
    self_trades: list[OrderRecord] = field(default_factory=list)


class Operator:
    """
    The sequencer's state machine, without I/O: feed it L1 requests, orders,
    cancels and withdrawals; take sealed batches from it.

    ``head`` is the state with every accepted transaction applied (and the
    fees of every sealed batch credited); ``sealed`` is the state after the
    last batch whose circuit input was built, and ``chain`` the L1 request
    chain there.
    """

    def __init__(
        self,
        config: TreeConfig,
        slots: int,
        markets: list[Market],
        min_withdrawals: Mapping[TokenId, Amount] | None = None,
        perp: PerpSetup | None = None,
    ) -> None:
        """An operator at the rollup's genesis state; use :meth:`genesis`."""
        if len({m.name for m in markets}) != len(markets):
            raise ValueError("market names must be unique")
        self.config = config
        self.slots = slots
        self.markets = {m.name: m for m in markets}
        self.min_withdrawals = {**default_min_withdrawals(markets), **(min_withdrawals or {})}
        self.books = {m.name: OrderBook(m) for m in markets}
        if perp is not None and {rules.name for rules in perp.markets} & {m.name for m in markets}:
            raise ValueError("a perpetual market may not share a spot market's name")
        self.perp = perp
        self.perp_books = {rules.name: PerpBook(rules) for rules in (perp.markets if perp is not None else ())}
        self.perp_trades: list[PerpTradeRecord] = []
        genesis = State.genesis(config, FieldElement(0) if perp is None else perp_config_hash(perp.config))
        self.batcher = Batcher(slots, genesis, perp=perp)
        self.head = self.batcher.sealed.copy()
        self.clock = Timestamp(0)
        self.l1_seen = 0
        self.registry = OrderRegistry()
        self.trades: list[TradeRecord] = []
        self.withdrawals: list[WithdrawalRecord] = []
        self.accounts: dict[AccountIndex, EthAddress] = {}
        self._by_address: dict[EthAddress, AccountIndex] = {}
        self.locks = Locks()
        self._withdrawal_index: dict[tuple[AccountIndex, int], WithdrawalRecord] = {}

    @classmethod
    def genesis(
        cls,
        config: TreeConfig,
        slots: int,
        markets: list[Market],
        min_withdrawals: Mapping[TokenId, Amount] | None = None,
        perp: PerpSetup | None = None,
    ) -> Operator:
        """
        An operator at the rollup's genesis state; ``min_withdrawals``
        overrides the markets' smallest withdrawal of a token
        (``engine.market.default_min_withdrawals``); ``perp`` gives the
        deployment's perpetual markets and each batch's perpetual slots.
        """
        return cls(config, slots, markets, min_withdrawals, perp)

    # ------------------------------------------------------------------ requests

    def add_l1_request(self, index: int, request: L1Transaction, now: Timestamp | None = None) -> None:
        """
        Apply the next L1 request (they must come in queue order).

        ``now`` is when the sequencer saw it; without it, the operator's
        clock. A forced cancel-all closes the account's open orders below its
        new ``min_order_id``; a forced withdrawal closes the open orders whose
        lock the remaining balance no longer covers, newest first.

        Raises
        ------
        RequestRejected
            ``L1_REQUEST_OUT_OF_ORDER``, or the spec's code if it refuses the request.
        """
        time = self._begin(now)
        if index != self.l1_seen:
            raise RequestRejected(
                Code.L1_REQUEST_OUT_OF_ORDER,
                f"L1 request {index} out of order, expected {self.l1_seen}",
                index=index,
                expected=self.l1_seen,
            )
        created = not self.head.get_account(request.account_index).exists
        self._apply(request, time)
        self.l1_seen += 1
        match request:
            case Deposit() if created:
                self.accounts[request.account_index] = request.eth_addr
                self._by_address[request.eth_addr] = request.account_index
            case ForcedWithdraw():
                self._close_uncovered(request.account_index, request.token)
            case ForcedCancelAll():
                self._close_below_min_order_id(request.account_index, CloseReason.FORCED_CANCEL_ALL)

    def place_order(
        self,
        market_name: str,
        signed: SignedOrder,
        now: Timestamp,
        client_order_id: str | None = None,
    ) -> list[Fill]:
        """Check, match and accept an order; returns its fills (see :meth:`submit_order`)."""
        outcome = self.submit_order(market_name, signed, now, client_order_id)
        return [trade.fill for trade in outcome.trades]

    def submit_order(
        self,
        market_name: str,
        signed: SignedOrder,
        now: Timestamp,
        client_order_id: str | None = None,
    ) -> OrderOutcome:
        """
        Check, match and accept an order.

        Checks run cheapest first; the first that fails refuses the order and
        nothing changes. An accepted order trades what crosses (unless it is
        post-only); what is left rests (limit, post-only) or is cancelled
        (IOC, market; FOK never leaves a remainder).

        Raises
        ------
        RequestRejected
            ``UNKNOWN_MARKET``; ``VALUE_OUT_OF_RANGE``; the market's rules
            (``MARKET_MISMATCH``, ``INVALID_TICK``, ``INVALID_LOT``,
            ``BELOW_MIN_SIZE``, ``FEE_LIMIT_TOO_LOW``);
            ``DUPLICATE_CLIENT_ORDER_ID``; every check the spec makes on one
            order (``spec.transition.check_order``: ``ACCOUNT_NOT_FOUND``,
            ``INVALID_SIGNATURE``, ``ORDER_EXPIRED``, ``INVALID_FEE_LIMIT``,
            ``ORDER_CANCELLED``, ``ORDER_ID_STALE``, ``ORDER_OVERFILLED``),
            so an accepted order can always be applied; ``ORDER_ID_USED``;
            ``ORDER_SLOT_BUSY``; ``INSUFFICIENT_BALANCE``;
            ``POST_ONLY_WOULD_CROSS``; ``FOK_NOT_FILLABLE``.
        """
        time = self._begin(now)
        order = signed.order
        book = self.books.get(market_name)
        if book is None:
            raise RequestRejected(Code.UNKNOWN_MARKET, f"no market {market_name!r}", market=market_name)
        checks.spec_check(lambda: check_order_ranges(self.config, "order", order))
        try:
            book.check(signed)
        except OrderRejected as error:
            raise RequestRejected(error.code, str(error), **error.values) from error
        if client_order_id is not None:
            checks.client_id_free(self.registry, order.account_index, client_order_id)
        account = checks.spec_check(lambda: check_order(self.head, signed, time))
        checks.order_slot_free(self.registry, account, order.account_index, order.order_id)
        self._check_covered(order.account_index, *order_cost(order, order.amount))
        checks.kind_allowed(book, order)
        self.clock = time
        return self._accept_order(book, signed, client_order_id)

    def cancel(self, request: SignedCancel, now: Timestamp) -> OrderRecord:
        """
        Cancel one open order, releasing the lock of its unfilled part.

        Binding: the cancel is applied to the head state as a batch
        transaction, which records the order's slot as cancelled, so no
        later batch can fill it (``engine.cancels``).

        Raises
        ------
        RequestRejected
            ``VALUE_OUT_OF_RANGE``, ``ACCOUNT_NOT_FOUND``, ``INVALID_SIGNATURE``,
            ``ORDER_NOT_FOUND``, ``ORDER_NOT_OPEN``.
        """
        time = self._begin(now)
        cancel = request.cancel
        checks.spec_check(lambda: check_account_index(self.config, "account_index", cancel.account_index))
        checks.spec_check(lambda: check_range("order_id", cancel.order_id, ORDER_ID_BITS))
        checks.signed_by(self.head, cancel.account_index, cancel.message_hash(), request.signature)
        record = self.registry.orders.get((cancel.account_index, cancel.order_id))
        if record is None:
            raise RequestRejected(
                Code.ORDER_NOT_FOUND,
                f"no order {cancel.order_id} of account {cancel.account_index}",
                account=cancel.account_index,
                order_id=cancel.order_id,
            )
        if record.status is not OrderStatus.OPEN:
            raise RequestRejected(
                Code.ORDER_NOT_OPEN,
                f"order {cancel.order_id} is {record.status.value}",
                order_id=cancel.order_id,
                status=record.status.value,
            )
        self._apply(request.transaction(), time)
        self._close(record, OrderStatus.CANCELLED, CloseReason.REQUESTED)
        return record

    def cancel_all(self, request: SignedCancelAll, now: Timestamp) -> list[OrderRecord]:
        """
        Cancel every open order of an account whose id is below the signed
        ``min_order_id``, in every market; returns them, oldest first.

        Binding: the cancel-all is applied to the head state as a batch
        transaction, which raises the account's ``min_order_id``, so no
        later batch can fill those orders (``engine.cancels``).

        Raises
        ------
        RequestRejected
            ``VALUE_OUT_OF_RANGE``, ``ACCOUNT_NOT_FOUND``, ``INVALID_SIGNATURE``,
            ``MIN_ORDER_ID_NOT_RAISED`` (the signed id is not above the
            account's ``min_order_id``: a replay, or nothing to cancel).
        """
        time = self._begin(now)
        cancel_all = request.cancel_all
        index = cancel_all.account_index
        checks.spec_check(lambda: check_account_index(self.config, "account_index", index))
        checks.spec_check(lambda: check_range("min_order_id", cancel_all.min_order_id, ORDER_ID_BITS))
        account = checks.signed_by(self.head, index, cancel_all.message_hash(), request.signature)
        if cancel_all.min_order_id <= account.min_order_id:
            raise RequestRejected(
                Code.MIN_ORDER_ID_NOT_RAISED,
                f"min_order_id must be above the account's {account.min_order_id}",
                min_order_id=cancel_all.min_order_id,
                current=account.min_order_id,
            )
        self._apply(request.transaction(), time)
        return self._close_below_min_order_id(index, CloseReason.CANCEL_ALL)

    def withdraw(self, withdraw: Withdraw, now: Timestamp | None = None) -> WithdrawalRecord:
        """
        Accept a signed withdrawal.

        Raises
        ------
        RequestRejected
            ``VALUE_OUT_OF_RANGE``, ``ACCOUNT_NOT_FOUND``,
            ``BELOW_MIN_WITHDRAWAL`` (nothing, or less than the token's
            minimum while the balance holds more), ``INSUFFICIENT_BALANCE``
            (what locked orders leave available does not cover it), or the
            spec's code (``INVALID_NONCE``, ``INVALID_SIGNATURE``).
        """
        time = self._begin(now)
        index, token = withdraw.account_index, withdraw.token
        checks.spec_check(lambda: check_account_index(self.config, "account_index", index))
        checks.spec_check(lambda: check_token(self.config, "token", token))
        checks.spec_check(lambda: check_range("amount", withdraw.amount, AMOUNT_BITS))
        account = checks.existing_account(self.head, index)
        checks.withdrawal_size(self.min_withdrawals.get(token, Amount(1)), account, token, withdraw.amount)
        self._check_covered(index, token, withdraw.amount)
        self._apply(withdraw, time)
        record = WithdrawalRecord(withdraw, account.eth_addr, time)
        self.withdrawals.append(record)
        self._withdrawal_index[(index, withdraw.nonce)] = record
        return record

    def expire(self, now: Timestamp) -> list[OrderRecord]:
        """Move the clock to ``now`` and expire every open order whose expiry is before it; returns them."""
        time = Timestamp(max(self.clock, now))
        expired = self._expire(time)
        self.clock = time
        return expired

    def expiry_due(self, now: Timestamp) -> bool:
        """Whether an open order expired before ``now`` (its expiry is earlier)."""
        return self.registry.expiry_due(now)

    # ------------------------------------------------------------------ batches

    # ------------------------------------------------------------------ perpetuals

    def update_oracle(self, update: OracleUpdate, now: Timestamp) -> list[Liquidation | Deleverage]:
        """
        Accept a quorum's signed prices for a market, then liquidate every
        account the new price leaves below maintenance
        (:meth:`liquidate`); returns the closes.

        The update joins the batch being filled if that batch's timestamp
        is not before the latest signed time, otherwise it starts the next
        batch (``Batcher.perp_placement``).

        Raises
        ------
        RequestRejected
            ``PERPETUALS_NOT_CONFIGURED``, or the spec's code
            (``ORACLE_PRICE_STALE``, ``INVALID_ORACLE_SIGNATURE``, ...).
        """
        self._begin(now)
        self._apply_perp(update, now, latest_time(update))
        return self.liquidate(now)

    def tick_funding(self, tick: FundingTick, now: Timestamp) -> list[Liquidation | Deleverage]:
        """
        Accept a funding tick (one rate per market), then liquidate every
        account the funding leaves below maintenance; returns the closes.
        The tick accrues funding up to ``now``: it joins the batch being
        filled only if that batch is dated ``now``, otherwise it starts the
        next one.

        Raises
        ------
        RequestRejected
            ``PERPETUALS_NOT_CONFIGURED``, or the spec's code
            (``FUNDING_RATE_ABOVE_CAP``, ``FUNDING_RATES_MISMATCH``, ...).
        """
        time = self._begin(now)
        self._apply_perp(tick, time, time)
        return self.liquidate(now)

    def transfer_collateral(self, transfer: CollateralTransfer, now: Timestamp) -> None:
        """
        Accept a signed move of the collateral token between an account's
        spot balance and its collateral. Into collateral, it may take only
        what the account's open spot orders leave available.

        Raises
        ------
        RequestRejected
            ``PERPETUALS_NOT_CONFIGURED``, ``INSUFFICIENT_BALANCE``, or the
            spec's code (``INVALID_NONCE``, ``INVALID_SIGNATURE``,
            ``MARGIN_INSUFFICIENT``, ...).
        """
        time = self._begin(now)
        setup = self._perp_setup()
        if transfer.to_collateral:
            index = transfer.account_index
            checks.spec_check(lambda: check_account_index(self.config, "account_index", index))
            checks.spec_check(lambda: check_range("amount", transfer.amount, AMOUNT_BITS))
            self._check_covered(index, setup.config.collateral_token, transfer.amount)
        self._apply_perp(transfer, time, Timestamp(0))

    def submit_perp_order(
        self, market_name: str, signed: SignedPerpOrder, now: Timestamp, client_order_id: str | None = None
    ) -> PerpOrderOutcome:
        """
        Check, match and accept a perpetual order (as :meth:`submit_order`
        does a spot one), its margin checked instead of a balance lock.

        Each fill is applied to the head state before the next is tried. A
        fill the spec refuses for the maker's sake (its margin after a price
        move, a reduce-only order the position no longer allows) cancels the
        maker (``UNFILLABLE``) and matching goes on; refused for any other
        reason, matching stops and the taker's remainder is cancelled, so a
        crossed order never rests. An immediate order's fills stay within the
        perpetual slots its batch has left.

        Raises
        ------
        RequestRejected
            ``PERPETUALS_NOT_CONFIGURED``, ``UNKNOWN_MARKET``,
            ``VALUE_OUT_OF_RANGE``, the market's rules (``MARKET_MISMATCH``,
            ``INVALID_TICK``, ``BELOW_MIN_SIZE``, ``ABOVE_MAX_SIZE``,
            ``FEE_LIMIT_TOO_LOW``), ``DUPLICATE_CLIENT_ORDER_ID``, the
            spec's rules on one order (``ACCOUNT_NOT_FOUND``,
            ``INVALID_SIGNATURE``, ``ORDER_EXPIRED``, ``INVALID_FEE_LIMIT``,
            its order slot's), ``ORDER_ID_USED``, ``ORDER_SLOT_BUSY``,
            ``REDUCE_ONLY_INCREASE`` (a reduce-only order with no position
            to reduce), ``ORDER_WOULD_BREACH_MARGIN``,
            ``POST_ONLY_WOULD_CROSS``, ``FOK_NOT_FILLABLE``.
        """
        time = self._begin(now)
        setup = self._perp_setup()
        order = signed.order
        book = self.perp_books.get(market_name)
        if book is None:
            raise RequestRejected(Code.UNKNOWN_MARKET, f"no perpetual market {market_name!r}", market=market_name)
        ledger = PerpLedger(setup.config, self.head)
        checks.spec_check(lambda: check_perp_order_ranges(self.head, ledger, "order", order))
        try:
            book.check(signed)
        except OrderRejected as error:
            raise RequestRejected(error.code, str(error), **error.values) from error
        if client_order_id is not None:
            checks.client_id_free(self.registry, order.account_index, client_order_id)
        checks.spec_check(lambda: check_signed_order(self.head, signed, time))
        checks.spec_check(lambda: check_order_slot(self.head, order, order.amount))
        account = self.head.get_account(order.account_index)
        checks.order_slot_free(self.registry, account, order.account_index, order.order_id)
        settled_account = settled(ledger, ledger.account(order.account_index))
        if order.reduce_only:
            checks.spec_check(lambda: check_reduce_only(order, settled_account, 1))
        try:
            check_order_margin(ledger, order.account_index, open_perp_order(order, order.amount), self._open_perp_orders(order.account_index))
        except OrderRejected as error:
            raise RequestRejected(error.code, str(error), **error.values) from error
        checks.kind_allowed(book, order)
        self.clock = time
        return self._accept_perp_order(book, signed, client_order_id, time)

    def _accept_perp_order(
        self, book: PerpBook, signed: SignedPerpOrder, client_order_id: str | None, time: Timestamp
    ) -> PerpOrderOutcome:
        """Record a perpetual order that passed every check, match it fill by fill, and rest or close what is left."""
        record = OrderRecord(book.rules.name, signed, client_order_id, len(self.registry) + 1, self.clock)
        self.registry.accept(record, self._slot(record))
        outcome = PerpOrderOutcome(record)
        kind, order = signed.order.kind, signed.order
        max_fills = self.batcher.perp_room() if kind.immediate else None
        stopped = False
        while kind.takes and record.remaining and (max_fills is None or len(outcome.trades) < max_fills):
            maker = book.first_maker(order.side, order.price)
            if maker is None:
                break
            if maker.order.account_index == order.account_index:
                book.remove(maker.key)
                self._finish(maker, OrderStatus.CANCELLED, CloseReason.SELF_TRADE)
                outcome.self_trades.append(maker)
                continue
            assert isinstance(maker.signed, SignedPerpOrder)
            fill = Amount(min(record.remaining, maker.remaining))
            trade = PerpTrade(maker.signed, signed, fill, book.rules.maker_fee_bps, book.rules.taker_fee_bps)
            try:
                self._check_maker_reduces(maker.signed.order, fill)
                self._apply_perp(trade, time, Timestamp(0))
            except RequestRejected as refusal:
                if refusal.values.get("account_index") == maker.order.account_index:
                    self._close(maker, OrderStatus.CANCELLED, CloseReason.UNFILLABLE)
                    outcome.unfillable.append(maker)
                    continue
                stopped = True
                break
            maker.filled = Amount(maker.filled + fill)
            record.filled = Amount(record.filled + fill)
            if maker.remaining == 0:
                book.remove(maker.key)
                self._finish(maker, OrderStatus.FILLED, None)
            traded = PerpTradeRecord(len(self.perp_trades) + 1, book.rules.name, self.clock, trade)
            self.perp_trades.append(traded)
            outcome.trades.append(traded)
        if record.remaining == 0:
            self._finish(record, OrderStatus.FILLED, None)
        elif kind.rests and not stopped:
            book.add(record)
            self.registry.rest(record, self._slot(record))
        else:
            self._finish(record, OrderStatus.CANCELLED, CloseReason.UNFILLED)
        return outcome

    def _check_maker_reduces(self, maker: PerpOrder, fill: Amount) -> None:
        """
        A reduce-only maker still only reduces its position by ``fill``;
        refused naming the maker's account otherwise (its position changed
        since it rested).
        """
        if not maker.reduce_only:
            return
        ledger = self.perp_ledger()
        try:
            check_reduce_only(maker, settled(ledger, ledger.account(maker.account_index)), fill)
        except RollupError as error:
            raise RequestRejected(error.code, str(error), account_index=maker.account_index) from error

    def _open_perp_orders(self, index: AccountIndex) -> list[OpenPerpOrder]:
        """What the account's open perpetual orders may still do, for the margin check."""
        found = []
        for record in self.registry.open_orders(index):
            if isinstance(record.signed, SignedPerpOrder):
                found.append(open_perp_order(record.signed.order, record.remaining))
        return found

    def funding_tick(self, now: Timestamp, interval: int) -> FundingTick:
        """
        The funding tick at ``now`` as the sequencer's policy sets its rates
        (``engine.funding``: at most ``interval`` seconds of premium).
        """
        books = {book.rules.market: book for book in self.perp_books.values()}
        return FundingTick(funding_rates(self.perp_ledger(), books, now, interval))

    def funding_due(self, now: Timestamp, interval: int) -> bool:
        """
        Whether a funding tick is due: ``interval`` seconds passed since the
        last tick of a priced market in which someone holds a position. An
        idle market gets no tick (a tick is a batch slot and a proof), and
        the next one charges at most an interval (``engine.funding``).
        """
        if self.perp is None:
            return False
        held = [market for market in self.perp_ledger().markets() if market.oracle_price and market.open_interest]
        return bool(held) and now - min(market.funding_time for market in held) >= interval

    def liquidate(self, now: Timestamp) -> list[Liquidation | Deleverage]:
        """
        Close every account below maintenance as the liquidation plan says
        (``engine.liquidations``: against the insurance fund, or deleveraged
        against opposite positions); returns the closes applied.

        The plan's steps are applied in order until the spec refuses one
        (another market's price too old to value positions at, at the time
        of the step's batch): the steps after it were planned on its outcome,
        so the rest waits for the next oracle update or funding tick. A
        refused step changes nothing, so a request never fails, and the log
        never holds one, for the liquidations it triggers.
        """
        setup = self._perp_setup()
        applied: list[Liquidation | Deleverage] = []
        for step in liquidation_plan(PerpLedger(setup.config, self.head)):
            try:
                self._apply_perp(step, now, Timestamp(0))
            except RequestRejected:
                break
            applied.append(step)
        return applied

    def perp_ledger(self) -> PerpLedger:
        """The perpetual side of the head state (raises ``RequestRejected`` without perpetual markets)."""
        return PerpLedger(self._perp_setup().config, self.head)

    def _perp_setup(self) -> PerpSetup:
        """The deployment's perpetual side; refuses the request if it has none."""
        if self.perp is None:
            raise RequestRejected(Code.PERPETUALS_NOT_CONFIGURED, "this deployment has no perpetual markets")
        return self.perp

    def _apply_perp(self, tx: PerpTransaction, now: Timestamp, not_before: Timestamp) -> None:
        """
        Apply a perpetual transaction to the head state at the timestamp of
        the batch it joins (``Batcher.perp_placement``) and queue it; refuse
        it with the spec's error code, changing nothing.
        """
        setup = self._perp_setup()
        time, previous = self.batcher.perp_placement(now, not_before)
        self.head.begin()
        try:
            apply_perp_transaction(self.head, PerpLedger(setup.config, self.head), tx, time, previous)
        except RollupError as error:
            self.head.rollback()
            raise RequestRejected.from_spec(error) from error
        self.head.commit()
        self.clock = Timestamp(max(self.clock, now))
        self.batcher.queue_perp(tx, time)

    # ------------------------------------------------------------------ batches

    def batch_complete(self) -> bool:
        """Whether the oldest pending transactions make a whole batch, to seal now (``Batcher.complete``)."""
        return self.batcher.complete()

    def next_batch(self) -> list[Pending]:
        """The pending transactions the next batch sealed would take (``Batcher.cut``)."""
        if not self.pending:
            return []
        return self.pending[: self.batcher.cut(0, self.batcher.sealed_timestamp()).end]

    @property
    def pending(self) -> list[Pending]:
        """Accepted transactions waiting for a batch, oldest first."""
        return self.batcher.pending

    @property
    def batches(self) -> list[SealedBatch]:
        """The sealed batches, in order."""
        return self.batcher.batches

    @property
    def built(self) -> int:
        """How many sealed batches have their circuit input built."""
        return self.batcher.built

    @property
    def sealed(self) -> State:
        """The state after the last built batch."""
        return self.batcher.sealed

    @property
    def chain(self) -> FieldElement:
        """The L1 request chain after the last built batch."""
        return self.batcher.chain

    def seal_due(self, now: Timestamp, max_wait: int) -> bool:
        """Whether to seal a batch now (``Batcher.seal_due``, at the operator's clock at the earliest)."""
        return self.batcher.seal_due(Timestamp(max(now, self.clock)), max_wait)

    def seal(self, now: Timestamp) -> SealedBatch | None:
        """
        Seal the oldest pending transactions (at most one batch) and credit
        the batch's fees to the fee account in the head state; None if none is pending.
        """
        time = self._begin(now)
        if not self.pending:
            return None
        self.clock = time
        batch = self.batcher.seal(time)
        assert batch is not None
        try:
            credit_fees(self.head, dict(batch.fees))
        except RollupError as error:
            raise EngineInvariantError(f"batch {batch.number}: {error}") from error
        for tx in batch.transactions or ():
            if isinstance(tx, Withdraw):
                self._withdrawal_index[(tx.account_index, tx.nonce)].batch = batch.number
        return batch

    def build_next(self) -> ProvableBatch | None:
        """
        Build the circuit input of the oldest sealed batch not built yet, on
        the state after the previous one; None if every sealed batch is built.
        Batches are built in order: each starts from the state the one before it left.
        """
        number = self.batcher.built + 1
        try:
            return self.batcher.build_next()
        except RollupError as error:
            raise EngineInvariantError(f"batch {number}: {error}") from error

    def cut_batch(self, timestamp: Timestamp) -> ProvableBatch | None:
        """
        Seal (at time ``timestamp``) and build the next batch, or build the
        oldest sealed batch not built yet; None if there is nothing to batch.
        The batch's own timestamp is chosen as :class:`SealedBatch` says.
        """
        if self.built == len(self.batches) and self.seal(timestamp) is None:
            return None
        return self.build_next()

    # ------------------------------------------------------------------ reading

    def available(self, index: AccountIndex, token: TokenId) -> Amount:
        """The account's balance of ``token`` less what its open orders lock."""
        return Amount(self.head.get_account(index).balance(token) - self.locks.get(index, token))

    @property
    def orders(self) -> Mapping[OrderKey, OrderRecord]:
        """Every accepted order, by ``(account, order id)`` (``registry.orders``)."""
        return self.registry.orders

    def book_named(self, name: str) -> PriceLevels | None:
        """The book of the spot or perpetual market named ``name``, if there is one."""
        book = self.books.get(name)
        return book if book is not None else self.perp_books.get(name)

    def open_orders(self, index: AccountIndex) -> list[OrderRecord]:
        """The account's open orders, oldest first."""
        return self.registry.open_orders(index)

    def orders_of(self, index: AccountIndex) -> list[OrderRecord]:
        """Every order the account placed, oldest first."""
        return self.registry.orders_of(index)

    def order_by_client_id(self, index: AccountIndex, client_order_id: str) -> OrderRecord | None:
        """The account's latest order with this client order id."""
        return self.registry.by_client_id(index, client_order_id)

    def account_of(self, eth_addr: EthAddress) -> AccountIndex | None:
        """The account an L1 address owns, if it deposited."""
        return self._by_address.get(eth_addr)

    # ------------------------------------------------------------------ internals

    def _begin(self, now: Timestamp | None) -> Timestamp:
        """
        A request's time: ``now``, or the clock if ``now`` is None or earlier.

        Open orders that expired before that time leave the book first, so
        the request's checks never count them. Otherwise the clock moves
        only when a request is accepted.
        """
        time = self.clock if now is None or now < self.clock else now
        self._expire(time)
        return time

    def _expire(self, time: Timestamp) -> list[OrderRecord]:
        """Close every open order whose expiry is before ``time``, at ``time``; returns them."""
        expired = []
        while (record := self.registry.next_expired(time)) is not None:
            self.clock = time
            self._close(record, OrderStatus.EXPIRED, CloseReason.EXPIRED)
            expired.append(record)
        return expired

    def _accept_order(
        self, book: OrderBook, signed: SignedOrder, client_order_id: str | None
    ) -> OrderOutcome:
        """Record an order that passed every check, match it, and rest or close what is left."""
        record = OrderRecord(
            market=book.market.name,
            signed=signed,
            client_order_id=client_order_id,
            sequence=len(self.registry) + 1,
            accepted_at=self.clock,
        )
        self.registry.accept(record, self._slot(record))
        kind = signed.order.kind
        # An immediate order's fills are one run in one batch: at most a batch's slots.
        max_fills = self.batcher.slots if kind.immediate else None
        match = book.match(record, max_fills) if kind.takes else None
        outcome = OrderOutcome(record)
        if match is not None:
            for maker in match.self_trades:
                self._release(maker, maker.remaining)
                self._finish(maker, OrderStatus.CANCELLED, CloseReason.SELF_TRADE)
                outcome.self_trades.append(maker)
            for fill, maker in zip(match.fills, match.makers, strict=True):
                self.locks.release(maker.spot.order, fill.base)
                if maker.remaining == 0:
                    self._finish(maker, OrderStatus.FILLED, None)
                trade = TradeRecord(len(self.trades) + 1, book.market.name, self.clock, fill)
                self._apply_trade(trade)
                outcome.trades.append(trade)
        if record.remaining == 0:
            self._finish(record, OrderStatus.FILLED, None)
        elif kind.rests:
            self._rest(book, record)
        else:
            self._finish(record, OrderStatus.CANCELLED, CloseReason.UNFILLED)
        return outcome

    def _close_uncovered(self, index: AccountIndex, token: TokenId) -> None:
        """Close the account's open orders locking ``token``, newest first, until its balance covers the rest."""
        balance = self.head.get_account(index).balance(token)
        for record in reversed(self.open_orders(index)):
            if self.locks.get(index, token) <= balance:
                return
            if not record.perpetual and order_cost(record.spot.order, record.remaining)[0] == token:
                self._close(record, OrderStatus.CANCELLED, CloseReason.FORCED_WITHDRAWAL)

    def _close_below_min_order_id(self, index: AccountIndex, reason: CloseReason) -> list[OrderRecord]:
        """
        Close the account's open orders below its ``min_order_id`` (they can
        no longer trade); returns them, oldest first.
        """
        min_order_id = self.head.get_account(index).min_order_id
        closed = [record for record in self.open_orders(index) if record.order.order_id < min_order_id]
        for record in closed:
            self._close(record, OrderStatus.CANCELLED, reason)
        return closed

    def _apply_trade(self, trade: TradeRecord) -> None:
        """Apply a fill to the head state; the spec refusing it is an engine bug."""
        try:
            self._apply(trade.transaction(), self.clock)
        except RequestRejected as error:
            raise EngineInvariantError(f"trade {trade.trade_id}: {error.code}: {error}") from error
        self.trades.append(trade)

    def _rest(self, book: OrderBook, record: OrderRecord) -> None:
        """Put what is left of an order into the book, lock what it may spend, and index it."""
        book.add(record)
        self.locks.lock(record.spot.order, record.remaining)
        self.registry.rest(record, self._slot(record))

    def _close(self, record: OrderRecord, status: OrderStatus, reason: CloseReason) -> None:
        """Take a resting order out of its book, release its lock (spot) and mark it closed."""
        if record.perpetual:
            self.perp_books[record.market].remove(record.key)
        else:
            self.books[record.market].remove(record.key)
            self._release(record, record.remaining)
        self._finish(record, status, reason)

    def _release(self, record: OrderRecord, amount: Amount) -> None:
        """Release the lock of ``amount`` of a resting spot order."""
        if amount:
            self.locks.release(record.spot.order, amount)

    def _finish(self, record: OrderRecord, status: OrderStatus, reason: CloseReason | None) -> None:
        """Mark an order closed at the clock and drop it from the open-order indexes."""
        self.registry.finish(record, status, reason, self.clock, self._slot(record))

    def _slot(self, record: OrderRecord) -> int:
        """The account slot an order uses."""
        return self.head.get_account(record.order.account_index).slot_index(record.order.order_id)

    def _apply(self, tx: Transaction, time: Timestamp) -> None:
        """
        Apply ``tx`` at ``time`` to the head state and queue it, moving the
        clock to ``time``; refuse it with the spec's error code.
        """
        try:
            last = self.batcher.pending[-1] if self.batcher.pending else None
            previous = last.transaction if isinstance(last, PendingTransaction) else None
            outcome = apply_transaction(self.head, tx, time, previous)
        except RollupError as error:
            raise RequestRejected.from_spec(error) from error
        self.clock = time
        self.batcher.queue(tx, time, outcome)

    def _check_covered(self, index: AccountIndex, token: TokenId, amount: Amount) -> None:
        """The account's available balance of ``token`` (balance less locks) covers ``amount``."""
        checks.covered(self.available(index, token), index, token, amount)
