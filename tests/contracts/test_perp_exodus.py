"""
Perpetual positions leave a frozen rollup on anvil, from Python: the spec's
state with open positions is written as the last proven root, each account
proves its claim within the claim window and is paid after it, exactly what
the spec's ``exit_payouts`` says, and the collateral pool is paid out to the
last unit.

As in ``test_exodus.py``, no batch is accepted here, so the test stays
fast: the proven state is written into the contract's storage with
``anvil_setStorageAt``. ``tests/e2e/test_perpetual_batches.py`` reaches
such a state through proven batches and leaves it the same way.
"""

from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from sequencer.l1.compile import CompiledContracts
from sequencer.l1.deploy import OperatorKey, PerpetualsConfig, RollupConfig, TestTokenSpec, deploy
from sequencer.l1.exodus import leave
from sequencer.l1.reconstruct import Reconstruction, read_requests
from sequencer.l1.rollup import Rollup
from sequencer.l1.transactions import send_transaction
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.exit import exit_claim, exit_payouts
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.rules import process_collateral_transfer, process_oracle_update, process_perp_trade
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.constants import Side
from sequencer.spec.state import State
from sequencer.spec.transactions import Deposit
from sequencer.spec.transition import process_deposit
from sequencer.spec.types import AccountIndex, TokenId
from tests.contracts.conftest import MINT
from tests.contracts.helpers import OPERATOR_KEY
from tests.contracts.test_exodus import SLOT_L1_PROCESSED, SLOT_STATE_ROOT, mine, set_storage
from tests.spec.builders import ALICE, BOB, NOW, SMALL, public_key
from tests.spec.perpetual.builders import COLLATERAL, config, perp_order, perp_trade, price_update, ticks, transfer

DEADLINE_BLOCKS = 4
CLAIM_WINDOW_BLOCKS = 30
"""Long enough for every account's exits, refund and claim, one block each."""
FUND = AccountIndex(3)
"""The insurance fund's account: the third registered after the operator's, by ``accounts[4]``."""


def perp_config() -> PerpConfig:
    return replace(config(), insurance_fund=FUND)


@pytest.fixture
def rollup(
    w3: Web3,
    deployer: LocalAccount,
    operator: LocalAccount,
    artifacts: CompiledContracts,
    accounts: list[LocalAccount],
) -> Rollup:
    """A fresh rollup settling the spec tests' perpetual market, its collateral USDC (token 1)."""
    deployment = deploy(
        w3,
        deployer,
        artifacts,
        config=RollupConfig(
            4,
            SMALL.account_depth,
            SMALL.balance_depth,
            State.genesis(SMALL, perp_config_hash(perp_config())).root,
            DEADLINE_BLOCKS,
            perpetuals=PerpetualsConfig.of(perp_config(), accounts[4].address, CLAIM_WINDOW_BLOCKS),
        ),
        operator=OperatorKey(operator.address, *OPERATOR_KEY),
        test_tokens=(TestTokenSpec("Wrapped Ether", "WETH"), TestTokenSpec("USD Coin", "USDC", 6)),
        verifier_contract="RejectingVerifier",
    )
    rollup = Rollup(w3, deployment, artifacts)
    usdc = rollup.token(COLLATERAL)
    for owner in accounts[2:5]:
        send_transaction(w3, owner, usdc.functions.mint(owner.address, MINT).build_transaction({"from": owner.address}))
    return rollup


def test_positions_exit_at_the_last_proven_prices_and_share_the_pool(
    rollup: Rollup, accounts: list[LocalAccount]
) -> None:
    alice, bob, fund = accounts[2:5]
    traders = {AccountIndex(ALICE): alice, AccountIndex(BOB): bob, FUND: fund}
    for index, trader in traders.items():
        rollup.deposit(trader, COLLATERAL, 100_000, public_key(index))
    state = State.genesis(SMALL, perp_config_hash(perp_config()))
    for request in rollup.l1_requests(0):
        assert isinstance(request.transaction, Deposit)
        process_deposit(state, request.transaction)

    # The spec's history: Alice (500 collateral) buys 100 lots at 100 from Bob (5,000); the
    # fund holds 1,000; the last proven price is 90, so Alice is 500 short and Bob gains 1,000.
    ledger = PerpLedger(perp_config(), state)
    process_oracle_update(ledger, price_update(ticks(110)), NOW)
    for index, amount in ((ALICE, 500), (BOB, 5_000), (FUND, 1_000)):
        process_collateral_transfer(state, ledger, transfer(index, amount, 0), NOW)
    maker = perp_order(BOB, 1, Side.SELL, ticks(100), 100)
    process_perp_trade(state, ledger, perp_trade(maker, perp_order(ALICE, 1, Side.BUY, ticks(100), 100), 100), NOW)
    process_oracle_update(ledger, price_update(ticks(90), NOW + 10), NOW + 10)
    claims = {index: exit_claim(ledger, index) for index in traders}
    assert claims == {ALICE: 0, BOB: 6_000, FUND: 1_000}
    payouts = exit_payouts(ledger.collateral_pool, {i: c for i, c in claims.items() if c}, FUND)
    assert payouts == {BOB: 6_000, FUND: 500}  # the fund covers Alice's deficit

    set_storage(rollup, SLOT_STATE_ROOT, state.root)
    set_storage(rollup, SLOT_L1_PROCESSED, 4)
    rollup.deposit(alice, COLLATERAL, 1, public_key(ALICE))  # waits past its deadline: anyone may freeze
    mine(rollup, DEADLINE_BLOCKS + 1)
    rollup.freeze(bob)
    w3, contract = rollup.w3, rollup.contract
    requests = read_requests(contract, rollup.deployment.block_number, w3.eth.block_number)
    rebuilt = Reconstruction(SMALL, state, perp_config(), requests, [], 4, True, w3.eth.block_number)
    usdc = rollup.token(COLLATERAL)
    vault = usdc.functions.balanceOf(contract.address).call()
    assert vault == 300_001

    # Within the window: each account exits its spot balance and proves its claim; Alice,
    # whose value is negative, has none to prove.
    proved = {index: leave(w3, contract, trader, rebuilt).perpetual_claim for index, trader in traders.items()}
    assert proved == claims
    assert contract.functions.perpetualClaims().call()[:3] == [ledger.collateral_pool, 6_000, 1_000]
    assert leave(w3, contract, bob, rebuilt).total(COLLATERAL) == 0  # nothing more until the window closes

    # After it: each is paid what the spec says, and the pool is paid out to the last unit.
    mine(rollup, CLAIM_WINDOW_BLOCKS + 1)
    paid = {index: leave(w3, contract, trader, rebuilt).perpetual_payout for index, trader in traders.items()}
    assert paid == {ALICE: 0, BOB: 6_000, FUND: 500}
    assert usdc.functions.balanceOf(contract.address).call() == ledger.collateral_pool - sum(paid.values()) == 0
    assert leave(w3, contract, bob, rebuilt).total(TokenId(COLLATERAL)) == 0  # paid once
