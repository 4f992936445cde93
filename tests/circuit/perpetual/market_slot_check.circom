pragma circom 2.1.0;

// A perpetual slot of the markets' transactions (a noop, an oracle update,
// a funding tick: PerpMarketMoves, with the slot's type and public data as
// the batch decodes and lays them out) against the spec's result, for
// tests/circuit/perpetual/test_market_slot_circuit.py: the markets after
// and the published bits must be the spec's.

include "perpetual/slot.circom";

template MarketSlotCheck(quorum, keys, keyBits) {
    var markets = MAX_PERP_MARKETS();

    signal input txType;
    signal input timestamp;
    signal input oraclePrice[markets];
    signal input oracleTime[markets];
    signal input fundingIndex[markets];
    signal input fundingTime[markets];
    signal input openInterest[markets];
    signal input configured[markets];
    signal input maxFundingRate[markets];
    signal input oracleWindow;
    signal input keyAx[keys];
    signal input keyAy[keys];
    signal input market;
    signal input signer[quorum];
    signal input price[quorum];
    signal input signedTime[quorum];
    signal input R8x[quorum];
    signal input R8y[quorum];
    signal input S[quorum];
    signal input median;
    signal input latest;
    signal input rate[markets];
    signal input oraclePriceAfter[markets];
    signal input oracleTimeAfter[markets];
    signal input fundingIndexAfter[markets];
    signal input fundingTimeAfter[markets];
    signal input openInterestAfter[markets];
    signal input bits[8 * PPD_SLOT_BYTES()];

    // What the batch will read from the state and its parameters, range-checked as assumed.
    component timestampRange = RangeCheck(TIMESTAMP_BITS());
    timestampRange.in <== timestamp;
    component ranges[markets][5];
    component indexRange[markets];
    for (var m = 0; m < markets; m++) {
        configured[m] * (configured[m] - 1) === 0;
        ranges[m][0] = RangeCheck(PERP_PRICE_BITS());
        ranges[m][0].in <== oraclePrice[m];
        ranges[m][1] = RangeCheck(TIMESTAMP_BITS());
        ranges[m][1].in <== oracleTime[m];
        indexRange[m] = SignedRange(FUNDING_INDEX_BITS());
        indexRange[m].in <== fundingIndex[m];
        ranges[m][2] = RangeCheck(TIMESTAMP_BITS());
        ranges[m][2].in <== fundingTime[m];
        ranges[m][3] = RangeCheck(SIZE_BITS());
        ranges[m][3].in <== openInterest[m];
        ranges[m][4] = RangeCheck(FUNDING_RATE_BITS());
        ranges[m][4].in <== maxFundingRate[m];
    }

    // The slot's type: a noop, an oracle update or a funding tick (no trade here).
    component slotType = PerpSlotType();
    slotType.txType <== txType;
    slotType.market <== market;
    slotType.isTrade + slotType.isTransfer + slotType.isLiquidation + slotType.isDeleverage === 0;

    component slot = PerpMarketMoves(quorum, keys, keyBits);
    slot.isOracle <== slotType.isOracle;
    slot.isFunding <== slotType.isFunding;
    slot.timestamp <== timestamp;
    slot.oraclePrice <== oraclePrice;
    slot.oracleTime <== oracleTime;
    slot.fundingIndex <== fundingIndex;
    slot.fundingTime <== fundingTime;
    slot.configured <== configured;
    slot.maxFundingRate <== maxFundingRate;
    slot.oracleWindow <== oracleWindow;
    slot.keyAx <== keyAx;
    slot.keyAy <== keyAy;
    slot.market <== market;
    slot.signer <== signer;
    slot.price <== price;
    slot.signedTime <== signedTime;
    slot.R8x <== R8x;
    slot.R8y <== R8y;
    slot.S <== S;
    slot.median <== median;
    slot.latest <== latest;
    slot.rate <== rate;
    slot.oraclePriceAfter === oraclePriceAfter;
    slot.oracleTimeAfter === oracleTimeAfter;
    slot.fundingIndexAfter === fundingIndexAfter;
    slot.fundingTimeAfter === fundingTimeAfter;
    openInterest === openInterestAfter;

    component publicData = PerpSlotBits();
    publicData.txType <== txType;
    publicData.market <== market;
    publicData.publishedPrice <== slot.publishedPrice;
    publicData.publishedTime <== slot.publishedTime;
    publicData.publishedRate <== slot.publishedRate;
    publicData.traded <== [0, 0, 0, 0, 0, 0, 0, 0, 0];
    publicData.transferred <== [0, 0, 0];
    publicData.closed <== [0, 0, 0, 0, 0, 0, 0];
    publicData.bits === bits;
}
