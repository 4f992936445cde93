"""
A local devnet: a real anvil chain, the contracts compiled and deployed with
the verifier of a real circuit, and an in-process operator whose batches
settle through the production path (proving queue, worker, submitter). The
demo (``matchproof devnet``) deploys with it; the end-to-end tests drive the
rollup through it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.utils import get_create_address
from web3.types import Nonce, RPCEndpoint, TxReceipt

from prover import CircuitArtifacts, prove, verify_proof
from prover.groth16 import Proof
from sequencer.crypto.eddsa import private_to_public
from sequencer.crypto.keys import L2Keypair
from sequencer.engine.batcher import PerpSetup
from sequencer.engine.market import Market
from sequencer.engine.perp_market import PerpMarketRules
from sequencer.l1.compile import CompiledContracts, compile_contracts, load_poseidon
from sequencer.l1.deploy import (
    DEFAULT_MAX_TIMESTAMP_LAG,
    DEFAULT_REQUEST_DEADLINE_BLOCKS,
    Deployment,
    OperatorKey,
    PerpetualsConfig,
    RollupConfig,
    TestTokenSpec,
    deploy,
)
from sequencer.l1.rollup import Rollup
from sequencer.l1.submitter import Submitter
from sequencer.l1.verifying_key import VerifyingKey
from sequencer.engine.operator import Operator
from sequencer.oracle.feeder import OracleKeys
from sequencer.proving_queue import ProvingQueue
from sequencer.settlement import LocalProver, Settlement
from sequencer.spec.constants import PRICE_SCALE, TreeConfig
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.state import PerpConfig, PerpMarketParams
from sequencer.spec.state import State
from sequencer.spec.types import AccountIndex, Amount, Price, Timestamp, TokenId
from sequencer.witness.batch import ProvableBatch

TEST_TOKENS = (TestTokenSpec("Wrapped Ether (test)", "WETH"), TestTokenSpec("USD Coin (test)", "USDC"))
"""The devnet's tokens: id 0 is the base, id 1 the quote of its one market."""


def contracts_before_rollup() -> int:
    """
    Deployments ``deploy`` makes before the rollup: the Poseidon contracts (each
    after its data contracts), the verifier, the tokens: the rollup's address
    follows, which the operator's L2 key is derived for before deploying.
    """
    poseidon = sum(1 + len(artifact.constants) for artifact in load_poseidon().values())
    return poseidon + 1 + len(TEST_TOKENS)


def devnet_market() -> Market:
    """WETH/USDC: ticks of 0.001 USDC, lots of 0.001 WETH, maker 10 bps, taker 20 bps."""
    return Market(
        name="WETH-USDC",
        base_token=TokenId(0),
        quote_token=TokenId(1),
        tick_size=Price(10**15),
        lot_size=Amount(10**15),
        min_amount=Amount(10**15),
        maker_fee_bps=10,
        taker_fee_bps=20,
    )


PERP_TICK = 10**15
"""ETH-PERP's price tick: 0.001 USDC (in USDC base units per WETH)."""
PERP_LOT = 10**12
"""ETH-PERP's lot: 0.000001 WETH (in WETH base units)."""
INSURANCE_FUND = AccountIndex(1)
"""The insurance fund's account: registered at deployment, right after the operator's."""
FUND_CAPITAL = 100_000 * 10**18
"""The USDC the insurance fund deposits at deployment."""


def devnet_perp_rules() -> PerpMarketRules:
    """ETH-PERP as the engine trades it: maker 10 bps, taker 20 bps of the notional."""
    return PerpMarketRules(name="ETH-PERP", market=0, maker_fee_bps=10, taker_fee_bps=20)


@dataclass(frozen=True)
class DevnetPerpetuals:
    """
    A devnet's perpetual side: one market, ETH-PERP, collateralised in USDC
    (token 1, the spot market's quote); a fresh oracle key set, whose
    private keys the devnet's feeder holds; the insurance fund's L1 account.
    """

    config: PerpConfig
    oracles: OracleKeys
    fund: LocalAccount

    @classmethod
    def create(cls, circuit: CircuitArtifacts, fund: LocalAccount) -> DevnetPerpetuals:
        """
        The parameters for ``circuit`` (its oracle key count and quorum), with
        new random oracle keys: 10 % initial and 5 % maintenance margin, at
        most 0.36 % funding an hour, 1,000 WETH of open interest, prices
        valid for 10 minutes, a liquidation penalty of at most 1 %.
        """
        params = dict(circuit.config.params)
        oracles = OracleKeys(tuple(secrets.token_bytes(32) for _ in range(params["keys"])))
        market = PerpMarketParams(
            quantum=PERP_TICK * PERP_LOT // PRICE_SCALE,
            initial_margin=100_000,
            maintenance_margin=50_000,
            max_funding_rate=10**6,
            open_interest_cap=1_000 * 10**18 // PERP_LOT,
        )
        config = PerpConfig(
            collateral_token=TokenId(1),
            markets=(market,),
            oracle_keys=tuple(private_to_public(key) for key in oracles.keys),
            oracle_quorum=params["quorum"],
            oracle_window=60,
            max_price_age=600,
            insurance_fund=INSURANCE_FUND,
            max_liquidation_penalty=10_000,
        )
        return cls(config, oracles, fund)

    def setup(self, slots: int) -> PerpSetup:
        """The engine's perpetual side with ``slots`` perpetual slots a batch, trading ETH-PERP."""
        return PerpSetup(self.config, slots, (devnet_perp_rules(),))


def tree_config(circuit: CircuitArtifacts) -> TreeConfig:
    """The tree depths a circuit was compiled for."""
    params = dict(circuit.config.params)
    return TreeConfig.from_circuit_params(params)


@dataclass(frozen=True)
class SubmittedBatch:
    """A batch as it went to L1: its number, proof, and what verifying it cost."""

    number: int
    batch: ProvableBatch
    proof: Proof
    receipt: TxReceipt
    """The receipt of the transaction that verified it (shared by its bundle's batches)."""


@dataclass
class Devnet:
    """A deployed rollup on a chain, with its operator."""

    w3: Web3
    circuit: CircuitArtifacts
    contracts: CompiledContracts
    deployment: Deployment
    rollup: Rollup
    operator_account: LocalAccount
    operator: Operator
    perpetuals: DevnetPerpetuals | None = None
    submitted: list[SubmittedBatch] = field(default_factory=list)

    @classmethod
    def deploy(
        cls,
        w3: Web3,
        deployer: LocalAccount,
        circuit: CircuitArtifacts,
        request_deadline_blocks: int = DEFAULT_REQUEST_DEADLINE_BLOCKS,
        max_timestamp_lag: int = DEFAULT_MAX_TIMESTAMP_LAG,
        fund: LocalAccount | None = None,
    ) -> Devnet:
        """
        Compile the contracts and deploy them, the verifier holding the circuit's key, with
        ``deployer`` as the operator, whose fee account's L2 key is derived
        from its Ethereum key for the rollup's (predicted) address. Batches
        must consume each L1 request within ``request_deadline_blocks``
        blocks, or anyone may freeze the rollup.

        A circuit with perpetual slots gets ETH-PERP (:class:`DevnetPerpetuals`),
        its insurance fund held by ``fund`` (required then), which registers
        its account, reserved for it, at once with a deposit of
        ``FUND_CAPITAL`` USDC: no one else can take the account first, and
        no one waits for it.
        """
        contracts = compile_contracts()
        config = tree_config(circuit)
        params = dict(circuit.config.params)
        slots, perp_slots = params["nTx"], params["nPerp"]
        if perp_slots and fund is None:
            raise ValueError(f"circuit {circuit.config.name!r} has perpetual slots: the devnet needs an insurance fund account")
        perpetuals = DevnetPerpetuals.create(circuit, fund) if perp_slots and fund is not None else None
        perp_config = None if perpetuals is None else perpetuals.config
        nonce = w3.eth.get_transaction_count(deployer.address)
        rollup_address = Web3.to_checksum_address(get_create_address(deployer.address, Nonce(nonce + contracts_before_rollup())))
        key = L2Keypair.from_eth_account(deployer, w3.eth.chain_id, rollup_address)
        deployment = deploy(
            w3,
            deployer,
            contracts,
            config=RollupConfig(
                slots,
                config.account_depth,
                config.balance_depth,
                State.genesis(config, perp_config_hash(perp_config)).root,
                request_deadline_blocks,
                max_timestamp_lag,
                perpetuals=PerpetualsConfig() if perpetuals is None else PerpetualsConfig.of(
                    perpetuals.config, perpetuals.fund.address, slots=perp_slots
                ),
            ),
            operator=OperatorKey(deployer.address, key.public_key.ax, key.public_key.ay),
            test_tokens=TEST_TOKENS,
            verifying_key=VerifyingKey.from_snarkjs(circuit.vkey),
        )
        if deployment.rollup != rollup_address:
            raise RuntimeError(f"rollup deployed at {deployment.rollup}, expected {rollup_address}")
        operator = Operator.genesis(
            config, slots, [devnet_market()], perp=None if perpetuals is None else perpetuals.setup(perp_slots)
        )
        net = cls(w3, circuit, contracts, deployment, Rollup(w3, deployment, contracts), deployer, operator, perpetuals)
        if perpetuals is not None:
            collateral = perpetuals.config.collateral_token
            net.mint(collateral, perpetuals.fund.address, FUND_CAPITAL)
            net.rollup.deposit(perpetuals.fund, collateral, FUND_CAPITAL, net.l2_key(perpetuals.fund).public_key)
        return net

    def l2_key(self, trader: LocalAccount) -> L2Keypair:
        """A trader's L2 key on this rollup, derived from its Ethereum key."""
        return L2Keypair.from_eth_account(trader, self.deployment.chain_id, self.deployment.rollup)

    def mint(self, token_id: int, to: str, amount: int) -> None:
        """Mint test tokens (devnet only: the test token lets anyone mint)."""
        self.rollup.mint_test_token(self.operator_account, token_id, to, amount)

    def sync_l1(self, until: int | None = None) -> int:
        """
        Give the operator every L1 request it has not seen yet, or those
        before index ``until`` (an operator that stops reading the queue
        there); returns how many.
        """
        requests = self.rollup.l1_requests(self.operator.l1_seen)
        if until is not None:
            requests = [request for request in requests if request.index < until]
        now = self.now()
        for request in requests:
            self.operator.add_l1_request(request.index, request.transaction, now)
        return len(requests)

    def mine(self, blocks: int) -> None:
        """Mine ``blocks`` empty blocks (anvil's ``anvil_mine``): L1 time passes."""
        self.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(blocks)])

    def advance_time(self, seconds: int) -> None:
        """Move L1's clock ``seconds`` forward and mine a block at the new time (anvil's ``evm_increaseTime``)."""
        self.w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
        self.mine(1)

    def now(self) -> Timestamp:
        """The latest L1 block's timestamp: the clock batches and order expiries use."""
        return Timestamp(int(self.w3.eth.get_block("latest")["timestamp"]))

    def submit(self, batch: ProvableBatch) -> SubmittedBatch:
        """Settle one built batch (:meth:`submit_all`)."""
        (submitted,) = self.submit_all([batch])
        return submitted

    def submit_all(self, batches: list[ProvableBatch]) -> list[SubmittedBatch]:
        """
        Settle built batches the way the service does: they join a proving
        queue, a local worker leases and proves each (its proof checked by the
        queue as a remote worker's is), and the L1 submitter sends them,
        bundled (their proofs verified together), and follows them until the
        rollup contract verified them.

        Raises
        ------
        RuntimeError
            The worker could not prove a batch, or L1 did not verify them.
        SubmissionReverted, SubmissionConflict
            As :meth:`Submitter.step` says.
        """
        first = self.rollup.last_batch() + 1
        last = first + len(batches) - 1
        queue = ProvingQueue(check=lambda proof: verify_proof(self.circuit, proof))
        submitter = Submitter(self.rollup, self.operator_account)
        settlement = Settlement(queue, submitter, handed_over=first - 1)
        proofs: dict[int, Proof] = {}

        def prove_batch(job: ProvableBatch) -> Proof:
            proof = prove(self.circuit, job.circuit_input)
            proofs[proof.public_signals[0]] = proof
            return proof

        for number, batch in enumerate(batches, start=first):
            settlement.seal(number, batch)
        worker = LocalProver(queue, prove_batch, name="devnet")
        for number in range(first, last + 1):
            if worker.prove_next() != number:
                raise RuntimeError(f"batch {number} was not proven (the worker's log says why)")
        for _ in range(submitter.max_reverts * (submitter.stuck_blocks + 2) * len(batches)):  # anvil mines at once
            if settlement.step() >= last:
                break
        else:
            raise RuntimeError(f"batches {first}-{last} were not all verified on L1")
        verified_by = {
            int(event["args"]["batchNumber"]): event["transactionHash"]
            for event in self.rollup.contract.events.BatchVerified().get_logs(from_block=self.deployment.block_number)
        }
        submitted = [
            SubmittedBatch(
                number, batch, proofs[batch.public_input_hash], self.w3.eth.get_transaction_receipt(verified_by[number])
            )
            for number, batch in enumerate(batches, start=first)
        ]
        self.submitted.extend(submitted)
        return submitted

    def settle(self) -> list[SubmittedBatch]:
        """Cut batches until nothing is pending, and settle them together (:meth:`submit_all`)."""
        batches = []
        while (batch := self.operator.cut_batch(self.now())) is not None:
            batches.append(batch)
        return self.submit_all(batches) if batches else []
