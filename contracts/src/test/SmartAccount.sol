// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A minimal smart account, for devnets and tests
/// @notice Its owner makes it call any contract, as a multisig or an ERC-4337 account would.
///         An operator that submits batches through such an account leaves no `submitBatch`
///         call at the top of its transactions: the rollup's events must carry what users
///         need to exit, and the tests show they do.
contract SmartAccount {
    /// @notice Only the owner may make the account call.
    /// @param caller The address that called.
    error NotOwner(address caller);

    /// @notice The call the account made reverted.
    /// @param reason The revert data, passed on unchanged.
    error CallFailed(bytes reason);

    /// @notice The address that controls the account.
    address public immutable owner;

    /// @param owner_ The address that controls the account.
    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Calls `target` with `data` as this account.
    /// @dev Reverts NotOwner, CallFailed.
    /// @param target The contract to call.
    /// @param data The calldata.
    /// @return result What the call returned.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) revert CallFailed(result);
    }
}
