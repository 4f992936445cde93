"""
The inputs of one account's part of a slot (``AccountUpdate`` in
``circuits/account.circom``): the leaf before (its balances one by one), its
path in the account tree and the order slot it writes.
"""

from collections.abc import Sequence

from sequencer.spec.state import Account
from sequencer.spec.types import AccountIndex, FieldElement, OrderId, TokenId

SideInputs = dict[str, int | Sequence[int]]
"""Signal name to value."""


def side_inputs(
    suffix: str,
    account_siblings: list[FieldElement],
    index: AccountIndex,
    before: Account,
    tokens_of_balances: int,
    first_token: TokenId,
    order_id: OrderId,
) -> SideInputs:
    """
    The witness of one account update, whose leaf's path in the account tree
    has ``account_siblings``, with signal names ending in ``suffix`` (``A``
    or ``B``) as the circuit names them.

    ``before`` is the account as the update finds it, with
    ``tokens_of_balances`` balances (``2**balance_depth``); the circuit
    changes ``first_token`` first (its balance before is an input of its own)
    and computes the balances after from the slot's changes.
    """
    slot = before.slot_index(order_id)
    stored_id, filled = before.order_slots.get(slot, (OrderId(0), 0))
    return {
        f"account{suffix}": index,
        f"ax{suffix}": before.ax,
        f"ay{suffix}": before.ay,
        f"ethAddr{suffix}": before.eth_addr,
        f"nonce{suffix}": before.nonce,
        f"minOrderId{suffix}": before.min_order_id,
        f"orderRoot{suffix}": before.orders.root,
        f"perpHash{suffix}": before.perp_hash(),
        f"balances{suffix}": before.balance_list(tokens_of_balances),
        f"siblingsAccount{suffix}": list(account_siblings),
        f"balance{suffix}1": before.balance(first_token),
        f"orderStoredId{suffix}": stored_id,
        f"orderFilled{suffix}": filled,
        f"siblingsOrder{suffix}": list(before.orders.siblings(slot)),
    }
