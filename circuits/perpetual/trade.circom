pragma circom 2.1.0;

// A perpetual trade's rules on the accounts and the market, mirroring
// sequencer/spec/perpetual/rules.py's process_perp_trade: each side's
// fill and fee, reduce-only, open interest and fresh prices. The orders'
// own rules (signatures, expiry, limits, kinds, slots) are spot's
// (trade.circom, order.circom); the margin rule is MarginAfterFill's.

include "circomlib/circuits/comparators.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";
include "margin.circom";

// PerpFill(markets): one account's side of a fill. It buys (buy = 1) or
// sells `fill` lots of the traded market at `price` ticks: its position
// moves by fill, its collateral by the notional fill * price * quantum,
// the other way, and it pays fee = floor(notional * feeBps / BPS), whose
// quotient and remainder the witness gives (fee_amount).
//
//   traded[i]            bit     one-hot: the market
//   collateral, size[i]  field   the account, funding settled (signed, range-checked by the caller)
//   buy                  bit
//   fill, price          field   < 2^SIZE_BITS, < 2^PERP_PRICE_BITS (range-checked by the caller)
//   quantum              field   the traded market's quantum (< 2^QUANTUM_BITS)
//   feeBps               field   < 2^TRADE_FEE_BPS_BITS (range-checked by the caller)
//   fee, feeRemainder    field   the division's quotient and remainder (witness)
//   notional             field   output: fill * price * quantum
//   collateralAfter      field   output, range-checked (CollateralOutOfRange); the positions
//                                after are range-checked by PerpHealth (PositionOutOfRange)
template PerpFill(markets) {
    signal input traded[markets];
    signal input collateral;
    signal input size[markets];
    signal input buy;
    signal input fill;
    signal input price;
    signal input quantum;
    signal input feeBps;
    signal input fee;
    signal input feeRemainder;
    signal output notional;
    signal output collateralAfter;
    signal output sizeAfter[markets];

    signal perLot <== price * quantum;
    notional <== fill * perLot;
    // notional < 2^112 and feeBps < 2^8: both sides far below the field.
    notional * feeBps === fee * BPS() + feeRemainder;
    component feeRange = RangeCheck(AMOUNT_BITS());
    feeRange.in <== fee;
    component remainderRange = RangeCheck(14);
    remainderRange.in <== feeRemainder;
    component remainderBelow = LessThan(14);
    // circomspect: CS0014 range-checked to 14 bits just above.
    remainderBelow.in[0] <== feeRemainder;
    // circomspect: CS0014 a constant, 10,000 < 2^14.
    remainderBelow.in[1] <== BPS();
    remainderBelow.out === 1;

    signal direction <== 2 * buy - 1;
    signal cash <== direction * notional;
    collateralAfter <== collateral - cash - fee;
    component collateralRange = SignedRange(COLLATERAL_BITS());
    collateralRange.in <== collateralAfter;
    signal change[markets];
    for (var i = 0; i < markets; i++) {
        change[i] <== traded[i] * fill;
        sizeAfter[i] <== size[i] + direction * change[i];
    }
}

// ReduceOnlyRule(): when enabled, a reduce-only order's fill only shrinks
// its account's position (ReduceOnlyIncrease).
//
//   reduceOnly      bit     the order's flag (signed)
//   before, after   field   the position in the traded market, |.| < 2^SIZE_BITS
template ReduceOnlyRule() {
    signal input enabled;
    signal input reduceOnly;
    signal input before;
    signal input after;

    component reduced = ExposureReduced();
    reduced.before <== before;
    reduced.after <== after;
    signal bound <== enabled * reduceOnly;
    bound * (1 - reduced.out) === 0;
}

// OpenInterestAfter(parties): the market's open interest (the sum of long
// positions) after the parties' positions there change, and, when enabled
// and it rises, at most the cap (OpenInterestCapExceeded).
//
//   before[j], after[j]   field   each party's position in the market, |.| < 2^SIZE_BITS
//   openInterest, cap     field   the market's, < 2^SIZE_BITS
//   out                   field   the open interest after
template OpenInterestAfter(parties) {
    signal input enabled;
    signal input before[parties];
    signal input after[parties];
    signal input openInterest;
    signal input cap;
    signal output out;

    component was[parties];
    component is[parties];
    signal longBefore[parties];
    signal longAfter[parties];
    var change = 0;
    for (var j = 0; j < parties; j++) {
        was[j] = SignedAbs(SIZE_BITS());
        was[j].in <== before[j];
        is[j] = SignedAbs(SIZE_BITS());
        is[j].in <== after[j];
        longBefore[j] <== (1 - was[j].negative) * was[j].out;
        longAfter[j] <== (1 - is[j].negative) * is[j].out;
        change += longAfter[j] - longBefore[j];
    }
    out <== openInterest + change;

    component rises = SignedLessEq(SIZE_BITS() + 2);
    rises.a <== change;
    rises.b <== 0;
    component withinCap = LessEqThan(SIZE_BITS() + 2);
    // Both below 2^(SIZE_BITS + 2) when the open interest rises: the market's (< 2^SIZE_BITS) plus two parties' changes.
    withinCap.in[0] <== out;
    withinCap.in[1] <== cap;
    signal bound <== enabled * (1 - rises.out);
    bound * (1 - withinCap.out) === 0;
}

// PricesFresh(markets): when enabled, every market with a price was priced
// at most maxAge seconds before timestamp (OraclePriceTooOld):
// timestamp <= oracleTime + maxAge.
//
//   price[i], oracleTime[i]   field   each market's (< 2^PERP_PRICE_BITS, < 2^TIMESTAMP_BITS)
//   timestamp, maxAge         field   the batch's time, the deployment's max_price_age (< 2^32)
template PricesFresh(markets) {
    signal input enabled;
    signal input price[markets];
    signal input oracleTime[markets];
    signal input timestamp;
    signal input maxAge;

    component unpriced[markets];
    component fresh[markets];
    signal bound[markets];
    for (var i = 0; i < markets; i++) {
        unpriced[i] = IsZero();
        unpriced[i].in <== price[i];
        fresh[i] = LessEqThan(TIMESTAMP_BITS() + 1);
        // Both below 2^(TIMESTAMP_BITS + 1): a time and a time plus a 32-bit age.
        fresh[i].in[0] <== timestamp;
        fresh[i].in[1] <== oracleTime[i] + maxAge;
        bound[i] <== enabled * (1 - unpriced[i].out);
        bound[i] * (1 - fresh[i].out) === 0;
    }
}

// MarketPriced(markets): when enabled, the traded market has an oracle
// price (NoOraclePrice): a position in a market never priced would need no
// margin.
//
//   traded[i], price[i]   field   the one-hot market and each market's price
template MarketPriced(markets) {
    signal input enabled;
    signal input traded[markets];
    signal input price[markets];

    signal priceOf[markets];
    var tradedPrice = 0;
    for (var i = 0; i < markets; i++) {
        priceOf[i] <== traded[i] * price[i];
        tradedPrice += priceOf[i];
    }
    component unpriced = IsZero();
    unpriced.in <== tradedPrice;
    enabled * unpriced.out === 0;
}

// CollateralCredit(): out = collateral + amount, range-checked
// (CollateralOutOfRange): the fee account's fees, the insurance fund's penalty.
template CollateralCredit() {
    signal input collateral;
    signal input amount;
    signal output out;

    out <== collateral + amount;
    component range = SignedRange(COLLATERAL_BITS());
    range.in <== out;
}

// CollateralTransfer(): a move of `amount` between the spot balance of the
// collateral token and the collateral (process_collateral_transfer's
// arithmetic; its signature, nonce and spot balance's update are the
// withdrawal's): both sides after must fit, so too little spot balance
// (InsufficientBalance), a spot balance reaching 2^AMOUNT_BITS
// (BalanceOverflow) or a collateral out of range (CollateralOutOfRange)
// leave no witness. Collateral leaving must also leave the account meeting
// its initial margin at fresh prices: MeetsInitial and PricesFresh, enabled
// by 1 - toCollateral.
//
//   toCollateral     bit
//   amount           field   < 2^AMOUNT_BITS
//   spotBalance      field   the spot balance of the collateral token (< 2^AMOUNT_BITS)
//   collateral       field   the account's collateral, funding settled (range-checked by the caller)
//   collateralAfter, spotAfter   field   outputs
template CollateralTransfer() {
    signal input toCollateral;
    signal input amount;
    signal input spotBalance;
    signal input collateral;
    signal output collateralAfter;
    signal output spotAfter;

    toCollateral * (toCollateral - 1) === 0;
    component amountRange = RangeCheck(AMOUNT_BITS());
    amountRange.in <== amount;
    signal direction <== 2 * toCollateral - 1;
    signal moved <== direction * amount;
    collateralAfter <== collateral + moved;
    spotAfter <== spotBalance - moved;
    component collateralRange = SignedRange(COLLATERAL_BITS());
    collateralRange.in <== collateralAfter;
    component spotRange = RangeCheck(AMOUNT_BITS());
    spotRange.in <== spotAfter;
}

// MeetsInitial(): when enabled, value * MARGIN_SCALE >= initial (MarginInsufficient).
//
//   value, initial   field   PerpHealth's outputs
template MeetsInitial() {
    signal input enabled;
    signal input value;
    signal input initial;

    component meets = SignedLessEq(REQUIREMENT_BITS() + 1);
    meets.a <== initial;
    meets.b <== value * MARGIN_SCALE();
    enabled * (1 - meets.out) === 0;
}

// PerpTradeEffects(markets): when enabled, a perpetual fill's effects on its
// two accounts and its market, and the rules on them (process_perp_trade
// from the accounts' funding settlement on): each side's fill and fee
// (PerpFill), reduce-only, the margin rule, a priced market, fresh prices
// and the open interest's cap. Party 0 is the maker, 1 the taker; the fill
// is at the maker's price. Disabled, the caller passes zero accounts and a
// zero fill, and every rule holds.
//
//   traded[i]                       bit     one-hot: the market (all zero when disabled)
//   price[i], oracleTime[i]         field   each market's oracle price and time (range-checked by the caller)
//   quantum[i], initialMargin[i], maintenanceMargin[i]   field   the markets' parameters
//   openInterest, cap               field   the traded market's (< 2^SIZE_BITS)
//   timestamp, maxAge               field   the batch's time, the deployment's max_price_age
//   collateral[j], size[j][i]       field   party j, funding settled (collateral range-checked by the caller)
//   makerBuys                       bit
//   fill, makerPrice                field   < 2^SIZE_BITS, < 2^PERP_PRICE_BITS (range-checked by the caller)
//   feeBps[j]                       field   < 2^TRADE_FEE_BPS_BITS (range-checked by the caller)
//   fee[j], feeRemainder[j]         field   each fee's division (witness; PerpFill checks it)
//   reduceOnly[j]                   bit     the orders' flags (bits: the caller's signed messages)
//   collateralAfter[j], sizeAfter[j][i]   field   outputs: party j after the fill, before the fee account's credit
//   openInterestAfter, fees         field   outputs: the traded market's open interest after, both fees
template PerpTradeEffects(markets) {
    signal input enabled;
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
    signal input collateral[2];
    signal input size[2][markets];
    signal input makerBuys;
    signal input fill;
    signal input makerPrice;
    signal input feeBps[2];
    signal input fee[2];
    signal input feeRemainder[2];
    signal input reduceOnly[2];
    signal output collateralAfter[2];
    signal output sizeAfter[2][markets];
    signal output openInterestAfter;
    signal output fees;

    // The traded market's quantum and each party's position there.
    signal quantumOf[markets];
    signal positionOf[2][markets];
    var tradedQuantum = 0;
    var position[2] = [0, 0];
    for (var i = 0; i < markets; i++) {
        quantumOf[i] <== traded[i] * quantum[i];
        tradedQuantum += quantumOf[i];
        for (var j = 0; j < 2; j++) {
            positionOf[j][i] <== traded[i] * size[j][i];
            position[j] += positionOf[j][i];
        }
    }

    signal buys[2];
    buys[0] <== makerBuys;
    buys[1] <== 1 - makerBuys;
    component fills[2];
    component before[2];
    component after[2];
    component margin[2];
    component reduce[2];
    for (var j = 0; j < 2; j++) {
        // circomspect: CS0018 the notional is PerpFill's own, for its fee.
        fills[j] = PerpFill(markets);
        fills[j].traded <== traded;
        fills[j].collateral <== collateral[j];
        fills[j].size <== size[j];
        fills[j].buy <== buys[j];
        fills[j].fill <== fill;
        fills[j].price <== makerPrice;
        fills[j].quantum <== tradedQuantum;
        fills[j].feeBps <== feeBps[j];
        fills[j].fee <== fee[j];
        fills[j].feeRemainder <== feeRemainder[j];
        collateralAfter[j] <== fills[j].collateralAfter;
        sizeAfter[j] <== fills[j].sizeAfter;

        // circomspect: CS0018 the margin rule reads the account before by its value and maintenance requirement only.
        before[j] = PerpHealth(markets);
        before[j].collateral <== collateral[j];
        before[j].size <== size[j];
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
        margin[j].enabled <== enabled;
        margin[j].valueBefore <== before[j].value;
        margin[j].maintenanceBefore <== before[j].maintenance;
        margin[j].valueAfter <== after[j].value;
        margin[j].initialAfter <== after[j].initial;
        margin[j].maintenanceAfter <== after[j].maintenance;
        margin[j].sizeBefore <== position[j];
        margin[j].sizeAfter <== position[j] + (2 * buys[j] - 1) * fill;

        reduce[j] = ReduceOnlyRule();
        reduce[j].enabled <== enabled;
        reduce[j].reduceOnly <== reduceOnly[j];
        reduce[j].before <== margin[j].sizeBefore;
        reduce[j].after <== margin[j].sizeAfter;
    }
    fees <== fee[0] + fee[1];

    component interest = OpenInterestAfter(2);
    interest.enabled <== enabled;
    interest.before[0] <== margin[0].sizeBefore;
    interest.before[1] <== margin[1].sizeBefore;
    interest.after[0] <== margin[0].sizeAfter;
    interest.after[1] <== margin[1].sizeAfter;
    interest.openInterest <== openInterest;
    interest.cap <== cap;
    openInterestAfter <== interest.out;

    component priced = MarketPriced(markets);
    priced.enabled <== enabled;
    priced.traded <== traded;
    priced.price <== price;

    component fresh = PricesFresh(markets);
    fresh.enabled <== enabled;
    fresh.price <== price;
    fresh.oracleTime <== oracleTime;
    fresh.timestamp <== timestamp;
    fresh.maxAge <== maxAge;
}
