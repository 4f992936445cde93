pragma circom 2.1.0;

// A collateral transfer on one account, for the tests of
// CollateralTransfer and MeetsInitial (test_transfer_circuit.py): the account comes
// funding-settled with its positions; its health after is PerpHealth's; the
// collateral pool follows within its range (as PerpTransferSlot checks it).

include "perpetual/trade.circom";

template TransferCheck(markets) {
    signal input toCollateral;
    signal input amount;
    signal input spotBalance;
    signal input collateral;
    signal input pool;
    signal input size[markets];
    signal input price[markets];
    signal input oracleTime[markets];
    signal input quantum[markets];
    signal input initialMargin[markets];
    signal input maintenanceMargin[markets];
    signal input timestamp;
    signal input maxAge;

    component collateralRange = SignedRange(COLLATERAL_BITS());
    collateralRange.in <== collateral;
    component spotRange = RangeCheck(AMOUNT_BITS());
    spotRange.in <== spotBalance;
    component timestampRange = RangeCheck(TIMESTAMP_BITS());
    timestampRange.in <== timestamp;
    component maxAgeRange = RangeCheck(32);
    maxAgeRange.in <== maxAge;
    component priceRange[markets];
    component timeRange[markets];
    component quantumRange[markets];
    component initialRange[markets];
    component maintenanceRange[markets];
    for (var i = 0; i < markets; i++) {
        priceRange[i] = RangeCheck(PERP_PRICE_BITS());
        priceRange[i].in <== price[i];
        timeRange[i] = RangeCheck(TIMESTAMP_BITS());
        timeRange[i].in <== oracleTime[i];
        quantumRange[i] = RangeCheck(QUANTUM_BITS());
        quantumRange[i].in <== quantum[i];
        initialRange[i] = RangeCheck(MARGIN_FRACTION_BITS());
        initialRange[i].in <== initialMargin[i];
        maintenanceRange[i] = RangeCheck(MARGIN_FRACTION_BITS());
        maintenanceRange[i].in <== maintenanceMargin[i];
    }

    component move = CollateralTransfer();
    move.toCollateral <== toCollateral;
    move.amount <== amount;
    move.spotBalance <== spotBalance;
    move.collateral <== collateral;
    component after = PerpHealth(markets);
    after.collateral <== move.collateralAfter;
    after.size <== size;
    after.price <== price;
    after.quantum <== quantum;
    after.initialMargin <== initialMargin;
    after.maintenanceMargin <== maintenanceMargin;
    component margin = MeetsInitial();
    margin.enabled <== 1 - toCollateral;
    margin.value <== after.value;
    margin.initial <== after.initial;

    // Collateral leaving reads every market's price: they must be fresh.
    // The collateral pool follows, never below zero nor 2^COLLATERAL_BITS or more (the batch's range check before).
    component poolRange = RangeCheck(COLLATERAL_BITS());
    poolRange.in <== pool;
    component poolAfterRange = RangeCheck(COLLATERAL_BITS());
    poolAfterRange.in <== pool + move.collateralAfter - collateral;
    component fresh = PricesFresh(markets);
    fresh.enabled <== 1 - toCollateral;
    fresh.price <== price;
    fresh.oracleTime <== oracleTime;
    fresh.timestamp <== timestamp;
    fresh.maxAge <== maxAge;
}
