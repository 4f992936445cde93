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

// PerpCommitment(): Poseidon([markets, configHash]), markets the Poseidon of
// the MAX_PERP_MARKETS markets' hashes, each Poseidon([oraclePrice,
// oracleTime, fundingIndex, fundingTime, openInterest]), and the collateral
// pool; configHash the deployment's perpetual parameters (PerpConfigHash):
// the state root's second input.
template PerpCommitment() {
    signal input oraclePrice[MAX_PERP_MARKETS()];
    signal input oracleTime[MAX_PERP_MARKETS()];
    signal input fundingIndex[MAX_PERP_MARKETS()];
    signal input fundingTime[MAX_PERP_MARKETS()];
    signal input openInterest[MAX_PERP_MARKETS()];
    signal input collateralPool;
    signal input configHash;
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
    component withConfig = Poseidon(2);
    withConfig.inputs[0] <== all.out;
    withConfig.inputs[1] <== configHash;
    out <== withConfig.out;
}

// PerpConfigHash(keys): the hash of a deployment's perpetual parameters
// with `keys` oracle keys (sequencer/spec/perpetual/commitment.py,
// perp_config_hash): Poseidon([collateralToken, oracleQuorum, oracleWindow,
// maxPriceAge, insuranceFund, maxLiquidationPenalty, markets, oracleKeys]),
// markets the Poseidon of each market's Poseidon([quantum, initialMargin,
// maintenanceMargin, maxFundingRate, openInterestCap]) (0 for a market not
// configured: configured[i] = 0), oracleKeys the keys folded in order,
// h = Poseidon([h, ax, ay]) from 0. A slot that reads a parameter takes it
// as witness against this hash, which the state root commits to.
//
// NOTE: configured[i] must be 0 or 1; the caller constrains it (a hash with
// configured[i] = 0 equals the spec's only for an unconfigured market).
template PerpConfigHash(keys) {
    signal input collateralToken;
    signal input oracleQuorum;
    signal input oracleWindow;
    signal input maxPriceAge;
    signal input insuranceFund;
    signal input maxLiquidationPenalty;
    signal input configured[MAX_PERP_MARKETS()];
    signal input quantum[MAX_PERP_MARKETS()];
    signal input initialMargin[MAX_PERP_MARKETS()];
    signal input maintenanceMargin[MAX_PERP_MARKETS()];
    signal input maxFundingRate[MAX_PERP_MARKETS()];
    signal input openInterestCap[MAX_PERP_MARKETS()];
    signal input keyAx[keys];
    signal input keyAy[keys];
    signal output out;

    component params[MAX_PERP_MARKETS()];
    component markets = Poseidon(MAX_PERP_MARKETS());
    for (var i = 0; i < MAX_PERP_MARKETS(); i++) {
        params[i] = Poseidon(5);
        params[i].inputs[0] <== quantum[i];
        params[i].inputs[1] <== initialMargin[i];
        params[i].inputs[2] <== maintenanceMargin[i];
        params[i].inputs[3] <== maxFundingRate[i];
        params[i].inputs[4] <== openInterestCap[i];
        markets.inputs[i] <== configured[i] * params[i].out;
    }
    component fold[keys];
    signal folded[keys + 1];
    folded[0] <== 0;
    for (var k = 0; k < keys; k++) {
        fold[k] = Poseidon(3);
        fold[k].inputs[0] <== folded[k];
        fold[k].inputs[1] <== keyAx[k];
        fold[k].inputs[2] <== keyAy[k];
        folded[k + 1] <== fold[k].out;
    }
    component all = Poseidon(8);
    all.inputs[0] <== collateralToken;
    all.inputs[1] <== oracleQuorum;
    all.inputs[2] <== oracleWindow;
    all.inputs[3] <== maxPriceAge;
    all.inputs[4] <== insuranceFund;
    all.inputs[5] <== maxLiquidationPenalty;
    all.inputs[6] <== markets.out;
    all.inputs[7] <== folded[keys];
    out <== all.out;
}
