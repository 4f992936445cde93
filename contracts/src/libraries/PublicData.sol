// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPoseidon4, IPoseidon6} from "../interfaces/IPoseidon.sol";
import {IMatchproof} from "../interfaces/IMatchproof.sol";
import {Field} from "./Field.sol";

/// @title A batch's public data and its public input hash
/// @notice Each transaction slot publishes three field elements (e0, e1, e2), bit layout in
///         docs/DESIGN.md. dataHash = 0, then per slot dataHash = Poseidon([dataHash, e0, e1, e2]).
library PublicData {
    uint256 internal constant ELEMENTS_PER_SLOT = 3;

    /// @notice txType of an L2 withdrawal slot.
    uint256 internal constant TX_WITHDRAW = 3;

    /// @notice txType of a forced withdrawal slot (same layout as an L2 withdrawal).
    uint256 internal constant TX_FORCED_WITHDRAW = 4;

    uint256 internal constant TX_TYPE_MASK = (1 << 3) - 1; // e0 bits 0..2
    uint256 internal constant TOKEN1_SHIFT = 164; // e0 bits 164..179
    uint256 internal constant TOKEN_MASK = (1 << 16) - 1;
    uint256 internal constant AMOUNT_MASK = (1 << 96) - 1; // e1 bits 0..95: amount1

    /// @notice Checks the length (3 * nTx) and that every element is a field element.
    /// @dev Reverts InvalidSlotDataLength, SlotElementNotInField.
    function check(uint256[] calldata slotData, uint256 nTx) internal pure {
        uint256 expected = ELEMENTS_PER_SLOT * nTx;
        if (slotData.length != expected) revert IMatchproof.InvalidSlotDataLength(expected, slotData.length);
        for (uint256 i = 0; i < expected; ++i) {
            uint256 value = slotData[i];
            if (!Field.contains(value)) revert IMatchproof.SlotElementNotInField(i, value);
        }
    }

    /// @notice The fold of Poseidon4 over the slots.
    function dataHash(uint256[] calldata slotData, IPoseidon4 poseidon4) internal pure returns (uint256 acc) {
        for (uint256 i = 0; i < slotData.length; i += ELEMENTS_PER_SLOT) {
            acc = poseidon4.poseidon([acc, slotData[i], slotData[i + 1], slotData[i + 2]]);
        }
    }

    /// @notice The batch's single public input:
    ///         Poseidon([oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, dataHash]).
    function publicInputHash(
        IPoseidon6 poseidon6,
        uint256 oldRoot,
        uint256 newRoot,
        uint256 timestamp,
        uint256 l1ChainStart,
        uint256 l1ChainEnd,
        uint256 slotsHash
    ) internal pure returns (uint256) {
        return poseidon6.poseidon([oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, slotsHash]);
    }

    /// @notice A withdrawal slot's payout, if the slot at `slot` is one.
    /// @return isWithdrawal Whether the slot's txType is WITHDRAW or FORCED_WITHDRAW.
    /// @return recipient e2 as an address (the account's ethAddr).
    /// @return tokenId token1 (e0 bits 164..179).
    /// @return amount amount1 (e1 bits 0..95).
    function withdrawalAt(uint256[] calldata slotData, uint256 slot)
        internal
        pure
        returns (bool isWithdrawal, address recipient, uint256 tokenId, uint256 amount)
    {
        uint256 base = slot * ELEMENTS_PER_SLOT;
        uint256 e0 = slotData[base];
        uint256 txType = e0 & TX_TYPE_MASK;
        if (txType != TX_WITHDRAW && txType != TX_FORCED_WITHDRAW) return (false, address(0), 0, 0);
        return (
            true,
            address(uint160(slotData[base + 2])),
            (e0 >> TOKEN1_SHIFT) & TOKEN_MASK,
            slotData[base + 1] & AMOUNT_MASK
        );
    }
}
