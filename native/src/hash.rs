//! circomlib's Poseidon over the BN254 scalar field, in its optimised form.
//!
//! The same permutation as circomlib's `Poseidon(n)` circuit template and
//! circomlibjs's `buildPoseidon`: 8 full rounds and the width's partial rounds,
//! x^5 S-box. The partial rounds use the sparse-matrix factorisation of the MDS
//! matrix (from the Neptune project, as circomlib does), so each one costs about
//! `2 t` multiplications instead of `t^2`: several times faster than the plain
//! form (`light-poseidon`, which the Python reference `sequencer/crypto/poseidon_reference.py`
//! keeps as the oracle: `tests/crypto/test_native.py` checks one against the other).
//!
//! The constants (`poseidon_constants.bin`) are circomlibjs's
//! `poseidon_constants_opt.json` in binary, written by
//! `native/tools/gen_poseidon_constants.py`.

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, Field, PrimeField};

/// The most inputs supported: circomlib's 16 (an account leaf hashes 15).
pub const MAX_INPUTS: usize = 16;

const FULL_ROUNDS: usize = 8;

/// Partial rounds for state widths 2, 3, ... (circomlib's `N_ROUNDS_P`).
const PARTIAL_ROUNDS: [usize; MAX_INPUTS] = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

const CONSTANTS: &[u8] = include_bytes!("poseidon_constants.bin");

/// The constants of one state width `t`.
struct Width {
    partial_rounds: usize,
    /// Round constants: `t` for the first round, `t` for each other full round
    /// of the first half, one per partial round, `t` per full round after.
    c: Vec<Fr>,
    /// The MDS matrix by columns: `m[i * t + j]` multiplies state element `j` into element `i`.
    m: Vec<Fr>,
    /// The matrix applied once before the partial rounds, by columns likewise.
    p: Vec<Fr>,
    /// Each partial round's sparse matrix: `2 t - 1` entries.
    s: Vec<Fr>,
}

/// Every width's constants, read from `CONSTANTS` on first use.
fn widths() -> &'static [Width] {
    static WIDTHS: OnceLock<Vec<Width>> = OnceLock::new();
    WIDTHS.get_or_init(|| {
        let mut elements = CONSTANTS.chunks_exact(32).map(Fr::from_be_bytes_mod_order);
        let mut take = |count: usize| -> Vec<Fr> {
            (0..count)
                .map(|_| elements.next().expect("poseidon_constants.bin is complete"))
                .collect()
        };
        // The file holds each matrix by rows (`[j][i]`); keep it by columns.
        let by_columns = |rows: Vec<Fr>, t: usize| -> Vec<Fr> {
            (0..t * t).map(|k| rows[(k % t) * t + k / t]).collect()
        };
        let widths = PARTIAL_ROUNDS
            .iter()
            .enumerate()
            .map(|(index, &partial_rounds)| {
                let t = index + 2;
                let c = take(FULL_ROUNDS * t + partial_rounds);
                let m = by_columns(take(t * t), t);
                let p = by_columns(take(t * t), t);
                let s = take(partial_rounds * (2 * t - 1));
                Width {
                    partial_rounds,
                    c,
                    m,
                    p,
                    s,
                }
            })
            .collect();
        assert!(
            elements.next().is_none(),
            "poseidon_constants.bin has extra data"
        );
        widths
    })
}

fn pow5(value: Fr) -> Fr {
    let square = value.square();
    square.square() * value
}

/// The first `T` elements of `values` as an array reference.
fn array<const T: usize>(values: &[Fr]) -> &[Fr; T] {
    values[..T].try_into().expect("T elements")
}

/// `state <- state x matrix`, `matrix` by columns: each new element one sum
/// of products, reduced once per few terms (`sum_of_products`).
fn mix<const T: usize>(state: &mut [Fr; T], matrix: &[Fr]) {
    let old = *state;
    for (i, out) in state.iter_mut().enumerate() {
        *out = Fr::sum_of_products(&old, array::<T>(&matrix[i * T..]));
    }
}

/// `Poseidon(inputs)`; `inputs` must hold 1 to `MAX_INPUTS` elements.
pub fn poseidon(inputs: &[Fr]) -> Fr {
    assert!(
        (1..=MAX_INPUTS).contains(&inputs.len()),
        "Poseidon arity out of range"
    );
    match inputs.len() + 1 {
        2 => permute::<2>(inputs),
        3 => permute::<3>(inputs),
        4 => permute::<4>(inputs),
        5 => permute::<5>(inputs),
        6 => permute::<6>(inputs),
        7 => permute::<7>(inputs),
        8 => permute::<8>(inputs),
        9 => permute::<9>(inputs),
        10 => permute::<10>(inputs),
        11 => permute::<11>(inputs),
        12 => permute::<12>(inputs),
        13 => permute::<13>(inputs),
        14 => permute::<14>(inputs),
        15 => permute::<15>(inputs),
        16 => permute::<16>(inputs),
        17 => permute::<17>(inputs),
        _ => unreachable!("the arity was checked"),
    }
}

/// The permutation of width `T` over `[0, inputs...]`; its first element.
fn permute<const T: usize>(inputs: &[Fr]) -> Fr {
    let width = &widths()[T - 2];
    let c = &width.c;
    let mut state = [Fr::ZERO; T];
    state[1..].copy_from_slice(inputs);
    for (value, constant) in state.iter_mut().zip(c) {
        *value += constant;
    }
    let half = FULL_ROUNDS / 2;
    for round in 0..half {
        for (i, value) in state.iter_mut().enumerate() {
            *value = pow5(*value) + c[(round + 1) * T + i];
        }
        let matrix = if round + 1 < half { &width.m } else { &width.p };
        mix(&mut state, matrix);
    }
    let partial_start = (half + 1) * T;
    for round in 0..width.partial_rounds {
        state[0] = pow5(state[0]) + c[partial_start + round];
        let sparse = &width.s[(2 * T - 1) * round..(2 * T - 1) * (round + 1)];
        let first = Fr::sum_of_products(&state, array::<T>(sparse));
        let lead = state[0];
        for (value, weight) in state[1..].iter_mut().zip(&sparse[T..]) {
            *value += lead * weight;
        }
        state[0] = first;
    }
    let late_start = partial_start + width.partial_rounds;
    for round in 0..half {
        for (i, value) in state.iter_mut().enumerate() {
            *value = pow5(*value);
            if round + 1 < half {
                *value += c[late_start + round * T + i];
            }
        }
        mix(&mut state, &width.m);
    }
    state[0]
}
