"""
Writing a run's results: ``<stamp>.json`` (everything, machine-readable),
``<stamp>.md`` (the tables a reader looks at) and two small PNG plots, gas
per trade against batch size and proving time against constraints.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on these machines

from matplotlib import pyplot, ticker

from bench.bundles import BundleResult
from bench.l1_cost import L1Result
from bench.machine import Machine
from bench.matching import ScriptRun, Throughput
from bench.prover_cost import ConstraintFit, ProverConfigResult
from bench.setup_cost import CachedSetup, FreshSetup

MIB = 1024 * 1024
PLOT_SIZE = (6.4, 4.0)
PLOT_DPI = 90


@dataclass(frozen=True)
class AckLatency:
    """From an order's acknowledgment to its batch verified on L1, for one circuit configuration."""

    config: str
    slots: int
    trades: int
    median_seconds: float
    max_seconds: float
    median_prove_seconds: float
    """Witness and proof per batch on the product's path (``prover.prove``: warm witness server, arkworks)."""


@dataclass(frozen=True)
class SequencerResult:
    """Section 3: matching and intake throughput, HTTP intake, and acknowledgment to L1 verification."""

    book: Throughput
    intake: Throughput
    http: ScriptRun | None
    """``bench/sequencer_bench.py``'s run (HTTP intake latency, capacity, replay), if it was run."""
    http_note: str
    """Why ``http`` is missing, when it is."""
    ack_to_verified: list[AckLatency]


@dataclass(frozen=True)
class SetupResult:
    """Section 4: cached and fresh set-up times."""

    cached: list[CachedSetup]
    fresh: list[FreshSetup]


@dataclass(frozen=True)
class BenchResult:
    """One run of the benchmark, all sections."""

    stamp: str
    started_at: str
    wall_seconds: float
    options: dict[str, Any]
    machine_start: Machine
    machine_end: Machine
    tools: dict[str, str]
    l1: L1Result
    bundles: BundleResult
    constraints: list[ConstraintFit]
    prover: list[ProverConfigResult]
    sequencer: SequencerResult
    setup: SetupResult


@dataclass(frozen=True)
class WrittenFiles:
    """Where a run's results went."""

    json: Path
    markdown: Path
    gas_plot: Path
    prover_plot: Path


def _json_ready(value: Any) -> Any:
    """Paths as strings; everything else as ``json`` takes it."""
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    return value


def _mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MIB:,.0f}"


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _machine_line(machine: Machine) -> str:
    load = ", ".join(f"{value:.2f}" for value in machine.load_average)
    return f"{machine.cpu_model}, {machine.cores} cores, {machine.memory_bytes / 2**30:.1f} GiB; load average {load}"


def _headline(result: BenchResult) -> list[str]:
    """The figures a reader wants first, each pointing at the section that explains it."""
    l1 = result.l1
    lines = ["## Headline figures", ""]
    lines.append(f"- L1 settlement baseline: **{l1.relayer.gas_per_trade:,} gas per trade** (section 1)")
    for row in l1.sizes:
        if row.source == "measured":
            lines.append(
                f"- rollup, `{row.config}` ({row.slots} trade{'s' if row.slots > 1 else ''} per batch, real proofs): "
                f"**{row.gas_per_trade:,} gas per trade** all in, {row.ratio_to_relayer:.2f}x the baseline"
            )
    fit = l1.fit_estimate or l1.fit_measured
    if fit is not None:
        lines.append(
            f"- rollup: **{fit.marginal_gas_per_trade:,} marginal gas per trade** "
            f"({l1.data_calldata_gas_per_trade:,} of it the calldata of its {l1.data_bytes_per_trade}-byte slot), "
            f"**{fit.fixed_gas_per_batch:,} fixed per batch**"
            + (f" ({l1.verifier_gas:,} of it the Groth16 verifier)" if l1.verifier_gas is not None else "")
        )
    for config in dict.fromkeys(row.config for row in result.bundles.rows if row.source == "measured"):
        best = max((r for r in result.bundles.rows if r.config == config), key=lambda r: r.proofs)
        lines.append(
            f"- rollup, `{config}`, {best.proofs} proofs in one transaction ({best.trades} trades, real proofs, "
            f"one batched pairing check): **{best.gas_per_trade:,} gas per trade** all in, "
            f"{best.ratio_to_relayer:.3f}x the baseline (**{_cheaper(best.ratio_to_relayer)}**; section 1b)"
        )
    lines += [f"- estimate toward {target}" for target in result.bundles.targets]
    largest = max((row for row in l1.sizes if row.source == "estimate"), key=lambda row: row.slots, default=None)
    if largest is not None:
        lines.append(
            f"- largest batch under the transaction gas cap measured: {largest.slots} trades, "
            f"{largest.gas_per_trade:,} gas per trade (estimate), {largest.ratio_to_relayer:.2f}x the baseline; "
            + (
                f"break-even at {l1.break_even_trades_per_batch} trades per batch"
                if l1.break_even_trades_per_batch is not None
                else "no break-even"
            )
        )
    for fit_row in result.constraints:
        lines.append(
            f"- `{fit_row.config}` circuit: **{fit_row.per_slot:,} constraints per slot** "
            f"({fit_row.sha256_per_slot:,} of them its share of sha256), {fit_row.fixed:,} per batch (section 2)"
        )
    for prover in result.prover:
        per_trade = ", ".join(f"{p.name} {p.seconds_per_trade:.2f} s" for p in prover.pipelines)
        lines.append(f"- proving per trade, `{prover.config}`: {per_trade}")
        proving = {step.backend: step.seconds for step in prover.steps if step.step == "prove"}
        if proving.get("arkworks") and proving.get("snarkjs"):
            lines.append(
                f"- one proof, `{prover.config}`: snarkjs {proving['snarkjs']:.2f} s, arkworks {proving['arkworks']:.2f} s "
                f"in a fresh process (**{proving['snarkjs'] / proving['arkworks']:.1f}x**), "
                f"{proving.get('arkworks-warm', 0.0):.2f} s with its key loaded"
            )
    sequencer = result.sequencer
    lines.append(
        f"- matching: **{sequencer.book.orders_per_second:,.0f} orders/s** (book alone), "
        f"**{sequencer.intake.orders_per_second:,.0f} orders/s** (intake with signature checks, in-process; section 3)"
    )
    for ack in sequencer.ack_to_verified:
        lines.append(f"- order acknowledged to batch verified on L1, `{ack.config}`: median {ack.median_seconds:.1f} s")
    for cached in result.setup.cached:
        lines.append(f"- cached set-up, `{cached.config}`: {cached.seconds:.3f} s (section 4)")
    for fresh in result.setup.fresh:
        lines.append(f"- fresh set-up, `{fresh.config}` (development set-up): **{fresh.total_seconds:.0f} s**")
    return [*lines, ""]


def _cheaper(ratio: float) -> str:
    """A rollup / L1 ratio in words: "8.1x cheaper" below 1, "2.46x dearer" above."""
    return f"{1 / ratio:.1f}x cheaper" if ratio < 1 else f"{ratio:.2f}x dearer"


def _bundles_section(bundles: BundleResult) -> list[str]:
    """Section 1b: k proofs per ``submitBatches`` transaction, measured and estimated."""
    lines = [
        "## 1b. Several proofs per L1 transaction",
        "",
        "`submitBatches`: k consecutive batches in one transaction, their proofs verified together by "
        "`Groth16BatchVerifier` (k + 3 pairings, 2k + 1 scalar multiplications).",
        "",
    ]
    lines += _table(
        ["source", "trades per proof", "proofs", "trades", "gas", "gas per trade", "calldata bytes", "rollup / L1 settlement"],
        [
            [
                row.source + (f" (`{row.config}`)" if row.config else ""),
                str(row.slots),
                str(row.proofs),
                f"{row.trades:,}",
                f"{row.gas:,}",
                f"**{row.gas_per_trade:,}**",
                "" if row.calldata_bytes is None else f"{row.calldata_bytes:,}",
                f"{row.ratio_to_relayer:.4f} ({_cheaper(row.ratio_to_relayer)})",
            ]
            for row in bundles.rows
        ],
    )
    lines.append(
        "*measured*: real proofs on anvil, each k submitting the same first batches from the same state "
        "(snapshots). *estimate*: `fixed + k * (per-proof overhead + trades per proof * marginal gas per trade)`, "
        "the first two from the line through the measured bundles of the configuration with the most slots, "
        "the marginal gas from the accept-all estimate of section 1 (bench/bundles.py)."
    )
    lines.append("")
    lines += [
        f"- `{fit.config}` ({fit.slots} trade{'s' if fit.slots > 1 else ''} per proof): {fit.fixed_gas:,} gas per transaction, "
        f"**{fit.gas_per_proof:,} per proof** with its trades"
        + (
            f" ({fit.proof_overhead_gas:,} besides its trades' marginal gas)"
            if fit.proof_overhead_gas is not None
            else ""
        )
        for fit in bundles.fits
    ]
    lines += [f"- target {target}" for target in bundles.targets]
    return [*lines, ""]


def markdown(result: BenchResult, gas_plot: str, prover_plot: str) -> str:
    """The results as markdown tables, with the plots linked by file name."""
    l1 = result.l1
    lines = [
        f"# Matchproof benchmark {result.stamp}",
        "",
        f"Machine at the start: {_machine_line(result.machine_start)}.",
        f"At the end: load average {', '.join(f'{v:.2f}' for v in result.machine_end.load_average)}. "
        f"Wall time {result.wall_seconds / 60:.1f} min. Tools: "
        + "; ".join(f"{name}: {version}" for name, version in result.tools.items())
        + ".",
        "",
        *_headline(result),
        f"## 1. L1 gas per trade (anvil, hardfork `{l1.hardfork}`)",
        "",
        f"The same {l1.trades} trades (after {l1.warmup_trades} warm-up trades, excluded) settled both ways. "
        f"**Baseline, settling each trade on L1** (`bench/contracts/RelayerSettlement.sol`): "
        f"**{l1.relayer.gas_per_trade:,} gas per trade** "
        f"(median; {l1.relayer.gas_per_trade_min:,}..{l1.relayer.gas_per_trade_max:,}), "
        f"{l1.relayer.calldata_bytes_per_trade:,} calldata bytes per trade.",
        "",
    ]
    lines += _table(
        [
            "trades per batch",
            "source",
            "gas per batch",
            "gas per trade",
            "calldata bytes per batch",
            "rollup / L1 settlement",
        ],
        [
            [
                str(row.slots),
                row.source + (f" (`{row.config}`)" if row.config else ""),
                f"{row.gas_per_batch:,}",
                f"**{row.gas_per_trade:,}**",
                f"{row.calldata_bytes_per_batch:,}",
                f"{row.ratio_to_relayer:.3f}",
            ]
            for row in l1.sizes
        ],
    )
    lines.append(
        "*measured*: real batches of a configured circuit, real Groth16 proof and verifier. *estimate*: "
        "`submitBatch` on a rollup deployed inside the harness with `AcceptAllVerifier` (calldata, sha256 "
        "hashing of the public data and storage are real), plus the real verifier's cost"
        + (f" ({l1.verifier_gas:,} gas, constant per batch)" if l1.verifier_gas is not None else "")
        + ". Each batch holds only trades."
    )
    lines.append("")
    for fit in (l1.fit_estimate, l1.fit_measured):
        if fit is not None:
            lines.append(
                f"- fixed **{fit.fixed_gas_per_batch:,} gas per batch**, "
                f"marginal **{fit.marginal_gas_per_trade:,} gas per trade** "
                f"({fit.source})"
            )
    lines += [
        f"- check of the estimate: at {check.slots} trades per batch, estimated {check.estimated_gas:,} gas, "
        f"measured {check.measured_gas:,} ({(check.estimated_gas - check.measured_gas) / check.measured_gas:+.3%})"
        for check in l1.estimate_checks
    ]
    lines += [
        f"- of the marginal gas, the trade's {l1.data_bytes_per_trade} bytes of public data cost "
        f"{l1.data_calldata_gas_per_trade:,} gas of calldata (at most {16 * l1.data_bytes_per_trade:,}) and "
        f"{l1.sha256_gas_per_trade:.0f} gas of the sha256 precompile (its price per word; `submitBatch` "
        "hashes the whole batch's data in one call); the rest is copying the data and reading the slot "
        "for a withdrawal",
        (
            f"- break-even: from **{l1.break_even_trades_per_batch} trades per batch** "
            "the rollup costs less L1 gas per trade "
            "than settling on L1"
            if l1.break_even_trades_per_batch is not None
            else "- break-even: none: a trade's marginal gas in a batch is not below settling it on L1"
        ),
        f"- data: {l1.data_bytes_per_trade} calldata bytes per trade in a batch (one slot of public data, "
        "`sequencer/spec/public_data_layout.json`)",
        f"- deposits: rollup {l1.rollup_deposit_gas:,} gas, relayer {l1.relayer.deposit_gas:,} gas (median)",
    ]
    lines += [f"- note: {note}" for note in l1.notes]
    lines += ["", *_bundles_section(result.bundles)]
    lines += ["", f"![gas per trade against batch size]({gas_plot})", "", "## 2. Prover", ""]
    lines += _table(
        ["config", "tree depths", "constraints, 1 slot", "2 slots", "per slot", "of it sha256", "fixed per batch"],
        [
            [
                f"`{fit.config}`",
                ", ".join(f"{name} {value}" for name, value in fit.params.items()),
                f"{fit.constraints_1:,}",
                f"{fit.constraints_2:,}",
                f"**{fit.per_slot:,}**",
                f"{fit.sha256_per_slot:,}",
                f"{fit.fixed:,}",
            ]
            for fit in result.constraints
        ],
    )
    lines += [
        "Every slot is the same universal slot, which can hold any transaction type, so a slot costs the same "
        "constraints whatever its type. sha256 runs over whole 64-byte blocks, so the per-slot figure is "
        "`C(2) - C(1)` with the whole blocks taken out and the slot's exact share (`slotBytes / 64` of a block) "
        "put back: what one more slot adds to a large batch. Configurations that are only counted (`exchange`: "
        "2^24 accounts, 16 tokens, 2^12 order slots per account) are compiled, never set up or proven.",
        "",
    ]
    lines += _table(
        ["config", "slots", "constraints", "step", "backend", "median s", "runs s", "peak MiB"],
        [
            [
                f"`{prover.config}`",
                str(prover.slots),
                f"{prover.constraints:,}",
                step.step,
                step.backend,
                _seconds(step.seconds),
                ", ".join(f"{run:.2f}" for run in step.runs),
                _mib(step.peak_rss_bytes),
            ]
            for prover in result.prover
            for step in prover.steps
        ],
    )
    lines += _table(
        ["config", "pipeline", "s per batch", "s per trade"],
        [
            [
                f"`{prover.config}`",
                pipeline.name,
                _seconds(pipeline.seconds_per_batch),
                f"**{pipeline.seconds_per_trade:.2f}**",
            ]
            for prover in result.prover
            for pipeline in prover.pipelines
        ],
    )
    lines += [
        f"- native witness, `{prover.config}`: {prover.native_witness}"
        + (
            f" (its generator built in this run in {prover.native_build_seconds:.0f} s: `circom2 --c` and `make`)"
            if prover.native_build_seconds is not None
            else ""
        )
        for prover in result.prover
    ]
    lines += ["", f"![proving time against constraints]({prover_plot})", "", "## 3. Sequencer", ""]
    sequencer = result.sequencer
    lines += _table(
        ["measurement", "orders per run", "runs", "orders/s", "trades per run", "p50 us", "p99 us", "p99.9 us"],
        [
            [
                t.what,
                f"{t.orders_per_run:,}",
                str(t.runs),
                f"**{t.orders_per_second:,.0f}**",
                f"{t.trades_per_run:,}",
                f"{t.latency_us_p50:,.1f}",
                f"{t.latency_us_p99:,.1f}",
                f"{t.latency_us_p999:,.1f}",
            ]
            for t in (sequencer.book, sequencer.intake)
        ],
    )
    if sequencer.http is None:
        lines += [
            "HTTP intake (`bench/sequencer_bench.py`): not measured: "
            f"{sequencer.http_note or 'the script is not in this tree'}.",
            "",
        ]
    else:
        http = sequencer.http
        lines += [
            f"HTTP intake, capacity and replay: `{' '.join(http.command)}` "
            f"(its own defaults; exit status {http.returncode}, "
            f"{http.seconds:.0f} s), as it printed:",
            "",
            "```",
            http.output,
            "```",
            "",
        ]
    lines += _table(
        [
            "config",
            "trades per batch",
            "trades",
            "ack to verified on L1, median s",
            "max s",
            "proving per batch, median s",
        ],
        [
            [
                f"`{a.config}`",
                str(a.slots),
                str(a.trades),
                f"**{a.median_seconds:.1f}**",
                f"{a.max_seconds:.1f}",
                f"{a.median_prove_seconds:.1f}",
            ]
            for a in sequencer.ack_to_verified
        ],
    )
    lines += ["## 4. Set-up", ""]
    lines += _table(
        ["config", "cached build (circuit + contracts), median s", "runs"],
        [[f"`{c.config}`", f"{c.seconds:.3f}", str(c.runs)] for c in result.setup.cached],
    )
    if result.setup.fresh:
        lines += _table(
            ["config", "constraints", "compile + development set-up + export s", "contracts s", "fresh total s"],
            [
                [
                    f"`{f.config}`",
                    f"{f.constraints:,}",
                    f"{f.circuit_seconds:,.1f}",
                    f"{f.contracts_seconds:,.0f}",
                    f"**{f.total_seconds:,.0f}**",
                ]
                for f in result.setup.fresh
            ],
        )
    else:
        lines += ["Fresh set-up: not measured in this run.", ""]
    return "\n".join(lines)


def _thousands(value: float, _position: object) -> str:
    """An axis label in thousands: ``250k``."""
    return f"{value / 1000:,.0f}k"


def _whole(value: float, _position: object) -> str:
    """An axis label as a whole number: ``16``."""
    return f"{value:,.0f}"


def gas_plot(l1: L1Result, path: Path) -> None:
    """Gas per trade against trades per batch: the rollup (measured, estimated, marginal) and the L1 baseline."""
    figure, axes = pyplot.subplots(figsize=PLOT_SIZE)
    estimate = [row for row in l1.sizes if row.source == "estimate"]
    measured = [row for row in l1.sizes if row.source == "measured"]
    if estimate:
        axes.plot(
            [row.slots for row in estimate], [row.gas_per_trade for row in estimate],
            "o--", color="tab:blue", label="rollup, estimate (accept-all verifier + measured verifier cost)",
        )  # fmt: skip
    axes.plot(
        [row.slots for row in measured], [row.gas_per_trade for row in measured],
        "s", color="tab:green", markersize=9, label="rollup, measured (real proof and verifier)",
    )  # fmt: skip
    axes.axhline(l1.relayer.gas_per_trade, color="tab:red", label="settling each trade on L1 (relayer contract)")
    fit = l1.fit_estimate or l1.fit_measured
    if fit is not None:
        axes.axhline(
            fit.marginal_gas_per_trade, color="tab:gray", linestyle=":", label="rollup, marginal gas per trade"
        )
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    axes.xaxis.set_major_formatter(ticker.FuncFormatter(_whole))
    axes.yaxis.set_major_formatter(ticker.FuncFormatter(_thousands))
    axes.yaxis.set_minor_formatter(ticker.FuncFormatter(_thousands))
    axes.tick_params(axis="both", which="both", labelsize=8)
    axes.set_xlabel("trades per batch")
    axes.set_ylabel("L1 gas per trade, all in")
    axes.set_title(f"L1 gas per trade (anvil, hardfork {l1.hardfork})")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=PLOT_DPI)
    pyplot.close(figure)


def prover_plot(prover: list[ProverConfigResult], path: Path) -> None:
    """Median seconds per batch of each step and backend against the circuit's constraints (a tick per config)."""
    figure, axes = pyplot.subplots(figsize=PLOT_SIZE)
    series: dict[str, list[tuple[int, float]]] = {}
    for config in prover:
        for step in config.steps:
            series.setdefault(f"{step.step}: {step.backend}", []).append((config.constraints, step.seconds))
    for label, points in sorted(series.items()):
        points.sort()
        axes.plot([x for x, _ in points], [y for _, y in points], "o-", label=label)
    axes.set_xticks(
        [config.constraints for config in prover],
        [
            f"{config.constraints:,}\n{config.config}, {config.slots} slot{'s' if config.slots > 1 else ''}"
            for config in prover
        ],
    )
    axes.set_xlim(0, max(config.constraints for config in prover) * 1.1)
    axes.set_xlabel("constraints")
    axes.set_ylabel("seconds per batch (median)")
    axes.set_title("Witness and proving time against circuit size")
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=PLOT_DPI)
    pyplot.close(figure)


def write_results(result: BenchResult, out_dir: Path) -> WrittenFiles:
    """Write the JSON, the markdown and the plots of ``result`` under ``out_dir`` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = WrittenFiles(
        json=out_dir / f"{result.stamp}.json",
        markdown=out_dir / f"{result.stamp}.md",
        gas_plot=out_dir / f"{result.stamp}-gas.png",
        prover_plot=out_dir / f"{result.stamp}-prover.png",
    )
    files.json.write_text(json.dumps(_json_ready(dataclasses.asdict(result)), indent=1) + "\n")
    gas_plot(result.l1, files.gas_plot)
    prover_plot(result.prover, files.prover_plot)
    files.markdown.write_text(markdown(result, files.gas_plot.name, files.prover_plot.name) + "\n")
    return files
