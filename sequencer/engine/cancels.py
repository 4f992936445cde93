"""
Signed cancel requests: a trader takes one order, or all their orders, out of
the book.

A cancel of one order is binding: the operator applies it as a batch
transaction (``spec.transactions.Cancel``), which records the order in its
slot as cancelled, so the circuit refuses any later fill of it. A cancel-all
is not: it signs a nonce, not the orders, so it closes them in the book only
and their signatures stay valid until they expire; the binding way to cancel
every order below an id is a forced cancel-all from L1.

The messages are Poseidon hashes like the on-chain ones (``docs/DESIGN.md``),
with their own first input so that no cancel can pass for an order or a
withdrawal.
"""

from dataclasses import dataclass

from sequencer.crypto.eddsa import Signature
from sequencer.crypto.poseidon import poseidon
from sequencer.spec.transactions import Cancel, cancel_message
from sequencer.spec.types import AccountIndex, FieldElement, OrderId

CANCEL_ALL_MESSAGE_TAG = 17
"""First input of a cancel-all's message."""

CANCEL_NONCE_BITS = 64
"""A cancel-all's nonce is ``< 2**64`` (a millisecond clock fits)."""


@dataclass(frozen=True)
class CancelOrder:
    """
    Cancel order ``order_id`` of an account.

    It needs no nonce: order ids in a slot only grow, so a replayed cancel
    can only name an order that is already closed.
    """

    account_index: AccountIndex
    order_id: OrderId

    def message_hash(self) -> FieldElement:
        """The message the account signs (``spec.transactions.cancel_message``)."""
        return cancel_message(self.account_index, self.order_id)


@dataclass(frozen=True)
class SignedCancel:
    """A cancel with the account's signature of :meth:`CancelOrder.message_hash`."""

    cancel: CancelOrder
    signature: Signature

    def transaction(self) -> Cancel:
        """The batch transaction that makes the cancel binding."""
        return Cancel(self.cancel.account_index, self.cancel.order_id, self.signature)


@dataclass(frozen=True)
class CancelAll:
    """
    Cancel every open order of an account, in every market.

    ``nonce`` must be above the account's previous cancel-all nonce, so a
    replayed cancel-all cannot cancel orders placed after it; a client may
    use its clock in milliseconds.
    """

    account_index: AccountIndex
    nonce: int

    def message_hash(self) -> FieldElement:
        """The message the account signs."""
        return FieldElement(poseidon([CANCEL_ALL_MESSAGE_TAG, self.account_index, self.nonce]))


@dataclass(frozen=True)
class SignedCancelAll:
    """A cancel-all with the account's signature of :meth:`CancelAll.message_hash`."""

    cancel_all: CancelAll
    signature: Signature
