// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPoseidon6} from "../interfaces/IPoseidon.sol";
import {IMatchproof} from "../interfaces/IMatchproof.sol";
import {PublicDataLayout as L} from "./PublicDataLayout.sol";

/// @title A batch's public data and its public input hash
/// @notice Each transaction slot publishes SLOT_BYTES bytes laid out as PublicDataLayout (generated
///         from the manifest sequencer/spec/public_data_layout.json). The batch's digest is the low
///         DIGEST_BITS bits of sha256 over all its slots' bytes: one precompile call per batch, so a
///         slot costs its calldata and a few gas of hashing, not a hash call of its own.
library PublicData {
    /// @dev Keeps the low DIGEST_BITS bits of a sha256 digest, which makes it a field element.
    uint256 internal constant DIGEST_MASK = (1 << L.DIGEST_BITS) - 1;

    /// @notice Checks the length: SLOT_BYTES per transaction slot.
    /// @dev Reverts InvalidPublicDataLength.
    function check(bytes calldata publicData, uint256 nTx) internal pure {
        uint256 expected = L.SLOT_BYTES * nTx;
        if (publicData.length != expected) revert IMatchproof.InvalidPublicDataLength(expected, publicData.length);
    }

    /// @notice The batch's data digest: sha256 of the public data, cut to its low DIGEST_BITS bits.
    function digest(bytes calldata publicData) internal pure returns (uint256) {
        return uint256(sha256(publicData)) & DIGEST_MASK;
    }

    /// @notice The batch's single public input:
    ///         Poseidon([oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, dataDigest]).
    function publicInputHash(
        IPoseidon6 poseidon6,
        uint256 oldRoot,
        uint256 newRoot,
        uint256 timestamp,
        uint256 l1ChainStart,
        uint256 l1ChainEnd,
        uint256 dataDigest
    ) internal pure returns (uint256) {
        return poseidon6.poseidon([oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, dataDigest]);
    }

    /// @notice A withdrawal slot's payout, if the slot at `slot` is one.
    /// @return isWithdrawal Whether the slot's txType is WITHDRAW or FORCED_WITHDRAW.
    /// @return recipient The slot's ethAddr (the L1 address paid).
    /// @return tokenId The slot's token1.
    /// @return amount The slot's amount1.
    function withdrawalAt(bytes calldata publicData, uint256 slot)
        internal
        pure
        returns (bool isWithdrawal, address recipient, uint256 tokenId, uint256 amount)
    {
        uint256 base = slot * L.SLOT_BYTES;
        uint256 txType = field(publicData, base + L.TX_TYPE_OFFSET, L.TX_TYPE_BYTES);
        if (txType != L.TX_WITHDRAW && txType != L.TX_FORCED_WITHDRAW) return (false, address(0), 0, 0);
        return (
            true,
            address(uint160(field(publicData, base + L.ETH_ADDR_OFFSET, L.ETH_ADDR_BYTES))),
            field(publicData, base + L.TOKEN_1_OFFSET, L.TOKEN_1_BYTES),
            field(publicData, base + L.AMOUNT_1_OFFSET, L.AMOUNT_1_BYTES)
        );
    }

    /// @notice The big-endian unsigned integer of `width` (at most 32) bytes at `offset`.
    function field(bytes calldata data, uint256 offset, uint256 width) internal pure returns (uint256) {
        return uint256(bytes32(data[offset:offset + width])) >> (256 - 8 * width);
    }
}
