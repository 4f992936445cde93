// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";

/// @title A verifier that rejects every proof
/// @notice For tests of everything that happens before verification. It never accepts, so it
///         cannot hide a bug: tests that need an accepted proof use the real verifier.
contract RejectingVerifier is IGroth16Verifier {
    /// @inheritdoc IGroth16Verifier
    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[1] calldata)
        external
        pure
        returns (bool)
    {
        return false;
    }
}
