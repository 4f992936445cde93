"""Witness computation through a long-lived node process per circuit.

`generate_witness.js` starts node and compiles the circuit's WebAssembly for every
witness (about 0.3 s before any work). The circuit tests compute hundreds of witnesses,
so each circuit gets one `witness_server.js` process, started on first use and kept
until the interpreter exits or the wasm file changes (a rebuild).
"""

import atexit
import json
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TypeAlias

from prover.errors import ProverError, WitnessError

# BN254 scalar field order: every signal value is an element of this field.
FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617

SignalValue: TypeAlias = int | Sequence["SignalValue"] | Mapping[str, "SignalValue"]
WitnessInput: TypeAlias = Mapping[str, SignalValue]

_SERVER_SCRIPT = Path(__file__).with_name("witness_server.js")


def encode_input(value: SignalValue, name: str) -> Any:
    """`value` as the JSON the witness calculator reads: field elements as decimal strings.

    circom's calculator silently reduces values modulo the field order, so an integer
    outside [0, p) would be proven as a different value; it is refused instead.
    Raises WitnessError naming the signal for such a value or a value of another type.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < FIELD_ORDER:
            raise WitnessError(f"input signal {name}: {value} is not a field element (0 <= value < p)", [])
        return str(value)
    if isinstance(value, Mapping):
        return {key: encode_input(item, f"{name}.{key}") for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [encode_input(item, f"{name}[{index}]") for index, item in enumerate(value)]
    raise WitnessError(f"input signal {name}: {value!r} is not an integer, list or object", [])


class WitnessCalculator:
    """One node process that computes witnesses of the circuit compiled to `wasm`.

    Calls are serialised with a lock, so threads may share a calculator.
    """

    def __init__(self, wasm: Path) -> None:
        self.wasm = wasm
        self.wasm_mtime_ns = wasm.stat().st_mtime_ns
        self._lock = threading.Lock()
        # node's own crash output goes to a file, so an unread pipe can never block it.
        self._stderr: IO[bytes] = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            ["node", str(_SERVER_SCRIPT), str(wasm)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def compute(self, witness_input: WitnessInput, wtns: Path | None = None) -> list[str]:
        """Compute the witness for `witness_input`, write it to `wtns` if given, return the circuit's log lines.

        Raises WitnessError with circom's message (for example "Assert Failed. Error in
        template ... line: ...") if the circuit refuses the input, and ProverError if the
        node process died.
        """
        request = json.dumps(
            {
                "input": {name: encode_input(value, name) for name, value in witness_input.items()},
                "wtns": str(wtns) if wtns is not None else None,
            }
        )
        with self._lock:
            assert self._process.stdin is not None and self._process.stdout is not None
            try:
                self._process.stdin.write(request + "\n")
                self._process.stdin.flush()
            except BrokenPipeError:
                pass  # reported below, with node's output, as a dead process
            line = self._process.stdout.readline()
        if not line:
            raise ProverError(f"the witness process for {self.wasm} exited:\n{self._crash_output()}")
        reply = json.loads(line)
        logs = [str(entry) for entry in reply["logs"]]
        if not reply["ok"]:
            raise WitnessError(str(reply["error"]), logs)
        return logs

    def alive(self) -> bool:
        """Whether the node process is still running."""
        return self._process.poll() is None

    def _crash_output(self) -> str:
        """What node wrote to stderr (its crash report)."""
        self._process.wait()
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def close(self) -> None:
        """End the node process (closing its stdin ends its loop) and free its files."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._stderr.close()


_calculators: dict[Path, WitnessCalculator] = {}
_calculators_lock = threading.Lock()


def calculator_for(wasm: Path) -> WitnessCalculator:
    """The running calculator of the circuit `wasm`, started (or restarted after a rebuild or crash) if needed."""
    key = wasm.resolve()
    with _calculators_lock:
        current = _calculators.get(key)
        if current is not None and current.alive() and current.wasm_mtime_ns == key.stat().st_mtime_ns:
            return current
        if current is not None:
            current.close()
        started = WitnessCalculator(key)
        _calculators[key] = started
        return started


@atexit.register
def close_calculators() -> None:
    """End every calculator process this interpreter started."""
    with _calculators_lock:
        for calculator in _calculators.values():
            calculator.close()
        _calculators.clear()
