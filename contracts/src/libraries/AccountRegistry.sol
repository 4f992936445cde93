// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../interfaces/IMatchproof.sol";

/// @title L1 addresses and their account indices
/// @notice Account indices are handed out in order, one per L1 address, up to the account
///         tree's capacity. An account's L2 existence (ethAddr != 0) follows from its first
///         deposit request; this registry is the L1 side of that assignment, and names the
///         address a withdrawal from the account pays (its public data holds only the index).
library AccountRegistry {
    struct Registry {
        /// @dev Accounts registered; the next index.
        uint256 count;
        /// @dev index + 1 of an address's account; 0 when it has none.
        mapping(address => uint256) indexPlusOne;
        /// @dev The address of each registered account; address(0) past the last.
        mapping(uint256 => address) owners;
    }

    /// @notice Gives `owner` the next account index.
    /// @dev The caller checks that `owner` has none yet. Reverts AccountTreeFull.
    function register(Registry storage registry, address owner, uint256 capacity) internal returns (uint32 index) {
        uint256 next = registry.count;
        if (next >= capacity) revert IMatchproof.AccountTreeFull(capacity);
        registry.count = next + 1;
        registry.indexPlusOne[owner] = next + 1;
        registry.owners[next] = owner;
        // forge-lint: disable-next-line(unsafe-typecast)
        index = uint32(next); // next < capacity <= 2^32 (accountDepth <= 32)
    }

    /// @notice The L1 address of account `index`; address(0) if no address has it.
    function ownerOf(Registry storage registry, uint256 index) internal view returns (address) {
        return registry.owners[index];
    }

    /// @notice The account of `owner`, if any.
    function find(Registry storage registry, address owner) internal view returns (bool registered, uint32 index) {
        uint256 stored = registry.indexPlusOne[owner];
        if (stored == 0) return (false, 0);
        // forge-lint: disable-next-line(unsafe-typecast)
        return (true, uint32(stored - 1)); // stored - 1 < capacity <= 2^32
    }
}
