// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPoseidon7} from "../interfaces/IPoseidon.sol";

/// @title L1 requests: the transactions users send through the rollup contract
/// @notice A request is hashed as Poseidon([txType, accountIndex, ethAddr, ax, ay, tokenId,
///         amount]) (docs/DESIGN.md). The type comes first, so that every request type
///         shares the one record and queue: a forced withdrawal has no key and no amount
///         (zeros), a forced cancel-all carries its minOrderId as the amount.
library L1Requests {
    /// @notice txType of a deposit.
    uint8 internal constant DEPOSIT = 1;

    /// @notice txType of a forced withdrawal of an account's whole balance of a token.
    uint8 internal constant FORCED_WITHDRAW = 4;

    /// @notice txType of a forced cancel-all of an account's orders below an id.
    uint8 internal constant FORCED_CANCEL_ALL = 5;

    /// @notice One L1 request, every field it hashes.
    struct Request {
        uint8 txType;
        uint32 accountIndex;
        address ethAddr;
        uint256 ax;
        uint256 ay;
        uint16 tokenId;
        uint96 amount;
    }

    /// @notice The request's hash, Poseidon7 over its fields in declaration order.
    function hash(Request memory request, IPoseidon7 poseidon7) internal pure returns (uint256) {
        return poseidon7.poseidon(
            [
                uint256(request.txType),
                uint256(request.accountIndex),
                uint256(uint160(request.ethAddr)),
                request.ax,
                request.ay,
                uint256(request.tokenId),
                uint256(request.amount)
            ]
        );
    }
}
