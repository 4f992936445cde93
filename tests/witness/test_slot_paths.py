"""
A slot's side B is proven against the account tree as side A's write left
it. The witness computes that path from A's and B's paths alone
(``siblings_after_write``), never copying the tree: it must be exactly the
path a copied tree with A's new leaf gives, for any two leaves.
"""

from random import Random

from sequencer.spec.merkle import SparseMerkleTree
from sequencer.spec.types import AccountIndex, FieldElement
from sequencer.witness.slots import siblings_after_write


def test_the_path_after_a_write_equals_the_rewritten_trees() -> None:
    rng = Random(20261201)
    for depth in (2, 4, 6):
        tree = SparseMerkleTree(depth, FieldElement(0))
        for index in rng.sample(range(2**depth), min(2**depth, 5)):
            tree.set(index, FieldElement(rng.randrange(1, 10**9)))
        for _ in range(40):
            written, index = (AccountIndex(rng.randrange(2**depth)) for _ in range(2))
            leaf = FieldElement(rng.randrange(1, 10**9))
            expected_tree = tree.copy()
            expected_tree.set(written, leaf)
            computed = siblings_after_write(written, leaf, tree.siblings(written), index, tree.siblings(index))
            assert computed == expected_tree.siblings(index), (depth, written, index)
