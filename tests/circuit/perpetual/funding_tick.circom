pragma circom 2.1.0;

// A funding tick of one market against the spec's result, for
// tests/circuit/perpetual/test_oracle_circuit.py: FundingIndexUpdate's
// output must be the spec's index after the tick.

include "perpetual/oracle.circom";

template FundingTickCheck() {
    signal input index;
    signal input price;
    signal input fundingTime;
    signal input rate;
    signal input maxRate;
    signal input timestamp;
    signal input indexAfter;

    // What the batch circuit will read from the state, its constants and its time, range-checked as assumed.
    component indexRange = SignedRange(FUNDING_INDEX_BITS());
    indexRange.in <== index;
    component priceRange = RangeCheck(PERP_PRICE_BITS());
    priceRange.in <== price;
    component fundingTimeRange = RangeCheck(TIMESTAMP_BITS());
    fundingTimeRange.in <== fundingTime;
    component maxRateRange = RangeCheck(FUNDING_RATE_BITS());
    maxRateRange.in <== maxRate;
    component timestampRange = RangeCheck(TIMESTAMP_BITS());
    timestampRange.in <== timestamp;

    component update = FundingIndexUpdate();
    update.index <== index;
    update.price <== price;
    update.fundingTime <== fundingTime;
    update.rate <== rate;
    update.maxRate <== maxRate;
    update.timestamp <== timestamp;
    update.out === indexAfter;
}
