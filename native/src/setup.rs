//! A development Groth16 set-up: a circuit's proving key (a snarkjs `.zkey`)
//! made directly from its `.r1cs` with toxic waste drawn here and wiped
//! afterwards, with no powers-of-tau file and no phase-2 ceremony.
//!
//! Whoever runs it could have kept the toxic waste (tau, alpha, beta, gamma,
//! delta) and forge proofs: it is for development and tests only. The
//! production path is a ceremony (`prover/ptau.py`'s published ptau and
//! snarkjs's phase 2).
//!
//! The key is the one snarkjs's `groth16 setup` would make from a ptau with the
//! same tau, with a random gamma instead of 1: per signal i, with u_i, v_i,
//! w_i its A, B, C polynomials at tau (Lagrange basis of the domain of size n,
//! the constraints' rows then one row per public signal binding it in A),
//!
//! - A_i = u_i G1, B1_i = v_i G1, B2_i = v_i G2;
//! - IC_i = (beta u_i + alpha v_i + w_i) / gamma G1 for the public signals,
//!   C_i the same over delta for the others;
//! - H_j = L'_{2j+1}(tau) / delta G1, with L' the Lagrange basis of the domain
//!   of size 2n: the prover (`groth16.rs`) evaluates A B - C on its odd points.
//!
//! Every proof of the test suite is made with such a key and checked by
//! snarkjs's verifier and the exported Solidity verifier, so a key that is
//! wrong in any section fails them.

use std::path::Path;

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::scalar_mul::{BatchMulPreprocessing, ScalarMul};
use ark_ec::PrimeGroup;
use ark_ff::{FftField, Field, One, PrimeField, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::rngs::OsRng;
use zeroize::Zeroize;

use crate::binfile::{malformed, BinFile, FileError, Reader, Writer};

/// How many points are computed between two progress reports.
const CHUNK: usize = 1 << 15;

/// The sizes of the circuit a key was made for.
pub struct Summary {
    pub n_constraints: usize,
    pub n_vars: usize,
    pub n_public: usize,
    pub domain_size: usize,
}

/// Told, as each section of the key is computed, `(section, points done, points in it)`;
/// an error it returns stops the set-up.
pub type Report<'a> = dyn FnMut(&str, usize, usize) -> Result<(), FileError> + 'a;

/// The circuit's constraint system as circom writes it (`.r1cs`).
struct R1cs {
    file: BinFile,
    n_vars: usize,
    n_public: usize,
    n_constraints: usize,
}

impl R1cs {
    fn read(path: &Path) -> Result<Self, FileError> {
        let file = BinFile::read(path, b"r1cs")?;
        let mut header = file.section(1)?;
        header.modulus(Fr::MODULUS, "the circuit's field")?;
        let n_vars = header.count()?;
        let n_outputs = header.count()?;
        let n_public_inputs = header.count()?;
        let _n_private_inputs = header.count()?;
        let _n_labels = header.u64()?;
        let n_constraints = header.count()?;
        let n_public = n_outputs + n_public_inputs;
        if n_public >= n_vars {
            return malformed("the circuit has more public signals than signals");
        }
        Ok(Self { file, n_vars, n_public, n_constraints })
    }

    /// Call `term(matrix, row, signal, coefficient)` for every non-zero entry of A (0),
    /// B (1) and C (2), row by row.
    fn for_each_term(&self, mut term: impl FnMut(usize, usize, usize, Fr)) -> Result<(), FileError> {
        let mut section: Reader<'_> = self.file.section(2)?;
        for row in 0..self.n_constraints {
            for matrix in 0..3 {
                for _ in 0..section.count()? {
                    let signal = section.count()?;
                    let value = section.scalar()?;
                    if signal >= self.n_vars {
                        return malformed(format!("constraint {row} names signal {signal} of {}", self.n_vars));
                    }
                    term(matrix, row, signal, value);
                }
            }
        }
        section.finish("the constraints")
    }
}

/// The secrets of the set-up: whoever knows them can prove anything.
struct ToxicWaste {
    tau: Fr,
    alpha: Fr,
    beta: Fr,
    gamma: Fr,
    delta: Fr,
}

impl ToxicWaste {
    /// Fresh secrets from the operating system; tau off both evaluation domains.
    fn draw(double_domain: usize) -> Self {
        let nonzero = || loop {
            let value = Fr::rand(&mut OsRng);
            if !value.is_zero() {
                return value;
            }
        };
        let mut tau = nonzero();
        while tau.pow([double_domain as u64]).is_one() {
            tau = nonzero();
        }
        Self { tau, alpha: nonzero(), beta: nonzero(), gamma: nonzero(), delta: nonzero() }
    }
}

impl Drop for ToxicWaste {
    fn drop(&mut self) {
        for secret in [&mut self.tau, &mut self.alpha, &mut self.beta, &mut self.gamma, &mut self.delta] {
            secret.zeroize();
        }
    }
}

/// Multiplies a group's generator by many scalars, a chunk at a time, writing each point.
fn write_points<G: ScalarMul<ScalarField = Fr>>(
    writer: &mut Writer,
    table: &BatchMulPreprocessing<G>,
    scalars: &[Fr],
    name: &str,
    write: fn(&mut Writer, &G::MulBase) -> std::io::Result<()>,
    report: &mut Report<'_>,
) -> Result<(), FileError> {
    report(name, 0, scalars.len())?;
    for (index, chunk) in scalars.chunks(CHUNK).enumerate() {
        for point in table.batch_mul(chunk) {
            write(writer, &point).map_err(io_error)?;
        }
        report(name, (index * CHUNK + chunk.len()).min(scalars.len()), scalars.len())?;
    }
    Ok(())
}

fn io_error(error: std::io::Error) -> FileError {
    FileError::Io(error.to_string())
}

fn g1(writer: &mut Writer, point: &G1Affine) -> std::io::Result<()> {
    writer.g1(point)
}

fn g2(writer: &mut Writer, point: &G2Affine) -> std::io::Result<()> {
    writer.g2(point)
}

/// zkey sections (snarkjs's numbering).
const HEADER: u32 = 1;
const GROTH16_HEADER: u32 = 2;
const IC: u32 = 3;
const COEFFICIENTS: u32 = 4;
const A: u32 = 5;
const B1: u32 = 6;
const B2: u32 = 7;
const C: u32 = 8;
const H: u32 = 9;
const CONTRIBUTIONS: u32 = 10;
const GROTH16: u32 = 1;

/// Make a development proving key for the circuit in `r1cs_path`, written to `zkey_path`.
pub fn development_setup(r1cs_path: &Path, zkey_path: &Path, report: &mut Report<'_>) -> Result<Summary, FileError> {
    let r1cs = R1cs::read(r1cs_path)?;
    let (n_vars, n_public, n_constraints) = (r1cs.n_vars, r1cs.n_public, r1cs.n_constraints);
    let rows = n_constraints + n_public + 1;
    let domain_size = rows.next_power_of_two();
    if domain_size.trailing_zeros() >= Fr::TWO_ADICITY {
        return malformed(format!("{rows} rows need a domain larger than 2^{}, the most BN254 allows", Fr::TWO_ADICITY - 1));
    }
    let domain = Radix2EvaluationDomain::<Fr>::new(domain_size).expect("a power of two below the 2-adicity");
    let double = Radix2EvaluationDomain::<Fr>::new(2 * domain_size).expect("a power of two within the 2-adicity");
    let secrets = ToxicWaste::draw(2 * domain_size);

    // Each signal's A, B and C polynomials at tau.
    report("polynomials at tau", 0, 1)?;
    let mut lagrange = domain.evaluate_all_lagrange_coefficients(secrets.tau);
    let mut u = vec![Fr::zero(); n_vars];
    let mut v = vec![Fr::zero(); n_vars];
    let mut w = vec![Fr::zero(); n_vars];
    r1cs.for_each_term(|matrix, row, signal, value| {
        let column = match matrix {
            0 => &mut u,
            1 => &mut v,
            _ => &mut w,
        };
        column[signal] += value * lagrange[row];
    })?;
    for (signal, basis) in u.iter_mut().zip(&lagrange[n_constraints..]).take(n_public + 1) {
        *signal += basis;
    }
    lagrange.zeroize();
    let mut double_lagrange = double.evaluate_all_lagrange_coefficients(secrets.tau);
    let delta_inverse = secrets.delta.inverse().expect("delta is not zero");
    let gamma_inverse = secrets.gamma.inverse().expect("gamma is not zero");
    let mut h: Vec<Fr> = double_lagrange.iter().skip(1).step_by(2).map(|basis| *basis * delta_inverse).collect();
    double_lagrange.zeroize();
    let mut ic_c: Vec<Fr> = (0..n_vars)
        .map(|i| {
            let combined = secrets.beta * u[i] + secrets.alpha * v[i] + w[i];
            combined * if i <= n_public { gamma_inverse } else { delta_inverse }
        })
        .collect();
    w.zeroize();
    report("polynomials at tau", 1, 1)?;

    let g1_table = BatchMulPreprocessing::new(G1Projective::generator(), 4 * n_vars + domain_size);
    let g2_table = BatchMulPreprocessing::new(G2Projective::generator(), n_vars + 2);
    let [alpha1, beta1, delta1]: [G1Affine; 3] =
        g1_table.batch_mul(&[secrets.alpha, secrets.beta, secrets.delta]).try_into().expect("three points");
    let [beta2, gamma2, delta2]: [G2Affine; 3] =
        g2_table.batch_mul(&[secrets.beta, secrets.gamma, secrets.delta]).try_into().expect("three points");
    drop(secrets);

    let mut writer = Writer::create(zkey_path, b"zkey", 1, 10).map_err(io_error)?;
    let io = |result: std::io::Result<()>| result.map_err(io_error);
    io(writer.start_section(HEADER))?;
    io(writer.u32(GROTH16))?;
    io(writer.end_section())?;

    io(writer.start_section(GROTH16_HEADER))?;
    io(writer.modulus(ark_bn254::Fq::MODULUS))?;
    io(writer.modulus(Fr::MODULUS))?;
    io(writer.count(n_vars))?;
    io(writer.count(n_public))?;
    io(writer.count(domain_size))?;
    io(writer.g1(&alpha1))?;
    io(writer.g1(&beta1))?;
    io(writer.g2(&beta2))?;
    io(writer.g2(&gamma2))?;
    io(writer.g1(&delta1))?;
    io(writer.g2(&delta2))?;
    io(writer.end_section())?;

    io(writer.start_section(IC))?;
    write_points(&mut writer, &g1_table, &ic_c[..=n_public], "IC", g1, report)?;
    io(writer.end_section())?;

    // The A and B entries the prover evaluates, and each public signal's binding row in A.
    let mut entries = 0;
    r1cs.for_each_term(|matrix, _, _, _| entries += usize::from(matrix < 2))?;
    io(writer.start_section(COEFFICIENTS))?;
    io(writer.count(entries + n_public + 1))?;
    let mut written = Ok(());
    r1cs.for_each_term(|matrix, row, signal, value| {
        if matrix < 2 && written.is_ok() {
            written = [writer.count(matrix), writer.count(row), writer.count(signal), writer.coefficient(value)]
                .into_iter()
                .collect();
        }
    })?;
    io(written)?;
    for signal in 0..=n_public {
        io(writer.count(0))?;
        io(writer.count(n_constraints + signal))?;
        io(writer.count(signal))?;
        io(writer.coefficient(Fr::one()))?;
    }
    io(writer.end_section())?;

    for (section, name, scalars) in [(A, "A", &u), (B1, "B1", &v)] {
        io(writer.start_section(section))?;
        write_points(&mut writer, &g1_table, scalars, name, g1, report)?;
        io(writer.end_section())?;
    }
    io(writer.start_section(B2))?;
    write_points(&mut writer, &g2_table, &v, "B2", g2, report)?;
    io(writer.end_section())?;
    io(writer.start_section(C))?;
    write_points(&mut writer, &g1_table, &ic_c[n_public + 1..], "C", g1, report)?;
    io(writer.end_section())?;
    io(writer.start_section(H))?;
    write_points(&mut writer, &g1_table, &h, "H", g1, report)?;
    io(writer.end_section())?;
    for scalars in [&mut u, &mut v, &mut ic_c, &mut h] {
        scalars.zeroize();
    }

    // No ceremony: an all-zero circuit hash and no contribution.
    io(writer.start_section(CONTRIBUTIONS))?;
    io(writer.big_int(Default::default()))?;
    io(writer.big_int(Default::default()))?;
    io(writer.u32(0))?;
    io(writer.end_section())?;
    io(writer.finish())?;
    Ok(Summary { n_constraints, n_vars, n_public, domain_size })
}
