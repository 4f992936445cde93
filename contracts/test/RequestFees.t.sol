// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Matchproof} from "../src/Matchproof.sol";
import {IMatchproof} from "../src/interfaces/IMatchproof.sol";
import {RollupFixture} from "./utils/RollupFixture.sol";

/// @notice Users' L1 requests are priced and rate-bounded: every deposit, forced withdrawal
///         and forced cancel-all pays the request fee, the deposit that registers an account
///         pays the registration fee on top, at most maxRequestsPerBlock of them fit in a
///         block, and only the submitter takes the fees.
contract RequestFeesTest is RollupFixture {
    uint256 internal constant REQUEST_FEE = 0.0001 ether;
    uint256 internal constant REGISTRATION_FEE = 0.001 ether;
    uint256 internal constant PER_BLOCK = 2;

    Matchproof internal priced;

    function setUp() public override {
        super.setUp();
        IMatchproof.Config memory config = _config(ACCOUNT_DEPTH);
        config.requestFee = REQUEST_FEE;
        config.registrationFee = REGISTRATION_FEE;
        config.maxRequestsPerBlock = PER_BLOCK;
        priced = _deployWith(config);
        for (uint160 i = 1; i <= 4; ++i) {
            address user = address(0x1000 + i);
            vm.deal(user, 1 ether);
            tokenA.mint(user, 1000);
            vm.prank(user);
            tokenA.approve(address(priced), type(uint256).max);
        }
        vm.deal(INSURANCE_FUND, 1 ether);
        tokenA.mint(INSURANCE_FUND, 1000);
        vm.prank(INSURANCE_FUND);
        tokenA.approve(address(priced), type(uint256).max);
        vm.deal(ALICE, 1 ether);
        vm.prank(ALICE);
        tokenA.approve(address(priced), type(uint256).max); // the fixture funded Alice
    }

    function test_views_reportTheConfiguration() public view {
        assertEq(priced.requestFee(), REQUEST_FEE, "request fee");
        assertEq(priced.registrationFee(), REGISTRATION_FEE, "registration fee");
        assertEq(priced.maxRequestsPerBlock(), PER_BLOCK, "per block");
        assertEq(priced.collectedFees(), 0, "nothing collected at deployment");
    }

    function test_firstDeposit_paysBothFees_laterOnesTheRequestFee() public {
        _registerAlice();
        vm.prank(ALICE);
        priced.deposit{value: REQUEST_FEE}(0, 100, 0, 0);
        assertEq(priced.collectedFees(), 2 * REQUEST_FEE + REGISTRATION_FEE, "collected");
        assertEq(address(priced).balance, 2 * REQUEST_FEE + REGISTRATION_FEE, "held in ether");
    }

    function test_deposit_revertsOnAnyOtherValue() public {
        uint256 due = REQUEST_FEE + REGISTRATION_FEE;
        uint256[3] memory wrong = [uint256(0), REQUEST_FEE, due + 1];
        for (uint256 i = 0; i < wrong.length; ++i) {
            vm.prank(ALICE);
            _expectRevert(abi.encodeWithSelector(IMatchproof.WrongFee.selector, due, wrong[i]));
            priced.deposit{value: wrong[i]}(0, 100, ALICE_AX, ALICE_AY);
        }
        vm.prank(ALICE);
        priced.deposit{value: due}(0, 100, ALICE_AX, ALICE_AY);
        vm.roll(block.number + 1);
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.WrongFee.selector, REQUEST_FEE, due));
        priced.deposit{value: due}(0, 100, 0, 0); // registered: the registration fee is not due again
        assertEq(priced.l1RequestCount(), 2, "only the paid deposit queued");
    }

    function test_forcedRequests_payTheRequestFee() public {
        _registerAlice();
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.WrongFee.selector, REQUEST_FEE, 0));
        priced.requestForcedWithdrawal(0);
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.WrongFee.selector, REQUEST_FEE, 0));
        priced.requestForcedCancelAll(7);
        vm.prank(ALICE);
        priced.requestForcedWithdrawal{value: REQUEST_FEE}(0);
        vm.prank(ALICE);
        priced.requestForcedCancelAll{value: REQUEST_FEE}(7);
        assertEq(priced.collectedFees(), 3 * REQUEST_FEE + REGISTRATION_FEE, "collected");
        assertEq(priced.l1RequestCount(), 4, "operator, deposit, two forced requests");
    }

    function test_requests_areBoundedPerBlock() public {
        uint256 due = REQUEST_FEE + REGISTRATION_FEE;
        for (uint160 i = 1; i <= PER_BLOCK; ++i) {
            vm.prank(address(0x1000 + i));
            priced.deposit{value: due}(0, 1, ALICE_AX, ALICE_AY);
        }
        address late = INSURANCE_FUND; // the next account, 3, is the fund's own
        vm.prank(late);
        _expectRevert(abi.encodeWithSelector(IMatchproof.RequestRateExceeded.selector, block.number, PER_BLOCK));
        priced.deposit{value: due}(0, 1, ALICE_AX, ALICE_AY);
        vm.prank(address(0x1001));
        _expectRevert(abi.encodeWithSelector(IMatchproof.RequestRateExceeded.selector, block.number, PER_BLOCK));
        priced.requestForcedWithdrawal{value: REQUEST_FEE}(0); // forced requests count too
        vm.roll(block.number + 1);
        vm.prank(late);
        priced.deposit{value: due}(0, 1, ALICE_AX, ALICE_AY);
        assertEq(priced.l1RequestCount(), 1 + PER_BLOCK + 1, "the next block takes requests again");
    }

    function test_claimFees_paysTheSubmitterOnce() public {
        _registerAlice();
        address treasury = address(0x7EA);
        vm.prank(OPERATOR);
        vm.expectEmit(true, false, false, true, address(priced));
        emit IMatchproof.FeesClaimed(treasury, REQUEST_FEE + REGISTRATION_FEE);
        assertEq(priced.claimFees(treasury), REQUEST_FEE + REGISTRATION_FEE, "paid");
        assertEq(treasury.balance, REQUEST_FEE + REGISTRATION_FEE, "treasury balance");
        assertEq(priced.collectedFees(), 0, "nothing left");
        vm.prank(OPERATOR);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NoFees.selector));
        priced.claimFees(treasury);
    }

    function test_claimFees_isTheSubmittersAlone() public {
        _registerAlice();
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotSubmitter.selector, ALICE, OPERATOR));
        priced.claimFees(ALICE);
        vm.prank(OPERATOR);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidRecipient.selector));
        priced.claimFees(address(0));
        assertEq(priced.collectedFees(), REQUEST_FEE + REGISTRATION_FEE, "still held");
    }

    function test_claimFees_revertsWhenTheRecipientRefusesEther() public {
        _registerAlice();
        address refuser = address(tokenB); // a contract without a receive function
        vm.prank(OPERATOR);
        _expectRevert(abi.encodeWithSelector(IMatchproof.FeeTransferFailed.selector, refuser));
        priced.claimFees(refuser);
        assertEq(priced.collectedFees(), REQUEST_FEE + REGISTRATION_FEE, "still held");
    }

    function test_constructor_boundsTheFeesAndTheRate() public {
        IMatchproof.Config memory config = _config(ACCOUNT_DEPTH);
        config.requestFee = 1 ether + 1;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidFees.selector, 1 ether + 1, 0));
        _deployWith(config);
        config.requestFee = 0;
        config.registrationFee = 1 ether + 1;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidFees.selector, 0, 1 ether + 1));
        _deployWith(config);
        config.registrationFee = 0;
        config.maxRequestsPerBlock = 0;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidRequestRate.selector, 0));
        _deployWith(config);
        config.maxRequestsPerBlock = 4097;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidRequestRate.selector, 4097));
        _deployWith(config);
    }

    /// @dev Alice's first deposit, paying both fees, then the next block.
    function _registerAlice() internal {
        vm.prank(ALICE);
        priced.deposit{value: REQUEST_FEE + REGISTRATION_FEE}(0, 100, ALICE_AX, ALICE_AY);
        vm.roll(block.number + 1);
    }
}
