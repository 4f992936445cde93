// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Groth16 verifier of the Matchproof batch circuit, one proof or several at once
/// @notice The rollup verifies every submission through this interface: one batch is a call
///         with one proof, a bundle of consecutive batches one call with all of their proofs.
interface IGroth16BatchVerifier {
    /// @notice A Groth16 verifying key over BN254 for a circuit with one public input. G1
    ///         points are (x, y); G2 points are ordered as the pairing precompile (EIP-197)
    ///         reads them: x imaginary, x real, y imaginary, y real.
    struct VerifyingKey {
        uint256[2] alpha;
        uint256[4] beta;
        uint256[4] gamma;
        uint256[4] delta;
        /// @dev The input commitment's constant point (IC[0] of snarkjs's key).
        uint256[2] ic0;
        /// @dev The input commitment's point for the one public input (IC[1]).
        uint256[2] ic1;
    }

    /// @notice No proofs, or more than the verifier takes in one call.
    error InvalidProofCount(uint256 count, uint256 max);

    /// @notice The number of public inputs differs from the number of proofs.
    error InputCountMismatch(uint256 proofs, uint256 inputs);

    /// @notice A coordinate of the verifying key given to the constructor is not in the base field.
    error InvalidVerifyingKey();

    /// @notice Checks Groth16 proofs, each of one public input.
    /// @dev Reverts InvalidProofCount, InputCountMismatch.
    /// @param proofs Each proof as [A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y] (B's coordinates
    ///        in the pairing precompile's order, as snarkjs's Solidity calldata gives them).
    /// @param inputs The public input of each proof, in the same order.
    /// @return True iff every proof is valid for its input. False, not a revert, for an invalid
    ///         proof, a point off the curve or an input outside the scalar field.
    function verifyProofs(uint256[8][] calldata proofs, uint256[] calldata inputs) external view returns (bool);

    /// @notice The verifying key this verifier was deployed with: deployment tools compare it
    ///         with the key of the circuit's set-up.
    function verifyingKey() external view returns (VerifyingKey memory);
}
