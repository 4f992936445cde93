"""The sparse Merkle tree: roots, proofs, storage of non-empty nodes only."""

from random import Random

import pytest

from sequencer.crypto.poseidon import poseidon
from sequencer.spec.merkle import SparseMerkleTree, compute_root, empty_subtree_hashes, hash_pair
from sequencer.spec.types import FieldElement

ZERO = FieldElement(0)


def test_root_of_two_leaves_is_their_poseidon_hash() -> None:
    tree = SparseMerkleTree(1, ZERO)
    tree.set(0, FieldElement(1))
    tree.set(1, FieldElement(2))
    assert tree.root == 7853200120776062878684798364095072458815029376092732009249414926327459813530


def test_empty_tree_root_is_the_empty_subtree_hash() -> None:
    empty = FieldElement(poseidon([0, 0]))
    level1 = poseidon([empty, empty])
    level2 = poseidon([level1, level1])
    assert empty_subtree_hashes(2, empty) == (empty, level1, level2)
    assert SparseMerkleTree(2, empty).root == level2


def test_root_matches_a_dense_computation() -> None:
    leaves = [FieldElement(0)] * 8
    leaves[3] = FieldElement(33)
    leaves[6] = FieldElement(66)
    tree = SparseMerkleTree(3, ZERO)
    tree.set(3, leaves[3])
    tree.set(6, leaves[6])
    level = list(leaves)
    while len(level) > 1:
        level = [FieldElement(poseidon(level[i : i + 2])) for i in range(0, len(level), 2)]
    assert tree.root == level[0]
    assert tree.get(3) == 33 and tree.get(6) == 66 and tree.get(0) == 0


@pytest.mark.parametrize("index", range(8))
def test_proof_of_every_leaf_verifies(index: int) -> None:
    tree = SparseMerkleTree(3, ZERO)
    for i in (1, 4, 6):
        tree.set(i, FieldElement(100 + i))
    assert compute_root(tree.get(index), index, tree.siblings(index)) == tree.root


def test_proof_with_a_wrong_leaf_or_index_fails() -> None:
    tree = SparseMerkleTree(3, ZERO)
    tree.set(5, FieldElement(7))
    siblings = tree.siblings(5)
    assert compute_root(FieldElement(8), 5, siblings) != tree.root
    assert compute_root(FieldElement(7), 4, siblings) != tree.root


def test_proof_index_must_fit_the_proof_depth() -> None:
    tree = SparseMerkleTree(3, ZERO)
    with pytest.raises(ValueError):
        compute_root(ZERO, 8, tree.siblings(0))


def test_siblings_run_from_the_leaf_level_up() -> None:
    tree = SparseMerkleTree(2, ZERO)
    tree.set(1, FieldElement(5))
    tree.set(2, FieldElement(9))
    assert tree.siblings(0) == [5, poseidon([9, 0])]


def test_only_non_empty_nodes_are_stored() -> None:
    tree = SparseMerkleTree(4, ZERO)
    empty_root = tree.root
    tree.set(9, FieldElement(1))
    assert tree.root != empty_root
    assert len(tree._nodes) == 5  # the leaf and its four ancestors
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
    """The root hashed from every leaf, the slow way: the oracle of the lazy tree."""
    level = [FieldElement(leaves.get(index, 0)) for index in range(2**depth)]
    while len(level) > 1:
        level = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def test_lazy_roots_equal_the_full_rehash_after_any_writes() -> None:
    """Writes only mark leaves dirty; the root and proofs read afterwards are those of a full rehash."""
    rng = Random(20261201)
    tree = SparseMerkleTree(5, ZERO)
    leaves: dict[int, int] = {}
    for round_ in range(30):
        for _ in range(rng.randint(1, 6)):  # several writes, some to the same leaf, between reads
            index, value = rng.randrange(32), rng.choice([0, rng.randrange(1, 1000)])
            tree.set(index, FieldElement(value))
            leaves[index] = value
        assert tree.root == full_root(5, leaves), round_
        probe = rng.randrange(32)
        assert compute_root(FieldElement(leaves.get(probe, 0)), probe, tree.siblings(probe)) == tree.root
