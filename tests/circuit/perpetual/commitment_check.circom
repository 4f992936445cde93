pragma circom 2.1.0;

// The perpetual state's hashes and the parameters' hash against the spec's, for
// tests/circuit/perpetual/test_commitment_circuit.py.

include "perpetual/commitment.circom";

template CommitmentCheck() {
    signal input collateral;
    signal input size[MAX_PERP_MARKETS()];
    signal input settledIndex[MAX_PERP_MARKETS()];
    signal input accountHash;
    signal input oraclePrice[MAX_PERP_MARKETS()];
    signal input oracleTime[MAX_PERP_MARKETS()];
    signal input fundingIndex[MAX_PERP_MARKETS()];
    signal input fundingTime[MAX_PERP_MARKETS()];
    signal input openInterest[MAX_PERP_MARKETS()];
    signal input collateralPool;
    signal input configHash;
    signal input commitment;

    component account = PerpAccountHash();
    account.collateral <== collateral;
    account.size <== size;
    account.settledIndex <== settledIndex;
    account.out === accountHash;

    component markets = PerpCommitment();
    markets.oraclePrice <== oraclePrice;
    markets.oracleTime <== oracleTime;
    markets.fundingIndex <== fundingIndex;
    markets.fundingTime <== fundingTime;
    markets.openInterest <== openInterest;
    markets.collateralPool <== collateralPool;
    markets.configHash <== configHash;
    markets.out === commitment;
}

// The parameters' hash against the spec's, with `keys` oracle keys.
template ConfigHashCheck(keys) {
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
    signal input configHash;

    for (var i = 0; i < MAX_PERP_MARKETS(); i++) {
        configured[i] * (configured[i] - 1) === 0;
    }
    component hash = PerpConfigHash(keys);
    hash.collateralToken <== collateralToken;
    hash.oracleQuorum <== oracleQuorum;
    hash.oracleWindow <== oracleWindow;
    hash.maxPriceAge <== maxPriceAge;
    hash.insuranceFund <== insuranceFund;
    hash.maxLiquidationPenalty <== maxLiquidationPenalty;
    hash.configured <== configured;
    hash.quantum <== quantum;
    hash.initialMargin <== initialMargin;
    hash.maintenanceMargin <== maintenanceMargin;
    hash.maxFundingRate <== maxFundingRate;
    hash.openInterestCap <== openInterestCap;
    hash.keyAx <== keyAx;
    hash.keyAy <== keyAy;
    hash.out === configHash;
}
