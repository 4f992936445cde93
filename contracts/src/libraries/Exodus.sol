// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../interfaces/IMatchproof.sol";
import {IPoseidon2, IPoseidon7} from "../interfaces/IPoseidon.sol";
import {Field} from "./Field.sol";

/// @title The way out of a frozen rollup
/// @notice Once frozen (irreversibly), every account exits each token's balance once, with a
///         Merkle proof against the last proven state root, and every deposit no batch
///         consumed is refunded once. Trees and leaves as in docs/DESIGN.md: internal node
///         Poseidon([left, right]), bit k of the index says whether the level-k node is a right
///         child, account leaf Poseidon([ax, ay, ethAddr, nonce, minOrderId, balanceRoot,
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
    /// @dev Reverts InvalidProofLength unless the paths are `balanceDepth` and `accountDepth`
    ///      long, ValueNotInField unless every value hashed is a field element (the Poseidon
    ///      contracts reduce their inputs, so a value + p would pass for the value). The
    ///      caller checks that the indices fit their trees.
    function accountRoot(
        IMatchproof.ExitProof calldata proof,
        address owner,
        uint256 accountIndex,
        uint256 tokenId,
        uint256 balanceDepth,
        uint256 accountDepth,
        IPoseidon2 poseidon2,
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
        uint256 balanceRoot = merkleRoot(proof.balance, tokenId, proof.balanceSiblings, poseidon2);
        uint256 leaf = poseidon7.poseidon(
            [proof.ax, proof.ay, uint256(uint160(owner)), proof.nonce, proof.minOrderId, balanceRoot, proof.orderRoot]
        );
        return merkleRoot(leaf, accountIndex, proof.accountSiblings, poseidon2);
    }

    /// @notice The root of a binary Poseidon tree from a leaf, its index and its siblings.
    /// @dev Reverts ValueNotInField unless every sibling is a field element.
    function merkleRoot(uint256 leaf, uint256 index, uint256[] calldata siblings, IPoseidon2 poseidon2)
        internal
        pure
        returns (uint256 node)
    {
        node = leaf;
        for (uint256 level = 0; level < siblings.length; ++level) {
            uint256 sibling = siblings[level];
            _requireField(sibling);
            node = (index >> level) & 1 == 1 ? poseidon2.poseidon([sibling, node]) : poseidon2.poseidon([node, sibling]);
        }
    }

    function _requireLength(uint256[] calldata siblings, uint256 depth) private pure {
        if (siblings.length != depth) revert IMatchproof.InvalidProofLength(depth, siblings.length);
    }

    function _requireField(uint256 value) private pure {
        if (!Field.contains(value)) revert IMatchproof.ValueNotInField(value);
    }
}
