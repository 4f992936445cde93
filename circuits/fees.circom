pragma circom 2.1.0;

include "lib/constants.circom";
include "lib/merkle.circom";
include "account.circom";

// FeeCredit(accountDepth, balanceDepth): credits the fees a batch collected,
// per token, to account 0 (the operator's fee account) after the last slot.
// The fee account's balances are all given, so every token is credited at
// once.
//
//   oldRoot                    field  account tree root after the last slot
//   ax, ay, ethAddr, nonce, minOrderId, orderRoot, perpHash  field
//                                     account 0's leaf fields
//   balances[2^balanceDepth]   field  account 0's balances before (each
//                                     range-checked: its leaf binds them only
//                                     two to a word)
//   siblings[3 * accountDepth \ 2]  field  account 0's path (index 0: child 0 at every level)
//   fees[2^balanceDepth]       field  fees collected per token; NOTE: the
//                                     caller sums range-checked fees
//   newRoot (out)              field
template FeeCredit(accountDepth, balanceDepth) {
    var tokens = 1 << balanceDepth;
    signal input oldRoot;
    signal input ax;
    signal input ay;
    signal input ethAddr;
    signal input nonce;
    signal input minOrderId;
    signal input orderRoot;
    signal input perpHash;
    signal input balances[tokens];
    signal input siblings[3 * accountDepth \ 2];
    signal input fees[tokens];
    signal output newRoot;

    component wordsBefore = BalanceWords(tokens);
    wordsBefore.balances <== balances;

    component leafBefore = AccountLeaf();
    leafBefore.ax <== ax;
    leafBefore.ay <== ay;
    leafBefore.ethAddr <== ethAddr;
    leafBefore.nonce <== nonce;
    leafBefore.minOrderId <== minOrderId;
    leafBefore.orderRoot <== orderRoot;
    leafBefore.words <== wordsBefore.words;
    leafBefore.perpHash <== perpHash;

    signal leftPath[accountDepth];
    for (var k = 0; k < accountDepth; k++) {
        leftPath[k] <== 0;
    }
    component before = MerkleRoot(accountDepth);
    before.leaf <== leafBefore.out;
    before.pathBits <== leftPath;
    before.siblings <== siblings;
    before.root === oldRoot;

    signal credited[tokens];
    component wasInRange[tokens];
    component inRange[tokens];
    for (var t = 0; t < tokens; t++) {
        wasInRange[t] = RangeCheck(AMOUNT_BITS());
        wasInRange[t].in <== balances[t];
        credited[t] <== balances[t] + fees[t];
        inRange[t] = RangeCheck(AMOUNT_BITS());
        inRange[t].in <== credited[t];
    }
    component wordsAfter = BalanceWords(tokens);
    wordsAfter.balances <== credited;

    component leafAfter = AccountLeaf();
    leafAfter.ax <== ax;
    leafAfter.ay <== ay;
    leafAfter.ethAddr <== ethAddr;
    leafAfter.nonce <== nonce;
    leafAfter.minOrderId <== minOrderId;
    leafAfter.orderRoot <== orderRoot;
    leafAfter.words <== wordsAfter.words;
    leafAfter.perpHash <== perpHash;

    component after = MerkleRoot(accountDepth);
    after.leaf <== leafAfter.out;
    after.pathBits <== leftPath;
    after.siblings <== siblings;
    newRoot <== after.root;
}
