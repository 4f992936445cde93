//! Threshold encryption for the sequencer set's encrypted orders, over the
//! `blsttc` crate (BLS12-381; the Baek-Zheng scheme: a ciphertext anyone can
//! check, decryption shares anyone can check against the member's public key
//! share, and any `threshold + 1` valid shares decrypt).
//!
//! Everything crosses the boundary as bytes in `blsttc`'s own encodings:
//! a public key set (its commitment), a secret key share (32 bytes), a
//! ciphertext, a decryption share (48 bytes). A member's index is its
//! position in the set, from 0. The set's keys come from a distributed key
//! generation (`threshold_dkg_*`), so no one ever holds the whole secret.

use std::collections::BTreeMap;

use blsttc::blstrs::{Bls12, G1Affine, G1Projective, G2Affine, G2Prepared, Scalar};
use blsttc::group::prime::PrimeCurveAffine;
use blsttc::group::{Curve, Group};
use blsttc::poly::Commitment;
use blsttc::{hash_g2, Ciphertext, DecryptionShare, PublicKey, PublicKeySet, SecretKey, SecretKeySet, SecretKeyShare};
use pairing::{MillerLoopResult, MultiMillerLoop};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rand::Rng;
use tiny_keccak::{Hasher, Sha3};

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

/// A member's decryption share of `ciphertext`, which the caller has found
/// well formed (`threshold_ciphertext_valid`): it is not checked again here.
/// ValueError if the share key or the ciphertext does not decode.
#[pyfunction]
pub fn threshold_decryption_share(py: Python<'_>, secret_share: &[u8], ciphertext: &[u8]) -> PyResult<Py<PyBytes>> {
    let bytes: [u8; 32] = secret_share.try_into().map_err(|_| invalid("secret key share"))?;
    let secret = SecretKeyShare::from_bytes(bytes).map_err(|_| invalid("secret key share"))?;
    let ciphertext = read_ciphertext(ciphertext)?;
    let share = secret.decrypt_share_no_verify(&ciphertext);
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

// ---------------------------------------------------------------- distributed key generation
//
// Joint-Feldman: every member deals a random polynomial of degree t, publishes
// its commitment and sends member j its value at j, encrypted to member j's
// key; member j checks each value against its dealer's commitment and adds
// them up. The set's key is the sum of the commitments; no one ever holds its
// secret (the sum of the dealers' secrets), and any t + 1 members' summed
// shares decrypt, as a dealt key's would.

/// A member's key pair for receiving its shares: `(secret 32 bytes, public 48 bytes)`.
#[pyfunction]
pub fn threshold_dkg_key(py: Python<'_>) -> (Py<PyBytes>, Py<PyBytes>) {
    let secret = SecretKey::random();
    let public = secret.public_key().to_bytes();
    (PyBytes::new(py, &secret.to_bytes()).unbind(), PyBytes::new(py, &public).unbind())
}

fn read_public_key(bytes: &[u8]) -> PyResult<PublicKey> {
    let bytes: [u8; 48] = bytes.try_into().map_err(|_| invalid("public key"))?;
    PublicKey::from_bytes(bytes).map_err(|_| invalid("public key"))
}

fn read_secret_share(bytes: &[u8]) -> PyResult<SecretKeyShare> {
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| invalid("secret key share"))?;
    SecretKeyShare::from_bytes(bytes).map_err(|_| invalid("secret key share"))
}

/// One member's dealing for a set whose members' share-receiving keys are
/// `members` (in member order), any `threshold + 1` of which will decrypt:
/// `(commitment, [its value for member j, encrypted to member j's key])`.
#[pyfunction]
pub fn threshold_dkg_deal(py: Python<'_>, threshold: usize, members: Vec<Vec<u8>>) -> PyResult<(Py<PyBytes>, Vec<Py<PyBytes>>)> {
    if members.is_empty() || threshold >= members.len() {
        return Err(PyValueError::new_err("the threshold must be below the number of members"));
    }
    let keys = members.iter().map(|key| read_public_key(key)).collect::<PyResult<Vec<_>>>()?;
    let secret = SecretKeySet::random(threshold, &mut rand::thread_rng());
    let values = keys
        .iter()
        .enumerate()
        .map(|(j, key)| PyBytes::new(py, &key.encrypt(secret.secret_key_share(j).to_bytes()).to_bytes()).unbind())
        .collect();
    Ok((PyBytes::new(py, &secret.public_keys().to_bytes()).unbind(), values))
}

/// Member `member`'s value from one dealing: decrypted with its receiving
/// key and checked against the dealer's commitment (ValueError naming what
/// is wrong: a malformed ciphertext, or a value the commitment denies, as
/// is what a ciphertext for another key decrypts to).
#[pyfunction]
pub fn threshold_dkg_receive(py: Python<'_>, secret_key: &[u8], member: usize, commitment: &[u8], value: &[u8]) -> PyResult<Py<PyBytes>> {
    let bytes: [u8; 32] = secret_key.try_into().map_err(|_| invalid("secret key"))?;
    let secret = SecretKey::from_bytes(bytes).map_err(|_| invalid("secret key"))?;
    let commitment = read_key_set(commitment)?;
    let ciphertext = read_ciphertext(value)?;
    if !ciphertext.verify() {
        return Err(invalid("well-formed ciphertext"));
    }
    let plaintext = secret.decrypt(&ciphertext).ok_or_else(|| invalid("well-formed ciphertext"))?;
    let denied = || PyValueError::new_err("the dealer's value does not match its commitment");
    let share = read_secret_share(&plaintext).map_err(|_| denied())?;
    if share.public_key_share() != commitment.public_key_share(member) {
        return Err(denied());
    }
    Ok(PyBytes::new(py, &share.to_bytes()).unbind())
}

/// The set's public key set (the sum of every dealing's commitment) and
/// member `member`'s secret share (the sum of its values), checked against
/// each other; ValueError if the commitments differ in threshold.
#[pyfunction]
pub fn threshold_dkg_combine(py: Python<'_>, member: usize, commitments: Vec<Vec<u8>>, values: Vec<Vec<u8>>) -> PyResult<(Py<PyBytes>, Py<PyBytes>)> {
    if commitments.is_empty() || commitments.len() != values.len() {
        return Err(PyValueError::new_err("one value from each dealing, and at least one dealing"));
    }
    let mut sum: Option<Commitment> = None;
    for bytes in &commitments {
        let commitment = Commitment::from_bytes(read_key_set(bytes)?.to_bytes()).map_err(|_| invalid("commitment"))?;
        sum = Some(match sum {
            None => commitment,
            Some(total) if total.degree() == commitment.degree() => total + commitment,
            Some(_) => return Err(PyValueError::new_err("the dealings' thresholds differ")),
        });
    }
    let key_set = PublicKeySet::from(sum.expect("at least one dealing"));
    let mut secret = Scalar::from(0u64);
    for bytes in &values {
        let bytes: [u8; 32] = read_secret_share(bytes)?.to_bytes();
        secret += Option::<Scalar>::from(Scalar::from_bytes_be(&bytes)).ok_or_else(|| invalid("secret key share"))?;
    }
    let share = SecretKeyShare::from_mut(&mut secret);
    if share.public_key_share() != key_set.public_key_share(member) {
        return Err(PyValueError::new_err("the summed share does not match the summed commitments"));
    }
    Ok((PyBytes::new(py, &key_set.to_bytes()).unbind(), PyBytes::new(py, &share.to_bytes()).unbind()))
}

/// A compressed G1 point, if it decodes (in the subgroup).
fn g1(bytes: &[u8]) -> Option<G1Affine> {
    Option::from(G1Affine::from_compressed(bytes.try_into().ok()?))
}

/// A compressed G2 point, if it decodes (in the subgroup).
fn g2(bytes: &[u8]) -> Option<G2Affine> {
    Option::from(G2Affine::from_compressed(bytes.try_into().ok()?))
}

/// The hash a ciphertext's `(U, V)` is checked against, as `blsttc` computes it
/// (its own function is private): `V`, or its SHA3-256 when longer than 64
/// bytes, then `U` compressed, hashed to G2. `threshold_shares_valid` is
/// checked against `blsttc`'s own share check in the tests.
fn hash_g1_g2(u: &G1Affine, v: &[u8]) -> G2Affine {
    let mut message = if v.len() > 64 {
        let mut digest = [0u8; 32];
        let mut sha3 = Sha3::v256();
        sha3.update(v);
        sha3.finalize(&mut digest);
        digest.to_vec()
    } else {
        v.to_vec()
    };
    message.extend(u.to_compressed());
    hash_g2(&message)
}

/// The batch check of `threshold_shares_valid`, off the GIL.
fn batch_valid(key_set: &PublicKeySet, shares: &[(usize, Vec<u8>, Vec<u8>)]) -> bool {
    let mut by_ciphertext: BTreeMap<&[u8], Vec<(usize, &[u8])>> = BTreeMap::new();
    for (member, share, ciphertext) in shares {
        by_ciphertext.entry(ciphertext).or_default().push((*member, share));
    }
    let mut rng = rand::thread_rng();
    let mut terms: Vec<(G1Affine, G2Prepared)> = Vec::with_capacity(2 * by_ciphertext.len());
    for (ciphertext, items) in by_ciphertext {
        // A ciphertext is U (48 bytes), W (96), then V (`Ciphertext::to_bytes`).
        if ciphertext.len() < 48 + 96 + 1 {
            return false;
        }
        let (Some(u), Some(w)) = (g1(&ciphertext[..48]), g2(&ciphertext[48..144])) else {
            return false;
        };
        let hash = hash_g1_g2(&u, &ciphertext[144..]);
        let (mut shares_sum, mut keys_sum) = (G1Projective::identity(), G1Projective::identity());
        for (member, share) in items {
            let (Some(share), Some(key)) = (g1(share), g1(&key_set.public_key_share(member).to_bytes())) else {
                return false;
            };
            let weight = Scalar::from(rng.gen::<u64>() | 1);
            shares_sum += share.to_curve() * weight;
            keys_sum += key.to_curve() * weight;
        }
        terms.push((shares_sum.to_affine(), G2Prepared::from(hash)));
        terms.push(((-keys_sum).to_affine(), G2Prepared::from(w)));
    }
    let refs: Vec<(&G1Affine, &G2Prepared)> = terms.iter().map(|(p, q)| (p, q)).collect();
    bool::from(Bls12::multi_miller_loop(&refs).final_exponentiation().is_identity())
}

/// Whether every `(member, share, ciphertext)` is that member's decryption
/// share of that ciphertext under the set: one batch check, with a random
/// 64-bit weight for each share (a wrong share passes with probability
/// 2^-64), in one multi-pairing of two terms a ciphertext rather than two
/// pairings a share. False if anything does not decode.
#[pyfunction]
pub fn threshold_shares_valid(py: Python<'_>, key_set: &[u8], shares: Vec<(usize, Vec<u8>, Vec<u8>)>) -> PyResult<bool> {
    let key_set = read_key_set(key_set)?;
    Ok(py.detach(|| batch_valid(&key_set, &shares)))
}
