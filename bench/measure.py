"""
Measuring helpers: medians and percentiles of samples, and child processes
timed with their own peak memory.

Peak memory is the child's own high-water mark, ``VmHWM`` in
``/proc/<pid>/status``, read every few milliseconds until it exits (growth in
its last few milliseconds can be missed). Not ``ru_maxrss`` from ``wait4``:
Linux carries a process's maximum across ``exec``, so a child forked from this
(large) benchmark process would report at least the benchmark's own memory.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

KIB = 1024


class ChildFailed(Exception):
    """A measured child process exited with a non-zero status."""

    def __init__(self, command: Sequence[str], status: int, output: str) -> None:
        super().__init__(f"{' '.join(command)} exited with {status}:\n{output[-2000:]}")
        self.command = list(command)
        self.status = status
        self.output = output


@dataclass(frozen=True)
class ChildRun:
    """One run of a child process: its wall time and its own peak resident memory."""

    seconds: float
    peak_rss_bytes: int


_SAMPLE_SECONDS = 0.005


def _high_water_mark(pid: int) -> int:
    """The peak resident memory of live process ``pid`` so far, in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * KIB
    except (OSError, ValueError):
        pass
    return 0


def run_child(command: Sequence[str], cwd: Path) -> ChildRun:
    """Run ``command`` in ``cwd`` and return its wall time and peak memory (sampled ``VmHWM``).

    The output goes to a temporary file (no pipe that could fill up and block the
    child) and is kept only for the error. Raises ``ChildFailed`` on a non-zero exit.
    """
    with tempfile.TemporaryFile() as output:
        started = time.monotonic()
        process = subprocess.Popen(
            list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
        )
        peak = 0
        while True:
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _high_water_mark(process.pid))
            time.sleep(_SAMPLE_SECONDS)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            raise ChildFailed(command, process.returncode, output.read().decode(errors="replace"))
    return ChildRun(seconds, peak)


def median(samples: Sequence[float]) -> float:
    """The median of at least one sample."""
    if not samples:
        raise ValueError("no samples")
    return float(statistics.median(samples))


def median_int(samples: Sequence[int]) -> int:
    """The median of integer samples (gas, bytes); the mean of the middle two is rounded down."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) // 2


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0..1) by the nearest-rank method: always a value that was observed."""
    if not samples:
        raise ValueError("no samples")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction {fraction} is not in [0, 1]")
    ordered = sorted(samples)
    rank = max(1, math.ceil(round(fraction * len(ordered), 9)))
    return ordered[rank - 1]


def linear_fit(points: Sequence[tuple[int, int]]) -> tuple[float, float]:
    """Least-squares ``y = intercept + slope * x`` through points with at least two distinct x: (intercept, slope)."""
    if len({x for x, _ in points}) < 2:
        raise ValueError("a line needs two distinct x values")
    slope, intercept = statistics.linear_regression([x for x, _ in points], [y for _, y in points])
    return intercept, slope
