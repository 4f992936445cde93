// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../interfaces/IMatchproof.sol";
import {IPoseidon4, IPoseidon7} from "../interfaces/IPoseidon.sol";
import {Field} from "./Field.sol";

/// @title The way out of a frozen rollup
/// @notice Once frozen (irreversibly), every account exits each token's balance once, with a
///         Merkle proof against the last proven state root, and every deposit no batch
///         consumed is refunded once. Trees and leaves as in docs/DESIGN.md: quaternary trees,
///         internal node Poseidon([c0, c1, c2, c3]) of its children in index order, bits 2k and
///         2k + 1 of the index say which child the level-k node is, account leaf Poseidon([ax, ay, ethAddr, nonce, minOrderId, balanceRoot,
///         orderRoot]), balance leaf the balance itself.
library Exodus {
    struct State {
        /// @dev Set once by freeze; never cleared.
        bool frozen;
        /// @dev accountIndex => tokenId => whether the account exited the token.
        mapping(uint256 => mapping(uint256 => bool)) exited;
        /// @dev requestIndex => whether the deposit was refunded.
        mapping(uint256 => bool) refunded;
    }

    /// @notice The account tree root that an exit proof of `owner`'s account at `accountIndex`
    ///         leads to, for the balance of `tokenId`.
    /// @dev Reverts InvalidProofLength unless the paths hold three siblings per level
    ///      (`3 * balanceDepth / 2` and `3 * accountDepth / 2`), ValueNotInField unless every value hashed is a field element (the Poseidon
    ///      contracts reduce their inputs, so a value + p would pass for the value). The
    ///      caller checks that the indices fit their trees.
    function accountRoot(
        IMatchproof.ExitProof calldata proof,
        address owner,
        uint256 accountIndex,
        uint256 tokenId,
        uint256 balanceDepth,
        uint256 accountDepth,
        IPoseidon4 poseidon4,
        IPoseidon7 poseidon7
    ) internal pure returns (uint256) {
        _requireLength(proof.balanceSiblings, balanceDepth);
        _requireLength(proof.accountSiblings, accountDepth);
        _requireField(proof.ax);
        _requireField(proof.ay);
        _requireField(proof.nonce);
        _requireField(proof.minOrderId);
        _requireField(proof.orderRoot);
        _requireField(proof.balance);
        uint256 balanceRoot = merkleRoot(proof.balance, tokenId, proof.balanceSiblings, poseidon4);
        uint256 leaf = poseidon7.poseidon(
            [proof.ax, proof.ay, uint256(uint160(owner)), proof.nonce, proof.minOrderId, balanceRoot, proof.orderRoot]
        );
        return merkleRoot(leaf, accountIndex, proof.accountSiblings, poseidon4);
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

    /// @dev A tree of `depth` index bits has depth / 2 levels of three siblings.
    function _requireLength(uint256[] calldata siblings, uint256 depth) private pure {
        uint256 expected = 3 * depth / 2;
        if (siblings.length != expected) revert IMatchproof.InvalidProofLength(expected, siblings.length);
    }

    function _requireField(uint256 value) private pure {
        if (!Field.contains(value)) revert IMatchproof.ValueNotInField(value);
    }
}
