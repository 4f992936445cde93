"""The committed exit vectors (``tests/vectors/perpetual_exit.json``) are what the spec computes today."""

import json

from tests.vectors.generate_perpetual_exit import PERPETUAL_EXIT_PATH, build_perpetual_exit_vectors


def test_the_committed_vectors_are_the_specs() -> None:
    """Run ``PYTHONPATH=. .venv/bin/python -m tests.vectors.generate_perpetual_exit`` if this fails."""
    committed = json.loads(PERPETUAL_EXIT_PATH.read_text(encoding="utf-8"))
    assert committed == build_perpetual_exit_vectors()
    claims = [int(case["claim"], 16) for case in committed["claims"]]
    assert 0 in claims and any(claim > 2**100 for claim in claims)  # a negative value, and the widest values
