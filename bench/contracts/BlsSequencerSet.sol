// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the set forwards a signed batch to (a benchmark's stand-in rollup, or the rollup).
interface IBatchTarget {
    function submitBatch(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        bytes calldata publicData,
        uint256[8] calldata proof
    ) external;
}

/// @title BENCHMARK HARNESS ONLY: a rollup stand-in that takes every batch
/// @notice Lets `bench/set_signatures.py` measure what a set's signature check adds to a
///         forwarded `submitBatch`, and nothing else: it stores nothing and checks nothing.
contract AcceptingRollup is IBatchTarget {
    /// @notice Takes the batch and does nothing with it.
    function submitBatch(uint256, uint256, uint64, uint256, bytes calldata, uint256[8] calldata) external {}
}

/// @title BENCHMARK HARNESS ONLY: the sequencer set with one aggregated BLS signature
/// @notice `contracts/src/SequencerSet.sol`'s batch check with an aggregated BLS signature
///         over BN254 (the EIP-196/197 precompiles) instead of one ECDSA signature a member,
///         for measuring the gas of both (`bench/set_signatures.py`). Members register G1
///         keys; a batch comes with a bitmap of its signers, their aggregated G2 key and the
///         aggregated G1 signature of the same EIP-712 digest. The contract sums the signers'
///         G1 keys (the set's total less the non-signers'), hashes the digest to G1 (try and
///         increment), and checks both the signature and that the G2 key matches the G1 keys
///         in one pairing of two pairs, combined with a random challenge. Registration has no
///         proof of possession here: a product would need one against rogue keys.
contract BlsSequencerSet {
    /// @notice The BN254 base field's modulus.
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @notice The BN254 groups' order.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @dev The G2 generator, negated, in the precompile's order (x imaginary, x real, y imaginary, y real).
    uint256 internal constant NEG_G2_X_IM = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 internal constant NEG_G2_X_RE = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 internal constant NEG_G2_Y_IM = 17805874995975841540914202342111839520379459829704422454583296818431106115052;
    uint256 internal constant NEG_G2_Y_RE = 13392588948715843804641432497768002650278120570034223513918757245338268106653;

    bytes32 internal constant BATCH_TYPEHASH = keccak256(
        "Batch(uint256 batchNumber,uint256 newRoot,uint64 timestamp,uint256 l1Count,bytes32 publicDataHash)"
    );

    /// @notice What the set forwards batches to.
    IBatchTarget public immutable rollup;
    /// @notice How many members must sign: floor(2n/3) + 1 of n.
    uint256 public immutable threshold;
    /// @notice The EIP-712 domain separator of the digest members sign.
    bytes32 public immutable domainSeparator;

    uint256[2][] private _keys;
    uint256[2] private _total;

    /// @notice Fewer signers than the threshold.
    /// @param given How many the bitmap names.
    /// @param needed The threshold.
    error TooFewSignatures(uint256 given, uint256 needed);
    /// @notice The bitmap names a member the set does not have.
    error UnknownSigner();
    /// @notice The aggregated signature or key does not check out.
    error BadSignature();
    /// @notice A precompile refused its input (a point off the curve).
    error PrecompileFailed();

    /// @param rollup_ What the set forwards batches to.
    /// @param keys The members' G1 keys (affine x, y).
    constructor(IBatchTarget rollup_, uint256[2][] memory keys) {
        uint256[2] memory total;
        for (uint256 i = 0; i < keys.length; ++i) {
            _keys.push(keys[i]);
            total = _add(total, keys[i]);
        }
        _total = total;
        rollup = rollup_;
        threshold = (2 * keys.length) / 3 + 1;
        domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Matchproof sequencer set"),
                keccak256("1"),
                block.chainid,
                address(this)
            )
        );
    }

    /// @notice The EIP-712 digest members sign, as `SequencerSet.batchDigest`.
    function batchDigest(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        bytes calldata publicData
    ) public view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(BATCH_TYPEHASH, batchNumber, newRoot, timestamp, l1Count, keccak256(publicData)));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }

    /// @notice The point the digest is hashed to in G1 (affine x, y).
    function hashToG1(bytes32 digest) public view returns (uint256[2] memory) {
        for (uint256 counter = 0;; ++counter) {
            uint256 x = uint256(keccak256(abi.encodePacked(digest, counter))) % P;
            uint256 rhs = addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
            uint256 y = _sqrtCandidate(rhs);
            if (mulmod(y, y, P) == rhs) return [x, y];
        }
    }

    /// @notice Forward a batch signed by at least `threshold` members.
    /// @param signers A bitmap of the signing members (bit i: member i).
    /// @param apkG2 The signers' aggregated G2 key, in the precompile's order.
    /// @param signature Their aggregated G1 signature of batchDigest.
    function submitBatch(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        bytes calldata publicData,
        uint256[8] calldata proof,
        uint256 signers,
        uint256[4] calldata apkG2,
        uint256[2] calldata signature
    ) external {
        _check(batchDigest(batchNumber, newRoot, timestamp, l1Count, publicData), signers, apkG2, signature);
        rollup.submitBatch(batchNumber, newRoot, timestamp, l1Count, publicData, proof);
    }

    /// @dev Reverts unless more than two thirds of the members, named by `signers`, signed `digest`
    ///      with `signature` and `apkG2` is their aggregated G2 key.
    function _check(bytes32 digest, uint256 signers, uint256[4] calldata apkG2, uint256[2] calldata signature)
        internal
        view
    {
        uint256 members = _keys.length;
        if (signers >> members != 0) revert UnknownSigner();
        uint256 count = 0;
        uint256[2] memory apk = _total;
        for (uint256 i = 0; i < members; ++i) {
            if (signers & (1 << i) != 0) {
                ++count;
            } else {
                uint256[2] memory key = _keys[i];
                apk = _add(apk, [key[0], key[1] == 0 ? 0 : P - key[1]]);
            }
        }
        if (count < threshold) revert TooFewSignatures(count, threshold);
        uint256[2] memory message = hashToG1(digest);
        uint256 gamma = uint256(keccak256(abi.encode(signature, apk, apkG2, message))) % R;
        uint256[2] memory left = _add([signature[0], signature[1]], _mul(apk, gamma));
        uint256[2] memory right = _add(message, _mul([uint256(1), uint256(2)], gamma));
        uint256[12] memory input = [
            left[0], left[1], NEG_G2_X_IM, NEG_G2_X_RE, NEG_G2_Y_IM, NEG_G2_Y_RE,
            right[0], right[1], apkG2[0], apkG2[1], apkG2[2], apkG2[3]
        ];
        uint256[1] memory result;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, input, 384, result, 32)
        }
        if (!ok) revert PrecompileFailed();
        if (result[0] != 1) revert BadSignature();
    }

    /// @dev a + b in G1 (the ecAdd precompile).
    function _add(uint256[2] memory a, uint256[2] memory b) internal view returns (uint256[2] memory sum) {
        uint256[4] memory input = [a[0], a[1], b[0], b[1]];
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x06, input, 128, sum, 64)
        }
        if (!ok) revert PrecompileFailed();
    }

    /// @dev s * a in G1 (the ecMul precompile).
    function _mul(uint256[2] memory a, uint256 s) internal view returns (uint256[2] memory product) {
        uint256[3] memory input = [a[0], a[1], s];
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x07, input, 96, product, 64)
        }
        if (!ok) revert PrecompileFailed();
    }

    /// @dev value^((P + 1) / 4) mod P (the modexp precompile): its square root if it has one (P = 3 mod 4).
    function _sqrtCandidate(uint256 value) internal view returns (uint256 root) {
        uint256[6] memory input = [uint256(32), 32, 32, value, (P + 1) / 4, P];
        uint256[1] memory output;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x05, input, 192, output, 32)
        }
        if (!ok) revert PrecompileFailed();
        root = output[0];
    }
}
