//! Distances in float64 difference form, the ground truth the candidates are re-ranked with.

use std::borrow::Cow;

use ndarray::ArrayView2;

use super::Metric;
use super::kernel::reduce;

/// Partial sums of a distance (a power of two).
const LANES: usize = 16;

/// Row scales needed to compute exact distances from the original f32 rows.
pub struct ExactMetric {
    /// 1/‖xᵢ‖ for cosine, 1 for Euclidean.
    inv_norm: Vec<f64>,
}

impl ExactMetric {
    /// Scales for the rows of `x` under `metric` (rows already checked finite and, for cosine, non-zero).
    pub fn new(x: &ArrayView2<f32>, metric: Metric) -> Self {
        let inv_norm = x
            .outer_iter()
            .map(|r| match metric {
                Metric::Euclidean => 1.0,
                Metric::Cosine => 1.0 / r.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt(),
            })
            .collect();
        Self { inv_norm }
    }

    /// The factor row `i` is scaled by before distances are taken (1/‖xᵢ‖ for cosine, else 1).
    pub fn scale(&self, i: usize) -> f64 {
        self.inv_norm[i]
    }

    /// The distance: Euclidean between the rows, or between the rows scaled to unit length for
    /// cosine (the chord √(2(1 − cos))). Accumulated in f64 from the f32 values by [`block_sum`],
    /// block after block of [`BLOCK`] columns in column order: the same bits on every target and
    /// SIMD width, and in the streamed search, which reads the columns chunk by chunk.
    pub fn euclidean(&self, x: &ArrayView2<f32>, i: usize, j: usize) -> f64 {
        let row = |r: usize| {
            let v = x.row(r);
            v.to_slice().map_or_else(|| Cow::Owned(v.to_vec()), Cow::Borrowed)
        };
        let (a, b) = (row(i), row(j));
        let (si, sj) = (self.inv_norm[i], self.inv_norm[j]);
        a.chunks(BLOCK).zip(b.chunks(BLOCK)).fold(0.0, |s, (a, b)| s + block_sum(a, b, si, sj)).sqrt()
    }
}

/// Columns of one block of an exact distance: each block's sum is taken on its own and the blocks'
/// sums are added in column order, so any split of the columns at multiples of it (the streamed
/// search's chunks are multiples of the kernel's KC) gives the same bits.
pub const BLOCK: usize = super::gram::KC;

/// Σ (aₖ·sa − bₖ·sb)² over one block of at most [`BLOCK`] columns, with the widest SIMD the
/// target has (every version gives the bits of the portable one).
pub fn block_sum(a: &[f32], b: &[f32], sa: f64, sb: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: AVX-512F was detected.
            return unsafe { sum_sq_diff_avx512(a, b, sa, sb) };
        }
        if is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 was detected.
            return unsafe { sum_sq_diff_avx2(a, b, sa, sb) };
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        sum_sq_diff_simd128(a, b, sa, sb)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        sum_sq_diff(a, b, sa, sb)
    }
}

/// Σ (aₖ·sa − bₖ·sb)² in f64: the last `len % LANES` elements first, element k into partial sum
/// k mod [`LANES`], then the sums added pairwise. Mul, sub, mul, add, never fused, so the SIMD
/// versions below give the same bits.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn sum_sq_diff(a: &[f32], b: &[f32], sa: f64, sb: f64) -> f64 {
    let (mut s, full) = tail_lanes(a, b, sa, sb);
    for (pa, pb) in a[..full].chunks_exact(LANES).zip(b[..full].chunks_exact(LANES)) {
        for l in 0..LANES {
            let t = pa[l] as f64 * sa - pb[l] as f64 * sb;
            s[l] += t * t;
        }
    }
    reduce(s)
}

/// The partial sums started with the squares of the elements past the last whole block of
/// [`LANES`], and where that block ends.
#[inline(always)]
fn tail_lanes(a: &[f32], b: &[f32], sa: f64, sb: f64) -> ([f64; LANES], usize) {
    let n = a.len().min(b.len());
    let full = n / LANES * LANES;
    let mut s = [0.0f64; LANES];
    for (l, (&p, &q)) in a[full..n].iter().zip(&b[full..n]).enumerate() {
        let t = p as f64 * sa - q as f64 * sb;
        s[l] = t * t;
    }
    (s, full)
}

/// [`sum_sq_diff`] with the 16 partial sums in two AVX-512 registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sum_sq_diff_avx512(a: &[f32], b: &[f32], sa: f64, sb: f64) -> f64 {
    use core::arch::x86_64::*;
    let (mut s, full) = tail_lanes(a, b, sa, sb);
    let (va, vb) = (_mm512_set1_pd(sa), _mm512_set1_pd(sb));
    let t = |p: *const f32, q: *const f32| {
        // SAFETY: the caller passes 8 readable f32 at p and q; unaligned loads.
        unsafe {
            _mm512_sub_pd(
                _mm512_mul_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p)), va),
                _mm512_mul_pd(_mm512_cvtps_pd(_mm256_loadu_ps(q)), vb),
            )
        }
    };
    // SAFETY: `s` holds 16 f64 and every o + 16 <= full <= both lengths.
    unsafe {
        let mut acc = [_mm512_loadu_pd(s.as_ptr()), _mm512_loadu_pd(s.as_ptr().add(8))];
        for o in (0..full).step_by(LANES) {
            for (h, acc) in acc.iter_mut().enumerate() {
                let d = t(a.as_ptr().add(o + 8 * h), b.as_ptr().add(o + 8 * h));
                *acc = _mm512_add_pd(*acc, _mm512_mul_pd(d, d));
            }
        }
        _mm512_storeu_pd(s.as_mut_ptr(), acc[0]);
        _mm512_storeu_pd(s.as_mut_ptr().add(8), acc[1]);
    }
    reduce(s)
}

/// [`sum_sq_diff`] with the 16 partial sums in four AVX registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sum_sq_diff_avx2(a: &[f32], b: &[f32], sa: f64, sb: f64) -> f64 {
    use core::arch::x86_64::*;
    let (mut s, full) = tail_lanes(a, b, sa, sb);
    let (va, vb) = (_mm256_set1_pd(sa), _mm256_set1_pd(sb));
    // SAFETY: `s` holds 16 f64 and every o + 16 <= full <= both lengths; unaligned loads.
    unsafe {
        let mut acc: [__m256d; 4] = std::array::from_fn(|h| _mm256_loadu_pd(s.as_ptr().add(4 * h)));
        for o in (0..full).step_by(LANES) {
            for (h, acc) in acc.iter_mut().enumerate() {
                let (p, q) = (a.as_ptr().add(o + 4 * h), b.as_ptr().add(o + 4 * h));
                let d = _mm256_sub_pd(
                    _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(p)), va),
                    _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(q)), vb),
                );
                *acc = _mm256_add_pd(*acc, _mm256_mul_pd(d, d));
            }
        }
        for (h, acc) in acc.iter().enumerate() {
            _mm256_storeu_pd(s.as_mut_ptr().add(4 * h), *acc);
        }
    }
    reduce(s)
}

/// [`sum_sq_diff`] with the 16 partial sums in eight SIMD128 f64x2 registers (wasm has no fused
/// f64x2 multiply-add, so these are the portable bits); the exact re-ranking's cost in the browser.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn sum_sq_diff_simd128(a: &[f32], b: &[f32], sa: f64, sb: f64) -> f64 {
    use core::arch::wasm32::*;
    let (mut s, full) = tail_lanes(a, b, sa, sb);
    let (va, vb) = (f64x2_splat(sa), f64x2_splat(sb));
    // Two f32 at p and q, widened and scaled: t = p·sa − q·sb.
    let t = |p: *const f32, q: *const f32| {
        // SAFETY: the caller passes 2 readable f32 at p and q; wasm loads need no alignment.
        let (p, q) = unsafe { (v128_load64_zero(p.cast()), v128_load64_zero(q.cast())) };
        f64x2_sub(f64x2_mul(f64x2_promote_low_f32x4(p), va), f64x2_mul(f64x2_promote_low_f32x4(q), vb))
    };
    // SAFETY: `s` holds 16 f64 = 8 f64x2, and every o + 16 <= full <= both lengths.
    unsafe {
        let mut acc: [v128; LANES / 2] = std::array::from_fn(|h| v128_load(s.as_ptr().add(2 * h).cast()));
        for o in (0..full).step_by(LANES) {
            for (h, acc) in acc.iter_mut().enumerate() {
                let d = t(a.as_ptr().add(o + 2 * h), b.as_ptr().add(o + 2 * h));
                *acc = f64x2_add(*acc, f64x2_mul(d, d));
            }
        }
        for (h, acc) in acc.iter().enumerate() {
            v128_store(s.as_mut_ptr().add(2 * h).cast(), *acc);
        }
    }
    reduce(s)
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    #[test]
    fn simd_distances_have_the_portable_bits() {
        for len in [0usize, 5, 16, 17, 100, 769] {
            let a: Vec<f32> = (0..len).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.0131).collect();
            let b: Vec<f32> = (0..len).map(|i| ((i * 53 % 97) as f32 - 48.0) * 0.0173).collect();
            let want = sum_sq_diff(&a, &b, 0.7, 1.3).to_bits();
            if is_x86_feature_detected!("avx512f") {
                // SAFETY: detected.
                let got = unsafe { sum_sq_diff_avx512(&a, &b, 0.7, 1.3) };
                assert_eq!(got.to_bits(), want, "avx512, len {len}");
            }
            if is_x86_feature_detected!("avx2") {
                // SAFETY: detected.
                let got = unsafe { sum_sq_diff_avx2(&a, &b, 0.7, 1.3) };
                assert_eq!(got.to_bits(), want, "avx2, len {len}");
            }
        }
    }
}
