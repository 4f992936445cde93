"""Accounts, order slots, the account tree, the perpetual globals and the state root over them."""

import pytest

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon
from sequencer.spec.constants import BALANCE_WORDS, TreeConfig
from sequencer.spec.merkle import SparseMerkleTree, compute_root
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, Position
from sequencer.spec.state import EMPTY_ORDER_LEAF, Account, State, order_leaf
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, OrderId, TokenId
from tests.spec.builders import ALICE, BASE, BOB, QUOTE, SMALL, eth_address


def test_an_order_leaf_packs_the_id_above_the_filled_amount() -> None:
    assert EMPTY_ORDER_LEAF == 0
    assert order_leaf(OrderId(6), Amount(40)) == 6 * 2**96 + 40
    top = order_leaf(OrderId(2**48 - 1), Amount(2**96 - 1))
    assert top == 2**144 - 1 and top < FIELD_MODULUS


EMPTY_PERP = poseidon([0] * 9)
"""The perpetual side of an account with no collateral and no position: four markets' sizes and indices, all zero."""


def test_genesis_root_hashes_the_empty_account_tree_and_the_unpriced_markets() -> None:
    empty_orders = SparseMerkleTree(SMALL.order_depth, EMPTY_ORDER_LEAF).root
    empty_account = FieldElement(poseidon([0, 0, 0, 0, 0, empty_orders] + [0] * BALANCE_WORDS + [EMPTY_PERP]))
    account_root = SparseMerkleTree(SMALL.account_depth, empty_account).root
    unpriced = poseidon([0] * 5)
    markets = poseidon([unpriced] * 4 + [0])  # four markets never priced, an empty pool
    assert State.genesis(SMALL).root == poseidon([account_root, poseidon([markets, 0])])  # no perpetual parameters
    assert State.genesis(SMALL, FieldElement(77)).root == poseidon([account_root, poseidon([markets, 77])])


def test_account_leaf_commits_to_every_field() -> None:
    state = State.genesis(SMALL)
    index = AccountIndex(ALICE)
    state.create_account(index, FieldElement(11), FieldElement(12), eth_address(ALICE))
    state.set_balance(index, BASE, Amount(7))
    state.set_balance(index, QUOTE, Amount(500))
    state.set_balance(index, TokenId(3), Amount(2**96 - 1))
    state.set_order_slot(index, OrderId(6), Amount(40))
    state.increment_nonce(index)
    state.set_min_order_id(index, OrderId(3))
    state.set_perp_account(index, PerpAccount(-5, (Position(0, 0), Position(3, -7))))

    orders = SparseMerkleTree(SMALL.order_depth, EMPTY_ORDER_LEAF)
    orders.set(6 % 4, order_leaf(OrderId(6), Amount(40)))
    # Word i holds tokens 2i (low 96 bits) and 2i + 1 (above them); tokens 0 and 1 share word 0.
    words = [7 + 500 * 2**96, (2**96 - 1) * 2**96] + [0] * (BALANCE_WORDS - 2)
    # Collateral, then each market's size and settled index; negatives are p - x.
    perp = poseidon([FIELD_MODULUS - 5, 0, 0, 3, FIELD_MODULUS - 7, 0, 0, 0, 0])
    leaf = poseidon([11, 12, eth_address(ALICE), 1, 3, orders.root] + words + [perp])
    account = state.get_account(index)
    assert account.leaf_hash() == leaf
    assert state.account_tree.get(ALICE) == leaf


def test_account_proof_verifies_against_the_state_root() -> None:
    state = State.genesis(SMALL)
    state.create_account(AccountIndex(5), FieldElement(1), FieldElement(2), EthAddress(3))
    leaf = state.get_account(AccountIndex(5)).leaf_hash()
    account_root = compute_root(leaf, 5, state.account_tree.siblings(5))
    assert account_root == state.account_tree.root
    assert poseidon([account_root, state.perp_commitment]) == state.root


def test_the_root_commits_to_the_markets_the_pool_and_the_parameters() -> None:
    state = State.genesis(SMALL, FieldElement(9))
    roots = {state.root}
    state.set_perp_market(3, PerpMarket(oracle_price=100, oracle_time=5, funding_index=-2, funding_time=4, open_interest=1))
    roots.add(state.root)
    state.set_collateral_pool(700)
    roots.add(state.root)
    state.set_perp_account(AccountIndex(ALICE), PerpAccount(1))
    roots.add(state.root)
    assert len(roots) == 4
    market = poseidon([100, 5, FIELD_MODULUS - 2, 4, 1])
    unpriced = poseidon([0] * 5)
    assert state.perp_commitment == poseidon([poseidon([unpriced, unpriced, unpriced, market, 700]), 9])
    assert state.copy().perp_commitment == state.perp_commitment  # a copy keeps the parameters


def test_an_empty_perpetual_side_hashes_as_none() -> None:
    """Positions closed to zero at index zero leave the leaf of an account that never traded perpetuals."""
    state, fresh = State.genesis(SMALL), State.genesis(SMALL)
    state.set_perp_account(AccountIndex(ALICE), PerpAccount(0, (Position(0, 0), Position(0, 0))))
    fresh.set_balance(AccountIndex(ALICE), BASE, Amount(0))
    assert state.root == fresh.root
    assert state.get_account(AccountIndex(ALICE)).perp.is_empty


def test_rollback_restores_the_perpetual_side() -> None:
    state = State.genesis(SMALL)
    state.set_perp_account(AccountIndex(ALICE), PerpAccount(10))
    state.set_collateral_pool(10)
    root = state.root
    state.begin()
    state.set_perp_account(AccountIndex(ALICE), PerpAccount(4, (Position(2, 0),)))
    state.set_perp_market(0, PerpMarket(oracle_price=9))
    state.begin()
    state.set_collateral_pool(11)
    state.set_perp_market(0, PerpMarket(oracle_price=8))
    state.commit()
    assert (state.collateral_pool, state.perp_markets[0].oracle_price) == (11, 8)
    state.rollback()  # the outer journal undoes the inner one's kept changes too
    assert state.root == root
    assert (state.collateral_pool, state.perp_markets[0], state.get_account(AccountIndex(ALICE)).perp) == (10, PerpMarket(), PerpAccount(10))


def test_order_slot_is_the_order_id_modulo_the_slot_count() -> None:
    state = State.genesis(SMALL)
    state.set_order_slot(AccountIndex(ALICE), OrderId(5), Amount(7))
    account = state.get_account(AccountIndex(ALICE))
    assert account.order_slot(OrderId(1)) == (5, 7)
    assert account.order_slot(OrderId(9)) == (5, 7)
    assert account.order_slot(OrderId(2)) == (0, 0)


def test_an_account_exists_once_it_has_an_address() -> None:
    state = State.genesis(SMALL)
    assert not state.get_account(AccountIndex(ALICE)).exists
    state.set_balance(AccountIndex(ALICE), BASE, Amount(1))
    assert not state.get_account(AccountIndex(ALICE)).exists
    state.create_account(AccountIndex(ALICE), FieldElement(1), FieldElement(2), EthAddress(3))
    assert state.get_account(AccountIndex(ALICE)).exists


def test_copy_is_independent() -> None:
    state = State.genesis(SMALL)
    state.set_balance(AccountIndex(ALICE), BASE, Amount(1))
    clone = state.copy()
    clone.set_balance(AccountIndex(ALICE), BASE, Amount(2))
    clone.set_order_slot(AccountIndex(ALICE), OrderId(1), Amount(1))
    clone.set_min_order_id(AccountIndex(ALICE), OrderId(9))
    assert state.get_account(AccountIndex(ALICE)).balance(BASE) == 1
    assert state.get_account(AccountIndex(ALICE)).order_slot(OrderId(1)) == (0, 0)
    assert state.get_account(AccountIndex(ALICE)).min_order_id == 0
    assert state.root != clone.root


def test_rollback_undoes_every_change_since_begin() -> None:
    state = State.genesis(SMALL)
    state.set_balance(AccountIndex(BOB), BASE, Amount(5))
    root, accounts = state.root, state.accounts()
    state.begin()
    state.set_balance(AccountIndex(ALICE), BASE, Amount(1))  # an account created in the journal
    state.set_balance(AccountIndex(BOB), BASE, Amount(7))  # and one changed twice
    state.set_order_slot(AccountIndex(BOB), OrderId(3), Amount(2))
    assert state.root != root
    state.rollback()
    assert state.root == root
    assert state.get_account(AccountIndex(ALICE)).balance(BASE) == 0
    assert state.get_account(AccountIndex(BOB)).balance(BASE) == 5
    assert state.get_account(AccountIndex(BOB)).order_slot(OrderId(3)) == (0, 0)
    assert set(state.accounts()) == set(accounts)


def test_nested_journals_commit_into_the_outer_one() -> None:
    state = State.genesis(SMALL)
    root = state.root
    state.begin()
    state.set_balance(AccountIndex(ALICE), BASE, Amount(1))
    state.begin()
    state.set_balance(AccountIndex(ALICE), BASE, Amount(2))
    state.increment_nonce(AccountIndex(BOB))
    state.commit()
    assert state.get_account(AccountIndex(ALICE)).balance(BASE) == 2
    state.rollback()  # the outer journal undoes what the inner one kept
    assert state.root == root
    assert state.accounts() == {}


def test_commit_keeps_the_changes_and_their_root() -> None:
    state, fresh = State.genesis(SMALL), State.genesis(SMALL)
    state.begin()
    state.set_balance(AccountIndex(ALICE), BASE, Amount(3))
    state.commit()
    fresh.set_balance(AccountIndex(ALICE), BASE, Amount(3))
    assert state.root == fresh.root


def test_balance_depth_may_be_odd() -> None:
    """Balances are words of the leaf, not a quaternary tree: 2, 8 or 16 tokens, and 1 or 3 bits too."""
    assert TreeConfig(4, 1, 2).balance_depth == 1
    assert TreeConfig(4, 3, 2).balance_depth == 3


def test_a_balance_set_to_zero_is_forgotten() -> None:
    state = State.genesis(SMALL)
    state.create_account(AccountIndex(ALICE), FieldElement(1), FieldElement(2), EthAddress(3))
    before = state.root
    state.set_balance(AccountIndex(ALICE), BASE, Amount(5))
    state.set_balance(AccountIndex(ALICE), BASE, Amount(0))
    assert state.get_account(AccountIndex(ALICE)).balances == {}
    assert state.root == before


def test_reading_an_empty_account_stores_nothing() -> None:
    state = State.genesis(SMALL)
    account = state.get_account(AccountIndex(7))
    assert account.balance(TokenId(1)) == 0
    assert state.root == State.genesis(SMALL).root


@pytest.mark.parametrize(
    "depths", [(0, 2, 2), (26, 2, 2), (4, 5, 2), (4, 18, 2), (4, 2, 50), (4, 0, 2), (3, 2, 2), (4, 2, 3)]
)
def test_tree_config_refuses_depths_that_do_not_fit(depths: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        TreeConfig(*depths)


def test_empty_account_leaf_is_the_genesis_leaf() -> None:
    assert Account.empty(SMALL).leaf_hash() == State.genesis(SMALL).account_tree.get(0)
