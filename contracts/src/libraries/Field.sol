// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The BN254 scalar field
/// @notice Every value hashed or published by the rollup is an element of this field.
library Field {
    /// @notice The field order p (snarkjs `bn128` scalar field).
    uint256 internal constant ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice Whether `value` is a canonical field element (< p).
    function contains(uint256 value) internal pure returns (bool) {
        return value < ORDER;
    }
}
