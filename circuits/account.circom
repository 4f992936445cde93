pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "lib/constants.circom";
include "lib/merkle.circom";
include "lib/checks.circom";

// AccountLeaf(): the account tree leaf,
// Poseidon([ax, ay, ethAddr, nonce, minOrderId, orderRoot, words[0..7], perpHash]),
// word i holding the balances of tokens 2i and 2i + 1, perpHash the hash of
// the account's collateral and positions (perpetual/commitment.circom
// PerpAccountHash; docs/DESIGN.md).
template AccountLeaf() {
    signal input ax;
    signal input ay;
    signal input ethAddr;
    signal input nonce;
    signal input minOrderId;
    signal input orderRoot;
    signal input words[BALANCE_WORDS()];
    signal input perpHash;
    signal output out;

    component h = Poseidon(7 + BALANCE_WORDS());
    h.inputs[0] <== ax;
    h.inputs[1] <== ay;
    h.inputs[2] <== ethAddr;
    h.inputs[3] <== nonce;
    h.inputs[4] <== minOrderId;
    h.inputs[5] <== orderRoot;
    for (var i = 0; i < BALANCE_WORDS(); i++) {
        h.inputs[6 + i] <== words[i];
    }
    h.inputs[6 + BALANCE_WORDS()] <== perpHash;
    out <== h.out;
}

// BalanceWords(tokens): the leaf's words from an account's balances,
// word i = balances[2i] + balances[2i + 1] * 2^96 (a token the configuration
// does not have counts as 0). Linear: no constraints.
//
// NOTE: a word has one split into two balances only if both are below
// 2^96; the caller range-checks every balance it reads out of a word.
template BalanceWords(tokens) {
    assert(tokens <= 2 * BALANCE_WORDS());
    signal input balances[tokens];
    signal output words[BALANCE_WORDS()];

    for (var i = 0; i < BALANCE_WORDS(); i++) {
        var word = 0;
        if (2 * i < tokens) {
            word += balances[2 * i];
        }
        if (2 * i + 1 < tokens) {
            word += balances[2 * i + 1] * (1 << AMOUNT_BITS());
        }
        words[i] <== word;
    }
}

// TokenSelector(tokens): is[t] = 1 for t = token, 0 otherwise. Refuses a
// token that is not one of 0 .. tokens - 1 (no is[t] could be set), which is
// the range check of a token id.
template TokenSelector(tokens) {
    signal input token;
    signal output is[tokens];

    // circomspect: CS0008 count sums the flags and is constrained to 1 below (circomspect does not follow a var into ===).
    var count = 0;
    for (var t = 0; t < tokens; t++) {
        // circomspect: CS0005 is[t] is pinned by the two constraints below: 0 unless token == t, and the flags sum to 1.
        is[t] <-- token == t ? 1 : 0;
        is[t] * (token - t) === 0;
        // circomspect: CS0008 the sum of the flags, constrained to 1 after the loop.
        count += is[t];
    }
    count === 1;
}

// BalanceChange(tokens): adds a signed delta to one balance and range-checks
// the result, which is how the circuit refuses both an overdraft (a negative
// balance wraps to a huge field element) and an overflow.
//
//   before[tokens]   field   the balances before; NOTE: they are bound only
//                            through their words (BalanceWords), so both
//                            balances of the word read here are range-checked
//                            (below 2^96 each, the word has one split: no
//                            value moves between the two tokens of a word)
//   token            field   refused unless < tokens (TokenSelector)
//   delta            field   signed change; NOTE: the caller must build it
//                            from range-checked amounts
//   after[tokens] (out)  field
//   read (out)       field   before[token]
template BalanceChange(tokens) {
    // 2^balanceDepth tokens with balanceDepth >= 1: every word holds two.
    assert(tokens % 2 == 0);
    var words = tokens \ 2;
    signal input before[tokens];
    signal input token;
    signal input delta;
    signal output after[tokens];
    signal output read;

    component select = TokenSelector(tokens);
    select.token <== token;

    // The two balances of token's word, and which of them is token's.
    signal lowParts[words];
    signal highParts[words];
    var low = 0;
    var high = 0;
    var odd = 0;
    for (var i = 0; i < words; i++) {
        var inWord = select.is[2 * i] + select.is[2 * i + 1];
        odd += select.is[2 * i + 1];
        lowParts[i] <== inWord * before[2 * i];
        highParts[i] <== inWord * before[2 * i + 1];
        low += lowParts[i];
        high += highParts[i];
    }
    component lowRange = RangeCheck(AMOUNT_BITS());
    lowRange.in <== low;
    component highRange = RangeCheck(AMOUNT_BITS());
    highRange.in <== high;
    read <== low + odd * (high - low);

    component inRange = RangeCheck(AMOUNT_BITS());
    inRange.in <== read + delta;

    for (var t = 0; t < tokens; t++) {
        after[t] <== before[t] + select.is[t] * delta;
    }
}

// AccountUpdate(accountDepth, balanceDepth, orderDepth): one account's part of
// a transaction. Proves the old leaf against the account tree, applies two
// balance changes (token1 then token2, sequentially, so token2 may equal
// token1), replaces one order-tree leaf and sets the new key, address, nonce
// and minOrderId, keeping the account's perpetual side; outputs the new
// account tree root.
//
//   oldRoot                     field  account tree root before
//   accountIndex                field  < 2^accountDepth (checked here)
//   ax, ay, ethAddr, nonce, minOrderId, orderRoot  field  the leaf's fields before
//   perpHash                    field  the leaf's perpetual hash, unchanged
//   balances[2^balanceDepth]    field  the account's balances before
//   siblingsAccount[3 * accountDepth \ 2]
//   token1, delta1, token2, delta2  field  the two changes; tokens are
//                                      refused unless < 2^balanceDepth
//   balance1                    field  the balance of token1 before (checked
//                                      here: the caller may build delta1 from it)
//   orderSlotBits[orderDepth]   bit    NOTE: the caller range-checks them
//   oldOrderLeaf, newOrderLeaf  field
//   siblingsOrder[3 * orderDepth \ 2]
//   newAx, newAy, newEthAddr, newNonce, newMinOrderId  field  the leaf's
//                                      fields after
//   newRoot (out)               field
template AccountUpdate(accountDepth, balanceDepth, orderDepth) {
    var tokens = 1 << balanceDepth;
    signal input oldRoot;
    signal input accountIndex;
    signal input ax;
    signal input ay;
    signal input ethAddr;
    signal input nonce;
    signal input minOrderId;
    signal input orderRoot;
    signal input perpHash;
    signal input balances[tokens];
    signal input siblingsAccount[3 * accountDepth \ 2];

    signal input token1;
    signal input balance1;
    signal input delta1;
    signal input token2;
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

    component wordsBefore = BalanceWords(tokens);
    wordsBefore.balances <== balances;
    component oldLeaf = AccountLeaf();
    oldLeaf.ax <== ax;
    oldLeaf.ay <== ay;
    oldLeaf.ethAddr <== ethAddr;
    oldLeaf.nonce <== nonce;
    oldLeaf.minOrderId <== minOrderId;
    oldLeaf.orderRoot <== orderRoot;
    oldLeaf.words <== wordsBefore.words;
    oldLeaf.perpHash <== perpHash;

    component before = MerkleRoot(accountDepth);
    before.leaf <== oldLeaf.out;
    before.pathBits <== indexBits.out;
    before.siblings <== siblingsAccount;
    before.root === oldRoot;

    component first = BalanceChange(tokens);
    first.before <== balances;
    first.token <== token1;
    first.delta <== delta1;
    first.read === balance1;

    // circomspect: CS0018 the second change's read needs no check of its own: only the first's feeds a delta (a forced withdrawal's).
    component second = BalanceChange(tokens);
    second.before <== first.after;
    second.token <== token2;
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

    component wordsAfter = BalanceWords(tokens);
    wordsAfter.balances <== second.after;
    component newLeaf = AccountLeaf();
    newLeaf.ax <== newAx;
    newLeaf.ay <== newAy;
    newLeaf.ethAddr <== newEthAddr;
    newLeaf.nonce <== newNonce;
    newLeaf.minOrderId <== newMinOrderId;
    newLeaf.orderRoot <== orderAfter.root;
    newLeaf.words <== wordsAfter.words;
    newLeaf.perpHash <== perpHash;

    component after = MerkleRoot(accountDepth);
    after.leaf <== newLeaf.out;
    after.pathBits <== indexBits.out;
    after.siblings <== siblingsAccount;
    newRoot <== after.root;
}
