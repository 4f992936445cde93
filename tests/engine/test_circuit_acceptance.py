"""
Every trade the engine makes is one the circuit accepts: a session of every
order kind, a withdrawal and a cancel-all, sealed into batches of the test circuit's size, and each batch's
witness checked against the compiled circuit.
"""

from prover import CircuitArtifacts
from prover.groth16 import check_witness
from sequencer.crypto.eddsa import sign
from sequencer.engine.cancels import CancelAllBelow, SignedCancelAll
from sequencer.spec.constants import OrderKind, Side, TreeConfig
from sequencer.engine.operator import Operator
from sequencer.spec.types import OrderId, Timestamp, TokenId
from tests.engine.exchange import ALICE, BOB, CAROL, MARKET, funding
from tests.support.scenario import BASE, NOW, UNIT, Trader


def test_the_circuit_accepts_every_batch_of_a_trading_session(
    circuit: CircuitArtifacts, tree_config: TreeConfig, batch_slots: int
) -> None:
    operator = Operator.genesis(tree_config, batch_slots, [MARKET])
    for index, request in enumerate(funding()):
        operator.add_l1_request(index, request, Timestamp(NOW))

    def place(trader: Trader, order_id: int, side: Side, price: int, amount: int, kind: OrderKind) -> None:
        operator.submit_order(MARKET.name, trader.order(order_id, side, price, amount, kind=kind), Timestamp(NOW + 1))

    place(BOB, 1, Side.SELL, 10 * UNIT, UNIT, OrderKind.LIMIT)
    place(CAROL, 1, Side.SELL, 11 * UNIT, 2 * UNIT, OrderKind.POST_ONLY)
    place(ALICE, 1, Side.BUY, 11 * UNIT, 3 * UNIT // 2, OrderKind.LIMIT)  # across two levels, fees on both sides
    place(ALICE, 2, Side.BUY, 12 * UNIT, UNIT // 4, OrderKind.IOC)
    place(BOB, 2, Side.BUY, 15 * UNIT, UNIT // 2, OrderKind.MARKET)
    place(CAROL, 2, Side.BUY, 10 * UNIT, UNIT // 4, OrderKind.LIMIT)
    place(ALICE, 3, Side.SELL, 10 * UNIT, UNIT // 4, OrderKind.FOK)
    operator.withdraw(ALICE.withdraw(TokenId(BASE), UNIT // 10, 0), Timestamp(NOW + 2))
    below = CancelAllBelow(CAROL.index, OrderId(3))
    cancelled = operator.cancel_all(SignedCancelAll(below, sign(CAROL.private_key, below.message_hash())), Timestamp(NOW + 2))
    assert cancelled and operator.open_orders(CAROL.index) == []
    assert len(operator.trades) >= 5
    while operator.seal(Timestamp(NOW + 3)) is not None:
        pass
    while (batch := operator.build_next()) is not None:
        check_witness(circuit, batch.circuit_input)
    assert operator.sealed.root == operator.head.root
