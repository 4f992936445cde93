"""
A dishonest prover's forged hint: ``SignedAbs`` lets the witness choose a
value's sign (``negative <-- in < 0``). Forging it, with every value that
follows from it recomputed to match (``out = in - 2 * negative * in`` and
the bits of ``out``'s range check), must break the R1CS, or the account's
value and requirements could be computed from a flipped position.

The witness is the honest one of ``AccountMargin`` (``account_margin.circom``)
for a real account, read back from its ``.wtns`` and checked against its
``.r1cs`` by ``tests/support/r1cs.py``: honest, it satisfies every
constraint; forged, it does not. At a size of zero the sign is free and
harmless (``out`` is zero either way), which the last case shows.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from prover import CircuitArtifacts
from prover.witness import calculator_for
from sequencer.spec.perpetual.constants import SIZE_BITS
from tests.circuit.perpetual.test_margin_circuit import account, buy, circuit_input, ledger
from tests.support.r1cs import R1cs, read_r1cs, read_sym, read_wtns


@pytest.fixture(scope="module")
def circuit(perp_circuit: Callable[[str], CircuitArtifacts]) -> CircuitArtifacts:
    return perp_circuit("perp_margin")


def honest_witness(circuit: CircuitArtifacts, folder: Path, sizes: tuple[int, int]) -> list[int]:
    """The honest witness of a long in market 0 (``sizes``) buying one more at 100."""
    book = ledger()
    before = account(50_000, sizes)
    wtns = folder / "honest.wtns"
    calculator_for(circuit.wasm).compute(circuit_input(book, before, buy(book, before, 0, 1, 100), 0), wtns)
    return read_wtns(wtns)


def forge_sign(witness: list[int], wires: dict[str, int], prime: int, component: str) -> list[int]:
    """
    ``witness`` with ``component``'s sign flipped, its ``out`` (where the
    optimiser kept it) and its range check's bits recomputed to match.
    """
    forged = list(witness)
    negative = wires[f"{component}.negative"]
    # The optimiser keeps out and drops one bit, or drops out (the bits' sum): read |in| from what is kept.
    bits = {bit: wires[name] for bit in range(SIZE_BITS) if (name := f"{component}.bits.bits.out[{bit}]") in wires}
    kept_out = wires.get(f"{component}.out")
    magnitude = witness[kept_out] if kept_out is not None else sum(witness[wire] << bit for bit, wire in bits.items())
    value = (-magnitude) % prime if witness[negative] else magnitude
    forged[negative] = 1 - witness[negative]
    out = (value - 2 * forged[negative] * value) % prime
    if kept_out is not None:
        forged[kept_out] = out
    for bit, wire in bits.items():
        forged[wire] = (out >> bit) & 1
    return forged


@pytest.fixture(scope="module")
def r1cs(circuit: CircuitArtifacts) -> R1cs:
    return read_r1cs(circuit.r1cs)


@pytest.mark.parametrize("component", ["main.before.abs[0]", "main.after.abs[0]", "main.margin.reduced.is"])
@pytest.mark.parametrize("sizes", [(7, 0), (-7, 0)])
def test_a_forged_sign_breaks_the_circuit(
    circuit: CircuitArtifacts, r1cs: R1cs, tmp_path: Path, component: str, sizes: tuple[int, int]
) -> None:
    witness = honest_witness(circuit, tmp_path, sizes)
    wires = read_sym(circuit.r1cs.with_suffix(".sym"))
    assert r1cs.unsatisfied(witness) == []
    assert r1cs.unsatisfied(forge_sign(witness, wires, r1cs.prime, component)) != []


def test_at_zero_the_sign_is_free_and_changes_nothing(circuit: CircuitArtifacts, r1cs: R1cs, tmp_path: Path) -> None:
    """Market 1's position is zero: either sign satisfies the circuit, and its value is zero either way."""
    witness = honest_witness(circuit, tmp_path, (7, 0))
    wires = read_sym(circuit.r1cs.with_suffix(".sym"))
    forged = forge_sign(witness, wires, r1cs.prime, "main.before.abs[1]")
    assert r1cs.unsatisfied(forged) == []
    assert forged[wires["main.before.abs[1].out"]] == 0
