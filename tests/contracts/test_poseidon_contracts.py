"""The generated Poseidon contracts hash exactly as circomlib's Poseidon (Python)."""

import random

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from sequencer.l1.compile import POSEIDON_ARITIES, load_poseidon
from sequencer.l1.deploy import deploy_poseidon
from sequencer.crypto.poseidon import poseidon
from tests.contracts.helpers import P


@pytest.fixture(scope="module")
def hashers(w3: Web3, deployer: LocalAccount) -> dict[int, Contract]:
    contracts = {}
    for n, artifact in load_poseidon().items():
        address, _ = deploy_poseidon(w3, deployer, artifact)
        contracts[n] = w3.eth.contract(address=address, abi=artifact.abi)
    return contracts


def _inputs(n: int, rng: random.Random) -> list[list[int]]:
    cases = [[0] * n, [P - 1] * n, list(range(1, n + 1))]
    cases += [[rng.randrange(P) for _ in range(n)] for _ in range(12)]
    cases += [[rng.randrange(2**64) for _ in range(n)] for _ in range(4)]
    return cases


@pytest.mark.parametrize("n", POSEIDON_ARITIES)
def test_poseidon_matches_python(hashers: dict[int, Contract], n: int) -> None:
    rng = random.Random(n)
    function = hashers[n].get_function_by_signature(f"poseidon(uint256[{n}])")
    for inputs in _inputs(n, rng):
        assert function(inputs).call() == poseidon(inputs), inputs


@pytest.mark.parametrize("n", POSEIDON_ARITIES)
def test_poseidon_bytes32_overload_matches(hashers: dict[int, Contract], n: int) -> None:
    inputs = list(range(7, 7 + n))
    function = hashers[n].get_function_by_signature(f"poseidon(bytes32[{n}])")
    digest = function([x.to_bytes(32, "big") for x in inputs]).call()
    assert int.from_bytes(digest, "big") == poseidon(inputs)


def test_poseidon_known_answer(hashers: dict[int, Contract]) -> None:
    function = hashers[2].get_function_by_signature("poseidon(uint256[2])")
    assert function([1, 2]).call() == 7853200120776062878684798364095072458815029376092732009249414926327459813530


@pytest.mark.parametrize("n", POSEIDON_ARITIES)
def test_poseidon_fits_eip170(w3: Web3, hashers: dict[int, Contract], n: int) -> None:
    assert len(w3.eth.get_code(hashers[n].address)) <= 24576


def test_poseidon_gas_stays_in_budget(hashers: dict[int, Contract]) -> None:
    """Execution gas per call stays within what the rollup budgets (measured: see the l1 report)."""
    limits = {2: 60_000, 4: 120_000, 7: 130_000, 15: 220_000}
    for n, limit in limits.items():
        function = hashers[n].get_function_by_signature(f"poseidon(uint256[{n}])")
        assert function([P - 1] * n).estimate_gas() < limit
