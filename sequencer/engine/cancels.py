"""
Signed cancel requests: a trader takes one order, or all their orders, out of
the book.

Cancellation is off-chain only. The sequencer honours a cancel signed by the
account's L2 key, but the circuit knows nothing of cancels: a cancelled
order's signature stays valid until its expiry, so a malicious operator could
still fill it in a batch and the proof would verify. Until orders can be
cancelled on-chain (future work: a cancel recorded in the order's slot, or a
forced cancel-all through L1), a trader's protection against that is short
expiries and the sequencer's signed receipt of the cancel, which shows
the operator accepted it.

The messages are Poseidon hashes like the on-chain ones (``docs/DESIGN.md``),
with their own first input so that no cancel can pass for an order or a
withdrawal.
"""

from dataclasses import dataclass

from sequencer.crypto.eddsa import Signature
from sequencer.crypto.poseidon import poseidon
from sequencer.spec.types import AccountIndex, FieldElement, OrderId

CANCEL_MESSAGE_TAG = 16
"""First input of a cancel's message (the on-chain messages use 1 and 2; off-chain ones start at 16)."""

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
        """The message the account signs."""
        return FieldElement(poseidon([CANCEL_MESSAGE_TAG, self.account_index, self.order_id]))


@dataclass(frozen=True)
class SignedCancel:
    """A cancel with the account's signature of :meth:`CancelOrder.message_hash`."""

    cancel: CancelOrder
    signature: Signature


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
