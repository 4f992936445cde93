"""
Smoke test of the benchmark: it runs end to end on the small ``test``
circuit with tiny sizes and writes its four files. It checks that the run
completes and reports every section, never a timing or a gas figure.
"""

import json
from pathlib import Path

from bench import consensus, set_signatures
from bench.options import BenchOptions
from bench.perpetuals import gas_lines
from bench.run import run_bench


def test_run_bench_writes_every_section(tmp_path: Path) -> None:
    files = run_bench(
        BenchOptions(
            configs=("test",),
            size_configs=(),
            trades=1,
            runs=1,
            estimate_sizes=(1, 2),
            bundle_sizes=(1, 2),
            native_witness=False,
            fresh_configs=(),
            book_orders=200,
            intake_orders=20,
            sequencer_bench=False,
            out_dir=tmp_path,
        ),
        say=lambda _line: None,
    )

    for path in (files.json, files.markdown, files.gas_plot, files.prover_plot):
        assert path.is_file() and path.stat().st_size > 0, path
    result = json.loads(files.json.read_text())
    assert {"machine_start", "tools", "l1", "bundles", "constraints", "prover", "sequencer", "setup"} <= result.keys()
    assert [row["source"] for row in result["l1"]["sizes"]] == ["measured", "estimate"]
    assert [row["proofs"] for row in result["bundles"]["rows"] if row["source"] == "measured"] == [1, 2]
    assert result["constraints"][0]["per_slot"] > 0
    assert {step["backend"] for step in result["prover"][0]["steps"]} >= {"wasm", "snarkjs", "arkworks", "arkworks-warm"}
    assert "## 1. L1 gas per trade" in files.markdown.read_text()
    assert "## 1b. Several proofs per L1 transaction" in files.markdown.read_text()


def test_perpetual_gas_runs_at_tiny_sizes() -> None:
    """``bench.perpetuals``' L1 part on two sizes: one line per kind of slot, a gas figure at each size."""
    lines = gas_lines((1, 2))
    assert [line.label for line in lines] == ["spot trade slot", "perpetual trade slot", "liquidation slot"]
    assert all(sorted(line.gas) == [1, 2] and min(line.gas.values()) > 0 for line in lines)


def test_orders_through_consensus_run_at_tiny_sizes(tmp_path: Path) -> None:
    figures = consensus.run(nodes=2, per_taker=3, directory=tmp_path, takers=4)
    assert [(f.nodes, f.encrypted, f.committed, f.orders) for f in figures] == [(1, False, 12, 12), (2, False, 12, 12), (2, True, 12, 12)]
    assert all(f.orders_per_s > 0 and 0 < f.p50_ms <= f.p99_ms and f.p50_ms <= f.run_p50_ms for f in figures)
    encrypted = figures[2]
    assert encrypted.run_p50_ms > encrypted.p50_ms  # an encrypted order runs only blocks after it is committed
    assert "| 2 | encrypted | 12 of 12 |" in consensus.report(figures, 3, 4)


def test_the_set_signature_checks_are_measured_after_refusing_bad_signatures() -> None:
    figures = set_signatures.measure(4)  # asserts that both sets refuse too few and wrong signatures first
    assert (figures.members, figures.signers) == (4, 3) and 0 < figures.ecdsa < figures.bls
    assert "| 4 | 3 |" in set_signatures.report([figures])
