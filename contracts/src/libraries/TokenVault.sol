// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMatchproof} from "../interfaces/IMatchproof.sol";

/// @title The tokens the rollup holds: deposits in; proven withdrawals, exits and refunds out
/// @notice Token id = index in the token list. What the rollup owes of a token (deposited
///         less paid out: the L2 balances, the claims and the deposits not yet consumed)
///         stays below 2^96, so no L2 balance can overflow 96 bits; tokens that leave make
///         room for new deposits.
library TokenVault {
    using SafeERC20 for IERC20;

    /// @notice Exclusive cap on what the rollup owes of a token: 2^96.
    uint256 internal constant DEPOSIT_CAP = 1 << 96;

    struct Vault {
        /// @dev The registered tokens; the id is the index.
        IERC20[] tokens;
        /// @dev tokenId => total ever deposited.
        mapping(uint256 => uint256) totalDeposited;
        /// @dev tokenId => deposited less paid out (claims, exits, refunds): what is owed.
        mapping(uint256 => uint256) outstanding;
        /// @dev owner => tokenId => amount a verified withdrawal made claimable.
        mapping(address => mapping(uint256 => uint256)) claimable;
    }

    /// @notice Registers the token list (constructor only).
    /// @dev Reverts InvalidTokenCount, InvalidToken (zero, no code, duplicate).
    function initialize(Vault storage vault, address[] memory tokenList, uint256 maxTokens) internal {
        if (tokenList.length == 0 || tokenList.length > maxTokens) {
            revert IMatchproof.InvalidTokenCount(tokenList.length, maxTokens);
        }
        for (uint256 i = 0; i < tokenList.length; ++i) {
            address tokenAddress = tokenList[i];
            if (tokenAddress.code.length == 0) revert IMatchproof.InvalidToken(i, tokenAddress);
            for (uint256 j = 0; j < i; ++j) {
                if (tokenList[j] == tokenAddress) revert IMatchproof.InvalidToken(i, tokenAddress);
            }
            vault.tokens.push(IERC20(tokenAddress));
        }
    }

    /// @notice The token with id `tokenId`.
    /// @dev Reverts UnknownToken.
    function token(Vault storage vault, uint256 tokenId) internal view returns (IERC20) {
        uint256 count = vault.tokens.length;
        if (tokenId >= count) revert IMatchproof.UnknownToken(tokenId, count);
        return vault.tokens[tokenId];
    }

    /// @notice Pulls `amount` of a token from `from` and books what actually arrived.
    /// @dev The caller guards against reentrancy. Reverts UnknownToken, ZeroDeposit,
    ///      DepositCapExceeded.
    /// @return received The balance increase of the vault.
    function pull(Vault storage vault, uint16 tokenId, address from, uint256 amount)
        internal
        returns (uint96 received)
    {
        IERC20 erc20 = token(vault, tokenId);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(from, address(this), amount);
        uint256 arrived = erc20.balanceOf(address(this)) - before;
        if (arrived == 0) revert IMatchproof.ZeroDeposit(tokenId);
        uint256 owed = vault.outstanding[tokenId];
        if (arrived >= DEPOSIT_CAP - owed) revert IMatchproof.DepositCapExceeded(tokenId, owed, arrived);
        vault.outstanding[tokenId] = owed + arrived;
        vault.totalDeposited[tokenId] += arrived;
        // forge-lint: disable-next-line(unsafe-typecast)
        received = uint96(arrived); // arrived < DEPOSIT_CAP - owed <= 2^96
    }

    /// @notice Makes `amount` of a token claimable by `owner`.
    function credit(Vault storage vault, address owner, uint256 tokenId, uint256 amount) internal {
        vault.claimable[owner][tokenId] += amount;
    }

    /// @notice Sends `amount` of a token to `to` (exits and refunds, booked by the caller).
    /// @dev The caller guards against reentrancy. Reverts UnknownToken.
    function send(Vault storage vault, uint256 tokenId, address to, uint256 amount) internal {
        IERC20 erc20 = token(vault, tokenId);
        vault.outstanding[tokenId] -= amount;
        erc20.safeTransfer(to, amount);
    }

    /// @notice Pays `owner` all it can claim of a token, zeroing the claim first.
    /// @dev The caller guards against reentrancy. Reverts UnknownToken, NothingToClaim.
    function payOut(Vault storage vault, address owner, uint16 tokenId) internal returns (uint256 amount) {
        IERC20 erc20 = token(vault, tokenId);
        amount = vault.claimable[owner][tokenId];
        if (amount == 0) revert IMatchproof.NothingToClaim(owner, tokenId);
        vault.claimable[owner][tokenId] = 0;
        vault.outstanding[tokenId] -= amount;
        erc20.safeTransfer(owner, amount);
    }
}
