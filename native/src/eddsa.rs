//! EdDSA-Poseidon verification, exactly as `sequencer/crypto/eddsa.py::verify`.
//!
//! Accepts `(R8, S)` for the key `A` and message `M` when
//! `S * BASE8 == R8 + Poseidon([R8x, R8y, Ax, Ay, M]) * (8 * A)`, after the same
//! screening as the Python reference: every coordinate and the message are
//! field elements (`< p`), `S < l`, `A` and `R8` are on the curve, and `8 * A`
//! is not the identity. Field-element and `S < l` checks happen while reading
//! the Python integers (`lib.rs`); this module takes values already in range.

use ark_bn254::Fr;
use ark_ff::BigInt;

use crate::babyjub::{base8_mul, is_on_curve, to_scalar, Extended, SUBGROUP_ORDER};
use crate::hash::poseidon;

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
    let key_times_8 = Extended::from_affine(item.ax, item.ay).mul_by_cofactor();
    if key_times_8.is_identity() {
        return false;
    }
    let challenge = poseidon(&[item.r8x, item.r8y, item.ax, item.ay, item.message]);
    let left = base8_mul(&item.s);
    let right =
        Extended::from_affine(item.r8x, item.r8y).add(&key_times_8.mul(&to_scalar(challenge)));
    left.same_point(&right)
}
