"""Shared fixtures for the crypto tests: the node reference and small-order points."""

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sequencer.crypto.babyjub import A, D, SUBGROUP_ORDER, Point, is_on_curve, scalar_mul
from sequencer.crypto.field import FIELD_MODULUS

REPO_ROOT = Path(__file__).resolve().parents[2]
VECTORS_SCRIPT = Path(__file__).with_name("circomlibjs_vectors.js")

Reference = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="session")
def circomlibjs() -> Reference:
    """Return a function that asks ``circomlibjs_vectors.js`` for reference values."""
    if shutil.which("node") is None or not (REPO_ROOT / "node_modules" / "circomlibjs").is_dir():
        pytest.skip("node and the npm packages (npm ci) are needed for circomlibjs vectors")

    def ask(request: dict[str, Any]) -> dict[str, Any]:
        completed = subprocess.run(
            ["node", str(VECTORS_SCRIPT)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=120,
            check=True,
        )
        answer: dict[str, Any] = json.loads(completed.stdout)
        return answer

    return ask


def _sqrt_mod_p(value: int) -> int | None:
    """A square root modulo p (Tonelli-Shanks), or None if there is none."""
    p = FIELD_MODULUS
    value %= p
    if value == 0:
        return 0
    if pow(value, (p - 1) // 2, p) != 1:
        return None
    q, e = p - 1, 0
    while q % 2 == 0:
        q, e = q // 2, e + 1
    non_residue = next(z for z in range(2, p) if pow(z, (p - 1) // 2, p) == p - 1)
    c, t, root = pow(non_residue, q, p), pow(value, q, p), pow(value, (q + 1) // 2, p)
    while t != 1:
        i, t_power = 0, t
        while t_power != 1:
            t_power, i = t_power * t_power % p, i + 1
        b = pow(c, 1 << (e - i - 1), p)
        c, t, root, e = b * b % p, t * b * b % p, root * b % p, i
    return root


@pytest.fixture(scope="session")
def small_order_points() -> list[Point]:
    """All eight points whose order divides 8 (the curve's torsion), identity first.

    Found as ``l * P`` for curve points ``P`` until one has order exactly 8; it
    generates the whole torsion, which is cyclic (the curve has a single
    point of order 2).
    """
    p = FIELD_MODULUS
    for y in range(2, 1000):
        x = _sqrt_mod_p((1 - y * y) * pow(A - D * y * y, -1, p))
        if x is None:
            continue
        assert is_on_curve((x, y))
        torsion = scalar_mul((x, y), SUBGROUP_ORDER)
        if scalar_mul(torsion, 4) != (0, 1):
            return [scalar_mul(torsion, k) for k in range(8)]
    raise AssertionError("no point of order 8 found")
