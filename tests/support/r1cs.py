"""
Checking a witness against a circuit's constraints directly, so a test can
play a dishonest prover: compute the honest witness, change the values a
hint (``<--``) chose and whatever follows from them, and see whether any
assignment of that kind still satisfies the R1CS.

circom's own witness generator only ever computes honest hints, so a test
through it cannot show that a forged hint is refused. This reads the
circuit's ``.r1cs`` (iden3's binary format: a header section and a
constraints section of ``A * B = C`` over sparse linear combinations), the
witness's ``.wtns`` and the ``.sym`` names of the signals.
"""

import struct
from dataclasses import dataclass
from pathlib import Path

LinearCombination = dict[int, int]
"""Wire index -> coefficient."""


@dataclass(frozen=True)
class R1cs:
    """A circuit's prime, its number of wires and its constraints ``(A, B, C)``."""

    prime: int
    wires: int
    constraints: list[tuple[LinearCombination, LinearCombination, LinearCombination]]

    def unsatisfied(self, witness: list[int]) -> list[int]:
        """The indices of the constraints ``witness`` breaks (none: it satisfies the circuit)."""
        broken = []
        for number, (a, b, c) in enumerate(self.constraints):
            if (evaluate(a, witness, self.prime) * evaluate(b, witness, self.prime) - evaluate(c, witness, self.prime)) % self.prime:
                broken.append(number)
        return broken


def evaluate(combination: LinearCombination, witness: list[int], prime: int) -> int:
    return sum(coefficient * witness[wire] for wire, coefficient in combination.items()) % prime


def sections(data: bytes, magic: bytes) -> dict[int, bytes]:
    """The sections of an iden3 binary file (``r1cs``, ``wtns``), by type."""
    if data[:4] != magic:
        raise ValueError(f"not a {magic.decode()} file")
    (count,) = struct.unpack_from("<I", data, 8)
    offset, found = 12, {}
    for _ in range(count):
        kind, size = struct.unpack_from("<IQ", data, offset)
        found[kind] = data[offset + 12 : offset + 12 + size]
        offset += 12 + size
    return found


def read_r1cs(path: Path) -> R1cs:
    """The constraints of the ``.r1cs`` file at ``path``."""
    parts = sections(path.read_bytes(), b"r1cs")
    header = parts[1]
    (n8,) = struct.unpack_from("<I", header, 0)
    prime = int.from_bytes(header[4 : 4 + n8], "little")
    wires, _, _, _, _, count = struct.unpack_from("<IIIIQI", header, 4 + n8)
    body, offset = parts[2], 0
    constraints = []
    for _ in range(count):
        terms = []
        for _ in range(3):
            (size,) = struct.unpack_from("<I", body, offset)
            offset += 4
            combination: LinearCombination = {}
            for _ in range(size):
                (wire,) = struct.unpack_from("<I", body, offset)
                combination[wire] = int.from_bytes(body[offset + 4 : offset + 4 + n8], "little")
                offset += 4 + n8
            terms.append(combination)
        constraints.append((terms[0], terms[1], terms[2]))
    return R1cs(prime, wires, constraints)


def read_wtns(path: Path) -> list[int]:
    """The values of the ``.wtns`` file at ``path``, by wire."""
    parts = sections(path.read_bytes(), b"wtns")
    (n8,) = struct.unpack_from("<I", parts[1], 0)
    values = parts[2]
    return [int.from_bytes(values[i : i + n8], "little") for i in range(0, len(values), n8)]


def read_sym(path: Path) -> dict[str, int]:
    """Each signal's wire, by its full name (``main.x.y``); signals the optimiser removed are left out."""
    wires = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        _, wire, _, name = line.split(",", 3)
        if int(wire) >= 0:
            wires[name] = int(wire)
    return wires
