"""
The state transition of spot: how each transaction changes the state.

A batch applies them slot by slot (:mod:`.batch`).

Each ``process_*`` function makes its checks in the order ``docs/DESIGN.md``
lists them and raises at the first that fails; only when all have passed does
it write to the state. A transaction that raises therefore leaves the state
exactly as it was.

The L1 requests (deposits, forced withdrawals, forced cancel-alls) raise only
for values out of range, which the contract never queues: a request that
cannot apply is processed as a no-op, so it cannot jam the queue.
"""

from dataclasses import dataclass
from typing import Sequence, assert_never

from sequencer.crypto.eddsa import PublicKey, Signature
from sequencer.crypto.signatures import verify
from sequencer.crypto.field import FIELD_MODULUS

from .constants import (
    AMOUNT_BITS,
    BPS,
    CANCELLED_FILL,
    ETH_ADDRESS_BITS,
    FEE_ACCOUNT,
    FEE_BPS_BITS,
    MAX_FEE_BPS,
    ORDER_ID_BITS,
    ORDER_REF_BITS,
    PRICE_BITS,
    PRICE_SCALE,
    TIMESTAMP_BITS,
    TRADE_FEE_BPS_BITS,
    OrderKind,
    Side,
    TreeConfig,
)
from .errors import (
    AccountNotFound,
    BalanceOverflow,
    FeeAboveLimit,
    FillNotEncodable,
    FillOrKillPartial,
    ImmediateOrderResumed,
    InexactFill,
    InsufficientBalance,
    InvalidFeeLimit,
    InvalidNonce,
    InvalidSignature,
    MakerDoesNotRest,
    MarketMismatch,
    NotAFieldElement,
    OrderCancelled,
    OrderIdOutOfWindow,
    OrderExpired,
    OrderIdStale,
    OrderOverfilled,
    OrderWasCancelled,
    PostOnlyTaker,
    PriceLimitViolated,
    PriceNotEncodable,
    SelfTrade,
    SidesNotOpposite,
    ValueOutOfRange,
    ZeroFill,
)
from .decimal import is_encodable
from .state import Account, State
from .transactions import (
    Cancel,
    CancelAll,
    Deposit,
    ForcedCancelAll,
    ForcedWithdraw,
    Noop,
    Order,
    OrderTerms,
    SignedOrder,
    Trade,
    Transaction,
    Withdraw,
    cancel_message,
)
from .types import (
    AccountIndex,
    Amount,
    EthAddress,
    FieldElement,
    OrderId,
    Timestamp,
    TokenId,
)


@dataclass(frozen=True)
class Fee:
    """A fee charged by a trade: ``amount`` of ``token``, owed to the fee account."""

    token: TokenId
    amount: Amount


@dataclass(frozen=True)
class Withdrawal:
    """``amount`` of ``token`` that ``eth_addr`` may claim on L1."""

    eth_addr: EthAddress
    token: TokenId
    amount: Amount


@dataclass(frozen=True)
class Settlement:
    """
    What a trade moves, whoever signed it: the maker (on ``maker_side``) and
    the taker trade ``fill_base`` of ``base`` for ``fill_quote`` of ``quote``,
    each paying its fee in the token it receives.
    """

    maker: AccountIndex
    taker: AccountIndex
    maker_side: Side
    base: TokenId
    quote: TokenId
    fill_base: Amount
    fill_quote: Amount
    maker_fee: Amount
    taker_fee: Amount

    @classmethod
    def at_rates(
        cls,
        maker: AccountIndex,
        taker: AccountIndex,
        maker_side: Side,
        base: TokenId,
        quote: TokenId,
        fill_base: Amount,
        fill_quote: Amount,
        maker_fee_bps: int,
        taker_fee_bps: int,
    ) -> "Settlement":
        """A settlement whose fees are each side's rate of what it receives, rounded down."""
        maker_receives, taker_receives = (fill_base, fill_quote) if maker_side == Side.BUY else (fill_quote, fill_base)
        return cls(
            maker,
            taker,
            maker_side,
            base,
            quote,
            fill_base,
            fill_quote,
            fee_amount(maker_receives, maker_fee_bps),
            fee_amount(taker_receives, taker_fee_bps),
        )

    @classmethod
    def of(cls, trade: Trade) -> "Settlement":
        """The settlement of a trade between two signed orders."""
        maker, taker = trade.maker.order, trade.taker.order
        return cls.at_rates(
            maker.account_index,
            taker.account_index,
            maker.side,
            maker.base_token,
            maker.quote_token,
            trade.fill_base,
            trade.fill_quote,
            trade.maker_fee_bps,
            trade.taker_fee_bps,
        )

    def fees(self) -> tuple[Fee, Fee]:
        """The maker's and the taker's fee, each in the token its side receives."""
        maker_token = self.base if self.maker_side == Side.BUY else self.quote
        taker_token = self.quote if self.maker_side == Side.BUY else self.base
        return Fee(maker_token, self.maker_fee), Fee(taker_token, self.taker_fee)


@dataclass(frozen=True)
class SlotOutcome:
    """What an applied slot produced besides its state changes."""

    fees: tuple[Fee, ...] = ()
    withdrawal: Withdrawal | None = None


def apply_transaction(
    state: State, tx: Transaction, timestamp: Timestamp, previous: Transaction | None
) -> SlotOutcome:
    """
    Apply one slot's transaction at the batch's ``timestamp``; ``previous``
    is the batch's slot before it (None for the first slot), which a trade
    of an immediate order needs (:func:`check_immediate_run`).

    Raises
    ------
    InvalidTransaction
        The errors of the ``process_*`` function for the transaction's type.
    """
    match tx:
        case Noop():
            process_noop(state, tx)
            return SlotOutcome()
        case Deposit():
            process_deposit(state, tx)
            return SlotOutcome()
        case Trade():
            return SlotOutcome(fees=process_trade(state, tx, timestamp, previous))
        case Withdraw():
            return SlotOutcome(withdrawal=process_withdraw(state, tx))
        case ForcedWithdraw():
            return SlotOutcome(withdrawal=process_forced_withdraw(state, tx))
        case ForcedCancelAll():
            process_forced_cancel_all(state, tx)
            return SlotOutcome()
        case Cancel():
            process_cancel(state, tx)
            return SlotOutcome()
        case CancelAll():
            process_cancel_all(state, tx)
            return SlotOutcome()
        case _:
            assert_never(tx)


def process_noop(state: State, noop: Noop) -> None:
    """A noop pads a batch and changes nothing."""


def process_deposit(state: State, deposit: Deposit) -> None:
    """
    Credit an L1 deposit, creating the account if it does not exist yet.

    The contract only queues deposits that fit these checks, so a deposit
    never fails in practice; the checks state what the circuit relies on.

    Raises
    ------
    ValueOutOfRange
        A field does not fit its width.
    NotAFieldElement
        ``ax`` or ``ay`` is not below the field modulus.
    BalanceOverflow
        The account's balance would reach ``2**AMOUNT_BITS``.
    """
    index, token = deposit.account_index, deposit.token
    check_account_index(state.config, "account_index", index)
    check_range("eth_addr", deposit.eth_addr, ETH_ADDRESS_BITS)
    check_field_element("ax", deposit.ax)
    check_field_element("ay", deposit.ay)
    check_token(state.config, "token", token)
    check_range("amount", deposit.amount, AMOUNT_BITS)
    balance = balance_after_credit(state, index, token, deposit.amount)

    if not state.get_account(index).exists:
        state.create_account(index, deposit.ax, deposit.ay, deposit.eth_addr)
    state.set_balance(index, token, balance)


def process_trade(
    state: State, trade: Trade, timestamp: Timestamp, previous: Transaction | None = None
) -> tuple[Fee, Fee]:
    """
    Settle a fill between a maker and a taker order at the maker's price.

    The buyer pays ``fill_quote`` quote and receives ``fill_base`` base minus
    its fee; the seller pays ``fill_base`` base and receives ``fill_quote``
    quote minus its fee. Both orders' slots record the fill. Returns the
    maker's fee and the taker's fee, for the fee account. ``previous`` is
    the batch's slot before this one (None for the first).

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange
        A field of the trade or of either order, or ``timestamp``, does not fit.
    SelfTrade
        Maker and taker are the same account.
    MarketMismatch
        The orders' markets differ, or base and quote are the same token.
    SidesNotOpposite
        Both orders are on the same side.
    AccountNotFound
        The maker's or the taker's account does not exist.
    InvalidSignature
        An order's signature is not valid for its account's key.
    OrderExpired
        The batch's timestamp is after an order's expiry.
    InvalidFeeLimit
        An order's ``max_fee_bps`` is above ``MAX_FEE_BPS``.
    PriceNotEncodable
        An order's price is not a decimal float.
    PriceLimitViolated
        The maker's price is outside the taker's limit.
    ZeroFill
        ``fill_base`` is zero.
    InexactFill
        ``fill_quote`` is not exactly ``fill_base`` at the maker's price.
    FillNotEncodable
        ``fill_base`` is not a decimal float.
    MakerDoesNotRest
        The maker is an immediate-or-cancel, fill-or-kill or market order.
    PostOnlyTaker
        The taker is a post-only order.
    FillOrKillPartial
        The taker is a fill-or-kill order and ``fill_base`` is not its amount.
    ImmediateOrderResumed
        The taker is an immediate-or-cancel or market order that traded
        already, and ``previous`` is not its previous fill.
    OrderCancelled
        An order's id is below its account's ``min_order_id``.
    OrderIdOutOfWindow
        An order's id is too far above its slot's window base to publish.
    OrderIdStale
        A newer order has taken an order's slot.
    OrderWasCancelled
        An order's slot records a cancel of it.
    OrderOverfilled
        The fill is more than what is left of an order.
    FeeAboveLimit
        A fee rate is above its order's signed limit.
    InsufficientBalance
        The buyer lacks the quote or the seller the base to pay.
    BalanceOverflow
        A balance credited would reach ``2**AMOUNT_BITS``.
    """
    maker, taker = trade.maker.order, trade.taker.order
    check_trade_ranges(state.config, trade, timestamp)
    check_distinct_accounts(maker, taker)
    check_same_market(maker, taker)
    check_opposite_sides(maker, taker)
    maker_account = existing_account(state, maker.account_index)
    taker_account = existing_account(state, taker.account_index)
    check_signature(maker.account_index, maker_account, maker.message_hash(), trade.maker.signature)
    check_signature(taker.account_index, taker_account, taker.message_hash(), trade.taker.signature)
    check_unexpired(maker, timestamp)
    check_unexpired(taker, timestamp)
    check_fee_limit(maker)
    check_fee_limit(taker)
    check_price_encodable(maker)
    check_price_encodable(taker)
    check_taker_limit(maker, taker)
    check_nonzero_fill(trade)
    check_exact_fill(trade)
    check_fill_encodable(trade)
    check_order_kinds(trade)
    check_immediate_run(taker_account, trade, previous)
    check_not_cancelled(maker_account, maker)
    check_not_cancelled(taker_account, taker)
    check_in_window(maker_account, maker)
    check_in_window(taker_account, taker)
    maker_filled = filled_after(maker_account, maker, trade.fill_base)
    taker_filled = filled_after(taker_account, taker, trade.fill_base)
    check_fee(maker, trade.maker_fee_bps)
    check_fee(taker, trade.taker_fee_bps)
    settlement = Settlement.of(trade)
    balances = balances_after_trade(state, settlement)

    for index, token, balance in balances:
        state.set_balance(index, token, balance)
    state.set_order_slot(maker.account_index, maker.order_id, maker_filled)
    state.set_order_slot(taker.account_index, taker.order_id, taker_filled)
    return settlement.fees()


def check_order(state: State, signed: SignedOrder, timestamp: Timestamp) -> Account:
    """
    Every check :func:`process_trade` makes on one order alone, in the same
    order; returns the order's account.

    The sequencer runs it when it accepts an order, so that an accepted
    order can trade at any time up to its expiry as far as the order itself
    goes: what is left for :func:`process_trade` to check concerns the pair
    of orders and the fill (sides, prices, amounts, fees, balances), which
    the matching engine chooses. ``test_check_order_matches_process_trade``
    keeps the two lists of checks the same.

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange
        A field of the order, or ``timestamp``, does not fit.
    AccountNotFound
        The order's account does not exist.
    InvalidSignature
        The signature is not valid for the account's key.
    OrderExpired
        ``timestamp`` is after the order's expiry.
    InvalidFeeLimit
        The order's ``max_fee_bps`` is above ``MAX_FEE_BPS``.
    PriceNotEncodable
        The order's price is not a decimal float.
    OrderCancelled
        The order's id is below its account's ``min_order_id``.
    OrderIdOutOfWindow
        The order's id is too far above its slot's window base to publish.
    OrderIdStale
        A newer order has taken the order's slot.
    OrderOverfilled
        The order's slot records it as completely filled already.
    """
    order = signed.order
    check_order_ranges(state.config, "order", order)
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    account = existing_account(state, order.account_index)
    check_signature(order.account_index, account, order.message_hash(), signed.signature)
    check_unexpired(order, timestamp)
    check_fee_limit(order)
    check_price_encodable(order)
    check_not_cancelled(account, order)
    check_in_window(account, order)
    filled_after(account, order, Amount(min(1, order.amount)))
    return account


def process_withdraw(state: State, withdraw: Withdraw) -> Withdrawal:
    """
    Take ``amount`` of ``token`` out of an account, to be claimed on L1 by its address.

    Returns the claim. The account's nonce goes up by one, so the signed
    withdrawal cannot be applied twice.

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange
        A field does not fit its width.
    AccountNotFound
        The account does not exist.
    InvalidNonce
        The withdrawal is not signed for the account's current nonce.
    InvalidSignature
        The signature is not valid for the account's key.
    InsufficientBalance
        The account holds less than ``amount`` of ``token``.
    """
    index, token = withdraw.account_index, withdraw.token
    check_account_index(state.config, "account_index", index)
    check_token(state.config, "token", token)
    check_range("amount", withdraw.amount, AMOUNT_BITS)
    account = existing_account(state, index)
    check_nonce(account, withdraw)
    check_signature(index, account, withdraw.message_hash(), withdraw.signature)
    balance = balance_after_debit(state, index, token, withdraw.amount)

    state.set_balance(index, token, balance)
    state.increment_nonce(index)
    return Withdrawal(account.eth_addr, token, withdraw.amount)


def process_cancel(state: State, cancel: Cancel) -> None:
    """
    Cancel an order at its account's signed request: the order's slot
    records it as filled by ``CANCELLED_FILL``, more than any order leaves
    room for, so no later batch can fill it (``OrderWasCancelled``). The
    order need not have traded; an order that took the slot before it is
    replaced, as a newer order's first fill would.

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange
        A field does not fit its width.
    AccountNotFound
        The account does not exist.
    InvalidSignature
        The signature is not valid for the account's key.
    OrderIdStale
        A newer order has taken the order's slot: the order cannot trade anyway.
    """
    index, order_id = cancel.account_index, cancel.order_id
    check_account_index(state.config, "account_index", index)
    check_range("order_id", order_id, ORDER_ID_BITS)
    account = existing_account(state, index)
    check_signature(index, account, cancel_message(index, order_id), cancel.signature)
    check_not_stale(account, order_id)

    state.set_order_slot(index, order_id, Amount(CANCELLED_FILL))


def process_cancel_all(state: State, cancel_all: CancelAll) -> None:
    """
    Cancel every order of an account whose id is below ``min_order_id``, at
    its signed request: the account's ``min_order_id`` becomes the larger of
    its own and the signed one, as a forced cancel-all's does, so no order
    with a smaller id can trade again (``OrderCancelled``).

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange
        A field does not fit its width.
    AccountNotFound
        The account does not exist.
    InvalidSignature
        The signature is not valid for the account's key.
    """
    index = cancel_all.account_index
    check_account_index(state.config, "account_index", index)
    check_range("min_order_id", cancel_all.min_order_id, ORDER_ID_BITS)
    account = existing_account(state, index)
    check_signature(index, account, cancel_all.message_hash(), cancel_all.signature)

    state.set_min_order_id(index, raised_min_order_id(account, cancel_all.min_order_id))


def window_base(account: Account, order_id: OrderId) -> OrderId:
    """
    Where the ids that may trade in ``order_id``'s slot start: the larger of
    the id the slot holds and the account's ``min_order_id``.
    """
    stored_id, _ = account.order_slot(order_id)
    return OrderId(max(stored_id, account.min_order_id))


def check_in_window(account: Account, order: OrderTerms) -> None:
    """
    An order's id lies less than ``2**ORDER_REF_BITS`` above its slot's
    :func:`window_base`, so a trade publishes only the id's low bits and
    :func:`resolve_order_id` gives the id back from them and the state.
    (The window's lower end is ``OrderCancelled``'s and ``OrderIdStale``'s.)

    Raises
    ------
    OrderIdOutOfWindow
        ``order_id >= window_base + 2**ORDER_REF_BITS``.
    """
    base = window_base(account, order.order_id)
    if order.order_id >= base + 2**ORDER_REF_BITS:
        raise OrderIdOutOfWindow(order.order_id, base)


def resolve_order_id(account: Account, ref: int) -> OrderId:
    """
    The id of the order a trade published as ``ref`` (its low
    ``ORDER_REF_BITS`` bits): the one id at or above the window base of the
    slot ``ref`` names, less than ``2**ORDER_REF_BITS`` above it, whose low
    bits are ``ref``. Read from the account before the trade.
    """
    base = window_base(account, OrderId(ref))
    return OrderId(base + (ref - base) % 2**ORDER_REF_BITS)


def replayed_fill(state: State, index: AccountIndex, order_id: OrderId, fill_base: Amount) -> Amount:
    """
    The order's filled amount after a published fill: the slot's fill
    continued if it holds the order, else the fill alone (a resolved id is
    never below the slot's, :func:`resolve_order_id`).
    """
    stored_id, filled = state.get_account(index).order_slot(order_id)
    return Amount((filled if order_id == stored_id else 0) + fill_base)


def check_not_stale(account: Account, order_id: OrderId) -> None:
    """
    The order's slot holds it or an older order (raises ``OrderIdStale`` if a newer one took it).
    """
    stored_id, _ = account.order_slot(order_id)
    if order_id < stored_id:
        raise OrderIdStale(order_id, stored_id)


def process_forced_withdraw(state: State, request: ForcedWithdraw) -> Withdrawal | None:
    """
    Take an account's whole balance of a token out, at its L1 owner's request.

    No signature: the contract queued the request for the L1 address that
    sent it, and it applies only if that is the account's address. Returns
    the claim, paid to that address on L1; None if the request withdraws
    nothing (the account does not exist, is not the sender's, or holds none
    of the token). The nonce does not change: it counts signed withdrawals.

    Raises
    ------
    ValueOutOfRange
        A field does not fit its width (the contract never queues such a request).
    """
    index, token = request.account_index, request.token
    check_account_index(state.config, "account_index", index)
    check_range("eth_addr", request.eth_addr, ETH_ADDRESS_BITS)
    check_token(state.config, "token", token)
    account = state.get_account(index)
    if not request_applies(account, request.eth_addr):
        return None
    amount = forced_withdrawal_amount(account, token)
    if amount == 0:
        return None
    balance = balance_after_debit(state, index, token, amount)

    state.set_balance(index, token, balance)
    return Withdrawal(request.eth_addr, token, amount)


def process_forced_cancel_all(state: State, request: ForcedCancelAll) -> None:
    """
    Cancel an account's orders below an id, at its L1 owner's request.

    The account's ``min_order_id`` becomes the larger of its own and the
    request's: orders with a smaller id can no longer trade (a trade checks
    it, ``OrderCancelled``), so the sequencer must drop them and release what
    they locked. A request that does not apply (as for
    :func:`process_forced_withdraw`) changes nothing.

    Raises
    ------
    ValueOutOfRange
        A field does not fit its width (the contract never queues such a request).
    """
    index = request.account_index
    check_account_index(state.config, "account_index", index)
    check_range("eth_addr", request.eth_addr, ETH_ADDRESS_BITS)
    check_range("min_order_id", request.min_order_id, ORDER_ID_BITS)
    account = state.get_account(index)
    if not request_applies(account, request.eth_addr):
        return

    state.set_min_order_id(index, raised_min_order_id(account, request.min_order_id))


def total_fees(slots: Sequence[SlotOutcome]) -> dict[TokenId, Amount]:
    """The fees of all slots, summed per token."""
    totals: dict[TokenId, Amount] = {}
    for outcome in slots:
        for fee in outcome.fees:
            totals[fee.token] = Amount(totals.get(fee.token, 0) + fee.amount)
    return totals


def credit_fees(state: State, fees: dict[TokenId, Amount]) -> None:
    """
    Pay a batch's fees to the fee account.

    Raises
    ------
    BalanceOverflow
        A balance of the fee account would reach ``2**AMOUNT_BITS``.
    """
    index = AccountIndex(FEE_ACCOUNT)
    balances = {
        token: balance_after_credit(state, index, token, amount)
        for token, amount in fees.items()
    }
    for token, balance in balances.items():
        state.set_balance(index, token, balance)


def check_range(field: str, value: int, bits: int) -> None:
    """
    Check that ``value`` fits in ``bits`` bits, as the circuit's range check does.

    Raises
    ------
    ValueOutOfRange
        ``value`` is negative or at least ``2**bits``.
    """
    if not 0 <= value < 2**bits:
        raise ValueOutOfRange(field, value, bits)


def check_field_element(field: str, value: int) -> None:
    """
    Check that ``value`` can be hashed as it is.

    Raises
    ------
    NotAFieldElement
        ``value`` is negative or at least the field modulus.
    """
    if not 0 <= value < FIELD_MODULUS:
        raise NotAFieldElement(field, value)


def check_account_index(config: TreeConfig, field: str, index: AccountIndex) -> None:
    """Check that ``index`` is a leaf of the account tree (raises ``ValueOutOfRange``)."""
    check_range(field, index, config.account_depth)


def check_token(config: TreeConfig, field: str, token: TokenId) -> None:
    """Check that ``token`` is a token id, below ``2**balance_depth`` (raises ``ValueOutOfRange``)."""
    check_range(field, token, config.balance_depth)


def check_order_ranges(config: TreeConfig, name: str, order: Order) -> None:
    """Check every field of an order (raises ``ValueOutOfRange``)."""
    check_account_index(config, f"{name}.account_index", order.account_index)
    check_range(f"{name}.order_id", order.order_id, ORDER_ID_BITS)
    check_token(config, f"{name}.base_token", order.base_token)
    check_token(config, f"{name}.quote_token", order.quote_token)
    check_range(f"{name}.side", order.side, 1)
    check_range(f"{name}.price", order.price, PRICE_BITS)
    check_range(f"{name}.amount", order.amount, AMOUNT_BITS)
    check_range(f"{name}.max_fee_bps", order.max_fee_bps, FEE_BPS_BITS)
    check_range(f"{name}.expiry", order.expiry, TIMESTAMP_BITS)


def check_trade_ranges(config: TreeConfig, trade: Trade, timestamp: Timestamp) -> None:
    """Check every field of a trade and its orders, and the time (raises ``ValueOutOfRange``)."""
    check_order_ranges(config, "maker", trade.maker.order)
    check_order_ranges(config, "taker", trade.taker.order)
    check_range("fill_base", trade.fill_base, AMOUNT_BITS)
    check_range("fill_quote", trade.fill_quote, AMOUNT_BITS)
    check_range("maker_fee_bps", trade.maker_fee_bps, TRADE_FEE_BPS_BITS)
    check_range("taker_fee_bps", trade.taker_fee_bps, TRADE_FEE_BPS_BITS)
    check_range("timestamp", timestamp, TIMESTAMP_BITS)


def existing_account(state: State, index: AccountIndex) -> Account:
    """
    The account at ``index``, which must exist.

    Raises
    ------
    AccountNotFound
        No deposit has created the account.
    """
    account = state.get_account(index)
    if not account.exists:
        raise AccountNotFound(index)
    return account


def check_signature(
    index: AccountIndex, account: Account, message: FieldElement, signature: Signature
) -> None:
    """
    Check that the account's key signed ``message``.

    Raises
    ------
    InvalidSignature
        The signature does not verify.
    """
    if not verify(PublicKey(account.ax, account.ay), message, signature):
        raise InvalidSignature(index)


def check_distinct_accounts(maker: OrderTerms, taker: OrderTerms) -> None:
    """An account never trades with itself (raises ``SelfTrade``)."""
    if maker.account_index == taker.account_index:
        raise SelfTrade(maker.account_index)


def check_same_market(maker: Order, taker: Order) -> None:
    """
    Both orders trade the same base for the same quote, two different tokens.

    Raises
    ------
    MarketMismatch
        The markets differ, or base and quote are one token.
    """
    if (
        maker.base_token != taker.base_token
        or maker.quote_token != taker.quote_token
        or maker.base_token == maker.quote_token
    ):
        raise MarketMismatch(
            maker.base_token, maker.quote_token, taker.base_token, taker.quote_token
        )


def check_opposite_sides(maker: OrderTerms, taker: OrderTerms) -> None:
    """One order buys and the other sells (raises ``SidesNotOpposite``)."""
    if maker.side == taker.side:
        raise SidesNotOpposite(maker.side)


def check_nonzero_fill(trade: Trade) -> None:
    """A trade moves some base (raises ``ZeroFill``)."""
    if trade.fill_base == 0:
        raise ZeroFill()


def check_exact_fill(trade: Trade) -> None:
    """
    The quote amount is exactly the base amount at the maker's price.

    Raises
    ------
    InexactFill
        ``fill_quote * PRICE_SCALE != fill_base * maker.price``.
    """
    price = trade.maker.order.price
    if trade.fill_quote * PRICE_SCALE != trade.fill_base * price:
        raise InexactFill(trade.fill_base, trade.fill_quote, price)


def check_fill_encodable(trade: Trade) -> None:
    """
    The base amount is published as a decimal float, so it must have one
    (raises ``FillNotEncodable``); the quote amount follows from it and the
    maker's price.
    """
    if not is_encodable(trade.fill_base):
        raise FillNotEncodable(trade.fill_base)


def check_order_kinds(trade: Trade) -> None:
    """
    Each order trades as the kind it signed: only an order that rests (limit,
    post-only) can be the maker, a post-only order is never the taker, and a
    fill-or-kill taker fills its whole amount in this one trade.

    Raises
    ------
    MakerDoesNotRest
        The maker's kind is immediate-or-cancel, fill-or-kill or market.
    PostOnlyTaker
        The taker's kind is post-only.
    FillOrKillPartial
        The taker is fill-or-kill and ``fill_base != taker.amount``.
    """
    check_kinds(trade.maker.order, trade.taker.order, trade.fill_base)


def check_kinds(maker: OrderTerms, taker: OrderTerms, fill: Amount) -> None:
    """:func:`check_order_kinds` on any two orders and their fill (a perpetual trade's too)."""
    if not maker.kind.rests:
        raise MakerDoesNotRest(maker.order_id, maker.kind.value)
    check_taker_kind(taker, fill)


def check_taker_kind(taker: OrderTerms, fill: Amount) -> None:
    """A taker is not post-only, and a fill-or-kill taker fills its whole amount (a liquidator's order too)."""
    if not taker.kind.takes:
        raise PostOnlyTaker(taker.order_id)
    if taker.kind is OrderKind.FOK and fill != taker.amount:
        raise FillOrKillPartial(taker.order_id, taker.amount, fill)


def check_immediate_run(taker_account: Account, trade: Trade, previous: Transaction | None) -> None:
    """
    An immediate-or-cancel or market taker trades in one run of consecutive
    slots of one batch: once it has a fill, it trades only right after a
    trade of the same taker order. So its remainder can never rest and fill
    in a later batch.

    Raises
    ------
    ImmediateOrderResumed
        The taker is immediate, its slot records a fill of it, and
        ``previous`` is not a trade whose taker has its account and order id.
    """
    taker = trade.taker.order
    if not taker.kind.immediate:
        return
    stored_id, filled = taker_account.order_slot(taker.order_id)
    resumes = stored_id == taker.order_id and filled > 0
    if resumes and not same_taker(previous, trade):
        raise ImmediateOrderResumed(taker.order_id)


def same_taker(previous: Transaction | None, trade: Trade) -> bool:
    """Whether ``previous`` is a trade whose taker has ``trade``'s taker account and order id."""
    if not isinstance(previous, Trade):
        return False
    ours, theirs = trade.taker.order, previous.taker.order
    return (theirs.account_index, theirs.order_id) == (ours.account_index, ours.order_id)


def continues_immediate_run(previous: Transaction, tx: Transaction) -> bool:
    """
    Whether ``tx`` continues the run of fills of an immediate taker that
    ``previous`` belongs to: a batch may not be cut between them
    (:func:`check_immediate_run`).
    """
    return isinstance(tx, Trade) and tx.taker.order.kind.immediate and same_taker(previous, tx)


def request_applies(account: Account, eth_addr: EthAddress) -> bool:
    """
    Whether a forced request sent by ``eth_addr`` may act on ``account``:
    the account exists and ``eth_addr`` is its L1 address.
    """
    return account.exists and account.eth_addr == eth_addr


def forced_withdrawal_amount(account: Account, token: TokenId) -> Amount:
    """What a forced withdrawal takes: the account's whole balance of ``token``."""
    return account.balance(token)


def raised_min_order_id(account: Account, requested: OrderId) -> OrderId:
    """The account's ``min_order_id`` after a cancel-all below ``requested``: it never falls."""
    return OrderId(max(account.min_order_id, requested))


def check_not_cancelled(account: Account, order: OrderTerms) -> None:
    """
    An order below its account's ``min_order_id`` was cancelled from L1.

    Raises
    ------
    OrderCancelled
        ``order_id < min_order_id``.
    """
    if order.order_id < account.min_order_id:
        raise OrderCancelled(order.order_id, account.min_order_id)


def check_nonce(account: Account, withdraw: Withdraw) -> None:
    """
    A withdrawal is signed for the account's current nonce, so it applies once.

    Raises
    ------
    InvalidNonce
        The withdrawal's nonce is not the account's.
    """
    if withdraw.nonce != account.nonce:
        raise InvalidNonce(account.nonce, withdraw.nonce)


def check_unexpired(order: OrderTerms, timestamp: Timestamp) -> None:
    """An order trades up to and including its expiry second (raises ``OrderExpired``)."""
    if timestamp > order.expiry:
        raise OrderExpired(order.order_id, order.expiry, timestamp)


def check_fee_limit(order: OrderTerms) -> None:
    """An order cannot sign a fee limit above 100 % (raises ``InvalidFeeLimit``)."""
    if order.max_fee_bps > MAX_FEE_BPS:
        raise InvalidFeeLimit(order.order_id, order.max_fee_bps)


def check_price_encodable(order: OrderTerms) -> None:
    """
    A trade publishes its maker's price as a decimal float, so every order's
    price must have one: any order that rests may become a maker (raises
    ``PriceNotEncodable``).
    """
    if not is_encodable(order.price):
        raise PriceNotEncodable(order.order_id, order.price)


def check_taker_limit(maker: OrderTerms, taker: OrderTerms) -> None:
    """
    The trade is at the maker's price, which must be within the taker's limit.

    Raises
    ------
    PriceLimitViolated
        A buying taker would pay more, or a selling taker receive less, than its limit.
    """
    if taker.side == Side.BUY:
        within_limit = maker.price <= taker.price
    else:
        within_limit = maker.price >= taker.price
    if not within_limit:
        raise PriceLimitViolated(taker.order_id, taker.price, maker.price)


def filled_after(account: Account, order: OrderTerms, fill_base: Amount) -> Amount:
    """
    The order's filled amount once this fill is added.

    An order continues the fill its slot records if the slot holds its id,
    and starts from zero if the slot holds an older id.

    Raises
    ------
    OrderIdStale
        The slot holds a newer order id: this order can no longer trade.
    OrderWasCancelled
        The slot holds the order as cancelled (``CANCELLED_FILL``): any fill
        would overfill it, which is how the circuit refuses it.
    OrderOverfilled
        The fill is more than the order's amount minus what is already filled.
    """
    check_not_stale(account, order.order_id)
    stored_id, filled = account.order_slot(order.order_id)
    if order.order_id == stored_id and filled == CANCELLED_FILL:
        raise OrderWasCancelled(order.order_id)
    previously_filled = filled if order.order_id == stored_id else 0
    if previously_filled + fill_base > order.amount:
        raise OrderOverfilled(
            order.order_id, Amount(order.amount - previously_filled), fill_base
        )
    return Amount(previously_filled + fill_base)


def fee_amount(received: Amount, fee_bps: int) -> Amount:
    """A fee of ``fee_bps`` basis points of ``received``, rounded down (in the payer's favour)."""
    return Amount(received * fee_bps // BPS)


def check_fee(order: OrderTerms, fee_bps: int) -> None:
    """
    A fee rate is at most the ``max_fee_bps`` its order signed.

    Raises
    ------
    FeeAboveLimit
        ``fee_bps > max_fee_bps``.
    """
    if fee_bps > order.max_fee_bps:
        raise FeeAboveLimit(order.order_id, fee_bps, order.max_fee_bps)


def balances_after_trade(
    state: State, trade: Settlement
) -> list[tuple[AccountIndex, TokenId, Amount]]:
    """
    The four balances a trade changes, as ``(account, token, new balance)``.

    The buyer pays ``fill_quote`` quote and the seller ``fill_base`` base;
    each receives what the other paid, minus its own fee.

    Raises
    ------
    InsufficientBalance
        The buyer holds less than ``fill_quote`` quote, or the seller less than
        ``fill_base`` base (the buyer is checked first).
    BalanceOverflow
        A balance received into would reach ``2**AMOUNT_BITS``.
    """
    base, quote = trade.base, trade.quote
    if trade.maker_side == Side.BUY:
        buyer, buyer_fee, seller, seller_fee = trade.maker, trade.maker_fee, trade.taker, trade.taker_fee
    else:
        buyer, buyer_fee, seller, seller_fee = trade.taker, trade.taker_fee, trade.maker, trade.maker_fee
    buyer_pays = balance_after_debit(state, buyer, quote, trade.fill_quote)
    seller_pays = balance_after_debit(state, seller, base, trade.fill_base)
    buyer_gets = balance_after_credit(state, buyer, base, Amount(trade.fill_base - buyer_fee))
    seller_gets = balance_after_credit(state, seller, quote, Amount(trade.fill_quote - seller_fee))
    return [
        (buyer, quote, buyer_pays),
        (seller, base, seller_pays),
        (buyer, base, buyer_gets),
        (seller, quote, seller_gets),
    ]


def balance_after_debit(
    state: State, index: AccountIndex, token: TokenId, amount: Amount
) -> Amount:
    """
    The account's balance of ``token`` after paying ``amount``.

    Raises
    ------
    InsufficientBalance
        The balance is less than ``amount``.
    """
    balance = state.get_account(index).balance(token)
    if balance < amount:
        raise InsufficientBalance(index, token, balance, amount)
    return Amount(balance - amount)


def balance_after_credit(
    state: State, index: AccountIndex, token: TokenId, amount: Amount
) -> Amount:
    """
    The account's balance of ``token`` after receiving ``amount``.

    Raises
    ------
    BalanceOverflow
        The new balance would not fit in ``AMOUNT_BITS``.
    """
    balance = state.get_account(index).balance(token)
    if balance + amount >= 2**AMOUNT_BITS:
        raise BalanceOverflow(index, token, balance, amount)
    return Amount(balance + amount)
