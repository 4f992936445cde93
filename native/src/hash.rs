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
use ark_ff::{Field, PrimeField};

/// The most inputs supported (circomlib itself goes up to 16).
pub const MAX_INPUTS: usize = 12;

const FULL_ROUNDS: usize = 8;

/// Partial rounds for state widths 2, 3, ... (circomlib's `N_ROUNDS_P`).
const PARTIAL_ROUNDS: [usize; MAX_INPUTS] = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65];

const CONSTANTS: &[u8] = include_bytes!("poseidon_constants.bin");

/// The constants of one state width `t`.
struct Width {
    t: usize,
    partial_rounds: usize,
    /// Round constants: `t` for the first round, `t` for each other full round
    /// of the first half, one per partial round, `t` per full round after.
    c: Vec<Fr>,
    /// The MDS matrix, `m[j][i]` multiplies state element `j` into element `i`.
    m: Vec<Vec<Fr>>,
    /// The matrix applied once before the partial rounds.
    p: Vec<Vec<Fr>>,
    /// Each partial round's sparse matrix: `2 t - 1` entries.
    s: Vec<Fr>,
}

/// Every width's constants, read from `CONSTANTS` on first use.
fn widths() -> &'static [Width] {
    static WIDTHS: OnceLock<Vec<Width>> = OnceLock::new();
    WIDTHS.get_or_init(|| {
        let mut elements = CONSTANTS
            .chunks_exact(32)
            .map(Fr::from_be_bytes_mod_order);
        let mut take = |count: usize| -> Vec<Fr> {
            (0..count)
                .map(|_| elements.next().expect("poseidon_constants.bin is complete"))
                .collect()
        };
        let widths = PARTIAL_ROUNDS
            .iter()
            .enumerate()
            .map(|(index, &partial_rounds)| {
                let t = index + 2;
                let c = take(FULL_ROUNDS * t + partial_rounds);
                let m = (0..t).map(|_| take(t)).collect();
                let p = (0..t).map(|_| take(t)).collect();
                let s = take(partial_rounds * (2 * t - 1));
                Width { t, partial_rounds, c, m, p, s }
            })
            .collect();
        assert!(elements.next().is_none(), "poseidon_constants.bin has extra data");
        widths
    })
}

fn pow5(value: Fr) -> Fr {
    let square = value.square();
    square.square() * value
}

/// `state <- state x matrix`, with `matrix[j][i]` the weight of element `j` in element `i`.
fn mix(state: &mut [Fr], matrix: &[Vec<Fr>], scratch: &mut [Fr]) {
    for (i, out) in scratch.iter_mut().enumerate() {
        *out = state
            .iter()
            .zip(matrix)
            .fold(Fr::from(0u64), |sum, (value, row)| sum + *value * row[i]);
    }
    state.copy_from_slice(scratch);
}

/// `Poseidon(inputs)`; `inputs` must hold 1 to `MAX_INPUTS` elements.
pub fn poseidon(inputs: &[Fr]) -> Fr {
    assert!(
        (1..=MAX_INPUTS).contains(&inputs.len()),
        "Poseidon arity out of range"
    );
    let width = &widths()[inputs.len() - 1];
    let (t, c) = (width.t, &width.c);
    let mut state = Vec::with_capacity(t);
    state.push(Fr::from(0u64));
    state.extend_from_slice(inputs);
    let mut scratch = vec![Fr::from(0u64); t];
    for (value, constant) in state.iter_mut().zip(c) {
        *value += constant;
    }
    let half = FULL_ROUNDS / 2;
    for round in 0..half {
        for (i, value) in state.iter_mut().enumerate() {
            *value = pow5(*value) + c[(round + 1) * t + i];
        }
        let matrix = if round + 1 < half { &width.m } else { &width.p };
        mix(&mut state, matrix, &mut scratch);
    }
    let partial_start = (half + 1) * t;
    for round in 0..width.partial_rounds {
        state[0] = pow5(state[0]) + c[partial_start + round];
        let sparse = &width.s[(2 * t - 1) * round..(2 * t - 1) * (round + 1)];
        let first = state
            .iter()
            .zip(&sparse[..t])
            .fold(Fr::from(0u64), |sum, (value, weight)| sum + *value * weight);
        let lead = state[0];
        for (value, weight) in state[1..].iter_mut().zip(&sparse[t..]) {
            *value += lead * weight;
        }
        state[0] = first;
    }
    let late_start = partial_start + width.partial_rounds;
    for round in 0..half {
        for (i, value) in state.iter_mut().enumerate() {
            *value = pow5(*value);
            if round + 1 < half {
                *value += c[late_start + round * t + i];
            }
        }
        mix(&mut state, &width.m, &mut scratch);
    }
    state[0]
}
