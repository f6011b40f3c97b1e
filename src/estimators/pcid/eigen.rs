//! Eigenvalues (no eigenvectors) of a dense symmetric matrix, by the crate that suits the target:
//! faer natively (speed), nalgebra in the wasm build (size). A hand-written Householder + QL
//! solver was tried and measured slower than nalgebra in wasm.

/// A symmetric n × n matrix given by its lower triangle, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Symmetric {
    n: usize,
    a: Vec<f64>,
}

impl Symmetric {
    /// An n × n zero matrix.
    pub fn zeros(n: usize) -> Self {
        Self { n, a: vec![0.0; n * n] }
    }

    /// The matrix whose lower-triangle entry (i, j), j ≤ i, is `f(i, j)`.
    pub fn from_lower(n: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let mut m = Self::zeros(n);
        for i in 0..n {
            for j in 0..=i {
                m.a[i * n + j] = f(i, j);
            }
        }
        m
    }

    /// Entry (i, j) of the lower triangle (j ≤ i), for accumulating.
    pub fn lower_mut(&mut self, i: usize, j: usize) -> &mut f64 {
        &mut self.a[i * self.n + j]
    }

    /// Multiplies every entry by `s`.
    pub fn scale(&mut self, s: f64) {
        self.a.iter_mut().for_each(|v| *v *= s);
    }

    /// The n eigenvalues in no particular order; None if the solver did not converge.
    pub fn eigenvalues(self) -> Option<Vec<f64>> {
        solve(self)
    }
}

/// Natively faer: blocked, SIMD, 3× nalgebra's speed at n = 2000.
#[cfg(not(target_arch = "wasm32"))]
fn solve(m: Symmetric) -> Option<Vec<f64>> {
    faer::MatRef::from_row_major_slice(&m.a, m.n, m.n).self_adjoint_eigenvalues(faer::Side::Lower).ok()
}

/// In wasm nalgebra: Householder tridiagonalisation and implicit QR, eigenvalues only; faer's
/// solver and matrix products were 47 KB of the gzipped module, over its 400 KB budget.
#[cfg(target_arch = "wasm32")]
fn solve(m: Symmetric) -> Option<Vec<f64>> {
    Some(nalgebra::DMatrix::from_row_slice(m.n, m.n, &m.a).symmetric_eigenvalues().data.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<f64>) -> Vec<f64> {
        crate::support::order::sort_f64(&mut v);
        v
    }

    #[test]
    fn a_known_spectrum() {
        // [[2,1,0],[1,2,1],[0,1,2]]: eigenvalues 2 − √2, 2, 2 + √2.
        let m = Symmetric::from_lower(3, |i, j| {
            if i == j {
                2.0
            } else if i - j == 1 {
                1.0
            } else {
                0.0
            }
        });
        let got = sorted(m.eigenvalues().unwrap());
        let want = [2.0 - 2f64.sqrt(), 2.0, 2.0 + 2f64.sqrt()];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn a_rotated_diagonal_matrix_gives_back_its_diagonal() {
        // Q·diag(λ)·Qᵀ for a product of plane rotations Q: the eigenvalues are λ.
        let n = 40;
        let lambda: Vec<f64> = (0..n).map(|i| (i as f64 - 12.5) * 0.37 + if i % 7 == 0 { 1e-9 } else { 0.0 }).collect();
        let mut q = vec![0.0; n * n];
        (0..n).for_each(|i| q[i * n + i] = 1.0);
        for k in 0..3 * n {
            let (i, j, t) = (k % n, (k * 7 + 3) % n, 0.3 + k as f64 * 0.11);
            if i == j {
                continue;
            }
            let (s, c) = t.sin_cos();
            for r in 0..n {
                let (a, b) = (q[r * n + i], q[r * n + j]);
                q[r * n + i] = c * a - s * b;
                q[r * n + j] = s * a + c * b;
            }
        }
        let m = Symmetric::from_lower(n, |i, j| (0..n).map(|k| q[i * n + k] * lambda[k] * q[j * n + k]).sum());
        let got = sorted(m.eigenvalues().unwrap());
        for (g, w) in got.iter().zip(sorted(lambda)) {
            assert!((g - w).abs() < 1e-11, "{g} vs {w}");
        }
    }

    #[test]
    fn repeated_zero_eigenvalues_of_a_rank_one_matrix() {
        let x = [1.0, -2.0, 0.5, 3.0, 0.0];
        let got = sorted(Symmetric::from_lower(5, |i, j| x[i] * x[j]).eigenvalues().unwrap());
        assert!((got[4] - 14.25).abs() < 1e-12 && got[..4].iter().all(|v| v.abs() < 1e-12), "{got:?}");
    }
}
