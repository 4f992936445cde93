//! snarkjs's and circom's binary files (`.zkey`, `.wtns`, `.r1cs`): reading
//! them with bounds and range checks, and writing them.
//!
//! Layout (little-endian): a 4-byte magic, a u32 version, a u32 section count,
//! then sections of (u32 type, u64 size, bytes). Field elements and points in
//! a zkey are in Montgomery form (a point at infinity is all zeros); its A/B
//! matrix coefficients are in Montgomery form twice (x R^2); witness values and
//! r1cs coefficients are plain.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField, Zero};

/// Why a file cannot be used to prove.
#[derive(Debug)]
pub enum FileError {
    /// The file could not be read.
    Io(String),
    /// The file is not a well-formed zkey or witness of this curve.
    Malformed(String),
}

pub fn malformed<T>(message: impl Into<String>) -> Result<T, FileError> {
    Err(FileError::Malformed(message.into()))
}

/// The sections of a binary file of snarkjs, by type.
pub struct BinFile {
    bytes: Vec<u8>,
    sections: HashMap<u32, (usize, usize)>,
}

impl BinFile {
    pub fn read(path: &Path, magic: &[u8; 4]) -> Result<Self, FileError> {
        let bytes = fs::read(path).map_err(|error| FileError::Io(format!("{}: {error}", path.display())))?;
        let mut reader = Reader::new(&bytes);
        if reader.take(4)? != magic {
            return malformed(format!("{} is not a {} file", path.display(), String::from_utf8_lossy(magic)));
        }
        let _version = reader.u32()?;
        let count = reader.u32()?;
        let mut sections = HashMap::new();
        for _ in 0..count {
            let kind = reader.u32()?;
            let size = usize::try_from(reader.u64()?).or_else(|_| malformed("section too large"))?;
            let start = reader.position;
            reader.take(size)?;
            if sections.insert(kind, (start, size)).is_some() {
                return malformed(format!("section {kind} appears twice"));
            }
        }
        Ok(Self { bytes, sections })
    }

    pub fn section(&self, kind: u32) -> Result<Reader<'_>, FileError> {
        match self.sections.get(&kind) {
            Some(&(start, size)) => Ok(Reader::new(&self.bytes[start..start + size])),
            None => malformed(format!("section {kind} is missing")),
        }
    }
}

/// Reads little-endian values from a byte slice, refusing to run past its end.
pub struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], FileError> {
        let end = self.position.checked_add(count).filter(|&end| end <= self.bytes.len());
        match end {
            Some(end) => {
                let slice = &self.bytes[self.position..end];
                self.position = end;
                Ok(slice)
            }
            None => malformed("the file ends early"),
        }
    }

    pub fn u32(&mut self) -> Result<u32, FileError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    pub fn u64(&mut self) -> Result<u64, FileError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    pub fn count(&mut self) -> Result<usize, FileError> {
        Ok(self.u32()? as usize)
    }

    pub fn big_int(&mut self) -> Result<BigInt<4>, FileError> {
        let bytes = self.take(32)?;
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
            *limb = u64::from_le_bytes(chunk.try_into().expect("8-byte chunk"));
        }
        Ok(BigInt::new(limbs))
    }

    /// A field size header: a u32 byte count (32) and the modulus, which must be `expected`.
    pub fn modulus(&mut self, expected: BigInt<4>, what: &str) -> Result<(), FileError> {
        if self.u32()? != 32 || self.big_int()? != expected {
            return malformed(format!("{what} is not BN254's"));
        }
        Ok(())
    }

    /// A plain scalar, which must be below the scalar field's modulus.
    pub fn scalar(&mut self) -> Result<Fr, FileError> {
        Fr::from_bigint(self.big_int()?).map_or_else(|| malformed("a value is not an element of the scalar field"), Ok)
    }

    /// A base field element stored in Montgomery form.
    pub fn fq_montgomery(&mut self) -> Result<Fq, FileError> {
        let raw = self.big_int()?;
        if raw >= Fq::MODULUS {
            return malformed("a coordinate is not a field element");
        }
        Ok(Fq::new_unchecked(raw))
    }

    /// A matrix coefficient, stored as x R^2 (Montgomery form twice).
    pub fn coefficient(&mut self) -> Result<Fr, FileError> {
        let raw = self.big_int()?;
        if raw >= Fr::MODULUS {
            return malformed("a coefficient is not a field element");
        }
        Ok(Fr::new_unchecked(Fr::new_unchecked(raw).into_bigint()))
    }

    pub fn g1(&mut self) -> Result<G1Affine, FileError> {
        let (x, y) = (self.fq_montgomery()?, self.fq_montgomery()?);
        if x.is_zero() && y.is_zero() {
            return Ok(G1Affine::identity());
        }
        let point = G1Affine::new_unchecked(x, y);
        if !point.is_on_curve() {
            return malformed("a G1 point is not on the curve");
        }
        Ok(point)
    }

    pub fn g2(&mut self) -> Result<G2Affine, FileError> {
        let x = Fq2::new(self.fq_montgomery()?, self.fq_montgomery()?);
        let y = Fq2::new(self.fq_montgomery()?, self.fq_montgomery()?);
        if x.is_zero() && y.is_zero() {
            return Ok(G2Affine::identity());
        }
        let point = G2Affine::new_unchecked(x, y);
        if !point.is_on_curve() {
            return malformed("a G2 point is not on the curve");
        }
        Ok(point)
    }

    pub fn g1_points(&mut self, count: usize) -> Result<Vec<G1Affine>, FileError> {
        (0..count).map(|_| self.g1()).collect()
    }

    pub fn g2_points(&mut self, count: usize) -> Result<Vec<G2Affine>, FileError> {
        (0..count).map(|_| self.g2()).collect()
    }

    pub fn finish(&self, what: &str) -> Result<(), FileError> {
        if self.position != self.bytes.len() {
            return malformed(format!("{what} has trailing bytes"));
        }
        Ok(())
    }
}

/// Writes a binary file section by section; each section's size is patched in when it ends.
pub struct Writer {
    file: io::BufWriter<fs::File>,
    section_start: Option<u64>,
}

impl Writer {
    /// Create `path` (replacing it) with the header of a file of `sections` sections.
    pub fn create(path: &Path, magic: &[u8; 4], version: u32, sections: u32) -> io::Result<Self> {
        let mut writer = Self { file: io::BufWriter::new(fs::File::create(path)?), section_start: None };
        writer.file.write_all(magic)?;
        writer.u32(version)?;
        writer.u32(sections)?;
        Ok(writer)
    }

    /// Open section `kind`; the previous one must have been ended.
    pub fn start_section(&mut self, kind: u32) -> io::Result<()> {
        assert!(self.section_start.is_none(), "sections do not nest");
        self.u32(kind)?;
        self.u64(0)?;
        self.section_start = Some(self.file.stream_position()?);
        Ok(())
    }

    /// Close the open section, writing its size into its header.
    pub fn end_section(&mut self) -> io::Result<()> {
        let start = self.section_start.take().expect("a section is open");
        let end = self.file.stream_position()?;
        self.file.seek(SeekFrom::Start(start - 8))?;
        self.u64(end - start)?;
        self.file.seek(SeekFrom::Start(end))?;
        Ok(())
    }

    /// Flush everything to the file and sync it to disk.
    pub fn finish(self) -> io::Result<()> {
        assert!(self.section_start.is_none(), "every section is ended");
        let file = self.file.into_inner().map_err(|error| error.into_error())?;
        file.sync_all()
    }

    pub fn u32(&mut self, value: u32) -> io::Result<()> {
        self.file.write_all(&value.to_le_bytes())
    }

    pub fn u64(&mut self, value: u64) -> io::Result<()> {
        self.file.write_all(&value.to_le_bytes())
    }

    /// A count, which every file format here keeps in a u32.
    pub fn count(&mut self, value: usize) -> io::Result<()> {
        let value = u32::try_from(value).map_err(|_| io::Error::other("a count does not fit in 32 bits"))?;
        self.u32(value)
    }

    pub fn big_int(&mut self, value: BigInt<4>) -> io::Result<()> {
        for limb in value.0 {
            self.file.write_all(&limb.to_le_bytes())?;
        }
        Ok(())
    }

    /// A field size header: the byte count 32 and the modulus.
    pub fn modulus(&mut self, modulus: BigInt<4>) -> io::Result<()> {
        self.u32(32)?;
        self.big_int(modulus)
    }

    /// A matrix coefficient as `Reader::coefficient` reads it: x R^2.
    pub fn coefficient(&mut self, value: Fr) -> io::Result<()> {
        let once = Fr::from_bigint(value.0).expect("a Montgomery representation is below the modulus");
        self.big_int(once.0)
    }

    fn fq_montgomery(&mut self, value: Fq) -> io::Result<()> {
        self.big_int(value.0)
    }

    pub fn g1(&mut self, point: &G1Affine) -> io::Result<()> {
        let (x, y) = point.xy().unwrap_or((Fq::zero(), Fq::zero()));
        self.fq_montgomery(x)?;
        self.fq_montgomery(y)
    }

    pub fn g2(&mut self, point: &G2Affine) -> io::Result<()> {
        let (x, y) = point.xy().unwrap_or((Fq2::zero(), Fq2::zero()));
        for coordinate in [x.c0, x.c1, y.c0, y.c1] {
            self.fq_montgomery(coordinate)?;
        }
        Ok(())
    }
}
