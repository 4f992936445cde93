// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16BatchVerifier} from "../../src/interfaces/IGroth16BatchVerifier.sol";

/// @title A verifier that accepts every proof
/// @notice Only for model-based tests whose batches are built by a model of the state
///         transition, so that every batch they submit is one a sound circuit would prove.
///         It stands in for proving, never for checking: nothing else may use it.
contract AcceptingVerifier is IGroth16BatchVerifier {
    /// @inheritdoc IGroth16BatchVerifier
    function verifyProofs(uint256[8][] calldata, uint256[] calldata) external pure returns (bool) {
        return true;
    }

    /// @inheritdoc IGroth16BatchVerifier
    /// @dev A mock holds no key: every field is zero.
    function verifyingKey() external pure returns (VerifyingKey memory vk) {
        return vk;
    }
}
