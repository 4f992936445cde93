"""Moving collateral between the spot balance and perpetuals: signed, once, and never below initial margin."""

from dataclasses import replace

import pytest

from sequencer.spec.errors import InsufficientBalance, InvalidNonce, InvalidSignature
from sequencer.spec.perpetual.errors import CollateralPoolShort, MarginInsufficient
from sequencer.spec.perpetual.rules import process_collateral_transfer, withdrawable_collateral
from sequencer.spec.perpetual.transactions import CollateralTransfer
from sequencer.spec.types import AccountIndex
from tests.spec.builders import ALICE, BOB, NOW
from tests.spec.perpetual.builders import COLLATERAL, ticks, transfer
from tests.spec.perpetual.conftest import Exchange, at_price, opened


def refused(ex: Exchange, move: CollateralTransfer, error: type[Exception]) -> None:
    accounts, root, pool = ex.ledger.accounts(), ex.state.root, ex.ledger.collateral_pool
    with pytest.raises(error):
        process_collateral_transfer(ex.state, ex.ledger, move, NOW)
    assert (ex.ledger.accounts(), ex.state.root, ex.ledger.collateral_pool) == (accounts, root, pool)


def test_in_and_out(exchange: Exchange) -> None:
    process_collateral_transfer(exchange.state, exchange.ledger, transfer(ALICE, 700, 0), NOW)
    alice = exchange.state.get_account(AccountIndex(ALICE))
    assert (alice.balance(COLLATERAL), alice.nonce) == (100_000 - 700, 1)
    assert exchange.ledger.account(AccountIndex(ALICE)).collateral == 700
    assert exchange.ledger.collateral_pool == 700
    process_collateral_transfer(exchange.state, exchange.ledger, transfer(ALICE, 700, 1, to_collateral=False), NOW)
    assert exchange.state.get_account(AccountIndex(ALICE)).balance(COLLATERAL) == 100_000
    assert exchange.ledger.account(AccountIndex(ALICE)).collateral == 0
    assert exchange.ledger.collateral_pool == 0


def test_refusals(exchange: Exchange) -> None:
    refused(exchange, transfer(ALICE, 100_001, 0), InsufficientBalance)
    refused(exchange, transfer(ALICE, 1, 1), InvalidNonce)
    refused(exchange, replace(transfer(ALICE, 1, 0), amount=2), InvalidSignature)
    refused(exchange, transfer(ALICE, 1, 0, to_collateral=False), MarginInsufficient)


@pytest.mark.parametrize("extra, accepted", [(-1, True), (0, True), (1, False)])
def test_out_only_down_to_initial_margin(extra: int, accepted: bool) -> None:
    """
    Bob's short of 100 at price 110 with collateral 15,000 is worth 4,000
    against an initial requirement of 1,100: 2,900 can leave, not 2,901.
    """
    ex = opened()
    assert withdrawable_collateral(ex.ledger, AccountIndex(BOB)) == 2_900
    move = transfer(BOB, 2_900 + extra, 1, to_collateral=False)
    if accepted:
        process_collateral_transfer(ex.state, ex.ledger, move, NOW)
        assert ex.ledger.account(AccountIndex(BOB)).collateral == 15_000 - 2_900 - extra
    else:
        refused(ex, move, MarginInsufficient)


@pytest.mark.parametrize("amount, accepted", [(5_500, True), (5_501, False)])
def test_out_never_below_the_pool(amount: int, accepted: bool) -> None:
    """
    At 50 Alice is 4,500 below zero and Bob, short 100 with 15,000, could
    take 9,500 out by his margin; but only the 5,500 that moved in may
    leave (the rest would be paid from spot balances): CollateralPoolShort.
    """
    ex = opened()
    at_price(ex, ticks(50), NOW + 5)
    assert withdrawable_collateral(ex.ledger, AccountIndex(BOB)) == 5_500
    assert ex.ledger.collateral_pool == 5_500
    move = transfer(BOB, amount, 1, to_collateral=False)
    if accepted:
        process_collateral_transfer(ex.state, ex.ledger, move, NOW + 5)
        assert ex.ledger.collateral_pool == 0
    else:
        refused(ex, move, CollateralPoolShort)
