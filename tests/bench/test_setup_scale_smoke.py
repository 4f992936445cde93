"""
Smoke test of ``bench.setup_scale`` on a tiny synthetic circuit: every step
runs, both provers' proofs pass snarkjs's verification (the run stops
otherwise), and the report names every step. No timing is checked.
"""

from bench.setup_scale import measure_power, report


def test_setup_scale_measures_every_step_on_a_tiny_circuit() -> None:
    result = measure_power(6, baseline=True, say=lambda _line: None)
    assert (result.constraints, result.signals) == (64, 66)
    assert [step.name.split(" (")[0] for step in result.steps] == [
        "set-up: development", "set-up: snarkjs", "prove: arkworks", "prove: snarkjs",
    ]  # fmt: skip
    assert all(step.seconds > 0 and step.peak_mib > 0 for step in result.steps)
    assert "arkworks proves" in report([result]) and "development set-up" in report([result])
