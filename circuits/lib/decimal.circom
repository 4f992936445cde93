pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "constants.circom";

// decimalExponent(v): the canonical exponent of v as a decimal float
// (sequencer/spec/decimal.py): the smallest e with v \ 10^e below
// 2^DECIMAL_MANTISSA_BITS(). A witness hint only; DecimalFloat constrains it.
function decimalExponent(v) {
    var e = 0;
    var quotient = v;
    while (quotient >= (1 << DECIMAL_MANTISSA_BITS()) && e < (1 << DECIMAL_EXPONENT_BITS())) {
        quotient = quotient \ 10;
        e += 1;
    }
    return e;
}

// DecimalFloat(): in as a decimal float, packed = exponent * 2^35 + mantissa
// with in == mantissa * 10^exponent exactly, mantissa < 2^35, exponent < 2^5,
// in its canonical form (exponent == 0 or 10 * mantissa >= 2^35), the one the
// spec publishes. A value with no such form has no witness: the spec's
// FillNotEncodable and PriceNotEncodable.
//
// NOTE: in must be below 2^AMOUNT_BITS (callers range-check it), so that
// mantissa * 10^exponent < 2^35 * 10^31 < p cannot wrap.
template DecimalFloat() {
    var mantissaBits = DECIMAL_MANTISSA_BITS();
    var exponentBits = DECIMAL_EXPONENT_BITS();
    signal input in;
    signal output packed;

    signal exponent;
    signal mantissa;
    var e = decimalExponent(in);
    // circomspect: CS0005 a hint: exponentBits range-checks it, and in === mantissa * 10^exponent below binds it.
    exponent <-- e;
    // circomspect: CS0005 a hint: mantissaBits range-checks it, and in === mantissa * 10^exponent below binds it.
    mantissa <-- in \ (10 ** e);
    // circomspect: CS0010 35 bits, far below the field's 254: one binary form, no alias mod p.
    component mantissaRange = Num2Bits(mantissaBits);
    mantissaRange.in <== mantissa;
    // circomspect: CS0010 5 bits, far below the field's 254: one binary form, no alias mod p.
    component exponentRange = Num2Bits(exponentBits);
    exponentRange.in <== exponent;

    // power[i + 1] = 10^(the low i + 1 bits of exponent).
    signal power[exponentBits + 1];
    power[0] <== 1;
    for (var i = 0; i < exponentBits; i++) {
        power[i + 1] <== power[i] * (1 + exponentRange.out[i] * (10 ** (1 << i) - 1));
    }
    in === mantissa * power[exponentBits];

    // Canonical: exponent == 0, or one power of ten less would not fit.
    component exponentZero = IsZero();
    exponentZero.in <== exponent;
    component fullMantissa = GreaterEqThan(mantissaBits + 4);
    fullMantissa.in[0] <== 10 * mantissa;
    fullMantissa.in[1] <== 1 << mantissaBits;
    (1 - exponentZero.out) * (1 - fullMantissa.out) === 0;

    packed <== exponent * (1 << mantissaBits) + mantissa;
}
