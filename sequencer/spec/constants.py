"""
Protocol constants.

Every width below is the number of bits the circuit range-checks a value to,
so a value the spec accepts always fits where the circuit and the public data
put it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

AMOUNT_BITS = 96
"""Every balance, order amount, fill and fee is ``< 2**AMOUNT_BITS``."""

PRICE_BITS = 96
"""Limit prices are ``< 2**PRICE_BITS``."""

PRICE_SCALE = 10**18
"""A price is quote units per base unit, as a fixed-point number times this."""

ORDER_ID_BITS = 48
"""Order ids are ``< 2**ORDER_ID_BITS``."""

ORDER_REF_BITS = 16
"""
A trade publishes each order id's low ``ORDER_REF_BITS`` bits, its order
reference: the id must lie less than ``2**ORDER_REF_BITS`` above its slot's
window base, so the state and the reference give the id back
(``transition.resolve_order_id``). The slot index is the reference's low
``order_depth`` bits, so ``order_depth < ORDER_REF_BITS``.
"""

TIMESTAMP_BITS = 64
"""Batch timestamps and order expiries (unix seconds) are ``< 2**TIMESTAMP_BITS``."""

FEE_BPS_BITS = 14
"""A signed fee limit is ``< 2**FEE_BPS_BITS`` before it is compared with ``MAX_FEE_BPS``."""

TRADE_FEE_BPS_BITS = 8
"""
A fee rate a trade charges is ``< 2**TRADE_FEE_BPS_BITS`` (at most 2.55 %):
each is published in one byte.
"""

DECIMAL_MANTISSA_BITS = 35
"""A decimal float's mantissa is ``< 2**DECIMAL_MANTISSA_BITS`` (``decimal.py``)."""

DECIMAL_EXPONENT_BITS = 5
"""A decimal float's power of ten is ``< 2**DECIMAL_EXPONENT_BITS``."""

MAX_FEE_BPS = 10000
"""The largest fee limit an order may sign: 100 %."""

BPS = 10000
"""The denominator of basis points."""

ETH_ADDRESS_BITS = 160
"""An L1 address, read as an integer, is ``< 2**ETH_ADDRESS_BITS``."""

FEE_ACCOUNT = 0
"""The operator's account: it receives every fee, after the last slot of a batch."""

MESSAGE_INPUTS = 11
"""
Every message an account signs is the Poseidon hash of this many inputs: its
tag, its fields, then zeros (an order fills all 11). One shape for every kind
lets the circuit hash side A's order, withdrawal, cancel or cancel-all with
one Poseidon instead of one per kind.
"""

ORDER_MESSAGE_TAG = 1
"""First input of an order's signed message, so no order signs as a withdrawal."""

WITHDRAW_MESSAGE_TAG = 2
"""First input of a withdrawal's signed message."""

CANCEL_MESSAGE_TAG = 16
"""First input of a cancel's signed message (off-chain requests' tags start at 16)."""

CANCEL_ALL_MESSAGE_TAG = 17
"""First input of a cancel-all's signed message."""

CANCELLED_FILL = 2**AMOUNT_BITS - 1
"""
The filled amount a cancel records in its order's slot: no order's amount
leaves room for a fill beyond it, so a cancelled order never trades again.
"""

MAX_ACCOUNT_DEPTH = 24
"""Account indices are published in 24-bit fields (``public_data_layout.json``)."""

MAX_BALANCE_DEPTH = 4
"""Token ids are published in 4-bit fields (``public_data_layout.json``)."""

BALANCES_PER_WORD = 2
"""
An account leaf holds its balances two to a field element,
``balance(2 i) + balance(2 i + 1) * 2**AMOUNT_BITS`` (both below
``2**AMOUNT_BITS``, so a word has one pair of balances).
"""

BALANCE_WORDS = 2**MAX_BALANCE_DEPTH // BALANCES_PER_WORD
"""
The balance words of every account leaf, whatever the configuration's
``balance_depth`` (the words of tokens it does not have are zero): 8, so the
leaf hashes 6 + 8 + 1 = 15 inputs (the last the account's perpetual hash).
"""


class TxType(IntEnum):
    """The code of each kind of batch slot, as published and as hashed."""

    NOOP = 0
    DEPOSIT = 1
    TRADE = 2
    WITHDRAW = 3
    FORCED_WITHDRAW = 4
    FORCED_CANCEL_ALL = 5
    CANCEL = 6
    CANCEL_ALL = 7


class Side(IntEnum):
    """Which way an order trades its market's base token."""

    BUY = 0
    SELL = 1


class OrderKind(StrEnum):
    """
    How an order trades, signed with it: on arrival, and whether what is
    left rests in the book. The circuit enforces what the kind promises the
    trader (``docs/DESIGN.md``, Trade rule 10): only an order that rests can
    be a maker, a post-only order is never the taker, and a fill-or-kill
    order fills its whole amount in one trade.
    """

    LIMIT = "limit"
    """Good till cancelled (or its signed expiry): trade what crosses, rest the rest."""
    IOC = "ioc"
    """Immediate or cancel: trade what crosses, cancel the rest."""
    FOK = "fok"
    """Fill or kill: trade the whole amount at once, against one resting order, or refuse the order."""
    POST_ONLY = "post_only"
    """Rest without trading; refused if it would cross on arrival."""
    MARKET = "market"
    """Trade at any price up to the signed price (the worst-price protection); cancel the rest."""

    @property
    def code(self) -> int:
        """The kind's number in the signed message: limit 0, ioc 1, fok 2, post-only 3, market 4."""
        return ORDER_KIND_CODES[self]

    @classmethod
    def from_code(cls, code: int) -> "OrderKind":
        """The kind numbered ``code`` (``ValueError`` if none is)."""
        for kind, known in ORDER_KIND_CODES.items():
            if known == code:
                return kind
        raise ValueError(f"{code} is not an order kind's code")

    @property
    def rests(self) -> bool:
        """Whether what is left after matching stays in the book (so the order may be a maker)."""
        return self in (OrderKind.LIMIT, OrderKind.POST_ONLY)

    @property
    def takes(self) -> bool:
        """Whether the order may trade against the book on arrival (so it may be a taker)."""
        return self is not OrderKind.POST_ONLY

    @property
    def immediate(self) -> bool:
        """Whether the order trades only on arrival, in one run of fills (immediate-or-cancel, market)."""
        return self in (OrderKind.IOC, OrderKind.MARKET)


ORDER_KIND_CODES: Mapping[OrderKind, int] = {kind: code for code, kind in enumerate(OrderKind)}
"""Each order kind's code in the signed message, in declaration order."""


@dataclass(frozen=True)
class TreeConfig:
    """
    The depths of the three kinds of Merkle tree.

    A configuration fixes the state's shape: ``2**account_depth`` accounts,
    ``2**balance_depth`` tokens and ``2**order_depth`` order slots per account.
    A depth is the number of bits of an index. The account and order trees are
    quaternary (``sequencer.spec.merkle``), so their depths are even; the
    balances are no tree but words of the account leaf (``BALANCE_WORDS``),
    so ``balance_depth`` may be odd. The circuit is compiled for one
    configuration and the spec must use the same one.
    """

    account_depth: int
    balance_depth: int
    order_depth: int

    def __post_init__(self) -> None:
        """Refuse depths that would not fit the public data, the order ids or the leaf, or a quaternary tree."""
        trees = {
            "account_depth": (self.account_depth, MAX_ACCOUNT_DEPTH),
            "order_depth": (self.order_depth, ORDER_REF_BITS - 2),
        }
        for name, (depth, limit) in trees.items():
            if not 1 <= depth <= limit or depth % 2 != 0:
                raise ValueError(f"{name} must be even and in [2, {limit}], got {depth}")
        if not 1 <= self.balance_depth <= MAX_BALANCE_DEPTH:
            raise ValueError(f"balance_depth must be in [1, {MAX_BALANCE_DEPTH}], got {self.balance_depth}")

    @classmethod
    def from_circuit_params(cls, params: Mapping[str, int]) -> "TreeConfig":
        """The depths of a circuit configuration (``circuits/configs.json``: ``accountDepth``, ...)."""
        return cls(params["accountDepth"], params["balanceDepth"], params["orderDepth"])
