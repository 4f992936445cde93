// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPoseidon2} from "../interfaces/IPoseidon.sol";
import {IMatchproof} from "../interfaces/IMatchproof.sol";

/// @title The L1 request queue as a hash chain
/// @notice chain[0] = 0 and chain[i + 1] = Poseidon([chain[i], requestHash_i]). A batch
///         consumes requests [processed, processed + count) and proves it by publishing
///         chain[processed] and chain[processed + count]. Every request carries a deadline
///         (a block number): batches must have consumed it by then, or anyone may freeze
///         the rollup.
library L1Queue {
    struct Queue {
        /// @dev Requests ever queued.
        uint256 length;
        /// @dev Requests consumed by verified batches.
        uint256 processed;
        /// @dev chain[i] for 1 <= i <= length; chain[0] is 0.
        mapping(uint256 => uint256) chain;
        /// @dev index => the last block in which a batch may still consume the request.
        mapping(uint256 => uint256) deadline;
    }

    /// @notice Appends a request hash that batches must consume by block `deadline`.
    /// @return index The request's index.
    /// @return chainValue The new chain value, chain[index + 1].
    function push(Queue storage queue, uint256 requestHash, uint256 deadline, IPoseidon2 poseidon2)
        internal
        returns (uint256 index, uint256 chainValue)
    {
        index = queue.length;
        chainValue = poseidon2.poseidon([queue.chain[index], requestHash]);
        queue.chain[index + 1] = chainValue;
        queue.deadline[index] = deadline;
        queue.length = index + 1;
    }

    /// @notice The number of queued requests not yet consumed.
    function pending(Queue storage queue) internal view returns (uint256) {
        return queue.length - queue.processed;
    }

    /// @notice The chain values around the next `count` unconsumed requests.
    /// @dev Reverts TooManyL1Requests when fewer than `count` are pending.
    /// @return start chain[processed].
    /// @return end chain[processed + count].
    function peek(Queue storage queue, uint256 count) internal view returns (uint256 start, uint256 end) {
        uint256 waiting = pending(queue);
        if (count > waiting) revert IMatchproof.TooManyL1Requests(waiting, count);
        uint256 first = queue.processed;
        start = queue.chain[first];
        end = queue.chain[first + count];
    }

    /// @notice Marks the next `count` requests consumed (after peek has checked them).
    function consume(Queue storage queue, uint256 count) internal {
        queue.processed += count;
    }

    /// @notice The oldest request no batch has consumed, and its deadline.
    /// @return pendingAny Whether any request is waiting.
    /// @return index The oldest waiting request's index (processed).
    /// @return deadline Its deadline.
    function oldestPending(Queue storage queue)
        internal
        view
        returns (bool pendingAny, uint256 index, uint256 deadline)
    {
        index = queue.processed;
        pendingAny = index < queue.length;
        deadline = queue.deadline[index];
    }

    /// @notice chain[index].
    /// @dev Reverts L1ChainIndexOutOfRange when index > length.
    function chainAt(Queue storage queue, uint256 index) internal view returns (uint256) {
        if (index > queue.length) revert IMatchproof.L1ChainIndexOutOfRange(index, queue.length);
        return queue.chain[index];
    }
}
