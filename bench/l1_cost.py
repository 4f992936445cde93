"""
L1 cost per trade: the rollup's batch submissions against settling every
trade on L1 (``RelayerSettlement``), the same trades on the same anvil.

Three kinds of figure, each labelled in the results:

- *measured*: real batches of the configured circuits (real proofs, the real
  verifier): all-in gas at the batch sizes those circuits have;
- *estimate*: ``submitBatch`` at larger batch sizes, on a rollup deployed
  inside this harness with ``AcceptAllVerifier`` (calldata, the sha256
  digest of the public data and the storage writes are real; no pairing
  check runs), plus the real verifier's cost, measured as the difference
  between a real one-slot submission and the same submission to an
  accept-all deployment. The pairing check costs the same at every batch
  size (one public input), so the sum is the all-in cost of a batch of that
  size. Where a size is both measured and estimated, both are reported;
- *baseline*: the relayer contract's ``settle``, one transaction per trade.

Fixed and marginal gas come from a least-squares line through the estimated
sizes, and separately from the measured sizes when there are two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import RPCEndpoint

from bench.contracts_build import ACCEPT_ALL_CONTRACT, bench_contracts
from bench.measure import linear_fit, median_int
from bench.relayer import CompactSignature, Relayer, RelayerOrder
from bench.scenario import MINT_USDC, MINT_WETH, USDC, WETH, RollupRun
from sequencer.crypto.keys import L2Keypair
from sequencer.devnet import Devnet, SubmittedBatch
from sequencer.engine.book import Fill
from sequencer.l1.compile import CompiledContracts
from sequencer.l1.deploy import OperatorKey, RollupConfig, TestTokenSpec, deploy, deploy_contract
from sequencer.l1.rollup import SUBMIT_GAS_BASE, SUBMIT_GAS_PER_BATCH, SUBMIT_GAS_PER_SLOT, Rollup
from sequencer.l1.transactions import TransactionFailed, send_transaction
from sequencer.spec.constants import Side, TreeConfig
from sequencer.spec.public_data import SLOT_BYTES
from sequencer.spec.state import State
from sequencer.spec.transactions import SignedOrder
from sequencer.spec.types import AccountIndex, FieldElement

INTRINSIC_GAS = 21_000
TX_GAS_CAP = 2**24
"""EIP-7825: no transaction may use more (the benchmark's anvil enforces it)."""
ESTIMATE_TREE = TreeConfig(8, 2, 4)
"""Tree depths of the accept-all deployments: they only bound the account registry, not the gas."""
SHA256_GAS_PER_WORD = 12
"""The sha256 precompile's price per 32-byte word of input (on top of 60 per call)."""
WORD_BYTES = 32
FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617


@dataclass(frozen=True)
class SizeCost:
    """What a batch of ``slots`` trades costs on L1, all in, against the baseline."""

    slots: int
    source: str
    """``measured`` (real proof and verifier of circuit ``config``) or ``estimate`` (see the module)."""
    gas_per_batch: int
    gas_per_trade: int
    calldata_bytes_per_batch: int
    ratio_to_relayer: float
    """Rollup gas per trade over relayer gas per trade: below 1 the rollup is cheaper."""
    samples: list[int]
    """Gas of each measured batch (the median is ``gas_per_batch``; estimates without the verifier's share)."""
    config: str | None = None


@dataclass(frozen=True)
class RelayerCost:
    """The baseline: one ``settle`` transaction per trade (medians over the measured trades)."""

    gas_per_trade: int
    gas_per_trade_min: int
    gas_per_trade_max: int
    calldata_bytes_per_trade: int
    trades: int
    deposit_gas: int
    samples: list[int]
    """Gas of each measured ``settle``."""


@dataclass(frozen=True)
class EstimateCheck:
    """A batch size both measured with real proofs and estimated: how far apart the two are."""

    slots: int
    measured_gas: int
    estimated_gas: int


@dataclass(frozen=True)
class LineFit:
    """``gas per batch = fixed + marginal * trades``, and which points it was fitted to."""

    fixed_gas_per_batch: int
    marginal_gas_per_trade: int
    source: str


@dataclass(frozen=True)
class L1Result:
    """Section 1 of the results: the rollup's L1 cost per trade against the relayer's."""

    hardfork: str
    trades: int
    warmup_trades: int
    relayer: RelayerCost
    sizes: list[SizeCost]
    verifier_gas: int | None
    """The real verifier's share of a batch: one-slot real gas less accept-all gas (None: no one-slot circuit)."""
    fit_estimate: LineFit | None
    fit_measured: LineFit | None
    data_bytes_per_trade: int
    """Calldata a trade adds to a batch: its slot of public data (``SLOT_BYTES``)."""
    data_calldata_gas_per_trade: int
    """The calldata gas of a real trade's slot (4 per zero byte, 16 per other byte)."""
    sha256_gas_per_trade: float
    """The sha256 precompile's price for a trade's bytes (12 gas per 32-byte word)."""
    estimate_checks: list[EstimateCheck]
    break_even_trades_per_batch: int | None
    """The smallest batch whose all-in gas per trade is below the baseline's (from the estimate's line); None: never."""
    rollup_deposit_gas: int
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the baseline


def _relayer_order(
    signed: SignedOrder, traders: Mapping[AccountIndex, LocalAccount], tokens: Sequence[str]
) -> RelayerOrder:
    """A rollup order as the relayer contract takes it: the same fields, with addresses for the account and tokens."""
    order = signed.order
    return RelayerOrder(
        trader=Web3.to_checksum_address(traders[order.account_index].address),
        order_id=order.order_id,
        base_token=Web3.to_checksum_address(tokens[order.base_token]),
        quote_token=Web3.to_checksum_address(tokens[order.quote_token]),
        side=int(order.side),
        price=order.price,
        amount=order.amount,
        max_fee_bps=order.max_fee_bps,
        expiry=order.expiry,
    )


def settle_on_relayer(
    devnet: Devnet,
    relayer_account: LocalAccount,
    seller: LocalAccount,
    buyer: LocalAccount,
    fills: Sequence[Fill],
    warmup: int,
) -> RelayerCost:
    """
    Settle ``fills`` (the rollup engine's, in order: ``seller``'s ask against
    ``buyer``'s bids) one transaction each on a fresh ``RelayerSettlement``,
    with the devnet's tokens; the first ``warmup`` are excluded from the
    figures. The traders sign the same orders with EIP-712.

    Raises ``RuntimeError`` if the contract's EIP-712 digest differs from
    eth-account's, or if the fees it collected differ from the rollup's.
    """
    relayer = Relayer.deploy(devnet.w3, relayer_account)
    tokens = devnet.deployment.tokens
    traders = {fills[0].maker.order.account_index: seller, fills[0].taker.order.account_index: buyer}
    devnet.mint(WETH, seller.address, MINT_WETH)
    devnet.mint(USDC, buyer.address, MINT_USDC)
    deposit_gas = [
        int(relayer.deposit(seller, devnet.rollup.token(WETH), MINT_WETH)["gasUsed"]),
        int(relayer.deposit(buyer, devnet.rollup.token(USDC), MINT_USDC)["gasUsed"]),
    ]

    signatures: dict[RelayerOrder, CompactSignature] = {}

    def signed(order: SignedOrder) -> tuple[RelayerOrder, CompactSignature]:
        converted = _relayer_order(order, traders, tokens)
        if converted not in signatures:
            relayer.check_digest(converted)
            signatures[converted] = relayer.sign(traders[order.order.account_index], converted)
        return converted, signatures[converted]

    gas: list[int] = []
    calldata: list[int] = []
    for index, fill in enumerate(fills):
        maker, maker_signature = signed(fill.maker)
        taker, taker_signature = signed(fill.taker)
        receipt = relayer.settle(
            maker, maker_signature, taker, taker_signature, fill.base, fill.maker_fee, fill.taker_fee
        )
        if index >= warmup:
            gas.append(int(receipt["gasUsed"]))
            calldata.append(len(bytes(devnet.w3.eth.get_transaction(receipt["transactionHash"])["input"])))

    base_fees = sum(f.maker_fee if f.maker.order.side == Side.BUY else f.taker_fee for f in fills)
    quote_fees = sum(f.taker_fee if f.maker.order.side == Side.BUY else f.maker_fee for f in fills)
    collected = (
        relayer.balance(relayer_account.address, tokens[WETH]),
        relayer.balance(relayer_account.address, tokens[USDC]),
    )
    if collected != (base_fees, quote_fees):
        raise RuntimeError(
            f"the relayer collected fees {collected}, the rollup's trades charge {(base_fees, quote_fees)}"
        )
    return RelayerCost(
        gas_per_trade=median_int(gas),
        gas_per_trade_min=min(gas),
        gas_per_trade_max=max(gas),
        calldata_bytes_per_trade=median_int(calldata),
        trades=len(gas),
        deposit_gas=median_int(deposit_gas),
        samples=gas,
    )


# ---------------------------------------------------------------- the estimate


@dataclass(frozen=True)
class Estimate:
    """``submitBatch`` on an accept-all deployment: median gas and calldata of one batch size (None: over the cap)."""

    slots: int
    gas: int | None
    calldata_bytes: int | None
    samples: list[int]


def _calldata_gas(data: bytes) -> int:
    """The standard calldata cost: 4 gas per zero byte, 16 per other byte."""
    return sum(4 if byte == 0 else 16 for byte in data)


def mine_next_second(w3: Web3) -> None:
    """Move anvil's clock a second on and mine, so that each batch's timestamp is new (as real batches' are)."""
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [1])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def estimate_submissions(
    w3: Web3,
    deployer: LocalAccount,
    product: CompiledContracts,
    sample: SubmittedBatch,
    slot_pool: Sequence[bytes],
    sizes: Sequence[int],
    runs: int,
) -> list[Estimate]:
    """
    For each batch size, deploy the rollup (from ``product``, the product's
    compiled contracts) with ``AcceptAllVerifier`` and submit one warm-up
    batch and ``runs`` measured batches of trade slots (cycled from
    ``slot_pool``: real trades' public data) with the real ``sample``
    batch's proof words, each with a new root and timestamp.
    A size whose submission does not fit the transaction gas cap gets None.
    """
    accept_all, _, _ = deploy_contract(w3, deployer, bench_contracts(), ACCEPT_ALL_CONTRACT)
    key = L2Keypair.from_private_key(hashlib.sha256(b"matchproof bench accept-all operator").digest())
    proof = sample.proof.solidity_calldata()
    genesis = State.genesis(ESTIMATE_TREE).root
    results = []
    for slots in sizes:
        deployment = deploy(
            w3,
            deployer,
            product,
            config=RollupConfig(slots, ESTIMATE_TREE.account_depth, ESTIMATE_TREE.balance_depth, genesis),
            operator=OperatorKey(deployer.address, key.public_key.ax, key.public_key.ay),
            test_tokens=(TestTokenSpec("Bench token", "BENCH"),),
            verifier=accept_all,
        )
        rollup = Rollup(w3, deployment, product)
        public_data = b"".join(slot_pool[index % len(slot_pool)] for index in range(slots))
        gas_limit = min(SUBMIT_GAS_BASE + SUBMIT_GAS_PER_BATCH + SUBMIT_GAS_PER_SLOT * slots, TX_GAS_CAP)
        gas: list[int] = []
        calldata: list[int] = []
        try:
            for number in range(1, runs + 2):
                mine_next_second(w3)
                timestamp = int(w3.eth.get_block("latest")["timestamp"])
                new_root = FieldElement((sample.batch.new_root + number) % FIELD_ORDER)
                call = rollup.contract.functions.submitBatch(number, new_root, timestamp, 0, public_data, proof)
                receipt = send_transaction(
                    w3, deployer, call.build_transaction({"from": deployer.address}), gas=gas_limit
                )
                if number > 1:
                    gas.append(int(receipt["gasUsed"]))
                    calldata.append(len(bytes(w3.eth.get_transaction(receipt["transactionHash"])["input"])))
        except TransactionFailed:
            results.append(Estimate(slots, None, None, []))
            continue
        results.append(Estimate(slots, median_int(gas), median_int(calldata), gas))
    return results


# ---------------------------------------------------------------- the comparison


def _size_cost(
    slots: int,
    source: str,
    gas: int,
    calldata: int,
    relayer: RelayerCost,
    samples: list[int],
    config: str | None = None,
) -> SizeCost:
    """One row of the comparison."""
    per_trade = gas // slots
    return SizeCost(
        slots, source, gas, per_trade, calldata, round(per_trade / relayer.gas_per_trade, 4), samples, config
    )


def compare(
    hardfork: str,
    runs: Sequence[RollupRun],
    relayer: RelayerCost,
    estimates: list[Estimate],
    trade_slots: Sequence[bytes],
    trades: int,
    warmup: int,
) -> L1Result:
    """
    Put the measured batches, the estimate and the baseline side by side.

    The verifier's cost is taken from the one-slot configuration's measured
    batches against the one-slot estimate (which therefore equals the
    measured one-slot row by construction and is not listed); without
    either, no estimate row can be made all-in, and the result says so.
    ``trade_slots`` are real trades' slots of public data, for their bytes.
    """
    notes: list[str] = []
    sizes: list[SizeCost] = []
    measured_points: list[tuple[int, int]] = []
    for run in runs:
        samples = [batch.gas_used for batch in run.measured]
        gas = median_int(samples)
        calldata = median_int([batch.calldata_bytes for batch in run.measured])
        sizes.append(_size_cost(run.slots, "measured", gas, calldata, relayer, samples, run.config))
        measured_points.append((run.slots, gas))

    by_slots = {estimate.slots: estimate for estimate in estimates}
    one_slot_real = next((point for point in measured_points if point[0] == 1), None)
    one_slot_estimate = by_slots.get(1)
    verifier_gas: int | None = None
    if one_slot_real is not None and one_slot_estimate is not None and one_slot_estimate.gas is not None:
        verifier_gas = one_slot_real[1] - one_slot_estimate.gas
    else:
        notes.append("no one-slot circuit or estimate: the verifier's cost is unknown, so no estimate is all-in")

    fit_points: list[tuple[int, int]] = []
    checks: list[EstimateCheck] = []
    for estimate in estimates:
        if estimate.gas is None or estimate.calldata_bytes is None:
            notes.append(f"{estimate.slots} slots: submitBatch does not fit the {TX_GAS_CAP:,} gas transaction cap")
            continue
        fit_points.append((estimate.slots, estimate.gas))
        if verifier_gas is not None and estimate.slots != 1:
            all_in = estimate.gas + verifier_gas
            sizes.append(
                _size_cost(estimate.slots, "estimate", all_in, estimate.calldata_bytes, relayer, estimate.samples)
            )
            checks += [EstimateCheck(slots, gas, all_in) for slots, gas in measured_points if slots == estimate.slots]
    sizes.sort(key=lambda row: (row.slots, row.source))

    fit_estimate = None
    if verifier_gas is not None and len({slots for slots, _ in fit_points}) >= 2:
        intercept, slope = linear_fit(fit_points)
        fit_estimate = LineFit(
            round(intercept) + verifier_gas,
            round(slope),
            f"least squares over the accept-all submissions at {', '.join(str(s) for s, _ in fit_points)} slots, "
            f"plus the measured verifier cost ({verifier_gas:,} gas) in the fixed part",
        )
    fit_measured = None
    if len({slots for slots, _ in measured_points}) >= 2:
        intercept, slope = linear_fit(measured_points)
        fit_measured = LineFit(
            round(intercept),
            round(slope),
            "through the real batches of the configured circuits at "
            + " and ".join(str(slots) for slots, _ in measured_points)
            + " trades per batch",
        )
    break_even = None
    if fit_estimate is not None and fit_estimate.marginal_gas_per_trade < relayer.gas_per_trade:
        margin = relayer.gas_per_trade - fit_estimate.marginal_gas_per_trade
        break_even = fit_estimate.fixed_gas_per_batch // margin + 1
    return L1Result(
        hardfork=hardfork,
        trades=trades,
        warmup_trades=warmup,
        relayer=relayer,
        sizes=sizes,
        verifier_gas=verifier_gas,
        fit_estimate=fit_estimate,
        fit_measured=fit_measured,
        data_bytes_per_trade=SLOT_BYTES,
        data_calldata_gas_per_trade=median_int([_calldata_gas(slot) for slot in trade_slots]),
        sha256_gas_per_trade=SHA256_GAS_PER_WORD * SLOT_BYTES / WORD_BYTES,
        estimate_checks=checks,
        break_even_trades_per_batch=break_even,
        rollup_deposit_gas=median_int([gas for run in runs for gas in run.deposit_gas]),
        notes=notes,
    )
