"""
Perpetual slots on L1, on a real anvil with real proofs (``test_perp``: one
spot slot, two perpetual slots a batch).

A rollup deployed with perpetual markets (its parameters emitted, their hash
kept) verifies proven batches of oracle updates and a funding tick built by
the witness builder from the spec, and ``matchproof reconstruct``'s rebuild
from L1 alone reads the parameters, checks them against the contract's hash,
replays the perpetual slots and reaches every proven root, the markets'
prices and funding included.

Positions from L1 and back: three traders deposit the collateral token on
L1; proven batches consume their deposits, price the market, move
collateral in, trade, accrue funding, and after a fall liquidate the
underwater buyer as the sequencer's liquidation plan says (against the
insurance fund); ``reconstruct``
rebuilds the positions from L1 alone. Then a censored request freezes the
rollup, and every account leaves with what the spec's ``exit_claim`` and
``exit_payouts`` say at the last proven price: every token deposited
leaves the vault but the pool's remainder no claim covers (funding's
rounding).
"""

from collections.abc import Iterator
from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount
from web3.types import RPCEndpoint

from prover import CircuitArtifacts, build_circuit, prove
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.l1.checks import DeploymentMismatch, check_deployment
from sequencer.l1.compile import compile_contracts
from sequencer.l1.deploy import (
    DEFAULT_CLAIM_WINDOW_BLOCKS,
    DEFAULT_REQUEST_DEADLINE_BLOCKS,
    OperatorKey,
    PerpetualsConfig,
    RollupConfig,
    TestTokenSpec,
    deploy,
)
from sequencer.l1.exodus import leave
from sequencer.l1.reconstruct import ReconstructionError, reconstruct
from sequencer.l1.rollup import Rollup
from sequencer.l1.transactions import send_transaction
from sequencer.l1.verifying_key import VerifyingKey
from sequencer.spec.constants import TreeConfig
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.exit import exit_claim, exit_payouts
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.engine.liquidations import liquidation_plan
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.perpetual.transactions import FundingTick, Liquidation, PerpTransaction
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop, Transaction
from sequencer.spec.types import AccountIndex, FieldElement, Timestamp
from sequencer.witness.batch import PerpSlots, build_batch
from tests.contracts.conftest import MINT, REJECTING_VERIFIER
from tests.contracts.helpers import OPERATOR_KEY
from tests.contracts.test_exodus import matchproof, mine
from tests.spec.builders import ALICE, BOB, public_key
from tests.spec.perpetual.builders import BUY, COLLATERAL, SELL, config, perp_order, perp_trade, price_update, ticks, transfer

CIRCUIT = "test_perp"
"""One spot slot and two perpetual slots a batch, a quorum of three of four oracle keys."""
DEADLINE_BLOCKS = 4
CLAIM_WINDOW_BLOCKS = 30
"""Long enough for every account's exits and claim, one block each."""
FUND = AccountIndex(3)
"""The insurance fund's account: the third to deposit after the operator's registration."""


def perp_config() -> PerpConfig:
    """The spec tests' one-market deployment, its insurance fund the third trader."""
    return replace(config(), insurance_fund=FUND)



@pytest.fixture(scope="module")
def perp_circuit() -> CircuitArtifacts:
    """The perpetual test configuration's circuit, compiled and set up."""
    return build_circuit(CIRCUIT)


@pytest.fixture(scope="module")
def anvil() -> Iterator[AnvilNode]:
    with start_anvil() as node:
        yield node


def deployed(
    anvil: AnvilNode,
    circuit: CircuitArtifacts,
    perp: PerpConfig,
    fund_owner: str,
    deadline_blocks: int = DEFAULT_REQUEST_DEADLINE_BLOCKS,
    claim_window_blocks: int = DEFAULT_CLAIM_WINDOW_BLOCKS,
) -> tuple[Rollup, State]:
    """A rollup for ``circuit`` with ``perp``'s markets, deployed by account 0 (the operator), and its genesis state."""
    w3, operator = anvil.web3(), anvil.accounts()[0]
    params = dict(circuit.config.params)
    tree = TreeConfig.from_circuit_params(params)
    state = State.genesis(tree, perp_config_hash(perp))
    deployment = deploy(
        w3,
        operator,
        compile_contracts(),
        config=RollupConfig(
            params["nTx"],
            tree.account_depth,
            tree.balance_depth,
            state.root,
            deadline_blocks,
            perpetuals=PerpetualsConfig.of(perp, fund_owner, claim_window_blocks, params["nPerp"]),
        ),
        operator=OperatorKey(operator.address, *OPERATOR_KEY),
        test_tokens=(TestTokenSpec("Wrapped Ether", "WETH"), TestTokenSpec("USD Coin", "USDC", 6)),
        verifying_key=VerifyingKey.from_snarkjs(circuit.vkey),
    )
    return Rollup(w3, deployment, compile_contracts()), state


def test_proven_perpetual_slots_rebuild_from_l1(
    anvil: AnvilNode, perp_circuit: CircuitArtifacts, capsys: pytest.CaptureFixture[str]
) -> None:
    w3 = anvil.web3()
    operator: LocalAccount = anvil.accounts()[0]
    params = dict(perp_circuit.config.params)
    tree = TreeConfig.from_circuit_params(params)
    rollup, state = deployed(anvil, perp_circuit, config(), anvil.accounts()[4].address)
    assert rollup.contract.functions.perpetuals().call()[5] == params["nPerp"]
    check_deployment(w3, rollup.contract, tree, params["nTx"], None, config(), params["nPerp"])
    with pytest.raises(DeploymentMismatch, match="perpetual parameters"):  # a sequencer without them, or with others
        check_deployment(w3, rollup.contract, tree, params["nTx"])
    with pytest.raises(DeploymentMismatch, match="perpetual parameters"):
        check_deployment(w3, rollup.contract, tree, params["nTx"], None, replace(config(), oracle_window=61), params["nPerp"])

    now = Timestamp(int(w3.eth.get_block("latest")["timestamp"]))
    [registration] = rollup.l1_requests(0)  # the operator's account, queued by the constructor
    batches: list[tuple[Timestamp, list[Transaction], list[PerpTransaction]]] = [
        (Timestamp(now), [registration.transaction], [price_update(100, now)]),
        (Timestamp(now + 90), [Noop()], [price_update(97, now + 80), FundingTick((1_000,))]),
    ]
    chain = FieldElement(0)
    for number, (timestamp, txs, perp_txs) in enumerate(batches, start=1):
        if timestamp > now:  # L1's clock at the batch's, so that the batch is not from its future
            w3.provider.make_request(RPCEndpoint("evm_setNextBlockTimestamp"), [timestamp])
            w3.provider.make_request(RPCEndpoint("evm_mine"), [])
        batch = build_batch(state, txs, timestamp, chain, params["nTx"], PerpSlots(params["nPerp"], config(), perp_txs))
        proof = prove(perp_circuit, batch.circuit_input).solidity_calldata()
        rollup.submit_batch(operator, number, batch, proof)
        assert int(rollup.contract.functions.stateRoot().call()) == batch.new_root
        chain = batch.chain_end

    rebuilt = reconstruct(w3, rollup.contract)
    assert rebuilt.perp_config == config()
    assert rebuilt.root == state.root
    market = rebuilt.state.perp_markets[0]
    assert (market.oracle_price, market.oracle_time, market.funding_time) == (97, now + 80, now + 90)
    assert market.funding_index == 1_000 * 97 * 90  # the tick's rate at the price the slot before set, since the first price

    assert matchproof(anvil, rollup, "reconstruct") == 0
    shown = capsys.readouterr().out
    assert f"market 0 (quantum 1): price 97 ticks signed at {now + 80}, funding index {97 * 90_000}" in shown


def test_a_rollup_whose_quanta_are_not_its_parameters_does_not_rebuild(anvil: AnvilNode) -> None:
    """
    The contract values claims with its own quanta and cannot hash the
    parameters itself: reconstruction refuses a deployment whose quanta are
    not those of the parameters its state commits to.
    """
    w3 = anvil.web3()
    operator: LocalAccount = anvil.accounts()[0]
    tree = TreeConfig(account_depth=4, balance_depth=2, order_depth=2)
    perpetuals = PerpetualsConfig.of(config(), anvil.accounts()[4].address)
    deployment = deploy(
        w3,
        operator,
        compile_contracts(REJECTING_VERIFIER),
        config=RollupConfig(
            1,
            tree.account_depth,
            tree.balance_depth,
            State.genesis(tree, perp_config_hash(config())).root,
            perpetuals=replace(perpetuals, quanta=(2, 0, 0, 0)),
        ),
        operator=OperatorKey(operator.address, *OPERATOR_KEY),
        test_tokens=(TestTokenSpec("Wrapped Ether", "WETH"), TestTokenSpec("USD Coin", "USDC", 6)),
        verifier_contract="RejectingVerifier",
    )
    with pytest.raises(ReconstructionError, match="quanta"):
        reconstruct(w3, Rollup(w3, deployment, compile_contracts(REJECTING_VERIFIER)).contract)


def test_positions_opened_by_proven_batches_rebuild_and_leave_through_l1(
    anvil: AnvilNode, perp_circuit: CircuitArtifacts
) -> None:
    w3 = anvil.web3()
    operator, alice, bob, fund = (anvil.accounts()[i] for i in (0, 2, 3, 4))
    params = dict(perp_circuit.config.params)
    rollup, state = deployed(anvil, perp_circuit, perp_config(), fund.address, DEADLINE_BLOCKS, CLAIM_WINDOW_BLOCKS)
    usdc = rollup.token(COLLATERAL)
    traders: dict[AccountIndex, LocalAccount] = {AccountIndex(ALICE): alice, AccountIndex(BOB): bob, FUND: fund}
    for index, trader in traders.items():
        send_transaction(w3, trader, usdc.functions.mint(trader.address, MINT).build_transaction({"from": trader.address}))
        rollup.deposit(trader, COLLATERAL, 100_000, public_key(index))

    # Each batch consumes one L1 request (the operator's registration, then the deposits) in
    # its spot slot; its perpetual slots follow. Alice (500 collateral) buys 100 lots at 100
    # from Bob (5,000) at oracle price 110; the fund moves in 1,000; the last price is 90.
    now = int(w3.eth.get_block("latest")["timestamp"]) + 1
    maker = perp_order(BOB, 1, SELL, ticks(100), 100, expiry=now + 3_600)
    perpetual: list[list[PerpTransaction]] = [
        [price_update(ticks(110), now)],
        [transfer(ALICE, 500, 0)],
        [transfer(BOB, 5_000, 0), perp_trade(maker, perp_order(ALICE, 1, BUY, ticks(100), 100, expiry=now + 3_600), 100, 10, 20)],
        [transfer(FUND, 1_000, 0), price_update(ticks(90), now + 30)],
    ]
    chain = FieldElement(0)

    def proven(number: int, spot: Transaction, perp_txs: list[PerpTransaction]) -> None:
        nonlocal chain
        timestamp = Timestamp(now + 10 * (number - 1))
        w3.provider.make_request(RPCEndpoint("evm_setNextBlockTimestamp"), [timestamp])
        w3.provider.make_request(RPCEndpoint("evm_mine"), [])
        batch = build_batch(state, [spot], timestamp, chain, params["nTx"], PerpSlots(params["nPerp"], perp_config(), perp_txs))
        rollup.submit_batch(operator, number, batch, prove(perp_circuit, batch.circuit_input).solidity_calldata())
        assert int(rollup.contract.functions.stateRoot().call()) == batch.new_root
        chain = batch.chain_end

    for number, (request, perp_txs) in enumerate(zip(rollup.l1_requests(0), perpetual, strict=True), start=1):
        proven(number, request.transaction, perp_txs)
    # Funding accrues at the maximum rate since the first price (longs pay); then Alice,
    # below maintenance, is closed as the sequencer's liquidation plan says: against the fund.
    proven(5, Noop(), [FundingTick((perp_config().markets[0].max_funding_rate,))])
    ledger = PerpLedger(perp_config(), state)
    assert ledger.market(0).funding_index == perp_config().markets[0].max_funding_rate * ticks(90) * 40
    plan = liquidation_plan(ledger)
    assert [(type(step), step.account_index) for step in plan] == [(Liquidation, ALICE)]
    proven(6, Noop(), list(plan))

    rebuilt = reconstruct(w3, rollup.contract)
    assert rebuilt.root == state.root
    positions = PerpLedger(perp_config(), rebuilt.state)
    assert [positions.account(index).position(0).size for index in traders] == [0, -100, 100]
    assert positions.collateral_pool == ledger.collateral_pool == 500 + 5_000 + 1_000
    assert ledger.account(AccountIndex(ALICE)).collateral >= 0  # closed at her bankruptcy quote or better

    # Bob gains 1,000 less his fee (his funding rounds down to nothing); the operator's fee
    # account holds both fees; the fund holds Alice's long and what it paid for it.
    claimants = {AccountIndex(0): operator, **traders}
    claims = {index: exit_claim(ledger, index) for index in claimants}
    assert (claims[AccountIndex(0)], claims[AccountIndex(BOB)]) == (10 + 20, 5_000 + 10_000 - 10 - 9_000)
    payouts = exit_payouts(ledger.collateral_pool, {i: c for i, c in claims.items() if c}, FUND)

    rollup.deposit(alice, COLLATERAL, 1, public_key(ALICE))  # never served: anyone may freeze after its deadline
    mine(rollup, DEADLINE_BLOCKS + 1)
    rollup.freeze(bob)
    rebuilt = reconstruct(w3, rollup.contract)
    held = {index: usdc.functions.balanceOf(owner.address).call() for index, owner in claimants.items()}
    vault = usdc.functions.balanceOf(rollup.contract.address).call()
    assert vault == 3 * 100_000 + 1
    proved = {index: leave(w3, rollup.contract, owner, rebuilt).perpetual_claim for index, owner in claimants.items()}
    assert proved == claims
    mine(rollup, CLAIM_WINDOW_BLOCKS + 1)
    paid = {index: leave(w3, rollup.contract, owner, rebuilt).perpetual_payout for index, owner in claimants.items()}
    assert paid == {index: payouts.get(index, 0) for index in claimants}
    # Every claim fits the pool, so each is paid in full; what no claim covers stays: the unit
    # of funding Alice paid that Bob's share, rounded down, did not receive.
    unclaimed = ledger.collateral_pool - sum(paid.values())
    assert paid == claims and unclaimed == 1
    # Collateral conserved: every token deposited left as an exit, a refund or a claim's
    # payout, but for the pool's unclaimed remainder.
    received = {index: usdc.functions.balanceOf(owner.address).call() - held[index] for index, owner in claimants.items()}
    assert sum(received.values()) == vault - unclaimed
    assert usdc.functions.balanceOf(rollup.contract.address).call() == unclaimed
