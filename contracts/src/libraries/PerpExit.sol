// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What an account takes out of perpetuals after a freeze
/// @notice The arithmetic of docs/DESIGN.md "Exit with open positions", as
///         sequencer/spec/perpetual/exit.py computes it: an account's claim is its
///         collateral plus its positions at the last proven oracle prices, the funding
///         unsettled at the last proven indices settled first (rounded down, as every
///         settlement is), and never below zero; the collateral pool pays the traders'
///         claims in full while they fit and the insurance fund what is left (up to its
///         claim), else every trader the same share and the fund nothing.
/// @dev PerpExodus calls it with the values an account proves against the state root.
///      tests/vectors/perpetual_exit.json holds the spec's results, which
///      contracts/test/PerpExit.t.sol checks this library against.
library PerpExit {
    /// @notice Perpetual markets a deployment can configure (PERP_MARKET_BITS = 2).
    uint256 internal constant MARKETS = 4;

    /// @notice A funding rate is this many parts of the price per second (FUNDING_RATE_SCALE).
    int256 internal constant FUNDING_RATE_SCALE = 1e12;

    /// @notice An account's perpetual side: signed collateral, and per market a signed size
    ///         (lots, long above zero) and the funding index it last settled at.
    struct Account {
        int256 collateral;
        int256[MARKETS] sizes;
        int256[MARKETS] settledIndex;
    }

    /// @notice A market as the last proven batch left it: its oracle price (ticks), its
    ///         funding index, and its quantum (collateral units per lot per tick).
    struct Market {
        int256 price;
        int256 fundingIndex;
        int256 quantum;
    }

    /// @notice The account's claim on the collateral pool.
    function claim(Account memory account, Market[MARKETS] memory markets) internal pure returns (uint256) {
        int256 value = account.collateral;
        for (uint256 i = 0; i < MARKETS; ++i) {
            Market memory market = markets[i];
            int256 size = account.sizes[i];
            int256 owed = -size * (market.fundingIndex - account.settledIndex[i]) * market.quantum;
            value += floorDiv(owed, FUNDING_RATE_SCALE) + size * market.price * market.quantum;
        }
        return value > 0 ? uint256(value) : 0;
    }

    /// @notice What one claimant is paid from `pool`, given every trader's claims together
    ///         (`tradersOwed`): its claim while the traders' claims fit (the fund: what is
    ///         left, up to its claim), else its share of the pool, rounded down (the fund:
    ///         nothing).
    function payout(uint256 pool, uint256 tradersOwed, uint256 claimed, bool isFund) internal pure returns (uint256) {
        if (tradersOwed <= pool) {
            if (!isFund) return claimed;
            uint256 left = pool - tradersOwed;
            return claimed < left ? claimed : left;
        }
        return isFund ? 0 : claimed * pool / tradersOwed;
    }

    /// @notice `a / b` rounded toward minus infinity, for `b > 0` (Solidity's `/` rounds toward zero).
    function floorDiv(int256 a, int256 b) internal pure returns (int256 quotient) {
        quotient = a / b;
        if (a % b != 0 && a < 0) quotient -= 1;
    }
}
