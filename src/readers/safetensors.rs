//! safetensors: `u64` little-endian header length, a JSON header
//! (`{"name": {"dtype": "F32", "shape": [N, D], "data_offsets": [begin, end]}, "__metadata__": {…}}`),
//! then the data section. Parsed here with `serde_json` rather than the `safetensors` crate, which
//! wants the whole file in memory; every offset is checked against the data section and against
//! the other tensors.

use serde_json::Value;

use super::Limits;
use super::dtype::{DType, Scalar};
use super::error::{ErrorKind, group_digits, shape_text};

/// The 8-byte length prefix plus the opening brace that identify a safetensors file.
pub fn sniff(head: &[u8], file_len: u64) -> bool {
    let Some(n) = head.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes) else {
        return false;
    };
    // Text never has NUL bytes, so a length below 2^48 plus a brace is a safe sign; lengths past
    // the end of the file are then reported as a broken safetensors file, not as unknown.
    let _ = file_len;
    (2..(1 << 48)).contains(&n) && head.get(8) == Some(&b'{')
}

/// One tensor entry of the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Name.
    pub name: String,
    /// Declared dtype string (`F32`, `BF16`, …).
    pub dtype_text: String,
    /// The element type, or why it is refused.
    pub dtype: Result<DType, String>,
    /// Shape.
    pub shape: Vec<u64>,
    /// Absolute offset of the data in the file.
    pub offset: u64,
    /// Bytes.
    pub len: u64,
}

/// Header contents.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Header {
    /// Tensors in header order.
    pub tensors: Vec<Tensor>,
    /// `__metadata__`.
    pub metadata: Vec<(String, String)>,
}

fn bad(m: impl Into<String>) -> ErrorKind {
    ErrorKind::BadSafetensors(m.into())
}

fn dtype_of(s: &str) -> Result<DType, String> {
    use Scalar::*;
    let sc = match s {
        "BOOL" => Bool,
        "U8" => U8,
        "I8" => I8,
        "U16" => U16,
        "I16" => I16,
        "U32" => U32,
        "I32" => I32,
        "U64" => U64,
        "I64" => I64,
        "F16" => F16,
        "BF16" => BF16,
        "F32" => F32,
        "F64" => F64,
        s if s.starts_with("F8") || s.starts_with("F6") || s.starts_with("F4") => {
            return Err(format!(
                "{s} is an 8-bit-or-smaller float format, not read; save activations as F16, BF16 or F32"
            ));
        }
        s if s.starts_with('C') => {
            return Err(format!("{s} is complex; save the real part or the magnitude"));
        }
        s => return Err(format!("{s} is not a safetensors dtype idscope knows")),
    };
    Ok(DType::le(sc))
}

/// Element sizes of refused-but-known dtypes, to check their offsets too.
fn size_of_refused(s: &str) -> Option<u64> {
    match s {
        s if s.starts_with("F8") => Some(1),
        "C64" => Some(8),
        "C128" => Some(16),
        _ => None,
    }
}

/// Parses the JSON header `json` of a file of `file_len` bytes whose header length is `n`.
pub fn parse_header(json: &[u8], file_len: u64) -> Result<Header, ErrorKind> {
    let n = json.len() as u64;
    let data_start = 8 + n;
    let data_len = file_len.saturating_sub(data_start);
    let v: Value = serde_json::from_slice(json).map_err(|e| bad(format!("header is not valid JSON ({e})")))?;
    let Value::Object(map) = v else {
        return Err(bad("header is not a JSON object"));
    };
    let mut header = Header::default();
    for (name, entry) in map {
        if name == "__metadata__" {
            let Value::Object(meta) = entry else {
                return Err(bad("__metadata__ is not an object"));
            };
            for (k, v) in meta {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                header.metadata.push((k, text));
            }
            continue;
        }
        let e = |m: &str| bad(format!("tensor \"{name}\": {m}"));
        let dtype_text =
            entry.get("dtype").and_then(Value::as_str).ok_or_else(|| e("no \"dtype\" string"))?.to_string();
        let shape = entry
            .get("shape")
            .and_then(Value::as_array)
            .ok_or_else(|| e("no \"shape\" array"))?
            .iter()
            .map(|d| d.as_u64().ok_or_else(|| e("shape holds something other than non-negative integers")))
            .collect::<Result<Vec<u64>, _>>()?;
        let offs = entry.get("data_offsets").and_then(Value::as_array).ok_or_else(|| e("no \"data_offsets\" array"))?;
        let (begin, end) = match offs.as_slice() {
            [a, b] => (
                a.as_u64().ok_or_else(|| e("data_offsets are not non-negative integers"))?,
                b.as_u64().ok_or_else(|| e("data_offsets are not non-negative integers"))?,
            ),
            _ => return Err(e("data_offsets is not [begin, end]")),
        };
        if begin > end || end > data_len {
            return Err(e(&format!(
                "data_offsets [{begin}, {end}] lie outside the data section ({} bytes)",
                group_digits(data_len)
            )));
        }
        let dtype = dtype_of(&dtype_text);
        let item = match &dtype {
            Ok(d) => Some(d.size() as u64),
            Err(_) => size_of_refused(&dtype_text),
        };
        let elements = shape
            .iter()
            .try_fold(1u64, |a, &d| a.checked_mul(d))
            .ok_or_else(|| e(&format!("shape {} overflows", shape_text(&shape))))?;
        if let Some(item) = item {
            let want = elements.checked_mul(item).ok_or_else(|| e("byte size overflows"))?;
            if want != end - begin {
                let kind = if want > end - begin { "holds fewer" } else { "holds more" };
                return Err(e(&format!(
                    "shape {} {dtype_text} needs {} bytes, data_offsets {kind} ({})",
                    shape_text(&shape),
                    group_digits(want),
                    group_digits(end - begin)
                )));
            }
        }
        header.tensors.push(Tensor { name, dtype_text, dtype, shape, offset: data_start + begin, len: end - begin });
    }
    // (start, end, tensor): the same element type as the zip reader's spans, one sort in the wasm.
    let mut spans: Vec<(u64, u64, usize)> = header
        .tensors
        .iter()
        .enumerate()
        .filter(|(_, t)| t.len > 0)
        .map(|(i, t)| (t.offset, t.offset + t.len, i))
        .collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        if let [a, b] = w
            && b.0 < a.1
        {
            let name = |i: usize| &header.tensors[i].name;
            return Err(bad(format!("tensors \"{}\" and \"{}\" overlap", name(a.2), name(b.2))));
        }
    }
    Ok(header)
}

/// Checks the declared header length against the cap and the file.
pub fn check_header_len(n: u64, file_len: u64, limits: &Limits) -> Result<(), ErrorKind> {
    if n > limits.max_safetensors_header {
        return Err(ErrorKind::HeaderTooLarge { len: n, limit: limits.max_safetensors_header });
    }
    if n.checked_add(8).is_none_or(|e| e > file_len) {
        return Err(bad(format!(
            "header length {} runs past the end of the file ({} bytes)",
            group_digits(n),
            group_digits(file_len)
        )));
    }
    Ok(())
}
