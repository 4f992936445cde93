"""
Sparse binary Poseidon Merkle trees.

All state lives in trees of this one kind: a fixed depth ``d``, ``2**d``
leaves, internal nodes ``Poseidon([left, right])``. Bit ``k`` of a leaf's index
says whether its ancestor at level ``k`` is a right (1) or a left (0) child;
level 0 holds the leaves and level ``d`` the root.

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


def hash_pair(left: FieldElement, right: FieldElement) -> FieldElement:
    """Hash two children into their parent."""
    return FieldElement(poseidon([left, right]))


def is_right_child(index: int, level: int) -> bool:
    """Whether the ancestor at ``level`` of leaf ``index`` is a right child."""
    return (index >> level) & 1 == 1


def parent(node: FieldElement, sibling: FieldElement, node_is_right: bool) -> FieldElement:
    """The parent of ``node`` and its ``sibling``."""
    if node_is_right:
        return hash_pair(sibling, node)
    return hash_pair(node, sibling)


@cache
def empty_subtree_hashes(depth: int, empty_leaf: FieldElement) -> tuple[FieldElement, ...]:
    """
    Roots of empty subtrees of every height from 0 (the leaf) to ``depth``.

    Entry ``k`` is the value of every node at level ``k`` whose leaves are all
    empty.
    """
    hashes = [empty_leaf]
    for _ in range(depth):
        hashes.append(hash_pair(hashes[-1], hashes[-1]))
    return tuple(hashes)


class SparseMerkleTree:
    """A Merkle tree of fixed depth that stores only its non-empty nodes."""

    depth: int
    empty_leaf: FieldElement
    _empty: tuple[FieldElement, ...]
    _nodes: dict[tuple[int, int], FieldElement]
    _dirty: set[int]

    def __init__(self, depth: int, empty_leaf: FieldElement) -> None:
        """Create a tree of ``2**depth`` leaves, all equal to ``empty_leaf``."""
        self.depth = depth
        self.empty_leaf = empty_leaf
        self._empty = empty_subtree_hashes(depth, empty_leaf)
        self._nodes = {}
        self._dirty = set()

    @property
    def root(self) -> FieldElement:
        """The node at the top level (rehashing the paths of leaves written since it was last read)."""
        self._rehash_dirty()
        return self._node(self.depth, 0)

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
        """The Merkle proof of the leaf at ``index``: its path's siblings, leaf level first."""
        self._check_index(index)
        self._rehash_dirty()
        return [self._sibling(level, index) for level in range(self.depth)]

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
        for level in range(self.depth):
            parents = {index >> 1 for index in indices}
            for index in parents:
                left = self._node(level, 2 * index)
                right = self._node(level, 2 * index + 1)
                self._store(level + 1, index, hash_pair(left, right))
            indices = parents
        self._dirty = set()

    def _node(self, level: int, index: int) -> FieldElement:
        return self._nodes.get((level, index), self._empty[level])

    def _sibling(self, level: int, index: int) -> FieldElement:
        """The sibling at ``level`` of the path from leaf ``index``."""
        return self._node(level, (index >> level) ^ 1)

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
    result. The index must fit in ``len(siblings)`` bits, so that one leaf
    cannot be proven at two indices.
    """
    if not 0 <= index < 2 ** len(siblings):
        raise ValueError(f"index {index} does not fit a proof of depth {len(siblings)}")
    node = leaf
    for level, sibling in enumerate(siblings):
        node = parent(node, sibling, is_right_child(index, level))
    return node
