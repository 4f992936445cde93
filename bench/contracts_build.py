"""
The benchmark's own contracts (``bench/contracts/``), compiled by
``compile_contracts`` with that folder as the only source folder: they never
enter the product's compilation, and the product's sources never enter
theirs. Cached like every compilation (``build/contracts/``).
"""

from bench.paths import CONTRACTS_DIR
from sequencer.l1.compile import CompiledContracts, compile_contracts

RELAYER_CONTRACT = "RelayerSettlement"
ACCEPT_ALL_CONTRACT = "AcceptAllVerifier"


def bench_contracts() -> CompiledContracts:
    """``RelayerSettlement``, ``AcceptAllVerifier``, ``BlsSequencerSet`` and ``AcceptingRollup``, compiled (or read from the cache)."""
    return compile_contracts(source_dir=CONTRACTS_DIR)
