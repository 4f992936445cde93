// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BENCHMARK HARNESS ONLY: a "verifier" that accepts every proof
/// @notice Never deploy this next to anything of value, and never use it in tests of the
///         product: it makes the rollup accept any batch. `bench/` deploys the rollup with it
///         only to measure what `submitBatch` costs besides the pairing check (calldata,
///         Poseidon hashing of the public data, storage) at batch sizes that have no circuit
///         yet. The pairing check's cost does not depend on the batch size (one public input)
///         and is measured separately with the real verifier; the results label every figure
///         derived this way as an estimate.
contract AcceptAllVerifier {
    /// @notice Same signature as snarkjs's Groth16Verifier; returns true whatever it is given.
    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[1] calldata)
        external
        pure
        returns (bool)
    {
        return true;
    }
}
