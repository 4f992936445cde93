pragma circom 2.1.0;

// Liquidation and deleveraging, mirroring sequencer/spec/perpetual/rules.py's
// process_liquidation and process_deleverage rule by rule (docs/DESIGN.md
// "Perpetual futures"). The accounts' values and requirements come from
// PerpHealth (margin.circom), before (funding settled) and after the close.

include "circomlib/circuits/comparators.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";
include "margin.circom";
include "trade.circom";

// ClosePosition(markets): the account after closing `size` of its position
// in the traded market for `quote` collateral and paying `paid` more: a long
// sells (collateral + quote), a short buys back (collateral - quote); when
// enabled, the position shrinks by size and never flips (check_closes:
// ZeroFill, LiquidationOversized).
//
//   enabled              bit     (disabled: the caller passes zeros)
//   traded[i]            bit     one-hot: the market
//   collateral, size[i]  field   the account, funding settled (signed, range-checked by the caller)
//   closing              field   the size closed, < 2^SIZE_BITS
//   quote, paid          field   collateral units, < 2^AMOUNT_BITS
//   long                 bit     output: the closed position is a long (it sells)
//   collateralAfter, sizeAfter[i]   field   output; the collateral range-checked
//                        (CollateralOutOfRange), the positions by PerpHealth
template ClosePosition(markets) {
    signal input enabled;
    signal input traded[markets];
    signal input collateral;
    signal input size[markets];
    signal input closing;
    signal input quote;
    signal input paid;
    signal output long;
    signal output collateralAfter;
    signal output sizeAfter[markets];

    var position = 0;
    signal positionOf[markets];
    for (var i = 0; i < markets; i++) {
        positionOf[i] <== traded[i] * size[i];
        position += positionOf[i];
    }
    component abs = SignedAbs(SIZE_BITS());
    abs.in <== position;
    long <== 1 - abs.negative;

    component closingRange = RangeCheck(SIZE_BITS());
    closingRange.in <== closing;
    component nothing = IsZero();
    nothing.in <== closing;
    enabled * nothing.out === 0;
    // Both below 2^SIZE_BITS: closing by its range check, abs.out by SignedAbs's.
    component within = LessEqThan(SIZE_BITS());
    within.in[0] <== closing;
    within.in[1] <== abs.out;
    enabled * (1 - within.out) === 0;

    // A long sells: + quote, size - closing. A short buys: - quote, size + closing.
    signal direction <== 2 * long - 1;
    signal cash <== direction * quote;
    collateralAfter <== collateral + cash - paid;
    component collateralRange = SignedRange(COLLATERAL_BITS());
    collateralRange.in <== collateralAfter;
    signal change[markets];
    for (var i = 0; i < markets; i++) {
        change[i] <== traded[i] * closing;
        sizeAfter[i] <== size[i] - direction * change[i];
    }
}

// OppositeFill(markets): the counterparty of a close takes the other side:
// it buys what a long sells (collateral - quote, size + closing) or sells
// what a short buys back (collateral + quote, size - closing).
//
//   traded[i]            bit     one-hot: the market
//   collateral, size[i]  field   the counterparty, funding settled
//   closing, quote       field   as ClosePosition's
//   long                 bit     the closed position was a long
template OppositeFill(markets) {
    signal input traded[markets];
    signal input collateral;
    signal input size[markets];
    signal input closing;
    signal input quote;
    signal input long;
    signal output collateralAfter;
    signal output sizeAfter[markets];

    signal direction <== 2 * long - 1;
    signal cash <== direction * quote;
    collateralAfter <== collateral - cash;
    component collateralRange = SignedRange(COLLATERAL_BITS());
    collateralRange.in <== collateralAfter;
    signal change[markets];
    for (var i = 0; i < markets; i++) {
        change[i] <== traded[i] * closing;
        sizeAfter[i] <== size[i] + direction * change[i];
    }
}

// LiquidationRules(): when enabled, the rules of a liquidation on the
// liquidated account's values and the quote (process_liquidation):
//
//   below maintenance before        valueBefore * MARGIN_SCALE < maintenanceBefore   (NotLiquidatable)
//   not worse than bankruptcy       valueAfter * maintenanceBefore >= valueBefore * maintenanceAfter   (WorseThanBankruptcy)
//   cost within the cap             (discount + penalty) * MARGIN_SCALE <= notional * maxPenalty   (LiquidationTooCostly)
//   the fund pays no more than it must:  byFund and discount < 0 imply
//                                   (valueAfter - 1) * maintenanceBefore < valueBefore * maintenanceAfter   (InsuranceFundOverpays)
//
// where discount = notional - quote for a long, quote - notional for a
// short, and notional = closing * oraclePrice * quantum of the market.
// One unit of quote less favourable to the account is one unit of value
// less, whichever its side: hence valueAfter - 1.
//
//   valueBefore, maintenanceBefore, valueAfter, maintenanceAfter   field   PerpHealth of the liquidated account
//   long       bit     the closed position was a long (ClosePosition)
//   quote, penalty   field   < 2^AMOUNT_BITS
//   notional   field   closing * oracle price * quantum (< 2^112)
//   maxPenalty field   the deployment's max_liquidation_penalty (< 2^MARGIN_FRACTION_BITS)
//   byFund     bit     no liquidator's order: the insurance fund takes the other side
template LiquidationRules() {
    signal input enabled;
    signal input valueBefore;
    signal input maintenanceBefore;
    signal input valueAfter;
    signal input maintenanceAfter;
    signal input long;
    signal input quote;
    signal input penalty;
    signal input notional;
    signal input maxPenalty;
    signal input byFund;

    component notMaintained = SignedLessEq(REQUIREMENT_BITS() + 1);
    notMaintained.a <== maintenanceBefore;
    notMaintained.b <== valueBefore * MARGIN_SCALE();
    enabled * notMaintained.out === 0;

    component kept = SignedLessEq(VALUE_BITS() + REQUIREMENT_BITS());
    kept.a <== valueBefore * maintenanceAfter;
    kept.b <== valueAfter * maintenanceBefore;
    enabled * (1 - kept.out) === 0;

    // discount + penalty, signed; both terms below 2^113 in magnitude.
    signal discount <== (2 * long - 1) * (notional - quote);
    component capped = SignedLessEq(REQUIREMENT_BITS() + 1);
    capped.a <== (discount + penalty) * MARGIN_SCALE();
    capped.b <== notional * maxPenalty;
    enabled * (1 - capped.out) === 0;

    component premium = SignedLessEq(REQUIREMENT_BITS());
    premium.a <== 0;
    premium.b <== discount;
    component cheaperKept = SignedLessEq(VALUE_BITS() + REQUIREMENT_BITS());
    cheaperKept.a <== valueBefore * maintenanceAfter;
    cheaperKept.b <== (valueAfter - 1) * maintenanceBefore;
    // The fund, paying above the oracle, pays exactly the bankruptcy quote.
    signal fundCase <== enabled * byFund;
    signal fundPaysPremium <== fundCase * (1 - premium.out);
    fundPaysPremium * cheaperKept.out === 0;
}

// DeleverageRules(): when enabled, the rules of a deleveraging on the
// bankrupt account, the insurance fund and the counterparty
// (process_deleverage):
//
//   bankrupt                        valueBefore < 0   (EquityNotNegative)
//   the fund does not cover it      fundValue + valueBefore < 0   (InsuranceFundSufficient)
//   opposite positions              counterPosition is nonzero and of the other sign   (PositionsNotOpposite)
//   within the counterparty's       closing <= |counterPosition|   (LiquidationOversized)
//   the bankruptcy quote exactly    valueAfter * maintenanceBefore >= valueBefore * maintenanceAfter, and
//                                   (valueAfter - 1) * maintenanceBefore < valueBefore * maintenanceAfter
//                                   unless a long closes for a quote of 0   (NotBankruptcyPrice)
//   the counterparty stays solvent  counterValueAfter >= 0   (CounterpartyWouldBeBankrupt)
template DeleverageRules() {
    signal input enabled;
    signal input valueBefore;
    signal input maintenanceBefore;
    signal input valueAfter;
    signal input maintenanceAfter;
    signal input long;
    signal input quote;
    signal input closing;
    signal input fundValue;
    signal input counterPosition;
    signal input counterValueAfter;

    component solvent = SignedLessEq(VALUE_BITS());
    solvent.a <== 0;
    solvent.b <== valueBefore;
    enabled * solvent.out === 0;

    component covered = SignedLessEq(VALUE_BITS() + 1);
    covered.a <== 0;
    covered.b <== fundValue + valueBefore;
    enabled * covered.out === 0;

    component counter = SignedAbs(SIZE_BITS());
    counter.in <== counterPosition;
    component flat = IsZero();
    flat.in <== counter.out;
    enabled * flat.out === 0;
    // A long's counterparty is short (negative), a short's is long.
    enabled * (counter.negative - long) === 0;
    // Both below 2^SIZE_BITS: closing by ClosePosition's range check, counter.out by SignedAbs's.
    component within = LessEqThan(SIZE_BITS());
    within.in[0] <== closing;
    within.in[1] <== counter.out;
    enabled * (1 - within.out) === 0;

    component kept = SignedLessEq(VALUE_BITS() + REQUIREMENT_BITS());
    kept.a <== valueBefore * maintenanceAfter;
    kept.b <== valueAfter * maintenanceBefore;
    enabled * (1 - kept.out) === 0;
    component worseKept = SignedLessEq(VALUE_BITS() + REQUIREMENT_BITS());
    worseKept.a <== valueBefore * maintenanceAfter;
    worseKept.b <== (valueAfter - 1) * maintenanceBefore;
    component free = IsZero();
    free.in <== quote;
    signal noWorseQuote <== long * free.out;
    signal worseMustFail <== enabled * (1 - noWorseQuote);
    worseMustFail * worseKept.out === 0;

    component counterSolvent = SignedLessEq(VALUE_BITS());
    counterSolvent.a <== 0;
    counterSolvent.b <== counterValueAfter;
    enabled * (1 - counterSolvent.out) === 0;
}

// PerpCloseEffects(markets): a liquidation's or a deleveraging's effects on
// the closed account and its counterparty, and the rules on them
// (process_liquidation and process_deleverage from the accounts' funding
// settlement on): the close (ClosePosition), the counterparty's opposite
// fill (OppositeFill), both accounts' values before and after
// (PerpHealth), LiquidationRules or DeleverageRules, a liquidator's margin
// rule as for a trade (MarginAfterFill), the fund left worth zero or more
// when it takes the other side (InsuranceFundExhausted), and the market's
// open interest (a close never raises it; the cap is checked as for a
// trade). Disabled (neither flag), the caller passes zeros and every rule
// holds.
//
//   isLiquidation, isDeleverage   bit     at most one set
//   byOrder                       bit     a liquidation against a liquidator's order (else the fund takes it)
//   traded[i], price[i], quantum[i], initialMargin[i], maintenanceMargin[i]   the markets (traded one-hot, all zero when disabled)
//   collateral, size[i]           field   the closed account, funding settled (collateral range-checked by the caller)
//   counterCollateral, counterSize[i]   field   its counterparty, likewise
//   fundValue                     field   the insurance fund's value before (a deleveraging reads it)
//   closing, quote, penalty       field   < 2^SIZE_BITS (checked here), < 2^AMOUNT_BITS, < 2^AMOUNT_BITS (range-checked by the caller)
//   maxPenalty                    field   the deployment's max_liquidation_penalty (range-checked by the caller)
//   openInterest, cap             field   the traded market's
//   fundIsClosed, fundIsCounter   bit     the fund is the closed account, the counterparty: its value
//                                         before is then theirs, not fundValue (a caller that reads the
//                                         fund's leaf after theirs is written)
//   outputs: long (the closed position was a long), collateralAfter,
//   sizeAfter[i], counterCollateralAfter, counterSizeAfter[i], openInterestAfter
template PerpCloseEffects(markets) {
    signal input isLiquidation;
    signal input isDeleverage;
    signal input byOrder;
    signal input traded[markets];
    signal input price[markets];
    signal input quantum[markets];
    signal input initialMargin[markets];
    signal input maintenanceMargin[markets];
    signal input collateral;
    signal input size[markets];
    signal input counterCollateral;
    signal input counterSize[markets];
    signal input fundValue;
    signal input fundIsClosed;
    signal input fundIsCounter;
    signal input closing;
    signal input quote;
    signal input penalty;
    signal input maxPenalty;
    signal input openInterest;
    signal input cap;
    signal output long;
    signal output collateralAfter;
    signal output sizeAfter[markets];
    signal output counterCollateralAfter;
    signal output counterSizeAfter[markets];
    signal output openInterestAfter;

    signal enabled <== isLiquidation + isDeleverage;
    var perLot = 0;
    var counterPosition = 0;
    var position = 0;
    signal valueOf[markets];
    signal perLotOf[markets];
    signal counterOf[markets];
    signal positionOf[markets];
    for (var i = 0; i < markets; i++) {
        valueOf[i] <== price[i] * quantum[i];
        perLotOf[i] <== traded[i] * valueOf[i];
        perLot += perLotOf[i];
        counterOf[i] <== traded[i] * counterSize[i];
        counterPosition += counterOf[i];
        positionOf[i] <== traded[i] * size[i];
        position += positionOf[i];
    }

    component close = ClosePosition(markets);
    close.enabled <== enabled;
    close.traded <== traded;
    close.collateral <== collateral;
    close.size <== size;
    close.closing <== closing;
    close.quote <== quote;
    close.paid <== penalty;
    long <== close.long;
    collateralAfter <== close.collateralAfter;
    sizeAfter <== close.sizeAfter;

    component opposite = OppositeFill(markets);
    opposite.traded <== traded;
    opposite.collateral <== counterCollateral;
    opposite.size <== counterSize;
    opposite.closing <== closing;
    opposite.quote <== quote;
    opposite.long <== close.long;
    counterCollateralAfter <== opposite.collateralAfter;
    counterSizeAfter <== opposite.sizeAfter;

    // circomspect: CS0018 the closed account's initial requirements do not matter (its rules read value and maintenance).
    component before = PerpHealth(markets);
    // circomspect: CS0018 likewise.
    component after = PerpHealth(markets);
    // circomspect: CS0018 the counterparty's requirement before enters by its maintenance only (the margin rule's ratio).
    component counterBefore = PerpHealth(markets);
    component counterAfter = PerpHealth(markets);
    before.collateral <== collateral;
    before.size <== size;
    after.collateral <== close.collateralAfter;
    after.size <== close.sizeAfter;
    counterBefore.collateral <== counterCollateral;
    counterBefore.size <== counterSize;
    counterAfter.collateral <== opposite.collateralAfter;
    counterAfter.size <== opposite.sizeAfter;
    before.price <== price;
    after.price <== price;
    counterBefore.price <== price;
    counterAfter.price <== price;
    before.quantum <== quantum;
    after.quantum <== quantum;
    counterBefore.quantum <== quantum;
    counterAfter.quantum <== quantum;
    before.initialMargin <== initialMargin;
    after.initialMargin <== initialMargin;
    counterBefore.initialMargin <== initialMargin;
    counterAfter.initialMargin <== initialMargin;
    before.maintenanceMargin <== maintenanceMargin;
    after.maintenanceMargin <== maintenanceMargin;
    counterBefore.maintenanceMargin <== maintenanceMargin;
    counterAfter.maintenanceMargin <== maintenanceMargin;
    signal fundIfClosed <== fundIsClosed * (before.value - fundValue);
    signal fundIfCounter <== fundIsCounter * (counterBefore.value - fundValue);

    component liquidation = LiquidationRules();
    liquidation.enabled <== isLiquidation;
    liquidation.valueBefore <== before.value;
    liquidation.maintenanceBefore <== before.maintenance;
    liquidation.valueAfter <== after.value;
    liquidation.maintenanceAfter <== after.maintenance;
    liquidation.long <== close.long;
    liquidation.quote <== quote;
    liquidation.penalty <== penalty;
    liquidation.notional <== closing * perLot;
    liquidation.maxPenalty <== maxPenalty;
    liquidation.byFund <== 1 - byOrder;

    // A liquidator keeps its margin as for a trade; the fund stays worth zero or more.
    signal liquidator <== isLiquidation * byOrder;
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
    signal fundTakes <== isLiquidation - liquidator;
    fundTakes * (1 - fundSolvent.out) === 0;

    component deleveraging = DeleverageRules();
    deleveraging.enabled <== isDeleverage;
    deleveraging.valueBefore <== before.value;
    deleveraging.maintenanceBefore <== before.maintenance;
    deleveraging.valueAfter <== after.value;
    deleveraging.maintenanceAfter <== after.maintenance;
    deleveraging.long <== close.long;
    deleveraging.quote <== quote;
    deleveraging.closing <== closing;
    deleveraging.fundValue <== fundValue + fundIfClosed + fundIfCounter;
    deleveraging.counterPosition <== counterPosition;
    deleveraging.counterValueAfter <== counterAfter.value;

    // The open interest: the closed position's and the counterparty's.
    component interest = OpenInterestAfter(2);
    interest.enabled <== enabled;
    interest.before[0] <== position;
    interest.before[1] <== counterPosition;
    interest.after[0] <== position - (2 * close.long - 1) * closing;
    interest.after[1] <== margin.sizeAfter;
    interest.openInterest <== openInterest;
    interest.cap <== cap;
    openInterestAfter <== interest.out;
}
