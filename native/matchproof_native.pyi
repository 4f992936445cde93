"""Type stub of the Rust extension built from native/ (see native/src/lib.rs).

Use the hashes and signature checks through ``sequencer.crypto.native``, which
takes the dataclasses of ``sequencer.crypto.eddsa``, the prover through
``prover.arkworks`` and the development set-up through ``prover.dev_setup``.
"""

import os
from collections.abc import Callable, Iterable, Sequence

POSEIDON_MAX_INPUTS: int
"""The most Poseidon inputs supported (16, as circomlib and the Python reference)."""

def poseidon(inputs: Sequence[int]) -> int:
    """``Poseidon(inputs)`` as circomlib; ValueError unless 1..16 ints in [0, p)."""

def poseidon_many(rows: Sequence[Sequence[int]]) -> list[int]:
    """``[poseidon(row) for row in rows]`` in parallel without the GIL; ValueError as ``poseidon``, before any hashing."""

def eddsa_verify(ax: object, ay: object, message: object, r8x: object, r8y: object, s: object) -> bool:
    """``sequencer.crypto.eddsa.verify`` on plain integers; False for anything malformed."""

def eddsa_verify_many(items: Iterable[tuple[object, object, object, object, object, object]]) -> list[bool]:
    """``eddsa_verify`` of each 6-tuple, in parallel without the GIL (TypeError if not 6-tuples)."""

def groth16_development_setup(
    r1cs: str | os.PathLike[str], zkey: str | os.PathLike[str], progress: Callable[[str, int, int], object]
) -> tuple[int, int, int, int]:
    """Write a development Groth16 zkey for the circuit in ``r1cs``; ``(constraints, signals, public, domain size)``.

    ``progress(section, done, total)`` is called as each section is computed (an exception
    it raises stops the set-up). OSError for file trouble, ValueError for a malformed r1cs.
    """

def groth16_verify(key: Sequence[object], proof: Sequence[object], public: Sequence[object]) -> bool:
    """Whether a Groth16 proof verifies: key flattened (alpha, beta, gamma, delta, IC...), proof (A, B, C), public signals.

    False for malformed proof points or signals; ValueError for a malformed key.
    """

class Groth16Key:
    """A snarkjs Groth16 zkey of a BN254 circuit, read once; ``prove`` proves ``.wtns`` files with it.

    Use it through ``prover.arkworks``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Read and check the zkey (OSError if unreadable, ValueError if malformed)."""

    @property
    def n_vars(self) -> int:
        """The number of signals, the constant 1 included."""

    @property
    def n_public(self) -> int:
        """The number of public signals."""

    @property
    def domain_size(self) -> int:
        """The size of the evaluation domain (a power of two)."""

    def prove(
        self, path: str | os.PathLike[str], progress: Callable[[str, int, int], object] | None = None
    ) -> tuple[tuple[int, int], tuple[tuple[int, int], tuple[int, int]], tuple[int, int], list[int]]:
        """``(pi_a, pi_b, pi_c, public_signals)`` of the witness file, affine, ``pi_b`` as (c0, c1) pairs.

        Proves in parallel without the GIL; ``progress(section, done, total)`` hears of each
        part ("quotient", then "products" 1 to 5 of 5; an exception it raises is raised once
        the proof is done). OSError if the file is unreadable, ValueError if it is not a
        witness of this circuit.
        """

def threshold_dkg_key() -> tuple[bytes, bytes]:
    """A member's key pair for receiving its DKG values: ``(secret, public)``."""

def threshold_dkg_deal(threshold: int, members: list[bytes]) -> tuple[bytes, list[bytes]]:
    """One member's dealing: ``(commitment, [value for member j encrypted to members[j]])``; ``threshold + 1`` will decrypt.

    ValueError unless ``threshold < len(members)``, or if a key does not decode.
    """

def threshold_dkg_receive(secret_key: bytes, member: int, commitment: bytes, value: bytes) -> bytes:
    """Member ``member``'s value of one dealing, decrypted and checked against the commitment (ValueError if not)."""

def threshold_dkg_combine(member: int, commitments: list[bytes], values: list[bytes]) -> tuple[bytes, bytes]:
    """``(the set's public key set, member's secret share)``: the sums, checked against each other (ValueError if not)."""

def threshold_of(key_set: bytes) -> int:
    """The threshold ``t`` of a public key set (``t + 1`` shares decrypt); ValueError if it does not decode."""

def threshold_encrypt(key_set: bytes, plaintext: bytes) -> bytes:
    """``plaintext`` encrypted to the set's public key, with fresh randomness."""

def threshold_ciphertext_valid(ciphertext: bytes) -> bool:
    """Whether ``ciphertext`` decodes and is well formed."""

def threshold_decryption_share(secret_share: bytes, ciphertext: bytes) -> bytes:
    """A member's decryption share of ``ciphertext``, found well formed before (not checked again); ValueError if either does not decode."""

def threshold_share_valid(key_set: bytes, index: int, share: bytes, ciphertext: bytes) -> bool:
    """Whether ``share`` is member ``index``'s decryption share of ``ciphertext`` under the set."""

def threshold_decrypt(key_set: bytes, shares: dict[int, bytes], ciphertext: bytes) -> bytes:
    """The plaintext from ``threshold + 1`` or more shares (index to share, unchecked); ValueError with fewer."""

def threshold_shares_valid(key_set: bytes, shares: list[tuple[int, bytes, bytes]]) -> bool:
    """Whether every ``(member, share, ciphertext)`` is that member's share of that ciphertext: one batch check.

    Random 64-bit weights (a wrong share passes with probability 2^-64); False if anything does not decode.
    """
