"""The error hierarchy: one root, stable codes, offending values carried."""

import re

from sequencer.spec import errors
from sequencer.spec.errors import (
    InvalidOrder,
    InvalidTrade,
    InvalidTransaction,
    OrderOverfilled,
    ReplayMismatch,
    RollupError,
)
from sequencer.spec.types import Amount, OrderId


def all_errors() -> list[type[RollupError]]:
    return [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, RollupError)
    ]


def test_every_error_is_an_invalid_transaction_below_the_root() -> None:
    """Except :class:`ReplayMismatch`: data that does not replay is no transaction's fault."""
    for error in all_errors():
        assert error in (RollupError, InvalidTransaction, ReplayMismatch) or issubclass(error, InvalidTransaction)


def test_codes_are_unique_upper_snake_names_of_the_classes() -> None:
    codes = [error.code for error in all_errors()]
    assert len(set(codes)) == len(codes)
    for error in all_errors():
        assert re.fullmatch(r"[A-Z]+(_[A-Z]+)*", error.code)
        assert error.code.replace("_", "") == error.__name__.upper()


def test_order_and_trade_errors_are_grouped() -> None:
    order_errors = {"OrderOverfilled", "OrderExpired", "OrderIdStale", "PriceLimitViolated"}
    order_errors |= {"FeeAboveLimit", "InvalidFeeLimit", "OrderCancelled"}
    trade_errors = {"SelfTrade", "MarketMismatch", "SidesNotOpposite", "ZeroFill", "InexactFill"}
    for name in order_errors:
        assert issubclass(getattr(errors, name), InvalidOrder)
    for name in trade_errors:
        assert issubclass(getattr(errors, name), InvalidTrade)


def test_errors_carry_their_values() -> None:
    error = OrderOverfilled(OrderId(7), Amount(3), Amount(5))
    assert (error.order_id, error.remaining, error.requested) == (7, 3, 5)
    assert error.code == "ORDER_OVERFILLED"
    assert "7" in str(error)
