"""Groth16 proofs computed and verified natively with arkworks, from snarkjs's own files.

`matchproof_native.Groth16Key` (native/src/groth16.rs) reads the circuit's `.zkey` and
proves a `.wtns` witness as snarkjs's `groth16 prove` does (the same reduction to a QAP,
the same blinding), in parallel on all cores. `verify` checks a proof against the
`verification_key.json` snarkjs exported (the key the Solidity verifier holds) with the
pairing equation the verifier contract checks, in milliseconds; snarkjs stays the
reference for both, and the tests check they agree. A worker reads its keys once: they
are cached by path and reread when the file changes.
"""

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from matchproof_native import Groth16Key, groth16_verify

from prover.errors import ProverError
from prover.progress import Progress

ArkworksProof = tuple[tuple[int, int], tuple[tuple[int, int], tuple[int, int]], tuple[int, int], list[int]]
"""`(pi_a, pi_b, pi_c, public_signals)`, affine, `pi_b`'s coordinates as (c0, c1) pairs."""

_Loaded = TypeVar("_Loaded")

_cache: dict[Path, tuple[tuple[int, int], object]] = {}
_cache_lock = threading.Lock()


def _cached(path: Path, load: Callable[[Path], _Loaded]) -> _Loaded:
    """`load(path)`, computed on first use and again whenever the file changes (its mtime or size).

    Raises what `stat` and `load` raise.
    """
    resolved = path.resolve()
    status = resolved.stat()
    version = (status.st_mtime_ns, status.st_size)
    with _cache_lock:
        cached = _cache.get(resolved)
        if cached is None or cached[0] != version:
            cached = (version, load(resolved))
            _cache[resolved] = cached
        return cast(_Loaded, cached[1])


def proving_key(zkey: Path) -> Groth16Key:
    """The proving key in `zkey`, read on first use and again whenever the file changes.

    Raises ProverError if the file cannot be read or is not a BN254 Groth16 zkey.
    """
    try:
        return _cached(zkey, Groth16Key)
    except (OSError, ValueError) as error:
        raise ProverError(f"cannot read the proving key {zkey}: {error}") from error


def prove_witness(zkey: Path, witness: Path, progress: Progress | None = None) -> ArkworksProof:
    """Prove the witness file `witness` with the key in `zkey`.

    `progress(section, done, total)`, if given, hears of each part of the proof as it is
    done ("quotient", then "products" 1 to 5 of 5). Raises ProverError if either file is
    unreadable or they do not belong together.
    """
    key = proving_key(zkey)
    try:
        return key.prove(witness, progress)
    except (OSError, ValueError) as error:
        raise ProverError(f"arkworks cannot prove {witness} with {zkey}: {error}") from error


def _flat_point(point: Any, g2: bool) -> list[int]:
    """An affine point of snarkjs's JSON ([x, y, 1] or [[x0, x1], [y0, y1], [1, 0]]) as integers."""
    if g2:
        (x0, x1), (y0, y1) = point[0], point[1]
        return [int(x0), int(x1), int(y0), int(y1)]
    return [int(point[0]), int(point[1])]


def _read_verification_key(path: Path) -> list[int]:
    """The key of a snarkjs `verification_key.json`, flattened as `groth16_verify` takes it."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("protocol") != "groth16" or data.get("curve") != "bn128":
        raise ValueError("not a Groth16 key of bn128")
    return [
        *_flat_point(data["vk_alpha_1"], g2=False),
        *(value for name in ("vk_beta_2", "vk_gamma_2", "vk_delta_2") for value in _flat_point(data[name], g2=True)),
        *(value for point in data["IC"] for value in _flat_point(point, g2=False)),
    ]


def verification_key(vkey: Path) -> list[int]:
    """The verification key in `vkey` (snarkjs's JSON), flattened as `groth16_verify` takes it (cached).

    Raises ProverError if the file cannot be read or is not a Groth16 key of BN254.
    """
    try:
        return _cached(vkey, _read_verification_key)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
        raise ProverError(f"cannot read the verification key {vkey}: {error}") from error


def verify(vkey: Path, proof: ArkworksProof) -> bool:
    """Whether `proof` (points and public signals) verifies under the key in `vkey`.

    False for a wrong proof and for malformed points or signals, as the verifier contract;
    ProverError if the key cannot be used.
    """
    (a0, a1), ((b00, b01), (b10, b11)), (c0, c1), public = proof
    try:
        return groth16_verify(verification_key(vkey), [a0, a1, b00, b01, b10, b11, c0, c1], list(public))
    except ValueError as error:
        raise ProverError(f"cannot verify with {vkey}: {error}") from error
