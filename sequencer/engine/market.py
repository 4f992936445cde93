"""A market's rules: which tokens it trades, its tick and lot sizes and its fees."""

from dataclasses import dataclass

from sequencer.spec.constants import BPS, PRICE_SCALE
from sequencer.spec.types import Amount, Price, TokenId


class MarketConfigError(ValueError):
    """A market whose tick and lot sizes would allow inexact fills, or whose fees are invalid."""


@dataclass(frozen=True)
class Market:
    """
    A spot market of ``base_token`` priced in ``quote_token``.

    Prices are multiples of ``tick_size`` and amounts multiples of
    ``lot_size``; ``lot_size * tick_size`` is a multiple of ``PRICE_SCALE``,
    so the quote amount of any fill is an integer. Fees are in basis points
    of what each side receives.
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
        for fee in (self.maker_fee_bps, self.taker_fee_bps):
            if not 0 <= fee <= BPS:
                raise MarketConfigError(f"{self.name}: fee {fee} bps is not in [0, {BPS}]")

    def quote_amount(self, base_amount: Amount, price: Price) -> Amount:
        """The quote paid for ``base_amount`` at ``price`` (exact for lots and ticks)."""
        return Amount(base_amount * price // PRICE_SCALE)


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
