"""
Replaying a proven batch's perpetual slots from what L1 holds.

As for spot slots (:mod:`sequencer.spec.replay`), each published slot's
effect is applied with the functions the rules use (:mod:`.rules`): funding
settled into every account a slot touches, fills and closes moved by
``moved``, open interest, fees and penalties credited, order slots resolved
from their references. What the proof checked (signatures, limits, margin,
the oracles' quorum) is not checked again, and cannot be: it is not
published. Whatever a proven batch cannot have published (an unknown
market, a rate for an unconfigured one, a close that flips a position, a
collateral or a balance out of range) raises instead of building a wrong
state.
"""

from typing import assert_never

from sequencer.spec.constants import FEE_ACCOUNT, Side
from sequencer.spec.errors import ReplayMismatch
from sequencer.spec.public_data import NoopData
from sequencer.spec.state import Account, State
from sequencer.spec.transition import (
    balance_after_credit,
    balance_after_debit,
    replayed_fill,
    resolve_order_id,
)
from sequencer.spec.types import AccountIndex, OrderId, Timestamp

from .ledger import PerpLedger
from .public_data import (
    CollateralTransferData,
    DeleverageData,
    FundingTickData,
    LiquidationData,
    OracleUpdateData,
    PerpSlotData,
    PerpTradeData,
)
from .rules import (
    check_closes,
    closed_against,
    credit,
    filled,
    moved,
    opposite,
    priced,
    settled_account,
    ticked_markets,
    with_collateral,
    write,
)


def replay_perp_slot(state: State, ledger: PerpLedger, data: PerpSlotData, timestamp: Timestamp) -> None:
    """
    Apply one published perpetual slot to ``state`` at the batch's ``timestamp``.

    Raises
    ------
    ReplayMismatch
        The slot names what the state cannot hold (an account that does
        not exist, a rate for a market that is not configured).
    RollupError
        An effect does not fit (a collateral, a position, a balance).
    """
    match data:
        case NoopData():
            return
        case OracleUpdateData():
            market = ledger.market(data.market)
            ledger.set_market(data.market, priced(market, data.price, data.oracle_time, timestamp))
        case FundingTickData():
            replay_funding_tick(ledger, data, timestamp)
        case PerpTradeData():
            replay_perp_trade(state, ledger, data)
        case LiquidationData():
            replay_liquidation(state, ledger, data)
        case DeleverageData():
            replay_close(ledger, data.account_index, data.counterparty, data.market, data.size, data.quote, 0)
        case CollateralTransferData():
            replay_collateral_transfer(state, ledger, data)
        case _:
            assert_never(data)


def replay_funding_tick(ledger: PerpLedger, data: FundingTickData, timestamp: Timestamp) -> None:
    """Move each configured market's funding index by its published rate (the others' rates must be zero)."""
    configured = len(ledger.config.markets)
    if any(data.rates[configured:]):
        raise ReplayMismatch(f"funding tick {data} has a rate for a market that is not configured")
    for market_id, market in enumerate(ticked_markets(ledger.markets(), data.rates[:configured], timestamp)):
        ledger.set_market(market_id, market)


def replay_perp_trade(state: State, ledger: PerpLedger, data: PerpTradeData) -> None:
    """
    Fill both orders' slots, move both accounts (funding settled) and the market, and credit the fees.

    Raises
    ------
    ReplayMismatch
        The maker is the taker, or either does not exist.
    """
    if data.maker_account == data.taker_account:
        raise ReplayMismatch(f"account {data.maker_account} trades with itself")
    maker_id = existing_order(state, data.maker_account, data.maker_order_ref)
    taker_id = existing_order(state, data.taker_account, data.taker_order_ref)
    fill = filled(
        ledger,
        data.market,
        data.price,
        data.size,
        (data.maker_account, data.maker_side, settled_account(ledger, data.maker_account), data.maker_fee_bps),
        (data.taker_account, opposite(data.maker_side), settled_account(ledger, data.taker_account), data.taker_fee_bps),
    )
    credit(ledger, fill.accounts, AccountIndex(FEE_ACCOUNT), fill.fees)

    state.set_order_slot(data.maker_account, maker_id, replayed_fill(state, data.maker_account, maker_id, data.size))
    state.set_order_slot(data.taker_account, taker_id, replayed_fill(state, data.taker_account, taker_id, data.size))
    write(ledger, fill.accounts, data.market, fill.market)


def replay_liquidation(state: State, ledger: PerpLedger, data: LiquidationData) -> None:
    """
    Close the published size against the counterparty, pay the penalty to
    the insurance fund and, against a liquidator's order, fill its slot.

    Raises
    ------
    ReplayMismatch
        A liquidation against no order names another counterparty than the fund.
    """
    if not data.by_order and data.counterparty != ledger.config.insurance_fund:
        raise ReplayMismatch(f"liquidation {data} against no order names another account than the insurance fund")
    order_id = existing_order(state, data.counterparty, data.counterparty_order_ref) if data.by_order else None
    replay_close(ledger, data.account_index, data.counterparty, data.market, data.size, data.quote, data.penalty)
    if order_id is not None:
        state.set_order_slot(data.counterparty, order_id, replayed_fill(state, data.counterparty, order_id, data.size))


def replay_close(
    ledger: PerpLedger,
    index: AccountIndex,
    counterparty: AccountIndex,
    market_id: int,
    size: int,
    quote: int,
    penalty: int,
) -> None:
    """
    Close ``size`` of the account's position in ``market_id`` for ``quote``
    against ``counterparty``, the account paying ``penalty`` to the
    insurance fund (a liquidation's; a deleveraging's is zero).

    Raises
    ------
    ReplayMismatch
        The account is the counterparty, or either does not exist.
    ZeroFill, LiquidationOversized
        The close is empty or would flip the position.
    """
    if index == counterparty:
        raise ReplayMismatch(f"account {index} closes against itself")
    ledger.market(market_id)
    existing(ledger.state, index)
    existing(ledger.state, counterparty)
    before = settled_account(ledger, index)
    position = before.position(market_id).size
    check_closes(index, position, size)
    closing_side = Side.SELL if position > 0 else Side.BUY
    after = moved(index, before, market_id, closing_side, size, quote, penalty)
    counter_before = settled_account(ledger, counterparty)
    counter_after, market = closed_against(
        ledger, market_id, (before, after), closing_side, counterparty, counter_before, size, quote
    )
    accounts = {index: after, counterparty: counter_after}
    if penalty:
        credit(ledger, accounts, ledger.config.insurance_fund, penalty)
    write(ledger, accounts, market_id, market)


def replay_collateral_transfer(state: State, ledger: PerpLedger, data: CollateralTransferData) -> None:
    """Move the amount between the spot balance and the collateral (funding settled), the pool and the nonce following."""
    index, amount, token = data.account_index, data.amount, ledger.config.collateral_token
    existing(state, index)
    perp = settled_account(ledger, index)
    if data.to_collateral:
        balance = balance_after_debit(state, index, token, amount)
        collateral = perp.collateral + amount
    else:
        balance = balance_after_credit(state, index, token, amount)
        collateral = perp.collateral - amount
    perp_after = with_collateral(index, perp, collateral)

    state.set_balance(index, token, balance)
    state.increment_nonce(index)
    ledger.set_account(index, perp_after)
    ledger.collateral_pool += amount if data.to_collateral else -amount


def existing_order(state: State, index: AccountIndex, ref: int) -> OrderId:
    """The id a published order reference of an existing account resolves to (``ReplayMismatch`` if it does not exist)."""
    return resolve_order_id(existing(state, index), ref)


def existing(state: State, index: AccountIndex) -> Account:
    """The account at ``index``, which must exist (``ReplayMismatch`` otherwise)."""
    account = state.get_account(index)
    if not account.exists:
        raise ReplayMismatch(f"a perpetual slot names account {index}, which does not exist")
    return account
