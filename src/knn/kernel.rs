//! Dot-product kernels for the candidate search: SIMD128 on wasm32, auto-vectorised code natively.
//!
//! Both accumulate in 16 interleaved f32 lanes (element `i` goes to lane `i % 16`) and reduce the
//! lanes in the same order, so a dot product is bit-identical on every target.

/// Number of partial sums a dot product keeps; [`dot_error_factor`] depends on it.
pub const LANES: usize = 16;

/// Dot product of two equally long f32 slices.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        dot_simd128(a, b)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        dot_portable(a, b)
    }
}

/// Upper bound of |fl(a·b) − a·b| / (‖a‖·‖b‖) for slices of length `len`, in units of f32 epsilon:
/// each lane sums `len / LANES` products, then the lanes are added pairwise.
pub fn dot_error_factor(len: usize) -> f64 {
    (len / LANES + 1) as f64 + 2.0 * (LANES as f64).log2() + 2.0
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let (ca, ra) = a.as_chunks::<LANES>();
    let (cb, rb) = b.as_chunks::<LANES>();
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    for (l, (x, y)) in ra.iter().zip(rb).enumerate() {
        acc[l] += x * y;
    }
    reduce(acc)
}

/// Adds the 16 lanes as a balanced tree: (0+8, 1+9, …), then (0+4, …), (0+2, …), 0+1.
#[inline]
fn reduce(mut acc: [f32; LANES]) -> f32 {
    let mut width = LANES / 2;
    while width > 0 {
        for l in 0..width {
            acc[l] += acc[l + width];
        }
        width /= 2;
    }
    acc[0]
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot_simd128(a: &[f32], b: &[f32]) -> f32 {
    use core::arch::wasm32::*;
    let n = a.len().min(b.len());
    let blocks = n / LANES;
    let (mut s0, mut s1, mut s2, mut s3) = (f32x4_splat(0.0), f32x4_splat(0.0), f32x4_splat(0.0), f32x4_splat(0.0));
    let pa = a.as_ptr();
    let pb = b.as_ptr();
    for i in 0..blocks {
        let o = i * LANES;
        // SAFETY: o + 16 <= n, and v128_load has no alignment requirement.
        unsafe {
            s0 = f32x4_add(s0, f32x4_mul(v128_load(pa.add(o) as *const v128), v128_load(pb.add(o) as *const v128)));
            s1 = f32x4_add(s1, f32x4_mul(v128_load(pa.add(o + 4) as *const v128), v128_load(pb.add(o + 4) as *const v128)));
            s2 = f32x4_add(s2, f32x4_mul(v128_load(pa.add(o + 8) as *const v128), v128_load(pb.add(o + 8) as *const v128)));
            s3 = f32x4_add(s3, f32x4_mul(v128_load(pa.add(o + 12) as *const v128), v128_load(pb.add(o + 12) as *const v128)));
        }
    }
    let mut acc = [0.0f32; LANES];
    for (l, s) in [s0, s1, s2, s3].into_iter().enumerate() {
        acc[4 * l] = f32x4_extract_lane::<0>(s);
        acc[4 * l + 1] = f32x4_extract_lane::<1>(s);
        acc[4 * l + 2] = f32x4_extract_lane::<2>(s);
        acc[4 * l + 3] = f32x4_extract_lane::<3>(s);
    }
    for (l, (x, y)) in a[blocks * LANES..n].iter().zip(&b[blocks * LANES..n]).enumerate() {
        acc[l] += x * y;
    }
    reduce(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_f64_within_its_error_bound() {
        for len in [0usize, 1, 3, 15, 16, 17, 100, 768, 1001] {
            let a: Vec<f32> = (0..len).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.013).collect();
            let b: Vec<f32> = (0..len).map(|i| ((i * 91 % 89) as f32 - 44.0) * 0.021).collect();
            let exact: f64 = a.iter().zip(&b).map(|(&x, &y)| x as f64 * y as f64).sum();
            let na = a.iter().map(|&x| (x as f64).powi(2)).sum::<f64>().sqrt();
            let nb = b.iter().map(|&x| (x as f64).powi(2)).sum::<f64>().sqrt();
            let bound = dot_error_factor(len) * f32::EPSILON as f64 * na * nb;
            let err = (dot(&a, &b) as f64 - exact).abs();
            assert!(err <= bound.max(1e-30), "len {len}: err {err} > bound {bound}");
        }
    }

    #[test]
    fn lanes_are_reduced_in_a_fixed_order() {
        // 1e8 + 1 - 1e8 in f32 depends on the order; the tree order gives a fixed answer.
        let mut a = vec![0.0f32; 16];
        a[0] = 1e8;
        a[8] = -1e8;
        a[1] = 1.0;
        assert_eq!(dot(&a, &[1.0; 16]), 1.0);
    }
}
