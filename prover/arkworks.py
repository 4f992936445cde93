"""Groth16 proofs computed natively with arkworks, from snarkjs's own zkey and witness files.

`matchproof_native.Groth16Key` (native/src/groth16.rs) reads the circuit's `.zkey` and
proves a `.wtns` witness as snarkjs's `groth16 prove` does (the same reduction to a QAP,
the same blinding), in parallel on all cores; snarkjs stays the reference and checks every
proof (`prover.groth16.prove` verifies before it returns). A worker reads its key once:
keys are cached by path and reread when the file changes.
"""

import threading
from pathlib import Path

from matchproof_native import Groth16Key

from prover.errors import ProverError

ArkworksProof = tuple[tuple[int, int], tuple[tuple[int, int], tuple[int, int]], tuple[int, int], list[int]]
"""`(pi_a, pi_b, pi_c, public_signals)`, affine, `pi_b`'s coordinates as (c0, c1) pairs."""

_keys: dict[Path, tuple[tuple[int, int], Groth16Key]] = {}
_keys_lock = threading.Lock()


def proving_key(zkey: Path) -> Groth16Key:
    """The proving key in `zkey`, read on first use and again whenever the file changes.

    Raises ProverError if the file cannot be read or is not a BN254 Groth16 zkey.
    """
    path = zkey.resolve()
    try:
        status = path.stat()
        version = (status.st_mtime_ns, status.st_size)
        with _keys_lock:
            cached = _keys.get(path)
            if cached is None or cached[0] != version:
                cached = (version, Groth16Key(path))
                _keys[path] = cached
            return cached[1]
    except (OSError, ValueError) as error:
        raise ProverError(f"cannot read the proving key {zkey}: {error}") from error


def prove_witness(zkey: Path, witness: Path) -> ArkworksProof:
    """Prove the witness file `witness` with the key in `zkey`.

    Raises ProverError if either file is unreadable or they do not belong together.
    """
    key = proving_key(zkey)
    try:
        return key.prove(witness)
    except (OSError, ValueError) as error:
        raise ProverError(f"arkworks cannot prove {witness} with {zkey}: {error}") from error
