"""
Signed cancel requests: a trader takes one order, or all their orders, out of
the book.

A cancel of one order is binding: the operator applies it as a batch
transaction (``spec.transactions.Cancel``), which records the order in its
slot as cancelled, so the circuit refuses any later fill of it. A cancel-all
is binding too: it signs an order id, every order of the account below it is
cancelled, and the operator applies it as a batch transaction
(``spec.transactions.CancelAll``) that raises the account's
``min_order_id``, so the circuit refuses any later fill of those orders (a
forced cancel-all from L1 does the same without the operator's help).

The messages are Poseidon hashes like the on-chain ones (``docs/DESIGN.md``),
with their own first input so that no cancel can pass for an order or a
withdrawal.
"""

from dataclasses import dataclass

from sequencer.crypto.eddsa import Signature
from sequencer.spec.transactions import Cancel, CancelAll, cancel_all_message, cancel_message
from sequencer.spec.types import AccountIndex, FieldElement, OrderId


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
class CancelAllBelow:
    """
    Cancel every order of an account whose id is below ``min_order_id``, in every market.

    ``min_order_id`` must be above the account's current one, which only
    rises: a replayed cancel-all changes nothing, and the orders placed
    after it, with larger ids, stay open. To cancel every open order, sign
    the account's highest order id plus one.
    """

    account_index: AccountIndex
    min_order_id: OrderId

    def message_hash(self) -> FieldElement:
        """The message the account signs (``spec.transactions.cancel_all_message``)."""
        return cancel_all_message(self.account_index, self.min_order_id)


@dataclass(frozen=True)
class SignedCancelAll:
    """A cancel-all with the account's signature of :meth:`CancelAllBelow.message_hash`."""

    cancel_all: CancelAllBelow
    signature: Signature

    def transaction(self) -> CancelAll:
        """The batch transaction that makes the cancel-all binding."""
        return CancelAll(self.cancel_all.account_index, self.cancel_all.min_order_id, self.signature)
