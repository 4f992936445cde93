pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// L1RequestHash(): the hash of one L1 request as the rollup contract queues
// it, Poseidon([txType, accountIndex, ethAddr, ax, ay, token, amount]).
template L1RequestHash() {
    signal input txType;
    signal input accountIndex;
    signal input ethAddr;
    signal input ax;
    signal input ay;
    signal input token;
    signal input amount;
    signal output out;

    component h = Poseidon(7);
    h.inputs[0] <== txType;
    h.inputs[1] <== accountIndex;
    h.inputs[2] <== ethAddr;
    h.inputs[3] <== ax;
    h.inputs[4] <== ay;
    h.inputs[5] <== token;
    h.inputs[6] <== amount;
    out <== h.out;
}

// L1ChainStep(): folds a request into the L1 queue chain when the slot
// consumes one: out = consumes ? Poseidon([chain, requestHash]) : chain.
//
//   consumes      bit    NOTE: the caller constrains it to be a bit
//   chain         field  the chain value before this slot
//   requestHash   field
template L1ChainStep() {
    signal input consumes;
    signal input chain;
    signal input requestHash;
    signal output out;

    component h = Poseidon(2);
    h.inputs[0] <== chain;
    h.inputs[1] <== requestHash;
    out <== chain + consumes * (h.out - chain);
}
