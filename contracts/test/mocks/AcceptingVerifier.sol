// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";

/// @title A verifier that accepts every proof
/// @notice Only for model-based tests whose batches are built by a model of the state
///         transition, so that every batch they submit is one a sound circuit would prove.
///         It stands in for proving, never for checking: nothing else may use it.
contract AcceptingVerifier is IGroth16Verifier {
    /// @inheritdoc IGroth16Verifier
    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[1] calldata)
        external
        pure
        returns (bool)
    {
        return true;
    }
}
