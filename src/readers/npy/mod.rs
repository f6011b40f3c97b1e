//! The NumPy `.npy` format, versions 1–3: magic, header length, a Python dict literal
//! (`{'descr': '<f4', 'fortran_order': False, 'shape': (2000, 4096), }`), then raw data.
//!
//! The header is parsed by a small literal parser of our own (never `eval`, never unpickle);
//! object and structured dtypes are refused with the reason.

mod descr;
mod literal;

pub use descr::{NpyDtype, StrKind, parse_descr};

use super::error::{ErrorKind, shape_text};
use super::seq::SeqRead;
use literal::Value;

/// The six magic bytes that open every .npy file.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// A parsed .npy header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    /// Element type.
    pub dtype: NpyDtype,
    /// Column-major storage.
    pub fortran_order: bool,
    /// Shape as declared.
    pub shape: Vec<u64>,
    /// Bytes before the data (magic + lengths + dict).
    pub header_len: u64,
    /// Product of the shape.
    pub elements: u64,
    /// elements × item size.
    pub data_len: u64,
}

/// Rows (first dimension) and columns (product of the rest; 1 for a 1-D array) of a shape
/// whose full product was already checked not to overflow.
pub fn shape_rows_cols(shape: &[u64]) -> (u64, u64) {
    match shape.split_first() {
        None => (1, 1),
        Some((&n, rest)) => (n, rest.iter().fold(1u64, |a, &d| a.saturating_mul(d))),
    }
}

/// Reads and parses a .npy header from the start of `r`; `max_header` caps the dict length.
pub fn read_header(r: &mut dyn SeqRead, max_header: u64) -> Result<NpyHeader, ErrorKind> {
    let mut pre = [0u8; 8];
    r.read_exact(&mut pre).map_err(|e| short(e, "shorter than the 8-byte .npy preamble"))?;
    if &pre[..6] != MAGIC {
        return Err(ErrorKind::BadNpyHeader("missing \\x93NUMPY magic".into()));
    }
    let (major, minor) = (pre[6], pre[7]);
    let (len_bytes, utf8) = match major {
        1 => (2usize, false),
        2 => (4, false),
        3 => (4, true),
        _ => {
            return Err(ErrorKind::BadNpyHeader(format!("format version {major}.{minor} is not 1.0, 2.0 or 3.0")));
        }
    };
    let mut lb = [0u8; 4];
    let lb = lb.get_mut(..len_bytes).unwrap_or(&mut []);
    r.read_exact(lb).map_err(|e| short(e, "truncated in the header length"))?;
    let dict_len = lb.iter().rev().fold(0u64, |a, &b| (a << 8) | u64::from(b));
    if dict_len > max_header {
        return Err(ErrorKind::HeaderTooLarge { len: dict_len, limit: max_header });
    }
    if dict_len > r.remaining() {
        return Err(ErrorKind::BadNpyHeader(format!(
            "header declares {dict_len} bytes but only {} follow",
            r.remaining()
        )));
    }
    let header_len = 8 + len_bytes as u64 + dict_len;
    let mut dict = vec![0u8; dict_len as usize];
    r.read_exact(&mut dict)
        .map_err(|e| short(e, &format!("header declares {dict_len} bytes but the data ends first")))?;
    let text: String = if utf8 {
        String::from_utf8(dict).map_err(|_| ErrorKind::BadNpyHeader("header is not UTF-8".into()))?
    } else {
        dict.iter().map(|&b| char::from(b)).collect() // latin-1
    };
    parse_dict(&text, header_len)
}

fn short(e: ErrorKind, what: &str) -> ErrorKind {
    match e {
        ErrorKind::Source(crate::readers::source::SourceError::OutOfBounds { .. }) | ErrorKind::Inflate(_) => {
            ErrorKind::BadNpyHeader(what.to_string())
        }
        other => other,
    }
}

/// Parses the header dict text.
pub fn parse_dict(text: &str, header_len: u64) -> Result<NpyHeader, ErrorKind> {
    let bad = |m: &str| ErrorKind::BadNpyHeader(m.to_string());
    let v = literal::parse(text).map_err(|m| bad(&m))?;
    let Value::Dict(items) = v else {
        return Err(bad("header is not a dict"));
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    for (k, v) in items {
        match (k.as_str(), v) {
            ("descr", v) => descr = Some(v),
            ("fortran_order", Value::Bool(b)) => fortran = Some(b),
            ("fortran_order", _) => return Err(bad("'fortran_order' is not True/False")),
            ("shape", Value::Tuple(t)) => {
                let dims = t
                    .into_iter()
                    .map(|d| match d {
                        Value::Int(n) => u64::try_from(n).map_err(|_| bad("negative dimension in 'shape'")),
                        _ => Err(bad("'shape' holds something other than integers")),
                    })
                    .collect::<Result<Vec<u64>, _>>()?;
                shape = Some(dims);
            }
            ("shape", _) => return Err(bad("'shape' is not a tuple")),
            _ => {} // unknown keys are ignored, as NumPy ignores none but tolerates extras poorly
        }
    }
    let descr = descr.ok_or_else(|| bad("no 'descr' key"))?;
    let fortran_order = fortran.ok_or_else(|| bad("no 'fortran_order' key"))?;
    let shape = shape.ok_or_else(|| bad("no 'shape' key"))?;
    let dtype = match descr {
        Value::Str(s) => parse_descr(&s)?,
        Value::List(_) => {
            return Err(ErrorKind::UnsupportedDtype {
                dtype: "structured (record) dtype".into(),
                why: "arrays with named fields are not read; save each field as its own array".into(),
            });
        }
        _ => return Err(bad("'descr' is neither a string nor a list")),
    };
    let elements = shape
        .iter()
        .try_fold(1u64, |a, &d| a.checked_mul(d))
        .ok_or_else(|| ErrorKind::ShapeOverflow(shape_text(&shape)))?;
    let data_len = dtype
        .item_size()
        .and_then(|s| s.checked_mul(elements))
        .ok_or_else(|| ErrorKind::ShapeOverflow(shape_text(&shape)))?;
    Ok(NpyHeader { dtype, fortran_order, shape, header_len, elements, data_len })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::dtype::{DType, Scalar};

    #[test]
    fn parses_the_dict_numpy_writes() {
        let h = parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }      \n", 128).unwrap();
        assert_eq!(h.shape, vec![3, 4]);
        assert_eq!(h.data_len, 48);
        assert!(!h.fortran_order);
        let h = parse_dict("{'descr': '>f8', 'fortran_order': True, 'shape': (5,), }", 64).unwrap();
        assert_eq!(h.dtype, NpyDtype::Num(DType { scalar: Scalar::F64, big_endian: true }));
        assert_eq!(shape_rows_cols(&h.shape), (5, 1));
        let h = parse_dict("{'descr': '<U7', 'fortran_order': False, 'shape': (2L,)}", 64).unwrap();
        assert_eq!(h.data_len, 56);
    }

    #[test]
    fn refuses_objects_structures_and_overflow() {
        assert!(matches!(
            parse_dict("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", 64),
            Err(ErrorKind::Pickle(_))
        ));
        assert!(matches!(
            parse_dict("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }", 64),
            Err(ErrorKind::UnsupportedDtype { .. })
        ));
        assert!(matches!(
            parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 64),
            Err(ErrorKind::ShapeOverflow(_))
        ));
        assert!(parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", 64).is_err());
        assert!(parse_dict(&"[".repeat(10_000), 64).is_err());
        assert!(
            parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", 64).is_err()
        );
    }
}
