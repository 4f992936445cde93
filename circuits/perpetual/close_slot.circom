pragma circom 2.1.0;

// The part of a perpetual slot that closes a position: a liquidation
// (against a liquidator's signed order, or the insurance fund) or a
// deleveraging, mirroring sequencer/spec/perpetual/rules.py's
// process_liquidation and process_deleverage rule by rule. The accounts'
// rules are PerpCloseEffects' (liquidation.circom); a liquidator's order's
// are PerpOrderRules' (order_rules.circom), with its price limit on the
// quote. The closed account's leaf is updated first, then the
// counterparty's, then the insurance fund's (credited a liquidation's
// penalty), as the spec writes them.

include "circomlib/circuits/comparators.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";
include "../lib/perp_public_data_layout.circom";
include "account_update.circom";
include "commitment.circom";
include "liquidation.circom";
include "margin.circom";
include "order_rules.circom";
include "trade.circom";
include "trade_slot.circom";

// PerpCloseSlot(accountDepth, orderDepth): when enabled (a liquidation or a
// deleveraging), the account tree after the close, the market's open
// interest, the taker (a liquidator's order's key) and the fields the close
// publishes; disabled, the tree and the markets stay (the witness proves
// the fee account's leaf twice and the insurance fund's, unchanged).
//
//   isLiquidation, isDeleverage    bit     the slot's type (at most one set: the caller decodes it)
//   oldRoot, timestamp, previousTaker   field   as PerpTradeSlot's
//   oraclePrice[i] .. openInterest[i], configured[i] .. openInterestCap[i], maxPriceAge   as PerpTradeSlot's
//   insuranceFund, maxLiquidationPenalty   field   the deployment's (range-checked by the batch)
//   market, byOrder, closing, quote, penalty   field   the close: its market, whether a liquidator's order takes it,
//                                          the lots, the quote, a liquidation's penalty (0 in a deleveraging)
//   orderIdC .. sigSC              field   the liquidator's order (zeros without one)
//   accountL .. remainderL         field   the closed account's leaf, path, perpetual side and settlement
//   accountC .. remainderC         field   the counterparty's (a liquidator, the fund, the deleveraged), with its order slot
//   axI .. remainderI              field   the insurance fund's (its index is insuranceFund)
//   newRoot, openInterestAfter[i], taker   outputs
//   published[7]                   field   outputs, 0 unless enabled: flag (byOrder), accountA, accountB,
//                                          orderRefB, size, quote, penalty
template PerpCloseSlot(accountDepth, orderDepth) {
    var markets = MAX_PERP_MARKETS();
    assert(accountDepth <= PPD_ACCOUNT_A_BITS());

    signal input isLiquidation;
    signal input isDeleverage;
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
    signal input insuranceFund;
    signal input maxLiquidationPenalty;

    signal input market;
    signal input byOrder;
    signal input closing;
    signal input quote;
    signal input penalty;
    signal input orderIdC;
    signal input priceC;
    signal input amountC;
    signal input maxFeeBpsC;
    signal input expiryC;
    signal input kindC;
    signal input reduceOnlyC;
    signal input sigR8xC;
    signal input sigR8yC;
    signal input sigSC;

    signal input accountL;
    signal input axL;
    signal input ayL;
    signal input ethAddrL;
    signal input nonceL;
    signal input minOrderIdL;
    signal input orderRootL;
    signal input wordsL[BALANCE_WORDS()];
    signal input perpHashL;
    signal input siblingsAccountL[3 * accountDepth \ 2];
    signal input collateralL;
    signal input sizeL[markets];
    signal input settledIndexL[markets];
    signal input paymentL[markets];
    signal input remainderL[markets];

    signal input accountC;
    signal input axC;
    signal input ayC;
    signal input ethAddrC;
    signal input nonceC;
    signal input minOrderIdC;
    signal input orderRootC;
    signal input wordsC[BALANCE_WORDS()];
    signal input perpHashC;
    signal input siblingsAccountC[3 * accountDepth \ 2];
    signal input orderStoredIdC;
    signal input orderFilledC;
    signal input siblingsOrderC[3 * orderDepth \ 2];
    signal input collateralC;
    signal input sizeC[markets];
    signal input settledIndexC[markets];
    signal input paymentC[markets];
    signal input remainderC[markets];

    signal input axI;
    signal input ayI;
    signal input ethAddrI;
    signal input nonceI;
    signal input minOrderIdI;
    signal input orderRootI;
    signal input wordsI[BALANCE_WORDS()];
    signal input perpHashI;
    signal input siblingsAccountI[3 * accountDepth \ 2];
    signal input collateralI;
    signal input sizeI[markets];
    signal input settledIndexI[markets];
    signal input paymentI[markets];
    signal input remainderI[markets];

    signal output newRoot;
    signal output openInterestAfter[markets];
    signal output taker;
    signal output published[7];

    signal enabled <== isLiquidation + isDeleverage;
    // --- The close's own fields: a liquidator's order only in a
    // liquidation, a penalty only there; ranges (ValueOutOfRange; the lots
    // are ClosePosition's). ---
    component byOrderBit = RequireBit();
    byOrderBit.in <== byOrder;
    byOrder * (1 - isLiquidation) === 0;
    isDeleverage * penalty === 0;
    component quoteRange = RangeCheck(AMOUNT_BITS());
    quoteRange.in <== quote;
    component penaltyRange = RangeCheck(AMOUNT_BITS());
    penaltyRange.in <== penalty;
    signal liquidator <== byOrder;
    signal byFund <== isLiquidation - liquidator;

    // --- UnknownPerpMarket; NoOraclePrice, OraclePriceTooOld. ---
    component closedMarket = ConfiguredMarket();
    closedMarket.enabled <== enabled;
    closedMarket.market <== market;
    closedMarket.configured <== configured;
    signal traded[markets] <== closedMarket.traded;
    component priced = MarketPriced(markets);
    priced.enabled <== enabled;
    priced.traded <== traded;
    priced.price <== oraclePrice;
    component fresh = PricesFresh(markets);
    fresh.enabled <== enabled;
    fresh.price <== oraclePrice;
    fresh.oracleTime <== oracleTime;
    fresh.timestamp <== timestamp;
    fresh.maxAge <== maxPriceAge;

    // --- AccountNotFound (the closed account, the counterparty, and in a
    // liquidation the fund); SelfTrade; against no order the counterparty
    // is the fund. ---
    component emptyL = IsZero();
    emptyL.in <== ethAddrL;
    enabled * emptyL.out === 0;
    component emptyC = IsZero();
    emptyC.in <== ethAddrC;
    enabled * emptyC.out === 0;
    component emptyI = IsZero();
    emptyI.in <== ethAddrI;
    isLiquidation * emptyI.out === 0;
    component distinct = RequireNotEqual();
    distinct.enabled <== enabled;
    distinct.a <== accountL;
    distinct.b <== accountC;
    byFund * (accountC - insuranceFund) === 0;

    // --- The accounts, funding settled (CollateralOutOfRange). ---
    component readL = PerpSideRead();
    readL.perpHash <== perpHashL;
    readL.collateral <== collateralL;
    readL.size <== sizeL;
    readL.settledIndex <== settledIndexL;
    readL.fundingIndex <== fundingIndex;
    readL.quantum <== quantum;
    readL.payment <== paymentL;
    readL.remainder <== remainderL;
    component readC = PerpSideRead();
    readC.perpHash <== perpHashC;
    readC.collateral <== collateralC;
    readC.size <== sizeC;
    readC.settledIndex <== settledIndexC;
    readC.fundingIndex <== fundingIndex;
    readC.quantum <== quantum;
    readC.payment <== paymentC;
    readC.remainder <== remainderC;
    component readI = PerpSideRead();
    readI.perpHash <== perpHashI;
    readI.collateral <== collateralI;
    readI.size <== sizeI;
    readI.settledIndex <== settledIndexI;
    readI.fundingIndex <== fundingIndex;
    readI.quantum <== quantum;
    readI.payment <== paymentI;
    readI.remainder <== remainderI;
    signal settledL <== enabled * readL.settled;
    signal settledC <== enabled * readC.settled;
    signal settledI <== enabled * readI.settled;
    component settledRange[3];
    var settledValues[3] = [settledL, settledC, settledI];
    for (var k = 0; k < 3; k++) {
        settledRange[k] = SignedRange(COLLATERAL_BITS());
        settledRange[k].in <== settledValues[k];
    }
    signal heldL[markets];
    signal heldC[markets];
    signal heldI[markets];
    signal tradedInterest[markets];
    signal tradedCap[markets];
    signal counterOf[markets];
    var interest = 0;
    var cap = 0;
    var counterPosition = 0;
    for (var i = 0; i < markets; i++) {
        heldL[i] <== enabled * sizeL[i];
        heldC[i] <== enabled * sizeC[i];
        heldI[i] <== enabled * sizeI[i];
        tradedInterest[i] <== traded[i] * openInterest[i];
        tradedCap[i] <== traded[i] * openInterestCap[i];
        counterOf[i] <== traded[i] * heldC[i];
        interest += tradedInterest[i];
        cap += tradedCap[i];
        counterPosition += counterOf[i];
    }

    // --- The fund's value before, which a deleveraging reads: its leaf is
    // read after the closed account's and the counterparty's updates, so
    // when it is one of them its value is that account's before. ---
    // circomspect: CS0018 the fund's requirements do not matter (a deleveraging reads its value).
    component fund = PerpHealth(markets);
    fund.collateral <== settledI;
    fund.size <== heldI;
    fund.price <== oraclePrice;
    fund.quantum <== quantum;
    fund.initialMargin <== initialMargin;
    fund.maintenanceMargin <== maintenanceMargin;

    // --- The close and its rules (NotLiquidatable, ZeroFill,
    // LiquidationOversized, WorseThanBankruptcy, LiquidationTooCostly,
    // InsuranceFundOverpays, InsuranceFundExhausted, a liquidator's
    // MarginInsufficient; EquityNotNegative, InsuranceFundSufficient,
    // PositionsNotOpposite, NotBankruptcyPrice, CounterpartyWouldBeBankrupt;
    // the open interest). ---
    component fundIsL = IsEqual();
    fundIsL.in <== [insuranceFund, accountL];
    component fundIsC = IsEqual();
    fundIsC.in <== [insuranceFund, accountC];
    component effects = PerpCloseEffects(markets);
    effects.isLiquidation <== isLiquidation;
    effects.isDeleverage <== isDeleverage;
    effects.byOrder <== byOrder;
    effects.traded <== traded;
    effects.price <== oraclePrice;
    effects.quantum <== quantum;
    effects.initialMargin <== initialMargin;
    effects.maintenanceMargin <== maintenanceMargin;
    effects.collateral <== settledL;
    effects.size <== heldL;
    effects.counterCollateral <== settledC;
    effects.counterSize <== heldC;
    effects.fundValue <== fund.value;
    effects.fundIsClosed <== fundIsL.out;
    effects.fundIsCounter <== fundIsC.out;
    // Masked, so that a part that is not enabled has no open-interest change of its own.
    effects.closing <== enabled * closing;
    effects.quote <== quote;
    effects.penalty <== penalty;
    effects.maxPenalty <== maxLiquidationPenalty;
    effects.openInterest <== interest;
    effects.cap <== cap;
    signal interestMove[markets];
    for (var i = 0; i < markets; i++) {
        interestMove[i] <== traded[i] * (effects.openInterestAfter - interest);
        openInterestAfter[i] <== openInterest[i] + interestMove[i];
    }

    // --- A liquidator's order: its own rules (PerpOrderRules, no fee), on
    // the side opposite the close; its limit on the quote
    // (PriceLimitViolated: a buyer pays at most, a seller receives at least,
    // closing * price * quantum); a taker's kind (PostOnlyTaker,
    // FillOrKillPartial); its run (ImmediateOrderResumed); reduce-only. ---
    // circomspect: CS0018 a liquidator's rests flag does not matter; OrderKindFlags constrains it.
    component order = PerpOrderRules(orderDepth);
    order.enabled <== liquidator;
    order.timestamp <== timestamp;
    order.account <== accountC;
    order.ax <== axC;
    order.ay <== ayC;
    order.ethAddr <== ethAddrC;
    order.minOrderId <== minOrderIdC;
    order.orderStoredId <== orderStoredIdC;
    order.orderFilled <== orderFilledC;
    order.market <== market;
    order.side <== 1 - effects.long;
    order.orderId <== orderIdC;
    order.price <== priceC;
    order.amount <== amountC;
    order.maxFeeBps <== maxFeeBpsC;
    order.expiry <== expiryC;
    order.kind <== kindC;
    order.reduceOnly <== reduceOnlyC;
    order.sigR8x <== sigR8xC;
    order.sigR8y <== sigR8yC;
    order.sigS <== sigSC;
    order.fill <== closing;
    order.feeBps <== 0;
    var tradedQuantum = 0;
    signal quantumOf[markets];
    for (var i = 0; i < markets; i++) {
        quantumOf[i] <== traded[i] * quantum[i];
        tradedQuantum += quantumOf[i];
    }
    signal limitPerLot <== priceC * tradedQuantum;
    signal limit <== closing * limitPerLot;
    // Both below 2^113: a quote of 96 bits, a limit of 40 + 40 + 32 bits.
    component quoteNotAbove = LessEqThan(113);
    quoteNotAbove.in <== [quote, limit];
    component quoteNotBelow = LessEqThan(113);
    quoteNotBelow.in <== [limit, quote];
    // The liquidator buys what a long sells (at most its limit), sells what a short buys back (at least it).
    signal withinLimit <== quoteNotBelow.out + effects.long * (quoteNotAbove.out - quoteNotBelow.out);
    liquidator * (1 - withinLimit) === 0;
    liquidator * order.postOnly === 0;
    signal fillOrKill <== liquidator * order.fok;
    fillOrKill * (amountC - closing) === 0;
    component run = ImmediateRun();
    run.enabled <== liquidator;
    run.immediate <== order.immediate;
    run.account <== accountC;
    run.orderId <== orderIdC;
    run.previouslyFilled <== order.previouslyFilled;
    run.previousTaker <== previousTaker;
    taker <== run.taker;
    component reduce = ReduceOnlyRule();
    reduce.enabled <== liquidator;
    reduce.reduceOnly <== reduceOnlyC;
    reduce.before <== counterPosition;
    reduce.after <== counterPosition + (2 * effects.long - 1) * closing;

    // --- The leaves: the closed account's, the counterparty's (with a
    // liquidator's order slot), then the insurance fund's, funding settled
    // and credited a liquidation's penalty (CollateralOutOfRange). ---
    component afterL = PerpAccountHash();
    afterL.collateral <== effects.collateralAfter;
    afterL.size <== effects.sizeAfter;
    afterL.settledIndex <== fundingIndex;
    component updateL = PerpLeafUpdate(accountDepth, 0);
    updateL.accountIndex <== accountL;
    updateL.ax <== axL;
    updateL.ay <== ayL;
    updateL.ethAddr <== ethAddrL;
    updateL.nonce <== nonceL;
    updateL.minOrderId <== minOrderIdL;
    updateL.orderRoot <== orderRootL;
    updateL.words <== wordsL;
    updateL.perpHash <== perpHashL;
    updateL.siblingsAccount <== siblingsAccountL;
    updateL.newWords <== wordsL;
    updateL.newNonce <== nonceL;
    updateL.newPerpHash <== perpHashL + enabled * (afterL.out - perpHashL);
    updateL.oldRoot <== oldRoot;
    component afterC = PerpAccountHash();
    afterC.collateral <== effects.counterCollateralAfter;
    afterC.size <== effects.counterSizeAfter;
    afterC.settledIndex <== fundingIndex;
    component updateC = PerpLeafUpdate(accountDepth, orderDepth);
    updateC.accountIndex <== accountC;
    updateC.ax <== axC;
    updateC.ay <== ayC;
    updateC.ethAddr <== ethAddrC;
    updateC.nonce <== nonceC;
    updateC.minOrderId <== minOrderIdC;
    updateC.orderRoot <== orderRootC;
    updateC.words <== wordsC;
    updateC.perpHash <== perpHashC;
    updateC.siblingsAccount <== siblingsAccountC;
    updateC.newWords <== wordsC;
    updateC.newNonce <== nonceC;
    updateC.newPerpHash <== perpHashC + enabled * (afterC.out - perpHashC);
    updateC.orderSlotBits <== order.slotBits;
    updateC.oldOrderLeaf <== order.oldLeaf;
    updateC.newOrderLeaf <== order.newLeaf;
    updateC.siblingsOrder <== siblingsOrderC;
    updateC.oldRoot <== updateL.newRoot;
    component credit = CollateralCredit();
    credit.collateral <== isLiquidation * readI.settled;
    credit.amount <== penalty;
    component afterI = PerpAccountHash();
    afterI.collateral <== credit.out;
    afterI.size <== sizeI;
    afterI.settledIndex <== fundingIndex;
    component updateI = PerpLeafUpdate(accountDepth, 0);
    updateI.accountIndex <== insuranceFund;
    updateI.ax <== axI;
    updateI.ay <== ayI;
    updateI.ethAddr <== ethAddrI;
    updateI.nonce <== nonceI;
    updateI.minOrderId <== minOrderIdI;
    updateI.orderRoot <== orderRootI;
    updateI.words <== wordsI;
    updateI.perpHash <== perpHashI;
    updateI.siblingsAccount <== siblingsAccountI;
    updateI.newWords <== wordsI;
    updateI.newNonce <== nonceI;
    updateI.newPerpHash <== perpHashI + isLiquidation * (afterI.out - perpHashI);
    updateI.oldRoot <== updateC.newRoot;
    newRoot <== updateI.newRoot;

    // --- What the close publishes (all range-checked above). ---
    published[0] <== liquidator;
    published[1] <== enabled * accountL;
    published[2] <== enabled * accountC;
    published[3] <== liquidator * order.ref;
    published[4] <== enabled * closing;
    published[5] <== enabled * quote;
    published[6] <== isLiquidation * penalty;
}
