"""Compile the Matchproof contracts with solc-js through ``scripts/solc``.

There is no native solc on this project's machines: py-solc-x runs
``scripts/solc``, a node wrapper around npm ``solc`` that answers ``--version``
and ``--standard-json`` like native solc. Imports of ``@openzeppelin/`` are
remapped to ``node_modules/@openzeppelin/`` and read by the wrapper.

The output is cached under ``build/contracts/compiled-<key>.json``, where the key
hashes the whole standard-JSON input (every source's text and the settings), the
solc-js and OpenZeppelin versions, and the wrapper itself: compiling the same
inputs twice reads the cache.

Also here: ``generate_poseidon()``, which runs ``scripts/gen_poseidon.js`` when
``build/contracts/poseidon.json`` is missing or older than the generator.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import solcx

from sequencer.l1.paths import (
    BUILD_DIR,
    CONTRACTS_SOURCE_DIR,
    NODE_MODULES,
    POSEIDON_GENERATOR,
    POSEIDON_JSON,
    REPO_ROOT,
    SOLC_WRAPPER,
)

EVM_VERSION = "osaka"
"""The EVM the bytecode targets: mainnet's current fork, and the hardfork anvil is pinned to."""

OPTIMIZER_RUNS = 200

REMAPPINGS = ("@openzeppelin/=node_modules/@openzeppelin/",)

POSEIDON_ARITIES = (2, 4, 5, 7, 9, 15)
"""The Poseidon contracts the rollup uses, in the order of its ``Hashers``: the request chain and the
state root over the account root and the perpetual commitment (2), the account tree's nodes (4), a
perpetual market and the perpetual commitment (5), a request's hash (7), an account's perpetual side
(9) and an account leaf (15)."""


class CompilationError(Exception):
    """The compiler reported errors, or its output lacks a contract asked for."""


@dataclass(frozen=True)
class ContractArtifact:
    """One compiled contract."""

    source: str
    """The source unit name, a path relative to the repository root."""
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    """Creation bytecode, ``0x``-prefixed hex."""
    deployed_bytecode: str
    """Runtime bytecode, ``0x``-prefixed hex."""


@dataclass(frozen=True)
class CompiledContracts:
    """The compiler's output for one set of inputs."""

    contracts: Mapping[str, ContractArtifact]
    """Keyed by ``"<source unit>:<contract name>"``."""
    cache_file: Path
    key: str
    """sha256 hex digest of the inputs (see the module docstring)."""

    def get(self, name: str) -> ContractArtifact:
        """The contract called ``name``, or ``"<source unit>:<name>"`` when names repeat.

        Raises ``KeyError`` if there is none and ``ValueError`` if the plain name is
        ambiguous.
        """
        if name in self.contracts:
            return self.contracts[name]
        found = [artifact for artifact in self.contracts.values() if artifact.name == name]
        if not found:
            raise KeyError(f"no compiled contract named {name!r}")
        if len(found) > 1:
            units = ", ".join(f"{a.source}:{a.name}" for a in found)
            raise ValueError(f"contract name {name!r} is ambiguous: {units}")
        return found[0]


def _unit_name(path: Path, root: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()


def _package_version(package: str) -> str:
    manifest = json.loads((NODE_MODULES / package / "package.json").read_text())
    return str(manifest["version"])


def standard_input(
    verifier_source: Path | None = None,
    *,
    source_dir: Path = CONTRACTS_SOURCE_DIR,
    root: Path = REPO_ROOT,
) -> dict[str, Any]:
    """The standard-JSON compiler input: every ``.sol`` under ``source_dir``, plus the
    verifier source if given, with their text inline (source unit names relative to
    ``root``)."""
    files = sorted(source_dir.rglob("*.sol"))
    if verifier_source is not None:
        if not verifier_source.is_file():
            raise FileNotFoundError(f"verifier source not found: {verifier_source}")
        files.append(verifier_source)
    sources = {_unit_name(path, root): {"content": path.read_text()} for path in files}
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "remappings": list(REMAPPINGS),
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "viaIR": False,
            "evmVersion": EVM_VERSION,
            "outputSelection": {
                "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]},
            },
        },
    }


def _cache_key(compiler_input: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(compiler_input, sort_keys=True, separators=(",", ":")).encode())
    digest.update(f"\0solc {_package_version('solc')}".encode())
    digest.update(f"\0openzeppelin {_package_version('@openzeppelin/contracts')}".encode())
    digest.update(b"\0wrapper ")
    digest.update(SOLC_WRAPPER.read_bytes())
    return digest.hexdigest()


def _artifacts(output: Mapping[str, Any]) -> dict[str, ContractArtifact]:
    artifacts: dict[str, ContractArtifact] = {}
    for unit, contracts in output.get("contracts", {}).items():
        for name, data in contracts.items():
            evm = data["evm"]
            artifacts[f"{unit}:{name}"] = ContractArtifact(
                source=unit,
                name=name,
                abi=data["abi"],
                bytecode="0x" + evm["bytecode"]["object"],
                deployed_bytecode="0x" + evm["deployedBytecode"]["object"],
            )
    return artifacts


def _load_cache(path: Path, key: str) -> CompiledContracts:
    stored = json.loads(path.read_text())
    contracts = {
        unit_name: ContractArtifact(
            source=entry["source"],
            name=entry["name"],
            abi=entry["abi"],
            bytecode=entry["bytecode"],
            deployed_bytecode=entry["deployedBytecode"],
        )
        for unit_name, entry in stored["contracts"].items()
    }
    return CompiledContracts(contracts=contracts, cache_file=path, key=key)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def compile_contracts(
    verifier_source: Path | None = None,
    *,
    source_dir: Path = CONTRACTS_SOURCE_DIR,
    build_dir: Path = BUILD_DIR,
    force: bool = False,
) -> CompiledContracts:
    """Compile ``contracts/src`` (and the verifier source, if given); cached.

    ``verifier_source`` is an extra source: a test mock verifier, or the
    ``Groth16Verifier`` that ``snarkjs zkey export solidityverifier`` writes (the
    tests check that it accepts the arkworks prover's proofs; the rollup deploys
    ``Groth16BatchVerifier`` with the circuit's key).
    ``force`` recompiles even when the cache has this input.

    Raises ``CompilationError`` when solc reports an error.
    """
    compiler_input = standard_input(verifier_source, source_dir=source_dir)
    key = _cache_key(compiler_input)
    cache_file = build_dir / f"compiled-{key[:16]}.json"
    if cache_file.is_file() and not force:
        return _load_cache(cache_file, key)

    try:
        output = cast(
            dict[str, Any],
            solcx.compile_standard(compiler_input, solc_binary=SOLC_WRAPPER),
        )
    except solcx.exceptions.SolcError as error:
        raise CompilationError(str(error)) from error
    artifacts = _artifacts(output)
    if not artifacts:
        raise CompilationError("the compiler returned no contracts")
    stored = {
        "key": key,
        "solc": _package_version("solc"),
        "evmVersion": EVM_VERSION,
        "contracts": {
            unit_name: {
                "source": a.source,
                "name": a.name,
                "abi": a.abi,
                "bytecode": a.bytecode,
                "deployedBytecode": a.deployed_bytecode,
            }
            for unit_name, a in artifacts.items()
        },
    }
    _write_atomically(cache_file, json.dumps(stored, indent=1, sort_keys=True) + "\n")
    return CompiledContracts(contracts=artifacts, cache_file=cache_file, key=key)


@dataclass(frozen=True)
class PoseidonArtifact:
    """A generated Poseidon hash contract (``poseidon(uint256[n]) returns (uint256)``)."""

    n_inputs: int
    abi: list[dict[str, Any]]
    bytecode: str
    """Creation code; its constructor takes the addresses of the ``constants`` contracts (ABI-encoded)."""
    generator: str
    constants: tuple[str, ...]
    """Creation codes of the data contracts holding the constants that do not fit in the hash contract's
    code (EIP-170), to deploy first, in order; empty when it holds them all."""


def generate_poseidon(*, force: bool = False) -> Path:
    """Run ``scripts/gen_poseidon.js`` unless ``build/contracts/poseidon.json`` is newer
    than it (or ``force``); returns the JSON's path. Needs ``node`` on PATH."""
    fresh = (
        POSEIDON_JSON.is_file() and POSEIDON_JSON.stat().st_mtime >= POSEIDON_GENERATOR.stat().st_mtime
    )
    if force or not fresh:
        subprocess.run(
            ["node", str(POSEIDON_GENERATOR)],
            cwd=REPO_ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return POSEIDON_JSON


def load_poseidon(arities: Sequence[int] = POSEIDON_ARITIES) -> dict[int, PoseidonArtifact]:
    """The generated Poseidon contracts by arity (generating them first if needed)."""
    stored = json.loads(generate_poseidon().read_text())
    result: dict[int, PoseidonArtifact] = {}
    for n in arities:
        entry = stored.get(f"poseidon{n}")
        if entry is None:
            raise KeyError(f"{POSEIDON_JSON} has no Poseidon contract for {n} inputs")
        result[n] = PoseidonArtifact(
            n_inputs=int(entry["nInputs"]),
            abi=entry["abi"],
            bytecode=str(entry["bytecode"]),
            generator=str(entry["generator"]),
            constants=tuple(str(code) for code in entry["constants"]),
        )
    return result
