"""
What a benchmark run measures and how much (``BenchOptions``). Kept apart
from ``bench.run`` so that the command line can offer the defaults without
importing the measuring code (web3, matplotlib) until the command runs.
"""

from dataclasses import dataclass, field
from pathlib import Path

from bench.paths import RESULTS_DIR


@dataclass(frozen=True)
class BenchOptions:
    """What to measure and how much. The defaults are the committed run's; the smoke test shrinks them."""

    configs: tuple[str, ...] = ("test", "devnet", "bench16")
    """Circuit configurations (``circuits/configs.json``) to prove real batches with (``bench16``,
    16 slots at the devnet's depths, exists for the benchmark: ~0.9M constraints, a 3.5-minute build)."""
    size_configs: tuple[str, ...] = ("exchange",)
    """Configurations whose constraints per slot are only counted (compiled, never set up or proven):
    ``exchange`` has the tree sizes of a real exchange, 2^24 accounts, 16 tokens and 2^12 order slots."""
    trades: int = 8
    """Measured trades per side (rounded up to fill whole batches of every configuration)."""
    warmup_trades: int = 0
    """Extra trades before the measured ones (rounded up to whole batches; at least one batch)."""
    runs: int = 3
    """Measured repetitions of each timing and of each estimated batch size (after one warm-up)."""
    estimate_sizes: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
    """Batch sizes of the accept-all estimate (1 is needed to measure the verifier's cost)."""
    bundle_sizes: tuple[int, ...] = (1, 2, 4, 8)
    """Proofs per ``submitBatches`` transaction measured with real proofs, for every configuration."""
    native_witness: bool = True
    """Build and time circom's C++ witness generator where its tools are installed."""
    fresh_configs: tuple[str, ...] = ("test",)
    """Configurations to set up from nothing in scratch folders (minutes each)."""
    book_orders: int = 20_000
    intake_orders: int = 600
    sequencer_bench: bool = True
    """Run ``bench/sequencer_bench.py`` (intake, replay, restart after 1,000,000 requests, HTTP; about 7 minutes) if it is in the tree."""
    out_dir: Path = field(default=RESULTS_DIR)
