"""bench.measure.run_child: a child's peak memory is its own, not the benchmark process's."""

import sys
from pathlib import Path

import pytest

from bench.measure import ChildFailed, run_child

MIB = 1 << 20

_ALLOCATE = "import time; block = bytearray({mib} << 20); block[::4096] = b'x' * len(block[::4096]); time.sleep(0.2)"
"""A child that touches `mib` MiB, then lingers long enough to be sampled."""


def test_a_childs_peak_memory_excludes_the_parents(tmp_path: Path) -> None:
    parent_block = bytearray(300 * MIB)
    parent_block[:: 4096] = b"x" * len(parent_block[:: 4096])  # this process now holds 300 MiB more
    run = run_child([sys.executable, "-c", _ALLOCATE.format(mib=64)], tmp_path)
    assert 64 * MIB < run.peak_rss_bytes < 200 * MIB
    assert run.seconds >= 0.2
    del parent_block


def test_a_failing_child_raises_with_its_output(tmp_path: Path) -> None:
    with pytest.raises(ChildFailed, match="boom"):
        run_child([sys.executable, "-c", "raise SystemExit('boom')"], tmp_path)
