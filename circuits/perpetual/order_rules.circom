pragma circom 2.1.0;

// The rules on one signed perpetual order that takes part in a slot (a
// trade's maker or taker, a liquidator), mirroring
// sequencer/spec/perpetual/rules.py's check_perp_order_ranges,
// check_signed_order, check_fee, check_order_slot and check_immediate_run:
// spot's rules (trade.circom, order.circom) on the perpetual order's
// signed message.

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/poseidon.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";
include "../order.circom";
include "../trade.circom";

// PerpOrderRules(orderDepth): when enabled, the order's fields fit
// (ValueOutOfRange), its account exists (AccountNotFound) and signed it
// (InvalidSignature: [MSG_PERP_ORDER, account, orderId, market, side,
// price, amount, maxFeeBps, expiry, kind, reduceOnly],
// PerpOrder.message_hash), it has not expired (OrderExpired), its fee
// limit is at most MAX_FEE_BPS (InvalidFeeLimit) and the fee charged at
// most its limit (FeeAboveLimit), and its order slot takes the fill
// (OrderFill's rules). Disabled, the witness gives zeros and an existing
// order slot, which stays.
//
//   enabled, timestamp            field   bit; the batch's time
//   account, ax, ay, ethAddr, minOrderId, orderStoredId, orderFilled   field   the account's leaf and its order slot
//   market, side                  field   the slot's market; the order's side (a bit: the caller's)
//   orderId .. reduceOnly, sigR8x, sigR8y, sigS   field   the order and its signature
//   fill, feeBps                  field   what it fills now, the fee rate charged (range-checked by the caller)
//   rests, postOnly, fok, immediate   bit   outputs: its kind (OrderKindFlags)
//   slotBits[], ref, previouslyFilled, oldLeaf, newLeaf   outputs: OrderFill's
template PerpOrderRules(orderDepth) {
    signal input enabled;
    signal input timestamp;
    signal input account;
    signal input ax;
    signal input ay;
    signal input ethAddr;
    signal input minOrderId;
    signal input orderStoredId;
    signal input orderFilled;
    signal input market;
    signal input side;
    signal input orderId;
    signal input price;
    signal input amount;
    signal input maxFeeBps;
    signal input expiry;
    signal input kind;
    signal input reduceOnly;
    signal input sigR8x;
    signal input sigR8y;
    signal input sigS;
    signal input fill;
    signal input feeBps;
    signal output rests;
    signal output postOnly;
    signal output fok;
    signal output immediate;
    signal output slotBits[orderDepth];
    signal output ref;
    signal output previouslyFilled;
    signal output oldLeaf;
    signal output newLeaf;

    component reduceOnlyBit = RequireBit();
    reduceOnlyBit.in <== reduceOnly;
    component priceRange = RangeCheck(PERP_PRICE_BITS());
    priceRange.in <== price;
    component amountRange = RangeCheck(SIZE_BITS());
    amountRange.in <== amount;
    component expiryRange = RangeCheck(TIMESTAMP_BITS());
    expiryRange.in <== expiry;
    component maxFeeRange = RangeCheck(FEE_BPS_BITS());
    maxFeeRange.in <== maxFeeBps;

    component empty = IsZero();
    empty.in <== ethAddr;
    enabled * empty.out === 0;

    assert(MESSAGE_INPUTS() == 11);
    component message = Poseidon(MESSAGE_INPUTS());
    message.inputs <== [MSG_PERP_ORDER(), account, orderId, market, side, price, amount, maxFeeBps, expiry, kind, reduceOnly];
    component signature = EdDSAPoseidonVerifier();
    signature.enabled <== enabled;
    signature.Ax <== ax;
    signature.Ay <== ay;
    signature.S <== sigS;
    signature.R8x <== sigR8x;
    signature.R8y <== sigR8y;
    signature.M <== message.out;

    component live = RequireLessEq(TIMESTAMP_BITS());
    live.enabled <== enabled;
    live.a <== timestamp;
    live.b <== expiry;
    component feeLimit = RequireLessEq(FEE_BPS_BITS());
    feeLimit.enabled <== enabled;
    feeLimit.a <== maxFeeBps;
    feeLimit.b <== MAX_FEE_BPS();
    component feeWithin = RequireLessEq(FEE_BPS_BITS());
    feeWithin.enabled <== enabled;
    feeWithin.a <== feeBps;
    feeWithin.b <== maxFeeBps;

    component kindOf = OrderKindFlags();
    kindOf.kind <== kind;
    rests <== kindOf.rests;
    postOnly <== kindOf.postOnly;
    fok <== kindOf.fok;
    immediate <== kindOf.immediate;

    component slot = OrderFill(orderDepth);
    slot.enabled <== enabled;
    slot.cancels <== 0;
    slot.orderId <== orderId;
    slot.minOrderId <== minOrderId;
    slot.amount <== amount;
    slot.fill <== fill;
    slot.storedId <== orderStoredId;
    slot.storedFilled <== orderFilled;
    slotBits <== slot.slotBits;
    ref <== slot.ref;
    previouslyFilled <== slot.previouslyFilled;
    oldLeaf <== slot.oldLeaf;
    newLeaf <== slot.newLeaf;
}

// ImmediateRun(): when enabled, an immediate-or-cancel or market order
// (immediate) whose slot already records a fill of it trades only right
// after a fill of the same order (ImmediateOrderResumed); taker is the
// order's key, 1 + orderId + account * 2^ORDER_ID_BITS (TxSlot's), 0 when
// disabled: the next slot's previousTaker.
//
//   enabled, immediate            bit
//   account, orderId              field   < 2^accountDepth, < 2^48 (range-checked by the caller): the key is injective
//   previouslyFilled              field   what the order's slot recorded of it (OrderFill's)
//   previousTaker                 field   the slot before's taker output
template ImmediateRun() {
    signal input enabled;
    signal input immediate;
    signal input account;
    signal input orderId;
    signal input previouslyFilled;
    signal input previousTaker;
    signal output taker;

    signal key <== 1 + orderId + account * (1 << ORDER_ID_BITS());
    taker <== enabled * key;
    component firstFill = IsZero();
    firstFill.in <== previouslyFilled;
    component continues = IsEqual();
    continues.in <== [previousTaker, key];
    signal immediateTaker <== enabled * immediate;
    signal resumes <== immediateTaker * (1 - firstFill.out);
    resumes * (1 - continues.out) === 0;
}
