// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../interfaces/IMatchproof.sol";
import {PublicDataLayout as L} from "./PublicDataLayout.sol";
import {PerpPublicDataLayout} from "./PerpPublicDataLayout.sol";

/// @title A batch's public data and its public input
/// @notice Each transaction slot publishes SLOT_BYTES bytes laid out as PublicDataLayout (generated
///         from the manifest sequencer/spec/public_data_layout.json). The batch's one public input is
///         the low DIGEST_BITS bits of sha256(header || public data): one precompile call per batch,
///         so a slot costs its calldata and a few gas of hashing, not a hash call of its own.
library PublicData {
    /// @dev Keeps the low DIGEST_BITS bits of a sha256 digest, which makes it a field element.
    uint256 internal constant DIGEST_MASK = (1 << L.DIGEST_BITS) - 1;

    /// @notice Checks the length: SLOT_BYTES per transaction slot, then
    ///         PerpPublicDataLayout.SLOT_BYTES per perpetual slot.
    /// @dev Reverts InvalidPublicDataLength.
    function check(bytes calldata publicData, uint256 nTx, uint256 nPerp) internal pure {
        uint256 expected = L.SLOT_BYTES * nTx + PerpPublicDataLayout.SLOT_BYTES * nPerp;
        if (publicData.length != expected) revert IMatchproof.InvalidPublicDataLength(expected, publicData.length);
    }

    /// @notice The batch's single public input: the low DIGEST_BITS bits of
    ///         sha256(oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, publicData), the header
    ///         values big-endian in 32, 32, 8, 32 and 32 bytes (PublicDataLayout.HEADER_*; the
    ///         shared vectors check that abi.encodePacked lays them out so).
    function publicInputHash(
        uint256 oldRoot,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1ChainStart,
        uint256 l1ChainEnd,
        bytes calldata publicData
    ) internal pure returns (uint256) {
        return uint256(sha256(abi.encodePacked(oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, publicData)))
            & DIGEST_MASK;
    }

    /// @notice A withdrawal slot's payout, if the slot at `slot` is one.
    /// @return isWithdrawal Whether the slot's txType is WITHDRAW or FORCED_WITHDRAW.
    /// @return accountIndex The slot's accountA (its registered L1 address is paid).
    /// @return tokenId The slot's token1.
    /// @return amount The slot's amount.
    function withdrawalAt(bytes calldata publicData, uint256 slot)
        internal
        pure
        returns (bool isWithdrawal, uint256 accountIndex, uint256 tokenId, uint256 amount)
    {
        uint256 base = 8 * slot * L.SLOT_BYTES;
        uint256 txType = field(publicData, base + L.TX_TYPE_OFFSET, L.TX_TYPE_BITS);
        if (txType != L.TX_WITHDRAW && txType != L.TX_FORCED_WITHDRAW) return (false, 0, 0, 0);
        return (
            true,
            field(publicData, base + L.ACCOUNT_A_OFFSET, L.ACCOUNT_A_BITS),
            field(publicData, base + L.TOKEN_1_OFFSET, L.TOKEN_1_BITS),
            field(publicData, base + L.AMOUNT_OFFSET, L.AMOUNT_BITS)
        );
    }

    /// @notice The unsigned integer of `bits` bits whose most significant bit is bit `bitOffset` of
    ///         `data` (bit 0 is the first byte's most significant bit), read with one calldataload:
    ///         `bitOffset % 8 + bits` must be at most 256 (every manifest field is at most 96 bits).
    /// @dev Reverts InvalidPublicDataLength if the field runs past the end of `data`.
    function field(bytes calldata data, uint256 bitOffset, uint256 bits) internal pure returns (uint256 value) {
        uint256 end = (bitOffset + bits + 7) >> 3;
        if (end > data.length) revert IMatchproof.InvalidPublicDataLength(end, data.length);
        assembly ("memory-safe") {
            // The 32 bytes from the field's first byte; bits past the field are shifted out.
            let word := calldataload(add(data.offset, shr(3, bitOffset)))
            value := shr(sub(256, bits), shl(and(bitOffset, 7), word))
        }
    }
}
