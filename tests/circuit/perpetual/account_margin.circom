pragma circom 2.1.0;

// One account's side of a perpetual fill, for the tests of
// circuits/perpetual/margin.circom: its funding settled, its health before
// and after, and the margin rule, against the spec's values
// (tests/circuit/perpetual/test_margin_circuit.py). The batch's perpetual
// slot will read the same values from the state instead of its inputs.
//
//   traded[i]                   bit     one-hot: the market of the fill
//   collateral, size[i], settledIndex[i]   field   the account before, funding unsettled
//   index[i], price[i]          field   each market's funding index and oracle price
//   quantum[i], initialMargin[i], maintenanceMargin[i]   field   each market's parameters
//   payment[i], remainder[i]    field   the funding settlement's division (witness)
//   settledCollateral           field   the spec's collateral once funding is settled
//   collateralAfter, sizeAfter[i]   field   the account after the fill

include "perpetual/margin.circom";

template AccountMargin(markets) {
    signal input traded[markets];
    signal input collateral;
    signal input size[markets];
    signal input settledIndex[markets];
    signal input index[markets];
    signal input price[markets];
    signal input quantum[markets];
    signal input initialMargin[markets];
    signal input maintenanceMargin[markets];
    signal input payment[markets];
    signal input remainder[markets];
    signal input settledCollateral;
    signal input collateralAfter;
    signal input sizeAfter[markets];

    component collateralRange = SignedRange(COLLATERAL_BITS());
    collateralRange.in <== collateral;
    component afterRange = SignedRange(COLLATERAL_BITS());
    afterRange.in <== collateralAfter;
    component settledCollateralRange = SignedRange(COLLATERAL_BITS());
    settledCollateralRange.in <== settledCollateral;
    component indexRange[markets];
    component settledRange[markets];
    // What the batch circuit will read from the state or its constants,
    // range-checked here as PerpHealth and FundingSettlement assume.
    component priceRange[markets];
    component quantumRange[markets];
    component initialRange[markets];
    component maintenanceRange[markets];
    var tradedCount = 0;
    var sizeBefore = 0;
    var sizeTraded = 0;
    signal beforeOf[markets];
    signal afterOf[markets];
    for (var i = 0; i < markets; i++) {
        traded[i] * (traded[i] - 1) === 0;
        priceRange[i] = RangeCheck(PERP_PRICE_BITS());
        priceRange[i].in <== price[i];
        quantumRange[i] = RangeCheck(QUANTUM_BITS());
        quantumRange[i].in <== quantum[i];
        initialRange[i] = RangeCheck(MARGIN_FRACTION_BITS());
        initialRange[i].in <== initialMargin[i];
        maintenanceRange[i] = RangeCheck(MARGIN_FRACTION_BITS());
        maintenanceRange[i].in <== maintenanceMargin[i];
        tradedCount += traded[i];
        indexRange[i] = SignedRange(FUNDING_INDEX_BITS());
        indexRange[i].in <== index[i];
        settledRange[i] = SignedRange(FUNDING_INDEX_BITS());
        settledRange[i].in <== settledIndex[i];
        // Only the traded market's position changes.
        (1 - traded[i]) * (sizeAfter[i] - size[i]) === 0;
        beforeOf[i] <== traded[i] * size[i];
        afterOf[i] <== traded[i] * sizeAfter[i];
        sizeBefore += beforeOf[i];
        sizeTraded += afterOf[i];
    }
    tradedCount === 1;

    component settle = FundingSettlement(markets);
    settle.collateral <== collateral;
    settle.size <== size;
    settle.settledIndex <== settledIndex;
    settle.index <== index;
    settle.quantum <== quantum;
    settle.payment <== payment;
    settle.remainder <== remainder;
    settle.out === settledCollateral;

    component before = PerpHealth(markets);
    before.collateral <== settledCollateral;
    before.size <== size;
    before.price <== price;
    before.quantum <== quantum;
    before.initialMargin <== initialMargin;
    before.maintenanceMargin <== maintenanceMargin;

    component after = PerpHealth(markets);
    after.collateral <== collateralAfter;
    after.size <== sizeAfter;
    after.price <== price;
    after.quantum <== quantum;
    after.initialMargin <== initialMargin;
    after.maintenanceMargin <== maintenanceMargin;

    component margin = MarginAfterFill();
    margin.enabled <== 1;
    margin.valueBefore <== before.value;
    margin.maintenanceBefore <== before.maintenance;
    margin.valueAfter <== after.value;
    margin.initialAfter <== after.initial;
    margin.maintenanceAfter <== after.maintenance;
    margin.sizeBefore <== sizeBefore;
    margin.sizeAfter <== sizeTraded;
}
