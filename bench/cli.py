"""
The ``matchproof bench`` command: ``add_subcommands(subparsers)`` adds it to
the ``matchproof`` command line (``sequencer/cli.py`` calls it), and
``python -m bench`` runs it on its own.

    matchproof bench                      # the full run (about half an hour on 2 cores)
    matchproof bench --configs test --trades 2 --runs 1 --no-fresh --estimate-sizes 1,2,4
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.options import BenchOptions

DEFAULTS = BenchOptions()


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated list of names."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _sizes(text: str) -> tuple[int, ...]:
    """A comma-separated list of positive integers."""
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from error
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("batch sizes must be positive integers")
    return sizes


def bench(args: argparse.Namespace) -> int:
    """Run the benchmark with the command line's options."""
    options = BenchOptions(
        configs=args.configs,
        size_configs=args.size_configs,
        trades=args.trades,
        warmup_trades=args.warmup_trades,
        runs=args.runs,
        estimate_sizes=args.estimate_sizes,
        bundle_sizes=args.bundle_sizes,
        native_witness=args.native_witness,
        fresh_configs=() if args.no_fresh else args.fresh_configs,
        book_orders=args.book_orders,
        intake_orders=args.intake_orders,
        sequencer_bench=args.sequencer_bench,
        out_dir=args.out,
    )
    # Imported here: the measuring code pulls in web3 and matplotlib, which the
    # other ``matchproof`` commands should not pay for at start-up.
    from bench.run import run_bench

    run_bench(options)
    return 0


def add_subcommands(subparsers: Any) -> None:
    """Add ``bench`` to an ``argparse`` subparsers object; the command's ``run`` default calls :func:`bench`."""
    command = subparsers.add_parser(
        "bench",
        help="measure L1 gas, proving, sequencer and set-up costs; write bench/results/<stamp>.{json,md,png}",
        description="Measure what a trade costs on L1 (against settling it on L1), in the prover, in the "
        "sequencer, and what a set-up costs; write the results as JSON, markdown and PNG plots.",
    )
    command.add_argument(
        "--configs",
        type=_names,
        default=DEFAULTS.configs,
        help="circuit configurations to prove with (comma-separated)",
    )
    command.add_argument(
        "--size-configs",
        type=_names,
        default=DEFAULTS.size_configs,
        help="configurations whose constraints are only counted (compiled, not set up)",
    )
    command.add_argument("--trades", type=int, default=DEFAULTS.trades, help="measured trades per side")
    command.add_argument(
        "--warmup-trades",
        type=int,
        default=DEFAULTS.warmup_trades,
        help="extra trades first, excluded (at least one batch)",
    )
    command.add_argument(
        "--runs", type=int, default=DEFAULTS.runs, help="measured repetitions of each timing, after a warm-up"
    )
    command.add_argument(
        "--estimate-sizes", type=_sizes, default=DEFAULTS.estimate_sizes, help="batch sizes of the accept-all estimate"
    )
    command.add_argument(
        "--bundle-sizes",
        type=_sizes,
        default=DEFAULTS.bundle_sizes,
        help="proofs per submitBatches transaction, measured with real proofs",
    )
    command.add_argument(
        "--no-native-witness", dest="native_witness", action="store_false", help="skip circom's C++ witness generator"
    )
    command.add_argument(
        "--fresh-configs", type=_names, default=DEFAULTS.fresh_configs, help="configurations to set up from nothing"
    )
    command.add_argument("--no-fresh", action="store_true", help="skip the fresh set-up")
    command.add_argument(
        "--book-orders", type=int, default=DEFAULTS.book_orders, help="orders per run of the order-book benchmark"
    )
    command.add_argument(
        "--intake-orders",
        type=int,
        default=DEFAULTS.intake_orders,
        help="signed orders per run of the intake benchmark",
    )
    command.add_argument(
        "--no-sequencer-bench",
        dest="sequencer_bench",
        action="store_false",
        help="skip bench/sequencer_bench.py (HTTP intake)",
    )
    command.add_argument("--out", type=Path, default=DEFAULTS.out_dir, help="results folder")
    command.set_defaults(run=bench)
