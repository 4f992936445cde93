"""
The inputs of one account's part of a slot (``AccountUpdate`` in
``circuits/account.circom``): the leaf before, its path in the account tree,
the two balance leaves it changes and the order slot it writes.
"""

from sequencer.spec.state import Account
from sequencer.spec.types import AccountIndex, FieldElement, OrderId, TokenId

SideInputs = dict[str, int | list[int]]
"""Signal name to value."""


def side_inputs(
    suffix: str,
    account_siblings: list[FieldElement],
    index: AccountIndex,
    before: Account,
    after: Account,
    tokens: tuple[TokenId, TokenId],
    order_id: OrderId,
) -> SideInputs:
    """
    The witness of one account update, whose leaf's path in the account tree
    has ``account_siblings``, with signal names ending in ``suffix`` (``A``
    or ``B``) as the circuit names them.

    ``before`` and ``after`` are the account as the update finds and leaves
    it. The circuit changes ``tokens[0]`` first and ``tokens[1]`` second (they
    may be equal, then the second change is zero), so the second balance leaf
    is read from the balance tree as it is between the two changes.
    """
    first, second = tokens
    between = before.balances.copy()
    between.set(first, after.balances.get(first))
    slot = before.slot_index(order_id)
    stored_id, filled = before.order_slots.get(slot, (OrderId(0), 0))
    return {
        f"account{suffix}": index,
        f"ax{suffix}": before.ax,
        f"ay{suffix}": before.ay,
        f"ethAddr{suffix}": before.eth_addr,
        f"nonce{suffix}": before.nonce,
        f"minOrderId{suffix}": before.min_order_id,
        f"balanceRoot{suffix}": before.balances.root,
        f"orderRoot{suffix}": before.orders.root,
        f"siblingsAccount{suffix}": list(account_siblings),
        f"balance{suffix}1": before.balances.get(first),
        f"siblingsBalance{suffix}1": list(before.balances.siblings(first)),
        f"balance{suffix}2": between.get(second),
        f"siblingsBalance{suffix}2": list(between.siblings(second)),
        f"orderStoredId{suffix}": stored_id,
        f"orderFilled{suffix}": filled,
        f"siblingsOrder{suffix}": list(before.orders.siblings(slot)),
    }
