"""Where the L1 tooling lives, resolved from the repository root (no absolute paths)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The repository root: this file is ``sequencer/l1/paths.py``."""

CONTRACTS_SOURCE_DIR = REPO_ROOT / "contracts" / "src"
"""The production Solidity sources (``contracts/src``)."""

BUILD_DIR = REPO_ROOT / "build" / "contracts"
"""Compiler output cache and the generated Poseidon bytecode."""

POSEIDON_JSON = BUILD_DIR / "poseidon.json"
"""Written by ``scripts/gen_poseidon.js``: bytecode and ABI per Poseidon arity."""

POSEIDON_GENERATOR = REPO_ROOT / "scripts" / "gen_poseidon.js"

SOLC_WRAPPER = REPO_ROOT / "scripts" / "solc"
"""solc-js behind a native-solc command line (``--version``, ``--standard-json``)."""

NODE_MODULES = REPO_ROOT / "node_modules"

ANVIL_BINARY = NODE_MODULES / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
"""The native anvil from npm ``@foundry-rs/anvil`` (1.7.1)."""
