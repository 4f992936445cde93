"""
The rollup's state: accounts in a tree, each with its balances and an order tree.

An account's leaf in the account tree commits to its key, its L1 address, its
nonce, the smallest order id it may still trade, its order tree's root and its
balances, two to a field element, so the account tree's root commits to the
whole state. Every change goes through :class:`State`, which marks the
account changed; its leaf, and the paths above it, are hashed once, when the
root or a Merkle proof is next read.

Changes can be undone without copying the state: :meth:`State.begin` opens a
journal that keeps the previous value of each account the first time it is
written, :meth:`State.rollback` puts those back and :meth:`State.commit`
keeps the changes (as ethereum's execution-specs snapshot touched entries).
"""

from dataclasses import dataclass, field

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon

from .constants import AMOUNT_BITS, BALANCE_WORDS, TreeConfig
from .merkle import SparseMerkleTree
from .types import (
    AccountIndex,
    Amount,
    EthAddress,
    FieldElement,
    Nonce,
    OrderId,
    TokenId,
)

def order_leaf(order_id: OrderId, filled: Amount) -> FieldElement:
    """
    The leaf of an order slot: the id of the order in it and its filled base
    amount, packed as ``order_id * 2**AMOUNT_BITS + filled`` (both in range,
    so one leaf has one preimage; no hash: the circuit saves two Poseidon
    hashes per order of a trade).
    """
    return FieldElement((order_id << AMOUNT_BITS) + filled)


EMPTY_ORDER_LEAF = order_leaf(OrderId(0), Amount(0))
"""A slot no order has traded in."""


def balance_word(low: Amount, high: Amount) -> FieldElement:
    """
    Two balances in one leaf input: ``low + high * 2**AMOUNT_BITS``. Both are
    below ``2**AMOUNT_BITS`` (every balance the spec writes is), so a word
    has one preimage and is far below the field's modulus; the reduction
    modulo p only matters to the soundness tests, which write balances
    outside that range with the spec's checks turned off.
    """
    return FieldElement((low + (high << AMOUNT_BITS)) % FIELD_MODULUS)


@dataclass
class Account:
    """
    One account: a BabyJubJub public key ``(ax, ay)``, an L1 address, a nonce,
    ``min_order_id`` (orders with a smaller id can no longer trade: a forced
    cancel-all from L1 raised it), a balance per token and an order slot per
    ``order_id mod 2**order_depth``.

    ``order_slots`` keeps the preimages ``(order_id, filled)`` of the order
    tree's non-empty leaves, which the tree itself only holds as hashes. A
    slot written since the tree was last read is hashed into it when the
    tree is next read (:attr:`orders`): one fill of a resting order after
    another costs one leaf hash per batch, not one per fill.

    Read accounts through :meth:`State.get_account`, change them only through
    :class:`State`: its methods keep the account tree in step.
    """

    ax: FieldElement
    ay: FieldElement
    eth_addr: EthAddress
    nonce: Nonce
    min_order_id: OrderId
    order_tree: SparseMerkleTree
    balances: dict[TokenId, Amount] = field(default_factory=dict)
    order_slots: dict[int, tuple[OrderId, Amount]] = field(default_factory=dict)
    unhashed_slots: set[int] = field(default_factory=set)

    @property
    def orders(self) -> SparseMerkleTree:
        """The order tree, with the leaf of every slot written since it was last read hashed in."""
        for slot in self.unhashed_slots:
            self.order_tree.set(slot, order_leaf(*self.order_slots[slot]))
        self.unhashed_slots.clear()
        return self.order_tree

    @classmethod
    def empty(cls, config: TreeConfig) -> "Account":
        """The account at every index no deposit has reached."""
        return cls(
            ax=FieldElement(0),
            ay=FieldElement(0),
            eth_addr=EthAddress(0),
            nonce=Nonce(0),
            min_order_id=OrderId(0),
            order_tree=SparseMerkleTree(config.order_depth, EMPTY_ORDER_LEAF),
        )

    @property
    def exists(self) -> bool:
        """An account exists once a deposit has given it an L1 address."""
        return self.eth_addr != 0

    def leaf_hash(self) -> FieldElement:
        """The account's leaf in the account tree."""
        fields: list[int] = [self.ax, self.ay, self.eth_addr, self.nonce, self.min_order_id, self.orders.root]
        return FieldElement(poseidon([*fields, *self.balance_words()]))

    def balance(self, token: TokenId) -> Amount:
        """How much of ``token`` the account holds."""
        return self.balances.get(token, Amount(0))

    def balance_list(self, tokens: int) -> list[Amount]:
        """The balances of token ids ``0 .. tokens - 1``, in order (the witness's and an exit proof's form)."""
        return [self.balance(TokenId(token)) for token in range(tokens)]

    def balance_words(self) -> list[FieldElement]:
        """The leaf's ``BALANCE_WORDS`` words: word ``i`` is ``balance(2 i) + balance(2 i + 1) * 2**AMOUNT_BITS``."""
        balances = self.balance_list(2 * BALANCE_WORDS)
        return [balance_word(balances[2 * i], balances[2 * i + 1]) for i in range(BALANCE_WORDS)]

    def order_slot(self, order_id: OrderId) -> tuple[OrderId, Amount]:
        """The ``(stored_id, filled)`` of the slot that ``order_id`` maps to."""
        return self.order_slots.get(self.slot_index(order_id), (OrderId(0), Amount(0)))

    def slot_index(self, order_id: OrderId) -> int:
        """The order tree leaf of ``order_id``: its low ``order_depth`` bits."""
        return order_id % (1 << self.order_tree.depth)

    def copy(self) -> "Account":
        """An independent copy: changing it leaves this account as it is."""
        return Account(
            ax=self.ax,
            ay=self.ay,
            eth_addr=self.eth_addr,
            nonce=self.nonce,
            min_order_id=self.min_order_id,
            order_tree=self.order_tree.copy(),
            balances=dict(self.balances),
            order_slots=dict(self.order_slots),
            unhashed_slots=set(self.unhashed_slots),
        )


class State:
    """
    All accounts and the account tree that commits to them.

    Only accounts that differ from the empty account are stored; every other
    index reads as :meth:`Account.empty`.
    """

    config: TreeConfig
    _tree: SparseMerkleTree
    _accounts: dict[AccountIndex, Account]
    _changed: set[AccountIndex]
    _journal: list[dict[AccountIndex, Account | None]]

    def __init__(
        self,
        config: TreeConfig,
        account_tree: SparseMerkleTree,
        accounts: dict[AccountIndex, Account],
    ) -> None:
        """Wrap a tree and the accounts it commits to; use :meth:`genesis` to start."""
        self.config = config
        self._tree = account_tree
        self._accounts = accounts
        self._changed = set()
        self._journal = []

    @classmethod
    def genesis(cls, config: TreeConfig) -> "State":
        """The state before the first batch: every account empty."""
        empty_leaf = Account.empty(config).leaf_hash()
        return cls(config, SparseMerkleTree(config.account_depth, empty_leaf), {})

    @property
    def account_tree(self) -> SparseMerkleTree:
        """The account tree, with the leaf of every changed account written (read it, do not write it)."""
        for index in self._changed:
            account = self._accounts.get(index)
            self._tree.set(index, self._tree.empty_leaf if account is None else account.leaf_hash())
        self._changed = set()
        return self._tree

    @property
    def root(self) -> FieldElement:
        """The state root: the account tree's root."""
        return self.account_tree.root

    def get_account(self, index: AccountIndex) -> Account:
        """
        The account at ``index``, empty if nothing was ever written to it.

        The result must not be modified: use this class's methods instead.
        """
        account = self._accounts.get(index)
        if account is None:
            return Account.empty(self.config)
        return account

    def create_account(
        self, index: AccountIndex, ax: FieldElement, ay: FieldElement, eth_addr: EthAddress
    ) -> None:
        """Give the account at ``index`` its public key and L1 address."""
        account = self._writable(index)
        account.ax = ax
        account.ay = ay
        account.eth_addr = eth_addr

    def set_balance(self, index: AccountIndex, token: TokenId, balance: Amount) -> None:
        """Set the account's balance of ``token``."""
        balances = self._writable(index).balances
        if balance:
            balances[token] = balance
        else:
            balances.pop(token, None)

    def set_order_slot(self, index: AccountIndex, order_id: OrderId, filled: Amount) -> None:
        """Record that order ``order_id`` of the account has ``filled`` base filled."""
        account = self._writable(index)
        slot = account.slot_index(order_id)
        account.order_slots[slot] = (order_id, filled)
        account.unhashed_slots.add(slot)

    def increment_nonce(self, index: AccountIndex) -> None:
        """Count one more withdrawal of the account."""
        account = self._writable(index)
        account.nonce = Nonce(account.nonce + 1)

    def set_min_order_id(self, index: AccountIndex, min_order_id: OrderId) -> None:
        """Make the account's orders with an id below ``min_order_id`` unable to trade."""
        self._writable(index).min_order_id = min_order_id

    def accounts(self) -> dict[AccountIndex, Account]:
        """Every account that differs from the empty account, by index (do not modify them)."""
        return dict(self._accounts)

    def copy(self) -> "State":
        """An independent copy of the current values (without any open journal)."""
        accounts = {index: account.copy() for index, account in self._accounts.items()}
        return State(self.config, self.account_tree.copy(), accounts)

    def begin(self) -> None:
        """Open a journal: the changes from here on can be undone by :meth:`rollback`. Journals nest."""
        self._journal.append({})

    def commit(self) -> None:
        """Keep the changes since the matching :meth:`begin` (an enclosing journal can still undo them)."""
        kept = self._journal.pop()
        if self._journal:
            outer = self._journal[-1]
            for index, previous in kept.items():
                outer.setdefault(index, previous)

    def rollback(self) -> None:
        """Undo every change since the matching :meth:`begin`."""
        for index, previous in self._journal.pop().items():
            if previous is None:
                self._accounts.pop(index, None)
            else:
                self._accounts[index] = previous
            self._changed.add(index)

    def _writable(self, index: AccountIndex) -> Account:
        """
        The stored account at ``index`` (stored first if it was empty), about
        to change: journaled the first time in the open journal, and marked
        for its leaf to be rehashed.
        """
        account = self._accounts.get(index)
        if self._journal and index not in self._journal[-1]:
            self._journal[-1][index] = None if account is None else account.copy()
        if account is None:
            account = self._accounts[index] = Account.empty(self.config)
        self._changed.add(index)
        return account
