"""
Perpetual slots in the batch circuit (``circuits/configs.json``'s ``test_perp``:
one spot slot, two perpetual slots, a quorum of three of four oracle keys),
compiled only: the witness is what is checked.

Two batches of oracle updates and funding ticks, built by the witness
builder from the spec, are accepted, and their public data replays to the
roots they prove. The batch reads the deployment's parameters against the
hash its old root commits to, threads the markets through its perpetual
slots and commits to them in its new root, and hashes the perpetual slots'
bytes after the spot slots' into its public input: any other parameters,
outcome or public data is refused.
"""

from dataclasses import replace

import pytest

from prover import CircuitArtifacts
from sequencer.spec.constants import TreeConfig
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.public_data import decode_perp_slot, split_batch_data
from sequencer.spec.perpetual.transactions import FundingTick
from sequencer.spec.public_data import decode_slot, public_input_hash
from sequencer.spec.replay import replay_batch
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop
from sequencer.spec.types import FieldElement, Timestamp
from sequencer.witness.batch import BatchTooLarge, PerpSlots, ProvableBatch, build_batch
from sequencer.witness.perpetual import config_hash_inputs
from tests.circuit.perpetual.checking import accepts
from tests.spec.builders import NOW
from tests.spec.perpetual.builders import config, price_update

TREE = TreeConfig(account_depth=4, balance_depth=2, order_depth=2)
PERP_SLOTS = 2


def batches() -> tuple[State, list[ProvableBatch]]:
    """From the genesis of the tests' deployment: a first price (and a noop), then a later price and a funding tick."""
    state = State.genesis(TREE, perp_config_hash(config()))
    genesis = state.copy()
    built = [
        build_batch(state, [Noop()], Timestamp(NOW), FieldElement(0), 1, PerpSlots(PERP_SLOTS, config(), [price_update(100, NOW)])),
        build_batch(
            state,
            [Noop()],
            Timestamp(NOW + 120),
            FieldElement(0),
            1,
            PerpSlots(PERP_SLOTS, config(), [price_update(97, NOW + 100), FundingTick((1_000,))]),
        ),
    ]
    return genesis, built


def test_perpetual_slots_are_proven_and_replay_from_their_public_data(test_perp: CircuitArtifacts) -> None:
    genesis, built = batches()
    replayed = genesis
    for batch in built:
        assert accepts(test_perp, batch.circuit_input)
        spot, perp = split_batch_data(batch.public_data, 1, PERP_SLOTS)
        slots, perp_slots = [decode_slot(s) for s in spot], [decode_perp_slot(p) for p in perp]
        assert replay_batch(replayed, slots, [], batch.timestamp, perp_slots, config()) == batch.new_root
    assert replayed.perp_markets[0].oracle_price == 97 and replayed.perp_markets[0].funding_index != 0


def test_another_deployment_or_outcome_or_public_data_is_refused(test_perp: CircuitArtifacts) -> None:
    """
    Another deployment's parameters (a longer oracle window), another median,
    a tick turned into a noop, the perpetual slots left out of the public
    input: refused.
    """
    _, built = batches()
    honest = built[1]
    witness = dict(honest.circuit_input)
    longer_window = config_hash_inputs(replace(config(), oracle_window=config().oracle_window + 1))
    without_perp = public_input_hash(
        honest.old_root, honest.new_root, honest.timestamp, honest.chain_start, honest.chain_end, b"".join(honest.slot_data)
    )
    tampered = [
        {**witness, **longer_window},
        {**witness, "perpMedian": [98, 0]},
        {**witness, "perpTxType": [1, 0], "perpRate": [[0] * 4, [0] * 4]},
        {**witness, "publicInputHash": without_perp},
    ]
    for number, values in enumerate(tampered):
        assert not accepts(test_perp, values), number


def test_more_perpetual_transactions_than_slots_are_refused() -> None:
    state = State.genesis(TREE, perp_config_hash(config()))
    with pytest.raises(BatchTooLarge):
        build_batch(state, [], Timestamp(NOW), FieldElement(0), 1, PerpSlots(1, config(), [Noop(), Noop()]))
