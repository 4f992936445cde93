"""
The service against a real chain: a rollup deployed on anvil, deposits made
with the ``deposit`` command, picked up from the contract's queue, traded on,
batched, and handed to the proving hook and the rollup contract.

The deployment's verifier rejects every proof (no circuit is set up here),
so the submission reverts on chain and the batch stays ``proven``: the
submitter's retry path, against a real node, through the one settlement path
(the proving queue, a worker in this process, the L1 submitter).
"""

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from prover.groth16 import Proof

from sequencer.client.cli import add_subcommands
from sequencer.client.http import SequencerClient
from sequencer.keystore import PRIVATE_KEY_ENV
from sequencer.client.trader import Trader, next_order_id
from sequencer.crypto.eddsa import private_to_public
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.l1.checks import DeploymentMismatch, ExpectedVerifier, check_deployment
from sequencer.l1.compile import compile_contracts
from sequencer.l1.deploy import Deployment, OperatorKey, RollupConfig, TestTokenSpec, deploy, token_contract
from sequencer.l1.paths import REPO_ROOT
from sequencer.l1.rollup import Rollup
from sequencer.l1.submitter import Submitter
from sequencer.l1.transactions import send_transaction
from sequencer.l1.verifying_key import VerifyingKey
from sequencer.local_system import markets_document
from sequencer.service.cli import add_subcommands as add_service_subcommands, build_service
from sequencer.service.config import ConfigError, ServiceConfig
from sequencer.service.core import SequencerService
from sequencer.service.l1 import ChainRequests
from sequencer.service.server import BackgroundServer
from sequencer.settlement import LocalProver, Settlement
from sequencer.spec.constants import Side, TreeConfig
from sequencer.spec.state import State
from sequencer.proving_queue import ProvingQueue
from sequencer.witness.batch import ProvableBatch
from tests.engine.exchange import MARKET
from tests.service.harness import wait_for
from tests.support.scenario import BASE, QUOTE, UNIT

REJECTING_VERIFIER = REPO_ROOT / "contracts" / "test" / "mocks" / "RejectingVerifier.sol"
TREE = TreeConfig(account_depth=4, balance_depth=2, order_depth=4)
SLOTS = 2


def zero_proof(batch: ProvableBatch) -> Proof:
    """A proof of zeros claiming the batch's public input (the deployment's verifier rejects every proof anyway)."""
    return Proof((0, 0), ((0, 0), (0, 0)), (0, 0), (batch.public_input_hash,), 0.0, 0.0)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AnvilNode, Deployment, Path]]:
    """anvil with the rollup and two test tokens deployed; the deployment file's path."""
    with start_anvil() as node:
        w3 = node.web3()
        deployer, operator = node.accounts()[:2]
        operator_key = private_to_public(b"\x01" * 32)
        deployment = deploy(
            w3,
            deployer,
            compile_contracts(REJECTING_VERIFIER),
            config=RollupConfig(SLOTS, TREE.account_depth, TREE.balance_depth, State.genesis(TREE).root),
            operator=OperatorKey(operator.address, operator_key.ax, operator_key.ay),
            test_tokens=(TestTokenSpec("Base", "BASE"), TestTokenSpec("Quote", "QUOTE")),
            verifier_contract="RejectingVerifier",
        )
        path = tmp_path_factory.mktemp("chain") / "deployment.json"
        deployment.save(path)
        yield node, deployment, path


def deposit_with_cli(
    node: AnvilNode, deployment: Path, trader: LocalAccount, token: int, amount: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mint test tokens to ``trader`` and deposit them with the ``deposit`` command."""
    rollup = Rollup(node.web3(), Deployment.load(deployment), compile_contracts(REJECTING_VERIFIER))
    mint = token_contract(rollup.w3, rollup.deployment.tokens[token], rollup.artifacts).functions.mint(
        trader.address, amount
    )
    send_transaction(rollup.w3, trader, mint.build_transaction({"from": trader.address}))
    parser = argparse.ArgumentParser()
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setenv(PRIVATE_KEY_ENV, trader.key.hex())
    args = parser.parse_args(["deposit", str(token), str(amount), "--rpc", node.url, "--deployment", str(deployment)])
    assert args.run(args) == 0


def test_deposits_from_the_chain_trade_and_reach_the_proving_hook(
    chain: tuple[AnvilNode, Deployment, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node, deployment, path = chain
    operator, alice, bob = node.accounts()[1:4]
    deposit_with_cli(node, path, alice, BASE, 10 * UNIT, monkeypatch)
    deposit_with_cli(node, path, bob, QUOTE, 1000 * UNIT, monkeypatch)
    rollup = Rollup(node.web3(), deployment, compile_contracts(REJECTING_VERIFIER))
    config = ServiceConfig(
        tmp_path / "data", TREE, SLOTS, (MARKET,), chain_id=deployment.chain_id, rollup=deployment.rollup,
        max_batch_wait_s=1, poll_interval_s=0.1, token_count=len(deployment.tokens),
    )  # fmt: skip
    queue = ProvingQueue(check=lambda proof: None)  # this test's proofs are not checked: L1 refuses them
    submitter = Submitter(rollup, operator, max_reverts=100)
    service = SequencerService(
        config,
        operator,
        l1=ChainRequests(rollup),
        settlement=Settlement(queue, submitter),
        local_prover=LocalProver(queue, zero_proof),
    )
    with BackgroundServer(service) as server, SequencerClient(server.url) as client:
        wait_for(lambda: client.status().l1_requests == 3)  # the operator's account, then the two deposits
        info = client.info()
        assert (info.chain_id, info.rollup) == (deployment.chain_id, deployment.rollup)
        seller = Trader.from_eth_account(alice, info, client.account_by_address(alice.address).account_index)
        buyer = Trader.from_eth_account(bob, info, client.account_by_address(bob.address).account_index)
        market = client.market(MARKET.name)
        for trader, side in ((seller, Side.SELL), (buyer, Side.BUY)):
            order_id = next_order_id(client.account(trader.account_index))
            command = trader.order(market, order_id, side, 100 * UNIT, 2 * UNIT, 50, 2**40)
            placed = client.place_order(command)
        assert [t.base for t in placed.trades] == [2 * UNIT]
        wait_for(lambda: submitter.reverts.get(1, 0) >= 2, timeout_s=60)
        assert client.batch(1).status == "proven"  # the proof is kept; only its submission is retried
        assert [c.number for c in queue.completions].count(1) == 1
        assert rollup.last_batch() == 0


def test_the_deployment_is_checked_on_chain_against_the_circuit(chain: tuple[AnvilNode, Deployment, Path]) -> None:
    """Batch size, depths, the empty state's genesis root and the verifier's key, as the chain holds them."""
    node, deployment, _ = chain
    contracts = compile_contracts(REJECTING_VERIFIER)
    rollup = Rollup(node.web3(), deployment, contracts)
    mock_key = VerifyingKey.from_words((0,) * 18)  # the mock verifier holds an all-zero key
    check_deployment(rollup.w3, rollup.contract, TREE, SLOTS, ExpectedVerifier(contracts.get("RejectingVerifier"), mock_key))
    with pytest.raises(DeploymentMismatch, match="nTx is 2; the circuit configuration needs 3"):
        check_deployment(rollup.w3, rollup.contract, TREE, SLOTS + 1)
    with pytest.raises(DeploymentMismatch, match="genesisRoot"):  # the empty state of other trees
        check_deployment(rollup.w3, rollup.contract, TreeConfig(TREE.account_depth, TREE.balance_depth, 6), SLOTS)
    other_key = VerifyingKey.from_words((1,) + (0,) * 17)
    with pytest.raises(DeploymentMismatch, match="does not hold this circuit's verification key"):
        check_deployment(rollup.w3, rollup.contract, TREE, SLOTS, ExpectedVerifier(contracts.get("RejectingVerifier"), other_key))
    # The right key, told by a contract that is not the verifier: refused on its code.
    with pytest.raises(DeploymentMismatch, match="is not Groth16BatchVerifier as compiled here"):
        check_deployment(rollup.w3, rollup.contract, TREE, SLOTS, ExpectedVerifier(contracts.get("Groth16BatchVerifier"), mock_key))


def test_tools_refuse_a_rollup_that_starts_from_a_non_empty_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A genesis root other than an empty state's would let its deployer hold balances nobody deposited."""
    tree = TreeConfig(account_depth=4, balance_depth=2, order_depth=2)  # the "test" circuit's
    with start_anvil() as node:
        deployer, operator = node.accounts()[:2]
        key = private_to_public(b"\x01" * 32)
        deployment = deploy(
            node.web3(),
            deployer,
            compile_contracts(REJECTING_VERIFIER),
            config=RollupConfig(1, tree.account_depth, tree.balance_depth, State.genesis(tree).root + 1),
            operator=OperatorKey(operator.address, key.ax, key.ay),
            test_tokens=(TestTokenSpec("Base", "BASE"), TestTokenSpec("Quote", "QUOTE")),
            verifier_contract="RejectingVerifier",
        )
        deployment.save(tmp_path / "deployment.json")
        (tmp_path / "markets.json").write_text(json.dumps(markets_document([MARKET])))
        parser = argparse.ArgumentParser()
        add_service_subcommands(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(
            ["sequencer", "--markets", str(tmp_path / "markets.json"), "--circuit", "test", "--rpc", node.url]
            + ["--deployment", str(tmp_path / "deployment.json"), "--data-dir", str(tmp_path / "data")]
        )
        with pytest.raises(ConfigError, match="genesisRoot"):
            build_service(args, operator)
        # Nor does the trader's client deposit into it.
        trader = node.accounts()[3]
        monkeypatch.setenv(PRIVATE_KEY_ENV, trader.key.hex())
        client_parser = argparse.ArgumentParser()
        add_subcommands(client_parser.add_subparsers(dest="command", required=True))
        deposit = client_parser.parse_args(
            ["deposit", "0", "1", "--rpc", node.url, "--deployment", str(tmp_path / "deployment.json")]
        )
        assert deposit.run(deposit) != 0
        assert "refusing to deposit" in capsys.readouterr().err


def test_a_confirmation_depth_holds_back_the_newest_requests(chain: tuple[AnvilNode, Deployment, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    node, deployment, path = chain
    rollup = Rollup(node.web3(), deployment, compile_contracts(REJECTING_VERIFIER))
    deposit_with_cli(node, path, node.accounts()[5], BASE, UNIT, monkeypatch)
    newest = rollup.l1_request_count() - 1
    assert ChainRequests(rollup).since(newest)[0][0] == newest  # at once without a depth
    deep = ChainRequests(rollup, confirmations=3)
    assert deep.since(newest) == []  # its block has no confirmation yet
    node.web3().provider.make_request("anvil_mine", [2])  # type: ignore[arg-type]
    assert deep.since(newest) == []
    node.web3().provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
    assert [index for index, _ in deep.since(newest)] == [newest]
