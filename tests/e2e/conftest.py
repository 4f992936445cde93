"""
Fixtures of the end-to-end tests: a real anvil process and a rollup deployed
on it with the verifier of the test circuit, with two funded traders.
"""

from collections.abc import Iterator

import pytest
from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts
from sequencer.devnet import Devnet
from sequencer.keystore import KEYSTORE_PASSWORD_ENV
from sequencer.l1.anvil import AnvilNode, start_anvil

UNIT = 10**18
WETH, USDC = 0, 1

KEYSTORE_PASSWORD = "correct horse"
"""The password of the tests' keystore files (``tests.e2e.test_exodus.key_file``)."""


@pytest.fixture(autouse=True)
def keystore_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands read a keystore's password from the environment, as a script would give it."""
    monkeypatch.setenv(KEYSTORE_PASSWORD_ENV, KEYSTORE_PASSWORD)


@pytest.fixture(scope="module")
def anvil() -> Iterator[AnvilNode]:
    """An anvil process of its own for each test module."""
    with start_anvil() as node:
        yield node


@pytest.fixture(scope="module")
def devnet(anvil: AnvilNode, circuit: CircuitArtifacts) -> Devnet:
    """The rollup deployed by anvil's first account, the operator."""
    return Devnet.deploy(anvil.web3(), anvil.accounts()[0], circuit)


@pytest.fixture(scope="module")
def alice(anvil: AnvilNode, devnet: Devnet) -> LocalAccount:
    """A trader holding 100 WETH on L1."""
    account = anvil.accounts()[1]
    devnet.mint(WETH, account.address, 100 * UNIT)
    return account


@pytest.fixture(scope="module")
def bob(anvil: AnvilNode, devnet: Devnet) -> LocalAccount:
    """A trader holding 100,000 USDC on L1."""
    account = anvil.accounts()[2]
    devnet.mint(USDC, account.address, 100_000 * UNIT)
    return account
