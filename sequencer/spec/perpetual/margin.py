"""
Funding settlement and margin: what an account is worth at the oracle
prices and what it must hold.

All comparisons are exact: an account's value is in collateral units and
its requirements in collateral units times ``MARGIN_SCALE``, both integers,
so no boundary moves by a rounding. The only rounding is funding settled
into collateral, always down for the account.
"""

from dataclasses import dataclass, replace

from .constants import FUNDING_RATE_SCALE, MARGIN_SCALE
from .state import PerpAccount, PerpMarket, PerpMarketParams, Position
from .ledger import PerpLedger


def funding_payment(position: Position, market: PerpMarket, params: PerpMarketParams) -> int:
    """
    What settling ``position``'s funding adds to its collateral (negative:
    it pays): ``-size * (index - settled index) * quantum /
    FUNDING_RATE_SCALE``, rounded down, so a payer pays up to one unit more
    and a receiver gets up to one unit less than exact, and all accounts
    together never gain.
    """
    owed = -position.size * (market.funding_index - position.funding_index) * params.quantum
    return owed // FUNDING_RATE_SCALE


def settled(ledger: PerpLedger, account: PerpAccount) -> PerpAccount:
    """The account with the funding of every position settled into its collateral, at each market's index."""
    collateral = account.collateral
    positions = []
    for market_id, (params, market) in enumerate(zip(ledger.config.markets, ledger.markets(), strict=True)):
        position = account.position(market_id)
        collateral += funding_payment(position, market, params)
        positions.append(Position(position.size, market.funding_index))
    return replace(account, collateral=collateral, positions=tuple(positions))


@dataclass(frozen=True)
class Health:
    """
    An account's value at the oracle prices, in collateral units, and its
    initial and maintenance requirements, in collateral units times
    ``MARGIN_SCALE``.

    ``value = collateral + sum(size * price * quantum)``; a requirement is
    ``sum(|size| * price * quantum * fraction)`` over the markets.
    """

    value: int
    initial: int
    maintenance: int

    @property
    def meets_initial(self) -> bool:
        """Whether the account may grow its exposure (or withdraw collateral): value >= initial requirement."""
        return self.value * MARGIN_SCALE >= self.initial

    @property
    def below_maintenance(self) -> bool:
        """Whether the account may be liquidated: value < maintenance requirement."""
        return self.value * MARGIN_SCALE < self.maintenance


def health(ledger: PerpLedger, account: PerpAccount) -> Health:
    """The :class:`Health` of ``account`` (whose funding is settled) at the ledger's oracle prices."""
    value = account.collateral
    initial = maintenance = 0
    for market_id, (params, market) in enumerate(zip(ledger.config.markets, ledger.markets(), strict=True)):
        size = account.position(market_id).size
        value += size * market.oracle_price * params.quantum
        notional = abs(size) * market.oracle_price * params.quantum
        initial += notional * params.initial_margin
        maintenance += notional * params.maintenance_margin
    return Health(value, initial, maintenance)


def ratio_not_lowered(before: Health, after: Health) -> bool:
    """
    Whether the account's margin ratio (value over maintenance requirement)
    is at least what it was: ``after.value * before.maintenance >=
    before.value * after.maintenance``, cross-multiplied so that a closed
    position (a requirement of zero) compares too. This is the bankruptcy
    price rule: a close at the bankruptcy price leaves the ratio as it was.
    """
    return after.value * before.maintenance >= before.value * after.maintenance


def exposure_reduced(before: int, after: int) -> bool:
    """Whether a position went from ``before`` to ``after`` by shrinking only: smaller, and not flipped."""
    return abs(after) < abs(before) and after * before >= 0


def withdrawable(ledger: PerpLedger, account: PerpAccount) -> int:
    """
    The most collateral ``account`` (funding settled) can take out and still
    meet initial margin: ``value - initial / MARGIN_SCALE``, the requirement
    rounded up, and none when it does not meet it.
    """
    state = health(ledger, account)
    return max(0, (state.value * MARGIN_SCALE - state.initial) // MARGIN_SCALE)
