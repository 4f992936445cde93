pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "lib/constants.circom";
include "lib/checks.circom";

// OrderFill(orderDepth): the order rules of docs/DESIGN.md that read the
// account for one order of a trade. The slot is orderId mod 2^orderDepth. A
// trade's order lies in its slot's window, [base, base + 2^ORDER_REF_BITS)
// with base the larger of the slot's stored id and the account's minOrderId:
// not below minOrderId (OrderCancelled, a cancel-all), not below the stored
// id (OrderIdStale), not so far above that its published reference, the id's
// low ORDER_REF_BITS bits, would not name it (OrderIdOutOfWindow). An order
// continues its slot (orderId == storedId) or takes it over (filled restarts
// at 0); the new filled amount may not exceed the signed amount
// (OrderOverfilled). A cancel of the order (cancels = 1) checks only
// OrderIdStale and records CANCELLED_FILL, more than any amount leaves room
// for, so every later fill of the order is overfilled (OrderWasCancelled).
//
//   enabled            bit    1 in a trade slot
//   cancels            bit    1 in a cancel slot (never with enabled); with
//                             enabled 0, leaves the leaf unchanged
//   orderId            field  < 2^48 (checked here)
//   minOrderId         field  the account's minOrderId; < 2^48 (checked here)
//   amount             field  signed order amount; < 2^96 (checked here)
//   fill               field  base amount filled now; NOTE: the caller
//                             range-checks it to 96 bits
//   storedId, storedFilled  field  the slot's leaf before, unpacked (< 2^48
//                             and < 2^96, checked here)
//   slotBits[orderDepth] (out) bit  path of the slot in the order tree
//   ref (out)                  field  the order's reference, orderId mod
//                             2^ORDER_REF_BITS (what a trade publishes)
//   previouslyFilled (out)     field  what the slot recorded of this order before
//   oldLeaf, newLeaf (out)     field
template OrderFill(orderDepth) {
    assert(orderDepth < ORDER_REF_BITS());
    signal input enabled;
    signal input cancels;
    signal input orderId;
    signal input minOrderId;
    signal input amount;
    signal input fill;
    signal input storedId;
    signal input storedFilled;
    signal output slotBits[orderDepth];
    signal output ref;
    signal output previouslyFilled;
    signal output oldLeaf;
    signal output newLeaf;

    // circomspect: CS0010 48 bits, far below the field's 254: an id has one binary form, no alias mod p.
    component idBits = Num2Bits(ORDER_ID_BITS());
    idBits.in <== orderId;
    for (var k = 0; k < orderDepth; k++) {
        slotBits[k] <== idBits.out[k];
    }
    var low = 0;
    for (var k = 0; k < ORDER_REF_BITS(); k++) {
        low += idBits.out[k] * (1 << k);
    }
    ref <== low;
    component storedIdInRange = RangeCheck(ORDER_ID_BITS());
    storedIdInRange.in <== storedId;
    component storedFilledInRange = RangeCheck(AMOUNT_BITS());
    storedFilledInRange.in <== storedFilled;
    component amountInRange = RangeCheck(AMOUNT_BITS());
    amountInRange.in <== amount;
    component minIdInRange = RangeCheck(ORDER_ID_BITS());
    minIdInRange.in <== minOrderId;

    // The window of a trade's order (OrderCancelled, OrderIdStale,
    // OrderIdOutOfWindow): 0 <= orderId - base < 2^ORDER_REF_BITS, where
    // base = max(storedId, minOrderId); both ids are below 2^48, so a
    // negative difference wraps far above the range.
    component storedBelowMin = LessThan(ORDER_ID_BITS());
    // circomspect: CS0014 storedId < 2^48: storedIdInRange above.
    storedBelowMin.in[0] <== storedId;
    // circomspect: CS0014 minOrderId < 2^48: minIdInRange above.
    storedBelowMin.in[1] <== minOrderId;
    signal base <== storedId + storedBelowMin.out * (minOrderId - storedId);
    signal aboveBase <== enabled * (orderId - base);
    component inWindow = RangeCheck(ORDER_REF_BITS());
    inWindow.in <== aboveBase;

    // A cancel's OrderIdStale: orderId >= storedId.
    signal aboveStored <== cancels * (orderId - storedId);
    component notStale = RangeCheck(ORDER_ID_BITS());
    notStale.in <== aboveStored;

    component same = IsEqual();
    same.in[0] <== orderId;
    same.in[1] <== storedId;
    signal writes <== enabled + cancels;

    previouslyFilled <== same.out * storedFilled;
    signal filled <== previouslyFilled + fill;
    // OrderOverfilled: filled <= amount (filled < 2^97 as a sum of two
    // 96-bit values: storedFilled is checked above, the caller checks fill).
    component withinAmount = RequireLessEq(AMOUNT_BITS() + 1);
    withinAmount.enabled <== enabled;
    withinAmount.a <== filled;
    withinAmount.b <== amount;

    // The leaf packs the id above the filled amount (sequencer/spec/state.py
    // order_leaf): storedId < 2^48 and storedFilled < 2^96 (both checked
    // here) make the old leaf's preimage unique; a written leaf's id is
    // orderId < 2^48 and its recorded amount filled <= amount < 2^96 or
    // CANCELLED_FILL < 2^96.
    oldLeaf <== storedId * (1 << AMOUNT_BITS()) + storedFilled;

    signal recorded <== filled + cancels * (CANCELLED_FILL() - filled);
    newLeaf <== oldLeaf + writes * (orderId * (1 << AMOUNT_BITS()) + recorded - oldLeaf);
}
