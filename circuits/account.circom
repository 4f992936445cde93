pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "lib/constants.circom";
include "lib/merkle.circom";

// AccountLeaf(): the account tree leaf,
// Poseidon([ax, ay, ethAddr, nonce, minOrderId, balanceRoot, orderRoot])
// (docs/DESIGN.md).
template AccountLeaf() {
    signal input ax;
    signal input ay;
    signal input ethAddr;
    signal input nonce;
    signal input minOrderId;
    signal input balanceRoot;
    signal input orderRoot;
    signal output out;

    component h = Poseidon(7);
    h.inputs[0] <== ax;
    h.inputs[1] <== ay;
    h.inputs[2] <== ethAddr;
    h.inputs[3] <== nonce;
    h.inputs[4] <== minOrderId;
    h.inputs[5] <== balanceRoot;
    h.inputs[6] <== orderRoot;
    out <== h.out;
}

// BalanceUpdate(balanceDepth): moves one balance leaf by a signed delta and
// range-checks the result, which is how the circuit refuses both an overdraft
// (a negative balance wraps to a huge field element) and an overflow.
//
//   oldRoot               field   balance tree root before
//   token                 field   leaf index; < 2^balanceDepth (checked here)
//   oldBalance            field   the leaf before (proven against oldRoot)
//   siblings[3 * balanceDepth \ 2] field
//   delta                 field   signed change; NOTE: the caller must build it
//                                 from range-checked amounts
//   newRoot (out)         field
template BalanceUpdate(balanceDepth) {
    signal input oldRoot;
    signal input token;
    signal input oldBalance;
    signal input siblings[3 * balanceDepth \ 2];
    signal input delta;
    signal output newRoot;

    // circomspect: CS0010 balanceDepth (<= 8) bits, far below the field's 254: a token id has one binary form.
    component tokenBits = Num2Bits(balanceDepth);
    tokenBits.in <== token;

    component before = MerkleRoot(balanceDepth);
    before.leaf <== oldBalance;
    before.pathBits <== tokenBits.out;
    before.siblings <== siblings;
    before.root === oldRoot;

    signal newBalance <== oldBalance + delta;
    // circomspect: CS0010 96 bits, far below the field's 254: the range check of a balance, no alias mod p.
    component inRange = Num2Bits(AMOUNT_BITS());
    inRange.in <== newBalance;

    component after = MerkleRoot(balanceDepth);
    after.leaf <== newBalance;
    after.pathBits <== tokenBits.out;
    after.siblings <== siblings;
    newRoot <== after.root;
}

// AccountUpdate(accountDepth, balanceDepth, orderDepth): one account's part of
// a transaction. Proves the old leaf against the account tree, applies two
// balance changes (token1 then token2, sequentially, so token2 may equal
// token1), replaces one order-tree leaf and sets the new key, address, nonce
// and minOrderId; outputs the new account tree root.
//
//   oldRoot                     field  account tree root before
//   accountIndex                field  < 2^accountDepth (checked here)
//   ax, ay, ethAddr, nonce, minOrderId  field  the leaf's fields before
//   balanceRoot, orderRoot      field  the leaf's subtree roots before
//   siblingsAccount[3 * accountDepth \ 2]
//   token1, balance1, siblingsBalance1[3 * balanceDepth \ 2], delta1
//   token2, balance2, siblingsBalance2[3 * balanceDepth \ 2], delta2
//                                      balance2 is the token2 leaf after the
//                                      token1 change
//   orderSlotBits[orderDepth]   bit    NOTE: the caller range-checks them
//   oldOrderLeaf, newOrderLeaf  field
//   siblingsOrder[3 * orderDepth \ 2]
//   newAx, newAy, newEthAddr, newNonce, newMinOrderId  field  the leaf's
//                                      fields after
//   newRoot (out)               field
template AccountUpdate(accountDepth, balanceDepth, orderDepth) {
    signal input oldRoot;
    signal input accountIndex;
    signal input ax;
    signal input ay;
    signal input ethAddr;
    signal input nonce;
    signal input minOrderId;
    signal input balanceRoot;
    signal input orderRoot;
    signal input siblingsAccount[3 * accountDepth \ 2];

    signal input token1;
    signal input balance1;
    signal input siblingsBalance1[3 * balanceDepth \ 2];
    signal input delta1;
    signal input token2;
    signal input balance2;
    signal input siblingsBalance2[3 * balanceDepth \ 2];
    signal input delta2;

    signal input orderSlotBits[orderDepth];
    signal input oldOrderLeaf;
    signal input newOrderLeaf;
    signal input siblingsOrder[3 * orderDepth \ 2];

    signal input newAx;
    signal input newAy;
    signal input newEthAddr;
    signal input newNonce;
    signal input newMinOrderId;
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
    oldLeaf.balanceRoot <== balanceRoot;
    oldLeaf.orderRoot <== orderRoot;

    component before = MerkleRoot(accountDepth);
    before.leaf <== oldLeaf.out;
    before.pathBits <== indexBits.out;
    before.siblings <== siblingsAccount;
    before.root === oldRoot;

    component first = BalanceUpdate(balanceDepth);
    first.oldRoot <== balanceRoot;
    first.token <== token1;
    first.oldBalance <== balance1;
    first.siblings <== siblingsBalance1;
    first.delta <== delta1;

    component second = BalanceUpdate(balanceDepth);
    second.oldRoot <== first.newRoot;
    second.token <== token2;
    second.oldBalance <== balance2;
    second.siblings <== siblingsBalance2;
    second.delta <== delta2;

    component orderBefore = MerkleRoot(orderDepth);
    orderBefore.leaf <== oldOrderLeaf;
    orderBefore.pathBits <== orderSlotBits;
    orderBefore.siblings <== siblingsOrder;
    orderBefore.root === orderRoot;

    component orderAfter = MerkleRoot(orderDepth);
    orderAfter.leaf <== newOrderLeaf;
    orderAfter.pathBits <== orderSlotBits;
    orderAfter.siblings <== siblingsOrder;

    component newLeaf = AccountLeaf();
    newLeaf.ax <== newAx;
    newLeaf.ay <== newAy;
    newLeaf.ethAddr <== newEthAddr;
    newLeaf.nonce <== newNonce;
    newLeaf.minOrderId <== newMinOrderId;
    newLeaf.balanceRoot <== second.newRoot;
    newLeaf.orderRoot <== orderAfter.root;

    component after = MerkleRoot(accountDepth);
    after.leaf <== newLeaf.out;
    after.pathBits <== indexBits.out;
    after.siblings <== siblingsAccount;
    newRoot <== after.root;
}
