"""Deploy Matchproof and what it needs on a chain.

    artifacts = compile_contracts()
    deployment = deploy(
        w3, deployer, artifacts,
        config=RollupConfig(n_tx=4, account_depth=4, balance_depth=2, genesis_root=root),
        operator=OperatorKey(address, ax, ay),
        test_tokens=(TestTokenSpec("Wrapped Ether", "WETH"), TestTokenSpec("USD Coin", "USDC", 6)),
        verifying_key=VerifyingKey.from_snarkjs(Path("build/.../verification_key.json")),
    )
    deployment.save(Path("data/deployment.json"))

Order: the Poseidon contracts for 2, 4, 5, 7, 9 and 15 inputs (from
``build/contracts/poseidon.json``; each after the data contracts holding its
constants, if any: :func:`deploy_poseidon`), the
verifier (``Groth16BatchVerifier`` holding the circuit's verifying key, unless an
address is given), the test tokens, then ``Matchproof``
(whose constructor registers the operator as account 0 and queues its creation).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, cast

from eth_abi.abi import encode
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.types import TxParams, TxReceipt

from sequencer.l1.compile import POSEIDON_ARITIES, CompiledContracts, PoseidonArtifact, load_poseidon
from sequencer.l1.transactions import send_transaction
from sequencer.l1.verifying_key import VerifyingKey
from sequencer.l1.perp_parameters import encode_perp_parameters
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.constants import MAX_PERP_MARKETS
from sequencer.spec.perpetual.state import PerpConfig

ROLLUP_CONTRACT = "Matchproof"
VERIFIER_CONTRACT = "Groth16BatchVerifier"
TEST_TOKEN_CONTRACT = "TestToken"

DEFAULT_REQUEST_DEADLINE_BLOCKS = 50_400
"""Blocks a batch has to consume an L1 request before anyone may freeze the rollup:
seven days of 12-second blocks, as StarkEx gives forced requests. Tests use a few blocks."""


DEFAULT_MAX_TIMESTAMP_LAG = 1800
"""Seconds a batch's timestamp may lag the block that verifies it: half an hour. Order
expiry is checked against the batch's timestamp, so a signed order can fill no later
than its expiry plus this, in L1 time; the sequencer seals, proves and submits well within it."""


DEFAULT_REQUEST_FEE = 10**14
"""Wei each user's L1 request (deposit, forced withdrawal, forced cancel-all) pays: 0.0001 ether,
about what its batch slot costs the operator in L1 gas (~50k gas at 2 gwei), so that a flood
of requests costs its sender at least what it costs the operator."""

DEFAULT_REGISTRATION_FEE = 10**15
"""Wei the deposit that registers an account pays on top: 0.001 ether. Accounts are never
recycled: filling a 2^24-account tree would cost ~16,800 ether."""

DEFAULT_MAX_REQUESTS_PER_BLOCK = 16
"""The most users' L1 requests one block takes. With the deadline, it bounds what a flood can
ask of the operator: at most this many batch slots per L1 block to prove before the deadline."""


ZERO_ADDRESS = "0x" + "00" * 20
"""No address: a deployment without an insurance fund."""

DEFAULT_CLAIM_WINDOW_BLOCKS = 50_400
"""Blocks after a freeze during which accounts prove their perpetual claims: seven days of
12-second blocks, as long as a forced request waits. The claims are paid after it."""


class DeploymentError(Exception):
    """A deployment step did not produce a contract."""


@dataclass(frozen=True)
class PerpetualsConfig:
    """
    What the rollup needs to settle perpetual claims after a freeze
    (``IMatchproof.Perpetuals``): the collateral's token id, the insurance
    fund's L1 address, each of the four markets' quantum (0 for a market not
    configured), the claim window, the hash of the deployment's
    perpetual parameters, which its genesis state commits to
    (``perp_config_hash``), the perpetual slots per batch (the circuit's
    ``nPerp``) and the parameters themselves, which the constructor emits
    for readers of L1 (``perp_parameters``); build them all from one
    configuration with :meth:`of`. The default configures no market and no
    fund: no account can hold a position.

    The fund's account index (the spec's ``PerpConfig.insurance_fund``) is
    reserved for its address: the rollup refuses any other address a
    registration there, and the fund a registration anywhere else, so
    whoever registers first cannot take the fund's account.
    """

    collateral_token: int = 0
    insurance_fund: str = ZERO_ADDRESS
    quanta: tuple[int, int, int, int] = (0, 0, 0, 0)
    claim_window_blocks: int = DEFAULT_CLAIM_WINDOW_BLOCKS
    config_hash: int = 0
    slots: int = 0
    parameters: bytes = b""
    insurance_fund_index: int = 0

    @classmethod
    def of(
        cls,
        perp: PerpConfig,
        insurance_fund: str,
        claim_window_blocks: int = DEFAULT_CLAIM_WINDOW_BLOCKS,
        slots: int = 0,
    ) -> PerpetualsConfig:
        """
        The rollup's perpetual parameters from the spec's configuration: its
        fund's account (``perp.insurance_fund``) reserved for
        ``insurance_fund`` (the zero address: no fund, nothing reserved),
        ``slots`` perpetual slots per batch (the circuit configuration's ``nPerp``).
        """
        quanta = [market.quantum for market in perp.markets] + [0] * (MAX_PERP_MARKETS - len(perp.markets))
        return cls(
            perp.collateral_token,
            insurance_fund,
            (quanta[0], quanta[1], quanta[2], quanta[3]),
            claim_window_blocks,
            perp_config_hash(perp),
            slots,
            encode_perp_parameters(perp),
            perp.insurance_fund if int(insurance_fund, 16) else 0,
        )

    def as_struct(self) -> tuple[int, str, list[int], int, int, int, int]:
        """The constructor's ``Perpetuals`` tuple."""
        fund = Web3.to_checksum_address(self.insurance_fund)
        return (
            self.collateral_token,
            fund,
            list(self.quanta),
            self.claim_window_blocks,
            self.config_hash,
            self.slots,
            self.insurance_fund_index,
        )


@dataclass(frozen=True)
class RollupConfig:
    """The circuit configuration the rollup is deployed for, and its L1 request deadline."""

    n_tx: int
    account_depth: int
    balance_depth: int
    genesis_root: int
    """
    The genesis state's root for these depths and the perpetual parameters
    (``State.genesis(tree, perpetuals.config_hash).root``: it commits to the
    order depth too).
    """
    request_deadline_blocks: int = DEFAULT_REQUEST_DEADLINE_BLOCKS
    """Blocks a batch has to consume an L1 request before anyone may freeze the rollup."""
    max_timestamp_lag: int = DEFAULT_MAX_TIMESTAMP_LAG
    """Seconds a batch's timestamp may lag the block that verifies it."""
    request_fee: int = DEFAULT_REQUEST_FEE
    """Wei each user's L1 request pays (``requestFee()``)."""
    registration_fee: int = DEFAULT_REGISTRATION_FEE
    """Wei the deposit that registers an account pays on top (``registrationFee()``)."""
    max_requests_per_block: int = DEFAULT_MAX_REQUESTS_PER_BLOCK
    """The most users' L1 requests one block takes (``maxRequestsPerBlock()``)."""
    perpetuals: PerpetualsConfig = PerpetualsConfig()
    """How perpetual claims are settled after a freeze (``perpetuals()``)."""


@dataclass(frozen=True)
class OperatorKey:
    """The operator: its L1 address and BabyJubJub public key (account 0)."""

    address: str
    ax: int
    ay: int


@dataclass(frozen=True)
class TestTokenSpec:
    """A ``TestToken`` to deploy (anyone can mint it: devnets and tests only)."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    name: str
    symbol: str
    decimals: int = 18


@dataclass(frozen=True)
class Deployment:
    """Where everything was deployed. Saved and loaded as JSON."""

    chain_id: int
    block_number: int
    """The block that created the rollup: scan its events from here."""
    rollup: str
    verifier: str
    poseidon: dict[int, str]
    """Poseidon contract address by number of inputs (``POSEIDON_ARITIES``)."""
    tokens: tuple[str, ...]
    """The rollup's token list: token id = index."""
    test_tokens: tuple[str, ...]
    """Those of ``tokens`` that are mintable TestTokens."""
    operator: str
    operator_ax: int
    operator_ay: int
    n_tx: int
    account_depth: int
    balance_depth: int
    genesis_root: int
    deployer: str
    request_deadline_blocks: int = DEFAULT_REQUEST_DEADLINE_BLOCKS
    max_timestamp_lag: int = DEFAULT_MAX_TIMESTAMP_LAG
    gas_used: dict[str, int] = field(default_factory=dict)
    """Gas used by each deployment transaction, by contract."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (integers that may exceed 2^53 as decimal strings)."""
        data = asdict(self)
        data["poseidon"] = {str(n): address for n, address in self.poseidon.items()}
        data["tokens"] = list(self.tokens)
        data["test_tokens"] = list(self.test_tokens)
        for name in ("operator_ax", "operator_ay", "genesis_root"):
            data[name] = str(data[name])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deployment:
        return cls(
            chain_id=int(data["chain_id"]),
            block_number=int(data["block_number"]),
            rollup=str(data["rollup"]),
            verifier=str(data["verifier"]),
            poseidon={int(n): str(address) for n, address in data["poseidon"].items()},
            tokens=tuple(str(t) for t in data["tokens"]),
            test_tokens=tuple(str(t) for t in data["test_tokens"]),
            operator=str(data["operator"]),
            operator_ax=int(data["operator_ax"]),
            operator_ay=int(data["operator_ay"]),
            n_tx=int(data["n_tx"]),
            account_depth=int(data["account_depth"]),
            balance_depth=int(data["balance_depth"]),
            genesis_root=int(data["genesis_root"]),
            deployer=str(data["deployer"]),
            request_deadline_blocks=int(data.get("request_deadline_blocks", DEFAULT_REQUEST_DEADLINE_BLOCKS)),
            max_timestamp_lag=int(data.get("max_timestamp_lag", DEFAULT_MAX_TIMESTAMP_LAG)),
            gas_used={str(k): int(v) for k, v in data.get("gas_used", {}).items()},
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Deployment:
        return cls.from_json(json.loads(path.read_text()))


def _created(receipt: TxReceipt, what: str) -> ChecksumAddress:
    address = receipt.get("contractAddress")
    if address is None:
        raise DeploymentError(f"{what}: the transaction created no contract")
    return Web3.to_checksum_address(address)


def deploy_bytecode(w3: Web3, deployer: LocalAccount, bytecode: str, what: str) -> tuple[ChecksumAddress, int]:
    """Deploy raw creation bytecode; returns (address, gas used)."""
    receipt = send_transaction(w3, deployer, cast(TxParams, {"data": bytecode}))
    return _created(receipt, what), int(receipt["gasUsed"])


def deploy_poseidon(w3: Web3, deployer: LocalAccount, artifact: PoseidonArtifact) -> tuple[ChecksumAddress, int]:
    """
    Deploy a generated Poseidon contract: the data contracts holding its
    constants first, in order, then the hash contract with their addresses as
    constructor arguments (its constructor checks their code). Returns (address,
    gas used by all of its transactions).
    """
    what = f"Poseidon{artifact.n_inputs}"
    gas = 0
    parts: list[str] = []
    for part, code in enumerate(artifact.constants):
        address, used = deploy_bytecode(w3, deployer, code, f"{what} constants {part}")
        parts.append(address)
        gas += used
    arguments = encode(["address"] * len(parts), parts).hex()
    address, used = deploy_bytecode(w3, deployer, artifact.bytecode + arguments, what)
    return address, gas + used


def deploy_contract(
    w3: Web3,
    deployer: LocalAccount,
    artifacts: CompiledContracts,
    name: str,
    *args: Any,
) -> tuple[ChecksumAddress, int, TxReceipt]:
    """Deploy compiled contract ``name`` with constructor ``args``; returns (address, gas used, receipt)."""
    artifact = artifacts.get(name)
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    data = factory.constructor(*args).data_in_transaction
    receipt = send_transaction(w3, deployer, cast(TxParams, {"data": data}))
    return _created(receipt, name), int(receipt["gasUsed"]), receipt


def deploy(
    w3: Web3,
    deployer: LocalAccount,
    artifacts: CompiledContracts,
    *,
    config: RollupConfig,
    operator: OperatorKey,
    tokens: Sequence[str] = (),
    test_tokens: Sequence[TestTokenSpec] = (),
    verifying_key: VerifyingKey | None = None,
    verifier: str | None = None,
    verifier_contract: str = VERIFIER_CONTRACT,
) -> Deployment:
    """Deploy the Poseidon contracts, the verifier, test tokens and the rollup.

    The rollup's token list is ``tokens`` (existing ERC-20 addresses) followed by
    the newly deployed ``test_tokens``. ``verifier`` is the address of a deployed
    verifier; without it, ``verifier_contract`` is deployed from ``artifacts``:
    ``Groth16BatchVerifier`` with the circuit's ``verifying_key``, or a test
    mock (compiled with its source; no key).

    Raises
    ------
    DeploymentError
        The batch verifier is to be deployed without a verifying key.
    """
    gas_used: dict[str, int] = {}
    poseidon: dict[int, str] = {}
    for n, artifact in load_poseidon(POSEIDON_ARITIES).items():
        poseidon[n], gas_used[f"Poseidon{n}"] = deploy_poseidon(w3, deployer, artifact)

    if verifier is None:
        if verifying_key is None and verifier_contract == VERIFIER_CONTRACT:
            raise DeploymentError("the batch verifier needs the circuit's verifying key")
        key_argument = () if verifying_key is None else (verifying_key.as_struct(),)
        verifier, gas_used[verifier_contract], _ = deploy_contract(w3, deployer, artifacts, verifier_contract, *key_argument)
    verifier = Web3.to_checksum_address(verifier)

    token_list = [Web3.to_checksum_address(t) for t in tokens]
    minted: list[str] = []
    for spec in test_tokens:
        address, gas_used[f"TestToken {spec.symbol}"], _ = deploy_contract(
            w3, deployer, artifacts, TEST_TOKEN_CONTRACT, spec.name, spec.symbol, spec.decimals
        )
        token_list.append(address)
        minted.append(address)

    rollup, gas_used[ROLLUP_CONTRACT], receipt = deploy_contract(
        w3,
        deployer,
        artifacts,
        ROLLUP_CONTRACT,
        verifier,
        tuple(poseidon[n] for n in POSEIDON_ARITIES),
        config.genesis_root,
        token_list,
        (
            config.n_tx,
            config.account_depth,
            config.balance_depth,
            config.request_deadline_blocks,
            config.max_timestamp_lag,
            config.request_fee,
            config.registration_fee,
            config.max_requests_per_block,
        ),
        (Web3.to_checksum_address(operator.address), operator.ax, operator.ay),
        config.perpetuals.as_struct(),
        config.perpetuals.parameters,
    )
    return Deployment(
        chain_id=w3.eth.chain_id,
        block_number=int(receipt["blockNumber"]),
        rollup=rollup,
        verifier=verifier,
        poseidon=poseidon,
        tokens=tuple(token_list),
        test_tokens=tuple(minted),
        operator=Web3.to_checksum_address(operator.address),
        operator_ax=operator.ax,
        operator_ay=operator.ay,
        n_tx=config.n_tx,
        account_depth=config.account_depth,
        balance_depth=config.balance_depth,
        genesis_root=config.genesis_root,
        deployer=deployer.address,
        request_deadline_blocks=config.request_deadline_blocks,
        max_timestamp_lag=config.max_timestamp_lag,
        gas_used=gas_used,
    )


def rollup_contract(w3: Web3, deployment: Deployment, artifacts: CompiledContracts) -> Contract:
    """A web3 contract object for the deployed rollup."""
    return w3.eth.contract(address=Web3.to_checksum_address(deployment.rollup), abi=artifacts.get(ROLLUP_CONTRACT).abi)


def token_contract(w3: Web3, address: str, artifacts: CompiledContracts) -> Contract:
    """A web3 contract object for a token (TestToken ABI, a superset of ERC-20)."""
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifacts.get(TEST_TOKEN_CONTRACT).abi)
