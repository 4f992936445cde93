pragma circom 2.1.0;

// The part of a perpetual slot that is a perpetual trade: two signed
// perpetual orders filled at the maker's price, mirroring
// sequencer/spec/perpetual/rules.py's process_perp_trade rule by rule. The
// orders' own rules are PerpOrderRules' (order_rules.circom: spot's on the
// perpetual order's signed message); the accounts' rules are
// PerpTradeEffects' (perpetual/trade.circom). The maker's leaf
// is updated first, then the taker's, then the fee account's collateral
// is credited both fees, as the spec writes them.

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/poseidon.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";
include "../lib/perp_public_data_layout.circom";
include "account_update.circom";
include "commitment.circom";
include "margin.circom";
include "order_rules.circom";
include "trade.circom";

// PerpSideRead(): an account's perpetual side as a slot finds it, against
// the leaf's perpHash, and its collateral with the funding of every
// position settled (FundingSettlement; the settled indices become the
// markets' own).
//
//   perpHash                         field   the leaf's
//   collateral, size[i], settledIndex[i]   field   the preimage (signed; a proven state holds them in their widths)
//   fundingIndex[i], quantum[i]      field   the markets' indices and quanta (0 where not configured)
//   payment[i], remainder[i]         field   the settlement's divisions (witness)
//   settled                          field   output: the collateral, funding settled (not range-checked)
template PerpSideRead() {
    var markets = MAX_PERP_MARKETS();
    signal input perpHash;
    signal input collateral;
    signal input size[markets];
    signal input settledIndex[markets];
    signal input fundingIndex[markets];
    signal input quantum[markets];
    signal input payment[markets];
    signal input remainder[markets];
    signal output settled;

    component hash = PerpAccountHash();
    hash.collateral <== collateral;
    hash.size <== size;
    hash.settledIndex <== settledIndex;
    hash.out === perpHash;

    component funding = FundingSettlement(markets);
    funding.collateral <== collateral;
    funding.size <== size;
    funding.settledIndex <== settledIndex;
    funding.index <== fundingIndex;
    funding.quantum <== quantum;
    funding.payment <== payment;
    funding.remainder <== remainder;
    settled <== funding.out;
}

// ConfiguredMarket(): when enabled, market names a configured market
// (UnknownPerpMarket); traded[i] is its one-hot, all zero when disabled.
template ConfiguredMarket() {
    var markets = MAX_PERP_MARKETS();
    signal input enabled;
    signal input market;
    signal input configured[markets];
    signal output traded[markets];

    component isMarket[markets];
    signal tradedConfigured[markets];
    var configuredChoices = 0;
    for (var i = 0; i < markets; i++) {
        isMarket[i] = IsEqual();
        isMarket[i].in <== [market, i];
        traded[i] <== enabled * isMarket[i].out;
        tradedConfigured[i] <== traded[i] * configured[i];
        configuredChoices += tradedConfigured[i];
    }
    configuredChoices === enabled;
}

// PerpTradeSlot(accountDepth, orderDepth): when enabled, the account tree
// after a perpetual trade, the traded market's open interest, and the
// fields the trade publishes; disabled, the tree and the markets stay (the
// witness proves three existing leaves, the fee account's, unchanged).
//
//   enabled                        bit     the slot is a perpetual trade
//   oldRoot, timestamp             field   the account tree before the slot; the batch's time (range-checked by the batch)
//   previousTaker                  field   the perpetual slot before's taker output (0 for the first)
//   oraclePrice[i] .. openInterest[i]   field   the markets before (range-checked by the batch)
//   configured[i], quantum[i], initialMargin[i], maintenanceMargin[i], openInterestCap[i], maxPriceAge
//                                  field   the deployment's parameters (range-checked by the batch)
//   market, sideA, fill, feeBpsA, feeBpsB   field   the trade: its market, the maker's side (0 buy, 1 sell), the lots, the fee rates
//   orderIdX .. reduceOnlyX, sigR8xX, sigR8yX, sigSX   field   order X's signed fields and signature (X = A the maker, B the taker)
//   accountX, axX .. orderRootX, wordsX[], perpHashX, siblingsAccountX[], orderStoredIdX, orderFilledX, siblingsOrderX[]
//                                  field   account X's leaf as its update finds it, its path, its order slot
//   collateralX, sizeX[], settledIndexX[], paymentX[], remainderX[]   field   its perpetual side and the funding settlement's divisions
//   axF .. siblingsAccountF, collateralF .. remainderF   field   the fee account, likewise (no order slot)
//   feeA, feeRestA, feeB, feeRestB field   each fee's division (fill * price * quantum * feeBps = fee * BPS + rest)
//   newRoot, openInterestAfter[i], taker   field   outputs (taker: 1 + orderIdB + accountB * 2^48 in a trade, else 0)
//   published[9]                   field   outputs, 0 unless enabled: sideA, accountA, accountB, orderRefA,
//                                          orderRefB, size, price, feeBpsA, feeBpsB
template PerpTradeSlot(accountDepth, orderDepth) {
    var markets = MAX_PERP_MARKETS();
    assert(accountDepth <= PPD_ACCOUNT_A_BITS());
    assert(ORDER_REF_BITS() == PPD_ORDER_REF_A_BITS());

    signal input enabled;
    signal input oldRoot;
    signal input timestamp;
    signal input previousTaker;
    signal input oraclePrice[markets];
    signal input oracleTime[markets];
    signal input fundingIndex[markets];
    signal input openInterest[markets];
    signal input configured[markets];
    signal input quantum[markets];
    signal input initialMargin[markets];
    signal input maintenanceMargin[markets];
    signal input openInterestCap[markets];
    signal input maxPriceAge;

    signal input market;
    signal input sideA;
    signal input fill;
    signal input feeBpsA;
    signal input feeBpsB;
    signal input feeA;
    signal input feeRestA;
    signal input feeB;
    signal input feeRestB;

    signal input orderIdA;
    signal input priceA;
    signal input amountA;
    signal input maxFeeBpsA;
    signal input expiryA;
    signal input kindA;
    signal input reduceOnlyA;
    signal input sigR8xA;
    signal input sigR8yA;
    signal input sigSA;
    signal input orderIdB;
    signal input priceB;
    signal input amountB;
    signal input maxFeeBpsB;
    signal input expiryB;
    signal input kindB;
    signal input reduceOnlyB;
    signal input sigR8xB;
    signal input sigR8yB;
    signal input sigSB;

    signal input accountA;
    signal input axA;
    signal input ayA;
    signal input ethAddrA;
    signal input nonceA;
    signal input minOrderIdA;
    signal input orderRootA;
    signal input wordsA[BALANCE_WORDS()];
    signal input perpHashA;
    signal input siblingsAccountA[3 * accountDepth \ 2];
    signal input orderStoredIdA;
    signal input orderFilledA;
    signal input siblingsOrderA[3 * orderDepth \ 2];
    signal input collateralA;
    signal input sizeA[markets];
    signal input settledIndexA[markets];
    signal input paymentA[markets];
    signal input remainderA[markets];

    signal input accountB;
    signal input axB;
    signal input ayB;
    signal input ethAddrB;
    signal input nonceB;
    signal input minOrderIdB;
    signal input orderRootB;
    signal input wordsB[BALANCE_WORDS()];
    signal input perpHashB;
    signal input siblingsAccountB[3 * accountDepth \ 2];
    signal input orderStoredIdB;
    signal input orderFilledB;
    signal input siblingsOrderB[3 * orderDepth \ 2];
    signal input collateralB;
    signal input sizeB[markets];
    signal input settledIndexB[markets];
    signal input paymentB[markets];
    signal input remainderB[markets];

    signal input axF;
    signal input ayF;
    signal input ethAddrF;
    signal input nonceF;
    signal input minOrderIdF;
    signal input orderRootF;
    signal input wordsF[BALANCE_WORDS()];
    signal input perpHashF;
    signal input siblingsAccountF[3 * accountDepth \ 2];
    signal input collateralF;
    signal input sizeF[markets];
    signal input settledIndexF[markets];
    signal input paymentF[markets];
    signal input remainderF[markets];

    signal output newRoot;
    signal output openInterestAfter[markets];
    signal output taker;
    signal output published[9];

    // --- Ranges (ValueOutOfRange) of the trade's own fields; each order's
    // are PerpOrderRules'. ---
    component sideBit = RequireBit();
    sideBit.in <== sideA;
    component fillRange = RangeCheck(SIZE_BITS());
    fillRange.in <== fill;
    component feeBpsRangeA = RangeCheck(TRADE_FEE_BPS_BITS());
    feeBpsRangeA.in <== feeBpsA;
    component feeBpsRangeB = RangeCheck(TRADE_FEE_BPS_BITS());
    feeBpsRangeB.in <== feeBpsB;

    // --- UnknownPerpMarket: a trade names one configured market; traded[i]
    // is its one-hot (all zero outside a trade). ---
    component tradedMarket = ConfiguredMarket();
    tradedMarket.enabled <== enabled;
    tradedMarket.market <== market;
    tradedMarket.configured <== configured;
    signal traded[markets] <== tradedMarket.traded;

    // --- SelfTrade. (One market for both orders and the taker's side
    // 1 - sideA: PerpMarketMismatch and SidesNotOpposite cannot happen.) ---
    component distinct = RequireNotEqual();
    distinct.enabled <== enabled;
    distinct.a <== accountA;
    distinct.b <== accountB;

    // --- Each order's rules: AccountNotFound, InvalidSignature,
    // OrderExpired, InvalidFeeLimit, FeeAboveLimit, its order slot. ---
    // circomspect: CS0018 the maker's postOnly, fok and immediate flags and its previouslyFilled do not matter (only a taker's do).
    component orderA = PerpOrderRules(orderDepth);
    orderA.enabled <== enabled;
    orderA.timestamp <== timestamp;
    orderA.account <== accountA;
    orderA.ax <== axA;
    orderA.ay <== ayA;
    orderA.ethAddr <== ethAddrA;
    orderA.minOrderId <== minOrderIdA;
    orderA.orderStoredId <== orderStoredIdA;
    orderA.orderFilled <== orderFilledA;
    orderA.market <== market;
    orderA.side <== sideA;
    orderA.orderId <== orderIdA;
    orderA.price <== priceA;
    orderA.amount <== amountA;
    orderA.maxFeeBps <== maxFeeBpsA;
    orderA.expiry <== expiryA;
    orderA.kind <== kindA;
    orderA.reduceOnly <== reduceOnlyA;
    orderA.sigR8x <== sigR8xA;
    orderA.sigR8y <== sigR8yA;
    orderA.sigS <== sigSA;
    orderA.fill <== fill;
    orderA.feeBps <== feeBpsA;
    // circomspect: CS0018 the taker's rests flag does not matter; OrderKindFlags constrains it.
    component orderB = PerpOrderRules(orderDepth);
    orderB.enabled <== enabled;
    orderB.timestamp <== timestamp;
    orderB.account <== accountB;
    orderB.ax <== axB;
    orderB.ay <== ayB;
    orderB.ethAddr <== ethAddrB;
    orderB.minOrderId <== minOrderIdB;
    orderB.orderStoredId <== orderStoredIdB;
    orderB.orderFilled <== orderFilledB;
    orderB.market <== market;
    orderB.side <== 1 - sideA;
    orderB.orderId <== orderIdB;
    orderB.price <== priceB;
    orderB.amount <== amountB;
    orderB.maxFeeBps <== maxFeeBpsB;
    orderB.expiry <== expiryB;
    orderB.kind <== kindB;
    orderB.reduceOnly <== reduceOnlyB;
    orderB.sigR8x <== sigR8xB;
    orderB.sigR8y <== sigR8yB;
    orderB.sigS <== sigSB;
    orderB.fill <== fill;
    orderB.feeBps <== feeBpsB;

    // --- PriceLimitViolated: a buying taker (the maker sells, sideA = 1)
    // needs priceA <= priceB, a selling taker priceA >= priceB (both
    // range-checked by PerpOrderRules). ---
    component makerNotAbove = LessEqThan(PERP_PRICE_BITS());
    makerNotAbove.in <== [priceA, priceB];
    component makerNotBelow = LessEqThan(PERP_PRICE_BITS());
    makerNotBelow.in <== [priceB, priceA];
    signal priceOk <== makerNotBelow.out + sideA * (makerNotAbove.out - makerNotBelow.out);
    enabled * (1 - priceOk) === 0;

    // --- ZeroFill; the kinds: the maker rests (MakerDoesNotRest), the
    // taker is not post-only (PostOnlyTaker), a fill-or-kill taker fills
    // its whole amount (FillOrKillPartial); an immediate taker's one run of
    // fills (ImmediateOrderResumed). ---
    component noFill = IsZero();
    noFill.in <== fill;
    enabled * noFill.out === 0;
    enabled * (1 - orderA.rests) === 0;
    enabled * orderB.postOnly === 0;
    signal fillOrKill <== enabled * orderB.fok;
    fillOrKill * (amountB - fill) === 0;
    component run = ImmediateRun();
    run.enabled <== enabled;
    run.immediate <== orderB.immediate;
    run.account <== accountB;
    run.orderId <== orderIdB;
    run.previouslyFilled <== orderB.previouslyFilled;
    run.previousTaker <== previousTaker;
    taker <== run.taker;

    // --- The perpetual sides, funding settled (CollateralOutOfRange when a
    // settled collateral does not fit). ---
    component readA = PerpSideRead();
    readA.perpHash <== perpHashA;
    readA.collateral <== collateralA;
    readA.size <== sizeA;
    readA.settledIndex <== settledIndexA;
    readA.fundingIndex <== fundingIndex;
    readA.quantum <== quantum;
    readA.payment <== paymentA;
    readA.remainder <== remainderA;
    component readB = PerpSideRead();
    readB.perpHash <== perpHashB;
    readB.collateral <== collateralB;
    readB.size <== sizeB;
    readB.settledIndex <== settledIndexB;
    readB.fundingIndex <== fundingIndex;
    readB.quantum <== quantum;
    readB.payment <== paymentB;
    readB.remainder <== remainderB;
    signal settledA <== enabled * readA.settled;
    signal settledB <== enabled * readB.settled;
    component settledRangeA = SignedRange(COLLATERAL_BITS());
    settledRangeA.in <== settledA;
    component settledRangeB = SignedRange(COLLATERAL_BITS());
    settledRangeB.in <== settledB;

    // --- The fill's effects and the accounts' rules: reduce-only, margin,
    // a priced market, fresh prices, the open interest's cap. ---
    signal heldA[markets];
    signal heldB[markets];
    signal tradedInterest[markets];
    signal tradedCap[markets];
    var interest = 0;
    var cap = 0;
    for (var i = 0; i < markets; i++) {
        heldA[i] <== enabled * sizeA[i];
        heldB[i] <== enabled * sizeB[i];
        tradedInterest[i] <== traded[i] * openInterest[i];
        tradedCap[i] <== traded[i] * openInterestCap[i];
        interest += tradedInterest[i];
        cap += tradedCap[i];
    }
    component effects = PerpTradeEffects(markets);
    effects.enabled <== enabled;
    effects.traded <== traded;
    effects.price <== oraclePrice;
    effects.oracleTime <== oracleTime;
    effects.quantum <== quantum;
    effects.initialMargin <== initialMargin;
    effects.maintenanceMargin <== maintenanceMargin;
    effects.openInterest <== interest;
    effects.cap <== cap;
    effects.timestamp <== timestamp;
    effects.maxAge <== maxPriceAge;
    effects.collateral <== [settledA, settledB];
    effects.size <== [heldA, heldB];
    effects.makerBuys <== 1 - sideA;
    // Masked, so that a part that is not enabled has no open-interest change of its own.
    effects.fill <== enabled * fill;
    effects.makerPrice <== priceA;
    effects.feeBps <== [feeBpsA, feeBpsB];
    effects.fee <== [feeA, feeB];
    effects.feeRemainder <== [feeRestA, feeRestB];
    effects.reduceOnly <== [reduceOnlyA, reduceOnlyB];
    signal interestMove[markets];
    for (var i = 0; i < markets; i++) {
        interestMove[i] <== traded[i] * (effects.openInterestAfter - interest);
        openInterestAfter[i] <== openInterest[i] + interestMove[i];
    }

    // --- The leaves: the maker's, then the taker's (each its order slot and
    // its perpetual side at the markets' indices), then the fee account's,
    // funding settled and credited both fees (CollateralOutOfRange). ---
    component afterA = PerpAccountHash();
    afterA.collateral <== effects.collateralAfter[0];
    afterA.size <== effects.sizeAfter[0];
    afterA.settledIndex <== fundingIndex;
    component updateA = PerpLeafUpdate(accountDepth, orderDepth);
    updateA.oldRoot <== oldRoot;
    updateA.accountIndex <== accountA;
    updateA.ax <== axA;
    updateA.ay <== ayA;
    updateA.ethAddr <== ethAddrA;
    updateA.nonce <== nonceA;
    updateA.minOrderId <== minOrderIdA;
    updateA.orderRoot <== orderRootA;
    updateA.words <== wordsA;
    updateA.perpHash <== perpHashA;
    updateA.siblingsAccount <== siblingsAccountA;
    updateA.newWords <== wordsA;
    updateA.newNonce <== nonceA;
    updateA.newPerpHash <== perpHashA + enabled * (afterA.out - perpHashA);
    updateA.orderSlotBits <== orderA.slotBits;
    updateA.oldOrderLeaf <== orderA.oldLeaf;
    updateA.newOrderLeaf <== orderA.newLeaf;
    updateA.siblingsOrder <== siblingsOrderA;

    component afterB = PerpAccountHash();
    afterB.collateral <== effects.collateralAfter[1];
    afterB.size <== effects.sizeAfter[1];
    afterB.settledIndex <== fundingIndex;
    component updateB = PerpLeafUpdate(accountDepth, orderDepth);
    updateB.oldRoot <== updateA.newRoot;
    updateB.accountIndex <== accountB;
    updateB.ax <== axB;
    updateB.ay <== ayB;
    updateB.ethAddr <== ethAddrB;
    updateB.nonce <== nonceB;
    updateB.minOrderId <== minOrderIdB;
    updateB.orderRoot <== orderRootB;
    updateB.words <== wordsB;
    updateB.perpHash <== perpHashB;
    updateB.siblingsAccount <== siblingsAccountB;
    updateB.newWords <== wordsB;
    updateB.newNonce <== nonceB;
    updateB.newPerpHash <== perpHashB + enabled * (afterB.out - perpHashB);
    updateB.orderSlotBits <== orderB.slotBits;
    updateB.oldOrderLeaf <== orderB.oldLeaf;
    updateB.newOrderLeaf <== orderB.newLeaf;
    updateB.siblingsOrder <== siblingsOrderB;

    component readF = PerpSideRead();
    readF.perpHash <== perpHashF;
    readF.collateral <== collateralF;
    readF.size <== sizeF;
    readF.settledIndex <== settledIndexF;
    readF.fundingIndex <== fundingIndex;
    readF.quantum <== quantum;
    readF.payment <== paymentF;
    readF.remainder <== remainderF;
    signal settledF <== enabled * readF.settled;
    component settledRangeF = SignedRange(COLLATERAL_BITS());
    settledRangeF.in <== settledF;
    component credit = CollateralCredit();
    credit.collateral <== settledF;
    credit.amount <== effects.fees;
    component afterF = PerpAccountHash();
    afterF.collateral <== credit.out;
    afterF.size <== sizeF;
    afterF.settledIndex <== fundingIndex;
    component updateF = PerpLeafUpdate(accountDepth, 0);
    updateF.oldRoot <== updateB.newRoot;
    updateF.accountIndex <== FEE_ACCOUNT();
    updateF.ax <== axF;
    updateF.ay <== ayF;
    updateF.ethAddr <== ethAddrF;
    updateF.nonce <== nonceF;
    updateF.minOrderId <== minOrderIdF;
    updateF.orderRoot <== orderRootF;
    updateF.words <== wordsF;
    updateF.perpHash <== perpHashF;
    updateF.siblingsAccount <== siblingsAccountF;
    updateF.newWords <== wordsF;
    updateF.newNonce <== nonceF;
    updateF.newPerpHash <== perpHashF + enabled * (afterF.out - perpHashF);
    newRoot <== updateF.newRoot;

    // --- What the trade publishes (all range-checked above). ---
    var shown[9] = [sideA, accountA, accountB, orderA.ref, orderB.ref, fill, priceA, feeBpsA, feeBpsB];
    for (var k = 0; k < 9; k++) {
        published[k] <== enabled * shown[k];
    }
}
