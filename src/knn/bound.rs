//! The completeness bound: how far below an f32 Gram-trick distance the exact distance can be,
//! so a list re-ranked in f64 is proven to hold the true nearest points. The in-memory search and
//! the streamed one (which sums the same kernel's KC-column products chunk by chunk) share it,
//! and so do candidates from the browser's GPU ([`Kernel::Wgsl`]), under WGSL's rounding rules.

use serde::{Deserialize, Serialize};

use super::gram;

/// The kernel that computed a set of candidate distances, which sets how far they may be off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// This crate's SIMD Gram kernels ([`gram`]): KC-column chunks summed in order.
    #[default]
    Simd,
    /// The WGSL candidate kernel (`knn/wgsl/candidates.wgsl`) on a WebGPU device: the same
    /// centred f32 rows and norms, its products summed in an order the shader compiler chooses.
    Wgsl,
}

impl Kernel {
    /// Bound of |fl(a·b) − a·b| / (‖a‖·‖b‖) in units of f32 ε for rows of `len` columns.
    ///
    /// WGSL rounds `+` and `*` correctly and lets `fma` be fused or not; in whatever order (or
    /// tree) a compiler adds the `len` products, the error is at most γ_len·Σ|aᵢbᵢ| ≤ len·ε·‖a‖‖b‖
    /// (γ_len = len·u/(1 − len·u) ≤ 2·len·u while len·u ≤ ½), plus two ε of slack, so it is
    /// never below the SIMD kernels' bound and lists of both kinds can be merged under it.
    pub fn error_factor(self, len: usize) -> f64 {
        match self {
            Self::Simd => gram::error_factor(len),
            Self::Wgsl => len as f64 + 2.0,
        }
    }

    /// An absolute bound, beside the relative one, on a squared distance's error: WGSL may flush
    /// subnormal inputs and results to zero, each flush off by less than 2⁻¹²⁶ times the other
    /// factor (at most ‖a‖₁ + ‖b‖₁ ≤ √len·(‖a‖ + ‖b‖) over the inputs) or 2⁻¹²⁶ (a result);
    /// 2·len products and sums, the norms and the three operations of the squared distance.
    fn flush_error(self, len: usize, norm_a: f64, norm_b: f64) -> f64 {
        match self {
            Self::Simd => 0.0,
            Self::Wgsl => {
                let tiny = f64::from(f32::MIN_POSITIVE);
                let n = len as f64;
                tiny * (2.0 * (2.0 * n + 2.0 * n.sqrt() * (norm_a + norm_b)) + 8.0)
            }
        }
    }
}

/// The squared norms of the centred f32 rows, which bound the Gram trick's rounding error.
#[derive(Debug, Clone)]
pub struct Bound {
    d: usize,
    norms2: Vec<f32>,
    max_norm2: f64,
    kernel: Kernel,
}

impl Bound {
    /// The bound for rows of `d` columns whose centred f32 copies have squared norms `norms2`.
    pub fn new(d: usize, norms2: Vec<f32>) -> Self {
        let max_norm2 = norms2.iter().fold(0.0f64, |a, &b| a.max(b as f64));
        Self { d, norms2, max_norm2, kernel: Kernel::Simd }
    }

    /// The bound for distances that `kernel` computed from the same rows (zero padding adds
    /// exact zeros, so the rows' own length is what counts).
    pub fn for_kernel(self, kernel: Kernel) -> Self {
        Self { kernel, ..self }
    }

    /// The kernel whose distances the bound is for.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Whether an approximate squared distance `approx` from row `i` lies in the window the bound
    /// allows around the `exact` distance ([`Self::window`]).
    pub fn admits(&self, i: usize, approx: f32, exact: f64) -> bool {
        let (below, above) = self.window(i, exact);
        (below..=above).contains(&f64::from(approx))
    }

    /// The largest squared norm of a centred row.
    pub fn max_norm2(&self) -> f64 {
        self.max_norm2
    }

    /// Squared norm of centred row `i`.
    pub fn norm2(&self, i: usize) -> f32 {
        self.norms2[i]
    }

    /// Rows the bound is for.
    pub fn rows(&self) -> usize {
        self.norms2.len()
    }

    /// The f32 squared distances from row `i` below which the exact distance is surely below
    /// `tau`, and above which it is surely above (the error terms of [`Self::proven`] solved for
    /// `d2`), so a pass compares each pair's `d2` twice and takes no square root.
    pub fn window(&self, i: usize, tau: f64) -> (f64, f64) {
        let (gram_err, round_err) = self.errors(i);
        let below = if tau > round_err { (tau - round_err).powi(2) - gram_err } else { f64::NEG_INFINITY };
        (below, (tau + round_err).powi(2) + gram_err)
    }

    /// Row `i`'s bound on the f32 error of a squared distance, and on the distance's error from
    /// the rounding of the centred rows to f32.
    fn errors(&self, i: usize) -> (f64, f64) {
        let eps = f32::EPSILON as f64;
        let ni = self.norms2[i] as f64;
        let flush = self.kernel.flush_error(self.d, ni.sqrt(), self.max_norm2.sqrt());
        let gram_err = (self.kernel.error_factor(self.d) + 4.0) * eps * (ni + self.max_norm2) + flush;
        (gram_err, eps * (ni.sqrt() + self.max_norm2.sqrt()))
    }

    /// Whether every point not measured is provably farther from row `i` than `kth` (exact): they
    /// all had approximate squared distance ≥ `threshold`, whose f32 error is bounded by the
    /// dot-product error ([`Kernel::error_factor`]) plus the rounding of the centred rows to f32.
    pub fn proven(&self, i: usize, threshold: f32, kth: f64) -> bool {
        let (gram_err, round_err) = self.errors(i);
        let lower = (threshold as f64 - gram_err).max(0.0).sqrt() - round_err;
        lower > kth
    }
}
