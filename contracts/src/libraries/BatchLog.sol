// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../interfaces/IMatchproof.sol";
import {Field} from "./Field.sol";

/// @title The chain of verified batches
/// @notice Keeps the current state root, the last batch's number and its timestamp: three
///         slots, rewritten by every batch. What each batch was (its public input and data) is
///         in its BatchVerified event, not in storage: a stored hash per batch would cost 22,100
///         gas each, more than the calldata of its trades.
library BatchLog {
    struct Log {
        /// @dev The state root after the last verified batch (the genesis root before).
        uint256 stateRoot;
        /// @dev The last verified batch's number; 0 before the first batch.
        uint256 lastBatch;
        /// @dev The last verified batch's timestamp; 0 before the first batch.
        uint64 lastTimestamp;
    }

    /// @notice Checks a submission's header against the log and the current block.
    /// @dev Reverts BatchOutOfOrder, TimestampBeforeLastBatch, TimestampInFuture, TimestampTooOld,
    ///      ValueNotInField.
    function checkHeader(Log storage log, uint256 batchNumber, uint256 newRoot, uint64 timestamp, uint256 maxLag)
        internal
        view
    {
        uint256 expected = log.lastBatch + 1;
        if (batchNumber != expected) revert IMatchproof.BatchOutOfOrder(expected, batchNumber);
        if (timestamp < log.lastTimestamp) revert IMatchproof.TimestampBeforeLastBatch(log.lastTimestamp, timestamp);
        // The batch's clock may lag the chain's, by at most maxLag: order expiry is checked
        // against it, so an order can fill no later than its expiry + maxLag in L1 time.
        // forge-lint: disable-next-line(block-timestamp)
        if (timestamp > block.timestamp) revert IMatchproof.TimestampInFuture(block.timestamp, timestamp);
        // forge-lint: disable-next-line(block-timestamp)
        if (uint256(timestamp) + maxLag < block.timestamp) {
            revert IMatchproof.TimestampTooOld(block.timestamp, timestamp, maxLag);
        }
        if (!Field.contains(newRoot)) revert IMatchproof.ValueNotInField(newRoot);
    }

    /// @notice Appends a verified batch.
    function append(Log storage log, uint256 batchNumber, uint256 newRoot, uint64 timestamp) internal {
        log.stateRoot = newRoot;
        log.lastBatch = batchNumber;
        log.lastTimestamp = timestamp;
    }
}
