"""
The circuit agrees with the spec on the shared vectors (``tests/vectors/batches.json``).

For every valid vector with as many slots as the test circuit has, the
witness built from the spec's states must satisfy the circuit, and the spec's
public input (which the circuit recomputes and constrains) must be the one the
vector records. Invalid vectors are refused by the spec before any witness
exists; the soundness tests show the circuit refuses each such rule too.
"""

import json
from typing import Any

import pytest

from prover import CircuitArtifacts
from prover.groth16 import check_witness
from sequencer.spec.public_data import advance_chain
from sequencer.spec.types import FieldElement, Timestamp
from sequencer.witness.batch import build_batch
from tests.vectors.generate import VECTORS_PATH, decode_tx, rebuild

VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text())["batches"]


def provable(slots: int) -> list[dict[str, Any]]:
    """The valid vectors a circuit of ``slots`` slots runs."""
    return [v for v in VECTORS if v["n_tx"] == slots and "new_root" in v["expected"]]


def test_enough_vectors_run_through_the_circuit(batch_slots: int) -> None:
    assert len(provable(batch_slots)) >= 20


@pytest.mark.parametrize("vector", provable(1), ids=lambda v: v["name"])
def test_circuit_accepts_vector_with_the_spec_public_input(
    vector: dict[str, Any], circuit: CircuitArtifacts, batch_slots: int
) -> None:
    pre_txs = [decode_tx(tx) for tx in vector["pre_state"]["txs"]]
    state = rebuild(Timestamp(int(vector["pre_state"]["timestamp"])), pre_txs)
    chain_start = advance_chain(FieldElement(0), pre_txs)
    txs = [decode_tx(tx) for tx in vector["txs"]]
    batch = build_batch(state, txs, Timestamp(int(vector["timestamp"])), chain_start, batch_slots)

    expected = vector["expected"]
    assert str(batch.old_root) == vector["old_root"]
    assert str(batch.new_root) == expected["new_root"]
    assert [slot.hex() for slot in batch.slot_data] == expected["slots"]
    assert str(batch.public_input_hash) == expected["public_input_hash"]
    check_witness(circuit, batch.circuit_input)
