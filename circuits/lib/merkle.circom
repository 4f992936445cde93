pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// MerkleRoot(depth): the root of a binary Poseidon Merkle tree, from one leaf
// and its authentication path.
//
//   leaf              field   the leaf value
//   pathBits[depth]   bit     index bits, little-endian: bit k = 1 when the
//                             node at level k is a right child
//   siblings[depth]   field   sibling hashes, leaf level first
//   root (out)        field   Poseidon([left, right]) folded up to the top
//
// NOTE: the caller must constrain pathBits to be bits (they come from
// Num2Bits everywhere in this project).
template MerkleRoot(depth) {
    signal input leaf;
    signal input pathBits[depth];
    signal input siblings[depth];
    signal output root;

    signal node[depth + 1];
    signal left[depth];
    component hashers[depth];

    node[0] <== leaf;
    for (var k = 0; k < depth; k++) {
        // left = bit ? sibling : node; right is the other one.
        left[k] <== node[k] + pathBits[k] * (siblings[k] - node[k]);
        hashers[k] = Poseidon(2);
        hashers[k].inputs[0] <== left[k];
        hashers[k].inputs[1] <== node[k] + siblings[k] - left[k];
        node[k + 1] <== hashers[k].out;
    }
    root <== node[depth];
}

// TreeRoot(depth): the root of a complete binary Poseidon tree given all of
// its 2^depth leaves (used for the small balance tree of the fee account).
//
//   leaves[2^depth]   field   leaves in index order
//   root (out)        field
template TreeRoot(depth) {
    var width = 1 << depth;
    signal input leaves[width];
    signal output root;

    signal level[2 * width - 1];
    component hashers[width - 1];
    for (var i = 0; i < width; i++) {
        level[i] <== leaves[i];
    }
    // Nodes are appended level by level; node j's children are 2j', 2j'+1 of
    // the previous level.
    var read = 0;
    var write = width;
    for (var n = width; n > 1; n = n \ 2) {
        for (var j = 0; j < n \ 2; j++) {
            hashers[write - width] = Poseidon(2);
            hashers[write - width].inputs[0] <== level[read + 2 * j];
            hashers[write - width].inputs[1] <== level[read + 2 * j + 1];
            level[write] <== hashers[write - width].out;
            write++;
        }
        read += n;
    }
    root <== level[2 * width - 2];
}
