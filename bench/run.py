"""
``run_bench``: every measurement of the benchmark in one run, written as
``<stamp>.json``, ``<stamp>.md`` and two PNG plots.

Order of work: build the circuits (cached); on one anvil, play the same
trades through each configured circuit (real proofs) and through the L1
settlement baseline, then the accept-all estimate at larger batch sizes;
then the prover backends, the sequencer, and the set-up (the fresh set-up
last, as it is the longest). Timings are medians of several runs after a
warm-up; gas is deterministic up to the data in each batch.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bench.bundles import BundleMeasurement, bundle_result, measure_bundles
from bench.l1_cost import compare, estimate_submissions, settle_on_relayer
from bench.machine import machine, tool_versions
from bench.matching import book_throughput, intake_throughput, sequencer_bench
from bench.measure import median
from bench.options import BenchOptions
from bench.paths import REPO_ROOT
from bench.prover_cost import fit_constraints, measure_prover
from bench.report import AckLatency, BenchResult, SequencerResult, SetupResult, WrittenFiles, write_results
from bench.scenario import RollupRun, play_on_rollup
from bench.setup_cost import cached_setup, fresh_setup
from prover import CircuitArtifacts, build_circuit
from prover.manifest import DEFAULT_MANIFEST, load_config
from sequencer.devnet import Devnet
from sequencer.engine.book import Fill
from sequencer.l1.anvil import HARDFORK, start_anvil
from sequencer.l1.compile import compile_contracts


def _whole_batches(count: int, unit: int) -> int:
    """``count`` rounded up to a positive multiple of ``unit``."""
    return max(unit, -(-count // unit) * unit)


def _same_trades(runs: Sequence[RollupRun]) -> None:
    """Raise ``RuntimeError`` unless every configuration's engine produced the same fills."""

    def key(fill: Fill) -> tuple[int, ...]:
        return (
            fill.maker.order.order_id,
            fill.taker.order.order_id,
            fill.base,
            fill.quote,
            fill.price,
            fill.maker_fee,
            fill.taker_fee,
        )

    reference = [key(fill) for fill in runs[0].fills]
    for run in runs[1:]:
        if [key(fill) for fill in run.fills] != reference:
            raise RuntimeError(f"configuration {run.config} traded differently from {runs[0].config}")


def _ack_latency(run: RollupRun) -> AckLatency:
    """Acknowledgment to L1 verification over a run's measured trades."""
    latencies = [seconds for batch in run.measured for seconds in batch.ack_to_verified_seconds]
    return AckLatency(
        config=run.config,
        slots=run.slots,
        trades=len(latencies),
        median_seconds=round(median(latencies), 2),
        max_seconds=round(max(latencies), 2),
        median_prove_seconds=round(median([b.witness_seconds + b.prove_seconds for b in run.measured]), 2),
    )


def run_bench(options: BenchOptions, say: Callable[[str], None] = print) -> WrittenFiles:
    """
    Run every measurement and write the results under ``options.out_dir``;
    returns the files written. ``say`` reports progress.

    Raises ``ValueError`` for options that cannot be measured, and whatever
    the toolchain raises if a build, a proof or a transaction fails.
    """
    if not options.configs:
        raise ValueError("at least one circuit configuration is needed")
    if options.runs < 1 or options.trades < 1:
        raise ValueError("runs and trades must be positive")
    started = time.monotonic()
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    machine_start = machine()

    say(f"== building {', '.join(options.configs)} (cached after the first time)")
    circuits: list[CircuitArtifacts] = []
    for config in options.configs:
        circuit = build_circuit(config)
        compile_contracts()
        circuits.append(circuit)
    unit = math.lcm(*(dict(circuit.config.params)["nTx"] for circuit in circuits))
    trades = _whole_batches(options.trades, unit)
    warmup = _whole_batches(options.warmup_trades, unit)

    say(f"== L1: {trades} trades (+{warmup} warm-up) on anvil, hardfork {HARDFORK}")
    with start_anvil() as node:
        w3 = node.web3()
        operator, seller, buyer = node.accounts()[:3]
        runs: list[RollupRun] = []
        bundles: list[BundleMeasurement] = []
        devnets: list[Devnet] = []
        for circuit in circuits:
            devnet = Devnet.deploy(w3, operator, circuit, fund=node.accounts()[-1])
            runs.append(play_on_rollup(devnet, seller, buyer, trades, warmup))
            devnets.append(devnet)
            say(f"  rollup '{circuit.config.name}': {len(runs[-1].batches)} trade batches proven and verified")
            bundles += measure_bundles(devnet, seller, buyer, options.bundle_sizes, first_order_id=trades + warmup + 2)
            say(f"  rollup '{circuit.config.name}': {max(options.bundle_sizes)} more batches proven, submitted "
                f"{', '.join(str(k) for k in options.bundle_sizes)} at a time")
        _same_trades(runs)
        relayer = settle_on_relayer(devnets[0], operator, seller, buyer, runs[0].fills, warmup)
        say(f"  L1 settlement baseline: {relayer.gas_per_trade:,} gas per trade")
        one_slot = next((run for run in runs if run.slots == 1), runs[0])
        estimates = estimate_submissions(
            w3,
            operator,
            devnets[0].contracts,
            one_slot.sample,
            one_slot.slot_pool,
            options.estimate_sizes,
            options.runs,
        )
        say(f"  estimate at {', '.join(str(s) for s in options.estimate_sizes)} trades per batch done")
    l1 = compare(HARDFORK, runs, relayer, estimates, one_slot.slot_pool, trades, warmup)
    bundled = bundle_result(bundles, relayer, l1.fit_estimate)

    say("== prover: constraints and backends")
    constraints = [fit_constraints(REPO_ROOT, circuit.config, circuit) for circuit in circuits]
    for name in options.size_configs:
        say(f"  counting the constraints of '{name}' (compiled only)")
        constraints.append(fit_constraints(REPO_ROOT, load_config(REPO_ROOT / DEFAULT_MANIFEST, name)))
    prover = [
        measure_prover(REPO_ROOT, circuit, run.sample.batch.circuit_input, options.runs, options.native_witness)
        for circuit, run in zip(circuits, runs, strict=True)
    ]

    say("== sequencer")
    sequencer = SequencerResult(
        book=book_throughput(options.book_orders, options.runs),
        intake=intake_throughput(options.intake_orders, options.runs),
        http=sequencer_bench() if options.sequencer_bench else None,
        http_note="" if options.sequencer_bench else "switched off for this run",
        ack_to_verified=[_ack_latency(run) for run in runs],
    )

    say("== set-up")
    cached = [cached_setup(config, options.runs) for config in options.configs]
    fresh = []
    for config in options.fresh_configs:
        say(f"  fresh set-up of '{config}'")
        fresh.append(fresh_setup(REPO_ROOT, config))

    result = BenchResult(
        stamp=stamp,
        started_at=started_at.isoformat(timespec="seconds"),
        wall_seconds=round(time.monotonic() - started, 1),
        options={
            **{name: value for name, value in dataclasses.asdict(options).items() if name != "out_dir"},
            "trades_rounded": trades,
            "warmup_rounded": warmup,
        },
        machine_start=machine_start,
        machine_end=machine(),
        tools=tool_versions(REPO_ROOT),
        l1=l1,
        bundles=bundled,
        constraints=constraints,
        prover=prover,
        sequencer=sequencer,
        setup=SetupResult(cached, fresh),
    )
    files = write_results(result, options.out_dir)
    say(f"== results: {files.markdown}")
    return files
