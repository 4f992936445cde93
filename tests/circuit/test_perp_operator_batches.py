"""
Batches the operator cuts from a perpetual market's trading are accepted by
the batch circuit (``test_perp``: one spot slot, two perpetual slots).

The engine tests check that every batch the operator seals builds to its
head state; this checks that the circuit takes each of them too: deposits
in spot slots, collateral moved in, oracle prices, a trade from the book,
funding, and the liquidation the operator starts itself after a price fall,
or the deleveraging it starts when the insurance fund cannot cover a gap.
"""

from prover import CircuitArtifacts
from sequencer.engine.operator import Operator
from sequencer.spec.types import Timestamp
from sequencer.spec.perpetual.transactions import Deleverage, FundingTick
from tests.circuit.perpetual.checking import accepts
from tests.engine.perp_exchange import PERP, move_collateral, perp_operator
from tests.spec.builders import ALICE, BOB, NOW
from tests.spec.perpetual.builders import BUY, FUND, SELL, perp_order, price_update


def leveraged_long(fund: int) -> Operator:
    """The test_perp operator once Alice bought 100 lots at 100 from Bob on 1,500 collateral, with ``fund`` in the fund."""
    operator = perp_operator(spot_slots=1, perp_slots=2)
    move_collateral(operator, {ALICE: 1_500, BOB: 20_000, FUND: fund})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, SELL, 100, 100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(ALICE, 1, BUY, 100, 100), Timestamp(NOW))
    return operator


def test_the_operators_perpetual_batches_are_accepted_by_the_circuit(test_perp: CircuitArtifacts) -> None:
    operator = leveraged_long(50_000)
    operator.tick_funding(FundingTick((100,)), Timestamp(NOW + 10))
    closes = operator.update_oracle(price_update(89, NOW + 20), Timestamp(NOW + 20))
    assert len(closes) == 1
    while operator.seal(Timestamp(NOW + 20)) is not None:
        pass
    perp_slots_used = sum(len(batch.perp_transactions or ()) for batch in operator.batches)
    assert perp_slots_used == 8  # 3 transfers, 2 prices, a trade, a funding tick, a liquidation
    while (batch := operator.build_next()) is not None:
        assert accepts(test_perp, batch.circuit_input), batch.timestamp
    assert operator.sealed.root == operator.head.root


def test_the_operators_deleveraging_is_accepted_by_the_circuit(test_perp: CircuitArtifacts) -> None:
    """A gap from 100 to 80 with 10 in the fund: the operator deleverages Alice's long against Bob's short."""
    operator = leveraged_long(10)
    closes = operator.update_oracle(price_update(80, NOW + 10), Timestamp(NOW + 10))
    assert [type(close) for close in closes] == [Deleverage]
    while operator.seal(Timestamp(NOW + 10)) is not None:
        pass
    while (batch := operator.build_next()) is not None:
        assert accepts(test_perp, batch.circuit_input), batch.timestamp
    assert operator.sealed.root == operator.head.root
