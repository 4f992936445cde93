"""
Deleveraging: a bankrupt account's position closes against an opposite
one at its bankruptcy price, only when the insurance fund cannot cover it.

At price 90, Alice's long of 100 (collateral -9,500) is worth -500.
"""

from dataclasses import replace

import pytest

from sequencer.spec.errors import SelfTrade, ZeroFill
from sequencer.spec.perpetual.errors import (
    CounterpartyWouldBeBankrupt,
    EquityNotNegative,
    InsuranceFundSufficient,
    LiquidationOversized,
    NotBankruptcyPrice,
    OraclePriceTooOld,
    PositionsNotOpposite,
)
from sequencer.spec.perpetual.rules import bankruptcy_quote, process_collateral_transfer, process_deleverage
from sequencer.spec.perpetual.transactions import Deleverage
from sequencer.spec.types import AccountIndex, Amount, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, NOW
from tests.spec.perpetual.builders import FUND, MARKET, MAX_PRICE_AGE, ticks, transfer
from tests.spec.perpetual.conftest import Exchange, at_price, opened


TIME = Timestamp(NOW + 10)
"""When the price falls to 90, and when the deleveragings are applied."""


def bankrupt(fund: int = 0, price: int = ticks(90)) -> Exchange:
    """Alice's long at ``price``; the insurance fund holds ``fund`` collateral."""
    ex = opened()
    at_price(ex, price, TIME)
    if fund:
        ex.state.set_balance(AccountIndex(FUND), ex.ledger.config.collateral_token, Amount(fund))
        process_collateral_transfer(ex.state, ex.ledger, transfer(FUND, fund, 0), NOW)
    return ex


def against_bob(size: int, quote: int, account: int = ALICE, counterparty: int = BOB) -> Deleverage:
    return Deleverage(AccountIndex(account), AccountIndex(counterparty), MARKET, Amount(size), Amount(quote))


def refused(ex: Exchange, deleverage: Deleverage, error: type[Exception]) -> None:
    accounts, markets = ex.ledger.accounts(), ex.ledger.markets()
    with pytest.raises(error):
        process_deleverage(ex.state, ex.ledger, deleverage, TIME)
    assert (ex.ledger.accounts(), ex.ledger.markets()) == (accounts, markets)


@pytest.mark.parametrize("quote, error", [(9_499, NotBankruptcyPrice), (9_500, None), (9_501, NotBankruptcyPrice)])
def test_full_close_is_at_the_bankruptcy_price_exactly(quote: int, error: type[Exception] | None) -> None:
    """Closing all 100 must leave Alice at zero: 9,500 exactly (one unit more would gift her, one less lose more)."""
    ex = bankrupt()
    deleverage = against_bob(100, quote)
    if error is None:
        process_deleverage(ex.state, ex.ledger, deleverage, TIME)
        alice, bob = ex.ledger.account(AccountIndex(ALICE)), ex.ledger.account(AccountIndex(BOB))
        assert (alice.collateral, alice.position(MARKET).size) == (0, 0)
        assert (bob.collateral, bob.position(MARKET).size) == (15_000 - 9_500, 0)
        assert ex.ledger.market(MARKET).open_interest == 0
    else:
        refused(ex, deleverage, error)


@pytest.mark.parametrize("quote, error", [(4_749, NotBankruptcyPrice), (4_750, None), (4_751, NotBankruptcyPrice)])
def test_partial_close_keeps_the_ratio(quote: int, error: type[Exception] | None) -> None:
    """Closing half halves the requirement, so Alice's value after is -250: ``quote - 9,500 + 4,500``."""
    ex = bankrupt()
    deleverage = against_bob(50, quote)
    if error is None:
        process_deleverage(ex.state, ex.ledger, deleverage, TIME)
        assert ex.ledger.account(AccountIndex(ALICE)).collateral == quote - 9_500
    else:
        refused(ex, deleverage, error)


@pytest.mark.parametrize("fund, error", [(499, None), (500, InsuranceFundSufficient)])
def test_only_when_the_fund_cannot_cover(fund: int, error: type[Exception] | None) -> None:
    ex = bankrupt(fund=fund)
    if error is None:
        process_deleverage(ex.state, ex.ledger, against_bob(100, 9_500), TIME)
    else:
        refused(ex, against_bob(100, 9_500), error)


def test_only_a_bankrupt_account() -> None:
    """At 95 Alice is worth 0: not negative, so not deleveraged."""
    refused(bankrupt(price=ticks(95)), against_bob(100, 9_500), EquityNotNegative)


def test_counterparty_rules() -> None:
    ex = bankrupt()
    refused(ex, against_bob(100, 9_500, counterparty=CAROL), PositionsNotOpposite)
    refused(ex, against_bob(100, 9_500, counterparty=ALICE), SelfTrade)
    refused(ex, against_bob(101, 9_500), LiquidationOversized)
    refused(ex, against_bob(0, 0), ZeroFill)


@pytest.mark.parametrize("size, price", [(100, ticks(90)), (50, ticks(90)), (37, ticks(90) - 3), (1, ticks(80) + 11)])
def test_bankruptcy_quote_is_the_one_quote_accepted(size: int, price: int) -> None:
    """The engine's closed form gives the quote the rule accepts, and one unit either side is refused."""
    ex = bankrupt(price=price)
    quote = bankruptcy_quote(ex.ledger, AccountIndex(ALICE), MARKET, size)
    refused(ex, against_bob(size, quote - 1), NotBankruptcyPrice)
    refused(ex, against_bob(size, quote + 1), NotBankruptcyPrice)
    process_deleverage(ex.state, ex.ledger, against_bob(size, quote), TIME)


def test_the_counterparty_is_never_made_bankrupt() -> None:
    """Bob, short 100 with collateral 9,400, would pay 9,500 to close at Alice's bankruptcy price: worth -100."""
    ex = bankrupt()
    bob = ex.ledger.account(AccountIndex(BOB))
    ex.ledger.set_account(AccountIndex(BOB), replace(bob, collateral=9_400))
    refused(ex, against_bob(100, 9_500), CounterpartyWouldBeBankrupt)
    ex.ledger.set_account(AccountIndex(BOB), replace(bob, collateral=9_500))
    process_deleverage(ex.state, ex.ledger, against_bob(100, 9_500), TIME)
    assert ex.ledger.account(AccountIndex(BOB)).collateral == 0


def test_not_at_a_stale_price() -> None:
    ex = bankrupt()
    with pytest.raises(OraclePriceTooOld):
        process_deleverage(ex.state, ex.ledger, against_bob(100, 9_500), Timestamp(TIME + MAX_PRICE_AGE + 1))
