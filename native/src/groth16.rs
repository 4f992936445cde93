//! A Groth16 prover over BN254 that proves from snarkjs's own files: the
//! circuit's `.zkey` (proving key) and a `.wtns` witness (from circom's
//! WebAssembly or C++ generator). Its proofs are the ones snarkjs would make
//! with other randomness, so snarkjs's verification key and its exported
//! Solidity verifier accept them.
//!
//! snarkjs's `groth16 prove` is the reference: the same file layouts, the
//! same reduction to a QAP (the quotient polynomial is taken on the odd
//! points of the domain twice the constraint count, whose bases the zkey
//! holds in its H section), the same blinding. Every proof is checked against
//! the verification key (`verify`, below: the pairing equation the verifier
//! contract checks) by the caller (`prover/groth16.py`) before it is used.
//! The files' layouts are read by `binfile`.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use ark_bn254::{Bn254, Fq, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{FftField, PrimeField, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::rngs::OsRng;
use rayon::prelude::*;

use crate::binfile::{malformed, BinFile, FileError};

/// The multi-scalar products of a proof: A, B in G1, B in G2, C, and the quotient's H.
const PRODUCTS: usize = 5;

/// One non-zero entry of the A or B matrix.
struct Coefficient {
    matrix_b: bool,
    constraint: usize,
    signal: usize,
    value: Fr,
}

/// A Groth16 proving key as snarkjs's zkey holds it.
pub struct ProvingKey {
    pub n_vars: usize,
    pub n_public: usize,
    pub domain_size: usize,
    alpha1: G1Affine,
    beta1: G1Affine,
    beta2: G2Affine,
    delta1: G1Affine,
    delta2: G2Affine,
    coefficients: Vec<Coefficient>,
    a: Vec<G1Affine>,
    b1: Vec<G1Affine>,
    b2: Vec<G2Affine>,
    c: Vec<G1Affine>,
    h: Vec<G1Affine>,
}

/// A proof in affine coordinates and its public signals.
pub struct Proof {
    pub a: G1Affine,
    pub b: G2Affine,
    pub c: G1Affine,
    pub public: Vec<Fr>,
}

const GROTH16: u32 = 1;

impl ProvingKey {
    /// Read a snarkjs Groth16 zkey of a BN254 circuit.
    pub fn read(path: &Path) -> Result<Self, FileError> {
        let file = BinFile::read(path, b"zkey")?;
        let mut header = file.section(1)?;
        if header.u32()? != GROTH16 {
            return malformed("the zkey is not a Groth16 key");
        }
        let mut groth = file.section(2)?;
        groth.modulus(Fq::MODULUS, "the zkey's base field")?;
        groth.modulus(Fr::MODULUS, "the zkey's scalar field")?;
        let n_vars = groth.count()?;
        let n_public = groth.count()?;
        let domain_size = groth.count()?;
        if !domain_size.is_power_of_two() || domain_size.trailing_zeros() >= Fr::TWO_ADICITY {
            return malformed(format!("domain size {domain_size} is not a power of two below 2^28"));
        }
        if n_public >= n_vars {
            return malformed("the zkey has more public signals than signals");
        }
        let alpha1 = groth.g1()?;
        let beta1 = groth.g1()?;
        let beta2 = groth.g2()?;
        let _gamma2 = groth.g2()?;
        let delta1 = groth.g1()?;
        let delta2 = groth.g2()?;
        let mut section = file.section(4)?;
        let count = section.count()?;
        let mut coefficients = Vec::with_capacity(count);
        for _ in 0..count {
            let matrix = section.u32()?;
            let constraint = section.count()?;
            let signal = section.count()?;
            let value = section.coefficient()?;
            if matrix > 1 || constraint >= domain_size || signal >= n_vars {
                return malformed("a coefficient is outside the matrices");
            }
            coefficients.push(Coefficient { matrix_b: matrix == 1, constraint, signal, value });
        }
        section.finish("the coefficients")?;
        let points = |kind: u32, count: usize| -> Result<Vec<G1Affine>, FileError> {
            let mut section = file.section(kind)?;
            let points = section.g1_points(count)?;
            section.finish("a point section")?;
            Ok(points)
        };
        let a = points(5, n_vars)?;
        let b1 = points(6, n_vars)?;
        let mut section = file.section(7)?;
        let b2 = section.g2_points(n_vars)?;
        section.finish("the B2 points")?;
        let c = points(8, n_vars - n_public - 1)?;
        let h = points(9, domain_size)?;
        Ok(Self {
            n_vars, n_public, domain_size, alpha1, beta1, beta2, delta1, delta2,
            coefficients, a, b1, b2, c, h,
        })
    }

    /// Read a witness file of this key's circuit.
    pub fn read_witness(&self, path: &Path) -> Result<Vec<Fr>, FileError> {
        let file = BinFile::read(path, b"wtns")?;
        let mut header = file.section(1)?;
        header.modulus(Fr::MODULUS, "the witness's field")?;
        let count = header.count()?;
        if count != self.n_vars {
            return malformed(format!("the witness has {count} values, the circuit {}", self.n_vars));
        }
        let mut section = file.section(2)?;
        let witness = (0..count).map(|_| section.scalar()).collect::<Result<Vec<Fr>, FileError>>()?;
        section.finish("the witness")?;
        Ok(witness)
    }

    /// The coefficients of h(X) evaluated on the odd points of the domain of size 2n,
    /// the scalars of the H section (as snarkjs computes them).
    fn quotient_scalars(&self, witness: &[Fr]) -> Vec<Fr> {
        let n = self.domain_size;
        let mut a = vec![Fr::zero(); n];
        let mut b = vec![Fr::zero(); n];
        for entry in &self.coefficients {
            let column = if entry.matrix_b { &mut b } else { &mut a };
            column[entry.constraint] += entry.value * witness[entry.signal];
        }
        let c: Vec<Fr> = a.par_iter().zip(b.par_iter()).map(|(x, y)| *x * y).collect();
        let domain = Radix2EvaluationDomain::<Fr>::new(n).expect("a checked power of two");
        let odd_shift = Radix2EvaluationDomain::<Fr>::new(2 * n).expect("a checked power of two").group_gen;
        let coset = domain.get_coset(odd_shift).expect("a non-zero shift");
        let [a, b, c] = [a, b, c].map(|mut evaluations| {
            domain.ifft_in_place(&mut evaluations);
            coset.fft_in_place(&mut evaluations);
            evaluations
        });
        a.par_iter().zip(b.par_iter()).zip(c.par_iter()).map(|((x, y), z)| *x * y - z).collect()
    }

    /// Prove the circuit's statement for `witness`, blinded with fresh randomness.
    ///
    /// `progress(section, done, total)` hears of each part as it is done: the
    /// quotient polynomial ("quotient", 1 of 1), then each of the five
    /// multi-scalar products ("products", 1 to 5 of 5, in the order they finish:
    /// they run in parallel).
    pub fn prove(&self, witness: &[Fr], progress: &(dyn Fn(&str, usize, usize) + Sync)) -> Proof {
        assert_eq!(witness.len(), self.n_vars, "read_witness checks the length");
        let h_scalars = self.quotient_scalars(witness);
        progress("quotient", 1, 1);
        let finished = AtomicUsize::new(0);
        let tick = || progress("products", finished.fetch_add(1, Ordering::SeqCst) + 1, PRODUCTS);
        let msm1 = |bases: &[G1Affine], scalars: &[Fr]| {
            let sum = G1Projective::msm_unchecked(bases, scalars);
            tick();
            sum
        };
        let private = &witness[self.n_public + 1..];
        let (a_sum, (b1_sum, (b2_sum, (c_sum, h_sum)))) = rayon::join(
            || msm1(&self.a, witness),
            || rayon::join(
                || msm1(&self.b1, witness),
                || rayon::join(
                    || {
                        let sum = G2Projective::msm_unchecked(&self.b2, witness);
                        tick();
                        sum
                    },
                    || rayon::join(|| msm1(&self.c, private), || msm1(&self.h, &h_scalars)),
                ),
            ),
        );
        let r = Fr::rand(&mut OsRng);
        let s = Fr::rand(&mut OsRng);
        let pi_a = a_sum + self.alpha1 + self.delta1 * r;
        let pi_b = b2_sum + self.beta2 + self.delta2 * s;
        let pi_b1 = b1_sum + self.beta1 + self.delta1 * s;
        let pi_c = c_sum + h_sum + pi_a * s + pi_b1 * r - self.delta1 * (r * s);
        Proof {
            a: pi_a.into_affine(),
            b: pi_b.into_affine(),
            c: pi_c.into_affine(),
            public: witness[1..=self.n_public].to_vec(),
        }
    }
}

/// A Groth16 verification key: the points of snarkjs's `verification_key.json`.
pub struct VerifyingKey {
    pub alpha1: G1Affine,
    pub beta2: G2Affine,
    pub gamma2: G2Affine,
    pub delta2: G2Affine,
    /// The public inputs' bases, the constant 1's first.
    pub ic: Vec<G1Affine>,
}

/// Whether `proof` proves `public` under `key`: e(A, B) = e(alpha, beta) e(L, gamma) e(C, delta),
/// with L = IC_0 + sum of public_i IC_i. The caller checks the points are on the curve and
/// in the right subgroup, and the public values below the scalar field's modulus.
pub fn verify(key: &VerifyingKey, a: G1Affine, b: G2Affine, c: G1Affine, public: &[Fr]) -> bool {
    if public.len() + 1 != key.ic.len() {
        return false;
    }
    let inputs = G1Projective::msm_unchecked(&key.ic[1..], public) + key.ic[0];
    Bn254::multi_pairing(
        [(-a).into(), key.alpha1, inputs.into_affine(), c],
        [b, key.beta2, key.gamma2, key.delta2],
    )
    .is_zero()
}
