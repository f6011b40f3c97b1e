//! The NumPy `.npy` format, versions 1–3: magic, header length, a Python dict literal
//! (`{'descr': '<f4', 'fortran_order': False, 'shape': (2000, 4096), }`), then raw data.
//!
//! The header is parsed by a small literal parser of our own (never `eval`, never unpickle);
//! object and structured dtypes are refused with the reason.

use super::dtype::{DType, Scalar};
use super::error::{ErrorKind, shape_text};
use super::seq::SeqRead;

/// The six magic bytes that open every .npy file.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

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
            NpyDtype::Str {
                kind: StrKind::Bytes,
                width,
            } => Some(width),
            NpyDtype::Str {
                kind: StrKind::Unicode { .. },
                width,
            } => width.checked_mul(4),
        }
    }
    /// Human name.
    pub fn name(self) -> String {
        match self {
            NpyDtype::Num(d) => d.name(),
            NpyDtype::Str {
                kind: StrKind::Bytes,
                width,
            } => format!("bytes{width}"),
            NpyDtype::Str {
                kind: StrKind::Unicode { .. },
                width,
            } => format!("str{width}"),
        }
    }
}

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
    r.read_exact(&mut pre)
        .map_err(|e| short(e, "shorter than the 8-byte .npy preamble"))?;
    if &pre[..6] != MAGIC {
        return Err(ErrorKind::BadNpyHeader("missing \\x93NUMPY magic".into()));
    }
    let (major, minor) = (pre[6], pre[7]);
    let (len_bytes, utf8) = match major {
        1 => (2usize, false),
        2 => (4, false),
        3 => (4, true),
        _ => {
            return Err(ErrorKind::BadNpyHeader(format!(
                "format version {major}.{minor} is not 1.0, 2.0 or 3.0"
            )));
        }
    };
    let mut lb = [0u8; 4];
    let lb = lb.get_mut(..len_bytes).unwrap_or(&mut []);
    r.read_exact(lb)
        .map_err(|e| short(e, "truncated in the header length"))?;
    let dict_len = lb.iter().rev().fold(0u64, |a, &b| (a << 8) | u64::from(b));
    if dict_len > max_header {
        return Err(ErrorKind::HeaderTooLarge {
            len: dict_len,
            limit: max_header,
        });
    }
    if dict_len > r.remaining() {
        return Err(ErrorKind::BadNpyHeader(format!(
            "header declares {dict_len} bytes but only {} follow",
            r.remaining()
        )));
    }
    let header_len = 8 + len_bytes as u64 + dict_len;
    let mut dict = vec![0u8; dict_len as usize];
    r.read_exact(&mut dict).map_err(|e| {
        short(
            e,
            &format!("header declares {dict_len} bytes but the data ends first"),
        )
    })?;
    let text: String = if utf8 {
        String::from_utf8(dict)
            .map_err(|_| ErrorKind::BadNpyHeader("header is not UTF-8".into()))?
    } else {
        dict.iter().map(|&b| char::from(b)).collect() // latin-1
    };
    parse_dict(&text, header_len)
}

fn short(e: ErrorKind, what: &str) -> ErrorKind {
    match e {
        ErrorKind::Source(super::source::SourceError::OutOfBounds { .. })
        | ErrorKind::Inflate(_) => ErrorKind::BadNpyHeader(what.to_string()),
        other => other,
    }
}

/// Parses the header dict text.
pub fn parse_dict(text: &str, header_len: u64) -> Result<NpyHeader, ErrorKind> {
    let bad = |m: &str| ErrorKind::BadNpyHeader(m.to_string());
    let mut p = Lit {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0).map_err(|m| bad(&m))?;
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
                        Value::Int(n) => {
                            u64::try_from(n).map_err(|_| bad("negative dimension in 'shape'"))
                        }
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
                why: "arrays with named fields are not read; save each field as its own array"
                    .into(),
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
    Ok(NpyHeader {
        dtype,
        fortran_order,
        shape,
        header_len,
        elements,
        data_len,
    })
}

/// Parses a NumPy type string such as `<f4`, `>i8`, `|b1`, `<U12`.
pub fn parse_descr(s: &str) -> Result<NpyDtype, ErrorKind> {
    let refuse = |why: &str| ErrorKind::UnsupportedDtype {
        dtype: format!("'{s}'"),
        why: why.to_string(),
    };
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
    let num = |sc: Scalar| {
        Ok(NpyDtype::Num(DType {
            scalar: sc,
            big_endian,
        }))
    };
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
        (b'U', w) => Ok(NpyDtype::Str {
            kind: StrKind::Unicode { big_endian },
            width: w,
        }),
        (b'S' | b'a', w) => Ok(NpyDtype::Str {
            kind: StrKind::Bytes,
            width: w,
        }),
        (b'c', _) => Err(refuse(
            "complex numbers are not read; save the real part, or abs()",
        )),
        (b'V', _) => Err(refuse("raw void / structured data is not read")),
        (b'M' | b'm', _) => Err(refuse("dates and time deltas are not activations")),
        _ => Err(refuse("unrecognised type string")),
    }
}

/// A value of the Python literal subset NumPy writes.
#[derive(Debug)]
enum Value {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(#[allow(dead_code)] Vec<Value>),
    Dict(Vec<(String, Value)>),
}

struct Lit<'a> {
    s: &'a [u8],
    i: usize,
}

const MAX_DEPTH: usize = 16;
const MAX_ITEMS: usize = 4096;

impl Lit<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("header nests too deeply".into());
        }
        self.ws();
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    if self.eat(b'}') {
                        return Ok(Value::Dict(items));
                    }
                    let Value::Str(k) = self.value(depth + 1)? else {
                        return Err("dict key is not a string".into());
                    };
                    if !self.eat(b':') {
                        return Err("expected ':' in dict".into());
                    }
                    let v = self.value(depth + 1)?;
                    items.push((k, v));
                    if items.len() > MAX_ITEMS {
                        return Err("header dict is too long".into());
                    }
                    if !self.eat(b',') {
                        if self.eat(b'}') {
                            return Ok(Value::Dict(items));
                        }
                        return Err("expected ',' or '}' in dict".into());
                    }
                }
            }
            Some(open @ (b'(' | b'[')) => {
                self.i += 1;
                let close = if open == b'(' { b')' } else { b']' };
                let mut items = Vec::new();
                loop {
                    if self.eat(close) {
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    if items.len() > MAX_ITEMS {
                        return Err("header sequence is too long".into());
                    }
                    if !self.eat(b',') {
                        if self.eat(close) {
                            break;
                        }
                        return Err("expected ',' or closing bracket".into());
                    }
                }
                Ok(if open == b'(' {
                    Value::Tuple(items)
                } else {
                    Value::List(items)
                })
            }
            Some(q @ (b'\'' | b'"')) => {
                self.i += 1;
                let start = self.i;
                while let Some(c) = self.peek() {
                    if c == q {
                        let raw = self.s.get(start..self.i).unwrap_or(&[]);
                        self.i += 1;
                        return Ok(Value::Str(String::from_utf8_lossy(raw).into_owned()));
                    }
                    if c == b'\\' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                Err("unterminated string".into())
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let neg = c == b'-';
                if neg {
                    self.i += 1;
                }
                let mut n: i128 = 0;
                let mut any = false;
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    n = n
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(i128::from(d - b'0')))
                        .filter(|&n| n <= i128::from(u64::MAX))
                        .ok_or("integer too large")?;
                    any = true;
                    self.i += 1;
                }
                if !any {
                    return Err("malformed number".into());
                }
                if matches!(self.peek(), Some(b'L' | b'l')) {
                    self.i += 1; // Python 2 long suffix
                }
                Ok(Value::Int(if neg { -n } else { n }))
            }
            _ => {
                let rest = self.s.get(self.i..).unwrap_or(&[]);
                for (word, v) in [("True", Some(true)), ("False", Some(false)), ("None", None)] {
                    if rest.starts_with(word.as_bytes()) {
                        self.i += word.len();
                        return Ok(v.map_or(Value::None, Value::Bool));
                    }
                }
                Err(format!("unexpected character at offset {}", self.i))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_dict_numpy_writes() {
        let h = parse_dict(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }      \n",
            128,
        )
        .unwrap();
        assert_eq!(h.shape, vec![3, 4]);
        assert_eq!(h.data_len, 48);
        assert!(!h.fortran_order);
        let h = parse_dict(
            "{'descr': '>f8', 'fortran_order': True, 'shape': (5,), }",
            64,
        )
        .unwrap();
        assert_eq!(
            h.dtype,
            NpyDtype::Num(DType {
                scalar: Scalar::F64,
                big_endian: true
            })
        );
        assert_eq!(shape_rows_cols(&h.shape), (5, 1));
        let h = parse_dict(
            "{'descr': '<U7', 'fortran_order': False, 'shape': (2L,)}",
            64,
        )
        .unwrap();
        assert_eq!(h.data_len, 56);
    }

    #[test]
    fn refuses_objects_structures_and_overflow() {
        assert!(matches!(
            parse_dict(
                "{'descr': '|O', 'fortran_order': False, 'shape': (3,), }",
                64
            ),
            Err(ErrorKind::Pickle(_))
        ));
        assert!(matches!(
            parse_dict(
                "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }",
                64
            ),
            Err(ErrorKind::UnsupportedDtype { .. })
        ));
        assert!(matches!(
            parse_dict(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
                64
            ),
            Err(ErrorKind::ShapeOverflow(_))
        ));
        assert!(
            parse_dict(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }",
                64
            )
            .is_err()
        );
        assert!(parse_dict(&"[".repeat(10_000), 64).is_err());
        assert!(
            parse_dict(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
                64
            )
            .is_err()
        );
    }
}
