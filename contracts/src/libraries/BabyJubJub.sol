// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Field} from "./Field.sol";

/// @title BabyJubJub public keys
/// @notice The twisted Edwards curve a*x^2 + y^2 = 1 + d*x^2*y^2 over the BN254 scalar
///         field (circomlib's babyjub: a = 168700, d = 168696).
library BabyJubJub {
    uint256 internal constant A = 168700;
    uint256 internal constant D = 168696;

    /// @notice Whether (x, y) is usable as an account key: both coordinates non-zero field
    ///         elements and the point on the curve. Catches mistakes (zero, wrong encoding);
    ///         it does not check that the point is in the prime-order subgroup.
    function isValidKey(uint256 x, uint256 y) internal pure returns (bool) {
        if (x == 0 || y == 0 || !Field.contains(x) || !Field.contains(y)) return false;
        uint256 p = Field.ORDER;
        uint256 x2 = mulmod(x, x, p);
        uint256 y2 = mulmod(y, y, p);
        uint256 lhs = addmod(mulmod(A, x2, p), y2, p);
        uint256 rhs = addmod(1, mulmod(mulmod(D, x2, p), y2, p), p);
        return lhs == rhs;
    }
}
