pragma circom 2.1.0;

// An account leaf's update by a perpetual slot: its perpetual side (the
// leaf's last input, commitment.circom's PerpAccountHash), its balances and
// nonce (a collateral transfer's) and, for the account of a signed order,
// one order slot; its key, address, minOrderId (and order root, but for
// that slot) stay as they were (circuits/account.circom's AccountLeaf).

include "circomlib/circuits/bitify.circom";
include "../lib/constants.circom";
include "../lib/merkle.circom";
include "../account.circom";

// PerpLeafUpdate(accountDepth, orderDepth): the account tree's root after
// leaf accountIndex's perpetual side becomes newPerpHash, its balances'
// words newWords, its nonce newNonce and, with orderDepth > 0, its order
// slot at orderSlotBits goes from oldOrderLeaf to newOrderLeaf (OrderFill's
// outputs).
//
//   oldRoot, accountIndex        field   the tree before; the leaf's index (< 2^accountDepth, checked here)
//   ax .. orderRoot, words[], perpHash   field   the leaf before (its balances as the leaf's words: they stay)
//   siblingsAccount[]            field   the leaf's path
//   newPerpHash, newWords[], newNonce   field   the perpetual side, the balances' words and the nonce after
//   orderSlotBits[], oldOrderLeaf, newOrderLeaf, siblingsOrder[]   (orderDepth > 0) the order slot written
//   newRoot                      field   output
template PerpLeafUpdate(accountDepth, orderDepth) {
    signal input oldRoot;
    signal input accountIndex;
    signal input ax;
    signal input ay;
    signal input ethAddr;
    signal input nonce;
    signal input minOrderId;
    signal input orderRoot;
    signal input words[BALANCE_WORDS()];
    signal input perpHash;
    signal input siblingsAccount[3 * accountDepth \ 2];
    signal input newPerpHash;
    signal input newWords[BALANCE_WORDS()];
    signal input newNonce;
    signal output newRoot;

    // circomspect: CS0010 accountDepth (<= 24) bits, far below the field's 254: an account index has one binary form.
    component indexBits = Num2Bits(accountDepth);
    indexBits.in <== accountIndex;

    component oldLeaf = AccountLeaf();
    oldLeaf.ax <== ax;
    oldLeaf.ay <== ay;
    oldLeaf.ethAddr <== ethAddr;
    oldLeaf.nonce <== nonce;
    oldLeaf.minOrderId <== minOrderId;
    oldLeaf.orderRoot <== orderRoot;
    oldLeaf.words <== words;
    oldLeaf.perpHash <== perpHash;
    component before = MerkleRoot(accountDepth);
    before.leaf <== oldLeaf.out;
    before.pathBits <== indexBits.out;
    before.siblings <== siblingsAccount;
    before.root === oldRoot;

    signal newOrderRoot;
    if (orderDepth > 0) {
        signal input orderSlotBits[orderDepth];
        signal input oldOrderLeaf;
        signal input newOrderLeaf;
        signal input siblingsOrder[3 * orderDepth \ 2];
        component orderBefore = MerkleRoot(orderDepth);
        orderBefore.leaf <== oldOrderLeaf;
        orderBefore.pathBits <== orderSlotBits;
        orderBefore.siblings <== siblingsOrder;
        orderBefore.root === orderRoot;
        component orderAfter = MerkleRoot(orderDepth);
        orderAfter.leaf <== newOrderLeaf;
        orderAfter.pathBits <== orderSlotBits;
        orderAfter.siblings <== siblingsOrder;
        newOrderRoot <== orderAfter.root;
    } else {
        newOrderRoot <== orderRoot;
    }

    component newLeaf = AccountLeaf();
    newLeaf.ax <== ax;
    newLeaf.ay <== ay;
    newLeaf.ethAddr <== ethAddr;
    newLeaf.nonce <== newNonce;
    newLeaf.minOrderId <== minOrderId;
    newLeaf.orderRoot <== newOrderRoot;
    newLeaf.words <== newWords;
    newLeaf.perpHash <== newPerpHash;
    component after = MerkleRoot(accountDepth);
    after.leaf <== newLeaf.out;
    after.pathBits <== indexBits.out;
    after.siblings <== siblingsAccount;
    newRoot <== after.root;
}
