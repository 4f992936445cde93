"""
Sparse quaternary Poseidon Merkle trees.

All state lives in trees of this one kind: ``2**depth`` leaves (``depth`` even,
the number of bits of a leaf's index), ``depth / 2`` levels of internal nodes,
each node ``Poseidon([c0, c1, c2, c3])`` of its four children in index order.
A level consumes two bits of the index: the ancestor at level ``k`` is child
number ``(index >> 2k) & 3`` of its parent (its *position*). Level 0 holds the
leaves and level ``depth / 2`` the root.

Four children per node halve the levels of a path, and one Poseidon of four
inputs costs the circuit ~300 constraints against ~486 for the two Poseidon
of two inputs it replaces (DeGate and Loopring use the same shape). A Merkle
proof gives, for each level from the leaves up, the three siblings in
index order without the path's own node (``siblings``).

Almost every leaf of a real tree is empty, so a tree stores only the nodes
that differ from the root of an empty subtree of the same height, and reads
every other node from a precomputed list of empty-subtree hashes.

Roots are lazy: writing a leaf only marks it dirty, and the paths above the
dirty leaves are rehashed once, level by level, when a node above the leaves
is read (the root, a Merkle proof). A batch that writes the same account ten
times hashes its path once, and paths that share ancestors share the work.
"""

from functools import cache
from typing import Sequence

from sequencer.crypto.poseidon import poseidon

from .types import FieldElement

ARITY = 4
"""Children per internal node."""

BITS_PER_LEVEL = 2
"""Index bits one level consumes (``ARITY == 2**BITS_PER_LEVEL``)."""

SIBLINGS_PER_LEVEL = ARITY - 1
"""Siblings a Merkle proof gives per level."""


def hash_children(children: Sequence[FieldElement]) -> FieldElement:
    """Hash a node's four children, in index order, into the node."""
    return FieldElement(poseidon(list(children)))


def levels(depth: int) -> int:
    """The levels of internal nodes of a tree whose indices have ``depth`` bits (refusing an odd ``depth``)."""
    if depth < 0 or depth % BITS_PER_LEVEL != 0:
        raise ValueError(f"a quaternary tree needs an even, non-negative depth, got {depth}")
    return depth // BITS_PER_LEVEL


def position(index: int, level: int) -> int:
    """Which child of its parent (0..3) the ancestor at ``level`` of leaf ``index`` is."""
    return (index >> (BITS_PER_LEVEL * level)) & (ARITY - 1)


def level_siblings(proof: Sequence[FieldElement], level: int) -> Sequence[FieldElement]:
    """The three siblings a Merkle proof gives at ``level``."""
    return proof[SIBLINGS_PER_LEVEL * level : SIBLINGS_PER_LEVEL * (level + 1)]


def parent(node: FieldElement, siblings: Sequence[FieldElement], node_position: int) -> FieldElement:
    """The parent of ``node``, which is child ``node_position``, and its three other children ``siblings`` (in order)."""
    children = list(siblings)
    children.insert(node_position, node)
    return hash_children(children)


@cache
def empty_subtree_hashes(depth: int, empty_leaf: FieldElement) -> tuple[FieldElement, ...]:
    """
    Roots of empty subtrees of every height from 0 (the leaf) to ``levels(depth)``.

    Entry ``k`` is the value of every node at level ``k`` whose leaves are all
    empty.
    """
    hashes = [empty_leaf]
    for _ in range(levels(depth)):
        hashes.append(hash_children([hashes[-1]] * ARITY))
    return tuple(hashes)


class SparseMerkleTree:
    """A Merkle tree of fixed depth that stores only its non-empty nodes."""

    depth: int
    levels: int
    empty_leaf: FieldElement
    _empty: tuple[FieldElement, ...]
    _nodes: dict[tuple[int, int], FieldElement]
    _dirty: set[int]

    def __init__(self, depth: int, empty_leaf: FieldElement) -> None:
        """Create a tree of ``2**depth`` leaves, all equal to ``empty_leaf`` (``depth`` even)."""
        self.depth = depth
        self.levels = levels(depth)
        self.empty_leaf = empty_leaf
        self._empty = empty_subtree_hashes(depth, empty_leaf)
        self._nodes = {}
        self._dirty = set()

    @property
    def root(self) -> FieldElement:
        """The node at the top level (rehashing the paths of leaves written since it was last read)."""
        self._rehash_dirty()
        return self._node(self.levels, 0)

    def get(self, index: int) -> FieldElement:
        """The leaf at ``index``."""
        self._check_index(index)
        return self._node(0, index)

    def set(self, index: int, leaf: FieldElement) -> None:
        """Write the leaf at ``index``; its path is rehashed when a node above it is next read."""
        self._check_index(index)
        self._store(0, index, leaf)
        self._dirty.add(index)

    def siblings(self, index: int) -> list[FieldElement]:
        """
        The Merkle proof of the leaf at ``index``: for each level, leaf level
        first, the three other children of the path's node, in index order.
        """
        self._check_index(index)
        self._rehash_dirty()
        proof: list[FieldElement] = []
        for level in range(self.levels):
            first_child = (index >> (BITS_PER_LEVEL * level)) & ~(ARITY - 1)
            own = position(index, level)
            proof += [self._node(level, first_child + child) for child in range(ARITY) if child != own]
        return proof

    def copy(self) -> "SparseMerkleTree":
        """An independent tree with the same leaves (only stored nodes are copied)."""
        clone = SparseMerkleTree(self.depth, self.empty_leaf)
        clone._nodes = dict(self._nodes)
        clone._dirty = set(self._dirty)
        return clone

    def _rehash_dirty(self) -> None:
        """Rehash every ancestor of the dirty leaves, one level at a time, each node once."""
        indices = self._dirty
        if not indices:
            return
        for level in range(self.levels):
            parents = {index >> BITS_PER_LEVEL for index in indices}
            for index in parents:
                children = [self._node(level, ARITY * index + child) for child in range(ARITY)]
                self._store(level + 1, index, hash_children(children))
            indices = parents
        self._dirty = set()

    def _node(self, level: int, index: int) -> FieldElement:
        return self._nodes.get((level, index), self._empty[level])

    def _store(self, level: int, index: int, value: FieldElement) -> None:
        """Keep a node only if it differs from the empty subtree at its level."""
        if value == self._empty[level]:
            self._nodes.pop((level, index), None)
        else:
            self._nodes[(level, index)] = value

    def _check_index(self, index: int) -> None:
        if not 0 <= index < 2**self.depth:
            raise IndexError(f"leaf {index} outside a tree of depth {self.depth}")


def compute_root(leaf: FieldElement, index: int, siblings: Sequence[FieldElement]) -> FieldElement:
    """
    The root that a Merkle proof leads to.

    A proof of ``leaf`` at ``index`` is valid for a tree whose root equals the
    result. The proof has three siblings per level, and the index must fit in
    two bits per level, so that one leaf cannot be proven at two indices.
    """
    if len(siblings) % SIBLINGS_PER_LEVEL != 0:
        raise ValueError(f"a proof has {SIBLINGS_PER_LEVEL} siblings per level, got {len(siblings)}")
    proof_levels = len(siblings) // SIBLINGS_PER_LEVEL
    if not 0 <= index < ARITY**proof_levels:
        raise ValueError(f"index {index} does not fit a proof of {proof_levels} levels")
    node = leaf
    for level in range(proof_levels):
        node = parent(node, level_siblings(siblings, level), position(index, level))
    return node
