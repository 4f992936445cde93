pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/sha256/sha256.circom";
include "lib/public_data_layout.circom";

// SlotPublicData(): one slot's published bytes, as bits (most significant bit
// of the first byte first, as Sha256 takes them), laid out by
// lib/public_data_layout.circom (generated from the manifest
// sequencer/spec/public_data_layout.json): each field big-endian at its
// offset.
//
// The tail of a slot (from feeA's offset to the end) holds a trade's feeA
// then feeB, or a withdrawal's ethAddr right-aligned: the caller passes it
// whole as one number, feeA * 2^(8 * feeB bytes) + feeB or ethAddr.
//
// NOTE: the caller passes fields already masked to zero where the transaction
// type does not publish them; the decomposition below also range-checks each
// field to its width.
template SlotPublicData() {
    var slotBytes = PD_SLOT_BYTES();
    var tailOffset = PD_FEE_A_OFFSET();
    assert(PD_FEE_B_OFFSET() == tailOffset + PD_FEE_A_BYTES());
    assert(PD_FEE_B_OFFSET() + PD_FEE_B_BYTES() == slotBytes);
    assert(PD_ETH_ADDR_OFFSET() + PD_ETH_ADDR_BYTES() == slotBytes);
    assert(PD_ETH_ADDR_OFFSET() >= tailOffset);

    signal input txType;
    signal input accountA;
    signal input accountB;
    signal input orderIdA;
    signal input orderIdB;
    signal input sideA;
    signal input token1;
    signal input token2;
    signal input amount1;
    signal input amount2;
    signal input tail;
    signal output bits[8 * slotBytes];

    var nFields = 11;
    var offsets[11] = [
        PD_TX_TYPE_OFFSET(), PD_ACCOUNT_A_OFFSET(), PD_ACCOUNT_B_OFFSET(),
        PD_ORDER_ID_A_OFFSET(), PD_ORDER_ID_B_OFFSET(), PD_SIDE_A_OFFSET(),
        PD_TOKEN_1_OFFSET(), PD_TOKEN_2_OFFSET(), PD_AMOUNT_1_OFFSET(),
        PD_AMOUNT_2_OFFSET(), tailOffset
    ];
    var widths[11] = [
        PD_TX_TYPE_BYTES(), PD_ACCOUNT_A_BYTES(), PD_ACCOUNT_B_BYTES(),
        PD_ORDER_ID_A_BYTES(), PD_ORDER_ID_B_BYTES(), PD_SIDE_A_BYTES(),
        PD_TOKEN_1_BYTES(), PD_TOKEN_2_BYTES(), PD_AMOUNT_1_BYTES(),
        PD_AMOUNT_2_BYTES(), slotBytes - tailOffset
    ];
    signal values[11];
    values[0] <== txType;
    values[1] <== accountA;
    values[2] <== accountB;
    values[3] <== orderIdA;
    values[4] <== orderIdB;
    values[5] <== sideA;
    values[6] <== token1;
    values[7] <== token2;
    values[8] <== amount1;
    values[9] <== amount2;
    values[10] <== tail;

    // Each bit is written by exactly one field; a byte no field covers is zero.
    var covered[8 * slotBytes];
    for (var i = 0; i < 8 * slotBytes; i++) {
        covered[i] = 0;
    }
    component toBits[nFields];
    for (var f = 0; f < nFields; f++) {
        assert(widths[f] * 8 <= 192);
        // circomspect: CS0010 at most 192 bits (the tail), far below the field's 254: one binary form, no alias mod p.
        toBits[f] = Num2Bits(8 * widths[f]);
        toBits[f].in <== values[f];
        var last = 8 * (offsets[f] + widths[f]) - 1;
        for (var b = 0; b < 8 * widths[f]; b++) {
            assert(covered[last - b] == 0);
            covered[last - b] = 1;
            bits[last - b] <== toBits[f].out[b];
        }
    }
    for (var i = 0; i < 8 * slotBytes; i++) {
        if (covered[i] == 0) {
            bits[i] <== 0;
        }
    }
}

// DataDigest(nSlots): the digest of a batch's public data, the low
// PD_DIGEST_BITS() bits of sha256 over all its slots' bytes in slot order.
template DataDigest(nSlots) {
    var slotBits = 8 * PD_SLOT_BYTES();
    var digestBits = PD_DIGEST_BITS();
    assert(digestBits <= 253);
    signal input bits[nSlots][slotBits];
    signal output out;

    component sha = Sha256(nSlots * slotBits);
    for (var s = 0; s < nSlots; s++) {
        for (var b = 0; b < slotBits; b++) {
            sha.in[s * slotBits + b] <== bits[s][b];
        }
    }
    // sha.out[0] is the digest's most significant bit; keep the low ones.
    // circomspect: CS0010 253 bits, each a Sha256 output bit: their sum is below 2^253 < p, so no wrap.
    component digest = Bits2Num(digestBits);
    for (var i = 0; i < digestBits; i++) {
        digest.in[i] <== sha.out[255 - i];
    }
    out <== digest.out;
}

// PublicInputHash(): the batch's single public input,
// Poseidon([oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, dataDigest]).
template PublicInputHash() {
    signal input oldRoot;
    signal input newRoot;
    signal input timestamp;
    signal input l1ChainStart;
    signal input l1ChainEnd;
    signal input dataDigest;
    signal output out;

    component h = Poseidon(6);
    h.inputs[0] <== oldRoot;
    h.inputs[1] <== newRoot;
    h.inputs[2] <== timestamp;
    h.inputs[3] <== l1ChainStart;
    h.inputs[4] <== l1ChainEnd;
    h.inputs[5] <== dataDigest;
    out <== h.out;
}
