"""
What each account takes out of perpetuals after a freeze.

An account's claim is its value at the last proven oracle prices, funding
settled at the last proven indices, never below zero: ``collateral +
sum(size * price * quantum)``, the unsettled funding settled first. Everything it needs is in the account's leaf and the
markets' prices and indices, so an exit needs a Merkle proof and no SNARK.

The claims are paid from the collateral pool. Every account's value
together never exceeds the pool, but an account with negative value leaves
the others' claims short by its deficit. The insurance fund covers it
first: traders are paid in full while their claims together fit in the
pool, and the fund takes what is left, up to its own claim. Only when the
traders' claims alone exceed the pool is every trader paid the same share,
``claim * pool // claims``, and the fund nothing. (On L1 the shares are
known once the claim window closes: every claim is proven within it, then
paid.)
"""

from collections.abc import Mapping

from sequencer.spec.types import AccountIndex

from .margin import health, settled
from .ledger import PerpLedger


def exit_claim(ledger: PerpLedger, index: AccountIndex) -> int:
    """The account's claim on the pool: its value with funding settled, at least zero."""
    return max(0, health(ledger, settled(ledger, ledger.account(index))).value)


def exit_payouts(pool: int, claims: Mapping[AccountIndex, int], fund: AccountIndex) -> dict[AccountIndex, int]:
    """
    What each claimant is paid from ``pool``: traders in full and the fund
    the rest (up to its claim) while the traders' claims fit, else traders
    pro rata, rounded down, and the fund nothing. The payouts never sum to
    more than ``pool``.
    """
    traders = {index: claim for index, claim in claims.items() if index != fund}
    owed = sum(traders.values())
    if owed <= pool:
        payouts = dict(traders)
        if fund in claims:
            payouts[fund] = min(claims[fund], pool - owed)
        return payouts
    payouts = {index: claim * pool // owed for index, claim in traders.items()}
    if fund in claims:
        payouts[fund] = 0
    return payouts
