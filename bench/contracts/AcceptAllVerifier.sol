// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BENCHMARK HARNESS ONLY: a "verifier" that accepts every proof
/// @notice Never deploy this next to anything of value, and never use it in tests of the
///         product: it makes the rollup accept any batch. `bench/` deploys the rollup with it
///         only to measure what `submitBatch` and `submitBatches` cost besides the pairing
///         check (calldata, sha256 of the public data, storage) at batch sizes that have no
///         circuit yet. The pairing check's cost depends only on the number of proofs, not on
///         the batch size (one public input each), and is measured separately with the real
///         verifier; the results label every figure derived this way as an estimate.
contract AcceptAllVerifier {
    /// @notice Same signature as Groth16BatchVerifier's; returns true whatever it is given.
    function verifyProofs(uint256[8][] calldata, uint256[] calldata) external pure returns (bool) {
        return true;
    }
}
