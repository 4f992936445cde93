//! circomlib's Poseidon over the BN254 scalar field, via `light-poseidon`.
//!
//! `light-poseidon`'s circom parameters cover 1 to 12 inputs, the same range as
//! the Python reference (`sequencer/crypto/poseidon.py`, also backed by
//! light-poseidon). Building a hasher costs about as much as hashing, so each
//! thread keeps one per arity.

use std::cell::RefCell;

use ark_bn254::Fr;
use light_poseidon::{Poseidon, PoseidonHasher};

/// The most inputs supported (circomlib itself goes up to 16).
pub const MAX_INPUTS: usize = 12;

thread_local! {
    static HASHERS: RefCell<Vec<Option<Poseidon<Fr>>>> =
        RefCell::new((0..=MAX_INPUTS).map(|_| None).collect());
}

/// `Poseidon(inputs)`; `inputs` must hold 1 to `MAX_INPUTS` elements.
pub fn poseidon(inputs: &[Fr]) -> Fr {
    let arity = inputs.len();
    assert!(
        (1..=MAX_INPUTS).contains(&arity),
        "Poseidon arity out of range"
    );
    HASHERS.with(|cell| {
        let mut hashers = cell.borrow_mut();
        let hasher = hashers[arity].get_or_insert_with(|| {
            Poseidon::<Fr>::new_circom(arity).expect("light-poseidon supports 1 to 12 inputs")
        });
        hasher.hash(inputs).expect("the arity matches the hasher")
    })
}
