pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/sha256/sha256.circom";
include "lib/public_data_layout.circom";
include "lib/perp_public_data_layout.circom";

// SlotPublicData(): one slot's published bytes, as bits (most significant bit
// of the first byte first, as Sha256 takes them), laid out by
// lib/public_data_layout.circom (generated from the manifest
// sequencer/spec/public_data_layout.json): each field an unsigned integer of
// its width whose most significant bit is bit offset of the slot.
//
// Fields of different transaction types may share bits (a withdrawal's
// amount lies over a trade's fillBase, price and fee rates; a cancel's
// orderIdA over a trade's accountB and order references): each bit is the
// sum of the bits of the fields over it, which is the one nonzero field's bit
// because the caller zeroes every field the slot's type does not publish.
//
// NOTE: the caller passes fields already masked to zero where the transaction
// type does not publish them; the decomposition below also range-checks each
// field to its width.
template SlotPublicData() {
    var slotBits = 8 * PD_SLOT_BYTES();

    signal input txType;
    signal input sideA;
    signal input accountA;
    signal input accountB;
    signal input orderRefA;
    signal input orderRefB;
    signal input token1;
    signal input token2;
    signal input fillBase;
    signal input price;
    signal input feeBpsA;
    signal input feeBpsB;
    signal input amount;
    signal input orderIdA;
    signal output bits[slotBits];

    var nFields = 14;
    var offsets[14] = [
        PD_TX_TYPE_OFFSET(), PD_SIDE_A_OFFSET(), PD_ACCOUNT_A_OFFSET(),
        PD_ACCOUNT_B_OFFSET(), PD_ORDER_REF_A_OFFSET(), PD_ORDER_REF_B_OFFSET(),
        PD_TOKEN_1_OFFSET(), PD_TOKEN_2_OFFSET(), PD_FILL_BASE_OFFSET(),
        PD_PRICE_OFFSET(), PD_FEE_BPS_A_OFFSET(), PD_FEE_BPS_B_OFFSET(),
        PD_AMOUNT_OFFSET(), PD_ORDER_ID_A_OFFSET()
    ];
    var widths[14] = [
        PD_TX_TYPE_BITS(), PD_SIDE_A_BITS(), PD_ACCOUNT_A_BITS(),
        PD_ACCOUNT_B_BITS(), PD_ORDER_REF_A_BITS(), PD_ORDER_REF_B_BITS(),
        PD_TOKEN_1_BITS(), PD_TOKEN_2_BITS(), PD_FILL_BASE_BITS(),
        PD_PRICE_BITS(), PD_FEE_BPS_A_BITS(), PD_FEE_BPS_B_BITS(),
        PD_AMOUNT_BITS(), PD_ORDER_ID_A_BITS()
    ];
    signal values[14];
    values[0] <== txType;
    values[1] <== sideA;
    values[2] <== accountA;
    values[3] <== accountB;
    values[4] <== orderRefA;
    values[5] <== orderRefB;
    values[6] <== token1;
    values[7] <== token2;
    values[8] <== fillBase;
    values[9] <== price;
    values[10] <== feeBpsA;
    values[11] <== feeBpsB;
    values[12] <== amount;
    values[13] <== orderIdA;

    component toBits[nFields];
    for (var f = 0; f < nFields; f++) {
        assert(offsets[f] + widths[f] <= slotBits);
        assert(widths[f] <= 96);
        // circomspect: CS0010 at most 96 bits (an amount), far below the field's 254: one binary form, no alias mod p.
        toBits[f] = Num2Bits(widths[f]);
        toBits[f].in <== values[f];
    }
    // Bit i of the slot: the sum over the fields that cover it (a bit no
    // field covers is zero).
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

// BigEndianBits(nBytes, strict): in as 8 * nBytes bits, most significant
// first. With strict = 1, in is any field element (Num2Bits_strict: the one
// binary form below p, so two leading zero bits for 32 bytes); otherwise in
// must be below 2^(8 * nBytes), which the decomposition checks.
template BigEndianBits(nBytes, strict) {
    signal input in;
    signal output bits[8 * nBytes];

    var width = strict == 1 ? 254 : 8 * nBytes;
    assert(width <= 8 * nBytes);
    signal low[width];
    if (strict == 1) {
        component anyElement = Num2Bits_strict();
        anyElement.in <== in;
        low <== anyElement.out;
    } else {
        assert(width <= 252);
        // circomspect: CS0010 at most 64 bits here (the timestamp), far below the field's 254: no alias mod p.
        component belowWidth = Num2Bits(width);
        belowWidth.in <== in;
        low <== belowWidth.out;
    }
    for (var i = 0; i < 8 * nBytes; i++) {
        var fromLow = 8 * nBytes - 1 - i;
        if (fromLow < width) {
            bits[i] <== low[fromLow];
        } else {
            bits[i] <== 0;
        }
    }
}

// PublicInput(nSlots, nPerp): the batch's single public input, the low
// PD_DIGEST_BITS() bits of sha256(header || public data), where the header is
// oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, each big-endian in
// its PD_HEADER_*_BYTES() (docs/DESIGN.md), and the public data is every
// spot slot's bytes in slot order, then every perpetual slot's
// (perpBits, 8 * PPD_SLOT_BYTES() each; none when nPerp is 0).
//
// NOTE: timestamp must be below 2^(8 * PD_HEADER_TIMESTAMP_BYTES()) (Batch
// range-checks it to TIMESTAMP_BITS; the decomposition here checks it too).
template PublicInput(nSlots, nPerp) {
    var slotBits = 8 * PD_SLOT_BYTES();
    var perpSlotBits = 8 * PPD_SLOT_BYTES();
    var headerBits = 8 * PD_HEADER_BYTES();
    var digestBits = PD_DIGEST_BITS();
    assert(digestBits <= 253);
    assert(PD_HEADER_OLD_ROOT_BYTES() == 32 && PD_HEADER_NEW_ROOT_BYTES() == 32);
    assert(PD_HEADER_L1_CHAIN_START_BYTES() == 32 && PD_HEADER_L1_CHAIN_END_BYTES() == 32);
    signal input oldRoot;
    signal input newRoot;
    signal input timestamp;
    signal input l1ChainStart;
    signal input l1ChainEnd;
    signal input bits[nSlots][slotBits];
    signal output out;
    var dataBits = nSlots * slotBits + nPerp * perpSlotBits;

    component header[5];
    header[0] = BigEndianBits(PD_HEADER_OLD_ROOT_BYTES(), 1);
    header[0].in <== oldRoot;
    header[1] = BigEndianBits(PD_HEADER_NEW_ROOT_BYTES(), 1);
    header[1].in <== newRoot;
    header[2] = BigEndianBits(PD_HEADER_TIMESTAMP_BYTES(), 0);
    header[2].in <== timestamp;
    header[3] = BigEndianBits(PD_HEADER_L1_CHAIN_START_BYTES(), 1);
    header[3].in <== l1ChainStart;
    header[4] = BigEndianBits(PD_HEADER_L1_CHAIN_END_BYTES(), 1);
    header[4].in <== l1ChainEnd;

    component sha = Sha256(headerBits + dataBits);
    var at = 0;
    for (var h = 0; h < 5; h++) {
        var widthBits = h == 2 ? 8 * PD_HEADER_TIMESTAMP_BYTES() : 256;
        for (var b = 0; b < widthBits; b++) {
            sha.in[at + b] <== header[h].bits[b];
        }
        at += widthBits;
    }
    assert(at == headerBits);
    for (var s = 0; s < nSlots; s++) {
        for (var b = 0; b < slotBits; b++) {
            sha.in[headerBits + s * slotBits + b] <== bits[s][b];
        }
    }
    if (nPerp > 0) {
        signal input perpBits[nPerp][perpSlotBits];
        for (var s = 0; s < nPerp; s++) {
            for (var b = 0; b < perpSlotBits; b++) {
                sha.in[headerBits + nSlots * slotBits + s * perpSlotBits + b] <== perpBits[s][b];
            }
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
