"""
Random exchange activity for property tests: a hypothesis strategy of
actions (orders of every kind, cancels, cancel-alls, withdrawals, time
passing, seals) and a driver that turns them into operator requests.

The driver turns actions into the sequencer's commands (applied through
``service.machine.Machine``), keeping each trader's order ids valid (growing,
in a free slot) so that most are accepted; the ones the operator refuses are
part of the test too: a refusal must change nothing.
"""

from dataclasses import dataclass
from random import Random

from hypothesis import strategies as st

from sequencer.crypto.eddsa import sign
from sequencer.engine.cancels import CancelAllBelow, CancelOrder, SignedCancel, SignedCancelAll
from sequencer.spec.constants import OrderKind, Side
from sequencer.engine.operator import Operator
from sequencer.service.commands import (
    Cancel,
    CancelAllOrders,
    Command,
    PlaceOrder,
    RequestWithdrawal,
    SealBatch,
)
from sequencer.spec.types import OrderId, TokenId
from tests.engine.exchange import ALICE, BOB, CAROL, CONFIG, LOT, MARKET
from tests.support.scenario import BASE, NOW, QUOTE, UNIT, Trader

TRADERS = (ALICE, BOB, CAROL)


@dataclass(frozen=True)
class PlaceAction:
    """Place an order of a trader: side, price in tenths of a quote unit, amount in lots, kind, lifetime in s."""

    trader: int
    side: Side
    price_tenths: int
    lots: int
    kind: OrderKind
    lifetime: int


@dataclass(frozen=True)
class CancelAction:
    """Cancel one of a trader's orders, picked by position."""

    trader: int
    pick: int


@dataclass(frozen=True)
class CancelAllAction:
    """Cancel all of a trader's orders."""

    trader: int


@dataclass(frozen=True)
class WithdrawAction:
    """Withdraw tenths of a unit of a token."""

    trader: int
    token: int
    units: int


@dataclass(frozen=True)
class WaitAction:
    """Let time pass."""

    seconds: int


@dataclass(frozen=True)
class SealAction:
    """Seal a batch."""


Action = PlaceAction | CancelAction | CancelAllAction | WithdrawAction | WaitAction | SealAction

trader_numbers = st.integers(0, len(TRADERS) - 1)
places = st.builds(
    PlaceAction,
    trader_numbers,
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(95, 105),
    st.integers(1, 300),
    st.sampled_from(list(OrderKind)),
    st.sampled_from([2, 3600]),
)
actions = st.one_of(
    places,
    st.one_of(
        st.builds(CancelAction, trader_numbers, st.integers(0, 20)),
        st.builds(CancelAllAction, trader_numbers),
        st.builds(WithdrawAction, trader_numbers, st.sampled_from([BASE, QUOTE]), st.integers(1, 2000)),
        st.builds(WaitAction, st.integers(0, 3)),
        st.just(SealAction()),
    ),
)
"""One random action, half of them orders; lists of them drive the property tests."""


def busy_market(rng: Random, count: int) -> list[Action]:
    """
    ``count`` actions of a busy market from a seeded generator: mostly
    crossing limit orders, some of every other kind (a long run that
    hypothesis's short, simple examples do not reach).
    """
    steps: list[Action] = []
    for _ in range(count):
        roll = rng.random()
        trader = rng.randrange(len(TRADERS))
        if roll < 0.8:
            kind = rng.choice([OrderKind.LIMIT] * 6 + list(OrderKind))
            side = rng.choice([Side.BUY, Side.SELL])
            steps.append(
                PlaceAction(trader, side, rng.randint(95, 105), rng.randint(1, 300), kind, rng.choice([2, 3600]))
            )
        elif roll < 0.88:
            steps.append(CancelAction(trader, rng.randrange(20)))
        elif roll < 0.9:
            steps.append(CancelAllAction(trader))
        elif roll < 0.93:
            steps.append(WithdrawAction(trader, rng.choice([BASE, QUOTE]), rng.randint(1, 100)))
        elif roll < 0.97:
            steps.append(WaitAction(rng.randint(0, 3)))
        else:
            steps.append(SealAction())
    return steps


class Driver:
    """Turns actions into signed commands with valid ids, nonces and times (``now``, unix seconds)."""

    def __init__(self) -> None:
        self.now: int = NOW
        self._next_ids = {trader.index: 1 for trader in TRADERS}

    def command(self, operator: Operator, action: Action) -> Command | None:
        """The command ``action`` stands for, or None when it only lets time pass."""
        match action:
            case WaitAction():
                self.now += action.seconds
                return None
            case SealAction():
                return SealBatch() if operator.pending else None
            case PlaceAction():
                return self._place(operator, action)
            case CancelAction():
                return self._cancel(operator, action)
            case CancelAllAction():
                trader = TRADERS[action.trader]
                below = OrderId(self._next_ids[trader.index])
                if below <= operator.head.get_account(trader.index).min_order_id:
                    return None
                request = CancelAllBelow(trader.index, below)
                return CancelAllOrders(SignedCancelAll(request, sign(trader.private_key, request.message_hash())))
            case WithdrawAction():
                trader = TRADERS[action.trader]
                nonce = operator.head.get_account(trader.index).nonce
                return RequestWithdrawal(trader.withdraw(TokenId(action.token), action.units * UNIT // 10, nonce))
        raise AssertionError(action)

    def _place(self, operator: Operator, action: PlaceAction) -> Command | None:
        """An order with a valid id, or None when every slot of the trader is busy."""
        trader = TRADERS[action.trader]
        order_id = self._free_order_id(operator, trader)
        if order_id is None:
            return None
        price = action.price_tenths * UNIT // 10
        expiry = self.now + action.lifetime
        signed = trader.order(order_id, action.side, price, action.lots * LOT, expiry=expiry, kind=action.kind)
        return PlaceOrder(MARKET.name, signed)

    def _cancel(self, operator: Operator, action: CancelAction) -> Command:
        """A cancel of one of the trader's orders (open or not: refusals are tested too)."""
        trader = TRADERS[action.trader]
        orders = operator.orders_of(trader.index)
        order_id = orders[action.pick % len(orders)].order.order_id if orders else OrderId(1)
        request = CancelOrder(trader.index, order_id)
        return Cancel(SignedCancel(request, sign(trader.private_key, request.message_hash())))

    def _free_order_id(self, operator: Operator, trader: Trader) -> int | None:
        """The trader's next order id whose slot has no open order."""
        slots = 1 << CONFIG.order_depth
        busy = {record.order.order_id % slots for record in operator.open_orders(trader.index)}
        for order_id in range(self._next_ids[trader.index], self._next_ids[trader.index] + slots):
            if order_id % slots not in busy:
                self._next_ids[trader.index] = order_id + 1
                return order_id
        return None
