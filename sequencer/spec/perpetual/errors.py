"""
Every way a perpetual-futures transaction can be invalid.

They extend the spec's one hierarchy (:mod:`sequencer.spec.errors`): each is
an :class:`InvalidTransaction` with a stable ``code`` derived from its name,
carrying the offending values as attributes.
"""

from sequencer.spec.errors import InvalidOrder, InvalidTrade, InvalidTransaction
from sequencer.spec.types import AccountIndex, OrderId, Timestamp


class UnknownPerpMarket(InvalidTransaction):
    """The transaction names a perpetual market the deployment does not configure."""

    def __init__(self, market: int, markets: int) -> None:
        self.market = market
        self.markets = markets
        super().__init__(f"perpetual market {market} is not configured ({markets} markets)")


class PerpMarketMismatch(InvalidTrade):
    """An order is for another perpetual market than the fill it is matched in."""

    def __init__(self, order_market: int, market: int) -> None:
        self.order_market = order_market
        self.market = market
        super().__init__(f"an order for perpetual market {order_market} cannot trade in market {market}")


class FundingRatesMismatch(InvalidTransaction):
    """A funding tick carries another number of rates than there are markets."""

    def __init__(self, rates: int, markets: int) -> None:
        self.rates = rates
        self.markets = markets
        super().__init__(f"{rates} funding rates for {markets} markets")


class NoOraclePrice(InvalidTransaction):
    """The market has no oracle price yet: nothing in it can be valued, so nothing trades."""

    def __init__(self, market: int) -> None:
        self.market = market
        super().__init__(f"perpetual market {market} has no oracle price yet")


class CollateralOutOfRange(InvalidTransaction):
    """An account's collateral would leave ``(-2**COLLATERAL_BITS, 2**COLLATERAL_BITS)``."""

    def __init__(self, account_index: AccountIndex, collateral: int) -> None:
        self.account_index = account_index
        self.collateral = collateral
        super().__init__(f"account {account_index}'s collateral would be {collateral}, out of range")


class PositionOutOfRange(InvalidTransaction):
    """A position would reach ``2**SIZE_BITS`` in magnitude."""

    def __init__(self, account_index: AccountIndex, market: int, size: int) -> None:
        self.account_index = account_index
        self.market = market
        self.size = size
        super().__init__(f"account {account_index}'s position in market {market} would be {size}, out of range")


class ReduceOnlyIncrease(InvalidOrder):
    """A reduce-only order would open, grow or flip its account's position."""

    def __init__(self, order_id: OrderId, position: int, fill: int) -> None:
        super().__init__(order_id, f"reduce-only, it would take position {position} by {fill}")
        self.position = position
        self.fill = fill


class OpenInterestCapExceeded(InvalidTrade):
    """The trade would raise the market's open interest above its cap."""

    def __init__(self, market: int, open_interest: int, cap: int) -> None:
        self.market = market
        self.open_interest = open_interest
        self.cap = cap
        super().__init__(f"open interest of market {market} would be {open_interest}, above its cap {cap}")


class MarginInsufficient(InvalidTransaction):
    """
    After the transaction the account would neither meet its initial margin
    nor only have reduced its exposure without lowering its margin ratio.
    """

    def __init__(self, account_index: AccountIndex, value: int, requirement: int) -> None:
        self.account_index = account_index
        self.value = value
        self.requirement = requirement
        super().__init__(
            f"account {account_index} would hold {value} against an initial requirement of {requirement}"
            " (both times PRICE_SCALE * MARGIN_SCALE)"
        )


class NotLiquidatable(InvalidTransaction):
    """The account meets its maintenance margin at the oracle prices: it cannot be liquidated."""

    def __init__(self, account_index: AccountIndex) -> None:
        self.account_index = account_index
        super().__init__(f"account {account_index} meets its maintenance margin")


class LiquidationOversized(InvalidTransaction):
    """A liquidation or deleveraging would close more than a position holds, so flip it, or nothing."""

    def __init__(self, account_index: AccountIndex, position: int, size: int) -> None:
        self.account_index = account_index
        self.position = position
        self.size = size
        super().__init__(f"account {account_index} holds {position}; closing {size} would not shrink it")


class LiquidationTooCostly(InvalidTransaction):
    """
    A liquidation costs the liquidated account more than the cap beyond
    closing at the oracle price: the discount of its quote from the oracle
    notional plus the penalty is above ``max_liquidation_penalty`` of that
    notional.
    """

    def __init__(self, cost: int, cap: int) -> None:
        self.cost = cost
        self.cap = cap
        super().__init__(f"the liquidation costs the account {cost}, above its cap {cap}")


class InsuranceFundOverpays(InvalidTransaction):
    """
    The insurance fund would pay more for a position (or take less for it)
    than the larger of the oracle notional and the account's bankruptcy
    quote: nobody signed for the fund, so it pays only what it must.
    """

    def __init__(self, quote: int) -> None:
        self.quote = quote
        super().__init__(f"the insurance fund would trade at {quote}, beyond the oracle and the bankruptcy quote")


class InsuranceFundExhausted(InvalidTransaction):
    """Taking the position would leave the insurance fund's value below zero: deleverage instead."""

    def __init__(self, value: int) -> None:
        self.value = value
        super().__init__(f"the insurance fund would be worth {value}")


class CounterpartyWouldBeBankrupt(InvalidTransaction):
    """A deleveraging would leave its counterparty's value below zero."""

    def __init__(self, account_index: AccountIndex, value: int) -> None:
        self.account_index = account_index
        self.value = value
        super().__init__(f"account {account_index} would be worth {value}")


class OraclePriceTooOld(InvalidTransaction):
    """A market's oracle price is older than ``max_price_age``: positions cannot be valued at it."""

    def __init__(self, market: int, oracle_time: Timestamp, timestamp: Timestamp) -> None:
        self.market = market
        self.oracle_time = oracle_time
        self.timestamp = timestamp
        super().__init__(f"market {market}'s price is from {oracle_time}, too old at {timestamp}")


class WorseThanBankruptcy(InvalidTransaction):
    """A liquidation's price and penalty would lower the liquidated account's margin ratio."""

    def __init__(self, account_index: AccountIndex) -> None:
        self.account_index = account_index
        super().__init__(f"the liquidation is at a price worse than account {account_index}'s bankruptcy price")


class EquityNotNegative(InvalidTransaction):
    """Only an account whose value is below zero can be deleveraged."""

    def __init__(self, account_index: AccountIndex) -> None:
        self.account_index = account_index
        super().__init__(f"account {account_index}'s value is not negative")


class InsuranceFundSufficient(InvalidTransaction):
    """The insurance fund's value covers the account's deficit: liquidate against the fund instead."""

    def __init__(self, fund_value: int, deficit: int) -> None:
        self.fund_value = fund_value
        self.deficit = deficit
        super().__init__(f"the insurance fund's value {fund_value} covers the deficit {deficit}")


class PositionsNotOpposite(InvalidTransaction):
    """Deleveraging needs a counterparty whose position in the market is opposite the deficient account's."""

    def __init__(self, market: int, position: int, counter_position: int) -> None:
        self.market = market
        self.position = position
        self.counter_position = counter_position
        super().__init__(f"positions {position} and {counter_position} in market {market} are not opposite")


class NotBankruptcyPrice(InvalidTransaction):
    """A deleveraging is not at the deficient account's bankruptcy price (to the collateral unit)."""

    def __init__(self, quote: int) -> None:
        self.quote = quote
        super().__init__(f"quote {quote} is not the bankruptcy quote")


class FundingRateAboveCap(InvalidTransaction):
    """A funding rate is above its market's maximum rate in magnitude."""

    def __init__(self, market: int, rate: int, cap: int) -> None:
        self.market = market
        self.rate = rate
        self.cap = cap
        super().__init__(f"funding rate {rate} of market {market} is above its cap {cap}")


class FundingTimeReversed(InvalidTransaction):
    """A funding tick is earlier than the market's last one."""

    def __init__(self, market: int, timestamp: Timestamp, last: Timestamp) -> None:
        self.market = market
        self.timestamp = timestamp
        self.last = last
        super().__init__(f"funding of market {market} at {timestamp} is before its last, at {last}")


class OracleSignatureCount(InvalidTransaction):
    """A price update carries another number of signed prices than the oracle quorum."""

    def __init__(self, signatures: int, quorum: int) -> None:
        self.signatures = signatures
        self.quorum = quorum
        super().__init__(f"{signatures} signed prices, the quorum is {quorum}")


class UnknownOracleSigner(InvalidTransaction):
    """A signed price names a signer outside the oracle key set."""

    def __init__(self, signer: int) -> None:
        self.signer = signer
        super().__init__(f"oracle signer {signer} is not in the key set")


class OracleSignersNotAscending(InvalidTransaction):
    """The signed prices of an update are not in strictly ascending order of signer, so one may sign twice."""

    def __init__(self, signer: int, previous: int) -> None:
        self.signer = signer
        self.previous = previous
        super().__init__(f"oracle signer {signer} follows signer {previous}")


class InvalidOracleSignature(InvalidTransaction):
    """A signed price's signature is not valid for its oracle key."""

    def __init__(self, signer: int) -> None:
        self.signer = signer
        super().__init__(f"oracle signer {signer}'s signature is not valid")


class ZeroOraclePrice(InvalidTransaction):
    """An oracle signed a price of zero."""

    def __init__(self, signer: int) -> None:
        self.signer = signer
        super().__init__(f"oracle signer {signer} signed a zero price")


class OraclePriceStale(InvalidTransaction):
    """A signed price is older than the oracle window allows, from the future, or not newer than the market's price."""

    def __init__(self, signer: int, timestamp: Timestamp, earliest: Timestamp, latest: Timestamp) -> None:
        self.signer = signer
        self.timestamp = timestamp
        self.earliest = earliest
        self.latest = latest
        super().__init__(f"oracle signer {signer}'s price at {timestamp} is outside [{earliest}, {latest}]")


class PerpetualsNotConfigured(InvalidTransaction):
    """A batch holds perpetual slots, but the deployment configures no perpetual markets."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        super().__init__(f"{slots} perpetual slots, but no perpetual markets are configured")


class PerpConfigMismatch(InvalidTransaction):
    """The perpetual parameters applied are not those the state commits to (its genesis fixed them)."""

    def __init__(self, config_hash: int, committed: int) -> None:
        self.config_hash = config_hash
        self.committed = committed
        super().__init__(f"perpetual parameters hash to {config_hash}, but the state commits to {committed}")


class CollateralPoolShort(InvalidTransaction):
    """
    Collateral out of perpetuals would take the collateral pool below zero:
    more would leave than moved in, so it would be paid out of other users'
    spot balances (a bankrupt account's deficit not yet closed).
    """

    def __init__(self, pool: int, amount: int) -> None:
        self.pool = pool
        self.amount = amount
        super().__init__(f"{amount} collateral out of a pool of {pool}")
