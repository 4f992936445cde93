// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TokenVault} from "../../src/libraries/TokenVault.sol";

/// @title TokenVault's functions behind external calls, for its unit tests
contract VaultHarness {
    using TokenVault for TokenVault.Vault;

    TokenVault.Vault internal _vault;

    constructor(address[] memory tokenList) {
        _vault.initialize(tokenList, 4);
    }

    function pull(uint16 tokenId, address from, uint256 amount) external returns (uint96) {
        return _vault.pull(tokenId, from, amount);
    }

    function send(uint256 tokenId, address to, uint256 amount) external {
        _vault.send(tokenId, to, amount);
    }

    function credit(address owner, uint256 tokenId, uint256 amount) external {
        _vault.credit(owner, tokenId, amount);
    }

    function payOut(address owner, uint16 tokenId) external returns (uint256) {
        return _vault.payOut(owner, tokenId);
    }

    function outstanding(uint256 tokenId) external view returns (uint256) {
        return _vault.outstanding[tokenId];
    }
}
