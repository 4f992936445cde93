pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "lib/constants.circom";
include "lib/checks.circom";
include "slot.circom";
include "fees.circom";
include "public_data.circom";
include "perpetual/commitment.circom";
include "perpetual/slot.circom";

// Batch(nTx, nPerp, accountDepth, balanceDepth, orderDepth, quorum, keys,
// keyBits): a batch of nTx transaction slots, then nPerp perpetual slots, is
// a valid state transition from oldRoot to newRoot that consumes the L1
// requests between l1ChainStart and l1ChainEnd in order and publishes the
// slots' data; mirrors sequencer/spec/batch.py apply_batch: the spot slots,
// then the perpetual slots, then the spot fees' credit to the fee account. A
// perpetual slot (perpetual/slot.circom) carries a noop, an oracle update (a
// quorum of `quorum` signatures of `keys` oracle keys, keyBits bits an
// index), a funding tick (perpetual/market_slot.circom) or a perpetual
// trade (perpetual/trade_slot.circom: it updates the maker's, the taker's
// and the fee account's leaves) or a collateral transfer
// (perpetual/transfer_slot.circom: one leaf and the collateral pool) or a
// liquidation or a deleveraging (perpetual/close_slot.circom: the closed
// account's, the counterparty's and the insurance fund's leaves); with nPerp = 0 the batch keeps the
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
//   perpTxType[nPerp], perpMarket[nPerp], then perp<Name> for each input
//                     Name of PerpMarketMoves (perpSigner .. perpRate) and of
//                     PerpTradeSlot (perpSideA .. perpRemainderF) and of
//                     PerpTransferSlot (perpToCollateral .. perpRemainder) and
//                     of PerpCloseSlot (perpByOrder .. perpRemainderI) that is
//                     the slot's own, as an array over the perpetual slots
//   every TxSlot input as an array over slots, e.g. txType[nTx],
//   siblingsAccountA[nTx][3 * accountDepth \ 2]
//   feeAx, feeAy, feeEthAddr, feeNonce, feeMinOrderId, feeOrderRoot, feePerpHash,
//   feeBalances[2^balanceDepth], feeSiblings[3 * accountDepth \ 2]   account 0
//                     before the spot fees are credited (after the perpetual slots)
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

    signal accountRootBeforeFees;
    component newState = Poseidon(2);

    if (nPerp == 0) {
        signal input perpCommitment;
        oldState.inputs[1] <== perpCommitment;
        newState.inputs[1] <== perpCommitment;
        accountRootBeforeFees <== roots[nTx];
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
        // Each slot's PerpTradeSlot inputs (zeros and the fee account's leaf outside a trade).
        signal input perpSideA[nPerp];
        signal input perpFill[nPerp];
        signal input perpFeeBpsA[nPerp];
        signal input perpFeeBpsB[nPerp];
        signal input perpFeeA[nPerp];
        signal input perpFeeRestA[nPerp];
        signal input perpFeeB[nPerp];
        signal input perpFeeRestB[nPerp];
        signal input perpOrderIdA[nPerp];
        signal input perpPriceA[nPerp];
        signal input perpAmountA[nPerp];
        signal input perpMaxFeeBpsA[nPerp];
        signal input perpExpiryA[nPerp];
        signal input perpKindA[nPerp];
        signal input perpReduceOnlyA[nPerp];
        signal input perpSigR8xA[nPerp];
        signal input perpSigR8yA[nPerp];
        signal input perpSigSA[nPerp];
        signal input perpOrderIdB[nPerp];
        signal input perpPriceB[nPerp];
        signal input perpAmountB[nPerp];
        signal input perpMaxFeeBpsB[nPerp];
        signal input perpExpiryB[nPerp];
        signal input perpKindB[nPerp];
        signal input perpReduceOnlyB[nPerp];
        signal input perpSigR8xB[nPerp];
        signal input perpSigR8yB[nPerp];
        signal input perpSigSB[nPerp];
        signal input perpAccountA[nPerp];
        signal input perpAxA[nPerp];
        signal input perpAyA[nPerp];
        signal input perpEthAddrA[nPerp];
        signal input perpNonceA[nPerp];
        signal input perpMinOrderIdA[nPerp];
        signal input perpOrderRootA[nPerp];
        signal input perpPerpHashA[nPerp];
        signal input perpOrderStoredIdA[nPerp];
        signal input perpOrderFilledA[nPerp];
        signal input perpCollateralA[nPerp];
        signal input perpAccountB[nPerp];
        signal input perpAxB[nPerp];
        signal input perpAyB[nPerp];
        signal input perpEthAddrB[nPerp];
        signal input perpNonceB[nPerp];
        signal input perpMinOrderIdB[nPerp];
        signal input perpOrderRootB[nPerp];
        signal input perpPerpHashB[nPerp];
        signal input perpOrderStoredIdB[nPerp];
        signal input perpOrderFilledB[nPerp];
        signal input perpCollateralB[nPerp];
        signal input perpAxF[nPerp];
        signal input perpAyF[nPerp];
        signal input perpEthAddrF[nPerp];
        signal input perpNonceF[nPerp];
        signal input perpMinOrderIdF[nPerp];
        signal input perpOrderRootF[nPerp];
        signal input perpPerpHashF[nPerp];
        signal input perpCollateralF[nPerp];
        signal input perpWordsA[nPerp][BALANCE_WORDS()];
        signal input perpSiblingsAccountA[nPerp][3 * accountDepth \ 2];
        signal input perpSiblingsOrderA[nPerp][3 * orderDepth \ 2];
        signal input perpSizeA[nPerp][markets];
        signal input perpSettledIndexA[nPerp][markets];
        signal input perpPaymentA[nPerp][markets];
        signal input perpRemainderA[nPerp][markets];
        signal input perpWordsB[nPerp][BALANCE_WORDS()];
        signal input perpSiblingsAccountB[nPerp][3 * accountDepth \ 2];
        signal input perpSiblingsOrderB[nPerp][3 * orderDepth \ 2];
        signal input perpSizeB[nPerp][markets];
        signal input perpSettledIndexB[nPerp][markets];
        signal input perpPaymentB[nPerp][markets];
        signal input perpRemainderB[nPerp][markets];
        signal input perpWordsF[nPerp][BALANCE_WORDS()];
        signal input perpSiblingsAccountF[nPerp][3 * accountDepth \ 2];
        signal input perpSizeF[nPerp][markets];
        signal input perpSettledIndexF[nPerp][markets];
        signal input perpPaymentF[nPerp][markets];
        signal input perpRemainderF[nPerp][markets];

        // Each slot's PerpTransferSlot inputs (zeros and the fee account's leaf outside a transfer).
        signal input perpToCollateral[nPerp];
        signal input perpAmount[nPerp];
        signal input perpSigR8x[nPerp];
        signal input perpSigR8y[nPerp];
        signal input perpSigS[nPerp];
        signal input perpAccount[nPerp];
        signal input perpAx[nPerp];
        signal input perpAy[nPerp];
        signal input perpEthAddr[nPerp];
        signal input perpNonce[nPerp];
        signal input perpMinOrderId[nPerp];
        signal input perpOrderRoot[nPerp];
        signal input perpPerpHash[nPerp];
        signal input perpCollateral[nPerp];
        signal input perpBalances[nPerp][tokens];
        signal input perpSiblingsAccount[nPerp][3 * accountDepth \ 2];
        signal input perpSize[nPerp][markets];
        signal input perpSettledIndex[nPerp][markets];
        signal input perpPayment[nPerp][markets];
        signal input perpRemainder[nPerp][markets];

        // Each slot's PerpCloseSlot inputs (zeros, the fee account's and the fund's leaves outside a close).
        signal input perpByOrder[nPerp];
        signal input perpClosing[nPerp];
        signal input perpQuote[nPerp];
        signal input perpPenalty[nPerp];
        signal input perpOrderIdC[nPerp];
        signal input perpPriceC[nPerp];
        signal input perpAmountC[nPerp];
        signal input perpMaxFeeBpsC[nPerp];
        signal input perpExpiryC[nPerp];
        signal input perpKindC[nPerp];
        signal input perpReduceOnlyC[nPerp];
        signal input perpSigR8xC[nPerp];
        signal input perpSigR8yC[nPerp];
        signal input perpSigSC[nPerp];
        signal input perpAccountL[nPerp];
        signal input perpAxL[nPerp];
        signal input perpAyL[nPerp];
        signal input perpEthAddrL[nPerp];
        signal input perpNonceL[nPerp];
        signal input perpMinOrderIdL[nPerp];
        signal input perpOrderRootL[nPerp];
        signal input perpPerpHashL[nPerp];
        signal input perpCollateralL[nPerp];
        signal input perpAccountC[nPerp];
        signal input perpAxC[nPerp];
        signal input perpAyC[nPerp];
        signal input perpEthAddrC[nPerp];
        signal input perpNonceC[nPerp];
        signal input perpMinOrderIdC[nPerp];
        signal input perpOrderRootC[nPerp];
        signal input perpPerpHashC[nPerp];
        signal input perpCollateralC[nPerp];
        signal input perpOrderStoredIdC[nPerp];
        signal input perpOrderFilledC[nPerp];
        signal input perpAxI[nPerp];
        signal input perpAyI[nPerp];
        signal input perpEthAddrI[nPerp];
        signal input perpNonceI[nPerp];
        signal input perpMinOrderIdI[nPerp];
        signal input perpOrderRootI[nPerp];
        signal input perpPerpHashI[nPerp];
        signal input perpCollateralI[nPerp];
        signal input perpWordsL[nPerp][BALANCE_WORDS()];
        signal input perpSiblingsAccountL[nPerp][3 * accountDepth \ 2];
        signal input perpSizeL[nPerp][markets];
        signal input perpSettledIndexL[nPerp][markets];
        signal input perpPaymentL[nPerp][markets];
        signal input perpRemainderL[nPerp][markets];
        signal input perpWordsC[nPerp][BALANCE_WORDS()];
        signal input perpSiblingsAccountC[nPerp][3 * accountDepth \ 2];
        signal input perpSiblingsOrderC[nPerp][3 * orderDepth \ 2];
        signal input perpSizeC[nPerp][markets];
        signal input perpSettledIndexC[nPerp][markets];
        signal input perpPaymentC[nPerp][markets];
        signal input perpRemainderC[nPerp][markets];
        signal input perpWordsI[nPerp][BALANCE_WORDS()];
        signal input perpSiblingsAccountI[nPerp][3 * accountDepth \ 2];
        signal input perpSizeI[nPerp][markets];
        signal input perpSettledIndexI[nPerp][markets];
        signal input perpPaymentI[nPerp][markets];
        signal input perpRemainderI[nPerp][markets];

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

        // What the slots read, in their widths (the parts' NOTEs): a
        // proven state holds no wider, and the parameters are the
        // deployment's, which the spec bounds so.
        component priceRange[markets];
        component oracleTimeRange[markets];
        component indexRange[markets];
        component fundingTimeRange[markets];
        component interestRange[markets];
        component maxRateRange[markets];
        component parameterRange[markets][4];
        component maxAgeRange = RangeCheck(32);
        maxAgeRange.in <== maxPriceAge;
        component maxPenaltyRange = RangeCheck(MARGIN_FRACTION_BITS());
        maxPenaltyRange.in <== maxLiquidationPenalty;
        component poolRange = RangeCheck(COLLATERAL_BITS());
        poolRange.in <== collateralPool;
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
            parameterRange[m][0] = RangeCheck(QUANTUM_BITS());
            parameterRange[m][0].in <== quantum[m];
            parameterRange[m][1] = RangeCheck(MARGIN_FRACTION_BITS());
            parameterRange[m][1].in <== initialMargin[m];
            parameterRange[m][2] = RangeCheck(MARGIN_FRACTION_BITS());
            parameterRange[m][2].in <== maintenanceMargin[m];
            parameterRange[m][3] = RangeCheck(SIZE_BITS());
            parameterRange[m][3].in <== openInterestCap[m];
        }

        // The perpetual slots, after the spot slots, threading the account
        // tree, the markets and the previous taker.
        component types[nPerp];
        component moves[nPerp];
        component trades[nPerp];
        component transfers[nPerp];
        component closes[nPerp];
        component slotBits[nPerp];
        signal oraclePrice[nPerp + 1][markets];
        signal oracleTime[nPerp + 1][markets];
        signal fundingIndex[nPerp + 1][markets];
        signal fundingTime[nPerp + 1][markets];
        signal openInterest[nPerp + 1][markets];
        signal perpRoots[nPerp + 1];
        signal perpTakers[nPerp + 1];
        signal pools[nPerp + 1];
        oraclePrice[0] <== perpOraclePrice;
        oracleTime[0] <== perpOracleTime;
        fundingIndex[0] <== perpFundingIndex;
        fundingTime[0] <== perpFundingTime;
        openInterest[0] <== perpOpenInterest;
        perpRoots[0] <== roots[nTx];
        perpTakers[0] <== 0;
        pools[0] <== collateralPool;
        for (var p = 0; p < nPerp; p++) {
            types[p] = PerpSlotType();
            types[p].txType <== perpTxType[p];
            types[p].market <== perpMarket[p];

            moves[p] = PerpMarketMoves(quorum, keys, keyBits);
            moves[p].isOracle <== types[p].isOracle;
            moves[p].isFunding <== types[p].isFunding;
            moves[p].timestamp <== timestamp;
            moves[p].oraclePrice <== oraclePrice[p];
            moves[p].oracleTime <== oracleTime[p];
            moves[p].fundingIndex <== fundingIndex[p];
            moves[p].fundingTime <== fundingTime[p];
            moves[p].configured <== configured;
            moves[p].maxFundingRate <== maxFundingRate;
            moves[p].oracleWindow <== oracleWindow;
            moves[p].keyAx <== keyAx;
            moves[p].keyAy <== keyAy;
            moves[p].market <== perpMarket[p];
            moves[p].signer <== perpSigner[p];
            moves[p].price <== perpPrice[p];
            moves[p].signedTime <== perpSignedTime[p];
            moves[p].R8x <== perpR8x[p];
            moves[p].R8y <== perpR8y[p];
            moves[p].S <== perpS[p];
            moves[p].median <== perpMedian[p];
            moves[p].latest <== perpLatest[p];
            moves[p].rate <== perpRate[p];

            trades[p] = PerpTradeSlot(accountDepth, orderDepth);
            trades[p].enabled <== types[p].isTrade;
            trades[p].oldRoot <== perpRoots[p];
            trades[p].timestamp <== timestamp;
            trades[p].previousTaker <== perpTakers[p];
            trades[p].oraclePrice <== oraclePrice[p];
            trades[p].oracleTime <== oracleTime[p];
            trades[p].fundingIndex <== fundingIndex[p];
            trades[p].openInterest <== openInterest[p];
            trades[p].configured <== configured;
            trades[p].quantum <== quantum;
            trades[p].initialMargin <== initialMargin;
            trades[p].maintenanceMargin <== maintenanceMargin;
            trades[p].openInterestCap <== openInterestCap;
            trades[p].maxPriceAge <== maxPriceAge;
            trades[p].market <== perpMarket[p];
            trades[p].sideA <== perpSideA[p];
            trades[p].fill <== perpFill[p];
            trades[p].feeBpsA <== perpFeeBpsA[p];
            trades[p].feeBpsB <== perpFeeBpsB[p];
            trades[p].feeA <== perpFeeA[p];
            trades[p].feeRestA <== perpFeeRestA[p];
            trades[p].feeB <== perpFeeB[p];
            trades[p].feeRestB <== perpFeeRestB[p];
            trades[p].orderIdA <== perpOrderIdA[p];
            trades[p].priceA <== perpPriceA[p];
            trades[p].amountA <== perpAmountA[p];
            trades[p].maxFeeBpsA <== perpMaxFeeBpsA[p];
            trades[p].expiryA <== perpExpiryA[p];
            trades[p].kindA <== perpKindA[p];
            trades[p].reduceOnlyA <== perpReduceOnlyA[p];
            trades[p].sigR8xA <== perpSigR8xA[p];
            trades[p].sigR8yA <== perpSigR8yA[p];
            trades[p].sigSA <== perpSigSA[p];
            trades[p].orderIdB <== perpOrderIdB[p];
            trades[p].priceB <== perpPriceB[p];
            trades[p].amountB <== perpAmountB[p];
            trades[p].maxFeeBpsB <== perpMaxFeeBpsB[p];
            trades[p].expiryB <== perpExpiryB[p];
            trades[p].kindB <== perpKindB[p];
            trades[p].reduceOnlyB <== perpReduceOnlyB[p];
            trades[p].sigR8xB <== perpSigR8xB[p];
            trades[p].sigR8yB <== perpSigR8yB[p];
            trades[p].sigSB <== perpSigSB[p];
            trades[p].accountA <== perpAccountA[p];
            trades[p].axA <== perpAxA[p];
            trades[p].ayA <== perpAyA[p];
            trades[p].ethAddrA <== perpEthAddrA[p];
            trades[p].nonceA <== perpNonceA[p];
            trades[p].minOrderIdA <== perpMinOrderIdA[p];
            trades[p].orderRootA <== perpOrderRootA[p];
            trades[p].perpHashA <== perpPerpHashA[p];
            trades[p].orderStoredIdA <== perpOrderStoredIdA[p];
            trades[p].orderFilledA <== perpOrderFilledA[p];
            trades[p].collateralA <== perpCollateralA[p];
            trades[p].accountB <== perpAccountB[p];
            trades[p].axB <== perpAxB[p];
            trades[p].ayB <== perpAyB[p];
            trades[p].ethAddrB <== perpEthAddrB[p];
            trades[p].nonceB <== perpNonceB[p];
            trades[p].minOrderIdB <== perpMinOrderIdB[p];
            trades[p].orderRootB <== perpOrderRootB[p];
            trades[p].perpHashB <== perpPerpHashB[p];
            trades[p].orderStoredIdB <== perpOrderStoredIdB[p];
            trades[p].orderFilledB <== perpOrderFilledB[p];
            trades[p].collateralB <== perpCollateralB[p];
            trades[p].axF <== perpAxF[p];
            trades[p].ayF <== perpAyF[p];
            trades[p].ethAddrF <== perpEthAddrF[p];
            trades[p].nonceF <== perpNonceF[p];
            trades[p].minOrderIdF <== perpMinOrderIdF[p];
            trades[p].orderRootF <== perpOrderRootF[p];
            trades[p].perpHashF <== perpPerpHashF[p];
            trades[p].collateralF <== perpCollateralF[p];
            trades[p].wordsA <== perpWordsA[p];
            trades[p].siblingsAccountA <== perpSiblingsAccountA[p];
            trades[p].siblingsOrderA <== perpSiblingsOrderA[p];
            trades[p].sizeA <== perpSizeA[p];
            trades[p].settledIndexA <== perpSettledIndexA[p];
            trades[p].paymentA <== perpPaymentA[p];
            trades[p].remainderA <== perpRemainderA[p];
            trades[p].wordsB <== perpWordsB[p];
            trades[p].siblingsAccountB <== perpSiblingsAccountB[p];
            trades[p].siblingsOrderB <== perpSiblingsOrderB[p];
            trades[p].sizeB <== perpSizeB[p];
            trades[p].settledIndexB <== perpSettledIndexB[p];
            trades[p].paymentB <== perpPaymentB[p];
            trades[p].remainderB <== perpRemainderB[p];
            trades[p].wordsF <== perpWordsF[p];
            trades[p].siblingsAccountF <== perpSiblingsAccountF[p];
            trades[p].sizeF <== perpSizeF[p];
            trades[p].settledIndexF <== perpSettledIndexF[p];
            trades[p].paymentF <== perpPaymentF[p];
            trades[p].remainderF <== perpRemainderF[p];


            transfers[p] = PerpTransferSlot(accountDepth, balanceDepth);
            transfers[p].enabled <== types[p].isTransfer;
            transfers[p].oldRoot <== trades[p].newRoot;
            transfers[p].timestamp <== timestamp;
            transfers[p].oraclePrice <== oraclePrice[p];
            transfers[p].oracleTime <== oracleTime[p];
            transfers[p].fundingIndex <== fundingIndex[p];
            transfers[p].quantum <== quantum;
            transfers[p].initialMargin <== initialMargin;
            transfers[p].maintenanceMargin <== maintenanceMargin;
            transfers[p].maxPriceAge <== maxPriceAge;
            transfers[p].collateralToken <== collateralToken;
            transfers[p].collateralPool <== pools[p];
            transfers[p].toCollateral <== perpToCollateral[p];
            transfers[p].amount <== perpAmount[p];
            transfers[p].sigR8x <== perpSigR8x[p];
            transfers[p].sigR8y <== perpSigR8y[p];
            transfers[p].sigS <== perpSigS[p];
            transfers[p].account <== perpAccount[p];
            transfers[p].ax <== perpAx[p];
            transfers[p].ay <== perpAy[p];
            transfers[p].ethAddr <== perpEthAddr[p];
            transfers[p].nonce <== perpNonce[p];
            transfers[p].minOrderId <== perpMinOrderId[p];
            transfers[p].orderRoot <== perpOrderRoot[p];
            transfers[p].perpHash <== perpPerpHash[p];
            transfers[p].collateral <== perpCollateral[p];
            transfers[p].balances <== perpBalances[p];
            transfers[p].siblingsAccount <== perpSiblingsAccount[p];
            transfers[p].size <== perpSize[p];
            transfers[p].settledIndex <== perpSettledIndex[p];
            transfers[p].payment <== perpPayment[p];
            transfers[p].remainder <== perpRemainder[p];


            closes[p] = PerpCloseSlot(accountDepth, orderDepth);
            closes[p].isLiquidation <== types[p].isLiquidation;
            closes[p].isDeleverage <== types[p].isDeleverage;
            closes[p].oldRoot <== transfers[p].newRoot;
            closes[p].timestamp <== timestamp;
            closes[p].previousTaker <== perpTakers[p];
            closes[p].oraclePrice <== oraclePrice[p];
            closes[p].oracleTime <== oracleTime[p];
            closes[p].fundingIndex <== fundingIndex[p];
            closes[p].openInterest <== trades[p].openInterestAfter;
            closes[p].configured <== configured;
            closes[p].quantum <== quantum;
            closes[p].initialMargin <== initialMargin;
            closes[p].maintenanceMargin <== maintenanceMargin;
            closes[p].openInterestCap <== openInterestCap;
            closes[p].maxPriceAge <== maxPriceAge;
            closes[p].insuranceFund <== insuranceFund;
            closes[p].maxLiquidationPenalty <== maxLiquidationPenalty;
            closes[p].market <== perpMarket[p];
            closes[p].byOrder <== perpByOrder[p];
            closes[p].closing <== perpClosing[p];
            closes[p].quote <== perpQuote[p];
            closes[p].penalty <== perpPenalty[p];
            closes[p].orderIdC <== perpOrderIdC[p];
            closes[p].priceC <== perpPriceC[p];
            closes[p].amountC <== perpAmountC[p];
            closes[p].maxFeeBpsC <== perpMaxFeeBpsC[p];
            closes[p].expiryC <== perpExpiryC[p];
            closes[p].kindC <== perpKindC[p];
            closes[p].reduceOnlyC <== perpReduceOnlyC[p];
            closes[p].sigR8xC <== perpSigR8xC[p];
            closes[p].sigR8yC <== perpSigR8yC[p];
            closes[p].sigSC <== perpSigSC[p];
            closes[p].accountL <== perpAccountL[p];
            closes[p].axL <== perpAxL[p];
            closes[p].ayL <== perpAyL[p];
            closes[p].ethAddrL <== perpEthAddrL[p];
            closes[p].nonceL <== perpNonceL[p];
            closes[p].minOrderIdL <== perpMinOrderIdL[p];
            closes[p].orderRootL <== perpOrderRootL[p];
            closes[p].perpHashL <== perpPerpHashL[p];
            closes[p].collateralL <== perpCollateralL[p];
            closes[p].accountC <== perpAccountC[p];
            closes[p].axC <== perpAxC[p];
            closes[p].ayC <== perpAyC[p];
            closes[p].ethAddrC <== perpEthAddrC[p];
            closes[p].nonceC <== perpNonceC[p];
            closes[p].minOrderIdC <== perpMinOrderIdC[p];
            closes[p].orderRootC <== perpOrderRootC[p];
            closes[p].perpHashC <== perpPerpHashC[p];
            closes[p].collateralC <== perpCollateralC[p];
            closes[p].orderStoredIdC <== perpOrderStoredIdC[p];
            closes[p].orderFilledC <== perpOrderFilledC[p];
            closes[p].axI <== perpAxI[p];
            closes[p].ayI <== perpAyI[p];
            closes[p].ethAddrI <== perpEthAddrI[p];
            closes[p].nonceI <== perpNonceI[p];
            closes[p].minOrderIdI <== perpMinOrderIdI[p];
            closes[p].orderRootI <== perpOrderRootI[p];
            closes[p].perpHashI <== perpPerpHashI[p];
            closes[p].collateralI <== perpCollateralI[p];
            closes[p].wordsL <== perpWordsL[p];
            closes[p].siblingsAccountL <== perpSiblingsAccountL[p];
            closes[p].sizeL <== perpSizeL[p];
            closes[p].settledIndexL <== perpSettledIndexL[p];
            closes[p].paymentL <== perpPaymentL[p];
            closes[p].remainderL <== perpRemainderL[p];
            closes[p].wordsC <== perpWordsC[p];
            closes[p].siblingsAccountC <== perpSiblingsAccountC[p];
            closes[p].siblingsOrderC <== perpSiblingsOrderC[p];
            closes[p].sizeC <== perpSizeC[p];
            closes[p].settledIndexC <== perpSettledIndexC[p];
            closes[p].paymentC <== perpPaymentC[p];
            closes[p].remainderC <== perpRemainderC[p];
            closes[p].wordsI <== perpWordsI[p];
            closes[p].siblingsAccountI <== perpSiblingsAccountI[p];
            closes[p].sizeI <== perpSizeI[p];
            closes[p].settledIndexI <== perpSettledIndexI[p];
            closes[p].paymentI <== perpPaymentI[p];
            closes[p].remainderI <== perpRemainderI[p];

            oraclePrice[p + 1] <== moves[p].oraclePriceAfter;
            oracleTime[p + 1] <== moves[p].oracleTimeAfter;
            fundingIndex[p + 1] <== moves[p].fundingIndexAfter;
            fundingTime[p + 1] <== moves[p].fundingTimeAfter;
            openInterest[p + 1] <== closes[p].openInterestAfter;
            perpRoots[p + 1] <== closes[p].newRoot;
            pools[p + 1] <== transfers[p].collateralPoolAfter;
            perpTakers[p + 1] <== trades[p].taker + closes[p].taker;

            slotBits[p] = PerpSlotBits();
            slotBits[p].txType <== perpTxType[p];
            slotBits[p].market <== perpMarket[p];
            slotBits[p].publishedPrice <== moves[p].publishedPrice;
            slotBits[p].publishedTime <== moves[p].publishedTime;
            slotBits[p].publishedRate <== moves[p].publishedRate;
            slotBits[p].traded <== trades[p].published;
            slotBits[p].transferred <== transfers[p].published;
            slotBits[p].closed <== closes[p].published;
            publicInput.perpBits[p] <== slotBits[p].bits;
        }
        accountRootBeforeFees <== perpRoots[nPerp];

        component after = PerpCommitment();
        after.oraclePrice <== oraclePrice[nPerp];
        after.oracleTime <== oracleTime[nPerp];
        after.fundingIndex <== fundingIndex[nPerp];
        after.fundingTime <== fundingTime[nPerp];
        after.openInterest <== openInterest[nPerp];
        after.collateralPool <== pools[nPerp];
        after.configHash <== parameters.out;
        newState.inputs[1] <== after.out;
    }
    // The spot fees are credited after every slot, the perpetual ones included.
    component feeCredit = FeeCredit(accountDepth, balanceDepth);
    feeCredit.oldRoot <== accountRootBeforeFees;
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
    newState.inputs[0] <== feeCredit.newRoot;
    oldState.out === oldRoot;
    newState.out === newRoot;

    publicInput.oldRoot <== oldRoot;
    publicInput.newRoot <== newRoot;
    publicInput.timestamp <== timestamp;
    publicInput.l1ChainStart <== l1ChainStart;
    publicInput.l1ChainEnd <== l1ChainEnd;
    publicInput.out === publicInputHash;
}
