// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../src/interfaces/IMatchproof.sol";
import {RollupFixture} from "./utils/RollupFixture.sol";

/// @notice The way out: forced requests, freezing, exits by Merkle proof, refunds. The proven
///         state is set by writing the state root (no batch is accepted here), so each exit
///         proof is checked against a root the test built with the same Poseidon contracts.
contract ExodusTest is RollupFixture {
    uint256 internal constant ORDER_ROOT = 77;
    /// @dev Alice's perpetual side and the markets' commitment: opaque to an exit of a balance.
    uint256 internal constant PERP_HASH = 78;
    uint256 internal constant PERP_COMMITMENT = 79;
    uint256 internal constant ALICE_INDEX = 1;
    uint256 internal constant BOB_INDEX = 2;
    /// @dev Alice's balance of token 1 in the proven state.
    uint96 internal constant ALICE_TOKEN_1 = 5;
    /// @dev Exit proofs give three siblings per level of two index bits.
    uint256 internal constant ACCOUNT_SIBLINGS = 3 * ACCOUNT_DEPTH / 2;
    /// @dev An exit proof's balances: one per token id the public data can name.
    uint256 internal constant BALANCES = 16;

    // ------------------------------------------------------------------ helpers

    /// @dev Alice's leaf in a proven state: `balance` of token 0, ALICE_TOKEN_1 of token 1,
    ///      nothing of tokens 2 and 3 nor of the ids the rollup does not have.
    function _aliceProof(uint256 balance) internal pure returns (IMatchproof.ExitProof memory proof) {
        uint256[BALANCES] memory balances;
        balances[0] = balance;
        balances[1] = ALICE_TOKEN_1;
        uint256[] memory accountSiblings = new uint256[](ACCOUNT_SIBLINGS);
        for (uint256 i = 0; i < ACCOUNT_SIBLINGS; ++i) {
            accountSiblings[i] = 1000 + i;
        }
        proof = IMatchproof.ExitProof({
            ax: ALICE_AX,
            ay: ALICE_AY,
            nonce: 3,
            minOrderId: 9,
            orderRoot: ORDER_ROOT,
            balances: balances,
            perpHash: PERP_HASH,
            accountSiblings: accountSiblings,
            perpCommitment: PERP_COMMITMENT
        });
    }

    /// @dev The quaternary fold, written out per position: the node goes before its three
    ///      siblings, between them or after them.
    function _fold(uint256 leaf, uint256 index, uint256[] memory siblings) internal view returns (uint256 node) {
        node = leaf;
        for (uint256 level = 0; level < siblings.length / 3; ++level) {
            (uint256 a, uint256 b, uint256 c) = (siblings[3 * level], siblings[3 * level + 1], siblings[3 * level + 2]);
            uint256 position = (index >> (2 * level)) & 3;
            if (position == 0) node = poseidon4.poseidon([node, a, b, c]);
            else if (position == 1) node = poseidon4.poseidon([a, node, b, c]);
            else if (position == 2) node = poseidon4.poseidon([a, b, node, c]);
            else node = poseidon4.poseidon([a, b, c, node]);
        }
    }

    /// @dev The state root, Poseidon([accountRoot, perpCommitment]), in which `owner`'s account
    ///      at `index` is the proof's leaf. Its words are balances[2i] + balances[2i + 1] * 2^96
    ///      as the EVM computes them (modulo 2^256), whatever the balances: what the contract
    ///      would hash without its range check.
    function _rootOf(IMatchproof.ExitProof memory proof, address owner, uint256 index)
        internal
        view
        returns (uint256)
    {
        uint256[15] memory inputs;
        (inputs[0], inputs[1], inputs[2]) = (proof.ax, proof.ay, uint256(uint160(owner)));
        (inputs[3], inputs[4], inputs[5]) = (proof.nonce, proof.minOrderId, proof.orderRoot);
        for (uint256 i = 0; i < BALANCES / 2; ++i) {
            unchecked {
                inputs[6 + i] = proof.balances[2 * i] + (proof.balances[2 * i + 1] << 96);
            }
        }
        inputs[14] = proof.perpHash;
        return poseidon2.poseidon([_fold(poseidon15.poseidon(inputs), index, proof.accountSiblings), proof.perpCommitment]);
    }

    /// @dev Alice deposited `balance` of token 0 and ALICE_TOKEN_1 of token 1 (so the rollup
    ///      holds them), and a proven state gives them to her; returns her proof.
    function _provenAlice(uint96 balance) internal returns (IMatchproof.ExitProof memory proof) {
        _deposit(ALICE, 0, balance, ALICE_AX, ALICE_AY);
        _deposit(ALICE, 1, ALICE_TOKEN_1, 0, 0);
        proof = _aliceProof(balance);
        vm.store(address(rollup), SLOT_STATE_ROOT, bytes32(_rootOf(proof, ALICE, ALICE_INDEX)));
    }

    function _freeze() internal {
        vm.roll(rollup.l1RequestDeadline(rollup.l1Processed()) + 1);
        rollup.freeze();
    }

    function _exitAsAlice(IMatchproof.ExitProof memory proof) internal returns (uint256) {
        vm.prank(ALICE);
        return rollup.exit(0, proof, ALICE);
    }

    // ------------------------------------------------------------------ forced requests

    function test_requestForcedWithdrawal_queuesTypeFourWithoutAmount() public {
        _deposit(ALICE, 1, 100, ALICE_AX, ALICE_AY);
        uint256 requestHash = _forcedRequestHash(FORCED_WITHDRAW, ALICE_INDEX, ALICE, 1, 0);
        uint256 chain = _next(rollup.l1Chain(2), requestHash);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit IMatchproof.L1RequestQueued(2, FORCED_WITHDRAW, ALICE_INDEX, ALICE, 0, 0, 1, 0, requestHash, chain);
        vm.prank(ALICE);
        assertEq(rollup.requestForcedWithdrawal(1), 2, "request index");
        assertEq(rollup.l1Chain(3), chain, "chain[3]");
        assertEq(rollup.l1RequestDeadline(2), block.number + DEADLINE_BLOCKS, "deadline");
    }

    function test_requestForcedCancelAll_queuesTypeFiveWithMinOrderId() public {
        _deposit(ALICE, 0, 100, ALICE_AX, ALICE_AY);
        uint48 minOrderId = type(uint48).max;
        uint256 requestHash = _forcedRequestHash(FORCED_CANCEL_ALL, ALICE_INDEX, ALICE, 0, minOrderId);
        uint256 chain = _next(rollup.l1Chain(2), requestHash);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit IMatchproof.L1RequestQueued(
            2, FORCED_CANCEL_ALL, ALICE_INDEX, ALICE, 0, 0, 0, minOrderId, requestHash, chain
        );
        vm.prank(ALICE);
        rollup.requestForcedCancelAll(minOrderId);
    }

    function test_forcedRequests_revertForAnAddressWithoutAccount() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotRegistered.selector, BOB));
        vm.prank(BOB);
        rollup.requestForcedWithdrawal(0);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotRegistered.selector, BOB));
        vm.prank(BOB);
        rollup.requestForcedCancelAll(1);
    }

    function test_requestForcedWithdrawal_revertsOnUnknownToken() public {
        _deposit(ALICE, 0, 100, ALICE_AX, ALICE_AY);
        _expectRevert(abi.encodeWithSelector(IMatchproof.UnknownToken.selector, 2, 2));
        vm.prank(ALICE);
        rollup.requestForcedWithdrawal(2);
    }

    // ------------------------------------------------------------------ freeze

    function test_freeze_fuzzRevertsUntilTheDeadlinePassed(uint256 wait) public {
        wait = bound(wait, 0, 3 * DEADLINE_BLOCKS);
        uint256 deadline = rollup.l1RequestDeadline(0);
        vm.roll(block.number + wait);
        if (block.number <= deadline) {
            _expectRevert(abi.encodeWithSelector(IMatchproof.DeadlineNotPassed.selector, 0, deadline, block.number));
            rollup.freeze();
            assertTrue(!rollup.frozen(), "not frozen");
        } else {
            vm.expectEmit(true, false, false, true, address(rollup));
            emit IMatchproof.Frozen(0, deadline, GENESIS_ROOT, 0);
            rollup.freeze();
            assertTrue(rollup.frozen(), "frozen");
        }
    }

    function test_freeze_followsTheOldestPendingRequest() public {
        vm.roll(block.number + 5);
        _deposit(ALICE, 0, 100, ALICE_AX, ALICE_AY); // request 1, due 5 blocks after request 0
        vm.store(address(rollup), SLOT_L1_PROCESSED, bytes32(uint256(1))); // a batch consumed request 0
        uint256 deadline = rollup.l1RequestDeadline(1);
        vm.roll(deadline);
        _expectRevert(abi.encodeWithSelector(IMatchproof.DeadlineNotPassed.selector, 1, deadline, deadline));
        rollup.freeze();
        vm.roll(deadline + 1);
        rollup.freeze();
    }

    function test_freeze_revertsWhenNoRequestIsWaiting() public {
        vm.store(address(rollup), SLOT_L1_PROCESSED, bytes32(uint256(1)));
        vm.roll(block.number + 100 * DEADLINE_BLOCKS);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NothingToFreeze.selector));
        rollup.freeze();
    }

    function test_freeze_isIrreversibleAndStopsEverything() public {
        _deposit(ALICE, 0, 100, ALICE_AX, ALICE_AY);
        _freeze();
        _expectRevert(abi.encodeWithSelector(IMatchproof.RollupFrozen.selector));
        rollup.freeze();
        _expectRevert(abi.encodeWithSelector(IMatchproof.RollupFrozen.selector));
        _deposit(ALICE, 0, 1, 0, 0);
        _expectRevert(abi.encodeWithSelector(IMatchproof.RollupFrozen.selector));
        vm.prank(ALICE);
        rollup.requestForcedWithdrawal(0);
        _expectRevert(abi.encodeWithSelector(IMatchproof.RollupFrozen.selector));
        vm.prank(ALICE);
        rollup.requestForcedCancelAll(1);
    }

    function test_submitBatch_fuzzRevertsAfterFreeze(uint256 batchNumber, uint256 newRoot, uint256 l1Count) public {
        _freeze();
        _expectRevert(abi.encodeWithSelector(IMatchproof.RollupFrozen.selector));
        rollup.submitBatch(batchNumber, newRoot, uint64(block.timestamp), l1Count, _emptySlots(), _proof());
    }

    // ------------------------------------------------------------------ exit

    function test_exit_paysTheProvenBalanceOnce() public {
        IMatchproof.ExitProof memory proof = _provenAlice(1000);
        _freeze();
        uint256 before = tokenA.balanceOf(ALICE);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit IMatchproof.Exited(ALICE_INDEX, ALICE, 0, 1000, ALICE);
        assertEq(_exitAsAlice(proof), 1000, "amount");
        assertEq(tokenA.balanceOf(ALICE), before + 1000, "paid");
        assertEq(tokenA.balanceOf(address(rollup)), 0, "rollup emptied");
        assertTrue(rollup.exited(ALICE_INDEX, 0), "exited");
        assertTrue(!rollup.exited(ALICE_INDEX, 1), "other token not exited");
        _expectRevert(abi.encodeWithSelector(IMatchproof.AlreadyExited.selector, ALICE_INDEX, 0));
        _exitAsAlice(proof);
    }

    function test_exit_paysTheRecipientTheOwnerChooses() public {
        IMatchproof.ExitProof memory proof = _provenAlice(1000);
        _freeze();
        address elsewhere = address(0xE15E);
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidRecipient.selector));
        rollup.exit(0, proof, address(0));
        uint256 before = tokenA.balanceOf(ALICE);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit IMatchproof.Exited(ALICE_INDEX, ALICE, 0, 1000, elsewhere);
        vm.prank(ALICE);
        assertEq(rollup.exit(0, proof, elsewhere), 1000, "amount");
        assertEq(tokenA.balanceOf(elsewhere), 1000, "paid to the recipient");
        assertEq(tokenA.balanceOf(ALICE), before, "not to the owner");
    }

    function test_exit_revertsBeforeFreeze() public {
        IMatchproof.ExitProof memory proof = _provenAlice(1000);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotFrozen.selector));
        _exitAsAlice(proof);
    }

    function test_exit_revertsForAnotherAccount() public {
        IMatchproof.ExitProof memory proof = _provenAlice(1000);
        _deposit(BOB, 0, 1, BOB_AX, BOB_AY);
        _freeze();
        // Bob's own leaf is not Alice's: his address and index make another root.
        uint256 root = _rootOf(proof, BOB, BOB_INDEX);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidExitProof.selector, root, rollup.stateRoot()));
        vm.prank(BOB);
        rollup.exit(0, proof, ALICE);
        // An address without an account cannot exit at all.
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotRegistered.selector, address(0xCAFE)));
        vm.prank(address(0xCAFE));
        rollup.exit(0, proof, ALICE);
    }

    function test_exit_fuzzRevertsOnAWrongProof(uint256 field, uint256 delta) public {
        IMatchproof.ExitProof memory proof = _provenAlice(1000);
        _freeze();
        field = bound(field, 0, 6 + BALANCES + ACCOUNT_SIBLINGS);
        delta = bound(delta, 1, 1 << 64); // every balance stays below 2^96
        if (field == 0) proof.ax += delta;
        else if (field == 1) proof.ay += delta;
        else if (field == 2) proof.nonce += delta;
        else if (field == 3) proof.minOrderId += delta;
        else if (field == 4) proof.orderRoot += delta;
        else if (field == 5) proof.perpHash += delta;
        else if (field == 6) proof.perpCommitment += delta;
        else if (field < 7 + BALANCES) proof.balances[field - 7] += delta;
        else proof.accountSiblings[field - 7 - BALANCES] += delta;
        uint256 root = _rootOf(proof, ALICE, ALICE_INDEX);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidExitProof.selector, root, rollup.stateRoot()));
        _exitAsAlice(proof);
    }

    function test_exit_paysEveryTokenOfTheLeafOnce() public {
        // One proof holds every balance of the account: each token exits with it, once.
        IMatchproof.ExitProof memory proof = _provenAlice(1000);
        _freeze();
        assertEq(_exitAsAlice(proof), 1000, "token 0");
        vm.expectEmit(true, true, true, true, address(rollup));
        emit IMatchproof.Exited(ALICE_INDEX, ALICE, 1, ALICE_TOKEN_1, ALICE);
        vm.prank(ALICE);
        assertEq(rollup.exit(1, proof, ALICE), ALICE_TOKEN_1, "token 1");
        assertEq(tokenB.balanceOf(address(rollup)), 0, "token 1 paid");
        _expectRevert(abi.encodeWithSelector(IMatchproof.AlreadyExited.selector, ALICE_INDEX, 1));
        vm.prank(ALICE);
        rollup.exit(1, proof, ALICE);
    }

    function test_exit_revertsOnABalanceOutOfRange() public {
        _provenAlice(1000);
        _freeze();
        // (1000 + 2^96, ALICE_TOKEN_1 - 1) makes the same word as (1000, ALICE_TOKEN_1): without
        // the range check the proof would lead to the proven root and pay 2^96 more of token 0.
        IMatchproof.ExitProof memory forged = _aliceProof(1000);
        forged.balances[0] += 1 << 96;
        forged.balances[1] -= 1;
        assertEq(_rootOf(forged, ALICE, ALICE_INDEX), rollup.stateRoot(), "the same word");
        _expectRevert(abi.encodeWithSelector(IMatchproof.BalanceOutOfRange.selector, 0, 1000 + (1 << 96)));
        _exitAsAlice(forged);
        // The high half's excess shifts out of 256 bits: ALICE_TOKEN_1 + 2^160 makes the same word.
        forged = _aliceProof(1000);
        forged.balances[1] += 1 << 160;
        assertEq(_rootOf(forged, ALICE, ALICE_INDEX), rollup.stateRoot(), "the same word, wrapped");
        _expectRevert(abi.encodeWithSelector(IMatchproof.BalanceOutOfRange.selector, 1, forged.balances[1]));
        vm.prank(ALICE);
        rollup.exit(1, forged, ALICE);
        // Every balance is checked, not only the one exited.
        forged = _aliceProof(1000);
        forged.balances[BALANCES - 1] = 1 << 96;
        _expectRevert(abi.encodeWithSelector(IMatchproof.BalanceOutOfRange.selector, BALANCES - 1, 1 << 96));
        _exitAsAlice(forged);
    }

    function test_exit_revertsOnValuesOutsideTheField() public {
        IMatchproof.ExitProof memory proof = _provenAlice(1000);
        _freeze();
        // The Poseidon contracts reduce their inputs: orderRoot + p would hash as orderRoot.
        proof.orderRoot += P;
        _expectRevert(abi.encodeWithSelector(IMatchproof.ValueNotInField.selector, proof.orderRoot));
        _exitAsAlice(proof);
        proof.orderRoot -= P;
        proof.accountSiblings[2] += P;
        _expectRevert(abi.encodeWithSelector(IMatchproof.ValueNotInField.selector, proof.accountSiblings[2]));
        _exitAsAlice(proof);
        proof.accountSiblings[2] -= P;
        proof.perpHash += P;
        _expectRevert(abi.encodeWithSelector(IMatchproof.ValueNotInField.selector, proof.perpHash));
        _exitAsAlice(proof);
        proof.perpHash -= P;
        proof.perpCommitment += P;
        _expectRevert(abi.encodeWithSelector(IMatchproof.ValueNotInField.selector, proof.perpCommitment));
        _exitAsAlice(proof);
    }

    function test_exit_revertsOnAPathOfTheWrongLength() public {
        IMatchproof.ExitProof memory proof = _provenAlice(1000);
        _freeze();
        proof.accountSiblings = new uint256[](ACCOUNT_SIBLINGS + 1);
        _expectRevert(
            abi.encodeWithSelector(IMatchproof.InvalidProofLength.selector, ACCOUNT_SIBLINGS, ACCOUNT_SIBLINGS + 1)
        );
        _exitAsAlice(proof);
        proof.accountSiblings = new uint256[](0);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidProofLength.selector, ACCOUNT_SIBLINGS, 0));
        _exitAsAlice(proof);
    }

    function test_exit_revertsOnAZeroBalance() public {
        _provenAlice(1000);
        _freeze();
        IMatchproof.ExitProof memory empty = _aliceProof(0);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NothingToExit.selector, ALICE_INDEX, 0));
        _exitAsAlice(empty);
    }

    // ------------------------------------------------------------------ refunds

    function _aliceDeposit(uint96 amount) internal pure returns (IMatchproof.DepositRequest memory) {
        return IMatchproof.DepositRequest({
            accountIndex: uint32(ALICE_INDEX), owner: ALICE, ax: ALICE_AX, ay: ALICE_AY, tokenId: 0, amount: amount
        });
    }

    function test_refundDeposit_paysAnUnconsumedDepositOnce() public {
        _deposit(ALICE, 0, 700, ALICE_AX, ALICE_AY);
        _freeze();
        uint256 before = tokenA.balanceOf(ALICE);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit IMatchproof.DepositRefunded(1, ALICE, 0, 700);
        vm.prank(BOB); // anyone may refund; the depositor is paid
        assertEq(rollup.refundDeposit(1, _aliceDeposit(700)), 700, "amount");
        assertEq(tokenA.balanceOf(ALICE), before + 700, "paid");
        assertTrue(rollup.refunded(1), "refunded");
        _expectRevert(abi.encodeWithSelector(IMatchproof.AlreadyRefunded.selector, 1));
        rollup.refundDeposit(1, _aliceDeposit(700));
    }

    function test_refundDeposit_revertsBeforeFreeze() public {
        _deposit(ALICE, 0, 700, ALICE_AX, ALICE_AY);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotFrozen.selector));
        rollup.refundDeposit(1, _aliceDeposit(700));
    }

    function test_refundDeposit_revertsForAConsumedOrMissingRequest() public {
        _deposit(ALICE, 0, 700, ALICE_AX, ALICE_AY);
        _deposit(ALICE, 0, 1, 0, 0);
        vm.store(address(rollup), SLOT_L1_PROCESSED, bytes32(uint256(2))); // a batch consumed 0 and 1
        _freeze();
        _expectRevert(abi.encodeWithSelector(IMatchproof.RequestNotPending.selector, 1, 2, 3));
        rollup.refundDeposit(1, _aliceDeposit(700));
        _expectRevert(abi.encodeWithSelector(IMatchproof.RequestNotPending.selector, 3, 2, 3));
        rollup.refundDeposit(3, _aliceDeposit(700));
    }

    function test_refundDeposit_fuzzRevertsOnFieldsOfAnotherRequest(uint96 amount) public {
        _deposit(ALICE, 0, 700, ALICE_AX, ALICE_AY);
        _freeze();
        vm.assume(amount != 700);
        _expectRevert(abi.encodeWithSelector(IMatchproof.RequestMismatch.selector, 1));
        rollup.refundDeposit(1, _aliceDeposit(amount));
        IMatchproof.DepositRequest memory toBob = _aliceDeposit(700);
        toBob.owner = BOB;
        _expectRevert(abi.encodeWithSelector(IMatchproof.RequestMismatch.selector, 1));
        rollup.refundDeposit(1, toBob);
    }

    function test_refundDeposit_revertsForAForcedRequest() public {
        _deposit(ALICE, 0, 700, ALICE_AX, ALICE_AY);
        vm.prank(ALICE);
        rollup.requestForcedWithdrawal(0);
        _freeze();
        IMatchproof.DepositRequest memory asDeposit = _aliceDeposit(0);
        asDeposit.ax = 0;
        asDeposit.ay = 0;
        _expectRevert(abi.encodeWithSelector(IMatchproof.RequestMismatch.selector, 2));
        rollup.refundDeposit(2, asDeposit);
    }
}
