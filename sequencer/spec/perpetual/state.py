"""
The perpetual state's values: a deployment's markets and oracles
(:class:`PerpConfig`), each market's prices and funding
(:class:`PerpMarket`), each account's collateral and positions
(:class:`PerpAccount`).

Every value here is an integer at the scales of :mod:`.constants`, and
immutable: a transaction computes the new ones, checks them, and only then
writes them through :class:`.ledger.PerpLedger` into the rollup's
:class:`sequencer.spec.state.State`, so a refused transaction changes
nothing.
"""

from dataclasses import dataclass, field, replace

from sequencer.crypto.eddsa import PublicKey
from sequencer.spec.constants import FEE_ACCOUNT
from sequencer.spec.types import AccountIndex, Timestamp, TokenId

from .constants import FUNDING_RATE_BITS, MARGIN_SCALE, MAX_PERP_MARKETS, ORACLE_WINDOW_BITS, QUANTUM_BITS, SIZE_BITS
from .errors import UnknownPerpMarket


@dataclass(frozen=True)
class PerpMarketParams:
    """
    A perpetual market's parameters, fixed at deployment.

    ``quantum`` is the collateral units one lot is worth per tick of price.
    ``initial_margin`` and ``maintenance_margin`` are fractions of a
    position's value at the oracle price (parts per ``MARGIN_SCALE``): an
    account must hold the first to grow its exposure and is liquidated below
    the second. ``max_funding_rate`` bounds a funding tick's rate (per
    second, times ``FUNDING_RATE_SCALE``); ``open_interest_cap`` bounds the
    sum of the market's long positions (base units).
    """

    quantum: int
    initial_margin: int
    maintenance_margin: int
    max_funding_rate: int
    open_interest_cap: int

    def __post_init__(self) -> None:
        """Refuse parameters that would let an account be liquidated while it meets initial margin, or overflow."""
        if not 0 < self.quantum < 2**QUANTUM_BITS:
            raise ValueError(f"quantum must be in (0, 2**{QUANTUM_BITS}), got {self.quantum}")
        if not 0 < self.maintenance_margin < self.initial_margin <= MARGIN_SCALE:
            raise ValueError(
                f"need 0 < maintenance_margin < initial_margin <= {MARGIN_SCALE}, "
                f"got {self.maintenance_margin} and {self.initial_margin}"
            )
        if not 0 <= self.max_funding_rate < 2**FUNDING_RATE_BITS:
            raise ValueError(f"max_funding_rate must be in [0, 2**{FUNDING_RATE_BITS}), got {self.max_funding_rate}")
        if not 0 < self.open_interest_cap < 2**SIZE_BITS:
            raise ValueError(f"open_interest_cap must be in (0, 2**{SIZE_BITS}), got {self.open_interest_cap}")


@dataclass(frozen=True)
class PerpConfig:
    """
    A deployment's perpetual futures: the collateral token (a spot token, so
    spot and perpetuals share one vault), the markets, the oracle key set
    and its quorum, how old a signed price may be when an update uses it
    (``oracle_window`` seconds) and how old a market's price may be when a
    trade, a liquidation or a transfer values positions at it
    (``max_price_age``), the insurance fund's account, and the most a
    liquidation may cost the liquidated account beyond closing at the
    oracle price, penalty included (``max_liquidation_penalty``, parts per
    ``MARGIN_SCALE`` of the notional closed).

    The quorum is odd, so an update's median is one of its prices and
    ``(quorum - 1) // 2`` lying oracles among the signers cannot move it
    outside the honest prices; the key set should hold at least ``quorum``
    honest keys more than that, so updates keep coming.
    """

    collateral_token: TokenId
    markets: tuple[PerpMarketParams, ...]
    oracle_keys: tuple[PublicKey, ...]
    oracle_quorum: int
    oracle_window: int
    max_price_age: int
    insurance_fund: AccountIndex
    max_liquidation_penalty: int

    def __post_init__(self) -> None:
        """Refuse a configuration the rules cannot run on."""
        if not 1 <= len(self.markets) <= MAX_PERP_MARKETS:
            raise ValueError(f"between 1 and {MAX_PERP_MARKETS} markets, got {len(self.markets)}")
        if not 1 <= self.oracle_quorum <= len(self.oracle_keys) or self.oracle_quorum % 2 == 0:
            raise ValueError(f"the quorum must be odd and in [1, {len(self.oracle_keys)}], got {self.oracle_quorum}")
        if len(set(self.oracle_keys)) != len(self.oracle_keys):
            raise ValueError("an oracle key is listed twice")
        if not 0 < self.oracle_window < 2**ORACLE_WINDOW_BITS or self.max_price_age <= 0:
            raise ValueError(
                f"oracle_window must be in (0, 2**{ORACLE_WINDOW_BITS}) and max_price_age positive, "
                f"got {self.oracle_window}, {self.max_price_age}"
            )
        if self.insurance_fund == FEE_ACCOUNT:
            raise ValueError("the insurance fund cannot be the fee account")
        if not 0 <= self.max_liquidation_penalty <= MARGIN_SCALE:
            raise ValueError(f"max_liquidation_penalty must be in [0, {MARGIN_SCALE}]")


@dataclass(frozen=True)
class PerpMarket:
    """
    A market's state: the last oracle price in ticks (zero until the first update)
    and the latest signed time behind it, the cumulative funding index and
    the time of the last funding tick, and the open interest (the sum of all
    long positions, which equals the sum of all short ones).
    """

    oracle_price: int = 0
    oracle_time: Timestamp = Timestamp(0)
    funding_index: int = 0
    funding_time: Timestamp = Timestamp(0)
    open_interest: int = 0


@dataclass(frozen=True)
class Position:
    """A signed size (long above zero) and the funding index it last settled at."""

    size: int = 0
    funding_index: int = 0


@dataclass(frozen=True)
class PerpAccount:
    """An account's collateral (signed) and its position in each market, by market id."""

    collateral: int = 0
    positions: tuple[Position, ...] = field(default_factory=tuple)

    def position(self, market: int) -> Position:
        """The account's position in ``market`` (empty if it never held one)."""
        return self.positions[market] if market < len(self.positions) else Position()

    def with_position(self, market: int, position: Position) -> "PerpAccount":
        """This account with ``position`` in ``market``."""
        positions = list(self.positions) + [Position()] * (market + 1 - len(self.positions))
        positions[market] = position
        return replace(self, positions=tuple(positions))

    @property
    def is_empty(self) -> bool:
        """No collateral and no position: the perpetual side of an account that never had one (same hash)."""
        return self.collateral == 0 and all(position == Position() for position in self.positions)

    def sizes(self) -> list[int]:
        """The size of each position, by market id."""
        return [position.size for position in self.positions]


def check_market(config: PerpConfig, market: int) -> None:
    """``market`` is one the deployment configures (raises ``UnknownPerpMarket``)."""
    if not 0 <= market < len(config.markets):
        raise UnknownPerpMarket(market, len(config.markets))
