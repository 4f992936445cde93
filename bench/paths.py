"""Where the benchmark's own files live, resolved from the repository root (no absolute paths)."""

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
"""This package: ``bench/``."""

REPO_ROOT = BENCH_DIR.parent

CONTRACTS_DIR = BENCH_DIR / "contracts"
"""The benchmark's own contracts, compiled on their own (never with ``contracts/src``):
``RelayerSettlement.sol``, the L1 settlement baseline, ``AcceptAllVerifier.sol``,
the harness-only verifier of the estimate at batch sizes without a circuit, and
``BlsSequencerSet.sol``, the aggregated-BLS set whose gas ``bench.set_signatures`` measures."""

RESULTS_DIR = BENCH_DIR / "results"
"""Where ``matchproof bench`` writes its results by default."""

BUILD_DIR = REPO_ROOT / "build" / "bench"
"""Scratch outputs: constraint-count compiles, the native witness generators, fresh set-ups."""
