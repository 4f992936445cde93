// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";

/// @title Minimal test base: cheatcodes, assertions, bounded fuzz inputs
/// @notice A failing assertion reverts, which forge reports as a failed test.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string what, uint256 left, uint256 right);
    error AddressAssertionFailed(string what, address left, address right);
    error DeploymentFailed(string what);

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, left, right);
    }

    function assertEq(address left, address right, string memory what) internal pure {
        if (left != right) revert AddressAssertionFailed(what, left, right);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what, 0, 1);
    }

    function assertFalse(bool condition, string memory what) internal pure {
        if (condition) revert AssertionFailed(what, 1, 0);
    }

    /// @notice Maps any `x` into [min, max] (both inclusive) without discarding fuzz runs.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) revert AssertionFailed("bound: min > max", min, max);
        if (min == 0 && max == type(uint256).max) return x;
        return min + (x % (max - min + 1));
    }

    /// @notice Deploys creation bytecode with CREATE.
    function deployCode(bytes memory creationCode, string memory what) internal returns (address deployed) {
        assembly ("memory-safe") {
            deployed := create(0, add(creationCode, 0x20), mload(creationCode))
        }
        if (deployed == address(0)) revert DeploymentFailed(what);
    }

    /// @notice Deploys the generated Poseidon contract for `n` inputs from `json` (the text of
    ///         build/contracts/poseidon.json): the data contracts holding its constants first,
    ///         then the hash contract with their addresses as its constructor's arguments.
    function deployPoseidon(string memory json, uint256 n) internal returns (address) {
        string memory key = string.concat(".poseidon", vm.toString(n));
        bytes memory creationCode = vm.parseJsonBytes(json, string.concat(key, ".bytecode"));
        bytes[] memory constants = vm.parseJsonBytesArray(json, string.concat(key, ".constants"));
        for (uint256 i = 0; i < constants.length; ++i) {
            creationCode = bytes.concat(creationCode, abi.encode(deployCode(constants[i], "Poseidon constants")));
        }
        return deployCode(creationCode, key);
    }
}
