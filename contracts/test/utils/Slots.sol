// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PublicDataLayout as L} from "../../src/libraries/PublicDataLayout.sol";

/// @title Builds a batch's public data in tests, field by field, as the spec lays it out
library Slots {
    /// @notice The public data of `nTx` noop slots (all zero).
    function empty(uint256 nTx) internal pure returns (bytes memory) {
        return new bytes(nTx * L.SLOT_BYTES);
    }

    /// @notice Writes `value` big-endian into the `width` bytes at `offset` of slot `slot`.
    function put(bytes memory data, uint256 slot, uint256 offset, uint256 width, uint256 value) internal pure {
        require(width == 32 || value < (uint256(1) << (8 * width)), "Slots: value does not fit");
        uint256 start = slot * L.SLOT_BYTES + offset;
        for (uint256 i = 0; i < width; ++i) {
            data[start + width - 1 - i] = bytes1(uint8(value >> (8 * i)));
        }
    }

    /// @notice Writes a DEPOSIT or FORCED_CANCEL_ALL slot (txType and accountA).
    function request(bytes memory data, uint256 slot, uint256 txType, uint256 account) internal pure {
        put(data, slot, L.TX_TYPE_OFFSET, L.TX_TYPE_BYTES, txType);
        put(data, slot, L.ACCOUNT_A_OFFSET, L.ACCOUNT_A_BYTES, account);
    }

    /// @notice Writes a WITHDRAW or FORCED_WITHDRAW slot (paid to the account's registered address).
    function withdrawal(bytes memory data, uint256 slot, uint256 txType, uint256 account, uint256 token, uint256 amount)
        internal
        pure
    {
        request(data, slot, txType, account);
        put(data, slot, L.TOKEN_1_OFFSET, L.TOKEN_1_BYTES, token);
        put(data, slot, L.AMOUNT_OFFSET, L.AMOUNT_BYTES, amount);
    }
}
