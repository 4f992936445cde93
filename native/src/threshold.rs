//! Threshold encryption for the sequencer set's sealed orders, over the
//! `blsttc` crate (BLS12-381; the Baek-Zheng scheme: a ciphertext anyone can
//! check, decryption shares anyone can check against the member's public key
//! share, and any `threshold + 1` valid shares decrypt).
//!
//! Everything crosses the boundary as bytes in `blsttc`'s own encodings:
//! a public key set (its commitment), a secret key share (32 bytes), a
//! ciphertext, a decryption share (48 bytes). A member's index is its
//! position in the set, from 0.

use std::collections::BTreeMap;

use blsttc::{Ciphertext, DecryptionShare, PublicKeySet, SecretKeySet, SecretKeyShare};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A ValueError naming what did not decode.
fn invalid(what: &str) -> PyErr {
    PyValueError::new_err(format!("not a {what}"))
}

/// A public key set: whole 48-byte commitment coefficients, at least one
/// (`blsttc` itself would ignore trailing bytes and take an empty set).
fn read_key_set(bytes: &[u8]) -> PyResult<PublicKeySet> {
    if bytes.is_empty() || bytes.len() % 48 != 0 {
        return Err(invalid("public key set"));
    }
    PublicKeySet::from_bytes(bytes.to_vec()).map_err(|_| invalid("public key set"))
}

fn read_ciphertext(bytes: &[u8]) -> PyResult<Ciphertext> {
    Ciphertext::from_bytes(bytes).map_err(|_| invalid("ciphertext"))
}

fn read_share(bytes: &[u8]) -> PyResult<DecryptionShare> {
    let bytes: [u8; 48] = bytes.try_into().map_err(|_| invalid("decryption share"))?;
    DecryptionShare::from_bytes(bytes).map_err(|_| invalid("decryption share"))
}

/// A trusted dealer's key set: `(public key set, [secret key share of each member])`,
/// where any `threshold + 1` of the `members` shares decrypt.
#[pyfunction]
pub fn threshold_deal(py: Python<'_>, threshold: usize, members: usize) -> PyResult<(Py<PyBytes>, Vec<Py<PyBytes>>)> {
    if members == 0 || threshold >= members {
        return Err(PyValueError::new_err("the threshold must be below the number of members"));
    }
    let secret = SecretKeySet::random(threshold, &mut rand::thread_rng());
    let shares = (0..members)
        .map(|i| PyBytes::new(py, &secret.secret_key_share(i).to_bytes()).unbind())
        .collect();
    Ok((PyBytes::new(py, &secret.public_keys().to_bytes()).unbind(), shares))
}

/// The threshold `t` of a public key set (`t + 1` shares decrypt).
#[pyfunction]
pub fn threshold_of(key_set: &[u8]) -> PyResult<usize> {
    Ok(read_key_set(key_set)?.threshold())
}

/// `plaintext` encrypted to the set's public key (fresh randomness each time).
#[pyfunction]
pub fn threshold_encrypt(py: Python<'_>, key_set: &[u8], plaintext: &[u8]) -> PyResult<Py<PyBytes>> {
    let ciphertext = read_key_set(key_set)?.public_key().encrypt(plaintext);
    Ok(PyBytes::new(py, &ciphertext.to_bytes()).unbind())
}

/// Whether `ciphertext` decodes and is well formed (the check against chosen-ciphertext attacks).
#[pyfunction]
pub fn threshold_ciphertext_valid(py: Python<'_>, ciphertext: &[u8]) -> bool {
    py.detach(|| Ciphertext::from_bytes(ciphertext).map(|ct| ct.verify()).unwrap_or(false))
}

/// A member's decryption share of `ciphertext`; ValueError if the share key or the ciphertext is not valid.
#[pyfunction]
pub fn threshold_decryption_share(py: Python<'_>, secret_share: &[u8], ciphertext: &[u8]) -> PyResult<Py<PyBytes>> {
    let bytes: [u8; 32] = secret_share.try_into().map_err(|_| invalid("secret key share"))?;
    let secret = SecretKeyShare::from_bytes(bytes).map_err(|_| invalid("secret key share"))?;
    let ciphertext = read_ciphertext(ciphertext)?;
    let share = py.detach(|| secret.decrypt_share(&ciphertext)).ok_or_else(|| invalid("valid ciphertext"))?;
    Ok(PyBytes::new(py, &share.to_bytes()).unbind())
}

/// Whether `share` is member `index`'s decryption share of `ciphertext` under the set.
#[pyfunction]
pub fn threshold_share_valid(py: Python<'_>, key_set: &[u8], index: usize, share: &[u8], ciphertext: &[u8]) -> PyResult<bool> {
    let key_set = read_key_set(key_set)?;
    let (Ok(share), Ok(ciphertext)) = (read_share(share), read_ciphertext(ciphertext)) else {
        return Ok(false);
    };
    Ok(py.detach(|| key_set.public_key_share(index).verify_decryption_share(&share, &ciphertext)))
}

/// The plaintext of `ciphertext` from members' shares (index to share); ValueError
/// with fewer than `threshold + 1` shares. The shares are not checked here
/// (`threshold_share_valid`): a wrong one gives a wrong plaintext.
#[pyfunction]
pub fn threshold_decrypt(py: Python<'_>, key_set: &[u8], shares: BTreeMap<usize, Vec<u8>>, ciphertext: &[u8]) -> PyResult<Py<PyBytes>> {
    let key_set = read_key_set(key_set)?;
    if shares.len() <= key_set.threshold() {
        return Err(PyValueError::new_err(format!(
            "{} shares cannot decrypt: it takes {}",
            shares.len(),
            key_set.threshold() + 1
        )));
    }
    let shares = shares
        .into_iter()
        .map(|(index, share)| Ok((index, read_share(&share)?)))
        .collect::<PyResult<Vec<_>>>()?;
    let ciphertext = read_ciphertext(ciphertext)?;
    let plaintext = key_set
        .decrypt(shares.iter().map(|(index, share)| (*index, share)), &ciphertext)
        .map_err(|error| PyValueError::new_err(format!("cannot decrypt: {error}")))?;
    Ok(PyBytes::new(py, &plaintext).unbind())
}
