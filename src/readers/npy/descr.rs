//! NumPy element types (`descr`): numbers for layers, fixed-width strings for labels; object,
//! structured, complex and date types are refused with the reason.

use crate::readers::dtype::{DType, Scalar};
use crate::readers::error::ErrorKind;

/// What a 1-D array of strings stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    /// `S`: bytes, `width` per element.
    Bytes,
    /// `U`: UTF-32 code points, `width` per element (4·width bytes).
    Unicode {
        /// Big-endian code points.
        big_endian: bool,
    },
}

/// The element type of a .npy array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpyDtype {
    /// Numbers.
    Num(DType),
    /// Fixed-width strings (accepted for labels only).
    Str {
        /// Bytes or UTF-32.
        kind: StrKind,
        /// Characters per element.
        width: u64,
    },
}

impl NpyDtype {
    /// Bytes per element.
    pub fn item_size(self) -> Option<u64> {
        match self {
            NpyDtype::Num(d) => Some(d.size() as u64),
            NpyDtype::Str { kind: StrKind::Bytes, width } => Some(width),
            NpyDtype::Str { kind: StrKind::Unicode { .. }, width } => width.checked_mul(4),
        }
    }
    /// Human name.
    pub fn name(self) -> String {
        match self {
            NpyDtype::Num(d) => d.name(),
            NpyDtype::Str { kind: StrKind::Bytes, width } => format!("bytes{width}"),
            NpyDtype::Str { kind: StrKind::Unicode { .. }, width } => format!("str{width}"),
        }
    }
}

/// Parses a NumPy type string such as `<f4`, `>i8`, `|b1`, `<U12`.
pub fn parse_descr(s: &str) -> Result<NpyDtype, ErrorKind> {
    let refuse = |why: &str| ErrorKind::UnsupportedDtype { dtype: format!("'{s}'"), why: why.to_string() };
    let b = s.as_bytes();
    let (order, rest) = match b.first() {
        Some(&c @ (b'<' | b'>' | b'|' | b'=')) => (c, b.get(1..).unwrap_or(&[])),
        _ => (b'=', b),
    };
    let big_endian = order == b'>';
    let Some((&kind, digits)) = rest.split_first() else {
        return Err(refuse("empty type string"));
    };
    if kind == b'O' {
        return Err(ErrorKind::Pickle(
            "object array (dtype 'O'): its elements are pickled Python objects, which idscope \
             never unpickles; save a numeric array instead (np.asarray(x, dtype=np.float32))"
                .into(),
        ));
    }
    let size: u64 = if digits.is_empty() {
        0
    } else {
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| refuse("unrecognised type string"))?
    };
    use Scalar::*;
    let num = |sc: Scalar| Ok(NpyDtype::Num(DType { scalar: sc, big_endian }));
    match (kind, size) {
        (b'f', 2) => num(F16),
        (b'f', 4) => num(F32),
        (b'f', 8) => num(F64),
        (b'f', _) => Err(refuse("only float16, float32 and float64 are read")),
        (b'i', 1) => num(I8),
        (b'i', 2) => num(I16),
        (b'i', 4) => num(I32),
        (b'i', 8) => num(I64),
        (b'u', 1) => num(U8),
        (b'u', 2) => num(U16),
        (b'u', 4) => num(U32),
        (b'u', 8) => num(U64),
        (b'b', 1) | (b'?', _) => num(Bool),
        (b'U', w) => Ok(NpyDtype::Str { kind: StrKind::Unicode { big_endian }, width: w }),
        (b'S' | b'a', w) => Ok(NpyDtype::Str { kind: StrKind::Bytes, width: w }),
        (b'c', _) => Err(refuse("complex numbers are not read; save the real part, or abs()")),
        (b'V', _) => Err(refuse("raw void / structured data is not read")),
        (b'M' | b'm', _) => Err(refuse("dates and time deltas are not activations")),
        _ => Err(refuse("unrecognised type string")),
    }
}
