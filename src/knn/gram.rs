//! Gram tiles (dot products of two blocks of rows) by a register-blocked micro-kernel over packed
//! panels: each step of the kernel multiplies an MR-row panel by an NR-column panel, keeping the
//! MR × NR partial sums in SIMD registers, so every loaded value feeds several multiply-adds.
//!
//! Kernels: AVX-512 (8 × 48) or AVX2+FMA (4 × 24) on x86_64, picked at run time; f32x4 SIMD128
//! on wasm (4 × 8), mul+add, or fused `relaxed_madd` in a build with the `relaxed-simd` target
//! feature; portable code elsewhere (4 × 8, auto-vectorised). Hand-written rather
//! than a BLAS crate because the neighbour bound needs a known summation order (see
//! [`error_factor`]), the wasm build needs SIMD128, and faer's f32 matmul measured 2–3× slower
//! than OpenBLAS here (it stops at AVX2).

use std::ops::Range;

/// Columns per packed chunk: a chunk is summed in one pass of the kernel, chunks are then added
/// in f32; [`error_factor`] grows with it.
pub const KC: usize = 128;

/// Upper bound of |fl(a·b) − a·b| / (‖a‖·‖b‖), in units of f32 epsilon ε = 2u, for a Gram entry
/// of rows of length `len`, whatever the kernel (with or without FMA).
///
/// Within a chunk of L ≤ [`KC`] columns the products are summed one after another, so the error
/// is at most γ_L·Σ|aᵢbᵢ| ≤ Lε·‖a_c‖‖b_c‖ (γ_L = Lu/(1 − Lu) ≤ 2Lu; an FMA only drops roundings),
/// and Σ_c ‖a_c‖‖b_c‖ ≤ ‖a‖‖b‖ by Cauchy–Schwarz. The ⌈len/KC⌉ chunk sums are then added in f32:
/// at most one more ε·‖a‖‖b‖ each, plus one for the slack of the chunk errors.
pub fn error_factor(len: usize) -> f64 {
    len.min(KC) as f64 + len.div_ceil(KC) as f64 + 1.0
}

/// Rows packed once for every tile: for each chunk of [`KC`] columns, panels of `p` rows stored
/// column by column (`p` values per column), the last panel padded with zero rows. `p` is the
/// column width of the kernel picked for this machine, so column panels load contiguously and
/// row panels are read `MR` rows at a time.
pub struct Packed {
    data: Vec<f32>,
    n: usize,
    d: usize,
    isa: Isa,
}

impl Packed {
    /// Packs the `n` × `d` matrix whose row `i`, column `k` is `value(i, k)`, for the widest
    /// kernel this machine has (values are computed as they are packed, no row-major copy).
    pub fn new(n: usize, d: usize, value: impl Fn(usize, usize) -> f32 + Sync + Send) -> Self {
        Self::for_isa(n, d, value, isa())
    }

    fn for_isa(n: usize, d: usize, value: impl Fn(usize, usize) -> f32 + Sync + Send, isa: Isa) -> Self {
        let p = isa.panel();
        let np = n.div_ceil(p);
        let mut data = vec![0.0f32; np * p * d];
        crate::support::parallel::for_each_chunk_mut(&mut data, (KC * np * p).max(1), |c, chunk| {
            let (k0, kc) = (c * KC, chunk.len() / (np * p));
            for i in 0..n {
                let panel = &mut chunk[(i / p) * p * kc..(i / p + 1) * p * kc];
                for k in 0..kc {
                    panel[k * p + i % p] = value(i, k0 + k);
                }
            }
        });
        Self { data, n, d, isa }
    }

    /// Rows per panel.
    fn p(&self) -> usize {
        self.isa.panel()
    }

    /// The panels holding rows `rows`.
    fn cover(&self, rows: &Range<usize>) -> Range<usize> {
        let p = self.p();
        rows.start / p..rows.end.min(self.n).div_ceil(p)
    }
}

/// Rows per side of a tile: about 256 (packed rows and products, 3 × 256 KB, stay in L2), a
/// whole number of panels so no tile computes rows it does not need.
pub fn default_block() -> usize {
    let p = isa().panel();
    (256 / p).max(1) * p
}

/// A computed tile: `get(i, j)` is row `i` · row `j` for rows in the tile's ranges.
pub struct Tile<'s> {
    c: &'s [f32],
    a0: usize,
    b0: usize,
    ld: usize,
}

impl Tile<'_> {
    /// The dot product of rows `i` (of the tile's `a`) and `j` (of its `b`).
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.c[(i - self.a0) * self.ld + (j - self.b0)]
    }
}

/// The dot products of rows `a` with rows `b` (whole panels around them are computed), in `c`.
pub fn tile<'s>(x: &Packed, a: Range<usize>, b: Range<usize>, c: &'s mut Vec<f32>) -> Tile<'s> {
    let (pa, pb) = (x.cover(&a), x.cover(&b));
    let p = x.p();
    let (a0, b0) = (pa.start * p, pb.start * p);
    let ld = pb.len() * p;
    c.clear();
    c.resize(pa.len() * p * ld, 0.0);
    match x.isa {
        // SAFETY: `x.isa` was detected on this CPU (or is the baseline).
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::product_avx512(x, pa, pb, c) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Isa::Avx2 => unsafe { x86::product_avx2(x, pa, pb, c) },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        // SAFETY: this build enables SIMD128 for every function.
        Isa::Simd128 => unsafe { product::<wasm::Kernel, 4, 2>(x, pa, pb, c) },
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        // SAFETY: the portable vector is plain arrays, which every CPU runs.
        Isa::Portable => unsafe { product::<portable::F32x4, 4, 2>(x, pa, pb, c) },
    }
    Tile { c, a0, b0, ld }
}

/// The kernel this machine runs, by name (for benchmark reports).
pub fn kernel_name() -> &'static str {
    match isa() {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => "avx512 8x48",
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => "avx2+fma 4x24",
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Isa::Simd128 if wasm::FUSED => "simd128+relaxed-madd 4x8",
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Isa::Simd128 => "simd128 4x8",
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        Isa::Portable => "portable 4x8",
    }
}

/// The instruction sets a kernel exists for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isa {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    Portable,
}

impl Isa {
    /// The kernel's column width NR, which is also the packing's panel height.
    fn panel(self) -> usize {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => 48,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => 24,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => 8,
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            Isa::Portable => 8,
        }
    }
}

/// The widest kernel this CPU runs (the x86 feature tests are cached by std).
pub(crate) fn isa() -> Isa {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            return Isa::Avx512;
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return Isa::Avx2;
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        Isa::Simd128
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        Isa::Portable
    }
}

/// A SIMD vector of `W` f32 lanes.
///
/// # Safety
/// Every method may run instructions of the type's instruction set (AVX-512F, AVX2+FMA, SIMD128),
/// so every method is unsafe: a caller must know that this CPU runs them (detected at run time,
/// or enabled for the whole build), and the loads and stores need `W` valid f32 at `p`.
/// An implementation must use no instruction beyond its type's set.
pub(crate) unsafe trait Simd: Copy {
    const W: usize;
    /// # Safety
    /// The CPU runs `Self`'s instruction set.
    unsafe fn zero() -> Self;
    /// # Safety
    /// The CPU runs `Self`'s instruction set.
    unsafe fn splat(v: f32) -> Self;
    /// # Safety
    /// The CPU runs `Self`'s instruction set; `p` points to `W` readable f32.
    unsafe fn load(p: *const f32) -> Self;
    /// # Safety
    /// The CPU runs `Self`'s instruction set; `p` points to `W` writable f32.
    unsafe fn store(self, p: *mut f32);
    /// `self + a·b` (fused where the target has FMA).
    /// # Safety
    /// The CPU runs `Self`'s instruction set.
    unsafe fn mul_add(self, a: Self, b: Self) -> Self;
    /// # Safety
    /// The CPU runs `Self`'s instruction set.
    unsafe fn add(self, other: Self) -> Self;
}

/// The product of row panels `pa` by row panels `pb` of `x` into `c` (zeroed, row stride
/// `pb.len()·NR`), chunk by chunk of [`KC`] columns: for each MR-row slice of a row panel (kept
/// in L1) the kernel runs along every column panel of the chunk (streamed from L2).
///
/// # Safety
/// The CPU runs `S`'s instruction set.
#[inline(always)]
unsafe fn product<S: Simd, const MR: usize, const NV: usize>(
    x: &Packed,
    pa: Range<usize>,
    pb: Range<usize>,
    c: &mut [f32],
) {
    let nr = NV * S::W;
    debug_assert_eq!(nr, x.p());
    let np = x.n.div_ceil(nr);
    let ld = pb.len() * nr;
    for k0 in (0..x.d).step_by(KC) {
        let kc = KC.min(x.d - k0);
        let chunk = &x.data[k0 * np * nr..(k0 + kc) * np * nr];
        let panel = |q: usize| &chunk[q * nr * kc..(q + 1) * nr * kc];
        for (ib, qb) in pb.clone().enumerate() {
            for (ia, qa) in pa.clone().enumerate() {
                for r0 in (0..nr).step_by(MR) {
                    let c = &mut c[(ia * nr + r0) * ld + ib * nr..];
                    // SAFETY: `S`'s instruction set runs here (this function's contract).
                    unsafe { micro::<S, MR, NV>(kc, &panel(qa)[r0..], nr, panel(qb), c, ld) };
                }
            }
        }
    }
}

/// `c[r][j] += Σ_k a[k·lda + r]·b[k·NR + j]` for MR rows of a packed row panel `a` (row stride
/// `lda`) and an NR = NV·W column panel `b` of depth `kc`; `c` has row stride `ld`. Each sum runs
/// over k in order, one multiply-add per step (the assumption of [`error_factor`]).
///
/// # Safety
/// The CPU runs `S`'s instruction set.
#[inline(always)]
unsafe fn micro<S: Simd, const MR: usize, const NV: usize>(
    kc: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    c: &mut [f32],
    ld: usize,
) {
    let nr = NV * S::W;
    assert!(kc > 0 && a.len() >= (kc - 1) * lda + MR && b.len() >= kc * nr && c.len() >= (MR - 1) * ld + nr);
    // SAFETY: `S`'s instruction set runs here (this function's contract, as in every block below).
    let zero = unsafe { S::zero() };
    let mut acc = [[zero; NV]; MR];
    for k in 0..kc {
        let mut bv = [zero; NV];
        for (v, bv) in bv.iter_mut().enumerate() {
            // SAFETY: k·nr + v·W + W ≤ kc·nr ≤ b.len() (asserted above).
            *bv = unsafe { S::load(b.as_ptr().add(k * nr + v * S::W)) };
        }
        for (r, acc) in acc.iter_mut().enumerate() {
            // SAFETY: k·lda + r ≤ (kc − 1)·lda + MR − 1 < a.len() (asserted above).
            let av = unsafe { S::splat(*a.get_unchecked(k * lda + r)) };
            for (acc, &bv) in acc.iter_mut().zip(&bv) {
                // SAFETY: as above, the instruction set.
                *acc = unsafe { acc.mul_add(av, bv) };
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        for (v, &acc) in acc.iter().enumerate() {
            // SAFETY: r·ld + v·W + W ≤ (MR − 1)·ld + nr ≤ c.len() (asserted above).
            unsafe {
                let p = c.as_mut_ptr().add(r * ld + v * S::W);
                S::load(p).add(acc).store(p);
            }
        }
    }
}

/// Plain arrays, vectorised by the compiler (SSE2 or NEON); mul then add, no FMA.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) mod portable {
    #[derive(Clone, Copy)]
    pub struct F32x4([f32; 4]);

    // SAFETY: plain array code, which every CPU runs.
    unsafe impl super::Simd for F32x4 {
        const W: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Self([0.0; 4])
        }
        #[inline(always)]
        unsafe fn splat(v: f32) -> Self {
            Self([v; 4])
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller guarantees 4 readable f32.
            Self(unsafe { (p as *const [f32; 4]).read_unaligned() })
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            // SAFETY: the caller guarantees 4 writable f32.
            unsafe { (p as *mut [f32; 4]).write_unaligned(self.0) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            Self(std::array::from_fn(|l| self.0[l] + a.0[l] * b.0[l]))
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            Self(std::array::from_fn(|l| self.0[l] + o.0[l]))
        }
    }
}

/// SIMD128 f32x4. `F32x4<true>` multiplies and adds in one `relaxed_madd` (built only with the
/// `relaxed-simd` target feature, which not every browser has; fused or not at the engine's
/// choice, both within [`error_factor`]), `F32x4<false>` in two steps.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) mod wasm {
    use core::arch::wasm32::*;

    /// Whether this build has the fused multiply-add.
    pub const FUSED: bool = cfg!(target_feature = "relaxed-simd");

    /// The vector the Gram kernel runs on: fused where this build can.
    pub type Kernel = F32x4<FUSED>;

    #[derive(Clone, Copy)]
    pub struct F32x4<const FUSED: bool>(v128);

    // SAFETY: SIMD128 intrinsics only (relaxed-SIMD only in the build that enables it).
    unsafe impl<const FUSED: bool> super::Simd for F32x4<FUSED> {
        const W: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Self(f32x4_splat(0.0))
        }
        #[inline(always)]
        unsafe fn splat(v: f32) -> Self {
            Self(f32x4_splat(v))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller guarantees 16 readable bytes; no alignment needed.
            Self(unsafe { v128_load(p as *const v128) })
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            // SAFETY: the caller guarantees 16 writable bytes; no alignment needed.
            unsafe { v128_store(p as *mut v128, self.0) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            #[cfg(target_feature = "relaxed-simd")]
            if FUSED {
                return Self(f32x4_relaxed_madd(a.0, b.0, self.0));
            }
            Self(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            Self(f32x4_add(self.0, o.0))
        }
    }
}

/// AVX-512 and AVX2+FMA, compiled with those features and called only once they are detected.
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    use super::{Packed, Range, product};
    use core::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub struct F32x16(__m512);

    #[derive(Clone, Copy)]
    pub struct F32x8(__m256);

    // SAFETY: each method runs only AVX-512F intrinsics.
    unsafe impl super::Simd for F32x16 {
        const W: usize = 16;
        #[inline(always)]
        unsafe fn zero() -> Self {
            // SAFETY: the caller guarantees AVX-512F (the trait's contract).
            Self(unsafe { _mm512_setzero_ps() })
        }
        #[inline(always)]
        unsafe fn splat(v: f32) -> Self {
            // SAFETY: the caller guarantees AVX-512F (the trait's contract).
            Self(unsafe { _mm512_set1_ps(v) })
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller guarantees AVX-512F (the trait's contract), within the W f32 at `p` the caller guarantees.
            Self(unsafe { _mm512_loadu_ps(p) })
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            // SAFETY: the caller guarantees AVX-512F (the trait's contract), within the W f32 at `p` the caller guarantees.
            unsafe { _mm512_storeu_ps(p, self.0) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            // SAFETY: the caller guarantees AVX-512F (the trait's contract).
            Self(unsafe { _mm512_fmadd_ps(a.0, b.0, self.0) })
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            // SAFETY: the caller guarantees AVX-512F (the trait's contract).
            Self(unsafe { _mm512_add_ps(self.0, o.0) })
        }
    }

    // SAFETY: each method runs only AVX2 and FMA intrinsics.
    unsafe impl super::Simd for F32x8 {
        const W: usize = 8;
        #[inline(always)]
        unsafe fn zero() -> Self {
            // SAFETY: the caller guarantees AVX2+FMA (the trait's contract).
            Self(unsafe { _mm256_setzero_ps() })
        }
        #[inline(always)]
        unsafe fn splat(v: f32) -> Self {
            // SAFETY: the caller guarantees AVX2+FMA (the trait's contract).
            Self(unsafe { _mm256_set1_ps(v) })
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller guarantees AVX2+FMA (the trait's contract), within the W f32 at `p` the caller guarantees.
            Self(unsafe { _mm256_loadu_ps(p) })
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            // SAFETY: the caller guarantees AVX2+FMA (the trait's contract), within the W f32 at `p` the caller guarantees.
            unsafe { _mm256_storeu_ps(p, self.0) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            // SAFETY: the caller guarantees AVX2+FMA (the trait's contract).
            Self(unsafe { _mm256_fmadd_ps(a.0, b.0, self.0) })
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            // SAFETY: the caller guarantees AVX2+FMA (the trait's contract).
            Self(unsafe { _mm256_add_ps(self.0, o.0) })
        }
    }

    /// The 8 × 48 AVX-512 kernel.
    ///
    /// # Safety
    /// The CPU runs AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn product_avx512(x: &Packed, a: Range<usize>, b: Range<usize>, c: &mut [f32]) {
        // SAFETY: AVX-512F is enabled here, and the caller knows the CPU runs it.
        unsafe { product::<F32x16, 8, 3>(x, a, b, c) }
    }

    /// The 4 × 24 AVX2+FMA kernel.
    ///
    /// # Safety
    /// The CPU runs AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn product_avx2(x: &Packed, a: Range<usize>, b: Range<usize>, c: &mut [f32]) {
        // SAFETY: AVX2 and FMA are enabled here, and the caller knows the CPU runs them.
        unsafe { product::<F32x8, 4, 3>(x, a, b, c) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, d: usize) -> Vec<f32> {
        (0..n * d).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.013).collect()
    }

    fn check(isa: Isa) {
        for (n, d) in [(1usize, 1usize), (13, 7), (40, 300), (70, 513)] {
            let v = data(n, d);
            let x = Packed::for_isa(n, d, |i, k| v[i * d + k], isa);
            let mut c = Vec::new();
            for (a, b) in [(0..n, 0..n), (n / 3..n, 0..n / 2 + 1)] {
                let g = tile(&x, a.clone(), b.clone(), &mut c);
                for i in a.clone() {
                    for j in b.clone() {
                        let (ri, rj) = (&v[i * d..(i + 1) * d], &v[j * d..(j + 1) * d]);
                        let exact: f64 = ri.iter().zip(rj).map(|(&p, &q)| p as f64 * q as f64).sum();
                        let norm = |r: &[f32]| r.iter().map(|&p| (p as f64).powi(2)).sum::<f64>().sqrt();
                        let bound = error_factor(d) * f32::EPSILON as f64 * norm(ri) * norm(rj);
                        let err = (g.get(i, j) as f64 - exact).abs();
                        assert!(err <= bound.max(1e-30), "n {n} d {d} ({i},{j}): err {err} > bound {bound}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_widest_kernel_is_within_its_error_bound() {
        check(isa());
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    #[test]
    fn the_portable_kernel_is_within_its_error_bound() {
        check(Isa::Portable);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_kernel_is_within_its_error_bound() {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            check(Isa::Avx2);
        }
    }
}
