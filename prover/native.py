"""The circuit's witness computed by circom's C++ witness generator instead of WebAssembly.

`circom2 --c` writes a C++ program that computes the same witness as the
WebAssembly one; it is compiled here with `make` (it needs Debian's `nasm`,
`libgmp-dev` and `nlohmann-json3-dev`, which `scripts/bootstrap` installs). It is
built once per circuit build, from the same main file and compiler flags, so its
witness numbering is the proving key's; every proof is verified before use anyway.
"""

import json
import shutil
import tempfile
from pathlib import Path

from prover.build import STAMP_NAME, CircuitArtifacts, MAIN_CIRCOM
from prover.errors import ProverError, ToolError, WitnessError
from prover.tools import atomic_write_text, default_repo_root, file_lock, npm_bin, run_tool
from prover.witness import WitnessInput, encode_input

NATIVE_DIR = "native"
NATIVE_STAMP = "native.stamp"
BUILD_TOOLS = ("make", "g++", "nasm")


def native_available() -> bool:
    """Whether this machine has the tools to build the C++ witness generator."""
    return all(shutil.which(tool) for tool in BUILD_TOOLS)


def build_native_witness(artifacts: CircuitArtifacts, repo_root: Path | None = None) -> Path:
    """The compiled C++ witness generator of `artifacts`'s circuit, built on first use.

    Cached beside the circuit build and rebuilt whenever the circuit build changes.
    Raises ProverError if the build tools are missing and ToolError if circom or make fails.
    """
    if not native_available():
        raise ProverError(f"the C++ witness generator needs {', '.join(BUILD_TOOLS)} (scripts/bootstrap installs them)")
    root = (repo_root or default_repo_root()).resolve()
    directory = artifacts.directory / NATIVE_DIR
    # circom names the program after the main file, renaming "main" (C++'s own) to "main_c".
    binary = directory / "main_c_cpp" / "main_c"
    build_hash = json.loads((artifacts.directory / STAMP_NAME).read_text(encoding="utf-8"))["inputsHash"]
    with file_lock(artifacts.directory / ".native.lock"):
        stamp = directory / NATIVE_STAMP
        if binary.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == build_hash:
            return binary
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        config = artifacts.config
        include_flags = [flag for include in config.include_paths for flag in ("-l", include)]
        relative = artifacts.directory.relative_to(root).as_posix()
        run_tool(
            [str(npm_bin(root, "circom2")), f"{relative}/{MAIN_CIRCOM}", "--c", *config.circom_flags, *include_flags,
             "-o", f"{relative}/{NATIVE_DIR}"],
            root,
        )  # fmt: skip
        run_tool(["make", "-j2"], binary.parent)
        atomic_write_text(stamp, build_hash)
    return binary


def compute_native_witness(binary: Path, witness_input: WitnessInput, wtns: Path) -> None:
    """Write the witness of `witness_input` to `wtns` with the C++ generator.

    Raises WitnessError with the generator's message if the circuit refuses the input.
    """
    encoded = {name: encode_input(value, name) for name, value in witness_input.items()}
    with tempfile.TemporaryDirectory(prefix="matchproof-native-") as scratch:
        input_path = Path(scratch) / "input.json"
        input_path.write_text(json.dumps(encoded), encoding="utf-8")
        try:
            # The generator reads main.dat from beside itself.
            run_tool([str(binary), str(input_path), str(wtns)], binary.parent)
        except ToolError as error:
            raise WitnessError(error.output.strip(), []) from error
