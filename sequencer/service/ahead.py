"""
Signature checks done ahead of the engine, many at once.

The engine checks each request's signature where the spec says (intake, and
each fill), one at a time on its single thread. Before a group of requests
is applied (the intake's next group, or a chunk of the log's tail on a
restart), their order messages are hashed and their signatures verified here
first, in a worker thread, in parallel on all cores without the GIL
(``poseidon_many``, ``verify_ahead``); the engine's checks then find the
results kept. Nothing here decides anything: a request this skips (its
account does not exist yet, a value is malformed) is simply checked by the
engine as usual. The intake runs this while the engine applies the previous
group: it only reads account keys, and a result is kept under the key, the
message and the signature it was computed for, so a key that changes
meanwhile costs a check, never a wrong answer.
"""

from collections.abc import Callable, Sequence

from sequencer.crypto.eddsa import PublicKey, Signature
from sequencer.crypto.signatures import verify_ahead
from sequencer.spec.state import State
from sequencer.spec.transactions import hash_order_messages
from sequencer.spec.types import AccountIndex

from .commands import Cancel, CancelAllOrders, Command, PlaceOrder, PlacePerpOrder, RequestWithdrawal, TransferCollateral

CHUNK = 512
"""How many log entries a restart checks ahead at a time."""


def check_ahead(head: State, commands: Sequence[Command]) -> None:
    """Hash the order messages and verify the signatures of ``commands`` in parallel, keeping the results."""
    hash_order_messages([command.signed.order for command in commands if isinstance(command, PlaceOrder)])
    items: list[tuple[PublicKey, int, Signature]] = []
    for command in commands:
        signed = signed_parts(command)
        if signed is None:
            continue
        index, message_hash, signature = signed
        account = head.get_account(index)
        if not account.exists:
            continue
        try:
            items.append((PublicKey(account.ax, account.ay), message_hash(), signature))
        except ValueError:
            continue
    verify_ahead(items)


def signed_parts(command: Command) -> tuple[AccountIndex, Callable[[], int], Signature] | None:
    """
    The account, message (computed when called) and signature a trader
    command carries; None for the sequencer's own commands and for oracle
    prices (signed by oracle keys, not by an account).
    """
    match command:
        case PlaceOrder():
            return command.signed.order.account_index, command.signed.order.message_hash, command.signed.signature
        case Cancel():
            return command.request.cancel.account_index, command.request.cancel.message_hash, command.request.signature
        case CancelAllOrders():
            cancel_all = command.request.cancel_all
            return cancel_all.account_index, cancel_all.message_hash, command.request.signature
        case RequestWithdrawal():
            return command.withdraw.account_index, command.withdraw.message_hash, command.withdraw.signature
        case PlacePerpOrder():
            return command.signed.order.account_index, command.signed.order.message_hash, command.signed.signature
        case TransferCollateral():
            return command.transfer.account_index, command.transfer.message_hash, command.transfer.signature
        case _:
            return None
