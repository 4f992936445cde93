// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IMatchproof} from "./interfaces/IMatchproof.sol";

/// @title The sequencer set's batch submitter
/// @notice Made the rollup's submitter (IMatchproof.setSubmitter), it forwards a batch to the
///         rollup only with the signatures of more than two thirds of the sequencer set over
///         the batch (EIP-712 typed data, so any Ethereum signer can sign it). Anyone may send
///         a signed batch, so any node of the set can; the rollup takes each batch number
///         once. The proof is still checked by the rollup: the set decides the order of
///         trades, never their validity. Forced requests, the freeze and exits do not pass
///         through here and work whatever the set does.
contract SequencerSet is EIP712 {
    /// @notice The EIP-712 type of what the set signs: a batch as the rollup receives it,
    ///         its public data by its keccak256.
    bytes32 public constant BATCH_TYPEHASH = keccak256(
        "Batch(uint256 batchNumber,uint256 newRoot,uint64 timestamp,uint256 l1Count,bytes32 publicDataHash)"
    );

    /// @notice The rollup whose batches the set signs.
    IMatchproof public immutable rollup;

    /// @notice How many distinct members must sign a batch: floor(2n/3) + 1 of n.
    uint256 public immutable threshold;

    /// @notice Whether an address is a member of the set.
    mapping(address => bool) public isMember;

    address[] private _members;

    /// @notice The set has no member.
    error EmptySet();

    /// @notice A member is the zero address, which no signature recovers to.
    error ZeroMember();

    /// @notice An address is listed twice.
    /// @param member The repeated address.
    error DuplicateMember(address member);

    /// @notice Fewer signatures than the threshold.
    /// @param given How many were given.
    /// @param needed The threshold.
    error TooFewSignatures(uint256 given, uint256 needed);

    /// @notice A signature recovers to an address outside the set (or signs another batch).
    /// @param signer The address it recovers to.
    error NotAMember(address signer);

    /// @notice Signatures must come in ascending order of their signers, so none counts twice.
    /// @param previous The signer of the signature before.
    /// @param next The signer of this one.
    error SignersNotAscending(address previous, address next);

    /// @param rollup_ The rollup this set submits to.
    /// @param members_ The set's Ethereum addresses (one per sequencer node).
    constructor(IMatchproof rollup_, address[] memory members_) EIP712("Matchproof sequencer set", "1") {
        if (members_.length == 0) revert EmptySet();
        for (uint256 i = 0; i < members_.length; ++i) {
            address member = members_[i];
            if (member == address(0)) revert ZeroMember();
            if (isMember[member]) revert DuplicateMember(member);
            isMember[member] = true;
        }
        _members = members_;
        rollup = rollup_;
        threshold = (2 * members_.length) / 3 + 1;
    }

    /// @notice The set's members, in the order they were listed.
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @notice The EIP-712 digest a member signs for a batch.
    /// @param batchNumber The batch's number.
    /// @param newRoot The state root after it.
    /// @param timestamp The batch's time.
    /// @param l1Count How many L1 requests it consumes.
    /// @param publicData Its public data.
    function batchDigest(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        bytes calldata publicData
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(BATCH_TYPEHASH, batchNumber, newRoot, timestamp, l1Count, keccak256(publicData)))
        );
    }

    /// @notice Forward a batch to the rollup, signed by at least `threshold` members.
    /// @dev Reverts TooFewSignatures, NotAMember, SignersNotAscending, ECDSA's errors for a
    ///      malformed signature, and whatever the rollup reverts with (an out-of-order batch,
    ///      an invalid proof, a frozen rollup).
    /// @param batchNumber The batch's number (the rollup's next).
    /// @param newRoot The state root after it.
    /// @param timestamp The batch's time.
    /// @param l1Count How many L1 requests it consumes.
    /// @param publicData Its public data.
    /// @param proof Its Groth16 proof, which the rollup checks.
    /// @param signatures 65-byte (r, s, v) signatures of batchDigest, ascending by signer.
    function submitBatch(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        bytes calldata publicData,
        uint256[8] calldata proof,
        bytes[] calldata signatures
    ) external {
        if (signatures.length < threshold) revert TooFewSignatures(signatures.length, threshold);
        bytes32 digest = batchDigest(batchNumber, newRoot, timestamp, l1Count, publicData);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (!isMember[signer]) revert NotAMember(signer);
            if (signer <= previous) revert SignersNotAscending(previous, signer);
            previous = signer;
        }
        rollup.submitBatch(batchNumber, newRoot, timestamp, l1Count, publicData, proof);
    }
}
