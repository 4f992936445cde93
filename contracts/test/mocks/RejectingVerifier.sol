// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16BatchVerifier} from "../../src/interfaces/IGroth16BatchVerifier.sol";

/// @title A verifier that rejects every proof
/// @notice For tests of everything that happens before verification. It never accepts, so it
///         cannot hide a bug: tests that need an accepted proof use the real verifier.
contract RejectingVerifier is IGroth16BatchVerifier {
    /// @inheritdoc IGroth16BatchVerifier
    function verifyProofs(uint256[8][] calldata, uint256[] calldata) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IGroth16BatchVerifier
    /// @dev A mock holds no key: every field is zero.
    function verifyingKey() external pure returns (VerifyingKey memory vk) {
        return vk;
    }
}
