// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../interfaces/IMatchproof.sol";
import {IPoseidon2, IPoseidon5, IPoseidon9} from "../interfaces/IPoseidon.sol";
import {Field} from "./Field.sol";
import {PerpExit} from "./PerpExit.sol";

/// @title The way out of perpetual positions in a frozen rollup
/// @notice Within a claim window after the freeze, each account proves its perpetual side and
///         the markets against the last proven state root (its exit proof carries the leaf's
///         perpHash and the root's perpCommitment, which this library recomputes from the
///         values), and its claim (PerpExit.claim) is recorded; after the window, when every
///         claim is known, each is paid (PerpExit.payout). Hashes as in docs/DESIGN.md,
///         "Perpetual futures", "Commitment": a signed value x enters as the field element
///         x mod p; perpHash = Poseidon([collateral, size_0, index_0, ..., size_3, index_3]);
///         a market's hash Poseidon([oraclePrice, oracleTime, fundingIndex, fundingTime,
///         openInterest]); perpCommitment = Poseidon([Poseidon([market_0, ..., market_3,
///         collateralPool]), configHash]), configHash the deployment's perpetual parameters.
library PerpExodus {
    /// @notice Widths of the values a claim computes with (sequencer/spec/perpetual/constants.py):
    ///         a proven state holds no wider ones, so each field element has one signed preimage
    ///         and the claim's arithmetic cannot overflow.
    uint256 internal constant COLLATERAL_BITS = 96;
    uint256 internal constant SIZE_BITS = 40;
    uint256 internal constant PRICE_BITS = 40;
    uint256 internal constant FUNDING_INDEX_BITS = 128;
    uint256 internal constant QUANTUM_BITS = 32;

    /// @notice What a claim is valued with: the markets' quanta and the parameters' hash the
    ///         state root commits to.
    struct Parameters {
        uint256[4] quanta;
        uint256 configHash;
    }

    /// @notice The Poseidon contracts a claim hashes with.
    struct Hashers {
        IPoseidon2 poseidon2;
        IPoseidon5 poseidon5;
        IPoseidon9 poseidon9;
    }

    struct State {
        /// @dev The collateral pool the claims share (every claim proves the same one).
        uint256 pool;
        /// @dev Every trader's claim together (not the insurance fund's).
        uint256 tradersOwed;
        /// @dev The insurance fund's claim.
        uint256 fundClaim;
        /// @dev accountIndex => its claim (0: none recorded).
        mapping(uint256 => uint256) claims;
        /// @dev accountIndex => whether its claim was paid.
        mapping(uint256 => bool) paid;
    }

    /// @notice Records account `accountIndex`'s claim, computed from `side` and `markets`, once
    ///         their hashes are checked against the proof's perpHash and perpCommitment. The
    ///         caller checks the window and the proof itself against the state root.
    /// @dev Reverts AlreadyClaimedPerpetual, PerpValueOutOfRange, ValueNotInField,
    ///      InvalidPerpSide, InvalidPerpCommitment, NoPerpetualClaim.
    function record(
        State storage state,
        uint256 accountIndex,
        bool isFund,
        IMatchproof.ExitProof calldata proof,
        IMatchproof.PerpSide calldata side,
        IMatchproof.PerpMarket[4] calldata markets,
        uint256 collateralPool,
        Parameters memory parameters,
        Hashers memory hashers
    ) internal returns (uint256 claim) {
        if (state.claims[accountIndex] != 0) revert IMatchproof.AlreadyClaimedPerpetual(accountIndex);
        uint256 sideHash = hashSide(side, hashers.poseidon9);
        if (sideHash != proof.perpHash) revert IMatchproof.InvalidPerpSide(sideHash, proof.perpHash);
        uint256 commitment =
            hashers.poseidon2.poseidon([commit(markets, collateralPool, hashers.poseidon5), parameters.configHash]);
        if (commitment != proof.perpCommitment) revert IMatchproof.InvalidPerpCommitment(commitment, proof.perpCommitment);

        PerpExit.Market[4] memory valued;
        for (uint256 i = 0; i < 4; ++i) {
            valued[i] = PerpExit.Market({
                price: int256(markets[i].oraclePrice),
                fundingIndex: markets[i].fundingIndex,
                quantum: int256(parameters.quanta[i])
            });
        }
        claim = PerpExit.claim(PerpExit.Account(side.collateral, side.sizes, side.settledIndex), valued);
        if (claim == 0) revert IMatchproof.NoPerpetualClaim(accountIndex);
        state.claims[accountIndex] = claim;
        state.pool = collateralPool;
        if (isFund) state.fundClaim = claim;
        else state.tradersOwed += claim;
    }

    /// @notice Marks account `accountIndex`'s claim paid and returns what it is paid.
    /// @dev Reverts NoPerpetualClaim, PerpetualClaimAlreadyPaid.
    function pay(State storage state, uint256 accountIndex, bool isFund) internal returns (uint256) {
        uint256 claim = state.claims[accountIndex];
        if (claim == 0) revert IMatchproof.NoPerpetualClaim(accountIndex);
        if (state.paid[accountIndex]) revert IMatchproof.PerpetualClaimAlreadyPaid(accountIndex);
        state.paid[accountIndex] = true;
        return PerpExit.payout(state.pool, state.tradersOwed, claim, isFund);
    }

    /// @notice The leaf's perpHash of `side`.
    /// @dev Reverts PerpValueOutOfRange unless every value is within its width.
    function hashSide(IMatchproof.PerpSide calldata side, IPoseidon9 poseidon9) internal pure returns (uint256) {
        uint256[9] memory inputs;
        inputs[0] = signedField(side.collateral, COLLATERAL_BITS);
        for (uint256 i = 0; i < 4; ++i) {
            inputs[1 + 2 * i] = signedField(side.sizes[i], SIZE_BITS);
            inputs[2 + 2 * i] = signedField(side.settledIndex[i], FUNDING_INDEX_BITS);
        }
        return poseidon9.poseidon(inputs);
    }

    /// @notice The markets' commitment of `markets` and `collateralPool` (hashed with the
    ///         parameters' hash into the state root's perpCommitment).
    /// @dev Reverts PerpValueOutOfRange unless every price is below 2^40, every funding index
    ///      within 2^128 and the pool below 2^96 (the vault holds no more of a token);
    ///      ValueNotInField unless the times and open interests are field elements.
    function commit(IMatchproof.PerpMarket[4] calldata markets, uint256 collateralPool, IPoseidon5 poseidon5)
        internal
        pure
        returns (uint256)
    {
        _requireBelow(collateralPool, COLLATERAL_BITS);
        uint256[5] memory hashes;
        for (uint256 i = 0; i < 4; ++i) {
            IMatchproof.PerpMarket calldata market = markets[i];
            _requireBelow(market.oraclePrice, PRICE_BITS);
            _requireField(market.oracleTime);
            _requireField(market.fundingTime);
            _requireField(market.openInterest);
            hashes[i] = poseidon5.poseidon(
                [
                    market.oraclePrice,
                    market.oracleTime,
                    signedField(market.fundingIndex, FUNDING_INDEX_BITS),
                    market.fundingTime,
                    market.openInterest
                ]
            );
        }
        hashes[4] = collateralPool;
        return poseidon5.poseidon(hashes);
    }

    /// @notice A signed value as the field element that stands for it (x mod p).
    /// @dev Reverts PerpValueOutOfRange unless |value| < 2^bits.
    function signedField(int256 value, uint256 bits) internal pure returns (uint256) {
        uint256 magnitude = value < 0 ? uint256(-(value + 1)) + 1 : uint256(value);
        if (magnitude >> bits != 0) revert IMatchproof.PerpValueOutOfRange(value, bits);
        return value < 0 ? Field.ORDER - magnitude : magnitude;
    }

    function _requireBelow(uint256 value, uint256 bits) private pure {
        if (value >> bits != 0) revert IMatchproof.PerpValueOutOfRange(int256(value), bits);
    }

    function _requireField(uint256 value) private pure {
        if (!Field.contains(value)) revert IMatchproof.ValueNotInField(value);
    }
}
