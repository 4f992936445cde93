pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// SlotPublicData(): packs one slot's published fields into the three field
// elements of docs/DESIGN.md (bit offsets little-endian).
//
// NOTE: the caller passes fields already masked to zero where the transaction
// type does not publish them, and range-checked to their widths: txType 3
// bits, accounts 32, order ids 48, side 1, tokens 16, amounts 96; e2 is
// passed whole (fees or an address).
template SlotPublicData() {
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
    signal input e2;
    signal output elements[3];

    elements[0] <== txType
        + accountA * (1 << 3)
        + accountB * (1 << 35)
        + orderIdA * (1 << 67)
        + orderIdB * (1 << 115)
        + sideA * (1 << 163)
        + token1 * (1 << 164)
        + token2 * (1 << 180);
    elements[1] <== amount1 + amount2 * (1 << 96);
    elements[2] <== e2;
}

// DataHashStep(): dataHash' = Poseidon([dataHash, e0, e1, e2]).
template DataHashStep() {
    signal input previous;
    signal input elements[3];
    signal output out;

    component h = Poseidon(4);
    h.inputs[0] <== previous;
    for (var i = 0; i < 3; i++) {
        h.inputs[i + 1] <== elements[i];
    }
    out <== h.out;
}

// PublicInputHash(): the batch's single public input,
// Poseidon([oldRoot, newRoot, timestamp, l1ChainStart, l1ChainEnd, dataHash]).
template PublicInputHash() {
    signal input oldRoot;
    signal input newRoot;
    signal input timestamp;
    signal input l1ChainStart;
    signal input l1ChainEnd;
    signal input dataHash;
    signal output out;

    component h = Poseidon(6);
    h.inputs[0] <== oldRoot;
    h.inputs[1] <== newRoot;
    h.inputs[2] <== timestamp;
    h.inputs[3] <== l1ChainStart;
    h.inputs[4] <== l1ChainEnd;
    h.inputs[5] <== dataHash;
    out <== h.out;
}
