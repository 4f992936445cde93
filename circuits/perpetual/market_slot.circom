pragma circom 2.1.0;

// The part of a perpetual slot that moves only the markets: an oracle
// price update or a funding tick, mirroring
// sequencer/spec/perpetual/rules.py's process_oracle_update and
// process_funding_tick, and the fields they publish
// (sequencer/spec/perpetual/public_data.py). The perpetual slot (slot.circom)
// decodes the slot's type and threads the markets from slot to slot; the
// parameters (the oracle keys and window, each market's funding bound,
// which markets are configured) are witness against the state's configHash
// (commitment.circom).

include "circomlib/circuits/comparators.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";
include "oracle.circom";

// PerpMarketMoves(quorum, keys, keyBits): the markets after one slot that
// is an oracle update (isOracle), a funding tick (isFunding) or neither.
//
//   isOracle, isFunding            bit     the slot's type (at most one set; the caller decodes it)
//   timestamp                      field   the batch's time (< 2^TIMESTAMP_BITS)
//   oraclePrice[m] .. fundingTime[m]   field   market m before (signed fundingIndex)
//   configured[m]                  bit     market m is configured
//   maxFundingRate[m]              field   its max_funding_rate (0 where not configured)
//   oracleWindow, keyAx, keyAy     field   the deployment's oracle window and key set
//   market, signer .. latest       field   an oracle update's market and signed prices (OraclePriceUpdate); zeros otherwise
//   rate[m]                        field   a funding tick's signed rates; zeros otherwise
//   ...After[m]                    field   market m after the slot (its open interest is not the markets' moves')
//   publishedPrice, publishedTime  field   an oracle update's published price and time (0 otherwise)
//   publishedRate[m]               field   a funding tick's published rates, each offset by 2^FUNDING_RATE_BITS (0 otherwise)
//
// NOTE: the caller range-checks the markets before and the parameters to
// their widths (a proven state holds no wider: every value a slot writes
// is range-checked here), constrains configured[m] to bits, and timestamp.
template PerpMarketMoves(quorum, keys, keyBits) {
    var markets = MAX_PERP_MARKETS();

    signal input isOracle;
    signal input isFunding;
    signal input timestamp;
    signal input oraclePrice[markets];
    signal input oracleTime[markets];
    signal input fundingIndex[markets];
    signal input fundingTime[markets];
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

    signal output oraclePriceAfter[markets];
    signal output oracleTimeAfter[markets];
    signal output fundingIndexAfter[markets];
    signal output fundingTimeAfter[markets];
    signal output publishedPrice;
    signal output publishedTime;
    signal output publishedRate[markets];

    // --- An oracle update names one configured market (UnknownPerpMarket).
    component isMarket[markets];
    signal chosen[markets];
    signal chosenConfigured[markets];
    signal chosenPrice[markets];
    signal chosenTime[markets];
    signal chosenFundingTime[markets];
    var configuredChoices = 0;
    var oldPrice = 0;
    var oldOracleTime = 0;
    var oldFundingTime = 0;
    for (var m = 0; m < markets; m++) {
        isMarket[m] = IsEqual();
        isMarket[m].in <== [market, m];
        chosen[m] <== isOracle * isMarket[m].out;
        chosenConfigured[m] <== chosen[m] * configured[m];
        configuredChoices += chosenConfigured[m];
        chosenPrice[m] <== chosen[m] * oraclePrice[m];
        chosenTime[m] <== chosen[m] * oracleTime[m];
        chosenFundingTime[m] <== chosen[m] * fundingTime[m];
        oldPrice += chosenPrice[m];
        oldOracleTime += chosenTime[m];
        oldFundingTime += chosenFundingTime[m];
    }
    configuredChoices === isOracle;

    // The market's first price starts its funding clock.
    component firstPrice = IsZero();
    firstPrice.in <== oldPrice;
    signal clockStart <== firstPrice.out * (timestamp - oldFundingTime);
    signal newFundingTime <== oldFundingTime + clockStart;

    component update = OraclePriceUpdate(quorum, keys, keyBits);
    update.enabled <== isOracle;
    update.market <== market;
    update.timestamp <== timestamp;
    update.oracleTime <== oldOracleTime;
    update.window <== oracleWindow;
    update.keyAx <== keyAx;
    update.keyAy <== keyAy;
    update.signer <== signer;
    update.price <== price;
    update.signedTime <== signedTime;
    update.R8x <== R8x;
    update.R8y <== R8y;
    update.S <== S;
    update.median <== median;
    update.latest <== latest;
    update.oldPrice <== oldPrice;
    update.fundingTime <== oldFundingTime;
    update.fundingTimeAfter <== newFundingTime;

    // --- A funding tick moves every configured market's index; an
    // unconfigured market's rate is 0, and no rate outside a funding tick.
    component tick[markets];
    signal ticks[markets];
    signal indexMove[markets];
    signal tickTime[markets];
    signal priceMove[markets];
    signal timeMove[markets];
    signal clockMove[markets];
    for (var m = 0; m < markets; m++) {
        rate[m] * (1 - isFunding) === 0;
        rate[m] * (1 - configured[m]) === 0;
        tick[m] = FundingIndexUpdate();
        tick[m].index <== fundingIndex[m];
        tick[m].price <== oraclePrice[m];
        tick[m].fundingTime <== fundingTime[m];
        tick[m].rate <== rate[m];
        tick[m].maxRate <== maxFundingRate[m];
        tick[m].timestamp <== timestamp;
        ticks[m] <== isFunding * configured[m];
        indexMove[m] <== ticks[m] * (tick[m].out - fundingIndex[m]);
        fundingIndexAfter[m] <== fundingIndex[m] + indexMove[m];
        tickTime[m] <== ticks[m] * (timestamp - fundingTime[m]);
        clockMove[m] <== chosen[m] * (newFundingTime - fundingTime[m]);
        fundingTimeAfter[m] <== fundingTime[m] + tickTime[m] + clockMove[m];
        priceMove[m] <== chosen[m] * (median - oraclePrice[m]);
        oraclePriceAfter[m] <== oraclePrice[m] + priceMove[m];
        timeMove[m] <== chosen[m] * (latest - oracleTime[m]);
        oracleTimeAfter[m] <== oracleTime[m] + timeMove[m];
    }

    // --- The published fields: an oracle update's price and latest time; a
    // funding tick's four rates, each offset by 2^FUNDING_RATE_BITS.
    publishedPrice <== isOracle * median;
    publishedTime <== isOracle * latest;
    for (var m = 0; m < markets; m++) {
        publishedRate[m] <== isFunding * (rate[m] + (1 << FUNDING_RATE_BITS()));
    }
}
