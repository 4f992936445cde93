//! `matchproof_native`: Poseidon and EdDSA-Poseidon verification for the
//! Matchproof sequencer, as a Python extension module.
//!
//! The readable reference is Python's `sequencer/crypto/` (`poseidon.py`,
//! `babyjub.py`, `eddsa.py`); this module computes the same functions and is
//! checked against them on shared vectors (`tests/crypto/test_native.py`).
//!
//! Python integers cross the boundary as 32 little-endian bytes
//! (`int.to_bytes`); negative integers and integers of 2^256 or more are simply
//! out of range. As in the reference, Poseidon takes any `int` (`isinstance`,
//! so `True` is 1) while verification takes only values whose type is exactly
//! `int`.

mod babyjub;
mod binfile;
mod eddsa;
mod groth16;
mod hash;
mod setup;
mod threshold;

use std::path::PathBuf;
use std::sync::Mutex;

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ff::{BigInt, BigInteger, PrimeField};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyTuple};
use rayon::prelude::*;

use crate::babyjub::SUBGROUP_ORDER;
use crate::eddsa::Item;

/// `value` as an unsigned 256-bit integer, if it is a Python `int` in `[0, 2^256)`.
fn read_u256(value: &Bound<'_, PyAny>) -> Option<BigInt<4>> {
    if !value.is_instance_of::<PyInt>() {
        return None;
    }
    let py = value.py();
    // Raises OverflowError for negative integers and those of 2^256 or more.
    let encoded = value
        .call_method1(intern!(py, "to_bytes"), (32, intern!(py, "little")))
        .ok()?;
    let encoded = encoded.cast::<PyBytes>().ok()?;
    let bytes: [u8; 32] = encoded.as_bytes().try_into().ok()?;
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        *limb = u64::from_le_bytes(chunk.try_into().expect("8-byte chunk"));
    }
    Some(BigInt::new(limbs))
}

/// `value` as a field element, if it is a Python `int` in `[0, p)`.
fn read_field_element(value: &Bound<'_, PyAny>) -> Option<Fr> {
    Fr::from_bigint(read_u256(value)?)
}

/// `value` as a signature scalar, if it is a Python `int` in `[0, l)`.
fn read_scalar(value: &Bound<'_, PyAny>) -> Option<BigInt<4>> {
    read_u256(value).filter(|scalar| *scalar < SUBGROUP_ORDER)
}

/// A field element as a Python `int`.
fn field_element_to_py<'py>(py: Python<'py>, value: Fr) -> PyResult<Bound<'py, PyAny>> {
    let bytes = PyBytes::new(py, &value.into_bigint().to_bytes_le());
    py.get_type::<PyInt>()
        .call_method1(intern!(py, "from_bytes"), (bytes, intern!(py, "little")))
}

/// The six values of one verification, if all are exactly `int` (as
/// `eddsa.verify`: not `bool`, not a subclass) and in range.
fn read_item(
    ax: &Bound<'_, PyAny>,
    ay: &Bound<'_, PyAny>,
    message: &Bound<'_, PyAny>,
    r8x: &Bound<'_, PyAny>,
    r8y: &Bound<'_, PyAny>,
    s: &Bound<'_, PyAny>,
) -> Option<Item> {
    let values = [ax, ay, message, r8x, r8y, s];
    if !values
        .iter()
        .all(|value| value.is_exact_instance_of::<PyInt>())
    {
        return None;
    }
    Some(Item {
        ax: read_field_element(ax)?,
        ay: read_field_element(ay)?,
        message: read_field_element(message)?,
        r8x: read_field_element(r8x)?,
        r8y: read_field_element(r8y)?,
        s: read_scalar(s)?,
    })
}

/// Return `Poseidon(inputs)` as circomlib computes it.
///
/// Raises ValueError unless there are 1 to POSEIDON_MAX_INPUTS inputs, each an
/// int in [0, p): inputs are never reduced.
#[pyfunction]
fn poseidon(inputs: Vec<Bound<'_, PyAny>>) -> PyResult<Bound<'_, PyAny>> {
    if !(1..=hash::MAX_INPUTS).contains(&inputs.len()) {
        return Err(PyValueError::new_err(format!(
            "Poseidon takes 1 to {} inputs, got {}",
            hash::MAX_INPUTS,
            inputs.len()
        )));
    }
    let mut elements = Vec::with_capacity(inputs.len());
    for value in &inputs {
        match read_field_element(value) {
            Some(element) => elements.push(element),
            None => {
                return Err(PyValueError::new_err(format!(
                    "Poseidon input is not a field element: {}",
                    value.repr()?
                )))
            }
        }
    }
    let py = inputs[0].py();
    let digest = py.detach(|| hash::poseidon(&elements));
    field_element_to_py(py, digest)
}

/// `[poseidon(row) for row in rows]`, hashed in parallel without the GIL.
///
/// Raises ValueError, before hashing anything, if a row is not 1 to
/// POSEIDON_MAX_INPUTS field elements.
#[pyfunction]
fn poseidon_many<'py>(py: Python<'py>, rows: Vec<Vec<Bound<'py, PyAny>>>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let mut parsed = Vec::with_capacity(rows.len());
    for (number, row) in rows.iter().enumerate() {
        if !(1..=hash::MAX_INPUTS).contains(&row.len()) {
            return Err(PyValueError::new_err(format!(
                "row {number}: Poseidon takes 1 to {} inputs, got {}",
                hash::MAX_INPUTS,
                row.len()
            )));
        }
        let elements = row
            .iter()
            .map(|value| {
                read_field_element(value).ok_or_else(|| {
                    PyValueError::new_err(format!("row {number}: Poseidon input is not a field element"))
                })
            })
            .collect::<PyResult<Vec<Fr>>>()?;
        parsed.push(elements);
    }
    let digests: Vec<Fr> = py.detach(|| parsed.par_iter().map(|row| hash::poseidon(row)).collect());
    digests.into_iter().map(|digest| field_element_to_py(py, digest)).collect()
}

/// Tell whether `(r8x, r8y, s)` signs `message` under the key `(ax, ay)`.
///
/// The semantics of `sequencer.crypto.eddsa.verify`: False, never an
/// exception, for anything malformed (non-integers, values outside the field,
/// s >= l, points off the curve, keys of small order).
#[pyfunction]
fn eddsa_verify(
    py: Python<'_>,
    ax: &Bound<'_, PyAny>,
    ay: &Bound<'_, PyAny>,
    message: &Bound<'_, PyAny>,
    r8x: &Bound<'_, PyAny>,
    r8y: &Bound<'_, PyAny>,
    s: &Bound<'_, PyAny>,
) -> bool {
    match read_item(ax, ay, message, r8x, r8y, s) {
        Some(item) => py.detach(|| eddsa::verify(&item)),
        None => false,
    }
}

/// `[eddsa_verify(*item) for item in items]`, computed in parallel without the GIL.
///
/// Each item must be a tuple of six values `(ax, ay, message, r8x, r8y, s)`
/// (TypeError otherwise); malformed values make that item False.
#[pyfunction]
fn eddsa_verify_many(py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
    let mut parsed = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        let tuple = item.cast::<PyTuple>()?;
        if tuple.len() != 6 {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "expected a tuple of 6 values (ax, ay, message, r8x, r8y, s), got {}",
                tuple.len()
            )));
        }
        let value = |index: usize| tuple.get_item(index);
        parsed.push(read_item(
            &value(0)?,
            &value(1)?,
            &value(2)?,
            &value(3)?,
            &value(4)?,
            &value(5)?,
        ));
    }
    Ok(py.detach(|| {
        parsed
            .par_iter()
            .map(|item| item.as_ref().is_some_and(eddsa::verify))
            .collect()
    }))
}

/// A base field element as a Python `int`.
fn coordinate_to_py<'py>(py: Python<'py>, value: Fq) -> PyResult<Bound<'py, PyAny>> {
    let bytes = PyBytes::new(py, &value.into_bigint().to_bytes_le());
    py.get_type::<PyInt>()
        .call_method1(intern!(py, "from_bytes"), (bytes, intern!(py, "little")))
}

fn file_error(error: binfile::FileError) -> PyErr {
    match error {
        binfile::FileError::Io(message) => PyOSError::new_err(message),
        binfile::FileError::Malformed(message) => PyValueError::new_err(message),
    }
}

/// A snarkjs Groth16 proving key (`.zkey`) of a BN254 circuit, read once and
/// proved with many times (`prover/arkworks.py`).
#[pyclass(frozen)]
struct Groth16Key {
    key: groth16::ProvingKey,
}

#[pymethods]
impl Groth16Key {
    /// Read and check the zkey at `path` (OSError if unreadable, ValueError if malformed).
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let key = py.detach(|| groth16::ProvingKey::read(&path)).map_err(file_error)?;
        Ok(Self { key })
    }

    /// The number of signals, the constant 1 included.
    #[getter]
    fn n_vars(&self) -> usize {
        self.key.n_vars
    }

    /// The number of public signals.
    #[getter]
    fn n_public(&self) -> usize {
        self.key.n_public
    }

    /// The size of the evaluation domain (a power of two).
    #[getter]
    fn domain_size(&self) -> usize {
        self.key.domain_size
    }

    /// Prove the witness in the `.wtns` file at `path`, in parallel without the GIL.
    ///
    /// `progress(section, done, total)`, if given, is called as each part is
    /// done ("quotient", then "products" 1 to 5 of 5; `prover/arkworks.py`); an
    /// exception it raises is raised here once the proof is done. Returns
    /// `(pi_a, pi_b, pi_c, public_signals)` with affine coordinates as
    /// snarkjs writes them (`pi_b`'s as `(c0, c1)` pairs). OSError if the file is
    /// unreadable, ValueError if it is not a witness of this circuit.
    #[allow(clippy::type_complexity)]
    #[pyo3(signature = (path, progress = None))]
    fn prove<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(
        (Bound<'py, PyAny>, Bound<'py, PyAny>),
        ((Bound<'py, PyAny>, Bound<'py, PyAny>), (Bound<'py, PyAny>, Bound<'py, PyAny>)),
        (Bound<'py, PyAny>, Bound<'py, PyAny>),
        Vec<Bound<'py, PyAny>>,
    )> {
        let progress = progress.map(Bound::unbind);
        let raised: Mutex<Option<PyErr>> = Mutex::new(None);
        let report = |section: &str, done: usize, total: usize| {
            let Some(callback) = &progress else { return };
            if let Err(error) = Python::attach(|py| callback.call1(py, (section, done, total)).map(|_| ())) {
                raised.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get_or_insert(error);
            }
        };
        let proof = py
            .detach(|| {
                let witness = self.key.read_witness(&path)?;
                Ok(self.key.prove(&witness, &report))
            })
            .map_err(file_error)?;
        if let Some(error) = raised.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            return Err(error);
        }
        let point = |x: Fq, y: Fq| Ok::<_, PyErr>((coordinate_to_py(py, x)?, coordinate_to_py(py, y)?));
        let public = proof
            .public
            .into_iter()
            .map(|value| field_element_to_py(py, value))
            .collect::<PyResult<Vec<_>>>()?;
        Ok((
            point(proof.a.x, proof.a.y)?,
            (point(proof.b.x.c0, proof.b.x.c1)?, point(proof.b.y.c0, proof.b.y.c1)?),
            point(proof.c.x, proof.c.y)?,
            public,
        ))
    }
}

/// A base field element from a Python `int` in `[0, q)`.
fn read_coordinate(value: &Bound<'_, PyAny>) -> Option<Fq> {
    Fq::from_bigint(read_u256(value)?)
}

/// A G1 point from two coordinates, if it is on the curve (the group has no cofactor).
fn read_g1(values: &[Bound<'_, PyAny>]) -> Option<G1Affine> {
    let point = G1Affine::new_unchecked(read_coordinate(&values[0])?, read_coordinate(&values[1])?);
    point.is_on_curve().then_some(point)
}

/// A G2 point from (x.c0, x.c1, y.c0, y.c1), if it is on the curve and in the prime-order subgroup.
fn read_g2(values: &[Bound<'_, PyAny>]) -> Option<G2Affine> {
    let [x0, x1, y0, y1] = [0, 1, 2, 3].map(|index| read_coordinate(&values[index]));
    let point = G2Affine::new_unchecked(Fq2::new(x0?, x1?), Fq2::new(y0?, y1?));
    (point.is_on_curve() && point.is_in_correct_subgroup_assuming_on_curve()).then_some(point)
}

/// Whether a Groth16 proof verifies, natively (`prover/arkworks.py`).
///
/// `key` is the verification key flattened: alpha (x, y), beta, gamma and delta
/// (x.c0, x.c1, y.c0, y.c1 each), then each IC point (x, y); `proof` is A (x, y),
/// B (x.c0, x.c1, y.c0, y.c1), C (x, y); `public` the public signals. ValueError if
/// the key is malformed; False for a proof or public signal that is malformed, off
/// the curve, outside the subgroup or out of the field, as the verifier contract.
#[pyfunction]
fn groth16_verify(
    py: Python<'_>,
    key: Vec<Bound<'_, PyAny>>,
    proof: Vec<Bound<'_, PyAny>>,
    public: Vec<Bound<'_, PyAny>>,
) -> PyResult<bool> {
    let malformed = || PyValueError::new_err("the verification key is malformed");
    if key.len() < 16 || (key.len() - 14) % 2 != 0 {
        return Err(malformed());
    }
    let ic = key[14..]
        .chunks_exact(2)
        .map(read_g1)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(malformed)?;
    let verifying_key = groth16::VerifyingKey {
        alpha1: read_g1(&key[0..2]).ok_or_else(malformed)?,
        beta2: read_g2(&key[2..6]).ok_or_else(malformed)?,
        gamma2: read_g2(&key[6..10]).ok_or_else(malformed)?,
        delta2: read_g2(&key[10..14]).ok_or_else(malformed)?,
        ic,
    };
    if proof.len() != 8 {
        return Ok(false);
    }
    let (Some(a), Some(b), Some(c)) = (read_g1(&proof[0..2]), read_g2(&proof[2..6]), read_g1(&proof[6..8])) else {
        return Ok(false);
    };
    let Some(public) = public.iter().map(read_field_element).collect::<Option<Vec<Fr>>>() else {
        return Ok(false);
    };
    Ok(py.detach(|| groth16::verify(&verifying_key, a, b, c, &public)))
}

/// Make a development Groth16 proving key (`.zkey`) for the circuit in the `.r1cs`
/// file `r1cs`, written to `zkey`, from toxic waste drawn and wiped here
/// (`prover/dev_setup.py`; development only: whoever runs it could forge proofs).
///
/// `progress(section, done, total)` is called as each section is computed;
/// an exception it raises stops the set-up and is raised here. Returns
/// `(constraints, signals, public signals, domain size)`. OSError if a file
/// cannot be read or written, ValueError if `r1cs` is not a BN254 r1cs file.
#[pyfunction]
fn groth16_development_setup(
    py: Python<'_>,
    r1cs: PathBuf,
    zkey: PathBuf,
    progress: Bound<'_, PyAny>,
) -> PyResult<(usize, usize, usize, usize)> {
    let progress = progress.unbind();
    let mut raised: Option<PyErr> = None;
    let summary = py.detach(|| {
        let mut report = |section: &str, done: usize, total: usize| {
            Python::attach(|py| progress.call1(py, (section, done, total)).map(|_| ())).map_err(|error| {
                raised = Some(error);
                binfile::FileError::Io("the progress callback raised".into())
            })
        };
        setup::development_setup(&r1cs, &zkey, &mut report)
    });
    if let Some(error) = raised {
        return Err(error);
    }
    let summary = summary.map_err(file_error)?;
    Ok((summary.n_constraints, summary.n_vars, summary.n_public, summary.domain_size))
}

#[pymodule]
fn matchproof_native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("POSEIDON_MAX_INPUTS", hash::MAX_INPUTS)?;
    module.add_function(wrap_pyfunction!(poseidon, module)?)?;
    module.add_function(wrap_pyfunction!(poseidon_many, module)?)?;
    module.add_function(wrap_pyfunction!(eddsa_verify, module)?)?;
    module.add_function(wrap_pyfunction!(groth16_development_setup, module)?)?;
    module.add_function(wrap_pyfunction!(groth16_verify, module)?)?;
    module.add_function(wrap_pyfunction!(eddsa_verify_many, module)?)?;
    module.add_class::<Groth16Key>()?;
    module.add_function(wrap_pyfunction!(threshold::threshold_dkg_key, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_dkg_deal, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_dkg_receive, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_dkg_combine, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_of, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_encrypt, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_ciphertext_valid, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_decryption_share, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_share_valid, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_shares_valid, module)?)?;
    module.add_function(wrap_pyfunction!(threshold::threshold_decrypt, module)?)?;
    Ok(())
}
