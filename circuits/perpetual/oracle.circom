pragma circom 2.1.0;

// An oracle price update and a funding tick, mirroring
// sequencer/spec/perpetual/rules.py's process_oracle_update and
// process_funding_tick rule by rule (docs/DESIGN.md "Perpetual futures").

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";
include "margin.circom";

// OraclePriceUpdate(quorum, keys, keyBits): the market's new price is the
// median of an odd quorum of prices signed by distinct oracles of the key
// set, each signed after the market's last update and within the window.
// Every rule holds only where `enabled` is 1 (a slot that holds another
// transaction sets it to 0 and zeros for the signed values).
//
//   enabled                  field   0 or 1 (the caller constrains it)
//   market, timestamp        field   the market and the batch's time (< 2^TIMESTAMP_BITS)
//   oracleTime               field   the market's oracle_time before (< 2^TIMESTAMP_BITS)
//   window                   field   the deployment's oracle_window (< 2^ORACLE_WINDOW_BITS)
//   keyAx[k], keyAy[k]       field   the oracle key set
//   signer[i]                field   ascending indices into the key set (OracleSignersNotAscending, UnknownOracleSigner)
//   price[i], signedTime[i]  field   what oracle signer[i] signed (ZeroOraclePrice, OraclePriceStale)
//   R8x[i], R8y[i], S[i]     field   its signature of Poseidon([4, market, price, time, 0, ...]) (InvalidOracleSignature)
//   median                   field   the new oracle price: the middle price (quorum is odd)
//   latest                   field   the new oracle_time: the latest signed time
//   oldPrice, fundingTime    field   the market's price and funding time before
//   fundingTimeAfter         field   the funding time after: a market's first price starts its clock
template OraclePriceUpdate(quorum, keys, keyBits) {
    signal input enabled;
    signal input market;
    signal input timestamp;
    signal input oracleTime;
    signal input window;
    signal input keyAx[keys];
    signal input keyAy[keys];
    signal input signer[quorum];
    signal input price[quorum];
    signal input signedTime[quorum];
    signal input R8x[quorum];
    signal input R8y[quorum];
    signal input S[quorum];
    signal input median;
    signal input latest;
    signal input oldPrice;
    signal input fundingTime;
    signal input fundingTimeAfter;

    assert(keys <= 2 ** keyBits);
    component firstPrice = IsZero();
    firstPrice.in <== oldPrice;
    signal clockStart <== firstPrice.out * (timestamp - fundingTime);
    (fundingTimeAfter - fundingTime - clockStart) * enabled === 0;
    assert(quorum % 2 == 1);
    component timestampRange = RangeCheck(TIMESTAMP_BITS());
    timestampRange.in <== timestamp;
    component oracleTimeRange = RangeCheck(TIMESTAMP_BITS());
    oracleTimeRange.in <== oracleTime;
    component windowRange = RangeCheck(ORACLE_WINDOW_BITS());
    windowRange.in <== window;

    component isKey[quorum][keys];
    signal ax[quorum][keys + 1];
    signal ay[quorum][keys + 1];
    component ascending[quorum];
    component priceRange[quorum];
    component zeroPrice[quorum];
    component timeRange[quorum];
    component notFuture[quorum];
    component afterLast[quorum];
    component inWindow[quorum];
    component message[quorum];
    component signature[quorum];
    for (var i = 0; i < quorum; i++) {
        // The signer's key, by a one-hot choice over the key set: exactly
        // one key matches, so signer[i] is an index of the set.
        var matches = 0;
        ax[i][0] <== 0;
        ay[i][0] <== 0;
        for (var k = 0; k < keys; k++) {
            isKey[i][k] = IsEqual();
            isKey[i][k].in[0] <== signer[i];
            isKey[i][k].in[1] <== k;
            matches += isKey[i][k].out;
            ax[i][k + 1] <== ax[i][k] + isKey[i][k].out * keyAx[k];
            ay[i][k + 1] <== ay[i][k] + isKey[i][k].out * keyAy[k];
        }
        (matches - 1) * enabled === 0;
        if (i > 0) {
            ascending[i] = LessThan(keyBits);
            // circomspect: CS0014 signer[i - 1] is an index of the key set (its one-hot match), below 2^keyBits.
            ascending[i].in[0] <== signer[i - 1];
            // circomspect: CS0014 signer[i] is an index of the key set (its one-hot match), below 2^keyBits.
            ascending[i].in[1] <== signer[i];
            (ascending[i].out - 1) * enabled === 0;
        }

        priceRange[i] = RangeCheck(PERP_PRICE_BITS());
        priceRange[i].in <== price[i];
        zeroPrice[i] = IsZero();
        zeroPrice[i].in <== price[i];
        zeroPrice[i].out * enabled === 0;

        // oracleTime + 1 <= signedTime <= timestamp <= signedTime + window.
        timeRange[i] = RangeCheck(TIMESTAMP_BITS());
        timeRange[i].in <== signedTime[i];
        notFuture[i] = LessEqThan(TIMESTAMP_BITS() + 1);
        notFuture[i].in[0] <== signedTime[i];
        notFuture[i].in[1] <== timestamp;
        (notFuture[i].out - 1) * enabled === 0;
        afterLast[i] = LessThan(TIMESTAMP_BITS() + 1);
        // circomspect: CS0014 range-checked to TIMESTAMP_BITS at the top.
        afterLast[i].in[0] <== oracleTime;
        // circomspect: CS0014 range-checked to TIMESTAMP_BITS just above.
        afterLast[i].in[1] <== signedTime[i];
        (afterLast[i].out - 1) * enabled === 0;
        inWindow[i] = LessEqThan(TIMESTAMP_BITS() + 1);
        inWindow[i].in[0] <== timestamp;
        inWindow[i].in[1] <== signedTime[i] + window;
        (inWindow[i].out - 1) * enabled === 0;

        assert(MESSAGE_INPUTS() == 11);
        message[i] = Poseidon(MESSAGE_INPUTS());
        message[i].inputs[0] <== MSG_ORACLE_PRICE();
        message[i].inputs[1] <== market;
        message[i].inputs[2] <== price[i];
        message[i].inputs[3] <== signedTime[i];
        for (var j = 4; j < MESSAGE_INPUTS(); j++) {
            message[i].inputs[j] <== 0;
        }
        signature[i] = EdDSAPoseidonVerifier();
        signature[i].enabled <== enabled;
        signature[i].Ax <== ax[i][keys];
        signature[i].Ay <== ay[i][keys];
        signature[i].R8x <== R8x[i];
        signature[i].R8y <== R8y[i];
        signature[i].S <== S[i];
        signature[i].M <== message[i].out;
    }

    // The median: one of the prices, with at most (quorum - 1) / 2 prices
    // below it and more than that at or below it.
    component medianOf = OneOf(quorum);
    medianOf.value <== median;
    medianOf.candidates <== price;
    medianOf.product * enabled === 0;
    component below[quorum];
    component atOrBelow[quorum];
    var countBelow = 0;
    var countAtOrBelow = 0;
    for (var i = 0; i < quorum; i++) {
        below[i] = LessThan(PERP_PRICE_BITS());
        // circomspect: CS0014 price[i] is range-checked above; median is one of them.
        below[i].in[0] <== price[i];
        // circomspect: CS0014 median is one of the range-checked prices (OneOf).
        below[i].in[1] <== median;
        atOrBelow[i] = LessEqThan(PERP_PRICE_BITS());
        atOrBelow[i].in[0] <== price[i];
        atOrBelow[i].in[1] <== median;
        countBelow += below[i].out;
        countAtOrBelow += atOrBelow[i].out;
    }
    component fewBelow = LessEqThan(keyBits + 1);
    fewBelow.in[0] <== countBelow;
    fewBelow.in[1] <== (quorum - 1) \ 2;
    (fewBelow.out - 1) * enabled === 0;
    component enoughAtOrBelow = LessThan(keyBits + 1);
    // circomspect: CS0014 a constant below quorum <= keys <= 2^keyBits.
    enoughAtOrBelow.in[0] <== (quorum - 1) \ 2;
    // circomspect: CS0014 a sum of quorum bits, at most quorum <= 2^keyBits.
    enoughAtOrBelow.in[1] <== countAtOrBelow;
    (enoughAtOrBelow.out - 1) * enabled === 0;

    // The latest signed time: one of them, at or above every one.
    component latestOf = OneOf(quorum);
    latestOf.value <== latest;
    latestOf.candidates <== signedTime;
    latestOf.product * enabled === 0;
    component notEarlier[quorum];
    for (var i = 0; i < quorum; i++) {
        notEarlier[i] = LessEqThan(TIMESTAMP_BITS());
        notEarlier[i].in[0] <== signedTime[i];
        notEarlier[i].in[1] <== latest;
        (notEarlier[i].out - 1) * enabled === 0;
    }
}

// OneOf(n): the product of value's differences from the candidates, zero
// exactly when value is one of them (the caller constrains it to zero).
template OneOf(n) {
    signal input value;
    signal input candidates[n];
    signal output product;
    signal partial[n];
    partial[0] <== value - candidates[0];
    for (var i = 1; i < n; i++) {
        partial[i] <== partial[i - 1] * (value - candidates[i]);
    }
    product <== partial[n - 1];
}

// FundingIndexUpdate(): a market's funding index after a tick at
// `timestamp`: index + rate * price * (timestamp - fundingTime), with |rate|
// at most the market's maxRate (FundingRateAboveCap) and no tick before the
// last (FundingTimeReversed); the new index fits FUNDING_INDEX_BITS.
//
//   index        field   signed, the market's index before (|.| < 2^FUNDING_INDEX_BITS)
//   price        field   the market's oracle price (< 2^PERP_PRICE_BITS)
//   fundingTime  field   the market's last tick (< 2^TIMESTAMP_BITS)
//   rate         field   signed, the tick's rate
//   maxRate      field   the market's max_funding_rate (< 2^FUNDING_RATE_BITS)
//   timestamp    field   the batch's time (< 2^TIMESTAMP_BITS)
//   out          field   the index after
//
// NOTE: the caller range-checks index, price, fundingTime, maxRate and
// timestamp to the widths above (the state and the batch hold them so).
template FundingIndexUpdate() {
    signal input index;
    signal input price;
    signal input fundingTime;
    signal input rate;
    signal input maxRate;
    signal input timestamp;
    signal output out;

    // circomspect: CS0018 only |rate| is capped; the sign enters through rate itself below.
    component rateAbs = SignedAbs(FUNDING_RATE_BITS());
    rateAbs.in <== rate;
    component capped = LessEqThan(FUNDING_RATE_BITS());
    capped.in[0] <== rateAbs.out;
    capped.in[1] <== maxRate;
    capped.out === 1;

    component forward = LessEqThan(TIMESTAMP_BITS());
    forward.in[0] <== fundingTime;
    forward.in[1] <== timestamp;
    forward.out === 1;

    signal perSecond <== rate * price;
    out <== index + perSecond * (timestamp - fundingTime);
    component outRange = SignedRange(FUNDING_INDEX_BITS());
    outRange.in <== out;
}
