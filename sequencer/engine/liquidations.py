"""
The sequencer's risk view of perpetual accounts and its liquidation plan.

After an oracle update the sequencer must find every account below its
maintenance margin and close it, with transactions the state transition
accepts (``sequencer/spec/perpetual/rules.py``). The plan here is the
operator's policy, not a rule of the spec: the spec says which closes are
allowed, this module chooses one of them.

- Each position of a liquidatable account closes whole, against the
  insurance fund, at the oracle notional with the largest penalty the cap
  and the ratio rule allow (the fund's income), or, for an account worth
  less than zero, at its bankruptcy quote (the fund takes the loss).
- When the fund cannot take a bankrupt account's position and stay
  solvent, part of it is deleveraged against an opposite position, the
  most valuable account first, at the bankrupt account's bankruptcy quote
  for the size it takes; then the fund is tried again for the rest.

The operator follows the plan after every oracle update and funding tick
(``Operator.liquidate``). ``tests/engine/test_liquidations.py`` applies
every plan with the spec.
"""

from dataclasses import dataclass
from fractions import Fraction

from sequencer.spec.constants import Side
from sequencer.spec.perpetual.constants import MARGIN_SCALE
from sequencer.spec.perpetual.margin import Health, health, settled
from sequencer.spec.perpetual.rules import bankruptcy_quote, moved, with_collateral
from sequencer.spec.perpetual.state import PerpAccount
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.transactions import Deleverage, Liquidation
from sequencer.spec.types import AccountIndex, Amount


@dataclass(frozen=True)
class AccountRisk:
    """
    What a trader sees of an account's margin: its value, its requirements
    in collateral units (rounded up), how far it is from liquidation
    (``value - maintenance``: below zero it is liquidatable), and its margin
    ratio (None without positions).
    """

    value: int
    initial: int
    maintenance: int
    ratio: Fraction | None

    @property
    def to_liquidation(self) -> int:
        """Collateral the account may still lose before it can be liquidated (negative: it can be now)."""
        return self.value - self.maintenance

    @property
    def liquidatable(self) -> bool:
        """Whether the account is below its maintenance margin."""
        return self.value < self.maintenance


def account_risk(ledger: PerpLedger, account: PerpAccount) -> AccountRisk:
    """The :class:`AccountRisk` of ``account`` at the ledger's prices, its funding settled."""
    state = health(ledger, settled(ledger, account))
    ratio = Fraction(state.value * MARGIN_SCALE, state.maintenance) if state.maintenance else None
    return AccountRisk(state.value, ceil_div(state.initial, MARGIN_SCALE), ceil_div(state.maintenance, MARGIN_SCALE), ratio)


def risk_view(ledger: PerpLedger) -> dict[AccountIndex, AccountRisk]:
    """Every account's :class:`AccountRisk`, by index."""
    return {index: account_risk(ledger, account) for index, account in ledger.accounts().items()}


def liquidation_plan(ledger: PerpLedger) -> list[Liquidation | Deleverage]:
    """
    The transactions that close every account below maintenance, in order
    (accounts by index, markets by id), each step only while its account is
    still below maintenance; applied one after another to ``ledger`` they
    are all accepted. The ledger itself is not changed: the plan is
    computed on what each step leaves, inside a journal of the state that
    is rolled back at the end. The insurance fund is
    never the account liquidated (what it may hold is the operator's
    concern, ``docs/DESIGN.md``).
    """
    plan: list[Liquidation | Deleverage] = []
    fund = ledger.config.insurance_fund
    ledger.state.begin()
    try:
        for index in sorted(ledger.accounts()):
            if index == fund:
                continue
            for market in range(len(ledger.config.markets)):
                while account_health(ledger, index).below_maintenance:
                    size = abs(ledger.account(index).position(market).size)
                    if size == 0:
                        break
                    step = close_against_fund(ledger, index, market, size) or next_deleverage(ledger, index, market, size)
                    if step is None:
                        break
                    plan.append(step)
                    apply_close(ledger, step)
    finally:
        ledger.state.rollback()
    return plan


def close_against_fund(ledger: PerpLedger, index: AccountIndex, market: int, size: int) -> Liquidation | None:
    """
    Close ``size`` of the account's position against the insurance fund, or
    None if the fund would be left worth less than zero.

    At or above zero value: at the oracle notional, with the penalty the
    largest the cap and the ratio rule allow. Below zero: at the bankruptcy
    quote, no penalty.
    """
    config = ledger.config
    before = account_health(ledger, index)
    notional = size * ledger.market(market).oracle_price * config.markets[market].quantum
    long = ledger.account(index).position(market).size > 0
    if before.value >= 0:
        cap = notional * config.max_liquidation_penalty // MARGIN_SCALE
        after = health_after_close(ledger, index, market, size, notional, 0)
        # (value - penalty) * maintenance_before >= value * maintenance_after
        room = (before.value * before.maintenance - before.value * after.maintenance) // before.maintenance
        penalty = max(0, min(cap, room))
        quote = notional
    else:
        penalty = 0
        quote = bankruptcy_quote(ledger, index, market, size)
        quote = max(quote, notional) if long else min(quote, notional)
    fund_after = fund_value_after(ledger, market, size, quote, long)
    if fund_after < 0 or quote < 0:
        return None
    return Liquidation(index, market, Amount(size), Amount(quote), Amount(penalty), None)


def next_deleverage(ledger: PerpLedger, index: AccountIndex, market: int, size: int) -> Deleverage | None:
    """
    Deleverage part of the bankrupt account's position against the most
    valuable opposite position whose account stays solvent, at the
    bankruptcy quote of what it takes; None if there is none. (Once a part
    is closed the fund may cover the rest: the plan tries it first again.)
    """
    long = ledger.account(index).position(market).size > 0
    candidates = sorted(
        (
            other
            for other, account in ledger.accounts().items()
            if other not in (index, ledger.config.insurance_fund)
            and account.position(market).size * (1 if long else -1) < 0
        ),
        key=lambda other: (-account_health(ledger, other).value, other),
    )
    for other in candidates:
        take = min(size, abs(ledger.account(other).position(market).size))
        quote = bankruptcy_quote(ledger, index, market, take)
        if quote >= 0 and counterparty_value_after(ledger, other, market, take, quote, long) >= 0:
            return Deleverage(index, other, market, Amount(take), Amount(quote))
    return None


def account_health(ledger: PerpLedger, index: AccountIndex) -> Health:
    """The account's health, its funding settled."""
    return health(ledger, settled(ledger, ledger.account(index)))


def health_after_close(ledger: PerpLedger, index: AccountIndex, market: int, size: int, quote: int, penalty: int) -> Health:
    """The account's health once ``size`` of its position closed for ``quote`` and it paid ``penalty``."""
    return health(ledger, closed(index, settled(ledger, ledger.account(index)), market, size, quote, penalty))


def closed(index: AccountIndex, account: PerpAccount, market: int, size: int, quote: int, paid: int) -> PerpAccount:
    """``account`` after closing ``size`` of its position in ``market`` for ``quote`` and paying ``paid`` (the spec's move)."""
    long = account.position(market).size > 0
    return moved(index, account, market, Side.SELL if long else Side.BUY, size, quote, paid)


def taken(index: AccountIndex, account: PerpAccount, market: int, size: int, quote: int, long: bool) -> PerpAccount:
    """The counterparty after taking the other side of a close of a long (``long``) or a short (the spec's move)."""
    return moved(index, account, market, Side.BUY if long else Side.SELL, size, quote, 0)


def fund_value_after(ledger: PerpLedger, market: int, size: int, quote: int, long: bool) -> int:
    """The insurance fund's value once it takes the other side of a close (before its penalty, as the spec checks it)."""
    fund = ledger.config.insurance_fund
    return health(ledger, taken(fund, settled(ledger, ledger.account(fund)), market, size, quote, long)).value


def counterparty_value_after(ledger: PerpLedger, index: AccountIndex, market: int, size: int, quote: int, long: bool) -> int:
    """A deleveraging counterparty's value once it takes the other side of a close."""
    return health(ledger, taken(index, settled(ledger, ledger.account(index)), market, size, quote, long)).value


def apply_close(ledger: PerpLedger, step: Liquidation | Deleverage) -> None:
    """Write the plan's step into the working ledger (the spec applies it for real; this only plans the next)."""
    index, market, size, quote = step.account_index, step.market, step.size, step.quote
    account = settled(ledger, ledger.account(index))
    long = account.position(market).size > 0
    penalty = step.penalty if isinstance(step, Liquidation) else 0
    counterparty = step.counterparty if isinstance(step, Deleverage) else ledger.config.insurance_fund
    ledger.set_account(index, closed(index, account, market, size, quote, penalty))
    other = taken(counterparty, settled(ledger, ledger.account(counterparty)), market, size, quote, long)
    ledger.set_account(counterparty, with_collateral(counterparty, other, other.collateral + penalty))


def ceil_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded up, for a positive denominator."""
    return -(-numerator // denominator)
