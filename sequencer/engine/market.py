"""A market's rules: which tokens it trades, its tick and lot sizes and its fees."""

from dataclasses import dataclass
from functools import cached_property

from sequencer.spec.constants import PRICE_SCALE, TRADE_FEE_BPS_BITS, OrderKind
from sequencer.spec.decimal import EXPONENT_LIMIT, MANTISSA_LIMIT
from sequencer.spec.types import Amount, Price, TokenId

MAX_TRADE_FEE_BPS = 2**TRADE_FEE_BPS_BITS - 1
"""The highest fee rate a trade can charge (and publish in its byte): 2.55 %."""


class MarketConfigError(ValueError):
    """A market whose tick and lot sizes would allow inexact fills, or whose fees are invalid."""


@dataclass(frozen=True)
class Market:
    """
    A spot market of ``base_token`` priced in ``quote_token``.

    Prices are multiples of ``tick_size`` and amounts multiples of
    ``lot_size``; ``lot_size * tick_size`` is a multiple of ``PRICE_SCALE``,
    so the quote amount of any fill is an integer. An order holds at most
    :attr:`max_amount`, so that every fill, a whole number of lots, is a
    decimal float a trade can publish (``sequencer/spec/decimal.py``). Fees
    are in basis points of what each side receives.
    """

    name: str
    base_token: TokenId
    quote_token: TokenId
    tick_size: Price
    lot_size: Amount
    min_amount: Amount
    maker_fee_bps: int
    taker_fee_bps: int

    def __post_init__(self) -> None:
        """Refuse a configuration under which a fill could be inexact."""
        if self.base_token == self.quote_token:
            raise MarketConfigError(f"{self.name}: base and quote are the same token")
        if self.tick_size <= 0 or self.lot_size <= 0:
            raise MarketConfigError(f"{self.name}: tick and lot sizes must be positive")
        if (self.tick_size * self.lot_size) % PRICE_SCALE != 0:
            raise MarketConfigError(f"{self.name}: tick_size * lot_size must be a multiple of 10**18")
        mantissa, exponent = lot_digits(self.lot_size)
        if mantissa >= MANTISSA_LIMIT or exponent >= EXPONENT_LIMIT:
            raise MarketConfigError(f"{self.name}: lot_size {self.lot_size} is not a decimal float")
        check_fee_rates(self.name, self.maker_fee_bps, self.taker_fee_bps)

    @cached_property
    def max_amount(self) -> Amount:
        """
        The largest order amount the market takes: the most lots whose count
        times the lot's significant digits still fits a decimal float's
        mantissa, so any fill of up to that many lots is publishable.
        """
        mantissa, exponent = lot_digits(self.lot_size)
        return Amount((MANTISSA_LIMIT - 1) // mantissa * mantissa * 10**exponent)

    def quote_amount(self, base_amount: Amount, price: Price) -> Amount:
        """The quote paid for ``base_amount`` at ``price`` (exact for lots and ticks)."""
        return Amount(base_amount * price // PRICE_SCALE)


def check_fee_rates(name: str, maker_fee_bps: int, taker_fee_bps: int) -> None:
    """Refuse a market's fee rate that a trade cannot charge (``MarketConfigError``)."""
    for fee in (maker_fee_bps, taker_fee_bps):
        if not 0 <= fee <= MAX_TRADE_FEE_BPS:
            raise MarketConfigError(f"{name}: fee {fee} bps is not in [0, {MAX_TRADE_FEE_BPS}]")


def fee_limit_needed(kind: OrderKind, maker_fee_bps: int, taker_fee_bps: int) -> int:
    """
    The least ``max_fee_bps`` an order of ``kind`` needs in a market: a
    post-only order is only ever maker, a limit order may end up either,
    the other kinds are only ever taker.
    """
    if kind is OrderKind.POST_ONLY:
        return maker_fee_bps
    if kind is OrderKind.LIMIT:
        return max(maker_fee_bps, taker_fee_bps)
    return taker_fee_bps


def lot_digits(lot_size: int) -> tuple[int, int]:
    """``lot_size`` as its significant digits and a power of ten: ``(c, a)`` with ``lot_size == c * 10**a``, ``c % 10 != 0``."""
    exponent = 0
    while lot_size % 10 == 0:
        lot_size //= 10
        exponent += 1
    return lot_size, exponent


def default_min_withdrawals(markets: list[Market]) -> dict[TokenId, Amount]:
    """
    The smallest withdrawal of each token the markets trade, unless configured:
    the smallest order a market takes, in base (its ``min_amount``) or in
    quote (that amount at one tick). A withdrawal costs the operator a batch
    slot and L1 gas, so dust is not worth one (a balance below it can still
    be emptied in one withdrawal).
    """
    minimums: dict[TokenId, Amount] = {}
    for market in markets:
        quote_value = max(1, market.quote_amount(market.min_amount, market.tick_size))
        for token, amount in ((market.base_token, max(1, market.min_amount)), (market.quote_token, quote_value)):
            minimums[token] = Amount(min(minimums.get(token, amount), amount))
    return minimums
