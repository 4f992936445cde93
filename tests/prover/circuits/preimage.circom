pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// PoseidonPreimage(n): proves knowledge of n field elements whose circomlib
// Poseidon hash is the public input. A stand-in for the batch circuit in the
// prover pipeline's tests: one public input, a circomlib include, a few
// hundred constraints.
//
// Signals:
//   preimage[n]  private input, any field elements
//   hash         public input, Poseidon(preimage)
//
// NOTE: n is between 1 and 16 (circomlib's Poseidon bound).
template PoseidonPreimage(n) {
    assert(n >= 1 && n <= 16);

    signal input preimage[n];
    signal input hash;

    component hasher = Poseidon(n);
    for (var i = 0; i < n; i++) {
        hasher.inputs[i] <== preimage[i];
    }
    hasher.out === hash;
}
