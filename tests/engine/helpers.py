"""Placing orders and checking an operator's books and balances, for the engine tests."""

import pytest

from sequencer.engine.locks import order_cost
from sequencer.engine.operator import Operator, OrderOutcome
from sequencer.engine.errors import RequestRejected
from sequencer.service.canonical import canonical_state
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.types import AccountIndex, Timestamp, TokenId
from tests.engine.exchange import MARKET
from tests.support.scenario import NOW, Trader


def expected_locks(operator: Operator) -> dict[tuple[AccountIndex, TokenId], int]:
    """The locks recomputed from the books: what every resting order may still spend."""
    locks: dict[tuple[AccountIndex, TokenId], int] = {}
    for book in operator.books.values():
        for resting in book.resting():
            token, amount = order_cost(resting.order, resting.remaining)
            key = (resting.order.account_index, token)
            locks[key] = locks.get(key, 0) + amount
    return locks


def assert_consistent(operator: Operator) -> None:
    """Books uncrossed, locks equal to the books', each lock covered by its balance."""
    for book in operator.books.values():
        bid, ask = book.best_bid(), book.best_ask()
        assert bid is None or ask is None or bid < ask, f"{book.market.name} is crossed: {bid} >= {ask}"
    locks = expected_locks(operator)
    assert {(a, t): amount for a, t, amount in operator.locks.items()} == locks
    for (account, token), amount in locks.items():
        assert operator.head.get_account(account).balance(token) >= amount


def place(
    operator: Operator,
    trader: Trader,
    order_id: int,
    side: Side,
    price: int,
    amount: int,
    kind: OrderKind = OrderKind.LIMIT,
    now: int = NOW,
    expiry: int = NOW + 3600,
    client_order_id: str | None = None,
) -> OrderOutcome:
    """Sign and place an order of ``trader`` on the test market."""
    signed = trader.order(order_id, side, price, amount, expiry=expiry, kind=kind)
    outcome = operator.submit_order(MARKET.name, signed, Timestamp(now), client_order_id)
    assert_consistent(operator)
    return outcome


def refused(
    operator: Operator, trader: Trader, order_id: int, side: Side, price: int, amount: int, **options: object
) -> str:
    """Place an order that must be refused; returns the code, after checking nothing changed."""
    before = canonical_state(operator)
    with pytest.raises(RequestRejected) as refusal:
        place(operator, trader, order_id, side, price, amount, **options)  # type: ignore[arg-type]
    assert canonical_state(operator) == before
    return refusal.value.code


def locked(operator: Operator, trader: Trader, token: int) -> int:
    """What the trader's open orders lock of ``token``."""
    return operator.locks.get(AccountIndex(trader.index), TokenId(token))
