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
    }
    count === 1;

    component priced = MarketPriced(markets);
    priced.enabled <== 1;
    priced.traded <== traded;
    priced.price <== price;

    // circomspect: CS0018 the fund's requirements do not matter (a deleveraging reads its value).
    component fund = PerpHealth(markets);
    fund.collateral <== fundCollateral;
    fund.size <== fundSize;
    fund.price <== price;
    fund.quantum <== quantum;
    fund.initialMargin <== initialMargin;
    fund.maintenanceMargin <== maintenanceMargin;

    // circomspect: CS0018 the positions after and the open interest are checked inside; only the counterparty's collateral after is read here.
    component effects = PerpCloseEffects(markets);
    effects.isLiquidation <== 1 - deleverage;
    effects.isDeleverage <== deleverage;
    effects.byOrder <== 1 - byFund;
    effects.traded <== traded;
    effects.price <== price;
    effects.quantum <== quantum;
    effects.initialMargin <== initialMargin;
    effects.maintenanceMargin <== maintenanceMargin;
    effects.collateral <== collateral;
    effects.size <== size;
    effects.counterCollateral <== counterCollateral;
    effects.counterSize <== counterSize;
    effects.fundValue <== fund.value;
    effects.fundIsClosed <== 0;
    effects.fundIsCounter <== 0;
    effects.closing <== closing;
    effects.quote <== quote;
    effects.penalty <== penalty;
    effects.maxPenalty <== maxPenalty;
    // An open interest no close can take below zero (it never rises, so the cap is not reached).
    effects.openInterest <== 1 << (SIZE_BITS() + 1);
    effects.cap <== 1 << (SIZE_BITS() + 1);

    // The penalty to the insurance fund: the counterparty itself when it is the fund.
    component penaltyCredit = CollateralCredit();
    penaltyCredit.collateral <== fundCollateral + byFund * (effects.counterCollateralAfter - fundCollateral);
    penaltyCredit.amount <== penalty;
}
