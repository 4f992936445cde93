"""
Perpetual slots on L1, on a real anvil with real proofs: a rollup deployed
with perpetual markets (its parameters emitted, their hash kept, two
perpetual slots a batch) verifies proven batches of oracle updates and a
funding tick built by the witness builder from the spec, and
``matchproof reconstruct``'s rebuild from L1 alone reads the parameters,
checks them against the contract's hash, replays the perpetual slots and
reaches every proven root, the markets' prices and funding included.
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
from sequencer.l1.deploy import OperatorKey, PerpetualsConfig, RollupConfig, TestTokenSpec, deploy
from sequencer.l1.reconstruct import ReconstructionError, reconstruct
from sequencer.l1.rollup import Rollup
from sequencer.l1.verifying_key import VerifyingKey
from sequencer.spec.constants import TreeConfig
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.transactions import FundingTick
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop
from sequencer.spec.types import FieldElement, Timestamp
from sequencer.witness.batch import PerpSlots, build_batch
from tests.contracts.conftest import REJECTING_VERIFIER
from tests.contracts.helpers import OPERATOR_KEY
from tests.contracts.test_exodus import matchproof
from tests.spec.perpetual.builders import config, price_update

CIRCUIT = "test_perp"
"""One spot slot and two perpetual slots a batch, a quorum of three of four oracle keys."""


@pytest.fixture(scope="module")
def perp_circuit() -> CircuitArtifacts:
    """The perpetual test configuration's circuit, compiled and set up."""
    return build_circuit(CIRCUIT)


@pytest.fixture(scope="module")
def anvil() -> Iterator[AnvilNode]:
    with start_anvil() as node:
        yield node


def test_proven_perpetual_slots_rebuild_from_l1(
    anvil: AnvilNode, perp_circuit: CircuitArtifacts, capsys: pytest.CaptureFixture[str]
) -> None:
    w3 = anvil.web3()
    operator: LocalAccount = anvil.accounts()[0]
    params = dict(perp_circuit.config.params)
    tree = TreeConfig.from_circuit_params(params)
    state = State.genesis(tree, perp_config_hash(config()))
    deployment = deploy(
        w3,
        operator,
        compile_contracts(),
        config=RollupConfig(
            params["nTx"],
            tree.account_depth,
            tree.balance_depth,
            state.root,
            perpetuals=PerpetualsConfig.of(config(), anvil.accounts()[4].address, slots=params["nPerp"]),
        ),
        operator=OperatorKey(operator.address, *OPERATOR_KEY),
        test_tokens=(TestTokenSpec("Wrapped Ether", "WETH"), TestTokenSpec("USD Coin", "USDC", 6)),
        verifying_key=VerifyingKey.from_snarkjs(perp_circuit.vkey),
    )
    rollup = Rollup(w3, deployment, compile_contracts())
    assert rollup.contract.functions.perpetuals().call()[5] == params["nPerp"]
    with pytest.raises(DeploymentMismatch, match="has perpetual markets"):  # the service builds no perpetual slot
        check_deployment(w3, rollup.contract, tree, params["nTx"])

    now = Timestamp(int(w3.eth.get_block("latest")["timestamp"]))
    [registration] = rollup.l1_requests(0)  # the operator's account, queued by the constructor
    batches = [
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
