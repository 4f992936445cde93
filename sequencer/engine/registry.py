"""
The order registry: every order the operator accepted, and the indexes it is
looked up by.

One job: remember orders and answer questions about them (which are open,
which order holds an account's slot, which id a slot last used, which client
order id names which order, which open order expires first). It decides
nothing and touches no balance: the operator asks it before accepting an
order and tells it when an order rests or closes.
"""

import heapq

from sequencer.spec.types import AccountIndex, OrderId, Timestamp

from .orders import CloseReason, OrderKey, OrderRecord, OrderStatus

SlotKey = tuple[AccountIndex, int]
"""An account's order slot (``order_id mod 2**orderDepth``)."""


class OrderRegistry:
    """Accepted orders by key, with their open, per-account, per-slot, client-id and expiry indexes."""

    def __init__(self) -> None:
        """No orders."""
        self.orders: dict[OrderKey, OrderRecord] = {}
        """Every accepted order, by ``(account, order id)``."""
        self.last_order_ids: dict[SlotKey, OrderId] = {}
        """The id of the last order accepted in each slot."""
        self.highest_order_ids: dict[AccountIndex, OrderId] = {}
        """Each account's highest accepted order id."""
        self._by_account: dict[AccountIndex, list[OrderRecord]] = {}
        self._open: dict[AccountIndex, dict[OrderKey, OrderRecord]] = {}
        self._slot_owner: dict[SlotKey, OrderKey] = {}
        self._client_ids: dict[tuple[AccountIndex, str], OrderKey] = {}
        self._expiries: list[tuple[Timestamp, int, OrderKey]] = []

    def __len__(self) -> int:
        """How many orders were ever accepted."""
        return len(self.orders)

    # ------------------------------------------------------------------ questions

    def open_orders(self, index: AccountIndex) -> list[OrderRecord]:
        """The account's open orders, oldest first."""
        return list(self._open.get(index, {}).values())

    def orders_of(self, index: AccountIndex) -> list[OrderRecord]:
        """Every order the account placed, oldest first."""
        return list(self._by_account.get(index, ()))

    def by_client_id(self, index: AccountIndex, client_order_id: str) -> OrderRecord | None:
        """The account's latest order with this client order id."""
        key = self._client_ids.get((index, client_order_id))
        return None if key is None else self.orders[key]

    def slot_owner(self, index: AccountIndex, slot: int) -> OrderKey | None:
        """The open order that holds the account's slot, if any."""
        return self._slot_owner.get((index, slot))

    def last_id_in_slot(self, index: AccountIndex, slot: int) -> OrderId:
        """The id of the last order accepted in the account's slot (0 if none)."""
        return self.last_order_ids.get((index, slot), OrderId(0))

    def expiry_due(self, now: Timestamp) -> bool:
        """Whether an open order expired before ``now`` (its expiry is earlier)."""
        while self._expiries and self.orders[self._expiries[0][2]].status is not OrderStatus.OPEN:
            heapq.heappop(self._expiries)
        return bool(self._expiries) and self._expiries[0][0] < now

    def next_expired(self, now: Timestamp) -> OrderRecord | None:
        """The open order that expired first before ``now``, taken off the expiry index; None if none did."""
        if not self.expiry_due(now):
            return None
        _, _, key = heapq.heappop(self._expiries)
        return self.orders[key]

    # ------------------------------------------------------------------ changes

    def accept(self, record: OrderRecord, slot: int) -> None:
        """Record a newly accepted order, which uses ``slot`` of its account."""
        order = record.order
        self.orders[record.key] = record
        self._by_account.setdefault(order.account_index, []).append(record)
        self.last_order_ids[(order.account_index, slot)] = order.order_id
        highest = self.highest_order_ids.get(order.account_index, OrderId(0))
        self.highest_order_ids[order.account_index] = OrderId(max(order.order_id, highest))
        if record.client_order_id is not None:
            self._client_ids[(order.account_index, record.client_order_id)] = record.key

    def rest(self, record: OrderRecord, slot: int) -> None:
        """An accepted order rests in its book: it is open, holds ``slot`` and may expire."""
        order = record.order
        self._open.setdefault(order.account_index, {})[record.key] = record
        self._slot_owner[(order.account_index, slot)] = record.key
        heapq.heappush(self._expiries, (order.expiry, record.sequence, record.key))

    def finish(self, record: OrderRecord, status: OrderStatus, reason: CloseReason | None, time: Timestamp, slot: int) -> None:
        """An order closed at ``time``: mark it and drop it from the open indexes (it held ``slot`` if it was open)."""
        record.status = status
        record.reason = reason
        record.closed_at = time
        account = record.order.account_index
        open_orders = self._open.get(account, {})
        if open_orders.pop(record.key, None) is not None:
            del self._slot_owner[(account, slot)]
            if not open_orders:
                del self._open[account]
