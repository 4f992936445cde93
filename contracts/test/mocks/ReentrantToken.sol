// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IMatchproof} from "../../src/interfaces/IMatchproof.sol";

/// @title A token whose transferFrom calls back into the rollup's deposit
/// @notice Tests the reentrancy guard.
contract ReentrantToken is ERC20 {
    IMatchproof public target;
    uint256 public keyX;
    uint256 public keyY;

    constructor() ERC20("Reentrant", "RE") {}

    function arm(IMatchproof target_, uint256 keyX_, uint256 keyY_) external {
        target = target_;
        keyX = keyX_;
        keyY = keyY_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (address(target) != address(0)) target.deposit(0, 1, keyX, keyY);
        return super.transferFrom(from, to, value);
    }
}
