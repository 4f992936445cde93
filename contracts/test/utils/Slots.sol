// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PublicDataLayout as L} from "../../src/libraries/PublicDataLayout.sol";

/// @title Builds a batch's public data in tests, field by field, as the spec lays it out
library Slots {
    /// @notice The public data of `nTx` noop slots (all zero).
    function empty(uint256 nTx) internal pure returns (bytes memory) {
        return new bytes(nTx * L.SLOT_BYTES);
    }

    /// @notice Writes `value` into the `bits` bits of slot `slot` whose most significant is bit
    ///         `bitOffset` of the slot (bit 0: the slot's first byte's most significant bit).
    function put(bytes memory data, uint256 slot, uint256 bitOffset, uint256 bits, uint256 value) internal pure {
        require(bits < 256 && value < (uint256(1) << bits), "Slots: value does not fit");
        uint256 start = 8 * slot * L.SLOT_BYTES + bitOffset;
        for (uint256 i = 0; i < bits; ++i) {
            uint256 at = start + i;
            uint8 mask = uint8(0x80) >> (at % 8);
            uint8 cleared = uint8(data[at / 8]) & ~mask;
            data[at / 8] = bytes1(((value >> (bits - 1 - i)) & 1) == 1 ? cleared | mask : cleared);
        }
    }

    /// @notice Writes a DEPOSIT or FORCED_CANCEL_ALL slot (txType and accountA).
    function request(bytes memory data, uint256 slot, uint256 txType, uint256 account) internal pure {
        put(data, slot, L.TX_TYPE_OFFSET, L.TX_TYPE_BITS, txType);
        put(data, slot, L.ACCOUNT_A_OFFSET, L.ACCOUNT_A_BITS, account);
    }

    /// @notice Writes a WITHDRAW or FORCED_WITHDRAW slot (paid to the account's registered address).
    function withdrawal(bytes memory data, uint256 slot, uint256 txType, uint256 account, uint256 token, uint256 amount)
        internal
        pure
    {
        request(data, slot, txType, account);
        put(data, slot, L.TOKEN_1_OFFSET, L.TOKEN_1_BITS, token);
        put(data, slot, L.AMOUNT_OFFSET, L.AMOUNT_BITS, amount);
    }
}
