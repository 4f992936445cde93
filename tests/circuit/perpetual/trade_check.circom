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
    // The two parties by index: 0 the maker, 1 the taker.
    signal collateralOf[2];
    signal sizeOf[2][markets];
    signal buys[2];
    signal position[2];
    collateralOf[0] <== makerCollateral;
    collateralOf[1] <== takerCollateral;
    sizeOf[0] <== makerSize;
    sizeOf[1] <== takerSize;
    buys[0] <== makerBuys;
    buys[1] <== 1 - makerBuys;
    component nothing = IsZero();
    nothing.in <== fill;
    nothing.out === 0;
    var count = 0;
    var tradedQuantum = 0;
    var makerPosition = 0;
    var takerPosition = 0;
    signal quantumOf[markets];
    signal makerOf[markets];
    signal takerOf[markets];
    for (var i = 0; i < markets; i++) {
        traded[i] * (traded[i] - 1) === 0;
        count += traded[i];
        quantumOf[i] <== traded[i] * quantum[i];
        tradedQuantum += quantumOf[i];
        makerOf[i] <== traded[i] * makerSize[i];
        makerPosition += makerOf[i];
        takerOf[i] <== traded[i] * takerSize[i];
        takerPosition += takerOf[i];
    }
    count === 1;
    position[0] <== makerPosition;
    position[1] <== takerPosition;

    component fills[2];
    component before[2];
    component after[2];
    component margin[2];
    component reduce[2];
    component feeRange[2];
    for (var j = 0; j < 2; j++) {
        feeRange[j] = RangeCheck(TRADE_FEE_BPS_BITS());
        feeRange[j].in <== feeBps[j];
        fills[j] = PerpFill(markets);
        fills[j].traded <== traded;
        fills[j].collateral <== collateralOf[j];
        fills[j].size <== sizeOf[j];
        fills[j].buy <== buys[j];
        fills[j].fill <== fill;
        fills[j].price <== makerPrice;
        fills[j].quantum <== tradedQuantum;
        fills[j].feeBps <== feeBps[j];
        fills[j].fee <== fee[j];
        fills[j].feeRemainder <== feeRemainder[j];

        before[j] = PerpHealth(markets);
        before[j].collateral <== collateralOf[j];
        before[j].size <== sizeOf[j];
        before[j].price <== price;
        before[j].quantum <== quantum;
        before[j].initialMargin <== initialMargin;
        before[j].maintenanceMargin <== maintenanceMargin;
        after[j] = PerpHealth(markets);
        after[j].collateral <== fills[j].collateralAfter;
        after[j].size <== fills[j].sizeAfter;
        after[j].price <== price;
        after[j].quantum <== quantum;
        after[j].initialMargin <== initialMargin;
        after[j].maintenanceMargin <== maintenanceMargin;

        margin[j] = MarginAfterFill();
        margin[j].enabled <== 1;
        margin[j].valueBefore <== before[j].value;
        margin[j].maintenanceBefore <== before[j].maintenance;
        margin[j].valueAfter <== after[j].value;
        margin[j].initialAfter <== after[j].initial;
        margin[j].maintenanceAfter <== after[j].maintenance;
        margin[j].sizeBefore <== position[j];
        margin[j].sizeAfter <== position[j] + (2 * buys[j] - 1) * fill;

        reduce[j] = ReduceOnlyRule();
        reduce[j].enabled <== 1;
        reduce[j].reduceOnly <== reduceOnly[j];
        reduce[j].before <== margin[j].sizeBefore;
        reduce[j].after <== margin[j].sizeAfter;
    }

    component interest = OpenInterestAfter(2);
    interest.enabled <== 1;
    interest.before[0] <== margin[0].sizeBefore;
    interest.before[1] <== margin[1].sizeBefore;
    interest.after[0] <== margin[0].sizeAfter;
    interest.after[1] <== margin[1].sizeAfter;
    interest.openInterest <== openInterest;
    interest.cap <== cap;

    component priced = MarketPriced(markets);
    priced.enabled <== 1;
    priced.traded <== traded;
    priced.price <== price;

    // Both fees to the fee account's collateral.
    component credit = CollateralCredit();
    credit.collateral <== feeCollateral;
    credit.amount <== fee[0] + fee[1];

    component fresh = PricesFresh(markets);
    fresh.enabled <== 1;
    fresh.price <== price;
    fresh.oracleTime <== oracleTime;
    fresh.timestamp <== timestamp;
    fresh.maxAge <== maxAge;
}
