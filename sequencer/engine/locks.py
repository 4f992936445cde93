"""
Balance locks: what open orders may still spend.

A resting buy may spend quote up to its remaining amount at its limit price,
a resting sell its remaining base. The operator accepts an order only if the
account's balance less its locks covers the order, so every fill the engine
makes is paid for when the spec applies it.
"""

from sequencer.spec.constants import PRICE_SCALE, Side
from sequencer.spec.transactions import Order
from sequencer.spec.types import AccountIndex, Amount, TokenId


def order_cost(order: Order, amount: Amount) -> tuple[TokenId, Amount]:
    """
    The most ``amount`` base of ``order`` can spend: quote at its limit for a
    buy (exact: amounts are whole lots and prices whole ticks), base for a sell.
    """
    if order.side == Side.BUY:
        return order.quote_token, Amount(amount * order.price // PRICE_SCALE)
    return order.base_token, amount


class Locks:
    """The amount locked per account and token, kept as orders rest, fill and close."""

    def __init__(self) -> None:
        """No locks."""
        self._locked: dict[tuple[AccountIndex, TokenId], Amount] = {}

    def get(self, account: AccountIndex, token: TokenId) -> Amount:
        """What the account's open orders lock of ``token``."""
        return self._locked.get((account, token), Amount(0))

    def lock(self, order: Order, amount: Amount) -> None:
        """Lock what ``amount`` base of ``order`` may spend."""
        token, cost = order_cost(order, amount)
        key = (order.account_index, token)
        self._locked[key] = Amount(self._locked.get(key, 0) + cost)

    def release(self, order: Order, amount: Amount) -> None:
        """Release the lock of ``amount`` base of ``order`` (it filled, or it left the book)."""
        token, cost = order_cost(order, amount)
        key = (order.account_index, token)
        left = self._locked[key] - cost
        if left < 0:
            raise ValueError(f"lock of account {key[0]} on token {token} would go negative")
        if left:
            self._locked[key] = Amount(left)
        else:
            del self._locked[key]

    def items(self) -> list[tuple[AccountIndex, TokenId, Amount]]:
        """Every non-zero lock as ``(account, token, amount)``, sorted."""
        return sorted((account, token, amount) for (account, token), amount in self._locked.items())
