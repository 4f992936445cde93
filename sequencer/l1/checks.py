"""
Checks that a deployed rollup is the one a circuit configuration expects,
read from the chain rather than from a deployment file.

The constructor cannot know the circuit: it takes any verifier and any
genesis root. So every tool that works for a circuit checks the contract
first: its batch size and tree depths are the circuit's, its genesis root is
the empty state's root for those trees (a deployment that starts from a
non-empty state would let its deployer hold balances nobody deposited), and
its verifier holds the circuit's verification key (its ``verifyingKey()`` is the
one of the circuit's set-up) and is the verifier contract compiled from
``contracts/src`` (its code is what that contract's creation with this key
leaves, so no other contract can claim the key).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi.exceptions import DecodingError
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3Exception

from sequencer.spec.constants import ORDER_REF_BITS, TreeConfig
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.state import State
from sequencer.spec.types import FieldElement

from .compile import ContractArtifact
from .verifying_key import VerifyingKey


class DeploymentMismatch(Exception):
    """The rollup on chain is not the one this circuit configuration expects."""


@dataclass(frozen=True)
class ExpectedVerifier:
    """The verifier a circuit needs: the compiled contract and the circuit's verifying key."""

    artifact: ContractArtifact
    key: VerifyingKey

    def runtime_code(self, w3: Web3) -> bytes:
        """The code a deployment of the contract with this key leaves (an ``eth_call`` of its creation)."""
        factory = w3.eth.contract(abi=self.artifact.abi, bytecode=self.artifact.bytecode)
        takes_key = any(entry.get("type") == "constructor" and entry.get("inputs") for entry in self.artifact.abi)
        creation = factory.constructor(self.key.as_struct()) if takes_key else factory.constructor()
        return bytes(w3.eth.call({"data": creation.data_in_transaction}))


def empty_state_trees(account_depth: int, balance_depth: int, genesis_root: int, perp_config_hash: int) -> TreeConfig:
    """
    The tree depths of a rollup: its account and balance depths, and the
    order depth whose empty state, committing to the rollup's perpetual
    parameters (``perpetuals().configHash``), has its genesis root. Every
    tool that trusts the rollup's roots (the trader's deposit,
    reconstruction and exits) asks this first.

    Raises
    ------
    DeploymentMismatch
        No order depth gives the genesis root: the rollup starts from a state
        that is not empty (its deployer could hold balances nobody deposited).
    """
    for order_depth in range(2, ORDER_REF_BITS - 1, 2):
        config = TreeConfig(account_depth, balance_depth, order_depth)
        if State.genesis(config, FieldElement(perp_config_hash)).root == genesis_root:
            return config
    raise DeploymentMismatch(f"the genesis root {genesis_root} is not the root of an empty state: not a fresh rollup")


def check_deployment(
    w3: Web3,
    rollup: Contract,
    tree: TreeConfig,
    slots: int,
    verifier: ExpectedVerifier | None = None,
    perp: PerpConfig | None = None,
    perp_slots: int = 0,
) -> None:
    """
    Check the rollup contract against a circuit configuration: ``slots`` per
    batch, the perpetual parameters ``perp`` (their hash) and ``perp_slots``
    per batch (none without ``perp``), ``tree``'s depths, the empty state's
    genesis root (which commits to the perpetual parameters) and, if the
    expected ``verifier`` is given, the key the rollup's verifier holds and
    its code.

    Raises
    ------
    DeploymentMismatch
        Naming the first value that differs, as found and as expected.
    """
    config_hash = perp_config_hash(perp)
    expected = {
        "nTx": slots,
        "accountDepth": tree.account_depth,
        "balanceDepth": tree.balance_depth,
        "genesisRoot": State.genesis(tree, config_hash).root,
    }
    perpetuals = rollup.functions.perpetuals().call()
    found_hash, found_slots = int(perpetuals[4]), int(perpetuals[5])
    if (found_hash, found_slots) != (config_hash, perp_slots):
        raise DeploymentMismatch(
            f"the rollup's perpetual parameters hash to {found_hash} with {found_slots} perpetual slots a batch; "
            f"the sequencer has {config_hash} with {perp_slots}"
        )
    for name, value in expected.items():
        found = int(rollup.get_function_by_name(name)().call())
        if found != value:
            raise DeploymentMismatch(f"the rollup's {name} is {found}; the circuit configuration needs {value}")
    if verifier is None:
        return
    address = rollup.functions.verifier().call()
    try:
        held = VerifyingKey.read(w3, address)
    except (DecodingError, Web3Exception) as error:  # no such function, or no contract there
        raise DeploymentMismatch(f"the verifier at {address} does not tell its verification key: {error}") from error
    if held != verifier.key:
        raise DeploymentMismatch(f"the verifier at {address} does not hold this circuit's verification key")
    if bytes(w3.eth.get_code(address)) != verifier.runtime_code(w3):
        raise DeploymentMismatch(f"the verifier at {address} is not {verifier.artifact.name} as compiled here")
