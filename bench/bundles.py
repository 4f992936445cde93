"""
Several proofs per L1 transaction: real batches of a configured circuit,
proven, then submitted k at a time with ``submitBatches`` (one batched
pairing check of k + 3 pairs, ``Groth16BatchVerifier``), against settling
the same number of trades on L1.

*measured*: each k's submission is a real transaction on anvil with real
proofs; the chain is snapshotted before and reverted after each k but the
largest, so every k submits the same first batches from the same state.

*estimate*: where no circuit or transaction of that size exists, the gas of
a transaction of k proofs of n trades each is modelled as
``fixed + k * (per_proof + n * marginal)``: ``fixed`` and ``per_proof`` from
the line through the measured bundles of the configuration with the most
slots (its slope less its slots' marginal gas), ``marginal`` per trade from
the accept-all estimate (section 1). Every row derived so is labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3.types import RPCEndpoint

from bench.l1_cost import TX_GAS_CAP, LineFit, RelayerCost
from bench.measure import linear_fit
from bench.scenario import cut_trade_batches
from prover import prove
from sequencer.devnet import Devnet
from sequencer.l1.rollup import Submission

ESTIMATE_SLOTS = (8, 16, 32, 64, 128, 256, 512, 1024)
"""Trades per proof of the estimate table."""
ESTIMATE_PROOFS = (1, 2, 4, 8, 16, 32, 64, 128)
"""Proofs per transaction the estimate tries for each size (the verifier takes up to 128); the
table lists, per size, the one with the least gas per trade under the transaction gas cap."""
TARGET_RATIOS = (10, 50)
"""How many times cheaper than settling on L1 the estimate looks for."""


@dataclass(frozen=True)
class BundleCost:
    """One ``submitBatches`` transaction of ``proofs`` batches of ``slots`` trades."""

    source: str
    """``measured`` (real proofs of circuit ``config`` on anvil) or ``estimate`` (see the module)."""
    slots: int
    proofs: int
    trades: int
    gas: int
    gas_per_trade: int
    calldata_bytes: int | None
    ratio_to_relayer: float
    """Rollup gas per trade over settling a trade on L1: 0.1 is 10x cheaper."""
    config: str | None = None


@dataclass(frozen=True)
class BundleFit:
    """``gas = fixed + per_proof_all_in * k`` through one configuration's measured bundles."""

    config: str
    slots: int
    fixed_gas: int
    gas_per_proof: int
    """The slope: a proof's pair and scalar multiplications, its header, event and slots' data."""
    proof_overhead_gas: int | None
    """The slope less ``slots`` trades' marginal gas: what a proof costs besides its trades' data."""


@dataclass(frozen=True)
class BundleResult:
    """Section 1b of the results."""

    rows: list[BundleCost]
    fits: list[BundleFit]
    targets: list[str]
    """For each target ratio, the smallest estimated size that reaches it, or why none does."""


@dataclass(frozen=True)
class BundleMeasurement:
    """Gas and calldata of a measured ``submitBatches`` of ``proofs`` batches of ``slots`` trades."""

    config: str
    slots: int
    proofs: int
    gas: int
    calldata_bytes: int


def measure_bundles(
    devnet: Devnet, seller: LocalAccount, buyer: LocalAccount, sizes: Sequence[int], first_order_id: int
) -> list[BundleMeasurement]:
    """
    Cut ``max(sizes)`` batches of trades on ``devnet`` (after the scenario),
    prove them, and submit the first k for each k of ``sizes`` in one
    transaction; every submission but the largest is reverted (anvil
    snapshots) after its receipt.
    """
    batches = cut_trade_batches(devnet, seller, buyer, max(sizes), first_order_id)
    first = devnet.rollup.last_batch() + 1
    proven: list[Submission] = [
        (first + index, batch, prove(devnet.circuit, batch.circuit_input).solidity_calldata())
        for index, batch in enumerate(batches)
    ]
    measured = []
    ordered = sorted(set(sizes))
    for k in ordered:
        snapshot = None if k == ordered[-1] else _rpc(devnet, "evm_snapshot")
        receipt = devnet.rollup.submit_batches(devnet.operator_account, proven[:k])
        calldata = len(bytes(devnet.w3.eth.get_transaction(receipt["transactionHash"])["input"]))
        measured.append(BundleMeasurement(devnet.circuit.config.name, devnet.operator.slots, k, int(receipt["gasUsed"]), calldata))
        if snapshot is not None:
            _rpc(devnet, "evm_revert", snapshot)
    if devnet.rollup.last_batch() != first + ordered[-1] - 1:
        raise RuntimeError("the largest bundle was not verified")
    return measured


def _rpc(devnet: Devnet, method: str, *params: object) -> object:
    """A raw anvil JSON-RPC call's result."""
    return devnet.w3.provider.make_request(RPCEndpoint(method), list(params))["result"]


def bundle_result(
    measurements: Sequence[BundleMeasurement], relayer: RelayerCost, fit_estimate: LineFit | None
) -> BundleResult:
    """The measured rows, the line through each configuration's bundles, and the estimate toward the targets."""
    rows = [
        _row("measured", m.slots, m.proofs, m.gas, m.calldata_bytes, relayer, m.config) for m in measurements
    ]
    marginal = None if fit_estimate is None else fit_estimate.marginal_gas_per_trade
    fits = []
    for config in dict.fromkeys(m.config for m in measurements):
        points = [(m.proofs, m.gas) for m in measurements if m.config == config]
        if len({k for k, _ in points}) < 2:
            continue
        intercept, slope = linear_fit(points)
        slots = next(m.slots for m in measurements if m.config == config)
        overhead = None if marginal is None else round(slope) - slots * marginal
        fits.append(BundleFit(config, slots, round(intercept), round(slope), overhead))

    targets: list[str] = []
    base = max((fit for fit in fits if fit.proof_overhead_gas is not None), key=lambda fit: fit.slots, default=None)
    if base is None or marginal is None or base.proof_overhead_gas is None:
        targets.append("no estimate: it needs measured bundles of two sizes and the accept-all marginal gas")
        return BundleResult(rows, fits, targets)
    estimated = []
    for slots in ESTIMATE_SLOTS:
        fitting = [
            _row("estimate", slots, proofs, gas, None, relayer)
            for proofs in ESTIMATE_PROOFS
            if (gas := base.fixed_gas + proofs * (base.proof_overhead_gas + slots * marginal)) <= TX_GAS_CAP
        ]
        if fitting:
            estimated.append(min(fitting, key=lambda row: row.gas_per_trade))
    rows += estimated
    for target in TARGET_RATIOS:
        reached = [row for row in estimated if row.ratio_to_relayer <= 1 / target]
        if reached:
            smallest = min(reached, key=lambda row: row.slots)
            targets.append(
                f"{target}x: from {smallest.slots} trades per proof, {smallest.proofs} proofs per transaction "
                f"(estimate: {smallest.gas_per_trade:,} gas per trade)"
            )
        else:
            best = min(estimated, key=lambda row: row.gas_per_trade, default=None)
            targets.append(
                f"{target}x: not reached by any estimated size under the {TX_GAS_CAP:,} gas cap"
                + (
                    f" (best: {best.slots} trades per proof, {best.proofs} proofs, {best.gas_per_trade:,} gas per "
                    f"trade, {1 / best.ratio_to_relayer:.1f}x)"
                    if best is not None
                    else ""
                )
                + f"; a trade's marginal {marginal:,} gas alone bounds it at "
                f"{relayer.gas_per_trade / marginal:.1f}x"
            )
    return BundleResult(rows, fits, targets)


def _row(
    source: str, slots: int, proofs: int, gas: int, calldata: int | None, relayer: RelayerCost, config: str | None = None
) -> BundleCost:
    trades = slots * proofs
    per_trade = gas // trades
    return BundleCost(
        source, slots, proofs, trades, gas, per_trade, calldata, round(per_trade / relayer.gas_per_trade, 4), config
    )
