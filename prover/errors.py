"""The prover's exceptions: one hierarchy, each class carrying the values that explain it.

Callers catch `ProverError` for "the proving pipeline failed" and the subclasses for the
cases they handle differently: a `WitnessError` means the batch input is wrong (the
circuit refused it), every other error means the toolchain or its files are.
"""

from pathlib import Path


class ProverError(Exception):
    """Base class of every error raised by the `prover` package."""


class ToolError(ProverError):
    """An external tool (node, circom2, snarkjs) exited with a failure status."""

    def __init__(self, command: list[str], returncode: int, output: str) -> None:
        self.command = command
        self.returncode = returncode
        self.output = output
        super().__init__(f"{' '.join(command)} exited with status {returncode}:\n{output}")


class ManifestError(ProverError):
    """The circuit manifest is missing a configuration or a field, or has a wrong value."""


class PtauError(ProverError):
    """A powers-of-tau file cannot be used: wrong selection, unreadable or too small."""


class PtauHashMismatch(PtauError):
    """A ceremony ptau file's blake2b-512 differs from its published hash."""

    def __init__(self, path: Path, expected: str, actual: str) -> None:
        self.path = path
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{path}: blake2b-512 is {actual}, but the published hash is {expected}; "
            "the file is corrupt, truncated or not the ceremony file named"
        )


class CeremonyError(ProverError):
    """A phase-2 ceremony step is refused: a key that does not verify, a record that differs, a bad argument."""


class CircuitTooLarge(ProverError):
    """The compiled circuit needs a larger powers-of-tau than the one configured."""

    def __init__(self, constraints: int, required_power: int, ptau_power: int) -> None:
        self.constraints = constraints
        self.required_power = required_power
        self.ptau_power = ptau_power
        super().__init__(
            f"{constraints} constraints need a ptau of power {required_power}, "
            f"but only power {ptau_power} is available"
        )


class WitnessError(ProverError):
    """The circuit refused the input: an assert or constraint failed, or a signal is wrong.

    `message` is the witness calculator's own text (for example
    "Assert Failed.\\nError in template Batch_12 line: 40"), `logs` the lines the circuit
    printed with `log()` before it failed.
    """

    def __init__(self, message: str, logs: list[str]) -> None:
        self.message = message
        self.logs = logs
        text = message if not logs else message + "\ncircuit log:\n" + "\n".join(logs)
        super().__init__(text)


class ProofNotVerified(ProverError):
    """A proof does not verify against the circuit's verification key (`output` says who found it and why)."""

    def __init__(self, output: str) -> None:
        self.output = output
        super().__init__(f"the proof does not verify against the verification key:\n{output}")
