// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PublicData} from "../../src/libraries/PublicData.sol";

/// @title PublicData's functions behind external calls, so tests pass them calldata
contract PublicDataHarness {
    function publicInputHash(
        uint256 oldRoot,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1ChainStart,
        uint256 l1ChainEnd,
        bytes calldata publicData
    ) external pure returns (uint256) {
        return PublicData.publicInputHash(oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, publicData);
    }

    function withdrawalAt(bytes calldata publicData, uint256 slot)
        external
        pure
        returns (bool isWithdrawal, uint256 accountIndex, uint256 tokenId, uint256 amount)
    {
        return PublicData.withdrawalAt(publicData, slot);
    }

    function field(bytes calldata data, uint256 bitOffset, uint256 bits) external pure returns (uint256) {
        return PublicData.field(data, bitOffset, bits);
    }

    function check(bytes calldata publicData, uint256 nTx, uint256 nPerp) external pure {
        PublicData.check(publicData, nTx, nPerp);
    }
}
