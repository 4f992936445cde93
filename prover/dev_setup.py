"""The development Groth16 set-up: a proving key straight from the circuit, in seconds.

`matchproof_native.groth16_development_setup` (native/src/setup.rs) draws the toxic
waste (tau, alpha, beta, gamma, delta) from the operating system, computes the key
snarkjs's `groth16 setup` and a phase-2 contribution would give from a ptau with that
tau (with a random gamma where snarkjs keeps 1), writes it as a snarkjs `.zkey` and
wipes the secrets. No powers-of-tau file is read or generated:
that is what took a fresh machine 15-40 minutes. Whoever runs it could have kept the
secrets and forge proofs, so it is for development and tests only; with a ceremony ptau
selected (`prover.ptau`), the build takes snarkjs's path instead.

Progress is shown on stderr: a bar redrawn in place on a terminal, a log line per
section elsewhere.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from matchproof_native import groth16_development_setup

from prover.errors import ProverError
from prover.progress import Progress, ProgressBar

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class SetupSizes:
    """What the set-up found in the circuit."""

    constraints: int
    signals: int
    public_signals: int
    domain_size: int


def development_setup(
    r1cs: Path, zkey: Path, label: str = "set-up", progress: Progress | None = None
) -> SetupSizes:
    """Write a development proving key for the circuit in `r1cs` to `zkey`, showing progress.

    `progress(section, done, total)` replaces the default display (`ProgressBar`). The
    key appears at `zkey` only once complete. Development only: the secrets passed through
    this process. Raises ProverError if the r1cs file cannot be read or is not a BN254
    circuit, or the key cannot be written.
    """
    log.warning("%s: a development Groth16 key, from secrets drawn and wiped here: not for production", label)
    partial = zkey.with_name(zkey.name + ".partial")
    try:
        constraints, signals, public, domain = groth16_development_setup(r1cs, partial, progress or ProgressBar(label))
        os.replace(partial, zkey)
    except (OSError, ValueError) as error:
        raise ProverError(f"the development set-up of {r1cs} failed: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return SetupSizes(constraints, signals, public, domain)
