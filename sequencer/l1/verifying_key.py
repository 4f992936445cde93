"""
The Groth16 verifying key as the rollup's verifier contract holds it.

``Groth16BatchVerifier`` takes the circuit's key in its constructor and returns
it from ``verifyingKey()``; deployment writes it from the set-up's
``verification_key.json`` (snarkjs's format) and every tool that proves for a
deployed rollup reads it back and compares, so a rollup is never driven with
proofs its verifier would refuse, nor a verifier of another set-up trusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import decode
from web3 import Web3

G1 = tuple[int, int]
G2 = tuple[int, int, int, int]
"""A G2 point as the pairing precompile reads it: x imaginary, x real, y imaginary, y real."""

KEY_WORDS = 18
VERIFYING_KEY_SELECTOR = bytes(Web3.keccak(text="verifyingKey()")[:4])


class InvalidVerifyingKey(Exception):
    """A ``verification_key.json`` that is not a Groth16 key over BN254 with one public input."""


@dataclass(frozen=True)
class VerifyingKey:
    """A Groth16 key over BN254 for a circuit with one public input."""

    alpha: G1
    beta: G2
    gamma: G2
    delta: G2
    ic0: G1
    ic1: G1

    @classmethod
    def from_snarkjs(cls, path: Path) -> VerifyingKey:
        """
        The key snarkjs exported to ``path``. snarkjs writes each coordinate of a
        G2 point as (real, imaginary) and each point projectively, its last
        coordinate 1.

        Raises
        ------
        InvalidVerifyingKey
            The file is not a normalised Groth16 key of bn128 with one public input.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["protocol"] != "groth16" or data["curve"] != "bn128" or int(data["nPublic"]) != 1:
                raise InvalidVerifyingKey(f"{path}: not a Groth16 key of bn128 with one public input")
            ic = [_g1(point) for point in data["IC"]]
            if len(ic) != 2:
                raise InvalidVerifyingKey(f"{path}: {len(ic)} input points, expected 2")
            return cls(
                _g1(data["vk_alpha_1"]), _g2(data["vk_beta_2"]), _g2(data["vk_gamma_2"]), _g2(data["vk_delta_2"]), *ic
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            raise InvalidVerifyingKey(f"{path}: {error}") from error

    @classmethod
    def from_words(cls, words: tuple[int, ...]) -> VerifyingKey:
        """The key from the 18 words of the contract's ``VerifyingKey`` struct, in field order."""
        if len(words) != KEY_WORDS:
            raise InvalidVerifyingKey(f"{len(words)} words, expected {KEY_WORDS}")
        w = words
        return cls((w[0], w[1]), (w[2], w[3], w[4], w[5]), (w[6], w[7], w[8], w[9]), (w[10], w[11], w[12], w[13]), (w[14], w[15]), (w[16], w[17]))

    @classmethod
    def read(cls, w3: Web3, verifier: str) -> VerifyingKey:
        """The key the verifier contract at ``verifier`` holds (its ``verifyingKey()``)."""
        returned = w3.eth.call({"to": Web3.to_checksum_address(verifier), "data": VERIFYING_KEY_SELECTOR})
        return cls.from_words(tuple(decode(["uint256"] * KEY_WORDS, returned)))

    def as_struct(self) -> tuple[Any, ...]:
        """The constructor argument of ``Groth16BatchVerifier`` (its ``VerifyingKey`` struct)."""
        return (list(self.alpha), list(self.beta), list(self.gamma), list(self.delta), list(self.ic0), list(self.ic1))


def _g1(point: Any) -> G1:
    """A normalised snarkjs G1 point [x, y, 1]."""
    if len(point) != 3 or str(point[2]) != "1":
        raise InvalidVerifyingKey(f"not a normalised G1 point: {point!r}")
    return int(point[0]), int(point[1])


def _g2(point: Any) -> G2:
    """A normalised snarkjs G2 point [[x0, x1], [y0, y1], [1, 0]], reordered imaginary first."""
    if len(point) != 3 or [str(c) for c in point[2]] != ["1", "0"]:
        raise InvalidVerifyingKey(f"not a normalised G2 point: {point!r}")
    (x0, x1), (y0, y1) = point[0], point[1]
    return int(x1), int(x0), int(y1), int(y0)
