// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16BatchVerifier} from "./interfaces/IGroth16BatchVerifier.sol";

/// @title Groth16 verifier that checks k proofs with one pairing check of k + 3 pairs
/// @notice A Groth16 proof (A, B, C) of public input x is valid iff
///             e(A, B) = e(alpha, beta) * e(IC0 + x * IC1, gamma) * e(C, delta).
///         For k proofs it checks one random linear combination of the k equations instead:
///             prod_i e(r_i * A_i, B_i)
///               = e(sum r_i * alpha, beta) * e(sum r_i * IC0 + (sum r_i * x_i) * IC1, gamma)
///                 * e(sum r_i * C_i, delta),
///         k + 3 pairings and 2k + 1 scalar multiplications instead of 4k pairings and k
///         multiplications. r_0 = 1 and every other r_i is derived by hashing all the proofs and
///         inputs (Fiat-Shamir), after they are fixed: if any one equation fails, the combination
///         holds only for one value of that proof's coefficient in the scalar field, which a
///         submitter cannot steer. With k = 1 it is exactly the single-proof check (one scalar
///         multiplication, four pairings) of snarkjs's exported verifier.
/// @dev The pairing precompile checks that every point is on its curve and that G2 points are
///      in the prime-order subgroup (BN254's G1 has cofactor 1); a failing precompile call makes
///      the verification false. Precompile calls get all the gas left (no fixed price is assumed,
///      so a future repricing cannot make every proof fail); a call that fails on a bad point
///      burns what it was given, which only a submitter of a bad proof pays.
contract Groth16BatchVerifier is IGroth16BatchVerifier {
    /// @dev BN254's base field.
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @dev BN254's scalar field: public inputs and coefficients live here.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice The most proofs one call takes; bounds the memory and gas of a call.
    uint256 public constant MAX_PROOFS = 128;

    uint256 internal constant PAIR_WORDS = 6;
    uint256 internal constant EC_ADD = 0x06;
    uint256 internal constant EC_MUL = 0x07;
    uint256 internal constant PAIRING = 0x08;

    uint256 internal immutable _alphaX;
    uint256 internal immutable _alphaY;
    uint256 internal immutable _beta0;
    uint256 internal immutable _beta1;
    uint256 internal immutable _beta2;
    uint256 internal immutable _beta3;
    uint256 internal immutable _gamma0;
    uint256 internal immutable _gamma1;
    uint256 internal immutable _gamma2;
    uint256 internal immutable _gamma3;
    uint256 internal immutable _delta0;
    uint256 internal immutable _delta1;
    uint256 internal immutable _delta2;
    uint256 internal immutable _delta3;
    uint256 internal immutable _ic0X;
    uint256 internal immutable _ic0Y;
    uint256 internal immutable _ic1X;
    uint256 internal immutable _ic1Y;

    /// @param vk The circuit's verifying key (from its set-up's verification_key.json).
    /// @dev Reverts InvalidVerifyingKey when a coordinate is outside the base field.
    constructor(VerifyingKey memory vk) {
        uint256[18] memory words = [
            vk.alpha[0],
            vk.alpha[1],
            vk.beta[0],
            vk.beta[1],
            vk.beta[2],
            vk.beta[3],
            vk.gamma[0],
            vk.gamma[1],
            vk.gamma[2],
            vk.gamma[3],
            vk.delta[0],
            vk.delta[1],
            vk.delta[2],
            vk.delta[3],
            vk.ic0[0],
            vk.ic0[1],
            vk.ic1[0],
            vk.ic1[1]
        ];
        for (uint256 i = 0; i < words.length; ++i) {
            if (words[i] >= Q) revert InvalidVerifyingKey();
        }
        (_alphaX, _alphaY) = (vk.alpha[0], vk.alpha[1]);
        (_beta0, _beta1, _beta2, _beta3) = (vk.beta[0], vk.beta[1], vk.beta[2], vk.beta[3]);
        (_gamma0, _gamma1, _gamma2, _gamma3) = (vk.gamma[0], vk.gamma[1], vk.gamma[2], vk.gamma[3]);
        (_delta0, _delta1, _delta2, _delta3) = (vk.delta[0], vk.delta[1], vk.delta[2], vk.delta[3]);
        (_ic0X, _ic0Y) = (vk.ic0[0], vk.ic0[1]);
        (_ic1X, _ic1Y) = (vk.ic1[0], vk.ic1[1]);
    }

    /// @inheritdoc IGroth16BatchVerifier
    function verifyingKey() external view returns (VerifyingKey memory vk) {
        vk.alpha = [_alphaX, _alphaY];
        vk.beta = [_beta0, _beta1, _beta2, _beta3];
        vk.gamma = [_gamma0, _gamma1, _gamma2, _gamma3];
        vk.delta = [_delta0, _delta1, _delta2, _delta3];
        vk.ic0 = [_ic0X, _ic0Y];
        vk.ic1 = [_ic1X, _ic1Y];
    }

    /// @inheritdoc IGroth16BatchVerifier
    function verifyProofs(uint256[8][] calldata proofs, uint256[] calldata inputs) external view returns (bool) {
        uint256 k = proofs.length;
        if (k == 0 || k > MAX_PROOFS) revert InvalidProofCount(k, MAX_PROOFS);
        if (inputs.length != k) revert InputCountMismatch(k, inputs.length);
        for (uint256 i = 0; i < k; ++i) {
            if (inputs[i] >= R) return false;
        }
        bytes32 seed = keccak256(abi.encode(proofs, inputs));

        uint256[] memory pairs = new uint256[](PAIR_WORDS * (k + 3));
        uint256 coefficientSum; // sum r_i
        uint256 inputSum; // sum r_i * x_i
        uint256[2] memory c; // sum r_i * C_i, from the point at infinity
        for (uint256 i = 0; i < k; ++i) {
            uint256 r = i == 0 ? 1 : uint256(keccak256(abi.encodePacked(seed, i))) % R;
            if (!_addProof(pairs, i, proofs[i], r, c)) return false;
            coefficientSum = addmod(coefficientSum, r, R);
            inputSum = addmod(inputSum, mulmod(r, inputs[i], R), R);
        }
        return _addKey(pairs, k, coefficientSum, inputSum, c) && _pairing(pairs);
    }

    /// @dev Writes proof i's pair (-r * A, B) into `pairs` and adds r * C to `c`; false when a
    ///      point is not on the curve.
    function _addProof(uint256[] memory pairs, uint256 i, uint256[8] calldata proof, uint256 r, uint256[2] memory c)
        private
        view
        returns (bool)
    {
        uint256[2] memory a = [proof[0], proof[1]];
        uint256[2] memory ci = [proof[6], proof[7]];
        bool ok;
        if (r != 1) {
            (ok, a) = _mul(a, r);
            if (!ok) return false;
            (ok, ci) = _mul(ci, r);
            if (!ok) return false;
        }
        uint256[2] memory sum;
        (ok, sum) = _add(c, ci);
        if (!ok || a[1] >= Q) return false;
        (c[0], c[1]) = (sum[0], sum[1]);
        uint256 offset = PAIR_WORDS * i;
        pairs[offset] = a[0];
        pairs[offset + 1] = a[1] == 0 ? 0 : Q - a[1];
        for (uint256 j = 2; j < PAIR_WORDS; ++j) {
            pairs[offset + j] = proof[j];
        }
        return true;
    }

    /// @dev Writes the key's three pairs after the k proofs' pairs: (sum r_i * alpha, beta),
    ///      (sum r_i * IC0 + (sum r_i * x_i) * IC1, gamma) and (sum r_i * C_i, delta).
    function _addKey(uint256[] memory pairs, uint256 k, uint256 coefficientSum, uint256 inputSum, uint256[2] memory c)
        private
        view
        returns (bool)
    {
        uint256[2] memory alpha = [_alphaX, _alphaY];
        uint256[2] memory inputCommitment = [_ic0X, _ic0Y];
        bool ok;
        if (coefficientSum != 1) {
            (ok, alpha) = _mul(alpha, coefficientSum);
            if (!ok) return false;
            (ok, inputCommitment) = _mul(inputCommitment, coefficientSum);
            if (!ok) return false;
        }
        uint256[2] memory inputTerm;
        (ok, inputTerm) = _mul([_ic1X, _ic1Y], inputSum);
        if (!ok) return false;
        (ok, inputCommitment) = _add(inputCommitment, inputTerm);
        if (!ok) return false;

        uint256 offset = PAIR_WORDS * k;
        _putPair(pairs, offset, alpha, [_beta0, _beta1, _beta2, _beta3]);
        _putPair(pairs, offset + PAIR_WORDS, inputCommitment, [_gamma0, _gamma1, _gamma2, _gamma3]);
        _putPair(pairs, offset + 2 * PAIR_WORDS, c, [_delta0, _delta1, _delta2, _delta3]);
        return true;
    }

    /// @dev Writes the pair (g1, g2) at word `offset` of `pairs`.
    function _putPair(uint256[] memory pairs, uint256 offset, uint256[2] memory g1, uint256[4] memory g2) private pure {
        (pairs[offset], pairs[offset + 1]) = (g1[0], g1[1]);
        for (uint256 j = 0; j < 4; ++j) {
            pairs[offset + 2 + j] = g2[j];
        }
    }

    /// @dev p + q on G1 through the ecAdd precompile; false when a point is not on the curve.
    function _add(uint256[2] memory p, uint256[2] memory q) private view returns (bool ok, uint256[2] memory sum) {
        uint256[4] memory input = [p[0], p[1], q[0], q[1]];
        assembly ("memory-safe") {
            ok := staticcall(gas(), EC_ADD, input, 0x80, sum, 0x40)
        }
    }

    /// @dev s * p on G1 through the ecMul precompile; false when the point is not on the curve.
    function _mul(uint256[2] memory p, uint256 s) private view returns (bool ok, uint256[2] memory product) {
        uint256[3] memory input = [p[0], p[1], s];
        assembly ("memory-safe") {
            ok := staticcall(gas(), EC_MUL, input, 0x60, product, 0x40)
        }
    }

    /// @dev Whether the product of the pairings of the pairs is 1; false when the precompile
    ///      refuses a point.
    function _pairing(uint256[] memory pairs) private view returns (bool) {
        uint256 ok;
        uint256[1] memory out;
        assembly ("memory-safe") {
            ok := staticcall(gas(), PAIRING, add(pairs, 0x20), mul(mload(pairs), 0x20), out, 0x20)
        }
        return ok == 1 && out[0] == 1;
    }
}
