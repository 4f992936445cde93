// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../interfaces/IMatchproof.sol";
import {IPoseidon2, IPoseidon4, IPoseidon15} from "../interfaces/IPoseidon.sol";
import {Field} from "./Field.sol";
import {PublicDataLayout} from "./PublicDataLayout.sol";

/// @title The way out of a frozen rollup
/// @notice Once frozen (irreversibly), every account exits each token's balance once, with a
///         Merkle proof against the last proven state root, and every deposit no batch
///         consumed is refunded once. Tree and leaf as in docs/DESIGN.md: a quaternary account
///         tree, internal node Poseidon([c0, c1, c2, c3]) of its children in index order, bits
///         2k and 2k + 1 of the index say which child the level-k node is; account leaf
///         Poseidon([ax, ay, ethAddr, nonce, minOrderId, orderRoot, w0, ..., w7, perpHash]),
///         where word wi = balance(2i) + balance(2i + 1) * 2^96 (token ids the rollup does not
///         have hold 0) and perpHash commits to the account's collateral and positions; state
///         root Poseidon([accountRoot, perpCommitment]).
library Exodus {
    /// @notice Bits of a balance (every L2 amount has as many): two balances share a word.
    uint256 internal constant BALANCE_BITS = PublicDataLayout.AMOUNT_BITS;

    /// @notice The balance words of an account leaf: two balances of each of the 16 token ids
    ///         the public data can name (ExitProof.balances), whatever the rollup's balanceDepth.
    uint256 internal constant BALANCE_WORDS = 8;

    struct State {
        /// @dev Set once by freeze; never cleared.
        bool frozen;
        /// @dev The block that froze the rollup (perpetual claims are proven within a window after
        ///      it); beside `frozen`, so freezing writes one storage slot.
        uint64 frozenBlock;
        /// @dev accountIndex => tokenId => whether the account exited the token.
        mapping(uint256 => mapping(uint256 => bool)) exited;
        /// @dev requestIndex => whether the deposit was refunded.
        mapping(uint256 => bool) refunded;
    }

    /// @notice The state root that an exit proof of `owner`'s account at `accountIndex` leads to:
    ///         Poseidon([accountRoot, proof.perpCommitment]).
    /// @dev Reverts InvalidProofLength unless the path holds three siblings per level
    ///      (`3 * accountDepth / 2`), BalanceOutOfRange unless every balance is below 2^96
    ///      (else value could move between the two balances of a word: lo + 2^96 and hi - 1
    ///      make the same word as lo and hi), ValueNotInField unless every other value hashed
    ///      is a field element (the Poseidon contracts reduce their inputs, so a value + p
    ///      would pass for the value). The caller checks that the index fits the tree.
    function stateRoot(
        IMatchproof.ExitProof calldata proof,
        address owner,
        uint256 accountIndex,
        uint256 accountDepth,
        IPoseidon2 poseidon2,
        IPoseidon4 poseidon4,
        IPoseidon15 poseidon15
    ) internal pure returns (uint256) {
        _requireLength(proof.accountSiblings, accountDepth);
        _requireField(proof.ax);
        _requireField(proof.ay);
        _requireField(proof.nonce);
        _requireField(proof.minOrderId);
        _requireField(proof.orderRoot);
        _requireField(proof.perpHash);
        _requireField(proof.perpCommitment);
        uint256[15] memory inputs;
        inputs[0] = proof.ax;
        inputs[1] = proof.ay;
        inputs[2] = uint256(uint160(owner));
        inputs[3] = proof.nonce;
        inputs[4] = proof.minOrderId;
        inputs[5] = proof.orderRoot;
        for (uint256 i = 0; i < BALANCE_WORDS; ++i) {
            inputs[6 + i] = _balance(proof, 2 * i) | (_balance(proof, 2 * i + 1) << BALANCE_BITS);
        }
        inputs[6 + BALANCE_WORDS] = proof.perpHash;
        uint256 accountRoot = merkleRoot(poseidon15.poseidon(inputs), accountIndex, proof.accountSiblings, poseidon4);
        return poseidon2.poseidon([accountRoot, proof.perpCommitment]);
    }

    /// @notice The root of a quaternary Poseidon tree from a leaf, its index and its siblings
    ///         (three per level, leaf level first, each level's in index order).
    /// @dev Reverts ValueNotInField unless every sibling is a field element. The caller checks
    ///      the proof's length (a whole number of levels) and that the index fits the tree.
    function merkleRoot(uint256 leaf, uint256 index, uint256[] calldata siblings, IPoseidon4 poseidon4)
        internal
        pure
        returns (uint256 node)
    {
        node = leaf;
        uint256 levels = siblings.length / 3;
        for (uint256 level = 0; level < levels; ++level) {
            uint256 position = (index >> (2 * level)) & 3;
            uint256[4] memory children;
            uint256 next = 3 * level;
            for (uint256 child = 0; child < 4; ++child) {
                if (child == position) {
                    children[child] = node;
                } else {
                    uint256 sibling = siblings[next++];
                    _requireField(sibling);
                    children[child] = sibling;
                }
            }
            node = poseidon4.poseidon(children);
        }
    }

    /// @dev The proof's balance of `tokenId`. Reverts BalanceOutOfRange unless it is below 2^96.
    function _balance(IMatchproof.ExitProof calldata proof, uint256 tokenId) private pure returns (uint256 balance) {
        balance = proof.balances[tokenId];
        if (balance >> BALANCE_BITS != 0) revert IMatchproof.BalanceOutOfRange(tokenId, balance);
    }

    /// @dev A tree of `depth` index bits has depth / 2 levels of three siblings.
    function _requireLength(uint256[] calldata siblings, uint256 depth) private pure {
        uint256 expected = 3 * depth / 2;
        if (siblings.length != expected) revert IMatchproof.InvalidProofLength(expected, siblings.length);
    }

    function _requireField(uint256 value) private pure {
        if (!Field.contains(value)) revert IMatchproof.ValueNotInField(value);
    }
}
