//! EdDSA-Poseidon verification, exactly as `sequencer/crypto/eddsa.py::verify`.
//!
//! Accepts `(R8, S)` for the key `A` and message `M` when
//! `S * BASE8 == R8 + Poseidon([R8x, R8y, Ax, Ay, M]) * (8 * A)`, after the same
//! screening as the Python reference: every coordinate and the message are
//! field elements (`< p`), `S < l`, `A` and `R8` are on the curve, and `8 * A`
//! is not the identity. Field-element and `S < l` checks happen while reading
//! the Python integers (`lib.rs`); this module takes values already in range.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use ark_bn254::Fr;
use ark_ff::BigInt;

use crate::babyjub::{base8_mul, is_on_curve, to_scalar, Comb, Extended, SUBGROUP_ORDER};
use crate::hash::poseidon;

/// How many keys' combs are kept (about 1.5 KB each); past it, all are dropped.
const KEPT_KEYS: usize = 4096;

/// One verification's inputs, each already known to be in range.
#[derive(Clone, Copy, Debug)]
pub struct Item {
    pub ax: Fr,
    pub ay: Fr,
    pub message: Fr,
    pub r8x: Fr,
    pub r8y: Fr,
    /// `S`, below `SUBGROUP_ORDER`.
    pub s: BigInt<4>,
}

/// Whether the signature in `item` is valid (see the module documentation).
pub fn verify(item: &Item) -> bool {
    if item.s >= SUBGROUP_ORDER {
        return false;
    }
    if !(is_on_curve(item.ax, item.ay) && is_on_curve(item.r8x, item.r8y)) {
        return false;
    }
    // On the curve, 8*A has odd order: the circuit's "x of 8*A is not 0" is
    // exactly "8*A is not the identity".
    let Some(key_times_8) = key_comb(item.ax, item.ay) else {
        return false;
    };
    let challenge = poseidon(&[item.r8x, item.r8y, item.ax, item.ay, item.message]);
    let left = base8_mul(&item.s);
    let right =
        Extended::from_affine(item.r8x, item.r8y).add(&key_times_8.mul(&to_scalar(challenge)));
    left.same_point(&right)
}

/// The comb of `8 * A` for the key `A = (ax, ay)`, on the curve; None if
/// `8 * A` is the identity. Kept per key, since a trader's key verifies many
/// signatures: each then costs a quarter of the doublings.
fn key_comb(ax: Fr, ay: Fr) -> Option<Arc<Comb>> {
    static KEPT: OnceLock<Mutex<HashMap<(Fr, Fr), Option<Arc<Comb>>>>> = OnceLock::new();
    let kept = KEPT.get_or_init(Mutex::default);
    if let Some(comb) = kept
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&(ax, ay))
    {
        return comb.clone();
    }
    let key_times_8 = Extended::from_affine(ax, ay).mul_by_cofactor();
    let comb = (!key_times_8.is_identity()).then(|| Arc::new(Comb::new(&key_times_8)));
    let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() >= KEPT_KEYS {
        kept.clear();
    }
    kept.insert((ax, ay), comb.clone());
    comb
}
