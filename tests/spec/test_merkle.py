"""The sparse quaternary Merkle tree: roots, proofs, storage of non-empty nodes only."""

from random import Random

import pytest

from sequencer.crypto.poseidon import poseidon
from sequencer.spec.merkle import SparseMerkleTree, compute_root, empty_subtree_hashes, hash_children, levels
from sequencer.spec.types import FieldElement

ZERO = FieldElement(0)


def test_root_of_four_leaves_is_their_poseidon_hash() -> None:
    tree = SparseMerkleTree(2, ZERO)
    for index in range(4):
        tree.set(index, FieldElement(index + 1))
    assert tree.root == poseidon([1, 2, 3, 4])


def test_empty_tree_root_is_the_empty_subtree_hash() -> None:
    empty = FieldElement(poseidon([0, 0]))
    level1 = poseidon([empty] * 4)
    level2 = poseidon([level1] * 4)
    assert empty_subtree_hashes(4, empty) == (empty, level1, level2)
    assert SparseMerkleTree(4, empty).root == level2


@pytest.mark.parametrize("depth", [-2, 1, 3])
def test_a_tree_needs_an_even_depth(depth: int) -> None:
    with pytest.raises(ValueError, match="even"):
        levels(depth)
    with pytest.raises(ValueError, match="even"):
        SparseMerkleTree(depth, ZERO)


def test_root_matches_a_dense_computation() -> None:
    leaves = {3: 33, 6: 66, 13: 1313}
    tree = SparseMerkleTree(4, ZERO)
    for index, value in leaves.items():
        tree.set(index, FieldElement(value))
    assert tree.root == full_root(4, leaves)
    assert tree.get(3) == 33 and tree.get(6) == 66 and tree.get(0) == 0


@pytest.mark.parametrize("index", range(16))
def test_proof_of_every_leaf_verifies(index: int) -> None:
    tree = SparseMerkleTree(4, ZERO)
    for i in (1, 4, 6, 15):
        tree.set(i, FieldElement(100 + i))
    assert compute_root(tree.get(index), index, tree.siblings(index)) == tree.root


def test_proof_with_a_wrong_leaf_or_index_fails() -> None:
    tree = SparseMerkleTree(4, ZERO)
    tree.set(5, FieldElement(7))
    tree.set(6, FieldElement(8))
    siblings = tree.siblings(5)
    assert compute_root(FieldElement(7), 5, siblings) == tree.root
    assert compute_root(FieldElement(8), 5, siblings) != tree.root
    for other in (4, 6, 7, 1, 9, 13):  # the same level-0 siblings at another position, or another subtree
        assert compute_root(FieldElement(7), other, siblings) != tree.root


def test_proof_index_must_fit_the_proof_and_the_proof_whole_levels() -> None:
    tree = SparseMerkleTree(4, ZERO)
    with pytest.raises(ValueError, match="does not fit"):
        compute_root(ZERO, 16, tree.siblings(0))
    with pytest.raises(ValueError, match="siblings per level"):
        compute_root(ZERO, 0, tree.siblings(0)[:-1])


def test_siblings_run_from_the_leaf_level_up_in_index_order() -> None:
    tree = SparseMerkleTree(4, ZERO)
    tree.set(1, FieldElement(5))
    tree.set(2, FieldElement(9))
    tree.set(9, FieldElement(4))
    empty = empty_subtree_hashes(4, ZERO)[1]
    # Leaf 2 is child 2 of node 0 (children 0, 1, 3 are its siblings); node 0 is child 0 of the
    # root, whose children 1, 2 (over leaves 8-11, leaf 9 set) and 3 are its siblings.
    assert tree.siblings(2) == [0, 5, 0, empty, poseidon([0, 4, 0, 0]), empty]


def test_only_non_empty_nodes_are_stored() -> None:
    tree = SparseMerkleTree(6, ZERO)
    empty_root = tree.root
    tree.set(9, FieldElement(1))
    assert tree.root != empty_root
    assert len(tree._nodes) == 4  # the leaf and its three ancestors
    tree.set(9, ZERO)
    assert tree.root == empty_root
    assert tree._nodes == {}


def test_copy_is_independent() -> None:
    tree = SparseMerkleTree(2, ZERO)
    tree.set(0, FieldElement(1))
    clone = tree.copy()
    clone.set(0, FieldElement(2))
    assert tree.get(0) == 1 and clone.get(0) == 2
    assert tree.root != clone.root


@pytest.mark.parametrize("index", [-1, 4])
def test_index_outside_the_tree_is_refused(index: int) -> None:
    tree = SparseMerkleTree(2, ZERO)
    with pytest.raises(IndexError):
        tree.set(index, FieldElement(1))
    with pytest.raises(IndexError):
        tree.get(index)


def full_root(depth: int, leaves: dict[int, int]) -> int:
    """The root hashed from every leaf, four at a time, the slow way: the oracle of the lazy tree."""
    level = [FieldElement(leaves.get(index, 0)) for index in range(2**depth)]
    while len(level) > 1:
        level = [hash_children(level[i : i + 4]) for i in range(0, len(level), 4)]
    return level[0]


def test_lazy_roots_equal_the_full_rehash_after_any_writes() -> None:
    """Writes only mark leaves dirty; the root and proofs read afterwards are those of a full rehash."""
    rng = Random(20261201)
    tree = SparseMerkleTree(6, ZERO)
    leaves: dict[int, int] = {}
    for round_ in range(30):
        for _ in range(rng.randint(1, 6)):  # several writes, some to the same leaf, between reads
            index, value = rng.randrange(64), rng.choice([0, rng.randrange(1, 1000)])
            tree.set(index, FieldElement(value))
            leaves[index] = value
        assert tree.root == full_root(6, leaves), round_
        probe = rng.randrange(64)
        assert compute_root(FieldElement(leaves.get(probe, 0)), probe, tree.siblings(probe)) == tree.root
