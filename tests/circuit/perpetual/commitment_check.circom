pragma circom 2.1.0;

// The perpetual state's hashes against the spec's, for
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
    markets.out === commitment;
}
