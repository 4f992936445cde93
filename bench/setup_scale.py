"""
Set-up and proving at scale (not a test: prints figures, asserts none).

    .venv/bin/python -m bench.setup_scale [--baseline-power 12] [--powers 12,21] [--out DIR]

circom2's WebAssembly compiler cannot compile a circuit of 2^21 constraints
within its 4 GiB (``../shared/TOOLCHAIN.md``), so the circuits here are
synthetic: a chain of ``n`` squarings, x_{i+1} = x_i^2 + 1, from one private
input to one public output, written directly as an ``.r1cs`` with its
``.wtns``. A set-up and a prover's work grow with the signals and the domain,
not with what the constraints compute, so the figures carry over to a batch
circuit of as many constraints and signals.

For each power k of ``--powers``, a circuit of 2^k constraints (its domain,
with the public binding rows, is 2^(k+1)), every step a process of its own,
timed with its own peak memory (``wait4``):

- the development set-up (``prover.dev_setup``: no powers-of-tau file);
- at ``--baseline-power`` only, the landed path, snarkjs's: a development ptau
  (``powersoftau new``, ``contribute``, ``prepare phase2``), then ``groth16
  setup`` and one ``zkey contribute``. Beyond about 2^16 it takes hours, which
  is why it is measured at a small power only;
- one proof with each prover on the development key: arkworks
  (``prover.arkworks``, key loading included) and ``snarkjs groth16 prove``.
  Both proofs must pass ``snarkjs groth16 verify``, or the run stops.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.machine import machine
from bench.measure import ChildRun, run_child
from bench.paths import BUILD_DIR, REPO_ROOT, RESULTS_DIR
from prover.tools import npm_bin, run_tool
from prover.witness import FIELD_ORDER

SCALE_DIR = BUILD_DIR / "scale"
MIB = 1 << 20

_ARKWORKS_PROVE = """
import json, sys
from pathlib import Path
from prover.arkworks import prove_witness
from prover.groth16 import Proof
proof = Proof.from_arkworks(prove_witness(Path(sys.argv[1]), Path(sys.argv[2])), 0.0, 0.0)
Path("arkworks-proof.json").write_text(json.dumps(proof.to_snarkjs()))
Path("arkworks-public.json").write_text(json.dumps([str(value) for value in proof.public_signals]))
"""
"""A fresh process that proves a witness (argv 2) with a zkey (argv 1) and writes snarkjs's JSON."""

_DEV_SETUP = """
import sys
from pathlib import Path
from prover.dev_setup import development_setup
development_setup(Path(sys.argv[1]), Path(sys.argv[2]), progress=lambda *_: None)
"""
"""A fresh process that runs the development set-up of an r1cs (argv 1) into a zkey (argv 2)."""


@dataclass(frozen=True)
class Step:
    """One measured step: wall seconds and the process's peak resident memory."""

    name: str
    seconds: float
    peak_mib: float

    @classmethod
    def of(cls, name: str, runs: list[ChildRun]) -> Step:
        """A step made of one or more processes run one after another."""
        return cls(name, round(sum(run.seconds for run in runs), 2), round(max(run.peak_rss_bytes for run in runs) / MIB, 1))


@dataclass(frozen=True)
class ScaleResult:
    """Everything measured on one synthetic circuit."""

    power: int
    constraints: int
    signals: int
    zkey_mib: float
    steps: list[Step]


def write_squaring_chain(constraints: int, directory: Path) -> tuple[Path, Path]:
    """An r1cs of ``constraints`` squarings and the witness of input 3; returns (r1cs, wtns).

    Wires: 0 the constant 1, 1 the public output x_n, 2 the private input x_0, then
    x_1 .. x_{n-1}. Constraint i: x_i * x_i = x_{i+1} - 1.
    """
    wires = constraints + 2

    def wire(step: int) -> int:
        return 2 if step == 0 else 1 if step == constraints else step + 2

    field = struct.pack("<I", 32) + FIELD_ORDER.to_bytes(32, "little")
    one = (1).to_bytes(32, "little")
    minus_one = (FIELD_ORDER - 1).to_bytes(32, "little")
    terms = bytearray()
    for step in range(constraints):
        term = struct.pack("<II", 1, wire(step)) + one
        terms += term + term + struct.pack("<II", 2, wire(step + 1)) + one + struct.pack("<I", 0) + minus_one
    header = field + struct.pack("<IIIIQI", wires, 1, 0, 1, wires, constraints)
    labels = b"".join(struct.pack("<Q", label) for label in range(wires))
    r1cs = directory / "chain.r1cs"
    _write_binary(r1cs, b"r1cs", 1, [(1, header), (2, bytes(terms)), (3, labels)])

    values = [0] * wires
    values[0], x = 1, 3
    values[wire(0)] = x
    for step in range(1, constraints + 1):
        x = (x * x + 1) % FIELD_ORDER
        values[wire(step)] = x
    wtns = directory / "chain.wtns"
    body = b"".join(value.to_bytes(32, "little") for value in values)
    _write_binary(wtns, b"wtns", 2, [(1, field + struct.pack("<I", wires)), (2, body)])
    return r1cs, wtns


def _write_binary(path: Path, magic: bytes, version: int, sections: list[tuple[int, bytes]]) -> None:
    """A binary file of snarkjs's layout: magic, version, section count, then (type, size, bytes) per section."""
    with path.open("wb") as handle:
        handle.write(magic + struct.pack("<II", version, len(sections)))
        for kind, data in sections:
            handle.write(struct.pack("<IQ", kind, len(data)) + data)


def _snarkjs_setup(folder: Path, power: int, snarkjs: str) -> Step:
    """The landed set-up: a development ptau of 2^``power``, snarkjs's Groth16 set-up and one contribution."""
    entropy = f"-e={secrets.token_hex(32)}"
    runs = [
        run_child([snarkjs, "powersoftau", "new", "bn128", str(power), "pot_0.ptau"], folder),
        run_child([snarkjs, "powersoftau", "contribute", "pot_0.ptau", "pot_1.ptau", "--name=bench", entropy], folder),
        run_child([snarkjs, "powersoftau", "prepare", "phase2", "pot_1.ptau", "prepared.ptau"], folder),
        run_child([snarkjs, "groth16", "setup", "chain.r1cs", "prepared.ptau", "snarkjs_0.zkey"], folder),
        run_child([snarkjs, "zkey", "contribute", "snarkjs_0.zkey", "snarkjs.zkey", "--name=bench", entropy], folder),
    ]
    return Step.of(f"set-up: snarkjs (ptau 2^{power} + groth16 setup + contribute)", runs)


def measure_power(power: int, baseline: bool, say: Callable[[str], None]) -> ScaleResult:
    """Set up and prove the synthetic circuit of 2^``power`` constraints (with the landed set-up when ``baseline``)."""
    snarkjs = str(npm_bin(REPO_ROOT, "snarkjs"))
    folder = SCALE_DIR / f"pow{power}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        constraints = 1 << power
        write_squaring_chain(constraints, folder)
        steps = [Step.of("set-up: development", [run_child([sys.executable, "-c", _DEV_SETUP, "chain.r1cs", "dev.zkey"], folder)])]
        say(f"  2^{power}: {steps[-1].name} {steps[-1].seconds:.1f} s")
        if baseline:
            steps.append(_snarkjs_setup(folder, power + 1, snarkjs))
            say(f"  2^{power}: {steps[-1].name} {steps[-1].seconds:.1f} s")
        run_tool([snarkjs, "zkey", "export", "verificationkey", "dev.zkey", "vkey.json"], folder)
        steps.append(Step.of("prove: arkworks", [run_child([sys.executable, "-c", _ARKWORKS_PROVE, "dev.zkey", "chain.wtns"], folder)]))
        say(f"  2^{power}: {steps[-1].name} {steps[-1].seconds:.1f} s")
        prove = [snarkjs, "groth16", "prove", "dev.zkey", "chain.wtns", "snarkjs-proof.json", "snarkjs-public.json"]
        steps.append(Step.of("prove: snarkjs", [run_child(prove, folder)]))
        say(f"  2^{power}: {steps[-1].name} {steps[-1].seconds:.1f} s")
        for prover in ("arkworks", "snarkjs"):
            run_tool([snarkjs, "groth16", "verify", "vkey.json", f"{prover}-public.json", f"{prover}-proof.json"], folder)
        return ScaleResult(power, constraints, constraints + 2, round((folder / "dev.zkey").stat().st_size / MIB, 1), steps)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(results: list[ScaleResult]) -> str:
    """The figures as a plain-text table, with the ratios measured in this run."""
    lines = [f"{'constraints':>12} {'zkey MiB':>9}  {'step':<58} {'seconds':>9} {'peak MiB':>9}"]
    for result in results:
        for step in result.steps:
            lines.append(f"{result.constraints:>12,} {result.zkey_mib:>9,.1f}  {step.name:<58} {step.seconds:>9.2f} {step.peak_mib:>9,.0f}")
        seconds = {step.name.split(" (")[0]: step.seconds for step in result.steps}
        if "set-up: snarkjs" in seconds:
            ratio = seconds["set-up: snarkjs"] / seconds["set-up: development"]
            lines.append(f"{'':>23}development set-up {ratio:,.0f}x faster than snarkjs's, same circuit")
        lines.append(f"{'':>23}arkworks proves {seconds['prove: snarkjs'] / seconds['prove: arkworks']:.1f}x faster than snarkjs")
    return "\n".join(lines)


def main() -> None:
    """Run the measurements the command line asks for and write them under ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--powers", default="12,21", help="circuit sizes, as powers of two (comma-separated)")
    parser.add_argument("--baseline-power", type=int, default=12, help="the power at which snarkjs's set-up is measured too")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results = []
    for power in sorted({int(power) for power in args.powers.split(",")}):
        print(f"== synthetic circuit of 2^{power} constraints", flush=True)
        results.append(measure_power(power, power == args.baseline_power, lambda line: print(line, flush=True)))
    table = report(results)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stamp}-setup.txt").write_text(table + "\n")
    (args.out / f"{stamp}-setup.json").write_text(
        json.dumps({"machine": asdict(machine()), "results": [asdict(result) for result in results]}, indent=1)
    )
    print(f"written: {args.out / f'{stamp}-setup.txt'}")


if __name__ == "__main__":
    main()
