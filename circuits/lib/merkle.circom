pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// Quaternary Poseidon Merkle trees (sequencer/spec/merkle.py): 2^depth leaves,
// depth / 2 levels, each node Poseidon([c0, c1, c2, c3]) of its four children
// in index order. A level consumes two index bits; a proof gives, per level
// from the leaves up, the three other children in index order.

// ChildrenOf(): the four children of a node, in index order, from the path's
// node, its position (two bits, low first) and its three siblings in order:
// children before the position are siblings[0..], the position holds node,
// children after it are the remaining siblings.
//
//   node            field
//   bits[2]         bit     the position, little-endian; NOTE: the caller
//                           must constrain them to be bits
//   siblings[3]     field
//   children[4] (out) field
template ChildrenOf() {
    signal input node;
    signal input bits[2];
    signal input siblings[3];
    signal output children[4];

    // One-hot position: at0 + at1 + at2 + at3 = 1 for bits.
    signal at3 <== bits[0] * bits[1];
    signal at2 <== bits[1] - at3;
    signal at1 <== bits[0] - at3;
    signal at0 <== 1 - bits[0] - bits[1] + at3;

    // Child 0: node at position 0, else the first sibling.
    children[0] <== siblings[0] + at0 * (node - siblings[0]);
    // Child 1: siblings[0] after the node, node at 1, siblings[1] before it.
    signal c1a <== at0 * siblings[0];
    signal c1b <== at1 * node;
    signal c1c <== (at2 + at3) * siblings[1];
    children[1] <== c1a + c1b + c1c;
    // Child 2: siblings[1] after the node, node at 2, siblings[2] before it.
    signal c2a <== (at0 + at1) * siblings[1];
    signal c2b <== at2 * node;
    signal c2c <== at3 * siblings[2];
    children[2] <== c2a + c2b + c2c;
    // Child 3: node at position 3, else the last sibling.
    children[3] <== siblings[2] + at3 * (node - siblings[2]);
}

// MerkleRoot(depth): the root of a quaternary Poseidon Merkle tree, from one
// leaf and its authentication path.
//
//   leaf                 field   the leaf value
//   pathBits[depth]      bit     index bits, little-endian; level k reads bits
//                                2k and 2k + 1
//   siblings[3 * depth / 2]  field   three siblings per level, leaf level
//                                first, each level's in index order
//   root (out)           field
//
// NOTE: the caller must constrain pathBits to be bits (they come from
// Num2Bits everywhere in this project).
template MerkleRoot(depth) {
    assert(depth % 2 == 0);
    var levels = depth \ 2;
    signal input leaf;
    signal input pathBits[depth];
    signal input siblings[3 * levels];
    signal output root;

    signal node[levels + 1];
    component place[levels];
    component hashers[levels];

    node[0] <== leaf;
    for (var k = 0; k < levels; k++) {
        place[k] = ChildrenOf();
        place[k].node <== node[k];
        place[k].bits[0] <== pathBits[2 * k];
        place[k].bits[1] <== pathBits[2 * k + 1];
        for (var j = 0; j < 3; j++) {
            place[k].siblings[j] <== siblings[3 * k + j];
        }
        hashers[k] = Poseidon(4);
        hashers[k].inputs <== place[k].children;
        node[k + 1] <== hashers[k].out;
    }
    root <== node[levels];
}
