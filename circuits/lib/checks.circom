pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// Small conditional checks. Each rule of the state transition is enforced as
// `enabled * (1 - ok) === 0`, so that a slot of another transaction type is
// not bound by it.

// RangeCheck(n): in < 2^n.
//
//   in   field   the value to check
template RangeCheck(n) {
    signal input in;
    // circomspect: CS0010 n bits (every caller passes at most 96, AMOUNT_BITS), far below the field's 254: the range check itself.
    component bits = Num2Bits(n);
    bits.in <== in;
}

// RequireLessEq(n): when enabled, a <= b.
//
//   enabled  bit
//   a, b     field   both < 2^n
//
// NOTE: the caller must range-check a and b to n bits first.
template RequireLessEq(n) {
    signal input enabled;
    signal input a;
    signal input b;
    signal ok;

    component le = LessEqThan(n);
    le.in[0] <== a;
    le.in[1] <== b;
    ok <== le.out;
    enabled * (1 - ok) === 0;
}

// RequireNotEqual(): when enabled, a != b.
//
//   enabled  bit
//   a, b     field
template RequireNotEqual() {
    signal input enabled;
    signal input a;
    signal input b;

    component eq = IsEqual();
    eq.in[0] <== a;
    eq.in[1] <== b;
    enabled * eq.out === 0;
}

// RequireBit(): in is 0 or 1.
template RequireBit() {
    // circomspect: CA01 a false positive: the quadratic constraint below is on `in` alone.
    signal input in;
    in * (in - 1) === 0;
}

// Select(): out = cond ? whenTrue : whenFalse.
//
//   cond       bit     NOTE: the caller must constrain it to be a bit
//   whenTrue   field
//   whenFalse  field
template Select() {
    signal input cond;
    signal input whenTrue;
    signal input whenFalse;
    signal output out;
    out <== whenFalse + cond * (whenTrue - whenFalse);
}
