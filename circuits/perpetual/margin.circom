pragma circom 2.1.0;

// Perpetual futures' arithmetic: funding settlement, an account's value and
// margin requirements, and the margin rule after a fill. Each template
// mirrors a function of sequencer/spec/perpetual/margin.py (and of
// rules.py's check_margin); docs/DESIGN.md "Perpetual futures" gives the
// scales and the widths that keep every product below the field's modulus.
//
// Signed values are field elements: -x is p - x. A template that reads one
// range-checks it as signed (SignedRange) or receives it from one that did.

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";

// SignedRange(n): |in| < 2^n (SignedAbs's range check, its outputs unused).
//
//   in   field   a signed value
template SignedRange(n) {
    signal input in;
    // circomspect: CS0018 only the range check matters: |in| < 2^n.
    component abs = SignedAbs(n);
    abs.in <== in;
}

// SignedAbs(n): out = |in| and negative = (in < 0), for |in| < 2^n.
//
//   in        field   a signed value; the range check on out bounds it
//   out       field   |in|, < 2^n
//   negative  bit     1 when in < 0 (either when in = 0)
template SignedAbs(n) {
    signal input in;
    signal output out;
    signal output negative;

    // The hint is the sign of in's smallest representative; the constraints
    // below leave no other choice except at in = 0, where out is 0 either way.
    // circomspect: CS0005 constrained below: a bit, and out = in - 2 * negative * in must fit n bits, which the wrong sign's p - |in| does not.
    negative <-- in < 0 ? 1 : 0;
    negative * (negative - 1) === 0;
    out <== in - 2 * negative * in;
    component bits = RangeCheck(n);
    bits.in <== out;
}

// SignedLessEq(n): out = (a <= b) for signed a, b with |a|, |b| < 2^n.
//
// NOTE: the caller must bound a and b; n + 1 <= 252 (LessEqThan's limit).
template SignedLessEq(n) {
    signal input a;
    signal input b;
    signal output out;

    component le = LessEqThan(n + 1);
    le.in[0] <== a + (1 << n);
    le.in[1] <== b + (1 << n);
    out <== le.out;
}

// FundingSettlement(markets): the account's collateral with the funding of
// every position settled (margin.settled).
//
// For each market, payment[i] = floor(-size * (index - settledIndex) *
// quantum / FUNDING_RATE_SCALE): the witness gives the quotient and the
// remainder, and the circuit checks
//   -size * (index - settledIndex) * quantum = payment * FUNDING_RATE_SCALE + remainder,
//   0 <= remainder < FUNDING_RATE_SCALE,   |payment| < 2^FUNDING_PAYMENT_BITS.
// Both sides are below 2^203 in magnitude, so equal in the field means equal
// as integers: the floor is the only quotient that passes, rounded down for
// every account.
//
//   collateral                field    signed, range-checked by the caller
//   size[i], settledIndex[i]  field    signed, range-checked by the caller (SIZE_BITS, FUNDING_INDEX_BITS)
//   index[i], quantum[i]      field    the market's index (FUNDING_INDEX_BITS) and quantum (QUANTUM_BITS)
//   payment[i], remainder[i]  field    the division's quotient and remainder (witness)
//   out                       field    collateral + sum(payment)
template FundingSettlement(markets) {
    signal input collateral;
    signal input size[markets];
    signal input settledIndex[markets];
    signal input index[markets];
    signal input quantum[markets];
    signal input payment[markets];
    signal input remainder[markets];
    signal output out;

    signal owedPerLot[markets];
    signal owed[markets];
    component paymentRange[markets];
    component remainderBits[markets];
    component remainderBelow[markets];
    var total = collateral;
    for (var i = 0; i < markets; i++) {
        owedPerLot[i] <== size[i] * (settledIndex[i] - index[i]);
        owed[i] <== owedPerLot[i] * quantum[i];
        owed[i] === payment[i] * FUNDING_RATE_SCALE() + remainder[i];

        paymentRange[i] = SignedRange(FUNDING_PAYMENT_BITS());
        paymentRange[i].in <== payment[i];
        remainderBits[i] = RangeCheck(40);
        remainderBits[i].in <== remainder[i];
        remainderBelow[i] = LessThan(40);
        // circomspect: CS0014 the remainder is range-checked to 40 bits just above.
        remainderBelow[i].in[0] <== remainder[i];
        // circomspect: CS0014 a constant, 10^12 < 2^40.
        remainderBelow[i].in[1] <== FUNDING_RATE_SCALE();
        remainderBelow[i].out === 1;
        total += payment[i];
    }
    out <== total;
}

// PerpHealth(markets): an account's value at the oracle prices, in
// collateral units, and its initial and maintenance requirements, in
// collateral units times MARGIN_SCALE (margin.health).
//
//   collateral   field   signed, |.| < 2^COLLATERAL_BITS (range-checked by the caller)
//   size[i]      field   signed, |.| < 2^SIZE_BITS (range-checked here)
//   price[i]     field   the oracle price, < 2^PERP_PRICE_BITS
//   quantum[i], initialMargin[i], maintenanceMargin[i]   field   the market's parameters
//   value        field   collateral + sum(size * price * quantum), |.| < 2^VALUE_BITS
//   initial, maintenance   field   sum(|size| * price * quantum * fraction), < 2^REQUIREMENT_BITS
template PerpHealth(markets) {
    signal input collateral;
    signal input size[markets];
    signal input price[markets];
    signal input quantum[markets];
    signal input initialMargin[markets];
    signal input maintenanceMargin[markets];
    signal output value;
    signal output initial;
    signal output maintenance;

    component abs[markets];
    signal perLot[markets];
    signal notional[markets];
    signal signedNotional[markets];
    signal initialOf[markets];
    signal maintenanceOf[markets];
    var worth = collateral;
    var initialSum = 0;
    var maintenanceSum = 0;
    for (var i = 0; i < markets; i++) {
        abs[i] = SignedAbs(SIZE_BITS());
        abs[i].in <== size[i];
        perLot[i] <== price[i] * quantum[i];
        notional[i] <== abs[i].out * perLot[i];
        // size * price * quantum, from the notional and the sign.
        signedNotional[i] <== notional[i] - 2 * abs[i].negative * notional[i];
        worth += signedNotional[i];
        initialOf[i] <== notional[i] * initialMargin[i];
        maintenanceOf[i] <== notional[i] * maintenanceMargin[i];
        initialSum += initialOf[i];
        maintenanceSum += maintenanceOf[i];
    }
    value <== worth;
    initial <== initialSum;
    maintenance <== maintenanceSum;
}

// MarginAfterFill(): when enabled, after a fill in one market the account
// meets initial margin, or it only reduced its position there (smaller, not
// flipped) without lowering its margin ratio (rules.check_margin):
//
//   value * MARGIN_SCALE >= initial
//   or (|sizeAfter| < |sizeBefore| and sizeAfter * sizeBefore >= 0
//       and valueAfter * maintenanceBefore >= valueBefore * maintenanceAfter)
//
//   enabled                                  bit
//   valueBefore, maintenanceBefore           field   PerpHealth of the account before (funding settled)
//   valueAfter, initialAfter, maintenanceAfter   field   PerpHealth after the fill
//   sizeBefore, sizeAfter                    field   its position in the fill's market, |.| < 2^SIZE_BITS
template MarginAfterFill() {
    signal input enabled;
    signal input valueBefore;
    signal input maintenanceBefore;
    signal input valueAfter;
    signal input initialAfter;
    signal input maintenanceAfter;
    signal input sizeBefore;
    signal input sizeAfter;

    // value * MARGIN_SCALE < 2^135 in magnitude, a requirement < 2^135.
    component meetsInitial = SignedLessEq(REQUIREMENT_BITS() + 1);
    meetsInitial.a <== initialAfter;
    meetsInitial.b <== valueAfter * MARGIN_SCALE();

    component reduced = ExposureReduced();
    reduced.before <== sizeBefore;
    reduced.after <== sizeAfter;

    // Both products are below 2^(VALUE_BITS + REQUIREMENT_BITS) = 2^250 in magnitude.
    component ratioKept = SignedLessEq(VALUE_BITS() + REQUIREMENT_BITS());
    ratioKept.a <== valueBefore * maintenanceAfter;
    ratioKept.b <== valueAfter * maintenanceBefore;

    signal reducedKeepingRatio <== reduced.out * ratioKept.out;
    signal ok <== meetsInitial.out + reducedKeepingRatio - meetsInitial.out * reducedKeepingRatio;
    enabled * (1 - ok) === 0;
}

// ExposureReduced(): out = 1 when a position went from `before` to `after`
// by shrinking only: smaller, and closed or on the side it was (never
// flipped); margin.exposure_reduced.
//
//   before, after   field   signed, |.| < 2^SIZE_BITS (range-checked here)
//   out             bit
template ExposureReduced() {
    signal input before;
    signal input after;
    signal output out;

    component was = SignedAbs(SIZE_BITS());
    was.in <== before;
    component is = SignedAbs(SIZE_BITS());
    is.in <== after;
    component smaller = LessThan(SIZE_BITS());
    // circomspect: CS0014 SignedAbs's output, range-checked to SIZE_BITS.
    smaller.in[0] <== is.out;
    // circomspect: CS0014 SignedAbs's output, range-checked to SIZE_BITS.
    smaller.in[1] <== was.out;
    component closed = IsZero();
    closed.in <== is.out;
    component sameSide = IsEqual();
    sameSide.in[0] <== is.negative;
    sameSide.in[1] <== was.negative;
    signal notFlipped <== closed.out + sameSide.out - closed.out * sameSide.out;
    out <== smaller.out * notFlipped;
}
