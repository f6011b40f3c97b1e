//! A single dot product (PC-ID's Gram matrix): SIMD128 on wasm32, auto-vectorised code natively.
//! The neighbour search uses the blocked kernels of [`super::gram`] instead.
//!
//! A dot product accumulates in `LANES` interleaved f32 lanes (element `i` goes to lane
//! `i % LANES`) and adds the lanes as a balanced tree, on every target, so results are
//! bit-identical natively and in wasm.

/// Number of partial sums a dot product keeps; [`dot_error_factor`] depends on it.
pub const LANES: usize = 8;

/// Dot product of two equally long f32 slices.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
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
/// each lane sums `len / LANES + 1` products, then the lanes are added pairwise.
pub fn dot_error_factor(len: usize) -> f64 {
    (len / LANES + 1) as f64 + 2.0 * (LANES as f64).log2() + 2.0
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot_portable(x: &[f32], r: &[f32]) -> f32 {
    let n = r.len();
    let x = &x[..n];
    let blocks = n / LANES;
    let mut acc = [0.0f32; LANES];
    for b in 0..blocks {
        let (x, y) = (&x[b * LANES..(b + 1) * LANES], &r[b * LANES..(b + 1) * LANES]);
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    for (l, i) in (blocks * LANES..n).enumerate() {
        acc[l] += x[i] * r[i];
    }
    reduce(acc)
}

/// Adds the lanes as a balanced tree: (0+L/2, 1+L/2+1, …), then the halves again, down to lane
/// 0; one fixed order, shared by the f32 dot and the f64 exact distances.
#[inline(always)]
pub(crate) fn reduce<T: Copy + std::ops::AddAssign, const L: usize>(mut acc: [T; L]) -> T {
    let mut width = L / 2;
    while width > 0 {
        for l in 0..width {
            acc[l] += acc[l + width];
        }
        width /= 2;
    }
    acc[0]
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot_simd128(x: &[f32], r: &[f32]) -> f32 {
    use core::arch::wasm32::*;
    let n = r.len();
    let x = &x[..n];
    let blocks = n / LANES;
    let (mut lo, mut hi) = (f32x4_splat(0.0), f32x4_splat(0.0));
    for b in 0..blocks {
        let o = b * LANES;
        // SAFETY: o + 8 <= n for r and x (sliced to n above); v128_load has no alignment
        // requirement.
        unsafe {
            let (p, q) = (x.as_ptr().add(o), r.as_ptr().add(o));
            lo = f32x4_add(lo, f32x4_mul(v128_load(p as *const v128), v128_load(q as *const v128)));
            hi = f32x4_add(hi, f32x4_mul(v128_load(p.add(4) as *const v128), v128_load(q.add(4) as *const v128)));
        }
    }
    let mut acc = [0.0f32; LANES];
    for l in 0..4 {
        acc[l] = extract(lo, l);
        acc[l + 4] = extract(hi, l);
    }
    for (l, i) in (blocks * LANES..n).enumerate() {
        acc[l] += x[i] * r[i];
    }
    reduce(acc)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn extract(v: core::arch::wasm32::v128, lane: usize) -> f32 {
    use core::arch::wasm32::f32x4_extract_lane;
    match lane {
        0 => f32x4_extract_lane::<0>(v),
        1 => f32x4_extract_lane::<1>(v),
        2 => f32x4_extract_lane::<2>(v),
        _ => f32x4_extract_lane::<3>(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(len: usize, seed: usize) -> Vec<f32> {
        (0..len).map(|i| (((i + seed) * 37 % 101) as f32 - 50.0) * 0.013).collect()
    }

    #[test]
    fn dot_matches_f64_within_its_error_bound() {
        for len in [0usize, 1, 3, 7, 8, 9, 100, 768, 1001] {
            let (a, b) = (rows(len, 0), rows(len, 5));
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
        let mut a = vec![0.0f32; 8];
        a[0] = 1e8;
        a[4] = -1e8;
        a[1] = 1.0;
        assert_eq!(dot(&a, &[1.0; 8]), 1.0);
    }
}
