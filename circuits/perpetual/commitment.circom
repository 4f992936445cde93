pragma circom 2.1.0;

// The perpetual state's hashes, mirroring sequencer/spec/perpetual/commitment.py
// (docs/DESIGN.md "Perpetual futures", "Commitment"). Signed values are
// field elements (-x is p - x).

include "circomlib/circuits/poseidon.circom";
include "../lib/constants.circom";

// PerpAccountHash(): Poseidon([collateral, size[0], settledIndex[0], ..., size[3], settledIndex[3]])
// over the MAX_PERP_MARKETS markets (zeros where the account never held a position).
template PerpAccountHash() {
    signal input collateral;
    signal input size[MAX_PERP_MARKETS()];
    signal input settledIndex[MAX_PERP_MARKETS()];
    signal output out;

    component h = Poseidon(1 + 2 * MAX_PERP_MARKETS());
    h.inputs[0] <== collateral;
    for (var i = 0; i < MAX_PERP_MARKETS(); i++) {
        h.inputs[1 + 2 * i] <== size[i];
        h.inputs[2 + 2 * i] <== settledIndex[i];
    }
    out <== h.out;
}

// PerpCommitment(): Poseidon of the MAX_PERP_MARKETS markets' hashes, each
// Poseidon([oraclePrice, oracleTime, fundingIndex, fundingTime, openInterest]),
// and the collateral pool: the state root's second input.
template PerpCommitment() {
    signal input oraclePrice[MAX_PERP_MARKETS()];
    signal input oracleTime[MAX_PERP_MARKETS()];
    signal input fundingIndex[MAX_PERP_MARKETS()];
    signal input fundingTime[MAX_PERP_MARKETS()];
    signal input openInterest[MAX_PERP_MARKETS()];
    signal input collateralPool;
    signal output out;

    component market[MAX_PERP_MARKETS()];
    component all = Poseidon(MAX_PERP_MARKETS() + 1);
    for (var i = 0; i < MAX_PERP_MARKETS(); i++) {
        market[i] = Poseidon(5);
        market[i].inputs[0] <== oraclePrice[i];
        market[i].inputs[1] <== oracleTime[i];
        market[i].inputs[2] <== fundingIndex[i];
        market[i].inputs[3] <== fundingTime[i];
        market[i].inputs[4] <== openInterest[i];
        all.inputs[i] <== market[i].out;
    }
    all.inputs[MAX_PERP_MARKETS()] <== collateralPool;
    out <== all.out;
}
