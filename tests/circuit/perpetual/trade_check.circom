pragma circom 2.1.0;

// A perpetual trade's rules on two accounts and the market, for the tests
// of circuits/perpetual/trade.circom (test_trade_circuit.py): both sides'
// fills and fees, the fee account's credit, the margin rule, reduce-only,
// a priced market, open interest and fresh prices. The accounts come funding-settled; the orders' own rules are
// spot's and not repeated here.

include "perpetual/trade.circom";

template TradeCheck(markets) {
    signal input traded[markets];
    signal input price[markets];
    signal input oracleTime[markets];
    signal input quantum[markets];
    signal input initialMargin[markets];
    signal input maintenanceMargin[markets];
    signal input openInterest;
    signal input cap;
    signal input timestamp;
    signal input maxAge;
    signal input makerCollateral;
    signal input makerSize[markets];
    signal input takerCollateral;
    signal input takerSize[markets];
    signal input makerBuys;
    signal input fill;
    signal input makerPrice;
    signal input feeBps[2];
    signal input fee[2];
    signal input feeRemainder[2];
    signal input reduceOnly[2];
    signal input feeCollateral;

    makerBuys * (makerBuys - 1) === 0;
    reduceOnly[0] * (reduceOnly[0] - 1) === 0;
    reduceOnly[1] * (reduceOnly[1] - 1) === 0;
    // What the batch circuit will read from the state, its constants and its time, range-checked as assumed.
    component timestampRange = RangeCheck(TIMESTAMP_BITS());
    timestampRange.in <== timestamp;
    component maxAgeRange = RangeCheck(32);
    maxAgeRange.in <== maxAge;
    component interestRange = RangeCheck(SIZE_BITS());
    interestRange.in <== openInterest;
    component capRange = RangeCheck(SIZE_BITS());
    capRange.in <== cap;
    component feeAccountRange = SignedRange(COLLATERAL_BITS());
    feeAccountRange.in <== feeCollateral;
    component marketPrice[markets];
    component marketTime[markets];
    component marketQuantum[markets];
    component marketInitial[markets];
    component marketMaintenance[markets];
    for (var i = 0; i < markets; i++) {
        marketPrice[i] = RangeCheck(PERP_PRICE_BITS());
        marketPrice[i].in <== price[i];
        marketTime[i] = RangeCheck(TIMESTAMP_BITS());
        marketTime[i].in <== oracleTime[i];
        marketQuantum[i] = RangeCheck(QUANTUM_BITS());
        marketQuantum[i].in <== quantum[i];
        marketInitial[i] = RangeCheck(MARGIN_FRACTION_BITS());
        marketInitial[i].in <== initialMargin[i];
        marketMaintenance[i] = RangeCheck(MARGIN_FRACTION_BITS());
        marketMaintenance[i].in <== maintenanceMargin[i];
    }
    component makerRange = SignedRange(COLLATERAL_BITS());
    makerRange.in <== makerCollateral;
    component takerRange = SignedRange(COLLATERAL_BITS());
    takerRange.in <== takerCollateral;
    component fillRange = RangeCheck(SIZE_BITS());
    fillRange.in <== fill;
    component priceRange = RangeCheck(PERP_PRICE_BITS());
    priceRange.in <== makerPrice;
    component nothing = IsZero();
    nothing.in <== fill;
    nothing.out === 0;
    var count = 0;
    for (var i = 0; i < markets; i++) {
        traded[i] * (traded[i] - 1) === 0;
        count += traded[i];
    }
    count === 1;
    component feeRange[2];
    for (var j = 0; j < 2; j++) {
        feeRange[j] = RangeCheck(TRADE_FEE_BPS_BITS());
        feeRange[j].in <== feeBps[j];
    }

    // circomspect: CS0018 the positions after are checked through the margin and open-interest rules inside.
    component effects = PerpTradeEffects(markets);
    effects.enabled <== 1;
    effects.traded <== traded;
    effects.price <== price;
    effects.oracleTime <== oracleTime;
    effects.quantum <== quantum;
    effects.initialMargin <== initialMargin;
    effects.maintenanceMargin <== maintenanceMargin;
    effects.openInterest <== openInterest;
    effects.cap <== cap;
    effects.timestamp <== timestamp;
    effects.maxAge <== maxAge;
    effects.collateral <== [makerCollateral, takerCollateral];
    effects.size <== [makerSize, takerSize];
    effects.makerBuys <== makerBuys;
    effects.fill <== fill;
    effects.makerPrice <== makerPrice;
    effects.feeBps <== feeBps;
    effects.fee <== fee;
    effects.feeRemainder <== feeRemainder;
    effects.reduceOnly <== reduceOnly;

    // Both fees to the fee account's collateral.
    component credit = CollateralCredit();
    credit.collateral <== feeCollateral;
    credit.amount <== effects.fees;
}
