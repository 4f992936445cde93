pragma circom 2.1.0;

// A liquidation or a deleveraging of one account, on its values, its
// counterparty's and the insurance fund's, for the tests of
// circuits/perpetual/liquidation.circom (test_liquidation_circuit.py). The
// accounts come funding-settled; the batch's slot will read them from the
// state, and check the liquidator's order as a trade's.
//
//   deleverage   bit     1: DeleverageRules; 0: LiquidationRules
//   byFund       bit     a liquidation with no order: the counterparty is the fund
//   traded[i], price[i], quantum[i], initialMargin[i], maintenanceMargin[i]   the markets
//   collateral, size[i]                 the closed account
//   counterCollateral, counterSize[i]   its counterparty (liquidator, fund, or deleveraged against)
//   fundCollateral, fundSize[i]         the insurance fund
//   closing, quote, penalty, maxPenalty   the close

include "perpetual/liquidation.circom";
include "perpetual/trade.circom";

template CloseCheck(markets) {
    signal input deleverage;
    signal input byFund;
    signal input traded[markets];
    signal input price[markets];
    signal input quantum[markets];
    signal input initialMargin[markets];
    signal input maintenanceMargin[markets];
    signal input collateral;
    signal input size[markets];
    signal input counterCollateral;
    signal input counterSize[markets];
    signal input fundCollateral;
    signal input fundSize[markets];
    signal input closing;
    signal input quote;
    signal input penalty;
    signal input maxPenalty;

    deleverage * (deleverage - 1) === 0;
    byFund * (byFund - 1) === 0;
    // A deleveraging carries no penalty.
    deleverage * penalty === 0;
    component ranges[3];
    ranges[0] = SignedRange(COLLATERAL_BITS());
    ranges[0].in <== collateral;
    ranges[1] = SignedRange(COLLATERAL_BITS());
    ranges[1].in <== counterCollateral;
    ranges[2] = SignedRange(COLLATERAL_BITS());
    ranges[2].in <== fundCollateral;
    component quoteRange = RangeCheck(AMOUNT_BITS());
    quoteRange.in <== quote;
    component penaltyRange = RangeCheck(AMOUNT_BITS());
    penaltyRange.in <== penalty;
    component maxPenaltyRange = RangeCheck(MARGIN_FRACTION_BITS());
    maxPenaltyRange.in <== maxPenalty;
    component priceRange[markets];
    component quantumRange[markets];
    component initialRange[markets];
    component maintenanceRange[markets];
    var count = 0;
    var perLot = 0;
    signal perLotOf[markets];
    signal valueOf[markets];
    signal counterOf[markets];
    var counterPosition = 0;
    for (var i = 0; i < markets; i++) {
        traded[i] * (traded[i] - 1) === 0;
        count += traded[i];
        priceRange[i] = RangeCheck(PERP_PRICE_BITS());
        priceRange[i].in <== price[i];
        quantumRange[i] = RangeCheck(QUANTUM_BITS());
        quantumRange[i].in <== quantum[i];
        initialRange[i] = RangeCheck(MARGIN_FRACTION_BITS());
        initialRange[i].in <== initialMargin[i];
        maintenanceRange[i] = RangeCheck(MARGIN_FRACTION_BITS());
        maintenanceRange[i].in <== maintenanceMargin[i];
        valueOf[i] <== price[i] * quantum[i];
        perLotOf[i] <== traded[i] * valueOf[i];
        perLot += perLotOf[i];
        counterOf[i] <== traded[i] * counterSize[i];
        counterPosition += counterOf[i];
    }
    count === 1;

    component priced = MarketPriced(markets);
    priced.enabled <== 1;
    priced.traded <== traded;
    priced.price <== price;

    component close = ClosePosition(markets);
    close.traded <== traded;
    close.collateral <== collateral;
    close.size <== size;
    close.closing <== closing;
    close.quote <== quote;
    close.paid <== penalty;

    component opposite = OppositeFill(markets);
    opposite.traded <== traded;
    opposite.collateral <== counterCollateral;
    opposite.size <== counterSize;
    opposite.closing <== closing;
    opposite.quote <== quote;
    opposite.long <== close.long;

    component before = PerpHealth(markets);
    component after = PerpHealth(markets);
    component counterBefore = PerpHealth(markets);
    component counterAfter = PerpHealth(markets);
    component fund = PerpHealth(markets);
    before.collateral <== collateral;
    before.size <== size;
    after.collateral <== close.collateralAfter;
    after.size <== close.sizeAfter;
    counterBefore.collateral <== counterCollateral;
    counterBefore.size <== counterSize;
    counterAfter.collateral <== opposite.collateralAfter;
    counterAfter.size <== opposite.sizeAfter;
    fund.collateral <== fundCollateral;
    fund.size <== fundSize;
    for (var i = 0; i < markets; i++) {
        before.price[i] <== price[i];
        after.price[i] <== price[i];
        counterBefore.price[i] <== price[i];
        counterAfter.price[i] <== price[i];
        fund.price[i] <== price[i];
        before.quantum[i] <== quantum[i];
        after.quantum[i] <== quantum[i];
        counterBefore.quantum[i] <== quantum[i];
        counterAfter.quantum[i] <== quantum[i];
        fund.quantum[i] <== quantum[i];
        before.initialMargin[i] <== initialMargin[i];
        after.initialMargin[i] <== initialMargin[i];
        counterBefore.initialMargin[i] <== initialMargin[i];
        counterAfter.initialMargin[i] <== initialMargin[i];
        fund.initialMargin[i] <== initialMargin[i];
        before.maintenanceMargin[i] <== maintenanceMargin[i];
        after.maintenanceMargin[i] <== maintenanceMargin[i];
        counterBefore.maintenanceMargin[i] <== maintenanceMargin[i];
        counterAfter.maintenanceMargin[i] <== maintenanceMargin[i];
        fund.maintenanceMargin[i] <== maintenanceMargin[i];
    }

    component liquidation = LiquidationRules();
    liquidation.enabled <== 1 - deleverage;
    liquidation.valueBefore <== before.value;
    liquidation.maintenanceBefore <== before.maintenance;
    liquidation.valueAfter <== after.value;
    liquidation.maintenanceAfter <== after.maintenance;
    liquidation.long <== close.long;
    liquidation.quote <== quote;
    liquidation.penalty <== penalty;
    liquidation.notional <== closing * perLot;
    liquidation.maxPenalty <== maxPenalty;
    liquidation.byFund <== byFund;

    // A liquidator keeps its margin as for a trade; the fund stays worth zero or more.
    signal liquidator <== (1 - deleverage) * (1 - byFund);
    component margin = MarginAfterFill();
    margin.enabled <== liquidator;
    margin.valueBefore <== counterBefore.value;
    margin.maintenanceBefore <== counterBefore.maintenance;
    margin.valueAfter <== counterAfter.value;
    margin.initialAfter <== counterAfter.initial;
    margin.maintenanceAfter <== counterAfter.maintenance;
    margin.sizeBefore <== counterPosition;
    margin.sizeAfter <== counterPosition + (2 * close.long - 1) * closing;
    component fundSolvent = SignedLessEq(VALUE_BITS());
    fundSolvent.a <== 0;
    fundSolvent.b <== counterAfter.value;
    signal fundTakes <== (1 - deleverage) * byFund;
    fundTakes * (1 - fundSolvent.out) === 0;

    // The penalty to the insurance fund: the counterparty itself when it is the fund.
    component penaltyCredit = CollateralCredit();
    penaltyCredit.collateral <== fundCollateral + byFund * (opposite.collateralAfter - fundCollateral);
    penaltyCredit.amount <== penalty;

    component deleveraging = DeleverageRules();
    deleveraging.enabled <== deleverage;
    deleveraging.valueBefore <== before.value;
    deleveraging.maintenanceBefore <== before.maintenance;
    deleveraging.valueAfter <== after.value;
    deleveraging.maintenanceAfter <== after.maintenance;
    deleveraging.long <== close.long;
    deleveraging.quote <== quote;
    deleveraging.closing <== closing;
    deleveraging.fundValue <== fund.value;
    deleveraging.counterPosition <== counterPosition;
    deleveraging.counterValueAfter <== counterAfter.value;
}
