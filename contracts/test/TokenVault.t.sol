// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../src/interfaces/IMatchproof.sol";
import {TestToken} from "../src/test/TestToken.sol";
import {TestBase} from "./utils/TestBase.sol";
import {VaultHarness} from "./harness/VaultHarness.sol";

/// @title The deposit cap counts what the rollup owes, not what was ever deposited
contract TokenVaultTest is TestBase {
    uint256 internal constant CAP = 1 << 96;
    address internal constant ALICE = address(0xA11CE);

    TestToken internal token;
    VaultHarness internal vault;

    function setUp() public {
        token = new TestToken("Token", "T", 18);
        address[] memory list = new address[](1);
        list[0] = address(token);
        vault = new VaultHarness(list);
        token.mint(ALICE, 3 * CAP);
        vm.prank(ALICE);
        token.approve(address(vault), type(uint256).max);
    }

    function test_pull_capsWhatIsOwedAndPayoutsMakeRoom() public {
        vault.pull(0, ALICE, CAP - 1);
        vm.expectRevert(abi.encodeWithSelector(IMatchproof.DepositCapExceeded.selector, 0, CAP - 1, 1));
        vault.pull(0, ALICE, 1);
        vault.send(0, ALICE, 1000); // an exit or a refund
        vault.credit(ALICE, 0, 500);
        vault.payOut(ALICE, 0); // a claim
        assertEq(vault.outstanding(0), CAP - 1 - 1500, "owed");
        vault.pull(0, ALICE, 1500); // deposits again, though 2^96 + 1499 went in all told
        assertEq(vault.outstanding(0), CAP - 1, "owed after");
    }

    function test_pull_fuzzOwedEqualsHeld(uint96 first, uint96 out, uint96 second) public {
        vm.assume(first > 0 && second > 0);
        vault.pull(0, ALICE, first);
        uint256 paid = uint256(out) % (uint256(first) + 1);
        vault.send(0, ALICE, paid);
        if (uint256(first) - paid + second < CAP) {
            vault.pull(0, ALICE, second);
        }
        assertEq(vault.outstanding(0), token.balanceOf(address(vault)), "owed = held");
    }
}
