"""
Replaying proven batches from what L1 holds: the state without the sequencer.

A batch's public data says what each L2 slot did (who traded which orders,
how much, for what fees; who withdrew what; who cancelled which order, or
every order below which id), and its L1 slots consume the
queued requests, whose every field the contract logged. That is enough to
apply each slot's effect: signatures, limits and expiries are what the proof
checked, so a replay does not need them (and could not check them: orders
are not published).

Each effect is applied with the same state functions the transition uses, and
whatever a proven batch cannot have published (a request of another type than
its slot, an account without the address a withdrawal paid, an overdraft)
raises, so a replay from wrong data fails instead of building a wrong state.
The caller compares the root after each batch with the root the contract
verified.
"""

from collections.abc import Iterator, Sequence
from typing import TypeVar, assert_never

from .constants import CANCELLED_FILL
from .errors import ReplayMismatch
from .public_data import (
    CancelAllData,
    CancelData,
    DepositData,
    ForcedCancelAllData,
    ForcedWithdrawData,
    NoopData,
    SlotData,
    TradeData,
    WithdrawData,
)
from .perpetual.errors import PerpetualsNotConfigured
from .perpetual.ledger import PerpLedger
from .perpetual.public_data import PerpSlotData
from .perpetual.replay import replay_perp_slot
from .perpetual.state import PerpConfig
from .state import State
from .transactions import Deposit, ForcedCancelAll, ForcedWithdraw, L1Transaction
from .transition import (
    Fee,
    Settlement,
    SlotOutcome,
    balance_after_debit,
    balances_after_trade,
    credit_fees,
    process_deposit,
    process_forced_cancel_all,
    process_forced_withdraw,
    raised_min_order_id,
    replayed_fill,
    resolve_order_id,
    total_fees,
)
from .types import AccountIndex, Amount, FieldElement, Timestamp


def replay_batch(
    state: State,
    slots: Sequence[SlotData],
    requests: Sequence[L1Transaction],
    timestamp: Timestamp,
    perp_slots: Sequence[PerpSlotData] = (),
    perp_config: PerpConfig | None = None,
) -> FieldElement:
    """
    Apply a proven batch's published slots to ``state``, the state the batch
    started from, and return the new root: its spot ``slots``, then its
    ``perp_slots`` on the markets of ``perp_config`` at the batch's
    ``timestamp``, as ``batch.apply_batch`` applies them.

    ``requests`` are the L1 requests the batch consumed, in queue order: each
    L1 slot takes the next one and must match it. The batch's fees are
    credited to the fee account after the last slot, as in ``apply_batch``.
    Whole or nothing: on an error ``state`` is left as it was.

    Raises
    ------
    ReplayMismatch
        A slot does not fit its request or the state, or the batch does not
        consume exactly ``requests``.
    PerpetualsNotConfigured
        The batch has perpetual slots other than noops, and there is no ``perp_config``.
    RollupError
        A state function refused an effect (an overdraft or an overflow):
        the data cannot be what a proven batch published on this state.
    """
    active = [data for data in perp_slots if not isinstance(data, NoopData)]
    if active and perp_config is None:
        raise PerpetualsNotConfigured(len(active))
    state.begin()
    pending = iter(requests)
    try:
        outcomes = [replay_slot(state, data, pending) for data in slots]
        leftover = next(pending, None)
        if leftover is not None:
            raise ReplayMismatch(f"the batch leaves L1 request {leftover} unconsumed")
        if perp_config is not None:
            ledger = PerpLedger(perp_config, state)
            for perp_data in perp_slots:
                replay_perp_slot(state, ledger, perp_data, timestamp)
        credit_fees(state, total_fees(outcomes))
    except Exception:
        state.rollback()
        raise
    state.commit()
    return state.root


def replay_slot(state: State, data: SlotData, requests: Iterator[L1Transaction]) -> SlotOutcome:
    """Apply one published slot; an L1 slot takes the next request from ``requests``."""
    match data:
        case NoopData():
            return SlotOutcome()
        case DepositData():
            process_deposit(state, next_request(requests, Deposit, data.account_index))
            return SlotOutcome()
        case ForcedWithdrawData():
            replay_forced_withdraw(state, data, next_request(requests, ForcedWithdraw, data.account_index))
            return SlotOutcome()
        case ForcedCancelAllData():
            process_forced_cancel_all(state, next_request(requests, ForcedCancelAll, data.account_index))
            return SlotOutcome()
        case TradeData():
            return SlotOutcome(fees=replay_trade(state, data))
        case WithdrawData():
            replay_withdraw(state, data)
            return SlotOutcome()
        case CancelData():
            replay_cancel(state, data)
            return SlotOutcome()
        case CancelAllData():
            replay_cancel_all(state, data)
            return SlotOutcome()
        case _:
            assert_never(data)


R = TypeVar("R", Deposit, ForcedWithdraw, ForcedCancelAll)
"""One kind of L1 request."""


def next_request(
    requests: Iterator[L1Transaction], kind: type[R], account: AccountIndex
) -> R:
    """
    The next L1 request, which must be of ``kind`` and for ``account``.

    Raises
    ------
    ReplayMismatch
        No request is left, or the next one is of another kind or account.
    """
    request = next(requests, None)
    if request is None:
        raise ReplayMismatch(f"a {kind.__name__} slot of account {account} has no L1 request left")
    if not isinstance(request, kind) or request.account_index != account:
        raise ReplayMismatch(f"a {kind.__name__} slot of account {account} meets request {request}")
    return request


def replay_forced_withdraw(state: State, data: ForcedWithdrawData, request: ForcedWithdraw) -> None:
    """
    Process the request, which must take exactly the published amount of
    the published token.

    Raises
    ------
    ReplayMismatch
        The published token or amount is not the request's outcome.
    """
    if data.token != request.token:
        raise ReplayMismatch(f"forced withdrawal {data} does not match its request {request}")
    claim = process_forced_withdraw(state, request)
    taken = claim.amount if claim is not None else 0
    if taken != data.amount:
        raise ReplayMismatch(f"forced withdrawal {data} takes {taken} on this state")


def replay_trade(state: State, data: TradeData) -> tuple[Fee, Fee]:
    """
    Move the published trade's balances and record its fill in both orders'
    slots; returns the two fees, for the fee account.

    Raises
    ------
    ReplayMismatch
        An order's slot already holds a newer order.
    InsufficientBalance, BalanceOverflow
        The state cannot pay or receive what the trade moves.
    """
    settlement = Settlement.at_rates(
        data.maker_account,
        data.taker_account,
        data.maker_side,
        data.base_token,
        data.quote_token,
        data.fill_base,
        data.fill_quote,
        data.maker_fee_bps,
        data.taker_fee_bps,
    )
    balances = balances_after_trade(state, settlement)
    maker_id = resolve_order_id(state.get_account(data.maker_account), data.maker_order_ref)
    taker_id = resolve_order_id(state.get_account(data.taker_account), data.taker_order_ref)
    maker_filled = replayed_fill(state, data.maker_account, maker_id, data.fill_base)
    taker_filled = replayed_fill(state, data.taker_account, taker_id, data.fill_base)

    for index, token, balance in balances:
        state.set_balance(index, token, balance)
    state.set_order_slot(data.maker_account, maker_id, maker_filled)
    state.set_order_slot(data.taker_account, taker_id, taker_filled)
    return settlement.fees()


def replay_withdraw(state: State, data: WithdrawData) -> None:
    """
    Debit the published withdrawal and count it in the account's nonce.

    Raises
    ------
    ReplayMismatch
        The account does not exist, which a proven withdrawal cannot follow.
    InsufficientBalance
        The account holds less than the amount.
    """
    if not state.get_account(data.account_index).exists:
        raise ReplayMismatch(f"withdrawal {data} from account {data.account_index}, which does not exist")
    balance = balance_after_debit(state, data.account_index, data.token, data.amount)

    state.set_balance(data.account_index, data.token, balance)
    state.increment_nonce(data.account_index)


def replay_cancel(state: State, data: CancelData) -> None:
    """
    Record the published cancel in its order's slot.

    Raises
    ------
    ReplayMismatch
        The slot holds a newer order, which a proven cancel cannot follow.
    """
    stored_id, _ = state.get_account(data.account_index).order_slot(data.order_id)
    if data.order_id < stored_id:
        raise ReplayMismatch(f"order {data.order_id} of account {data.account_index} cancelled after order {stored_id}")
    state.set_order_slot(data.account_index, data.order_id, Amount(CANCELLED_FILL))


def replay_cancel_all(state: State, data: CancelAllData) -> None:
    """
    Raise the account's ``min_order_id`` to the published one (it never falls).

    Raises
    ------
    ReplayMismatch
        The account does not exist, which a proven cancel-all cannot follow.
    """
    account = state.get_account(data.account_index)
    if not account.exists:
        raise ReplayMismatch(f"cancel-all of account {data.account_index}, which does not exist")
    state.set_min_order_id(data.account_index, raised_min_order_id(account, data.min_order_id))
