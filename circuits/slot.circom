pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "lib/constants.circom";
include "lib/checks.circom";
include "account.circom";
include "order.circom";
include "trade.circom";
include "l1.circom";
include "public_data.circom";

// TxSlot(accountDepth, balanceDepth, orderDepth): one transaction of a batch,
// mirroring sequencer/spec/transition.py. Every slot updates two accounts, A
// and B, against the account tree (a transaction that touches fewer accounts
// supplies any existing leaf with zero changes, which leaves the root as it
// is): A is the account of an L1 request, the withdrawer or the maker, B the
// taker.
//
// Inputs, all field elements (bits where noted); witness names are these:
//   oldRoot, chainIn, timestamp  from the previous slot / the batch
//   txType                       0 noop, 1 deposit, 2 trade, 3 withdraw,
//                                4 forced withdraw, 5 forced cancel-all,
//                                6 cancel, 7 cancel-all
//   l1EthAddr, l1Ax, l1Ay, l1Token, l1Amount   the L1 request's hashed fields
//                                (account: accountA; a cancel-all's amount is
//                                its minOrderId)
//   baseToken, quoteToken, sideA, fillBase, fillQuote   the trade
//   orderIdA, priceA, amountA, maxFeeBpsA, expiryA, kindA, feeBpsA, sigR8xA,
//   sigR8yA, sigSA               the maker's order, fee rate and signature (the
//                                signature also signs a withdrawal, a
//                                cancel or a cancel-all; a cancel's order
//                                id and a cancel-all's minOrderId are
//                                orderIdA)
//   orderIdB, ..., sigSB         the taker's, likewise
//   wToken, wAmount              the withdrawal
//   accountA, axA, ayA, ethAddrA, nonceA, minOrderIdA, orderRootA,
//   perpHashA, balancesA[], siblingsAccountA[], balanceA1 (the balance of the first
//   token changed, before), orderStoredIdA, orderFilledA, siblingsOrderA[]
//                                account A's leaf before and its paths
//   ... the same for B
// An immediate-or-cancel or market taker trades in one run of consecutive
// slots (ImmediateOrderResumed): once its slot records a fill, it trades only
// right after a trade of the same taker order, which previousTaker names
// (the previous slot's taker output; 0 before the first slot).
//
// Outputs: newRoot, chainOut, taker (1 + orderIdB + accountB * 2^48 in a
// trade slot, else 0), publicDataBits[8 * PD_SLOT_BYTES()] (the slot's
// published bytes as bits, public_data.circom), fees[2^balanceDepth]
// (fees collected per token).
template TxSlot(accountDepth, balanceDepth, orderDepth) {
    // Account indices and tokens must fit their public-data fields.
    assert(accountDepth <= PD_ACCOUNT_A_BITS());
    assert(balanceDepth <= PD_TOKEN_1_BITS());
    assert(ORDER_REF_BITS() == PD_ORDER_REF_A_BITS());
    var tokens = 1 << balanceDepth;

    signal input oldRoot;
    signal input chainIn;
    signal input previousTaker;
    signal input timestamp;
    signal input txType;

    signal input l1EthAddr;
    signal input l1Ax;
    signal input l1Ay;
    signal input l1Token;
    signal input l1Amount;

    signal input baseToken;
    signal input quoteToken;
    signal input sideA;
    signal input fillBase;
    signal input fillQuote;

    signal input orderIdA;
    signal input priceA;
    signal input amountA;
    signal input maxFeeBpsA;
    signal input expiryA;
    signal input kindA;
    signal input feeBpsA;
    signal input sigR8xA;
    signal input sigR8yA;
    signal input sigSA;

    signal input orderIdB;
    signal input priceB;
    signal input amountB;
    signal input maxFeeBpsB;
    signal input expiryB;
    signal input kindB;
    signal input feeBpsB;
    signal input sigR8xB;
    signal input sigR8yB;
    signal input sigSB;

    signal input wToken;
    signal input wAmount;

    signal input accountA;
    signal input axA;
    signal input ayA;
    signal input ethAddrA;
    signal input nonceA;
    signal input minOrderIdA;
    signal input orderRootA;
    signal input perpHashA;
    signal input balancesA[tokens];
    signal input siblingsAccountA[3 * accountDepth \ 2];
    signal input balanceA1;
    signal input orderStoredIdA;
    signal input orderFilledA;
    signal input siblingsOrderA[3 * orderDepth \ 2];

    signal input accountB;
    signal input axB;
    signal input ayB;
    signal input ethAddrB;
    signal input nonceB;
    signal input minOrderIdB;
    signal input orderRootB;
    signal input perpHashB;
    signal input balancesB[tokens];
    signal input siblingsAccountB[3 * accountDepth \ 2];
    signal input balanceB1;
    signal input orderStoredIdB;
    signal input orderFilledB;
    signal input siblingsOrderB[3 * orderDepth \ 2];

    signal output newRoot;
    signal output chainOut;
    signal output taker;
    signal output publicDataBits[8 * PD_SLOT_BYTES()];
    signal output fees[tokens];

    // --- Transaction type: exactly one flag is set. ---
    component isDepositEq = IsEqual();
    isDepositEq.in[0] <== txType;
    isDepositEq.in[1] <== TX_DEPOSIT();
    component isTradeEq = IsEqual();
    isTradeEq.in[0] <== txType;
    isTradeEq.in[1] <== TX_TRADE();
    component isWithdrawEq = IsEqual();
    isWithdrawEq.in[0] <== txType;
    isWithdrawEq.in[1] <== TX_WITHDRAW();
    component isForcedWithdrawEq = IsEqual();
    isForcedWithdrawEq.in[0] <== txType;
    isForcedWithdrawEq.in[1] <== TX_FORCED_WITHDRAW();
    component isForcedCancelEq = IsEqual();
    isForcedCancelEq.in[0] <== txType;
    isForcedCancelEq.in[1] <== TX_FORCED_CANCEL_ALL();
    component isCancelEq = IsEqual();
    isCancelEq.in[0] <== txType;
    isCancelEq.in[1] <== TX_CANCEL();
    component isCancelAllEq = IsEqual();
    isCancelAllEq.in[0] <== txType;
    isCancelAllEq.in[1] <== TX_CANCEL_ALL();
    component isNoopEq = IsEqual();
    isNoopEq.in[0] <== txType;
    isNoopEq.in[1] <== TX_NOOP();
    signal isDeposit <== isDepositEq.out;
    signal isTrade <== isTradeEq.out;
    signal isWithdraw <== isWithdrawEq.out;
    signal isForcedWithdraw <== isForcedWithdrawEq.out;
    signal isForcedCancel <== isForcedCancelEq.out;
    signal isCancel <== isCancelEq.out;
    signal isCancelAll <== isCancelAllEq.out;
    isDeposit + isTrade + isWithdraw + isForcedWithdraw + isForcedCancel + isCancel + isCancelAll + isNoopEq.out === 1;
    // The slot consumes an L1 request.
    signal isL1 <== isDeposit + isForcedWithdraw + isForcedCancel;

    // --- Ranges. Every value is range-checked where it matters, once:
    // the l1* fields count only in an L1 slot, where the request hash binds
    // them to what the contract queued (an address, a uint96 amount; a
    // forced cancel-all's minOrderId is checked below); wAmount counts only
    // in a withdrawal, whose published amount (public data, 96 bits) is
    // wAmount; baseToken and quoteToken count only in a trade, where B's
    // balance changes refuse a token >= 2^balanceDepth (TokenSelector). ---

    // --- The trade's own rules. ---
    component trade = TradeRules();
    trade.enabled <== isTrade;
    trade.timestamp <== timestamp;
    trade.accountA <== accountA;
    trade.accountB <== accountB;
    trade.baseToken <== baseToken;
    trade.quoteToken <== quoteToken;
    trade.sideA <== sideA;
    trade.priceA <== priceA;
    trade.priceB <== priceB;
    trade.maxFeeBpsA <== maxFeeBpsA;
    trade.maxFeeBpsB <== maxFeeBpsB;
    trade.expiryA <== expiryA;
    trade.expiryB <== expiryB;
    trade.kindA <== kindA;
    trade.kindB <== kindB;
    trade.amountB <== amountB;
    trade.fillBase <== fillBase;
    trade.fillQuote <== fillQuote;
    trade.feeBpsA <== feeBpsA;
    trade.feeBpsB <== feeBpsB;

    // --- AccountNotFound: trades, withdrawals, cancels and cancel-alls need existing accounts. ---
    component emptyA = IsZero();
    emptyA.in <== ethAddrA;
    (isTrade + isWithdraw + isCancel + isCancelAll) * emptyA.out === 0;
    component emptyB = IsZero();
    emptyB.in <== ethAddrB;
    isTrade * emptyB.out === 0;

    // --- Signatures (InvalidSignature). A signs its order, withdrawal,
    // cancel or cancel-all, B its order; the withdrawal signs the account's current nonce,
    // so a wrong nonce is a wrong signature (InvalidNonce). Every signed
    // message hashes MESSAGE_INPUTS() inputs, a tag, the fields, then zeros
    // (sequencer/spec/transactions.py signed_message), so one Poseidon serves
    // A whatever it signs: an order [1, account, orderId, base, quote, side,
    // price, amount, maxFeeBps, expiry, kind], a withdrawal [2, account,
    // token, amount, nonce, 0...], a cancel [16, account, orderId, 0...], a
    // cancel-all [17, account, minOrderId (orderIdA), 0...]. ---
    assert(MESSAGE_INPUTS() == 11);
    signal withdrawTokenInput <== isWithdraw * (wToken - orderIdA);
    signal orderBaseInput <== isTrade * baseToken;
    signal withdrawAmountInput <== isWithdraw * wAmount;
    signal orderQuoteInput <== isTrade * quoteToken;
    signal withdrawNonceInput <== isWithdraw * nonceA;
    component messageA = Poseidon(MESSAGE_INPUTS());
    messageA.inputs[0] <== isTrade * MSG_ORDER() + isWithdraw * MSG_WITHDRAW() + isCancel * MSG_CANCEL() + isCancelAll * MSG_CANCEL_ALL();
    messageA.inputs[1] <== accountA;
    messageA.inputs[2] <== orderIdA + withdrawTokenInput;
    messageA.inputs[3] <== orderBaseInput + withdrawAmountInput;
    messageA.inputs[4] <== orderQuoteInput + withdrawNonceInput;
    messageA.inputs[5] <== isTrade * sideA;
    messageA.inputs[6] <== isTrade * priceA;
    messageA.inputs[7] <== isTrade * amountA;
    messageA.inputs[8] <== isTrade * maxFeeBpsA;
    messageA.inputs[9] <== isTrade * expiryA;
    messageA.inputs[10] <== isTrade * kindA;

    component orderMessageB = Poseidon(MESSAGE_INPUTS());
    orderMessageB.inputs[0] <== MSG_ORDER();
    orderMessageB.inputs[1] <== accountB;
    orderMessageB.inputs[2] <== orderIdB;
    orderMessageB.inputs[3] <== baseToken;
    orderMessageB.inputs[4] <== quoteToken;
    orderMessageB.inputs[5] <== 1 - sideA;
    orderMessageB.inputs[6] <== priceB;
    orderMessageB.inputs[7] <== amountB;
    orderMessageB.inputs[8] <== maxFeeBpsB;
    orderMessageB.inputs[9] <== expiryB;
    orderMessageB.inputs[10] <== kindB;

    component signatureA = EdDSAPoseidonVerifier();
    signatureA.enabled <== isTrade + isWithdraw + isCancel + isCancelAll;
    signatureA.Ax <== axA;
    signatureA.Ay <== ayA;
    signatureA.S <== sigSA;
    signatureA.R8x <== sigR8xA;
    signatureA.R8y <== sigR8yA;
    signatureA.M <== messageA.out;

    component signatureB = EdDSAPoseidonVerifier();
    signatureB.enabled <== isTrade;
    signatureB.Ax <== axB;
    signatureB.Ay <== ayB;
    signatureB.S <== sigSB;
    signatureB.R8x <== sigR8xB;
    signatureB.R8y <== sigR8yB;
    signatureB.M <== orderMessageB.out;

    // --- Order slots (OrderCancelled, OrderIdStale, OrderIdOutOfWindow, OrderOverfilled; a cancel records
    // CANCELLED_FILL in A's slot, OrderWasCancelled). ---
    // circomspect: CS0018 the maker's previouslyFilled does not matter (only an immediate taker's run does).
    component fillA = OrderFill(orderDepth);
    fillA.enabled <== isTrade;
    fillA.cancels <== isCancel;
    fillA.orderId <== orderIdA;
    fillA.minOrderId <== minOrderIdA;
    fillA.amount <== amountA;
    fillA.fill <== fillBase;
    fillA.storedId <== orderStoredIdA;
    fillA.storedFilled <== orderFilledA;

    component fillB = OrderFill(orderDepth);
    fillB.enabled <== isTrade;
    fillB.cancels <== 0;
    fillB.orderId <== orderIdB;
    fillB.minOrderId <== minOrderIdB;
    fillB.amount <== amountB;
    fillB.fill <== fillBase;
    fillB.storedId <== orderStoredIdB;
    fillB.storedFilled <== orderFilledB;

    // --- An immediate taker's run of fills (ImmediateOrderResumed). The key
    // is injective: orderIdB < 2^48 (fillB) and accountB < 2^accountDepth
    // (updateB's path bits), and it is never 0. ---
    signal takerKey <== 1 + orderIdB + accountB * (1 << ORDER_ID_BITS());
    taker <== isTrade * takerKey;
    component firstFill = IsZero();
    firstFill.in <== fillB.previouslyFilled;
    component continues = IsEqual();
    continues.in[0] <== previousTaker;
    continues.in[1] <== takerKey;
    signal immediateTaker <== isTrade * trade.takerImmediate;
    signal resumes <== immediateTaker * (1 - firstFill.out);
    resumes * (1 - continues.out) === 0;

    // --- Forced requests (no signature): they act only on an existing
    // account whose address sent them on L1; otherwise they are no-ops. A
    // forced withdrawal takes the whole balance of its token (balanceA1); a
    // forced cancel-all raises minOrderId to the request's, never lowers it.
    // A signed cancel-all (checked above: existing account, signature)
    // always applies, and raises minOrderId to orderIdA likewise.
    component ownerEq = IsEqual();
    ownerEq.in[0] <== ethAddrA;
    ownerEq.in[1] <== l1EthAddr;
    signal owned <== ownerEq.out * (1 - emptyA.out);
    signal forcedWithdrawApplies <== isForcedWithdraw * owned;
    signal forcedAmount <== forcedWithdrawApplies * balanceA1;

    signal forcedMin <== isForcedCancel * l1Amount;
    signal signedMin <== isCancelAll * orderIdA;
    signal requestedMin <== forcedMin + signedMin;
    component requestedMinRange = RangeCheck(ORDER_ID_BITS());
    requestedMinRange.in <== requestedMin;
    // minOrderIdA < 2^48: range-checked by fillA.
    component raisesMin = LessThan(ORDER_ID_BITS());
    // circomspect: CS0014 minOrderIdA < 2^48: range-checked by fillA (see above).
    raisesMin.in[0] <== minOrderIdA;
    // circomspect: CS0014 requestedMin < 2^48: requestedMinRange above.
    raisesMin.in[1] <== requestedMin;
    signal cancelApplies <== isForcedCancel * owned + isCancelAll;
    signal raising <== cancelApplies * raisesMin.out;
    signal newMinOrderIdA <== minOrderIdA + raising * (requestedMin - minOrderIdA);

    // --- Account A: an L1 request, a withdrawal, a cancel (its order slot),
    // or the maker's side of a trade. A deposit to an empty account creates it with the request's key
    // and address; otherwise they stay.
    signal creates <== isDeposit * emptyA.out;
    signal requestToken <== (isDeposit + isForcedWithdraw) * l1Token;
    signal withdrawToken <== isWithdraw * wToken;
    signal tradeToken <== isTrade * baseToken;
    signal tokenA1 <== requestToken + withdrawToken + tradeToken;
    signal deposited <== isDeposit * l1Amount;
    signal withdrawn <== isWithdraw * wAmount;
    signal tradeBaseDeltaA <== isTrade * trade.baseDeltaA;
    signal deltaA1 <== deposited - withdrawn - forcedAmount + tradeBaseDeltaA;

    component updateA = AccountUpdate(accountDepth, balanceDepth, orderDepth);
    updateA.oldRoot <== oldRoot;
    updateA.accountIndex <== accountA;
    updateA.ax <== axA;
    updateA.ay <== ayA;
    updateA.ethAddr <== ethAddrA;
    updateA.nonce <== nonceA;
    updateA.minOrderId <== minOrderIdA;
    updateA.balances <== balancesA;
    updateA.orderRoot <== orderRootA;
    updateA.perpHash <== perpHashA;
    updateA.siblingsAccount <== siblingsAccountA;
    updateA.token1 <== tokenA1;
    updateA.balance1 <== balanceA1;
    updateA.delta1 <== deltaA1;
    updateA.token2 <== tokenA1 + isTrade * (quoteToken - tokenA1);
    updateA.delta2 <== isTrade * trade.quoteDeltaA;
    updateA.orderSlotBits <== fillA.slotBits;
    updateA.oldOrderLeaf <== fillA.oldLeaf;
    updateA.newOrderLeaf <== fillA.newLeaf;
    updateA.siblingsOrder <== siblingsOrderA;
    updateA.newAx <== axA + creates * (l1Ax - axA);
    updateA.newAy <== ayA + creates * (l1Ay - ayA);
    updateA.newEthAddr <== ethAddrA + creates * (l1EthAddr - ethAddrA);
    updateA.newNonce <== nonceA + isWithdraw;
    updateA.newMinOrderId <== newMinOrderIdA;

    // --- Account B: the taker's side of a trade. ---
    component updateB = AccountUpdate(accountDepth, balanceDepth, orderDepth);
    updateB.oldRoot <== updateA.newRoot;
    updateB.accountIndex <== accountB;
    updateB.ax <== axB;
    updateB.ay <== ayB;
    updateB.ethAddr <== ethAddrB;
    updateB.nonce <== nonceB;
    updateB.minOrderId <== minOrderIdB;
    updateB.balances <== balancesB;
    updateB.orderRoot <== orderRootB;
    updateB.perpHash <== perpHashB;
    updateB.siblingsAccount <== siblingsAccountB;
    updateB.token1 <== isTrade * baseToken;
    updateB.balance1 <== balanceB1;
    updateB.delta1 <== isTrade * trade.baseDeltaB;
    updateB.token2 <== isTrade * quoteToken;
    updateB.delta2 <== isTrade * trade.quoteDeltaB;
    updateB.orderSlotBits <== fillB.slotBits;
    updateB.oldOrderLeaf <== fillB.oldLeaf;
    updateB.newOrderLeaf <== fillB.newLeaf;
    updateB.siblingsOrder <== siblingsOrderB;
    updateB.newAx <== axB;
    updateB.newAy <== ayB;
    updateB.newEthAddr <== ethAddrB;
    updateB.newNonce <== nonceB;
    updateB.newMinOrderId <== minOrderIdB;
    newRoot <== updateB.newRoot;

    // --- The L1 queue: an L1 slot consumes the next request, whose hash
    // binds every l1* field and the account to what the contract queued. ---
    component request = L1RequestHash();
    request.txType <== txType;
    request.accountIndex <== accountA;
    request.ethAddr <== l1EthAddr;
    request.ax <== l1Ax;
    request.ay <== l1Ay;
    request.token <== l1Token;
    request.amount <== l1Amount;
    component chain = L1ChainStep();
    chain.consumes <== isL1;
    chain.chain <== chainIn;
    chain.requestHash <== request.out;
    chainOut <== chain.out;

    // --- Fees collected, per token. ---
    component isBase[tokens];
    component isQuote[tokens];
    signal baseFeeOf[tokens];
    signal quoteFeeOf[tokens];
    signal tradeBaseFee <== isTrade * trade.baseFee;
    signal tradeQuoteFee <== isTrade * trade.quoteFee;
    for (var t = 0; t < tokens; t++) {
        isBase[t] = IsEqual();
        isBase[t].in[0] <== baseToken;
        isBase[t].in[1] <== t;
        isQuote[t] = IsEqual();
        isQuote[t].in[0] <== quoteToken;
        isQuote[t].in[1] <== t;
        baseFeeOf[t] <== isBase[t].out * tradeBaseFee;
        quoteFeeOf[t] <== isQuote[t].out * tradeQuoteFee;
        fees[t] <== baseFeeOf[t] + quoteFeeOf[t];
    }

    // --- Public data (fields masked by type; all range-checked above; the
    // trade's fill and price are packed decimal floats, masked by TradeRules). ---
    component publicData = SlotPublicData();
    publicData.txType <== txType;
    publicData.sideA <== isTrade * sideA;
    publicData.accountA <== (1 - isNoopEq.out) * accountA;
    publicData.accountB <== isTrade * accountB;
    publicData.orderRefA <== isTrade * fillA.ref;
    publicData.orderRefB <== isTrade * fillB.ref;
    publicData.token1 <== (isTrade + isWithdraw + isForcedWithdraw) * tokenA1;
    publicData.token2 <== isTrade * quoteToken;
    publicData.fillBase <== trade.publishedFill;
    publicData.price <== trade.publishedPrice;
    publicData.feeBpsA <== isTrade * feeBpsA;
    publicData.feeBpsB <== isTrade * feeBpsB;
    publicData.amount <== withdrawn + forcedAmount;
    publicData.orderIdA <== (isCancel + isCancelAll) * orderIdA;
    publicDataBits <== publicData.bits;
}
