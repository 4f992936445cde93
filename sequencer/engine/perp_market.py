"""
A perpetual market as the engine runs it: which of the deployment's
perpetual markets it is, its fees and its order sizes, and its book.

Prices are in ticks and sizes in lots (``spec.perpetual.constants``), so
every fill is exact and needs no grid; the market only bounds the size of
an order and sets the fees each side pays (in basis points of the
notional, never above the order's signed limit).
"""

from dataclasses import dataclass

from sequencer.spec.perpetual.constants import SIZE_BITS
from sequencer.spec.perpetual.transactions import SignedPerpOrder

from .book import PriceLevels
from .errors import Code, OrderRejected
from .market import MarketConfigError, check_fee_rates, fee_limit_needed


@dataclass(frozen=True)
class PerpMarketRules:
    """The engine's rules for perpetual market ``market`` (its id in the deployment's parameters), named ``name``."""

    name: str
    market: int
    maker_fee_bps: int
    taker_fee_bps: int
    min_size: int = 1
    max_size: int = 2**SIZE_BITS - 1

    def __post_init__(self) -> None:
        """Refuse fees a trade cannot publish, or sizes out of order."""
        check_fee_rates(self.name, self.maker_fee_bps, self.taker_fee_bps)
        if not 1 <= self.min_size <= self.max_size < 2**SIZE_BITS:
            raise MarketConfigError(f"{self.name}: sizes must satisfy 1 <= min_size <= max_size < 2**{SIZE_BITS}")


class PerpBook(PriceLevels):
    """The resting orders of one perpetual market, in priority order."""

    def __init__(self, rules: PerpMarketRules) -> None:
        """An empty book for the market of ``rules``."""
        super().__init__(rules.name)
        self.rules = rules

    def check(self, signed: SignedPerpOrder) -> None:
        """
        Check an order against the market's rules (as a spot book's
        ``check``: a resting order must allow both fees).

        Raises
        ------
        OrderRejected
            ``MARKET_MISMATCH`` (another perpetual market), ``INVALID_TICK``
            (a price of zero), ``BELOW_MIN_SIZE``, ``ABOVE_MAX_SIZE``,
            ``FEE_LIMIT_TOO_LOW``.
        """
        order, rules = signed.order, self.rules
        if order.market != rules.market:
            raise OrderRejected(
                Code.MARKET_MISMATCH, f"{rules.name} is perpetual market {rules.market}", market=order.market
            )
        if order.price <= 0:
            raise OrderRejected(Code.INVALID_TICK, "price must be at least one tick", price=order.price, tick_size=1)
        if order.amount < rules.min_size:
            raise OrderRejected(
                Code.BELOW_MIN_SIZE, f"size must be at least {rules.min_size}", amount=order.amount, min_amount=rules.min_size
            )
        if order.amount > rules.max_size:
            raise OrderRejected(
                Code.ABOVE_MAX_SIZE, f"size must be at most {rules.max_size}", amount=order.amount, max_amount=rules.max_size
            )
        needed = fee_limit_needed(order.kind, rules.maker_fee_bps, rules.taker_fee_bps)
        if order.max_fee_bps < needed:
            raise OrderRejected(
                Code.FEE_LIMIT_TOO_LOW,
                f"a {order.kind.value} order here needs max_fee_bps of at least {needed}",
                max_fee_bps=order.max_fee_bps,
                needed=needed,
            )
