//! Element types and their exact conversion to `f32` (layers) or to integers (labels).

use half::{bf16, f16};

/// A numeric element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// One byte, zero = false.
    Bool,
    /// Unsigned integers.
    U8,
    /// Unsigned integers.
    U16,
    /// Unsigned integers.
    U32,
    /// Unsigned integers.
    U64,
    /// Signed integers.
    I8,
    /// Signed integers.
    I16,
    /// Signed integers.
    I32,
    /// Signed integers.
    I64,
    /// IEEE half precision.
    F16,
    /// bfloat16 (the top half of an f32).
    BF16,
    /// IEEE single precision.
    F32,
    /// IEEE double precision (rounded to nearest f32 on reading).
    F64,
}

/// A numeric element type with its byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DType {
    /// The type.
    pub scalar: Scalar,
    /// Big-endian storage (NumPy `>`); safetensors is always little-endian.
    pub big_endian: bool,
}

impl DType {
    /// A little-endian type.
    pub const fn le(scalar: Scalar) -> Self {
        Self { scalar, big_endian: false }
    }

    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self.scalar {
            Scalar::Bool | Scalar::U8 | Scalar::I8 => 1,
            Scalar::U16 | Scalar::I16 | Scalar::F16 | Scalar::BF16 => 2,
            Scalar::U32 | Scalar::I32 | Scalar::F32 => 4,
            Scalar::U64 | Scalar::I64 | Scalar::F64 => 8,
        }
    }

    /// Whether values are integers (bool included): such 1-D arrays can be labels.
    pub const fn is_integer(self) -> bool {
        !matches!(self.scalar, Scalar::F16 | Scalar::BF16 | Scalar::F32 | Scalar::F64)
    }

    /// NumPy-style name, e.g. `float32` or `float32 (big-endian)`.
    pub fn name(self) -> String {
        let base = match self.scalar {
            Scalar::Bool => "bool",
            Scalar::U8 => "uint8",
            Scalar::U16 => "uint16",
            Scalar::U32 => "uint32",
            Scalar::U64 => "uint64",
            Scalar::I8 => "int8",
            Scalar::I16 => "int16",
            Scalar::I32 => "int32",
            Scalar::I64 => "int64",
            Scalar::F16 => "float16",
            Scalar::BF16 => "bfloat16",
            Scalar::F32 => "float32",
            Scalar::F64 => "float64",
        };
        if self.big_endian && self.size() > 1 { format!("{base} (big-endian)") } else { base.to_string() }
    }

    /// Converts whole elements of `bytes` into `out` (`out.len()` elements; extra bytes ignored).
    /// Exact for every type except f64 and 32/64-bit integers, which round to nearest f32.
    pub fn decode_f32(self, bytes: &[u8], out: &mut [f32]) {
        macro_rules! dec {
            ($n:literal, $t:ty, $conv:expr) => {{
                let be = self.big_endian;
                for (o, c) in out.iter_mut().zip(bytes.chunks_exact($n)) {
                    let mut a = [0u8; $n];
                    a.copy_from_slice(c);
                    let v = if be { <$t>::from_be_bytes(a) } else { <$t>::from_le_bytes(a) };
                    *o = $conv(v);
                }
            }};
        }
        match self.scalar {
            Scalar::Bool => {
                for (o, &b) in out.iter_mut().zip(bytes) {
                    *o = if b != 0 { 1.0 } else { 0.0 };
                }
            }
            Scalar::U8 => {
                for (o, &b) in out.iter_mut().zip(bytes) {
                    *o = f32::from(b);
                }
            }
            Scalar::I8 => {
                for (o, &b) in out.iter_mut().zip(bytes) {
                    *o = f32::from(b as i8);
                }
            }
            Scalar::U16 => dec!(2, u16, f32::from),
            Scalar::I16 => dec!(2, i16, f32::from),
            Scalar::U32 => dec!(4, u32, |v: u32| v as f32),
            Scalar::I32 => dec!(4, i32, |v: i32| v as f32),
            Scalar::U64 => dec!(8, u64, |v: u64| v as f32),
            Scalar::I64 => dec!(8, i64, |v: i64| v as f32),
            Scalar::F16 => dec!(2, u16, |v: u16| f16::from_bits(v).to_f32()),
            Scalar::BF16 => dec!(2, u16, |v: u16| bf16::from_bits(v).to_f32()),
            Scalar::F32 => dec!(4, u32, f32::from_bits),
            Scalar::F64 => dec!(8, u64, |v: u64| f64::from_bits(v) as f32),
        }
    }

    /// Reads one element as a label value: integers exactly, floats as f64.
    pub fn decode_label(self, c: &[u8]) -> LabelValue {
        let mut a = [0u8; 8];
        let n = self.size().min(c.len());
        if let (Some(dst), Some(src)) = (a.get_mut(..n), c.get(..n)) {
            dst.copy_from_slice(src);
        }
        if self.big_endian {
            a[..n].reverse();
        }
        let [b0, b1, b2, b3, ..] = a;
        let w16 = [b0, b1];
        let w32 = [b0, b1, b2, b3];
        match self.scalar {
            Scalar::Bool => LabelValue::Int(i128::from(b0 != 0)),
            Scalar::U8 => LabelValue::Int(i128::from(b0)),
            Scalar::I8 => LabelValue::Int(i128::from(b0 as i8)),
            Scalar::U16 => LabelValue::Int(i128::from(u16::from_le_bytes(w16))),
            Scalar::I16 => LabelValue::Int(i128::from(i16::from_le_bytes(w16))),
            Scalar::U32 => LabelValue::Int(i128::from(u32::from_le_bytes(w32))),
            Scalar::I32 => LabelValue::Int(i128::from(i32::from_le_bytes(w32))),
            Scalar::U64 => LabelValue::Int(i128::from(u64::from_le_bytes(a))),
            Scalar::I64 => LabelValue::Int(i128::from(i64::from_le_bytes(a))),
            Scalar::F16 => LabelValue::Float(f64::from(f16::from_bits(u16::from_le_bytes(w16)))),
            Scalar::BF16 => LabelValue::Float(f64::from(bf16::from_bits(u16::from_le_bytes(w16)))),
            Scalar::F32 => LabelValue::Float(f64::from(f32::from_le_bytes(w32))),
            Scalar::F64 => LabelValue::Float(f64::from_le_bytes(a)),
        }
    }
}

/// One label as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LabelValue {
    /// An integer label.
    Int(i128),
    /// A float label (accepted only if integral).
    Float(f64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_and_half_types_decode_exactly() {
        let mut out = [0f32; 2];
        DType { scalar: Scalar::F32, big_endian: true }.decode_f32(&[0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0], &mut out);
        assert_eq!(out, [1.0, -2.0]);
        DType::le(Scalar::F16).decode_f32(&[0x00, 0x3c, 0x01, 0x00], &mut out);
        assert_eq!(out[0], 1.0);
        assert_eq!(out[1], 2f32.powi(-24)); // smallest f16 subnormal
        DType::le(Scalar::BF16).decode_f32(&[0x80, 0x3f, 0x80, 0xbf], &mut out);
        assert_eq!(out, [1.0, -1.0]);
    }

    #[test]
    fn labels_decode_integers_exactly() {
        let d = DType { scalar: Scalar::I64, big_endian: true };
        assert_eq!(d.decode_label(&(-5i64).to_be_bytes()), LabelValue::Int(-5));
        assert_eq!(DType::le(Scalar::U64).decode_label(&u64::MAX.to_le_bytes()), LabelValue::Int(u64::MAX as i128));
    }
}
