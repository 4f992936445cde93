"""
What a result was measured on: the machine (cores, memory, CPU model, load)
and the version of every tool on the measured paths. Recorded in each results
file so that figures from different machines or tool versions are never
compared unknowingly.
"""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from prover.tools import npm_version
from sequencer.l1.paths import ANVIL_BINARY

NPM_PACKAGES = ("circom2", "snarkjs", "circomlib", "solc", "@foundry-rs/anvil", "@openzeppelin/contracts")
PYTHON_PACKAGES = ("web3", "eth-account", "py-solc-x", "light-poseidon", "gmpy2", "matplotlib")


@dataclass(frozen=True)
class Machine:
    """The machine a run measured; ``load_average`` is the 1, 5 and 15 minute load when read."""

    cpu_model: str
    cores: int
    memory_bytes: int
    platform: str
    python: str
    load_average: tuple[float, float, float]


def _cpu_model() -> str:
    """The first ``model name`` in /proc/cpuinfo, else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_bytes() -> int:
    """Total memory from /proc/meminfo (0 where there is none)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def machine() -> Machine:
    """The machine as it is now (the load average changes: read it at the start and the end)."""
    load = os.getloadavg()
    return Machine(
        cpu_model=_cpu_model(),
        cores=os.cpu_count() or 0,
        memory_bytes=_memory_bytes(),
        platform=platform.platform(),
        python=platform.python_version(),
        load_average=(round(load[0], 2), round(load[1], 2), round(load[2], 2)),
    )


def _first_line(command: list[str]) -> str:
    """The first line a ``--version`` call prints, or why there is none."""
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error.__class__.__name__})"
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0] if lines else "unavailable"


def tool_versions(repo_root: Path) -> dict[str, str]:
    """Versions of the npm tools, the Python packages and the native programs the benchmark runs."""
    versions = {f"npm {package}": npm_version(repo_root, package) for package in NPM_PACKAGES}
    for package in PYTHON_PACKAGES:
        try:
            versions[f"pypi {package}"] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[f"pypi {package}"] = "not installed"
    versions["node"] = _first_line(["node", "--version"])
    versions["anvil"] = _first_line([str(ANVIL_BINARY), "--version"])
    versions["g++"] = _first_line(["g++", "--version"])
    versions["nasm"] = _first_line(["nasm", "-v"])
    return versions
