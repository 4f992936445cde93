"""Groth16 proofs of a built circuit (arkworks or snarkjs), each verified before it is returned.

Two provers read the same zkey and make proofs the same verifier accepts: arkworks, natively
in this process (`prover.arkworks`, the default: several times faster), and snarkjs, the
reference, run through node. Either checks a proof too: arkworks natively by default
(the verifier contract's pairing equation, in milliseconds), snarkjs on request; the
tests check they agree.

A proof that does not verify would only be rejected on chain (a liveness problem, never
a soundness one), but it would cost a failed transaction, so `prove` checks every proof
against the circuit's verification key first.
"""

import json
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from prover.arkworks import ArkworksProof, prove_witness
from prover.arkworks import verify as arkworks_verify
from prover.build import CircuitArtifacts
from prover.errors import ProofNotVerified, ProverError, ToolError
from prover.native import build_native_witness, compute_native_witness
from prover.progress import Progress
from prover.tools import default_repo_root, npm_bin, run_tool
from prover.witness import WitnessInput, calculator_for

G1Point = tuple[int, int]
G2Point = tuple[tuple[int, int], tuple[int, int]]


def _affine(coordinates: Sequence[Any], one: Any, what: str) -> list[Any]:
    """The affine part of a snarkjs projective point, whose last coordinate must be `one`."""
    if len(coordinates) != 3 or coordinates[2] != one:
        raise ProverError(f"{what} is not a normalised snarkjs point: {coordinates!r}")
    return list(coordinates[:2])


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof in affine coordinates, its public signals, and how long it took.

    `pi_b`'s coordinates are in snarkjs's order: each Fq2 element as (c0, c1).
    """

    pi_a: G1Point
    pi_b: G2Point
    pi_c: G1Point
    public_signals: tuple[int, ...]
    witness_seconds: float
    prove_seconds: float

    def solidity_calldata(self) -> list[int]:
        """The 8 uint256 of the proof in the order snarkjs's Solidity verifier takes them.

        `verifyProof(pA, pB, pC, pubSignals)`: pA = a0, a1; pB = [[b01, b00], [b11, b10]]
        (the EVM's pairing precompile wants Fq2 elements as (c1, c0)); pC = c0, c1.
        """
        (b00, b01), (b10, b11) = self.pi_b
        return [self.pi_a[0], self.pi_a[1], b01, b00, b11, b10, self.pi_c[0], self.pi_c[1]]

    def to_snarkjs(self) -> dict[str, Any]:
        """The proof as snarkjs writes proof.json (projective, decimal strings)."""
        (b00, b01), (b10, b11) = self.pi_b
        return {
            "pi_a": [str(self.pi_a[0]), str(self.pi_a[1]), "1"],
            "pi_b": [[str(b00), str(b01)], [str(b10), str(b11)], ["1", "0"]],
            "pi_c": [str(self.pi_c[0]), str(self.pi_c[1]), "1"],
            "protocol": "groth16",
            "curve": "bn128",
        }

    @classmethod
    def from_snarkjs(
        cls, proof: Mapping[str, Any], public: Sequence[str], witness_seconds: float, prove_seconds: float
    ) -> "Proof":
        """The proof in snarkjs's proof.json and public.json form, with its timings.

        Raises ProverError if a point is not normalised (snarkjs always normalises).
        """
        a0, a1 = _affine(proof["pi_a"], "1", "pi_a")
        (b00, b01), (b10, b11) = _affine(proof["pi_b"], ["1", "0"], "pi_b")
        c0, c1 = _affine(proof["pi_c"], "1", "pi_c")
        return cls(
            pi_a=(int(a0), int(a1)),
            pi_b=((int(b00), int(b01)), (int(b10), int(b11))),
            pi_c=(int(c0), int(c1)),
            public_signals=tuple(int(signal) for signal in public),
            witness_seconds=witness_seconds,
            prove_seconds=prove_seconds,
        )

    @classmethod
    def from_arkworks(cls, proven: ArkworksProof, witness_seconds: float, prove_seconds: float) -> "Proof":
        """The proof `prover.arkworks.prove_witness` returned, with its timings."""
        pi_a, pi_b, pi_c, public = proven
        return cls(pi_a, pi_b, pi_c, tuple(public), witness_seconds, prove_seconds)

    def to_json(self) -> dict[str, Any]:
        """The proof as a JSON object: snarkjs's form, public signals, calldata and timings."""
        return {
            "proof": self.to_snarkjs(),
            "publicSignals": [str(signal) for signal in self.public_signals],
            "calldata": [str(word) for word in self.solidity_calldata()],
            "witnessSeconds": self.witness_seconds,
            "proveSeconds": self.prove_seconds,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Proof":
        """The proof `to_json` wrote."""
        return cls.from_snarkjs(data["proof"], data["publicSignals"], data["witnessSeconds"], data["proveSeconds"])


def check_witness(artifacts: CircuitArtifacts, witness_input: WitnessInput) -> None:
    """Compute the witness of `witness_input` only, to learn whether the circuit accepts it.

    Raises WitnessError carrying circom's message if a constraint or assert fails or a
    signal is missing, unknown or not a field element.
    """
    calculator_for(artifacts.wasm).compute(witness_input)


Verifier = Literal["arkworks", "snarkjs"]
"""Who checks a proof: arkworks in this process (milliseconds), or snarkjs through node (the reference)."""


def verify_proof(
    artifacts: CircuitArtifacts, proof: Proof, repo_root: Path | None = None, verifier: Verifier = "arkworks"
) -> None:
    """Check `proof` against the circuit's verification key (`verification_key.json`).

    Raises ProofNotVerified if it does not verify (with snarkjs's output when snarkjs checked).
    """
    if verifier == "arkworks":
        if not arkworks_verify(artifacts.vkey, (proof.pi_a, proof.pi_b, proof.pi_c, list(proof.public_signals))):
            raise ProofNotVerified(f"arkworks: the pairing check fails under {artifacts.vkey}")
        return
    snarkjs = str(npm_bin(repo_root or default_repo_root(), "snarkjs"))
    with tempfile.TemporaryDirectory(prefix="matchproof-verify-") as scratch:
        folder = Path(scratch)
        (folder / "proof.json").write_text(json.dumps(proof.to_snarkjs()), encoding="utf-8")
        (folder / "public.json").write_text(json.dumps([str(s) for s in proof.public_signals]), encoding="utf-8")
        try:
            run_tool([snarkjs, "groth16", "verify", str(artifacts.vkey), "public.json", "proof.json"], folder)
        except ToolError as error:
            raise ProofNotVerified(error.output) from error


WitnessBackend = Literal["wasm", "native"]
"""How the witness is computed: circom's WebAssembly (through node) or its C++ generator."""

ProverBackend = Literal["arkworks", "snarkjs"]
"""Who proves: arkworks in this process (`prover.arkworks`), or snarkjs, the reference."""

PROVER_BACKENDS: tuple[ProverBackend, ...] = ("arkworks", "snarkjs")
WITNESS_BACKENDS: tuple[WitnessBackend, ...] = ("wasm", "native")


def prove(
    artifacts: CircuitArtifacts,
    witness_input: WitnessInput,
    repo_root: Path | None = None,
    on_step: Callable[[str], None] | None = None,
    witness: WitnessBackend = "wasm",
    backend: ProverBackend = "arkworks",
    progress: Progress | None = None,
) -> Proof:
    """Prove `witness_input` with the circuit's proving key and verify the proof before returning it.

    `on_step`, if given, is called with "witness", "prove" and "verify" as each step
    starts (the worker logs progress with it); `progress(section, done, total)`, if
    given, as each part is done ("witness"; arkworks's "quotient" and its five
    "products", or snarkjs's whole "prove"; "verify": a `ProgressBar` shows them).
    `witness` picks the witness generator
    (`prover.native` for the C++ one, built on first use), `backend` the prover.
    Raises WitnessError (with circom's message) if the circuit refuses the input,
    ProofNotVerified if the proof does not verify, ToolError if snarkjs fails and
    ProverError if arkworks cannot read the key or the witness.
    """
    report = on_step or (lambda _step: None)
    done = progress or (lambda _section, _done, _total: None)
    snarkjs = str(npm_bin(repo_root or default_repo_root(), "snarkjs"))
    with tempfile.TemporaryDirectory(prefix="matchproof-prove-") as scratch:
        folder = Path(scratch)
        report("witness")
        started = time.monotonic()
        if witness == "native":
            compute_native_witness(build_native_witness(artifacts, repo_root), witness_input, folder / "witness.wtns")
        else:
            calculator_for(artifacts.wasm).compute(witness_input, folder / "witness.wtns")
        witnessed = time.monotonic()
        done("witness", 1, 1)
        report("prove")
        if backend == "arkworks":
            proven = prove_witness(artifacts.zkey, folder / "witness.wtns", progress)
            proof = Proof.from_arkworks(proven, witnessed - started, time.monotonic() - witnessed)
        else:
            run_tool([snarkjs, "groth16", "prove", str(artifacts.zkey), "witness.wtns", "proof.json", "public.json"], folder)
            proof = Proof.from_snarkjs(
                json.loads((folder / "proof.json").read_text(encoding="utf-8")),
                json.loads((folder / "public.json").read_text(encoding="utf-8")),
                witness_seconds=witnessed - started,
                prove_seconds=time.monotonic() - witnessed,
            )
            done("prove", 1, 1)
    report("verify")
    verify_proof(artifacts, proof, repo_root)
    done("verify", 1, 1)
    return proof
