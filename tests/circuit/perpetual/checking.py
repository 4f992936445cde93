"""What the perpetual circuit tests share: whether a circuit accepts a witness input."""

from prover import CircuitArtifacts
from prover.errors import WitnessError
from prover.groth16 import check_witness
from prover.witness import WitnessInput


def accepts(circuit: CircuitArtifacts, witness: WitnessInput) -> bool:
    """Whether ``circuit`` has a witness for ``witness`` (circom's generator computes it without an error)."""
    try:
        check_witness(circuit, witness)
    except WitnessError:
        return False
    return True
