//! The completeness bound: how far below an f32 Gram-trick distance the exact distance can be,
//! so a list re-ranked in f64 is proven to hold the true nearest points. The in-memory search and
//! the streamed one (which sums the same kernel's KC-column products chunk by chunk) share it.

use super::gram;

/// The squared norms of the centred f32 rows, which bound the Gram trick's rounding error.
#[derive(Debug, Clone)]
pub struct Bound {
    d: usize,
    norms2: Vec<f32>,
    max_norm2: f64,
}

impl Bound {
    /// The bound for rows of `d` columns whose centred f32 copies have squared norms `norms2`.
    pub fn new(d: usize, norms2: Vec<f32>) -> Self {
        let max_norm2 = norms2.iter().fold(0.0f64, |a, &b| a.max(b as f64));
        Self { d, norms2, max_norm2 }
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
        let gram_err = (gram::error_factor(self.d) + 4.0) * eps * (ni + self.max_norm2);
        (gram_err, eps * (ni.sqrt() + self.max_norm2.sqrt()))
    }

    /// Whether every point not measured is provably farther from row `i` than `kth` (exact): they
    /// all had approximate squared distance ≥ `threshold`, whose f32 error is bounded by the
    /// dot-product error ([`gram::error_factor`]) plus the rounding of the centred rows to f32.
    pub fn proven(&self, i: usize, threshold: f32, kth: f64) -> bool {
        let (gram_err, round_err) = self.errors(i);
        let lower = (threshold as f64 - gram_err).max(0.0).sqrt() - round_err;
        lower > kth
    }
}
