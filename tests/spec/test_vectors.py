"""The committed batch vectors (``tests/vectors/batches.json``) say what the spec does."""

import json
from typing import Any

import pytest

from sequencer.spec.errors import InvalidTransaction
from sequencer.spec.public_data import advance_chain
from sequencer.spec.types import FieldElement, Timestamp
from tests.vectors.generate import (
    CONFIG,
    VECTORS_PATH,
    build_vectors,
    decode_tx,
    expected_outcome,
    rebuild,
)

COMMITTED: dict[str, Any] = json.loads(VECTORS_PATH.read_text())


def test_committed_vectors_equal_a_fresh_generation() -> None:
    """Run ``PYTHONPATH=. .venv/bin/python -m tests.vectors.generate`` if this fails."""
    assert build_vectors() == COMMITTED


def test_vectors_cover_every_rule() -> None:
    batches = COMMITTED["batches"]
    assert len(batches) >= 20
    assert len({batch["name"] for batch in batches}) == len(batches)
    codes = {batch["expected"].get("error") for batch in batches}
    # Perpetual transactions take no batch slot yet: tests/spec/perpetual covers their rules.
    spot = [cls for cls in all_subclasses(InvalidTransaction) if not cls.__module__.startswith("sequencer.spec.perpetual")]
    rules = {cls.code for cls in spot}
    rules -= {"INVALID_ORDER", "INVALID_TRADE", "NOT_A_FIELD_ELEMENT"}
    assert rules <= codes


def all_subclasses(cls: type[InvalidTransaction]) -> set[type[InvalidTransaction]]:
    found: set[type[InvalidTransaction]] = set()
    for direct in cls.__subclasses__():
        found |= {direct} | all_subclasses(direct)
    return found


@pytest.mark.parametrize("batch", COMMITTED["batches"], ids=lambda batch: batch["name"])
def test_vector_replays_from_its_json(batch: dict[str, Any]) -> None:
    """Decoding a vector and running the spec on it gives its expected outcome."""
    assert COMMITTED["config"] == {
        "account_depth": CONFIG.account_depth,
        "balance_depth": CONFIG.balance_depth,
        "order_depth": CONFIG.order_depth,
    }
    pre_txs = [decode_tx(tx) for tx in batch["pre_state"]["txs"]]
    state = rebuild(Timestamp(int(batch["pre_state"]["timestamp"])), pre_txs)
    assert str(state.root) == batch["old_root"]
    txs = [decode_tx(tx) for tx in batch["txs"]]
    assert len(txs) == batch["n_tx"]
    chain_start = FieldElement(int(batch["chain_start"]))
    assert advance_chain(FieldElement(0), pre_txs) == chain_start
    outcome = expected_outcome(state, chain_start, Timestamp(int(batch["timestamp"])), txs)
    assert outcome == batch["expected"]
