"""
The state transition of perpetual futures: one function per transaction.

As the spot transition (:mod:`sequencer.spec.transition`), each
``process_*`` function makes its checks in the order ``docs/DESIGN.md``
lists them, raises at the first that fails, and writes only once all have
passed, so a refused transaction changes nothing. The rules on one signed
order (expiry, fee limit, price limit, kinds, its slot's fill) are spot's
own functions: a perpetual order takes an order slot of its account as a
spot order does.
"""

from dataclasses import dataclass, replace
from typing import assert_never

from sequencer.crypto.signatures import verify
from sequencer.spec.constants import (
    AMOUNT_BITS,
    FEE_BPS_BITS,
    FEE_ACCOUNT,
    ORDER_ID_BITS,
    TIMESTAMP_BITS,
    TRADE_FEE_BPS_BITS,
    Side,
)
from sequencer.spec.errors import (
    BalanceOverflow,
    ImmediateOrderResumed,
    InsufficientBalance,
    InvalidNonce,
    PriceLimitViolated,
    SelfTrade,
    SidesNotOpposite,
    ZeroFill,
)
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop
from sequencer.spec.transition import (
    check_account_index,
    check_distinct_accounts,
    check_fee,
    check_fee_limit,
    check_in_window,
    check_kinds,
    check_taker_kind,
    check_not_cancelled,
    check_opposite_sides,
    check_range,
    check_signature,
    check_taker_limit,
    check_unexpired,
    existing_account,
    fee_amount,
    filled_after,
)
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId

from .constants import COLLATERAL_BITS, FUNDING_INDEX_BITS, MARGIN_SCALE, PERP_PRICE_BITS, SIZE_BITS
from .errors import (
    CollateralOutOfRange,
    CollateralPoolShort,
    CounterpartyWouldBeBankrupt,
    EquityNotNegative,
    FundingRateAboveCap,
    FundingRatesMismatch,
    FundingTimeReversed,
    InsuranceFundExhausted,
    InsuranceFundOverpays,
    InsuranceFundSufficient,
    InvalidOracleSignature,
    LiquidationOversized,
    LiquidationTooCostly,
    MarginInsufficient,
    NoOraclePrice,
    NotBankruptcyPrice,
    NotLiquidatable,
    OpenInterestCapExceeded,
    OracleSignatureCount,
    OracleSignersNotAscending,
    OraclePriceStale,
    OraclePriceTooOld,
    PerpMarketMismatch,
    PositionOutOfRange,
    PositionsNotOpposite,
    ReduceOnlyIncrease,
    UnknownOracleSigner,
    WorseThanBankruptcy,
    ZeroOraclePrice,
)
from .margin import Health, exposure_reduced, health, ratio_not_lowered, settled, withdrawable
from .state import PerpAccount, PerpConfig, PerpMarket, Position, check_market
from .ledger import PerpLedger
from .transactions import (
    CollateralTransfer,
    Deleverage,
    FundingTick,
    Liquidation,
    OracleUpdate,
    PerpOrder,
    PerpTrade,
    PerpTransaction,
    SignedPerpOrder,
    oracle_price_message,
)


def apply_perp_transaction(
    state: State, ledger: PerpLedger, tx: PerpTransaction, timestamp: Timestamp, previous: PerpTransaction | None
) -> None:
    """
    Apply one perpetual slot's transaction at the batch's ``timestamp``;
    ``previous`` is the batch's perpetual slot before it (None for the
    first), which a fill of an immediate order needs (:func:`check_immediate_run`).

    Raises
    ------
    InvalidTransaction
        The errors of the ``process_*`` function for the transaction's type.
    """
    match tx:
        case Noop():
            return
        case OracleUpdate():
            process_oracle_update(ledger, tx, timestamp)
        case FundingTick():
            process_funding_tick(ledger, tx, timestamp)
        case PerpTrade():
            process_perp_trade(state, ledger, tx, timestamp, previous)
        case Liquidation():
            process_liquidation(state, ledger, tx, timestamp, previous)
        case Deleverage():
            process_deleverage(state, ledger, tx, timestamp)
        case CollateralTransfer():
            process_collateral_transfer(state, ledger, tx, timestamp)
        case _:
            assert_never(tx)


def process_oracle_update(ledger: PerpLedger, update: OracleUpdate, timestamp: Timestamp) -> None:
    """
    Set a market's oracle price to the median of a quorum of signed prices,
    listed in ascending order of signer (so no signer counts twice).

    The quorum is odd (``PerpConfig``) and the median of its prices is the
    middle one: however the operator picks the signers, with at most
    ``(quorum - 1) // 2`` of them lying the median lies between two honest
    prices. The market's ``oracle_time`` becomes the latest signed time, and
    every price of a later update must be signed after it, so no signed
    price counts twice and no older price comes back. A market's first
    price starts its funding clock (``funding_time``): no funding accrues
    before it.

    Raises, checked in this order
    -----------------------------
    UnknownPerpMarket
        The market is not configured.
    ValueOutOfRange
        A signed price or time, or ``timestamp``, does not fit.
    OracleSignatureCount
        Not exactly ``oracle_quorum`` signed prices.
    UnknownOracleSigner
        A signer index outside the key set.
    OracleSignersNotAscending
        A signer index not above the one before it.
    ZeroOraclePrice
        A signed price of zero.
    OraclePriceStale
        A signed time after ``timestamp``, more than ``oracle_window`` before
        it, or not after the market's ``oracle_time``.
    InvalidOracleSignature
        A signature is not valid for its signer's key.
    """
    config = ledger.config
    market = ledger.market(update.market)
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    for signed in update.prices:
        check_range("price", signed.price, PERP_PRICE_BITS)
        check_range("price_timestamp", signed.timestamp, TIMESTAMP_BITS)
    check_oracle_quorum(config, update)
    earliest = Timestamp(max(market.oracle_time + 1, timestamp - config.oracle_window))
    for signed in update.prices:
        if signed.price == 0:
            raise ZeroOraclePrice(signed.signer)
        if not earliest <= signed.timestamp <= timestamp:
            raise OraclePriceStale(signed.signer, signed.timestamp, earliest, timestamp)
    check_oracle_signatures(config, update)

    ledger.set_market(update.market, priced(market, median_price(update), latest_time(update), timestamp))


def check_oracle_quorum(config: PerpConfig, update: OracleUpdate) -> None:
    """
    The update's signers: exactly ``oracle_quorum`` of them, each a known
    oracle, in ascending order (``process_oracle_update``'s second checks).

    Raises
    ------
    OracleSignatureCount, UnknownOracleSigner, OracleSignersNotAscending
    """
    if len(update.prices) != config.oracle_quorum:
        raise OracleSignatureCount(len(update.prices), config.oracle_quorum)
    previous = -1
    for signed in update.prices:
        if not 0 <= signed.signer < len(config.oracle_keys):
            raise UnknownOracleSigner(signed.signer)
        if signed.signer <= previous:
            raise OracleSignersNotAscending(signed.signer, previous)
        previous = signed.signer


def check_oracle_signatures(config: PerpConfig, update: OracleUpdate) -> None:
    """
    Every signed price's signature, under its signer's key, known
    (``check_oracle_quorum``): ``process_oracle_update``'s last check.

    Raises
    ------
    InvalidOracleSignature
    """
    for signed in update.prices:
        message = oracle_price_message(update.market, signed.price, signed.timestamp)
        if not verify(config.oracle_keys[signed.signer], message, signed.signature):
            raise InvalidOracleSignature(signed.signer)


def median_price(update: OracleUpdate) -> Price:
    """The middle one of an update's signed prices (its quorum is odd): the market's new price."""
    prices = sorted(signed.price for signed in update.prices)
    return Price(prices[len(prices) // 2])


def latest_time(update: OracleUpdate) -> Timestamp:
    """The latest time an update's prices were signed at: the market's new ``oracle_time``."""
    return Timestamp(max(signed.timestamp for signed in update.prices))


def priced(market: PerpMarket, price: Price, oracle_time: Timestamp, timestamp: Timestamp) -> PerpMarket:
    """The market at ``price``, signed up to ``oracle_time``; its first price starts its funding clock at ``timestamp``."""
    funding_time = market.funding_time if market.oracle_price else timestamp
    return replace(market, oracle_price=price, oracle_time=oracle_time, funding_time=funding_time)


def process_funding_tick(ledger: PerpLedger, tick: FundingTick, timestamp: Timestamp) -> None:
    """
    Move each market's funding index by its rate for the time since its last tick.

    The index grows by exactly ``rate * oracle_price * (timestamp -
    funding_time)``: positive rates make longs pay shorts. Accounts settle
    the change when a transaction next touches them (:func:`.margin.settled`).

    Raises, checked in this order
    -----------------------------
    FundingRatesMismatch
        Not one rate per market.
    ValueOutOfRange
        ``timestamp`` does not fit.
    FundingRateAboveCap
        A rate is above its market's ``max_funding_rate`` in magnitude.
    FundingTimeReversed
        ``timestamp`` is before a market's last tick.
    ValueOutOfRange
        An index would reach ``2**FUNDING_INDEX_BITS`` in magnitude.
    """
    markets = ledger.markets()
    if len(tick.rates) != len(markets):
        raise FundingRatesMismatch(len(tick.rates), len(markets))
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    for market_id, (params, rate) in enumerate(zip(ledger.config.markets, tick.rates, strict=True)):
        if abs(rate) > params.max_funding_rate:
            raise FundingRateAboveCap(market_id, rate, params.max_funding_rate)
    for market_id, market in enumerate(markets):
        if timestamp < market.funding_time:
            raise FundingTimeReversed(market_id, timestamp, market.funding_time)
    ticked = ticked_markets(markets, tick.rates, timestamp)

    for market_id, market in enumerate(ticked):
        ledger.set_market(market_id, market)


def ticked_markets(markets: list[PerpMarket], rates: tuple[int, ...], timestamp: Timestamp) -> list[PerpMarket]:
    """
    The markets after a funding tick of ``rates`` at ``timestamp``: each
    index grows by ``rate * oracle_price * (timestamp - funding_time)``.

    Raises
    ------
    ValueOutOfRange
        An index would reach ``2**FUNDING_INDEX_BITS`` in magnitude.
    """
    ticked = []
    for market_id, (market, rate) in enumerate(zip(markets, rates, strict=True)):
        index = market.funding_index + rate * market.oracle_price * (timestamp - market.funding_time)
        check_signed_range(f"funding_index[{market_id}]", index, FUNDING_INDEX_BITS)
        ticked.append(replace(market, funding_index=index, funding_time=timestamp))
    return ticked


def process_perp_trade(
    state: State, ledger: PerpLedger, trade: PerpTrade, timestamp: Timestamp, previous: object | None = None
) -> None:
    """
    Settle a fill of two perpetual orders at the maker's price.

    The buyer's position grows by ``fill`` and it pays the notional, ``fill
    * price * quantum`` collateral, to the seller, whose position shrinks by
    ``fill``; each pays its fee (its rate of the notional, rounded down) to
    the fee account's collateral. Both accounts' funding is settled first.
    Both order slots record the fill, as for spot. ``previous`` is the
    batch's transaction before this one (None for the first), for the run
    of an immediate taker's fills.

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange, UnknownPerpMarket
        A field or ``timestamp`` does not fit; a market is not configured.
    SelfTrade, PerpMarketMismatch, SidesNotOpposite
        As spot's rules 2 and 3, for one perpetual market.
    NoOraclePrice, OraclePriceTooOld
        The market has no price, or a market's price is too old to value positions at.
    AccountNotFound, InvalidSignature, OrderExpired, InvalidFeeLimit
        As spot's rules 4 to 7, the maker's order then the taker's (a price
        in ticks needs no decimal form).
    PriceLimitViolated
        As spot's rule 8.
    ZeroFill
        ``fill`` is zero (it is exact at any price: it counts lots and ticks).
    MakerDoesNotRest, PostOnlyTaker, FillOrKillPartial, ImmediateOrderResumed
        As spot's rule 10 (kinds, and an immediate taker's one run of fills).
    OrderCancelled, OrderIdOutOfWindow, OrderIdStale, OrderWasCancelled, OrderOverfilled
        As spot's rule 11 (order slots), the maker's then the taker's.
    FeeAboveLimit
        As spot's rule 12.
    ReduceOnlyIncrease
        A reduce-only order would open, grow or flip its position.
    CollateralOutOfRange, PositionOutOfRange
        A collateral (funding settled, or after the fill) or a position would not fit.
    OpenInterestCapExceeded
        The market's open interest would rise above its cap.
    MarginInsufficient
        An account would neither meet initial margin nor only have reduced
        its exposure without lowering its margin ratio (maker first).
    """
    maker, taker = trade.maker.order, trade.taker.order
    check_perp_order_ranges(state, ledger, "maker", maker)
    check_perp_order_ranges(state, ledger, "taker", taker)
    check_range("fill", trade.fill, SIZE_BITS)
    check_range("maker_fee_bps", trade.maker_fee_bps, TRADE_FEE_BPS_BITS)
    check_range("taker_fee_bps", trade.taker_fee_bps, TRADE_FEE_BPS_BITS)
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    check_distinct_accounts(maker, taker)
    check_same_perp_market(maker, taker.market)
    check_opposite_sides(maker, taker)
    check_priced(ledger, maker.market, timestamp)
    check_signed_order(state, trade.maker, timestamp)
    check_signed_order(state, trade.taker, timestamp)
    check_taker_limit(maker, taker)
    if trade.fill == 0:
        raise ZeroFill()
    check_kinds(maker, taker, trade.fill)
    check_immediate_run(state, taker, previous)
    maker_filled = check_order_slot(state, maker, trade.fill)
    taker_filled = check_order_slot(state, taker, trade.fill)
    check_fee(maker, trade.maker_fee_bps)
    check_fee(taker, trade.taker_fee_bps)
    market_id = maker.market
    maker_before = settled_account(ledger, maker.account_index)
    taker_before = settled_account(ledger, taker.account_index)
    check_reduce_only(maker, maker_before, trade.fill)
    check_reduce_only(taker, taker_before, trade.fill)
    fill = filled(
        ledger,
        market_id,
        maker.price,
        trade.fill,
        (maker.account_index, maker.side, maker_before, trade.maker_fee_bps),
        (taker.account_index, taker.side, taker_before, trade.taker_fee_bps),
    )
    check_margin(ledger, maker.account_index, maker_before, fill.accounts[maker.account_index], market_id)
    check_margin(ledger, taker.account_index, taker_before, fill.accounts[taker.account_index], market_id)
    credit(ledger, fill.accounts, AccountIndex(FEE_ACCOUNT), fill.fees)

    state.set_order_slot(maker.account_index, maker.order_id, maker_filled)
    state.set_order_slot(taker.account_index, taker.order_id, taker_filled)
    write(ledger, fill.accounts, market_id, fill.market)


@dataclass(frozen=True)
class Filled:
    """A perpetual fill's outcome before the fee account's credit: both accounts after it, the market, the fees."""

    accounts: dict[AccountIndex, PerpAccount]
    market: PerpMarket
    fees: int


Party = tuple[AccountIndex, Side, PerpAccount, int]
"""One side of a fill: the account, its side, its perpetual side with funding settled, and its fee rate."""


def filled(ledger: PerpLedger, market_id: int, price: Price, size: int, maker: Party, taker: Party) -> Filled:
    """
    The two accounts after a fill of ``size`` lots at ``price``: the buyer
    pays the seller ``size * price * quantum``, each pays its fee rate of
    that notional (rounded down), and the market's open interest follows.

    Raises
    ------
    PositionOutOfRange, CollateralOutOfRange
        A position or a collateral would not fit.
    OpenInterestCapExceeded
        The open interest would rise above the market's cap.
    """
    notional = size * price * ledger.config.markets[market_id].quantum
    changes = []
    fees = 0
    accounts = {}
    for index, side, before, fee_bps in (maker, taker):
        fee = fee_amount(Amount(notional), fee_bps)
        after = moved(index, before, market_id, side, size, notional, fee)
        changes.append((before, after))
        accounts[index] = after
        fees += fee
    return Filled(accounts, with_open_interest(ledger, market_id, changes), fees)


def write(ledger: PerpLedger, accounts: dict[AccountIndex, PerpAccount], market_id: int, market: PerpMarket) -> None:
    """Write a transaction's accounts and its market."""
    for index, account in accounts.items():
        ledger.set_account(index, account)
    ledger.set_market(market_id, market)


def process_liquidation(
    state: State, ledger: PerpLedger, liquidation: Liquidation, timestamp: Timestamp, previous: object | None = None
) -> None:
    """
    Close part or all of a position of an account below maintenance margin.

    The liquidated account sells (a long) or buys back (a short) ``size``
    for ``quote`` collateral, and pays ``penalty`` collateral to the
    insurance fund. The counterparty is the liquidator's signed order, whose
    rules are a taker's (it trades at ``quote / size``, within its limit),
    or the insurance fund itself. Two bounds on the quote protect
    everyone else and the account:

    - the close, penalty included, may not lower the account's margin
      ratio: it is at the account's bankruptcy price or better for it
      (:func:`bankruptcy_quote`), so what the account cannot pay never
      falls on another account;
    - the account loses at most ``max_liquidation_penalty`` of the oracle
      notional closed, the quote's discount from that notional and the
      penalty together, so a liquidator takes no more than that cap.

    When the account's value is below zero the first bound needs a quote
    better than the oracle's: only the insurance fund takes it, and then it
    pays no more than it must (the larger of the oracle notional and the
    bankruptcy quote, for a long) and must stay worth zero or more.
    Funding of every account touched is settled first; no trading fee is
    charged. ``previous`` is as for a trade (a liquidator's immediate order
    fills in one run).

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange, UnknownPerpMarket
        A field, ``timestamp`` or the liquidator's order does not fit; a market is not configured.
    NoOraclePrice, OraclePriceTooOld
        The market has no price, or a market's price is too old.
    AccountNotFound
        The liquidated account, or the liquidator's or the fund's, does not exist.
    SelfTrade
        The liquidated account is the counterparty.
    NotLiquidatable
        The account meets its maintenance margin.
    ZeroFill, LiquidationOversized
        ``size`` is zero, or more than the position (the close would flip it).
    PerpMarketMismatch, SidesNotOpposite, InvalidSignature, OrderExpired, InvalidFeeLimit, PriceLimitViolated, PostOnlyTaker, FillOrKillPartial, ImmediateOrderResumed, OrderCancelled, OrderIdOutOfWindow, OrderIdStale, OrderWasCancelled, OrderOverfilled, ReduceOnlyIncrease
        The liquidator's order does not allow this fill.
    CollateralOutOfRange, PositionOutOfRange
        A collateral (funding settled, or after the close) or a position would not fit.
    WorseThanBankruptcy
        The close lowers the account's margin ratio.
    LiquidationTooCostly
        The quote's discount and the penalty are above the cap.
    InsuranceFundOverpays
        The fund, with no order, pays more than it must.
    OpenInterestCapExceeded
        As for a trade.
    MarginInsufficient, InsuranceFundExhausted
        A liquidator would break its margin, as for a trade; the fund would be worth less than zero.
    """
    config = ledger.config
    index, market_id = liquidation.account_index, liquidation.market
    check_account_index(state.config, "account_index", index)
    check_market(config, market_id)
    check_range("size", liquidation.size, SIZE_BITS)
    check_range("quote", liquidation.quote, AMOUNT_BITS)
    check_range("penalty", liquidation.penalty, AMOUNT_BITS)
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    if liquidation.liquidator is not None:
        check_perp_order_ranges(state, ledger, "liquidator", liquidation.liquidator.order)
    check_priced(ledger, market_id, timestamp)
    existing_account(state, index)
    counterparty = config.insurance_fund if liquidation.liquidator is None else liquidation.liquidator.order.account_index
    existing_account(state, counterparty)
    existing_account(state, config.insurance_fund)
    if counterparty == index:
        raise SelfTrade(index)
    before = settled_account(ledger, index)
    health_before = health(ledger, before)
    check_liquidatable(index, health_before)
    position = before.position(market_id).size
    check_closes(index, position, liquidation.size)
    closing_side = Side.SELL if position > 0 else Side.BUY
    counter_before = settled_account(ledger, counterparty)
    counter_filled = None
    if liquidation.liquidator is not None:
        order = liquidation.liquidator.order
        check_same_perp_market(order, market_id)
        if order.side == closing_side:
            raise SidesNotOpposite(order.side)
        check_signed_order(state, liquidation.liquidator, timestamp)
        check_quote_within_limit(order, liquidation.size, liquidation.quote, config.markets[market_id].quantum)
        check_taker_kind(order, Amount(liquidation.size))
        check_immediate_run(state, order, previous)
        counter_filled = check_order_slot(state, order, liquidation.size)
        check_reduce_only(order, counter_before, liquidation.size)

    after = moved(index, before, market_id, closing_side, liquidation.size, liquidation.quote, liquidation.penalty)
    health_after = health(ledger, after)
    check_not_worse_than_bankruptcy(index, health_before, health_after)
    oracle_notional = liquidation.size * ledger.market(market_id).oracle_price * config.markets[market_id].quantum
    discount = oracle_notional - liquidation.quote if closing_side == Side.SELL else liquidation.quote - oracle_notional
    check_liquidation_cost(discount, liquidation.penalty, oracle_notional * config.max_liquidation_penalty // MARGIN_SCALE)
    if liquidation.liquidator is None:
        check_fund_pays_no_more(liquidation.quote, discount, health_before, health_after)
    counter_after, market = closed_against(
        ledger, market_id, (before, after), closing_side,
        counterparty, counter_before, liquidation.size, liquidation.quote
    )
    if liquidation.liquidator is None:
        check_fund_solvent(health(ledger, counter_after).value)
    else:
        check_margin(ledger, counterparty, counter_before, counter_after, market_id)
    accounts = {index: after, counterparty: counter_after}
    credit(ledger, accounts, config.insurance_fund, liquidation.penalty)

    if liquidation.liquidator is not None and counter_filled is not None:
        order = liquidation.liquidator.order
        state.set_order_slot(order.account_index, order.order_id, counter_filled)
    write(ledger, accounts, market_id, market)


def closed_against(
    ledger: PerpLedger,
    market_id: int,
    closed: tuple[PerpAccount, PerpAccount],
    closing_side: Side,
    counterparty: AccountIndex,
    counter_before: PerpAccount,
    size: int,
    quote: int,
) -> tuple[PerpAccount, PerpMarket]:
    """
    The counterparty of a close (a liquidation's or a deleveraging's) after
    it takes the opposite side of the closed account's ``closing_side`` for
    ``size`` lots and ``quote``, and the market's open interest after both
    moves; ``closed`` is the closed account before and after.

    Raises
    ------
    PositionOutOfRange, CollateralOutOfRange, OpenInterestCapExceeded
        As :func:`moved` and :func:`with_open_interest`.
    """
    before, after = closed
    counter_after = moved(counterparty, counter_before, market_id, opposite(closing_side), size, quote, 0)
    market = with_open_interest(ledger, market_id, [(before, after), (counter_before, counter_after)])
    return counter_after, market


def process_deleverage(state: State, ledger: PerpLedger, deleverage: Deleverage, timestamp: Timestamp) -> None:
    """
    Close part or all of a bankrupt account's position against an opposite
    position of another account, at the bankrupt account's bankruptcy price.

    Allowed only when the account's value is below zero and the insurance
    fund's value does not cover the deficit. ``quote`` is the bankruptcy
    price to the collateral unit: the close leaves the bankrupt account's
    margin ratio no lower than it was, and one unit less favourable to it
    would. The counterparty's position shrinks as the bankrupt one's does,
    at that price; it is not asked for margin (it only reduced exposure),
    but it may not be left worth less than zero. Which counterparty the
    operator picks (the sequencer takes the most profitable first) is not
    a rule of the state transition.

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange, UnknownPerpMarket
        A field does not fit; the market is not configured.
    NoOraclePrice, OraclePriceTooOld
        The market has no price, or a market's price is too old.
    AccountNotFound, SelfTrade
        An account does not exist; the counterparty is the account itself.
    EquityNotNegative
        The account's value is not below zero.
    InsuranceFundSufficient
        The insurance fund's value covers the deficit.
    PositionsNotOpposite
        The two positions in the market are not of opposite signs.
    ZeroFill, LiquidationOversized
        ``size`` is zero, or more than either position.
    CollateralOutOfRange
        A collateral would not fit.
    NotBankruptcyPrice
        ``quote`` is not the bankruptcy quote.
    CounterpartyWouldBeBankrupt
        The counterparty would be worth less than zero.
    """
    config = ledger.config
    index, counterparty, market_id = deleverage.account_index, deleverage.counterparty, deleverage.market
    check_account_index(state.config, "account_index", index)
    check_account_index(state.config, "counterparty", counterparty)
    check_market(config, market_id)
    check_range("size", deleverage.size, SIZE_BITS)
    check_range("quote", deleverage.quote, AMOUNT_BITS)
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    check_priced(ledger, market_id, timestamp)
    existing_account(state, index)
    existing_account(state, counterparty)
    if counterparty == index:
        raise SelfTrade(index)
    before = settled_account(ledger, index)
    health_before = health(ledger, before)
    check_bankrupt(index, health_before)
    check_fund_short(health(ledger, settled_account(ledger, config.insurance_fund)).value, health_before)
    counter_before = settled_account(ledger, counterparty)
    position = before.position(market_id).size
    counter_position = counter_before.position(market_id).size
    check_positions_opposite(market_id, position, counter_position)
    check_closes(index, position, deleverage.size)
    check_closes(counterparty, counter_position, deleverage.size)
    closing_side = Side.SELL if position > 0 else Side.BUY

    after = moved(index, before, market_id, closing_side, deleverage.size, deleverage.quote, 0)
    health_after = health(ledger, after)
    check_bankruptcy_quote(deleverage.quote, closing_side, health_before, health_after)
    counter_after, market = closed_against(
        ledger, market_id, (before, after), closing_side,
        counterparty, counter_before, deleverage.size, deleverage.quote
    )
    check_counterparty_solvent(counterparty, health(ledger, counter_after).value)

    write(ledger, {index: after, counterparty: counter_after}, market_id, market)


def process_collateral_transfer(
    state: State, ledger: PerpLedger, transfer: CollateralTransfer, timestamp: Timestamp
) -> None:
    """
    Move collateral-token between an account's spot balance and its collateral.

    Into collateral, the spot balance pays; out of it, the account (funding
    settled) must still meet initial margin after, at prices no older than
    ``max_price_age``, so a withdrawal of collateral never leaves it
    liquidatable. The collateral pool follows, and the account's nonce
    (shared with withdrawals) goes up by one.

    Raises, checked in this order
    -----------------------------
    ValueOutOfRange
        A field or ``timestamp`` does not fit.
    AccountNotFound
        The account does not exist.
    InvalidNonce
        The transfer is signed for another nonce.
    InvalidSignature
        The signature is not valid for the account's key.
    InsufficientBalance
        Into collateral: the spot balance is less than ``amount``.
    OraclePriceTooOld
        Out of collateral: a market's price is too old to value positions at.
    MarginInsufficient
        Out of collateral: the account would not meet initial margin.
    BalanceOverflow, CollateralOutOfRange
        A spot balance or a collateral would not fit.
    CollateralPoolShort, ValueOutOfRange
        Out of collateral: the collateral pool would fall below zero (a
        deficit not yet closed); into it: the pool would reach ``2**COLLATERAL_BITS``.
    """
    index, amount = transfer.account_index, transfer.amount
    token = ledger.config.collateral_token
    check_account_index(state.config, "account_index", index)
    check_range("amount", amount, AMOUNT_BITS)
    check_range("timestamp", timestamp, TIMESTAMP_BITS)
    account = existing_account(state, index)
    if transfer.nonce != account.nonce:
        raise InvalidNonce(account.nonce, transfer.nonce)
    check_signature(index, account, transfer.message_hash(), transfer.signature)
    perp = settled_account(ledger, index)
    balance = account.balance(token)
    if transfer.to_collateral:
        check_spot_balance(index, token, balance, amount)
        balance_after, collateral_after = balance - amount, perp.collateral + amount
    else:
        check_prices_fresh(ledger, timestamp)
        balance_after, collateral_after = balance + amount, perp.collateral - amount
        check_meets_initial(ledger, index, replace(perp, collateral=collateral_after))
        if balance_after >= 2**AMOUNT_BITS:
            raise BalanceOverflow(index, token, Amount(balance), amount)
    perp_after = with_collateral(index, perp, collateral_after)
    pool_after = ledger.collateral_pool + (amount if transfer.to_collateral else -amount)
    check_pool(ledger.collateral_pool, amount, pool_after)

    state.set_balance(index, token, Amount(balance_after))
    state.increment_nonce(index)
    ledger.set_account(index, perp_after)
    ledger.collateral_pool = pool_after


def check_pool(pool: int, amount: int, pool_after: int) -> None:
    """
    The collateral pool after a transfer of ``amount`` is neither below zero
    (raises ``CollateralPoolShort``: only what moved in may leave) nor
    ``2**COLLATERAL_BITS`` or more (raises ``ValueOutOfRange``, the width
    the exit's claims read it at).
    """
    if pool_after < 0:
        raise CollateralPoolShort(pool, amount)
    check_range("collateral_pool", pool_after, COLLATERAL_BITS)


def check_spot_balance(index: AccountIndex, token: TokenId, balance: Amount, amount: Amount) -> None:
    """The spot balance covers ``amount`` (raises ``InsufficientBalance``)."""
    if balance < amount:
        raise InsufficientBalance(index, token, balance, amount)


def check_meets_initial(ledger: PerpLedger, index: AccountIndex, account: PerpAccount) -> None:
    """The account (as it would be) meets its initial margin (raises ``MarginInsufficient``)."""
    state_after = health(ledger, account)
    if not state_after.meets_initial:
        raise MarginInsufficient(index, state_after.value, state_after.initial)


def withdrawable_collateral(ledger: PerpLedger, index: AccountIndex) -> int:
    """
    The most collateral a transfer out of the account may take: what leaves
    it meeting its initial margin, and no more than the collateral pool
    (``docs/DESIGN.md``: a forced withdrawal takes only what can leave).
    """
    return min(withdrawable(ledger, settled(ledger, ledger.account(index))), ledger.collateral_pool)


def bankruptcy_quote(ledger: PerpLedger, index: AccountIndex, market: int, size: int, penalty: int = 0) -> int:
    """
    The quote amount at which closing ``size`` of the account's position in
    ``market`` (paying ``penalty``) leaves its margin ratio as it was, to
    the collateral unit in the counterparty's favour: the least a long is
    paid, the most a short pays. A liquidation must be at least this good
    for the account; a deleveraging is at exactly this.

    The ratio rule ``value(q) * before.maintenance >= before.value *
    after.maintenance`` is linear in ``q``, with ``value(q) = value(0) + q``
    (a long sells) or ``value(0) - q`` (a short buys back) in margin units,
    so the bound is one division.
    """
    before = settled_account(ledger, index)
    position = before.position(market).size
    check_closes(index, position, size)
    side = Side.SELL if position > 0 else Side.BUY
    health_before = health(ledger, before)
    at_zero = health(ledger, moved(index, before, market, side, size, 0, penalty))
    needed = health_before.value * at_zero.maintenance - at_zero.value * health_before.maintenance
    step = health_before.maintenance
    if side == Side.SELL:
        return max(0, -(-needed // step))
    return -needed // step


def one_unit_worse(after: Health) -> Health:
    """
    The health after a close one collateral unit less favourable to the
    account (a long paid one less, a short paying one more): one unit less
    value, the same requirements.
    """
    return replace(after, value=after.value - 1)


def check_liquidatable(index: AccountIndex, before: Health) -> None:
    """The account is below its maintenance margin (raises ``NotLiquidatable``)."""
    if not before.below_maintenance:
        raise NotLiquidatable(index)


def check_not_worse_than_bankruptcy(index: AccountIndex, before: Health, after: Health) -> None:
    """A close, penalty included, does not lower the account's margin ratio (raises ``WorseThanBankruptcy``)."""
    if not ratio_not_lowered(before, after):
        raise WorseThanBankruptcy(index)


def check_liquidation_cost(discount: int, penalty: int, cap: int) -> None:
    """The quote's discount from the oracle notional and the penalty are within the cap (raises ``LiquidationTooCostly``)."""
    if discount + penalty > cap:
        raise LiquidationTooCostly(discount + penalty, cap)


def check_fund_pays_no_more(quote: int, discount: int, before: Health, after: Health) -> None:
    """
    The insurance fund, taking a close above the oracle price (a negative
    discount), pays the bankruptcy quote exactly: one unit less favourable
    to the account would lower its ratio (raises ``InsuranceFundOverpays``).
    """
    if discount < 0 and ratio_not_lowered(before, one_unit_worse(after)):
        raise InsuranceFundOverpays(quote)


def check_fund_solvent(value: int) -> None:
    """The insurance fund is worth zero or more after taking a close (raises ``InsuranceFundExhausted``)."""
    if value < 0:
        raise InsuranceFundExhausted(value)


def check_bankrupt(index: AccountIndex, before: Health) -> None:
    """The account's value is below zero (raises ``EquityNotNegative``)."""
    if before.value >= 0:
        raise EquityNotNegative(index)


def check_fund_short(fund_value: int, before: Health) -> None:
    """The insurance fund's value does not cover the account's deficit (raises ``InsuranceFundSufficient``)."""
    if fund_value >= -before.value:
        raise InsuranceFundSufficient(fund_value, -before.value)


def check_positions_opposite(market: int, position: int, counter_position: int) -> None:
    """Two positions in ``market`` are of opposite signs (raises ``PositionsNotOpposite``)."""
    if position * counter_position >= 0:
        raise PositionsNotOpposite(market, position, counter_position)


def check_bankruptcy_quote(quote: int, closing_side: Side, before: Health, after: Health) -> None:
    """
    ``quote`` is the bankruptcy quote: the close leaves the account's ratio
    no lower, and one unit less favourable to it would lower it (raises
    ``NotBankruptcyPrice``). A long paid nothing cannot be paid one unit less.
    """
    worse_exists = closing_side == Side.BUY or quote > 0
    if not ratio_not_lowered(before, after) or (worse_exists and ratio_not_lowered(before, one_unit_worse(after))):
        raise NotBankruptcyPrice(quote)


def check_counterparty_solvent(index: AccountIndex, value: int) -> None:
    """A deleveraging's counterparty is worth zero or more after it (raises ``CounterpartyWouldBeBankrupt``)."""
    if value < 0:
        raise CounterpartyWouldBeBankrupt(index, value)


def check_signed_range(field: str, value: int, bits: int) -> None:
    """A signed value is below ``2**bits`` in magnitude (raises ``ValueOutOfRange``, with the magnitude)."""
    check_range(field, abs(value), bits)


def check_perp_order_ranges(state: State, ledger: PerpLedger, name: str, order: PerpOrder) -> None:
    """Every field of a perpetual order fits, and its market is configured."""
    check_account_index(state.config, f"{name}.account_index", order.account_index)
    check_range(f"{name}.order_id", order.order_id, ORDER_ID_BITS)
    check_market(ledger.config, order.market)
    check_range(f"{name}.side", order.side, 1)
    check_range(f"{name}.price", order.price, PERP_PRICE_BITS)
    check_range(f"{name}.amount", order.amount, SIZE_BITS)
    check_range(f"{name}.max_fee_bps", order.max_fee_bps, FEE_BPS_BITS)
    check_range(f"{name}.expiry", order.expiry, TIMESTAMP_BITS)


def check_same_perp_market(order: PerpOrder, market: int) -> None:
    """The order is for ``market`` (raises ``PerpMarketMismatch``)."""
    if order.market != market:
        raise PerpMarketMismatch(order.market, market)


def check_priced(ledger: PerpLedger, market: int, timestamp: Timestamp) -> None:
    """
    The market has an oracle price (raises ``NoOraclePrice``), and every
    market's price is fresh enough to value positions at (:func:`check_prices_fresh`).
    """
    if ledger.market(market).oracle_price == 0:
        raise NoOraclePrice(market)
    check_prices_fresh(ledger, timestamp)


def check_prices_fresh(ledger: PerpLedger, timestamp: Timestamp) -> None:
    """
    Every market with a price was priced at most ``max_price_age`` seconds
    before ``timestamp`` (raises ``OraclePriceTooOld``): an account's value
    reads every market's price. (A market never priced holds no positions.)
    """
    for market_id, market in enumerate(ledger.markets()):
        if market.oracle_price and timestamp - market.oracle_time > ledger.config.max_price_age:
            raise OraclePriceTooOld(market_id, market.oracle_time, timestamp)


def check_immediate_run(state: State, order: PerpOrder, previous: object | None) -> None:
    """
    Spot's rule for immediate orders (``transition.check_immediate_run``):
    an immediate-or-cancel or market order whose slot records a fill of it
    trades only right after a fill of the same order (as a trade's taker or
    a liquidator), so its remainder never rests to fill in a later batch.

    Raises
    ------
    ImmediateOrderResumed
        The order resumes without ``previous`` being its last fill.
    """
    if not order.kind.immediate:
        return
    stored_id, filled = state.get_account(order.account_index).order_slot(order.order_id)
    if stored_id == order.order_id and filled > 0 and previous_taker(previous) != (order.account_index, order.order_id):
        raise ImmediateOrderResumed(order.order_id)


def previous_taker(previous: object | None) -> tuple[AccountIndex, OrderId] | None:
    """The account and order id of the order that took in ``previous`` (a trade's taker, a liquidator), if any."""
    if isinstance(previous, PerpTrade):
        order = previous.taker.order
    elif isinstance(previous, Liquidation) and previous.liquidator is not None:
        order = previous.liquidator.order
    else:
        return None
    return order.account_index, order.order_id


def check_signed_order(state: State, signed: SignedPerpOrder, timestamp: Timestamp) -> None:
    """
    The rules on one signed order, spot's: its account exists, its
    signature, its expiry and its fee limit.
    """
    order = signed.order
    account = existing_account(state, order.account_index)
    check_signature(order.account_index, account, order.message_hash(), signed.signature)
    check_unexpired(order, timestamp)
    check_fee_limit(order)


def check_order_slot(state: State, order: PerpOrder, fill: int) -> Amount:
    """The order's slot allows ``fill`` more (spot's rule 11); returns the slot's filled amount after it."""
    account = state.get_account(order.account_index)
    check_not_cancelled(account, order)
    check_in_window(account, order)
    return filled_after(account, order, Amount(fill))


def check_quote_within_limit(order: PerpOrder, size: int, quote: int, quantum: int) -> None:
    """
    A liquidator's fill of ``size`` lots for ``quote`` collateral is within
    its order's limit: a buyer pays at most, a seller receives at least,
    ``size * price * quantum``.

    Raises
    ------
    PriceLimitViolated
        The fill's price is beyond the limit (reported in ticks, rounded down).
    """
    limit = size * order.price * quantum
    if (order.side == Side.BUY and quote > limit) or (order.side == Side.SELL and quote < limit):
        raise PriceLimitViolated(order.order_id, order.price, Price(quote // (size * quantum)))


def check_reduce_only(order: PerpOrder, account: PerpAccount, fill: int) -> None:
    """A reduce-only order's fill only shrinks its account's position (raises ``ReduceOnlyIncrease``)."""
    if not order.reduce_only:
        return
    position = account.position(order.market).size
    after = position + fill if order.side == Side.BUY else position - fill
    if not exposure_reduced(position, after):
        raise ReduceOnlyIncrease(order.order_id, position, fill)


def check_closes(index: AccountIndex, position: int, size: int) -> None:
    """Closing ``size`` shrinks ``position`` without flipping it (raises ``ZeroFill``, ``LiquidationOversized``)."""
    if size == 0:
        raise ZeroFill()
    if size > abs(position):
        raise LiquidationOversized(index, position, size)


def check_margin(
    ledger: PerpLedger, index: AccountIndex, before: PerpAccount, after: PerpAccount, market: int
) -> None:
    """
    After a fill in ``market`` the account meets initial margin, or it only
    reduced its position there without lowering its margin ratio.

    Raises
    ------
    MarginInsufficient
        Neither holds.
    """
    health_after = health(ledger, after)
    if health_after.meets_initial:
        return
    reduced = exposure_reduced(before.position(market).size, after.position(market).size)
    if not (reduced and ratio_not_lowered(health(ledger, before), health_after)):
        raise MarginInsufficient(index, health_after.value, health_after.initial)


def moved(
    index: AccountIndex, account: PerpAccount, market: int, side: Side, size: int, quote: int, paid: int
) -> PerpAccount:
    """
    The account after it buys (or sells) ``size`` in ``market`` for
    ``quote`` collateral and pays ``paid`` more (a fee or a penalty).

    Raises
    ------
    PositionOutOfRange, CollateralOutOfRange
        The position or the collateral would not fit.
    """
    position = account.position(market)
    size_after = position.size + size if side == Side.BUY else position.size - size
    collateral = account.collateral - quote if side == Side.BUY else account.collateral + quote
    if abs(size_after) >= 2**SIZE_BITS:
        raise PositionOutOfRange(index, market, size_after)
    moved_account = account.with_position(market, Position(size_after, position.funding_index))
    return with_collateral(index, moved_account, collateral - paid)


def settled_account(ledger: PerpLedger, index: AccountIndex) -> PerpAccount:
    """
    The account at ``index`` with its funding settled (:func:`.margin.settled`),
    whose collateral must still fit: every transaction reads its accounts
    this way, so no value the circuit compares exceeds its widths.

    Raises
    ------
    CollateralOutOfRange
        Funding took the collateral out of ``(-2**COLLATERAL_BITS, 2**COLLATERAL_BITS)``.
    """
    account = settled(ledger, ledger.account(index))
    return with_collateral(index, account, account.collateral)


def with_collateral(index: AccountIndex, account: PerpAccount, collateral: int) -> PerpAccount:
    """The account with ``collateral`` (raises ``CollateralOutOfRange`` if it does not fit)."""
    if abs(collateral) >= 2**COLLATERAL_BITS:
        raise CollateralOutOfRange(index, collateral)
    return replace(account, collateral=collateral)


def with_open_interest(
    ledger: PerpLedger, market_id: int, changes: list[tuple[PerpAccount, PerpAccount]]
) -> PerpMarket:
    """
    The market after positions change as ``changes`` say (each account before
    and after): open interest is the sum of long positions.

    Raises
    ------
    OpenInterestCapExceeded
        It would rise above the market's cap (falling is always allowed).
    """
    market = ledger.market(market_id)
    longs = sum(max(after.position(market_id).size, 0) - max(before.position(market_id).size, 0) for before, after in changes)
    open_interest = market.open_interest + longs
    cap = ledger.config.markets[market_id].open_interest_cap
    if longs > 0 and open_interest > cap:
        raise OpenInterestCapExceeded(market_id, open_interest, cap)
    return replace(market, open_interest=open_interest)


def credit(ledger: PerpLedger, accounts: dict[AccountIndex, PerpAccount], index: AccountIndex, amount: int) -> None:
    """
    Add ``amount`` to the collateral of account ``index`` among the
    ``accounts`` a transaction is about to write (the fee account or the
    insurance fund may be one of its parties), or to its ledger value with
    funding settled.

    Raises
    ------
    CollateralOutOfRange
        The collateral would not fit.
    """
    account = accounts[index] if index in accounts else settled_account(ledger, index)
    accounts[index] = with_collateral(index, account, account.collateral + amount)


def opposite(side: Side) -> Side:
    """The other side."""
    return Side.SELL if side == Side.BUY else Side.BUY
