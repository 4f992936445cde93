"""
Matchproof's benchmark: what a trade costs on L1 against settling it on L1,
in the prover and in the sequencer, and what a set-up costs, measured in one
run (``matchproof bench``, or ``python -m bench``; ``run_bench`` from Python).

- ``run``: ``run_bench(BenchOptions(...))``, the whole run (``options``: what it measures);
- ``scenario``: the trades, played through a devnet with real proofs;
- ``relayer`` and ``contracts/RelayerSettlement.sol``: the L1 settlement baseline;
- ``l1_cost``: gas per trade, measured and estimated, against the baseline;
- ``prover_cost``: constraints per slot, witness and proving time per backend;
- ``matching``: order-book and intake throughput in-process;
- ``setup_cost``: cached and fresh set-up;
- ``report``: the JSON, markdown and plots; ``machine``: what it ran on.

See ``bench/README.md`` for how to read the results.
"""
