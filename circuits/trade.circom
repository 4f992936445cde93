pragma circom 2.1.0;

include "circomlib/circuits/comparators.circom";
include "lib/constants.circom";
include "lib/checks.circom";
include "lib/decimal.circom";

// TradeRules(): the checks of a trade that do not touch the state
// (docs/DESIGN.md, Trade, rules 1-10 and 12), and the balance changes it
// implies. Account A is the maker, account B the taker; the two orders share
// baseToken/quoteToken (so MarketMismatch reduces to base != quote) and the
// taker's side is 1 - sideA (so SidesNotOpposite cannot happen).
//
//   enabled                      bit    1 in a trade slot
//   timestamp                    field  batch time; NOTE: range-checked by Batch
//   accountA, accountB           field
//   baseToken, quoteToken        field
//   sideA                        bit    maker side, 0 buy / 1 sell (checked here)
//   priceA, priceB               field  signed limit prices (< 2^96, checked)
//   maxFeeBpsA, maxFeeBpsB       field  signed fee limits (<= 10000, checked)
//   expiryA, expiryB             field  signed expiries (< 2^64, checked)
//   kindA, kindB                 field  signed order kinds (one of the five
//                                codes of OrderKindFlags, checked)
//   amountB                      field  the taker's signed amount
//   fillBase, fillQuote          field  traded amounts (< 2^96, checked)
//   feeBpsA, feeBpsB             field  charged fee rates (< 2^8, checked)
//   baseDeltaA, quoteDeltaA, baseDeltaB, quoteDeltaB (out)  signed changes
//   publishedFill, publishedPrice (out)  field  fillBase and the maker's price
//                                as packed decimal floats (0 unless enabled)
//   baseFee, quoteFee (out)      field  fees collected in base and quote
//   takerImmediate (out)         bit    the taker is immediate-or-cancel or
//                                market (its run of fills: TxSlot)
template TradeRules() {
    signal input enabled;
    signal input timestamp;
    signal input accountA;
    signal input accountB;
    signal input baseToken;
    signal input quoteToken;
    signal input sideA;
    signal input priceA;
    signal input priceB;
    signal input maxFeeBpsA;
    signal input maxFeeBpsB;
    signal input expiryA;
    signal input expiryB;
    signal input kindA;
    signal input kindB;
    signal input amountB;
    signal input fillBase;
    signal input fillQuote;
    signal input feeBpsA;
    signal input feeBpsB;
    signal output baseDeltaA;
    signal output quoteDeltaA;
    signal output baseDeltaB;
    signal output quoteDeltaB;
    signal output baseFee;
    signal output quoteFee;
    signal output takerImmediate;
    signal output publishedFill;
    signal output publishedPrice;

    // 1. Ranges (ValueOutOfRange).
    component sideIsBit = RequireBit();
    sideIsBit.in <== sideA;
    component priceARange = RangeCheck(PRICE_BITS());
    priceARange.in <== priceA;
    component priceBRange = RangeCheck(PRICE_BITS());
    priceBRange.in <== priceB;
    component fillBaseRange = RangeCheck(AMOUNT_BITS());
    fillBaseRange.in <== fillBase;
    component fillQuoteRange = RangeCheck(AMOUNT_BITS());
    fillQuoteRange.in <== fillQuote;
    component feeBpsARange = RangeCheck(TRADE_FEE_BPS_BITS());
    feeBpsARange.in <== feeBpsA;
    component feeBpsBRange = RangeCheck(TRADE_FEE_BPS_BITS());
    feeBpsBRange.in <== feeBpsB;
    component expiryARange = RangeCheck(TIMESTAMP_BITS());
    expiryARange.in <== expiryA;
    component expiryBRange = RangeCheck(TIMESTAMP_BITS());
    expiryBRange.in <== expiryB;
    component maxFeeARange = RangeCheck(FEE_BPS_BITS());
    maxFeeARange.in <== maxFeeBpsA;
    component maxFeeBRange = RangeCheck(FEE_BPS_BITS());
    maxFeeBRange.in <== maxFeeBpsB;

    // 2. SelfTrade.
    component distinctAccounts = RequireNotEqual();
    distinctAccounts.enabled <== enabled;
    distinctAccounts.a <== accountA;
    distinctAccounts.b <== accountB;

    // 3. MarketMismatch: a market trades two different tokens.
    component distinctTokens = RequireNotEqual();
    distinctTokens.enabled <== enabled;
    distinctTokens.a <== baseToken;
    distinctTokens.b <== quoteToken;

    // 6. OrderExpired: timestamp <= expiry.
    component liveA = RequireLessEq(TIMESTAMP_BITS());
    liveA.enabled <== enabled;
    liveA.a <== timestamp;
    liveA.b <== expiryA;
    component liveB = RequireLessEq(TIMESTAMP_BITS());
    liveB.enabled <== enabled;
    liveB.a <== timestamp;
    liveB.b <== expiryB;

    // 7. InvalidFeeLimit: maxFeeBps <= MAX_FEE_BPS.
    component feeLimitA = RequireLessEq(FEE_BPS_BITS());
    feeLimitA.enabled <== enabled;
    feeLimitA.a <== maxFeeBpsA;
    feeLimitA.b <== MAX_FEE_BPS();
    component feeLimitB = RequireLessEq(FEE_BPS_BITS());
    feeLimitB.enabled <== enabled;
    feeLimitB.a <== maxFeeBpsB;
    feeLimitB.b <== MAX_FEE_BPS();

    // 7b. PriceNotEncodable: both prices are decimal floats (the maker's is
    // published as one). Masked by enabled, so another slot type's zeros pass.
    component makerPrice = DecimalFloat();
    makerPrice.in <== enabled * priceA;
    publishedPrice <== makerPrice.packed;
    // circomspect: CS0018 only the constraints matter: the taker's price must have a decimal form.
    component takerPrice = DecimalFloat();
    takerPrice.in <== enabled * priceB;

    // 8. PriceLimitViolated: a buying taker (maker sells, sideA = 1) needs
    // priceA <= priceB; a selling taker needs priceA >= priceB.
    component makerNotAbove = LessEqThan(PRICE_BITS());
    makerNotAbove.in[0] <== priceA;
    makerNotAbove.in[1] <== priceB;
    component makerNotBelow = LessEqThan(PRICE_BITS());
    makerNotBelow.in[0] <== priceB;
    makerNotBelow.in[1] <== priceA;
    signal priceOk <== makerNotBelow.out + sideA * (makerNotAbove.out - makerNotBelow.out);
    enabled * (1 - priceOk) === 0;

    // 9. ZeroFill and InexactFill: fillQuote * PRICE_SCALE == fillBase * priceA
    // over the integers (both sides < 2^192 < p, so no wrap-around).
    component noFill = IsZero();
    noFill.in <== fillBase;
    enabled * noFill.out === 0;
    signal notional <== fillBase * priceA;
    enabled * (fillQuote * PRICE_SCALE() - notional) === 0;
    // FillNotEncodable: fillBase is published as a decimal float.
    component fill = DecimalFloat();
    fill.in <== enabled * fillBase;
    publishedFill <== fill.packed;

    // 10. Order kinds: only an order that rests (limit, post-only) is a maker
    // (MakerDoesNotRest); a post-only order is never the taker
    // (PostOnlyTaker); a fill-or-kill taker fills its whole amount in this
    // one trade (FillOrKillPartial). Each kind is one of the five codes.
    // circomspect: CS0018 the maker's postOnly, fok and immediate flags do not matter; OrderKindFlags constrains them.
    component kindOfA = OrderKindFlags();
    kindOfA.kind <== kindA;
    // circomspect: CS0018 the taker's rests flag does not matter; OrderKindFlags constrains it.
    component kindOfB = OrderKindFlags();
    kindOfB.kind <== kindB;
    enabled * (1 - kindOfA.rests) === 0;
    enabled * kindOfB.postOnly === 0;
    signal fillOrKill <== enabled * kindOfB.fok;
    fillOrKill * (amountB - fillBase) === 0;
    takerImmediate <== kindOfB.immediate;

    // 12. FeeAboveLimit: feeBps <= maxFeeBps.
    component feeWithinA = RequireLessEq(FEE_BPS_BITS());
    feeWithinA.enabled <== enabled;
    feeWithinA.a <== feeBpsA;
    feeWithinA.b <== maxFeeBpsA;
    component feeWithinB = RequireLessEq(FEE_BPS_BITS());
    feeWithinB.enabled <== enabled;
    feeWithinB.a <== feeBpsB;
    feeWithinB.b <== maxFeeBpsB;

    // The fees: each side's rate of what it receives, rounded down (a buyer
    // receives fillBase, a seller fillQuote).
    signal receivedA <== fillBase + sideA * (fillQuote - fillBase);
    signal receivedB <== fillBase + fillQuote - receivedA;
    component chargeA = FeeOf();
    chargeA.received <== receivedA;
    chargeA.feeBps <== feeBpsA;
    signal feeA <== chargeA.fee;
    component chargeB = FeeOf();
    chargeB.received <== receivedB;
    chargeB.feeBps <== feeBpsB;
    signal feeB <== chargeB.fee;

    // 13. Balance changes: a buyer gets base minus its fee and pays quote; a
    // seller gets quote minus its fee and pays base. (sideB = 1 - sideA.)
    signal makerSells <== sideA * (2 * fillBase - feeA);
    baseDeltaA <== fillBase - feeA - makerSells;
    signal makerGetsQuote <== sideA * (2 * fillQuote - feeA);
    quoteDeltaA <== makerGetsQuote - fillQuote;
    signal takerBuys <== sideA * (2 * fillBase - feeB);
    baseDeltaB <== takerBuys - fillBase;
    signal takerGetsQuote <== sideA * (2 * fillQuote - feeB);
    quoteDeltaB <== fillQuote - feeB - takerGetsQuote;

    // The buyer's fee is in base, the seller's in quote.
    baseFee <== feeA + sideA * (feeB - feeA);
    quoteFee <== feeA + feeB - baseFee;
}

// OrderKindFlags(): what a signed order kind (OrderKind in
// sequencer/spec/constants.py: limit 0, ioc 1, fok 2, post-only 3, market 4)
// allows: rests (limit, post-only: it may be a maker), postOnly, fok,
// immediate (ioc, market: it trades in one run of fills). A code
// that is none of the five is refused (ValueOutOfRange): exactly one of the
// five kinds matches.
template OrderKindFlags() {
    signal input kind;
    signal output rests;
    signal output postOnly;
    signal output fok;
    signal output immediate;

    var codes[5] = [KIND_LIMIT(), KIND_IOC(), KIND_FOK(), KIND_POST_ONLY(), KIND_MARKET()];
    component is[5];
    for (var k = 0; k < 5; k++) {
        is[k] = IsEqual();
        is[k].in[0] <== kind;
        is[k].in[1] <== codes[k];
    }
    is[0].out + is[1].out + is[2].out + is[3].out + is[4].out === 1;
    rests <== is[0].out + is[3].out;
    postOnly <== is[3].out;
    fok <== is[2].out;
    immediate <== is[1].out + is[4].out;
}

// FeeOf(): fee = floor(received * feeBps / BPS), as fee * BPS + rest ==
// received * feeBps with rest < BPS. received < 2^96 and feeBps < 2^14 (both
// range-checked by the caller), so every term is below 2^110 and nothing
// wraps: the quotient and the remainder are the integers'.
template FeeOf() {
    signal input received;
    signal input feeBps;
    signal output fee;

    signal charged <== received * feeBps;
    signal rest;
    // circomspect: CS0005 constrained just below: fee * BPS + rest === charged, fee < 2^96, rest < BPS.
    fee <-- charged \ BPS();
    // circomspect: CS0005 constrained just below, with fee.
    rest <-- charged % BPS();
    fee * BPS() + rest === charged;
    component feeRange = RangeCheck(AMOUNT_BITS());
    feeRange.in <== fee;
    component restRange = RangeCheck(FEE_BPS_BITS());
    restRange.in <== rest;
    component restBelow = LessThan(FEE_BPS_BITS());
    // circomspect: CS0014 rest < 2^14: restRange just above.
    restBelow.in[0] <== rest;
    // circomspect: CS0014 BPS is the constant 10000 < 2^14.
    restBelow.in[1] <== BPS();
    restBelow.out === 1;
}
