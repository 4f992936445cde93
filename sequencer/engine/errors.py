"""
How the engine refuses a request: stable codes, and the exceptions that carry them.

The spec's errors (``sequencer.spec.errors``) name what makes a transaction
invalid; :class:`Code` names what the exchange refuses on top of that: market
rules, order-id and slot rules, locks, order types. A refusal of either kind
reaches the caller as :class:`RequestRejected`, with its code and offending
values unchanged; the HTTP API returns both, so a trader's program can branch
on the code. ``tests/architecture/test_error_codes.py`` checks that no code
means two things.
"""

from enum import StrEnum

from sequencer.spec.errors import RollupError


class Code(StrEnum):
    """A refusal's stable code (the API's ``code`` field)."""

    UNKNOWN_MARKET = "UNKNOWN_MARKET"
    """No market of that name."""
    MARKET_MISMATCH = "MARKET_MISMATCH"
    """The order's tokens are not the market's (the spec's code for the same fault in a trade)."""
    INVALID_TICK = "INVALID_TICK"
    """The price is not a positive multiple of the market's tick size."""
    INVALID_LOT = "INVALID_LOT"
    """The amount is not a positive multiple of the market's lot size."""
    BELOW_MIN_SIZE = "BELOW_MIN_SIZE"
    """The amount is below the market's minimum."""
    ABOVE_MAX_SIZE = "ABOVE_MAX_SIZE"
    """The amount is above the market's maximum: more lots than a trade can publish."""
    FEE_LIMIT_TOO_LOW = "FEE_LIMIT_TOO_LOW"
    """The order's signed fee limit is below a fee the market would charge it."""
    ORDER_ID_USED = "ORDER_ID_USED"
    """The order id is not above every id the account used before in the same slot."""
    ORDER_SLOT_BUSY = "ORDER_SLOT_BUSY"
    """Another open order of the account uses the same order slot."""
    DUPLICATE_CLIENT_ORDER_ID = "DUPLICATE_CLIENT_ORDER_ID"
    """An open order of the account already has this client order id."""
    POST_ONLY_WOULD_CROSS = "POST_ONLY_WOULD_CROSS"
    """A post-only order would trade on arrival."""
    FOK_NOT_FILLABLE = "FOK_NOT_FILLABLE"
    """A fill-or-kill order cannot be filled completely at once."""
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    """No order with that id (or client order id) was accepted for the account."""
    ORDER_NOT_OPEN = "ORDER_NOT_OPEN"
    """The order is already filled, cancelled or expired."""
    MIN_ORDER_ID_NOT_RAISED = "MIN_ORDER_ID_NOT_RAISED"
    """A cancel-all's signed ``min_order_id`` is not above the account's current one."""
    BELOW_MIN_WITHDRAWAL = "BELOW_MIN_WITHDRAWAL"
    """A withdrawal of nothing, or of less than the token's minimum without emptying the balance."""
    L1_REQUEST_OUT_OF_ORDER = "L1_REQUEST_OUT_OF_ORDER"
    """An L1 request was offered out of queue order."""
    ORDER_WOULD_BREACH_MARGIN = "ORDER_WOULD_BREACH_MARGIN"
    """A perpetual order, filled at its limit with the account's other open orders, would break its margin."""
    PERPETUALS_NOT_CONFIGURED = "PERPETUALS_NOT_CONFIGURED"
    """A perpetual request to a deployment without perpetual markets."""


class OrderRejected(ValueError):
    """An order that breaks its market's rules; it never reaches the book. ``values``: the offending values."""

    def __init__(self, code: Code, message: str, **values: int | str) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


class RequestRejected(Exception):
    """
    A request that the operator refuses; nothing changed. ``code`` names the
    reason (a spec error's, a :class:`Code` or one of the API's) and
    ``values`` holds the offending values, by name, as the API returns them.
    """

    def __init__(self, code: str, message: str, **values: int | str) -> None:
        super().__init__(message)
        self.code = code
        self.values = values

    @classmethod
    def from_spec(cls, error: RollupError) -> "RequestRejected":
        """The refusal of a request the spec refused: its code, message and offending values."""
        return cls(error.code, str(error), **error.values)


class EngineInvariantError(Exception):
    """The spec refused a transaction the engine made: a bug; the operator's state is unusable."""
