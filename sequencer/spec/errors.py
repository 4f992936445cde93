"""
Every way a transaction can be invalid.

One hierarchy: :class:`RollupError` at the root, :class:`InvalidTransaction`
for anything that makes a transaction (and so any batch holding it)
unprovable, with :class:`InvalidOrder` for faults of one signed order and
:class:`InvalidTrade` for faults of how two orders were matched;
:class:`ReplayMismatch` when published data replayed onto a state (the state
rebuilt from L1) does not fit it.

Each class carries the offending values as attributes (:attr:`RollupError.values`),
and a ``code`` that never changes, derived from its name by :func:`error_code`:
the HTTP API returns both. The contracts' custom errors get their codes from
their names the same way (``sequencer.l1.errors``), and
``tests/architecture/test_error_codes.py`` checks that no code means two things.
"""

import re
from typing import ClassVar

from .constants import ORDER_REF_BITS
from .types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId


def error_code(name: str) -> str:
    """
    The stable code of the error class (or Solidity custom error) ``name``:
    its words in upper snake case, ``ValueOutOfRange`` -> ``VALUE_OUT_OF_RANGE``.
    """
    return "_".join(word.upper() for word in re.findall(r"[A-Z][a-z0-9]*", name))


class RollupError(Exception):
    """Base of every error the state transition raises."""

    code: ClassVar[str] = "ROLLUP_ERROR"

    def __init_subclass__(cls) -> None:
        """Each subclass's ``code`` is :func:`error_code` of its name, so a code is never written twice."""
        super().__init_subclass__()
        cls.code = error_code(cls.__name__)

    @property
    def values(self) -> dict[str, int | str]:
        """The offending values, by attribute name: what the API returns beside the code."""
        return {
            name: value
            for name, value in vars(self).items()
            if not name.startswith("_") and isinstance(value, int | str)
        }


class InvalidTransaction(RollupError):
    """A transaction that cannot be applied; the state is left unchanged."""


class ValueOutOfRange(InvalidTransaction):
    """A field is negative or does not fit in the bits the circuit gives it."""

    def __init__(self, field: str, value: int, bits: int) -> None:
        super().__init__(f"{field} = {value} is not in [0, 2**{bits})")
        self.field = field
        self.value = value
        self.bits = bits


class NotAFieldElement(InvalidTransaction):
    """A value that is hashed as it is, not range-checked, is not below the field modulus."""

    def __init__(self, field: str, value: int) -> None:
        super().__init__(f"{field} = {value} is not a field element")
        self.field = field
        self.value = value


class AccountNotFound(InvalidTransaction):
    """The transaction needs an account that has not been created."""

    def __init__(self, account: AccountIndex) -> None:
        super().__init__(f"account {account} does not exist")
        self.account = account


class InvalidSignature(InvalidTransaction):
    """A signature does not verify against the account's public key."""

    def __init__(self, account: AccountIndex) -> None:
        super().__init__(f"signature not valid for account {account}")
        self.account = account


class InvalidNonce(InvalidTransaction):
    """A withdrawal is signed for another nonce than the account's."""

    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"nonce {got} given, {expected} expected")
        self.expected = expected
        self.got = got


class InsufficientBalance(InvalidTransaction):
    """An account would have to pay more of a token than it holds."""

    def __init__(
        self, account: AccountIndex, token: TokenId, balance: Amount, required: Amount
    ) -> None:
        super().__init__(
            f"account {account} holds {balance} of token {token}, needs {required}"
        )
        self.account = account
        self.token = token
        self.balance = balance
        self.required = required


class BalanceOverflow(InvalidTransaction):
    """A credit would take a balance to ``2**AMOUNT_BITS`` or more."""

    def __init__(
        self, account: AccountIndex, token: TokenId, balance: Amount, amount: Amount
    ) -> None:
        super().__init__(
            f"account {account} holds {balance} of token {token}, "
            f"cannot receive {amount} more"
        )
        self.account = account
        self.token = token
        self.balance = balance
        self.amount = amount


class InvalidOrder(InvalidTransaction):
    """One of a trade's two signed orders does not allow the trade."""

    def __init__(self, order_id: OrderId, message: str) -> None:
        super().__init__(f"order {order_id}: {message}")
        self.order_id = order_id


class OrderOverfilled(InvalidOrder):
    """The fill is larger than what is left of the order."""

    def __init__(self, order_id: OrderId, remaining: Amount, requested: Amount) -> None:
        super().__init__(order_id, f"{remaining} left, {requested} requested")
        self.remaining = remaining
        self.requested = requested


class OrderExpired(InvalidOrder):
    """The batch's timestamp is after the order's expiry."""

    def __init__(self, order_id: OrderId, expiry: Timestamp, timestamp: Timestamp) -> None:
        super().__init__(order_id, f"expired at {expiry}, batch time {timestamp}")
        self.expiry = expiry
        self.timestamp = timestamp


class OrderIdStale(InvalidOrder):
    """A newer order already took the order's slot: the order cannot trade again."""

    def __init__(self, order_id: OrderId, stored_id: OrderId) -> None:
        super().__init__(order_id, f"its slot already holds order {stored_id}")
        self.stored_id = stored_id


class OrderIdOutOfWindow(InvalidOrder):
    """
    The order's id lies ``2**ORDER_REF_BITS`` or more above its slot's window
    base (the larger of the id the slot holds and the account's
    ``min_order_id``): a trade of it could not publish the id as a reference
    the state resolves.
    """

    def __init__(self, order_id: OrderId, base: OrderId) -> None:
        super().__init__(order_id, f"ids in its slot must lie below {base} + 2^{ORDER_REF_BITS}")
        self.base = base


class OrderCancelled(InvalidOrder):
    """
    The order's id is below its account's ``min_order_id``: a forced
    cancel-all from L1 cancelled it, so it can no longer trade.
    """

    def __init__(self, order_id: OrderId, min_order_id: OrderId) -> None:
        super().__init__(order_id, f"orders below {min_order_id} were cancelled from L1")
        self.min_order_id = min_order_id


class PriceLimitViolated(InvalidOrder):
    """The maker's price is worse for the taker than the taker's limit."""

    def __init__(self, order_id: OrderId, limit: Price, price: Price) -> None:
        super().__init__(order_id, f"limit {limit}, trade price {price}")
        self.limit = limit
        self.price = price


class OrderWasCancelled(InvalidOrder):
    """The order's slot records a cancel its account signed: it can no longer trade."""

    def __init__(self, order_id: OrderId) -> None:
        super().__init__(order_id, "its account cancelled it")


class MakerDoesNotRest(InvalidOrder):
    """An immediate-or-cancel, fill-or-kill or market order is the maker: its kind never rests in the book."""

    def __init__(self, order_id: OrderId, kind: str) -> None:
        super().__init__(order_id, f"a {kind} order never rests, so it cannot be the maker")
        self.kind = kind


class PostOnlyTaker(InvalidOrder):
    """A post-only order is the taker: it signed that it only ever rests."""

    def __init__(self, order_id: OrderId) -> None:
        super().__init__(order_id, "a post-only order cannot be the taker")


class ImmediateOrderResumed(InvalidOrder):
    """
    An immediate-or-cancel or market order that already traded trades again
    after a slot that is not its own previous fill: its remainder rested.
    """

    def __init__(self, order_id: OrderId) -> None:
        super().__init__(order_id, "an immediate order trades only in one run of fills, in one batch")


class FillOrKillPartial(InvalidOrder):
    """A fill-or-kill order's trade does not fill its whole amount."""

    def __init__(self, order_id: OrderId, amount: Amount, fill: Amount) -> None:
        super().__init__(order_id, f"a fill-or-kill order of {amount} cannot fill {fill}")
        self.amount = amount
        self.fill = fill


class FeeAboveLimit(InvalidOrder):
    """The fee rate charged exceeds the fee limit the order signed."""

    def __init__(self, order_id: OrderId, fee_bps: int, max_fee_bps: int) -> None:
        super().__init__(order_id, f"fee rate {fee_bps} bps exceeds the signed limit of {max_fee_bps} bps")
        self.fee_bps = fee_bps
        self.max_fee_bps = max_fee_bps


class InvalidFeeLimit(InvalidOrder):
    """The order signed a fee limit above ``MAX_FEE_BPS``."""

    def __init__(self, order_id: OrderId, max_fee_bps: int) -> None:
        super().__init__(order_id, f"fee limit {max_fee_bps} bps is above 100 %")
        self.max_fee_bps = max_fee_bps


class PriceNotEncodable(InvalidOrder):
    """The order's price has no decimal float form, so a trade could not publish it (``decimal.py``)."""

    def __init__(self, order_id: OrderId, price: Price) -> None:
        super().__init__(order_id, f"price {price} is not a decimal float")
        self.price = price


class ReplayMismatch(RollupError):
    """
    Published data that the state cannot have produced: a replay from L1
    data diverged (the data was not what a proven batch published, or the
    state it is replayed on is not the one the batch started from).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)


class InvalidTrade(InvalidTransaction):
    """Two valid orders were matched in a way the rules forbid."""


class SelfTrade(InvalidTrade):
    """Maker and taker are the same account."""

    def __init__(self, account: AccountIndex) -> None:
        super().__init__(f"account {account} is both maker and taker")
        self.account = account


class MarketMismatch(InvalidTrade):
    """The orders name different markets, or a market trades a token against itself."""

    def __init__(
        self,
        maker_base: TokenId,
        maker_quote: TokenId,
        taker_base: TokenId,
        taker_quote: TokenId,
    ) -> None:
        super().__init__(
            f"maker trades {maker_base}/{maker_quote}, taker {taker_base}/{taker_quote}"
        )
        self.maker_base = maker_base
        self.maker_quote = maker_quote
        self.taker_base = taker_base
        self.taker_quote = taker_quote


class SidesNotOpposite(InvalidTrade):
    """Both orders buy, or both sell."""

    def __init__(self, side: int) -> None:
        super().__init__(f"both orders are on side {side}")
        self.side = side


class ZeroFill(InvalidTrade):
    """The trade moves no base token."""

    def __init__(self) -> None:
        super().__init__("fill_base is zero")


class FillNotEncodable(InvalidTrade):
    """The base amount has no decimal float form, so the trade could not publish it (``decimal.py``)."""

    def __init__(self, fill_base: Amount) -> None:
        super().__init__(f"fill_base {fill_base} is not a decimal float")
        self.fill_base = fill_base


class InexactFill(InvalidTrade):
    """The quote amount is not exactly the base amount at the maker's price."""

    def __init__(self, fill_base: Amount, fill_quote: Amount, price: Price) -> None:
        super().__init__(f"{fill_quote} quote for {fill_base} base is not price {price}")
        self.fill_base = fill_base
        self.fill_quote = fill_quote
        self.price = price
