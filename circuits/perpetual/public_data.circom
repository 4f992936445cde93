pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "../lib/perp_public_data_layout.circom";

// PerpSlotPublicData(): one perpetual slot's published bytes, as bits (most
// significant bit of the first byte first), laid out by
// lib/perp_public_data_layout.circom (generated from the manifest
// sequencer/spec/perpetual/public_data_layout.json) as SlotPublicData lays
// out a spot slot's: each bit is the sum of the bits of the fields over it,
// which is the one nonzero field's bit because the caller zeroes every field
// the slot's type does not publish. Signed funding rates arrive offset by
// 2^FUNDING_RATE_BITS, as published.
//
// NOTE: the caller passes fields already masked to zero where the slot's type
// does not publish them; the decomposition below also range-checks each
// field to its width.
template PerpSlotPublicData() {
    var slotBits = 8 * PPD_SLOT_BYTES();
    var nFields = 20;

    signal input values[nFields];
    signal output bits[slotBits];

    // In the manifest's order: txType, sideA, flag, market, accountA,
    // accountB, orderRefA, orderRefB, size, price, feeBpsA, feeBpsB,
    // oracleTime, quote, penalty, amount, rate0, rate1, rate2, rate3.
    var offsets[20] = [
        PPD_TX_TYPE_OFFSET(), PPD_SIDE_A_OFFSET(), PPD_FLAG_OFFSET(), PPD_MARKET_OFFSET(),
        PPD_ACCOUNT_A_OFFSET(), PPD_ACCOUNT_B_OFFSET(), PPD_ORDER_REF_A_OFFSET(), PPD_ORDER_REF_B_OFFSET(),
        PPD_SIZE_OFFSET(), PPD_PRICE_OFFSET(), PPD_FEE_BPS_A_OFFSET(), PPD_FEE_BPS_B_OFFSET(),
        PPD_ORACLE_TIME_OFFSET(), PPD_QUOTE_OFFSET(), PPD_PENALTY_OFFSET(), PPD_AMOUNT_OFFSET(),
        PPD_RATE_0_OFFSET(), PPD_RATE_1_OFFSET(), PPD_RATE_2_OFFSET(), PPD_RATE_3_OFFSET()
    ];
    var widths[20] = [
        PPD_TX_TYPE_BITS(), PPD_SIDE_A_BITS(), PPD_FLAG_BITS(), PPD_MARKET_BITS(),
        PPD_ACCOUNT_A_BITS(), PPD_ACCOUNT_B_BITS(), PPD_ORDER_REF_A_BITS(), PPD_ORDER_REF_B_BITS(),
        PPD_SIZE_BITS(), PPD_PRICE_BITS(), PPD_FEE_BPS_A_BITS(), PPD_FEE_BPS_B_BITS(),
        PPD_ORACLE_TIME_BITS(), PPD_QUOTE_BITS(), PPD_PENALTY_BITS(), PPD_AMOUNT_BITS(),
        PPD_RATE_0_BITS(), PPD_RATE_1_BITS(), PPD_RATE_2_BITS(), PPD_RATE_3_BITS()
    ];

    component toBits[nFields];
    for (var f = 0; f < nFields; f++) {
        assert(offsets[f] + widths[f] <= slotBits);
        assert(widths[f] <= 96);
        // circomspect: CS0010 at most 96 bits (a quote or a penalty), far below the field's 254: one binary form, no alias mod p.
        toBits[f] = Num2Bits(widths[f]);
        toBits[f].in <== values[f];
    }
    for (var i = 0; i < slotBits; i++) {
        var sum = 0;
        for (var f = 0; f < nFields; f++) {
            var last = offsets[f] + widths[f] - 1;
            if (i >= offsets[f] && i <= last) {
                sum += toBits[f].out[last - i];
            }
        }
        bits[i] <== sum;
    }
}
