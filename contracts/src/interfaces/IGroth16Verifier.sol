// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Groth16 verifier of the Matchproof batch circuit
/// @notice The interface of the contract `snarkjs zkey export solidityverifier` generates
///         (contract `Groth16Verifier`) for a circuit with one public signal.
interface IGroth16Verifier {
    /// @notice Checks a Groth16 proof over BN254.
    /// @param _pA The proof's A point (G1).
    /// @param _pB The proof's B point (G2), coordinates in the order snarkjs's Solidity calldata uses.
    /// @param _pC The proof's C point (G1).
    /// @param _pubSignals The public signals: here only the batch's public input hash.
    /// @return True iff the proof is valid for the public signals. It returns false, not a
    ///         revert, for an invalid proof and when the pairing precompile runs out of gas.
    function verifyProof(
        uint256[2] calldata _pA,
        uint256[2][2] calldata _pB,
        uint256[2] calldata _pC,
        uint256[1] calldata _pubSignals
    ) external view returns (bool);
}
