"""
The rollup's state: accounts in a tree, each with its balances, an order
tree and its perpetual side; and the perpetual markets.

An account's leaf in the account tree commits to its key, its L1 address, its
nonce, the smallest order id it may still trade, its order tree's root, its
balances, two to a field element, and the hash of its collateral and
positions. The state root is ``Poseidon([account_root, perp_commitment])``,
the second committing to the perpetual markets and the collateral pool
(:mod:`sequencer.spec.perpetual.commitment`), so the root commits to the
whole state. Every change goes through :class:`State`, which marks the
account changed; its leaf, and the paths above it, are hashed once, when the
root or a Merkle proof is next read.

Changes can be undone without copying the state: :meth:`State.begin` opens a
journal that keeps the previous value of each account, and of the
perpetual markets and pool, the first time they are written,
:meth:`State.rollback` puts those back and :meth:`State.commit` keeps the
changes (as ethereum's execution-specs snapshot touched entries).
"""

from dataclasses import dataclass, field, replace
from functools import cached_property

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon

from .constants import AMOUNT_BITS, BALANCE_WORDS, TreeConfig
from .merkle import SparseMerkleTree
from .perpetual.commitment import EMPTY_PERP_ACCOUNT_HASH, perp_account_hash, perp_commitment
from .perpetual.constants import MAX_PERP_MARKETS
from .perpetual.state import PerpAccount, PerpMarket
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
    cancel-all from L1 raised it), a balance per token, an order slot per
    ``order_id mod 2**order_depth`` and its perpetual side (collateral and
    positions, :mod:`sequencer.spec.perpetual`).

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
    perp: PerpAccount = PerpAccount()

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
        return FieldElement(poseidon([*fields, *self.balance_words(), self.perp_hash()]))

    def perp_hash(self) -> FieldElement:
        """The hash of the account's perpetual side, the leaf's last input (a constant while it is empty)."""
        return EMPTY_PERP_ACCOUNT_HASH if self.perp.is_empty else perp_account_hash(self.perp)

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
            perp=self.perp,
        )


@dataclass(frozen=True)
class PerpGlobals:
    """The perpetual markets' states (``MAX_PERP_MARKETS``, unconfigured ones never priced) and the collateral pool."""

    markets: tuple[PerpMarket, ...] = (PerpMarket(),) * MAX_PERP_MARKETS
    collateral_pool: int = 0
    config_hash: FieldElement = FieldElement(0)
    """The deployment's perpetual parameters (``perp_config_hash``), fixed at genesis."""

    @cached_property
    def commitment(self) -> FieldElement:
        """The state root's second input (hashed once per value: every root read needs it)."""
        return perp_commitment(self.markets, self.collateral_pool, self.config_hash)


@dataclass
class Journal:
    """What one open journal undoes: each account's value before its first write, and the perpetual globals'."""

    accounts: dict[AccountIndex, Account | None] = field(default_factory=dict)
    perp: PerpGlobals | None = None


class State:
    """
    All accounts and the account tree that commits to them, and the
    perpetual markets and collateral pool.

    Only accounts that differ from the empty account are stored; every other
    index reads as :meth:`Account.empty`.
    """

    config: TreeConfig
    _tree: SparseMerkleTree
    _accounts: dict[AccountIndex, Account]
    _perp: PerpGlobals
    _changed: set[AccountIndex]
    _journal: list[Journal]

    def __init__(
        self,
        config: TreeConfig,
        account_tree: SparseMerkleTree,
        accounts: dict[AccountIndex, Account],
        perp: PerpGlobals = PerpGlobals(),
    ) -> None:
        """Wrap a tree, the accounts it commits to and the perpetual globals; use :meth:`genesis` to start."""
        self.config = config
        self._tree = account_tree
        self._accounts = accounts
        self._perp = perp
        self._changed = set()
        self._journal = []

    @classmethod
    def genesis(cls, config: TreeConfig, perp_config_hash: FieldElement = FieldElement(0)) -> "State":
        """
        The state before the first batch: every account empty, every market
        unpriced, committing to the deployment's perpetual parameters
        (``perpetual.commitment.perp_config_hash``; 0 without perpetuals).
        """
        empty_leaf = Account.empty(config).leaf_hash()
        perp = PerpGlobals(config_hash=perp_config_hash)
        return cls(config, SparseMerkleTree(config.account_depth, empty_leaf), {}, perp)

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
        """The state root: ``Poseidon([account_root, perp_commitment])``."""
        return FieldElement(poseidon([self.account_tree.root, self.perp_commitment]))

    @property
    def perp_commitment(self) -> FieldElement:
        """The perpetual markets' and the collateral pool's commitment, the state root's second input."""
        return self._perp.commitment

    @property
    def perp_markets(self) -> tuple[PerpMarket, ...]:
        """Every perpetual market's state, ``MAX_PERP_MARKETS`` of them by id (do not modify)."""
        return self._perp.markets

    @property
    def perp_config_hash(self) -> FieldElement:
        """The deployment's perpetual parameters' hash, which the state commits to (0: no perpetuals)."""
        return self._perp.config_hash

    @property
    def collateral_pool(self) -> int:
        """The collateral token moved into perpetuals and not yet out."""
        return self._perp.collateral_pool

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

    def set_perp_account(self, index: AccountIndex, perp: PerpAccount) -> None:
        """Set the account's collateral and positions."""
        self._writable(index).perp = perp

    def set_perp_market(self, market: int, market_state: PerpMarket) -> None:
        """Set perpetual market ``market``'s state."""
        markets = list(self._perp.markets)
        markets[market] = market_state
        self._write_perp(replace(self._perp, markets=tuple(markets)))

    def set_collateral_pool(self, pool: int) -> None:
        """Set the collateral pool."""
        self._write_perp(replace(self._perp, collateral_pool=pool))

    def accounts(self) -> dict[AccountIndex, Account]:
        """Every account that differs from the empty account, by index (do not modify them)."""
        return dict(self._accounts)

    def copy(self) -> "State":
        """An independent copy of the current values (without any open journal)."""
        accounts = {index: account.copy() for index, account in self._accounts.items()}
        return State(self.config, self.account_tree.copy(), accounts, self._perp)

    def begin(self) -> None:
        """Open a journal: the changes from here on can be undone by :meth:`rollback`. Journals nest."""
        self._journal.append(Journal())

    def commit(self) -> None:
        """Keep the changes since the matching :meth:`begin` (an enclosing journal can still undo them)."""
        kept = self._journal.pop()
        if self._journal:
            outer = self._journal[-1]
            for index, previous in kept.accounts.items():
                outer.accounts.setdefault(index, previous)
            if outer.perp is None:
                outer.perp = kept.perp

    def rollback(self) -> None:
        """Undo every change since the matching :meth:`begin`."""
        undone = self._journal.pop()
        for index, previous in undone.accounts.items():
            if previous is None:
                self._accounts.pop(index, None)
            else:
                self._accounts[index] = previous
            self._changed.add(index)
        if undone.perp is not None:
            self._perp = undone.perp

    def _write_perp(self, perp: PerpGlobals) -> None:
        """Replace the perpetual globals, journaled the first time in the open journal."""
        if self._journal and self._journal[-1].perp is None:
            self._journal[-1].perp = self._perp
        self._perp = perp

    def _writable(self, index: AccountIndex) -> Account:
        """
        The stored account at ``index`` (stored first if it was empty), about
        to change: journaled the first time in the open journal, and marked
        for its leaf to be rehashed.
        """
        account = self._accounts.get(index)
        if self._journal and index not in self._journal[-1].accounts:
            self._journal[-1].accounts[index] = None if account is None else account.copy()
        if account is None:
            account = self._accounts[index] = Account.empty(self.config)
        self._changed.add(index)
        return account
