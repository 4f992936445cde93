pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "lib/constants.circom";
include "lib/checks.circom";
include "slot.circom";
include "fees.circom";
include "public_data.circom";
include "perpetual/commitment.circom";
include "perpetual/market_slot.circom";

// Batch(nTx, nPerp, accountDepth, balanceDepth, orderDepth, quorum, keys,
// keyBits): a batch of nTx transaction slots, then nPerp perpetual slots, is
// a valid state transition from oldRoot to newRoot that consumes the L1
// requests between l1ChainStart and l1ChainEnd in order and publishes the
// slots' data; mirrors sequencer/spec/batch.py apply_batch. A perpetual slot
// carries a noop, an oracle update (a quorum of `quorum` signatures of
// `keys` oracle keys, keyBits bits an index) or a funding tick
// (perpetual/market_slot.circom); with nPerp = 0 the batch keeps the
// perpetual commitment as it is, and quorum, keys and keyBits are unused.
//
// Public input:
//   publicInputHash   the low 253 bits of sha256(oldRoot, newRoot, timestamp,
//                     l1ChainStart, l1ChainEnd, the slots' public data), each
//                     value big-endian (public_data.circom, docs/DESIGN.md)
// Private inputs (the witness builder's keys, sequencer/witness/):
//   oldRoot, newRoot, timestamp (< 2^64), l1ChainStart, l1ChainEnd
//   oldAccountRoot, perpCommitment   the old state root's preimage: the
//                     account tree's root and the perpetual commitment
//                     (markets, collateral pool, parameters), which a batch
//                     without perpetual slots keeps (nPerp = 0 only)
//   perpOraclePrice[4] .. perpOpenInterest[4], collateralPool   the
//                     commitment's preimage (nPerp > 0): the markets before
//   collateralToken .. keyAy   the deployment's perpetual parameters
//                     (PerpConfigHash's inputs), the commitment's configHash
//   perpTxType[nPerp] .. perpRate[nPerp][4]   each perpetual slot's
//                     PerpMarketSlot inputs
//   every TxSlot input as an array over slots, e.g. txType[nTx],
//   siblingsAccountA[nTx][3 * accountDepth \ 2]
//   feeAx, feeAy, feeEthAddr, feeNonce, feeMinOrderId, feeOrderRoot, feePerpHash,
//   feeBalances[2^balanceDepth], feeSiblings[3 * accountDepth \ 2]   account 0
//                     before the fees are credited
// circomspect: CS0012 the main template's parameters are the circuit configuration itself (circuits/configs.json names each), not coupling between templates.
template Batch(nTx, nPerp, accountDepth, balanceDepth, orderDepth, quorum, keys, keyBits) {
    assert(nTx >= 1);
    var tokens = 1 << balanceDepth;

    signal input publicInputHash;

    signal input oldRoot;
    signal input newRoot;
    signal input oldAccountRoot;
    signal input timestamp;
    signal input l1ChainStart;
    signal input l1ChainEnd;

    signal input txType[nTx];
    signal input l1EthAddr[nTx];
    signal input l1Ax[nTx];
    signal input l1Ay[nTx];
    signal input l1Token[nTx];
    signal input l1Amount[nTx];
    signal input baseToken[nTx];
    signal input quoteToken[nTx];
    signal input sideA[nTx];
    signal input fillBase[nTx];
    signal input fillQuote[nTx];
    signal input orderIdA[nTx];
    signal input priceA[nTx];
    signal input amountA[nTx];
    signal input maxFeeBpsA[nTx];
    signal input expiryA[nTx];
    signal input kindA[nTx];
    signal input feeBpsA[nTx];
    signal input sigR8xA[nTx];
    signal input sigR8yA[nTx];
    signal input sigSA[nTx];
    signal input orderIdB[nTx];
    signal input priceB[nTx];
    signal input amountB[nTx];
    signal input maxFeeBpsB[nTx];
    signal input expiryB[nTx];
    signal input kindB[nTx];
    signal input feeBpsB[nTx];
    signal input sigR8xB[nTx];
    signal input sigR8yB[nTx];
    signal input sigSB[nTx];
    signal input wToken[nTx];
    signal input wAmount[nTx];

    signal input accountA[nTx];
    signal input axA[nTx];
    signal input ayA[nTx];
    signal input ethAddrA[nTx];
    signal input nonceA[nTx];
    signal input minOrderIdA[nTx];
    signal input orderRootA[nTx];
    signal input perpHashA[nTx];
    signal input balancesA[nTx][tokens];
    signal input siblingsAccountA[nTx][3 * accountDepth \ 2];
    signal input balanceA1[nTx];
    signal input orderStoredIdA[nTx];
    signal input orderFilledA[nTx];
    signal input siblingsOrderA[nTx][3 * orderDepth \ 2];

    signal input accountB[nTx];
    signal input axB[nTx];
    signal input ayB[nTx];
    signal input ethAddrB[nTx];
    signal input nonceB[nTx];
    signal input minOrderIdB[nTx];
    signal input orderRootB[nTx];
    signal input perpHashB[nTx];
    signal input balancesB[nTx][tokens];
    signal input siblingsAccountB[nTx][3 * accountDepth \ 2];
    signal input balanceB1[nTx];
    signal input orderStoredIdB[nTx];
    signal input orderFilledB[nTx];
    signal input siblingsOrderB[nTx][3 * orderDepth \ 2];

    signal input feeAx;
    signal input feeAy;
    signal input feeEthAddr;
    signal input feeNonce;
    signal input feeMinOrderId;
    signal input feeOrderRoot;
    signal input feePerpHash;
    signal input feeBalances[tokens];
    signal input feeSiblings[3 * accountDepth \ 2];

    component timestampRange = RangeCheck(TIMESTAMP_BITS());
    timestampRange.in <== timestamp;

    component slots[nTx];
    component publicInput = PublicInput(nTx, nPerp);
    signal roots[nTx + 1];
    signal chains[nTx + 1];
    signal takers[nTx + 1];
    signal feeSums[nTx + 1][tokens];
    // The state root is Poseidon([accountRoot, perpCommitment]); only the
    // perpetual slots change the commitment (below).
    component oldState = Poseidon(2);
    oldState.inputs[0] <== oldAccountRoot;
    roots[0] <== oldAccountRoot;
    chains[0] <== l1ChainStart;
    takers[0] <== 0;
    for (var t = 0; t < tokens; t++) {
        feeSums[0][t] <== 0;
    }

    for (var i = 0; i < nTx; i++) {
        slots[i] = TxSlot(accountDepth, balanceDepth, orderDepth);
        slots[i].oldRoot <== roots[i];
        slots[i].chainIn <== chains[i];
        slots[i].previousTaker <== takers[i];
        slots[i].timestamp <== timestamp;
        slots[i].txType <== txType[i];
        slots[i].l1EthAddr <== l1EthAddr[i];
        slots[i].l1Ax <== l1Ax[i];
        slots[i].l1Ay <== l1Ay[i];
        slots[i].l1Token <== l1Token[i];
        slots[i].l1Amount <== l1Amount[i];
        slots[i].baseToken <== baseToken[i];
        slots[i].quoteToken <== quoteToken[i];
        slots[i].sideA <== sideA[i];
        slots[i].fillBase <== fillBase[i];
        slots[i].fillQuote <== fillQuote[i];
        slots[i].orderIdA <== orderIdA[i];
        slots[i].priceA <== priceA[i];
        slots[i].amountA <== amountA[i];
        slots[i].maxFeeBpsA <== maxFeeBpsA[i];
        slots[i].expiryA <== expiryA[i];
        slots[i].kindA <== kindA[i];
        slots[i].feeBpsA <== feeBpsA[i];
        slots[i].sigR8xA <== sigR8xA[i];
        slots[i].sigR8yA <== sigR8yA[i];
        slots[i].sigSA <== sigSA[i];
        slots[i].orderIdB <== orderIdB[i];
        slots[i].priceB <== priceB[i];
        slots[i].amountB <== amountB[i];
        slots[i].maxFeeBpsB <== maxFeeBpsB[i];
        slots[i].expiryB <== expiryB[i];
        slots[i].kindB <== kindB[i];
        slots[i].feeBpsB <== feeBpsB[i];
        slots[i].sigR8xB <== sigR8xB[i];
        slots[i].sigR8yB <== sigR8yB[i];
        slots[i].sigSB <== sigSB[i];
        slots[i].wToken <== wToken[i];
        slots[i].wAmount <== wAmount[i];
        slots[i].accountA <== accountA[i];
        slots[i].axA <== axA[i];
        slots[i].ayA <== ayA[i];
        slots[i].ethAddrA <== ethAddrA[i];
        slots[i].nonceA <== nonceA[i];
        slots[i].minOrderIdA <== minOrderIdA[i];
        slots[i].balancesA <== balancesA[i];
        slots[i].orderRootA <== orderRootA[i];
        slots[i].perpHashA <== perpHashA[i];
        slots[i].siblingsAccountA <== siblingsAccountA[i];
        slots[i].balanceA1 <== balanceA1[i];
        slots[i].orderStoredIdA <== orderStoredIdA[i];
        slots[i].orderFilledA <== orderFilledA[i];
        slots[i].siblingsOrderA <== siblingsOrderA[i];
        slots[i].accountB <== accountB[i];
        slots[i].axB <== axB[i];
        slots[i].ayB <== ayB[i];
        slots[i].ethAddrB <== ethAddrB[i];
        slots[i].nonceB <== nonceB[i];
        slots[i].minOrderIdB <== minOrderIdB[i];
        slots[i].balancesB <== balancesB[i];
        slots[i].orderRootB <== orderRootB[i];
        slots[i].perpHashB <== perpHashB[i];
        slots[i].siblingsAccountB <== siblingsAccountB[i];
        slots[i].balanceB1 <== balanceB1[i];
        slots[i].orderStoredIdB <== orderStoredIdB[i];
        slots[i].orderFilledB <== orderFilledB[i];
        slots[i].siblingsOrderB <== siblingsOrderB[i];

        roots[i + 1] <== slots[i].newRoot;
        chains[i + 1] <== slots[i].chainOut;
        takers[i + 1] <== slots[i].taker;

        publicInput.bits[i] <== slots[i].publicDataBits;

        for (var t = 0; t < tokens; t++) {
            feeSums[i + 1][t] <== feeSums[i][t] + slots[i].fees[t];
        }
    }
    // Skipping or reordering an L1 request changes the chain.
    chains[nTx] === l1ChainEnd;

    component feeCredit = FeeCredit(accountDepth, balanceDepth);
    feeCredit.oldRoot <== roots[nTx];
    feeCredit.ax <== feeAx;
    feeCredit.ay <== feeAy;
    feeCredit.ethAddr <== feeEthAddr;
    feeCredit.nonce <== feeNonce;
    feeCredit.minOrderId <== feeMinOrderId;
    feeCredit.orderRoot <== feeOrderRoot;
    feeCredit.perpHash <== feePerpHash;
    feeCredit.balances <== feeBalances;
    feeCredit.siblings <== feeSiblings;
    feeCredit.fees <== feeSums[nTx];
    component newState = Poseidon(2);
    newState.inputs[0] <== feeCredit.newRoot;

    if (nPerp == 0) {
        signal input perpCommitment;
        oldState.inputs[1] <== perpCommitment;
        newState.inputs[1] <== perpCommitment;
    } else {
        var markets = MAX_PERP_MARKETS();
        signal input perpOraclePrice[markets];
        signal input perpOracleTime[markets];
        signal input perpFundingIndex[markets];
        signal input perpFundingTime[markets];
        signal input perpOpenInterest[markets];
        signal input collateralPool;

        signal input collateralToken;
        signal input oracleQuorum;
        signal input oracleWindow;
        signal input maxPriceAge;
        signal input insuranceFund;
        signal input maxLiquidationPenalty;
        signal input configured[markets];
        signal input quantum[markets];
        signal input initialMargin[markets];
        signal input maintenanceMargin[markets];
        signal input maxFundingRate[markets];
        signal input openInterestCap[markets];
        signal input keyAx[keys];
        signal input keyAy[keys];

        signal input perpTxType[nPerp];
        signal input perpMarket[nPerp];
        signal input perpSigner[nPerp][quorum];
        signal input perpPrice[nPerp][quorum];
        signal input perpSignedTime[nPerp][quorum];
        signal input perpR8x[nPerp][quorum];
        signal input perpR8y[nPerp][quorum];
        signal input perpS[nPerp][quorum];
        signal input perpMedian[nPerp];
        signal input perpLatest[nPerp];
        signal input perpRate[nPerp][markets];

        // The parameters, against the hash the old root commits to: the
        // circuit checks `quorum` signatures, so the deployment's quorum is it.
        oracleQuorum === quorum;
        component parameters = PerpConfigHash(keys);
        parameters.collateralToken <== collateralToken;
        parameters.oracleQuorum <== oracleQuorum;
        parameters.oracleWindow <== oracleWindow;
        parameters.maxPriceAge <== maxPriceAge;
        parameters.insuranceFund <== insuranceFund;
        parameters.maxLiquidationPenalty <== maxLiquidationPenalty;
        parameters.configured <== configured;
        parameters.quantum <== quantum;
        parameters.initialMargin <== initialMargin;
        parameters.maintenanceMargin <== maintenanceMargin;
        parameters.maxFundingRate <== maxFundingRate;
        parameters.openInterestCap <== openInterestCap;
        parameters.keyAx <== keyAx;
        parameters.keyAy <== keyAy;

        component before = PerpCommitment();
        before.oraclePrice <== perpOraclePrice;
        before.oracleTime <== perpOracleTime;
        before.fundingIndex <== perpFundingIndex;
        before.fundingTime <== perpFundingTime;
        before.openInterest <== perpOpenInterest;
        before.collateralPool <== collateralPool;
        before.configHash <== parameters.out;
        oldState.inputs[1] <== before.out;

        // What the slots read, in their widths (PerpMarketSlot's NOTE): a
        // proven state holds no wider, and the parameters are the
        // deployment's, which the spec bounds so.
        component priceRange[markets];
        component oracleTimeRange[markets];
        component indexRange[markets];
        component fundingTimeRange[markets];
        component interestRange[markets];
        component maxRateRange[markets];
        for (var m = 0; m < markets; m++) {
            configured[m] * (configured[m] - 1) === 0;
            priceRange[m] = RangeCheck(PERP_PRICE_BITS());
            priceRange[m].in <== perpOraclePrice[m];
            oracleTimeRange[m] = RangeCheck(TIMESTAMP_BITS());
            oracleTimeRange[m].in <== perpOracleTime[m];
            indexRange[m] = SignedRange(FUNDING_INDEX_BITS());
            indexRange[m].in <== perpFundingIndex[m];
            fundingTimeRange[m] = RangeCheck(TIMESTAMP_BITS());
            fundingTimeRange[m].in <== perpFundingTime[m];
            interestRange[m] = RangeCheck(SIZE_BITS());
            interestRange[m].in <== perpOpenInterest[m];
            maxRateRange[m] = RangeCheck(FUNDING_RATE_BITS());
            maxRateRange[m].in <== maxFundingRate[m];
        }

        // The perpetual slots, after the spot slots, threading the markets.
        component perpSlots[nPerp];
        signal oraclePrice[nPerp + 1][markets];
        signal oracleTime[nPerp + 1][markets];
        signal fundingIndex[nPerp + 1][markets];
        signal fundingTime[nPerp + 1][markets];
        signal openInterest[nPerp + 1][markets];
        oraclePrice[0] <== perpOraclePrice;
        oracleTime[0] <== perpOracleTime;
        fundingIndex[0] <== perpFundingIndex;
        fundingTime[0] <== perpFundingTime;
        openInterest[0] <== perpOpenInterest;
        for (var p = 0; p < nPerp; p++) {
            perpSlots[p] = PerpMarketSlot(quorum, keys, keyBits);
            perpSlots[p].txType <== perpTxType[p];
            perpSlots[p].timestamp <== timestamp;
            perpSlots[p].oraclePrice <== oraclePrice[p];
            perpSlots[p].oracleTime <== oracleTime[p];
            perpSlots[p].fundingIndex <== fundingIndex[p];
            perpSlots[p].fundingTime <== fundingTime[p];
            perpSlots[p].openInterest <== openInterest[p];
            perpSlots[p].configured <== configured;
            perpSlots[p].maxFundingRate <== maxFundingRate;
            perpSlots[p].oracleWindow <== oracleWindow;
            perpSlots[p].keyAx <== keyAx;
            perpSlots[p].keyAy <== keyAy;
            perpSlots[p].market <== perpMarket[p];
            perpSlots[p].signer <== perpSigner[p];
            perpSlots[p].price <== perpPrice[p];
            perpSlots[p].signedTime <== perpSignedTime[p];
            perpSlots[p].R8x <== perpR8x[p];
            perpSlots[p].R8y <== perpR8y[p];
            perpSlots[p].S <== perpS[p];
            perpSlots[p].median <== perpMedian[p];
            perpSlots[p].latest <== perpLatest[p];
            perpSlots[p].rate <== perpRate[p];
            oraclePrice[p + 1] <== perpSlots[p].oraclePriceAfter;
            oracleTime[p + 1] <== perpSlots[p].oracleTimeAfter;
            fundingIndex[p + 1] <== perpSlots[p].fundingIndexAfter;
            fundingTime[p + 1] <== perpSlots[p].fundingTimeAfter;
            openInterest[p + 1] <== perpSlots[p].openInterestAfter;
            publicInput.perpBits[p] <== perpSlots[p].bits;
        }

        component after = PerpCommitment();
        after.oraclePrice <== oraclePrice[nPerp];
        after.oracleTime <== oracleTime[nPerp];
        after.fundingIndex <== fundingIndex[nPerp];
        after.fundingTime <== fundingTime[nPerp];
        after.openInterest <== openInterest[nPerp];
        after.collateralPool <== collateralPool;
        after.configHash <== parameters.out;
        newState.inputs[1] <== after.out;
    }
    oldState.out === oldRoot;
    newState.out === newRoot;

    publicInput.oldRoot <== oldRoot;
    publicInput.newRoot <== newRoot;
    publicInput.timestamp <== timestamp;
    publicInput.l1ChainStart <== l1ChainStart;
    publicInput.l1ChainEnd <== l1ChainEnd;
    publicInput.out === publicInputHash;
}
