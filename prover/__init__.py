"""Matchproof's prover: build the batch circuit's keys once, then prove batches with Groth16.

- `build_circuit(config, repo_root)` compiles a configuration of `circuits/configs.json`
  with circom2 and runs the Groth16 set-up (`prover.dev_setup` for development, or snarkjs on a
  ceremony ptau), cached by a hash of its inputs;
- `prove(artifacts, input)` computes the witness, proves (arkworks, or snarkjs) and verifies the
  proof before returning it; `check_witness` only asks whether the circuit accepts an input;
- `ceremony_ptau` checks a ceremony's powers-of-tau file, `dev_ptau` makes one for development;
  `prover.ceremony` runs a multi-party phase 2 on it;
- `run_worker` proves batch jobs that appear in a folder.
"""

from prover.build import CircuitArtifacts, build_circuit
from prover.errors import (
    CircuitTooLarge,
    ManifestError,
    ProofNotVerified,
    ProverError,
    PtauError,
    PtauHashMismatch,
    ToolError,
    WitnessError,
)
from prover.groth16 import Proof, check_witness, prove, verify_proof
from prover.ptau import ceremony_ptau, dev_ptau, select_ptau
from prover.worker import run_worker

__all__ = [
    "CircuitArtifacts",
    "CircuitTooLarge",
    "ManifestError",
    "Proof",
    "ProofNotVerified",
    "ProverError",
    "PtauError",
    "PtauHashMismatch",
    "ToolError",
    "WitnessError",
    "build_circuit",
    "ceremony_ptau",
    "check_witness",
    "dev_ptau",
    "prove",
    "run_worker",
    "select_ptau",
    "verify_proof",
]
