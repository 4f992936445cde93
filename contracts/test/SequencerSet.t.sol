// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IMatchproof} from "../src/interfaces/IMatchproof.sol";
import {SequencerSet} from "../src/SequencerSet.sol";
import {RollupFixture} from "./utils/RollupFixture.sol";

/// @notice The sequencer set as the rollup's submitter: a batch reaches the rollup only with
///         signatures of more than two thirds of the set. The fixture's verifier rejects every
///         proof, so a batch the set lets through ends at InvalidProof: it reached the rollup.
///         Accepted batches are tested on anvil with the real verifier.
contract SequencerSetTest is RollupFixture {
    uint256[4] internal keys = [uint256(0xA1), 0xB2, 0xC3, 0xD4];
    SequencerSet internal set;

    function setUp() public override {
        super.setUp();
        address[] memory members = new address[](4);
        for (uint256 i = 0; i < 4; ++i) {
            members[i] = vm.addr(keys[i]);
        }
        set = new SequencerSet(IMatchproof(address(rollup)), members);
        rollup.setSubmitter(address(set));
    }

    /// @dev Signatures of the batch below by the members at `who` (indices into keys), in that order.
    function _signed(uint256[] memory who, uint256 batchNumber) internal view returns (bytes[] memory signatures) {
        bytes32 digest = set.batchDigest(batchNumber, 1, uint64(block.timestamp), 0, _emptySlots());
        signatures = new bytes[](who.length);
        for (uint256 i = 0; i < who.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[who[i]], digest);
            signatures[i] = abi.encodePacked(r, s, v);
        }
    }

    /// @dev Member indices ordered so that their addresses ascend (what submitBatch requires).
    function _ascending(uint256[] memory who) internal view returns (uint256[] memory) {
        for (uint256 i = 0; i < who.length; ++i) {
            for (uint256 j = i + 1; j < who.length; ++j) {
                if (vm.addr(keys[who[j]]) < vm.addr(keys[who[i]])) (who[i], who[j]) = (who[j], who[i]);
            }
        }
        return who;
    }

    function _submit(bytes[] memory signatures) internal {
        set.submitBatch(1, 1, uint64(block.timestamp), 0, _emptySlots(), _proof(), signatures);
    }

    function _three() internal view returns (uint256[] memory who) {
        who = new uint256[](3);
        (who[0], who[1], who[2]) = (0, 1, 2);
        return _ascending(who);
    }

    function test_threshold_isMoreThanTwoThirds() public {
        assertEq(set.threshold(), 3, "3 of 4");
        for (uint256 n = 1; n <= 10; ++n) {
            address[] memory members = new address[](n);
            for (uint256 i = 0; i < n; ++i) {
                members[i] = address(uint160(i + 1));
            }
            uint256 threshold = new SequencerSet(IMatchproof(address(rollup)), members).threshold();
            assertTrue(3 * threshold > 2 * n, "more than two thirds");
            assertTrue(3 * (threshold - 1) <= 2 * n, "the least such");
        }
    }

    function test_constructor_refusesAnEmptyARepeatedOrAZeroMember() public {
        address[] memory none = new address[](0);
        _expectRevert(abi.encodeWithSelector(SequencerSet.EmptySet.selector));
        new SequencerSet(IMatchproof(address(rollup)), none);
        address[] memory twice = new address[](2);
        (twice[0], twice[1]) = (ALICE, ALICE);
        _expectRevert(abi.encodeWithSelector(SequencerSet.DuplicateMember.selector, ALICE));
        new SequencerSet(IMatchproof(address(rollup)), twice);
        address[] memory zero = new address[](1);
        _expectRevert(abi.encodeWithSelector(SequencerSet.ZeroMember.selector));
        new SequencerSet(IMatchproof(address(rollup)), zero);
    }

    function test_submitBatch_forwardsABatchSignedByTheThreshold() public {
        bytes[] memory signatures = _signed(_three(), 1);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidProof.selector)); // it reached the verifier
        _submit(signatures);
    }

    function test_submitBatch_revertsBelowTheThreshold() public {
        uint256[] memory two = new uint256[](2);
        (two[0], two[1]) = (0, 1);
        bytes[] memory signatures = _signed(_ascending(two), 1);
        _expectRevert(abi.encodeWithSelector(SequencerSet.TooFewSignatures.selector, 2, 3));
        _submit(signatures);
    }

    function test_submitBatch_revertsOnASignatureOfAnotherBatch() public {
        bytes[] memory signatures = _signed(_three(), 2); // signed batch 2, submitted as batch 1
        address recovered =
            ECDSA.recover(set.batchDigest(1, 1, uint64(block.timestamp), 0, _emptySlots()), signatures[0]);
        _expectRevert(abi.encodeWithSelector(SequencerSet.NotAMember.selector, recovered));
        _submit(signatures);
    }

    function test_submitBatch_revertsOnAStrangersSignature() public {
        bytes[] memory signatures = _signed(_three(), 1);
        bytes32 digest = set.batchDigest(1, 1, uint64(block.timestamp), 0, _emptySlots());
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(0xE5, digest);
        signatures[0] = abi.encodePacked(r, s, v);
        _expectRevert(abi.encodeWithSelector(SequencerSet.NotAMember.selector, vm.addr(0xE5)));
        _submit(signatures);
    }

    function test_submitBatch_countsNoMemberTwice() public {
        uint256[] memory who = _three();
        (who[1], who[2]) = (who[0], who[0]); // one member's signature three times
        address signer = vm.addr(keys[who[0]]);
        bytes[] memory signatures = _signed(who, 1);
        _expectRevert(abi.encodeWithSelector(SequencerSet.SignersNotAscending.selector, signer, signer));
        _submit(signatures);
        who = _three();
        (who[0], who[2]) = (who[2], who[0]); // every member once, out of order
        signatures = _signed(who, 1);
        _expectRevert(
            abi.encodeWithSelector(
                SequencerSet.SignersNotAscending.selector, vm.addr(keys[who[0]]), vm.addr(keys[who[1]])
            )
        );
        _submit(signatures);
    }

    function test_rollup_takesBatchesOnlyFromTheSet() public {
        vm.prank(vm.addr(keys[0])); // not even a member may skip the set
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotSubmitter.selector, vm.addr(keys[0]), address(set)));
        rollup.submitBatch(1, 1, uint64(block.timestamp), 0, _emptySlots(), _proof());
    }
}
