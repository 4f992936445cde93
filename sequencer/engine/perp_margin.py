"""
Margin at intake for perpetual orders: the engine accepts an order only if
its account could bear it being filled.

Filled how? The worst the book can do: every open order of the account in
the same direction as the new one, and the new one, filled completely at
their limit prices, paying their largest fee (``max_fee_bps`` of the
notional), the account's funding settled. For each market, either all its
open buys or all its open sells fill (whichever is worse), and every
combination over the markets is tried. In each, the account must pass the
spec's own margin rule after the fill (``rules.check_margin``: meet
initial margin, or only have reduced its position in the new order's
market without lowering its margin ratio), so an order the engine accepts
never fails that rule when the book fills it within its limit. Reduce-only
orders take no margin: the spec lets them only shrink a position.

The operator runs it on every perpetual order it takes
(``Operator.submit_perp_order``); ``tests/engine/test_perp_margin.py``
checks it against the spec.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from sequencer.spec.constants import Side
from sequencer.spec.perpetual.errors import MarginInsufficient
from sequencer.spec.perpetual.margin import settled
from sequencer.spec.perpetual.rules import check_margin
from sequencer.spec.perpetual.state import PerpAccount, Position
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.transition import fee_amount
from sequencer.spec.types import AccountIndex, Amount

from .errors import Code, OrderRejected


@dataclass(frozen=True)
class OpenPerpOrder:
    """What an open perpetual order may still do: ``remaining`` lots at up to ``price`` ticks, paying up to ``max_fee_bps``."""

    market: int
    side: Side
    price: int
    remaining: int
    max_fee_bps: int
    reduce_only: bool = False


def check_order_margin(
    ledger: PerpLedger, index: AccountIndex, order: OpenPerpOrder, open_orders: Sequence[OpenPerpOrder]
) -> None:
    """
    Refuse ``order`` of account ``index`` unless the account passes the
    spec's margin rule with it and its ``open_orders`` filled in the worst
    way (module docstring).

    Raises
    ------
    OrderRejected
        ``ORDER_WOULD_BREACH_MARGIN``, with the value and the initial
        requirement (times ``MARGIN_SCALE``) of the worst fill.
    """
    if order.reduce_only:
        return
    before = settled(ledger, ledger.account(index))
    counted = [other for other in open_orders if not other.reduce_only] + [order]
    for sides in product((Side.BUY, Side.SELL), repeat=len(ledger.config.markets)):
        fills = [other for other in counted if other.side == sides[other.market] or other is order]
        after = filled(ledger, before, fills)
        try:
            check_margin(ledger, index, before, after, order.market)
        except MarginInsufficient as breach:
            raise OrderRejected(
                Code.ORDER_WOULD_BREACH_MARGIN,
                f"account {index} would not meet its margin with this order filled at its limit",
                value=breach.value,
                requirement=breach.requirement,
            ) from breach


def filled(ledger: PerpLedger, account: PerpAccount, orders: Sequence[OpenPerpOrder]) -> PerpAccount:
    """``account`` after each of ``orders`` filled completely at its limit price, paying its largest fee."""
    collateral = account.collateral
    sizes = [account.position(market).size for market in range(len(ledger.config.markets))]
    for order in orders:
        notional = order.remaining * order.price * ledger.config.markets[order.market].quantum
        direction = 1 if order.side == Side.BUY else -1
        sizes[order.market] += direction * order.remaining
        collateral -= direction * notional + fee_amount(Amount(notional), order.max_fee_bps)
    positions = tuple(Position(size, account.position(market).funding_index) for market, size in enumerate(sizes))
    return PerpAccount(collateral, positions)

