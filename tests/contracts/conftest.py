"""Fixtures: one anvil per session, the contracts compiled once, a fresh rollup per test.

The verifier deployed here is contracts/test/mocks/RejectingVerifier.sol (never
accepts); tests that need accepted proofs use the real verifier and live with the
circuit's tests.
"""

from collections.abc import Iterator

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.l1.compile import CompiledContracts, compile_contracts
from sequencer.l1.deploy import (
    Deployment,
    OperatorKey,
    RollupConfig,
    TestTokenSpec,
    deploy,
    rollup_contract,
    token_contract,
)
from sequencer.l1.paths import REPO_ROOT
from sequencer.l1.transactions import send_transaction
from tests.contracts.helpers import OPERATOR_KEY

REJECTING_VERIFIER = REPO_ROOT / "contracts" / "test" / "mocks" / "RejectingVerifier.sol"
CONFIG = RollupConfig(n_tx=4, account_depth=4, balance_depth=2, genesis_root=1234567890)
MINT = 10**30


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilNode]:
    with start_anvil() as node:
        yield node


@pytest.fixture(scope="session")
def w3(anvil: AnvilNode) -> Web3:
    return anvil.web3()


@pytest.fixture(scope="session")
def artifacts() -> CompiledContracts:
    return compile_contracts(REJECTING_VERIFIER)


@pytest.fixture(scope="session")
def accounts(anvil: AnvilNode) -> list[LocalAccount]:
    return anvil.accounts()


@pytest.fixture(scope="session")
def deployer(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[0]


@pytest.fixture(scope="session")
def operator(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[1]


@pytest.fixture(scope="session")
def alice(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[2]


@pytest.fixture(scope="session")
def bob(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[3]


@pytest.fixture
def deployment(
    w3: Web3, deployer: LocalAccount, operator: LocalAccount, artifacts: CompiledContracts
) -> Deployment:
    """A fresh rollup with two test tokens (ids 0 and 1)."""
    return deploy(
        w3,
        deployer,
        artifacts,
        config=CONFIG,
        operator=OperatorKey(operator.address, *OPERATOR_KEY),
        test_tokens=(TestTokenSpec("Wrapped Ether", "WETH"), TestTokenSpec("USD Coin", "USDC", 6)),
        verifier_contract="RejectingVerifier",
    )


@pytest.fixture
def rollup(w3: Web3, deployment: Deployment, artifacts: CompiledContracts) -> Contract:
    return rollup_contract(w3, deployment, artifacts)


@pytest.fixture
def funded(
    w3: Web3,
    deployment: Deployment,
    artifacts: CompiledContracts,
    alice: LocalAccount,
    bob: LocalAccount,
) -> list[Contract]:
    """The test tokens, minted to Alice and Bob and approved for the rollup."""
    tokens = [token_contract(w3, address, artifacts) for address in deployment.test_tokens]
    for token in tokens:
        for owner in (alice, bob):
            send_transaction(w3, owner, token.functions.mint(owner.address, MINT).build_transaction({"from": owner.address}))
            send_transaction(
                w3,
                owner,
                token.functions.approve(deployment.rollup, 2**256 - 1).build_transaction({"from": owner.address}),
            )
    return tokens
