//! Pearson and Spearman correlation with two-sided p-values, and the least-squares line: the
//! statistics of Ansuini et al. (Fig 4, ID vs accuracy) and Scheidt & Hansen (model × model
//! tables of per-class IDs). Same definitions as `scipy.stats.pearsonr` / `spearmanr`.

use statrs::function::beta::beta_reg;

/// Why a correlation or a line could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CorrelationError {
    /// The two vectors differ in length.
    #[error("the vectors differ in length ({0} and {1})")]
    LengthMismatch(usize, usize),
    /// Fewer than 3 pairs: the t-test has n − 2 < 1 degrees of freedom.
    #[error("{0} pairs: at least 3 are needed")]
    TooFew(usize),
    /// A value is NaN or ±∞.
    #[error("value {0} is not finite")]
    NonFinite(usize),
    /// One vector is constant: its variance is 0, so r is undefined (scipy returns NaN).
    #[error("a vector is constant, so the correlation is undefined")]
    Constant,
}

/// A correlation coefficient with its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    /// Pearson r or Spearman ρ, in −1..=1.
    pub r: f64,
    /// Two-sided p-value of the t-test of r = 0 with n − 2 degrees of freedom.
    pub p: f64,
    /// Number of pairs.
    pub n: usize,
}

/// A least-squares line y = slope·x + intercept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// Slope.
    pub slope: f64,
    /// Value at x = 0.
    pub intercept: f64,
}

/// Pearson's r and its p-value, t = r·√((n−2)/(1−r²)) ~ Student t with n − 2 degrees of freedom.
pub fn pearson(x: &[f64], y: &[f64]) -> Result<Correlation, CorrelationError> {
    let (dx, dy) = (centred(x, y)?, centred(y, x)?);
    let (sxx, syy) = (dot(&dx, &dx), dot(&dy, &dy));
    if sxx == 0.0 || syy == 0.0 {
        return Err(CorrelationError::Constant);
    }
    // Normalised before the product, as scipy does, so that exact lines give exactly ±1.
    let unit = |d: &[f64], s: f64| d.iter().map(|a| a / s.sqrt()).collect::<Vec<f64>>();
    let r = dot(&unit(&dx, sxx), &unit(&dy, syy)).clamp(-1.0, 1.0);
    Ok(Correlation { r, p: t_test_p(r, x.len()), n: x.len() })
}

/// Spearman's ρ: Pearson's r of the ranks (ties get their average rank), with the same t-test
/// p-value as `scipy.stats.spearmanr`.
pub fn spearman(x: &[f64], y: &[f64]) -> Result<Correlation, CorrelationError> {
    check(x, y)?;
    pearson(&ranks(x), &ranks(y))
}

/// The ranks 1..=n of `v`, tied values sharing the average of their ranks (`scipy.stats.rankdata`).
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let order = crate::support::order::argsort(v);
    let mut out = vec![0.0; v.len()];
    let mut start = 0;
    while start < order.len() {
        let end = (start..order.len()).find(|&k| v[order[k]] != v[order[start]]).unwrap_or(order.len());
        let rank = (start + end + 1) as f64 / 2.0;
        order[start..end].iter().for_each(|&i| out[i] = rank);
        start = end;
    }
    out
}

/// The ordinary least-squares line of y on x (at least 3 points, x not constant).
pub fn least_squares(x: &[f64], y: &[f64]) -> Result<Line, CorrelationError> {
    let (dx, dy) = (centred(x, y)?, centred(y, x)?);
    let sxx = dot(&dx, &dx);
    if sxx == 0.0 {
        return Err(CorrelationError::Constant);
    }
    let slope = dot(&dx, &dy) / sxx;
    Ok(Line { slope, intercept: mean(y) - slope * mean(x) })
}

/// Two-sided p of the t-test of r = 0: P(|T| ≥ |t|) = I_{1−r²}((n−2)/2, 1/2), which avoids the
/// infinite t at |r| = 1 (p = 0 there).
fn t_test_p(r: f64, n: usize) -> f64 {
    let one_minus_r2 = ((1.0 - r) * (1.0 + r)).max(0.0);
    if one_minus_r2 == 0.0 {
        return 0.0;
    }
    beta_reg((n as f64 - 2.0) / 2.0, 0.5, one_minus_r2.min(1.0))
}

/// Checks lengths, size and finiteness of a pair of vectors.
fn check(x: &[f64], y: &[f64]) -> Result<(), CorrelationError> {
    if x.len() != y.len() {
        return Err(CorrelationError::LengthMismatch(x.len(), y.len()));
    }
    if x.len() < 3 {
        return Err(CorrelationError::TooFew(x.len()));
    }
    match x.iter().zip(y).position(|(a, b)| !(a.is_finite() && b.is_finite())) {
        Some(i) => Err(CorrelationError::NonFinite(i)),
        None => Ok(()),
    }
}

/// `v` minus its mean, after checking the pair (`v`, `other`).
fn centred(v: &[f64], other: &[f64]) -> Result<Vec<f64>, CorrelationError> {
    check(v, other)?;
    let m = mean(v);
    Ok(v.iter().map(|a| a - m).collect())
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_ranks_for_ties() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
    }

    #[test]
    fn exact_lines_and_edge_cases() {
        let c = spearman(&[1.0, 2.0, 3.0, 4.0], &[8.0, 6.0, 4.0, 2.0]).unwrap();
        assert_eq!((c.r, c.p, c.n), (-1.0, 0.0, 4));
        let l = least_squares(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]).unwrap();
        assert!((l.slope - 2.0).abs() < 1e-15 && (l.intercept - 1.0).abs() < 1e-15);
        assert_eq!(pearson(&[1.0, 2.0], &[1.0, 2.0]), Err(CorrelationError::TooFew(2)));
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[1.0, 2.0]), Err(CorrelationError::LengthMismatch(3, 2)));
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), Err(CorrelationError::Constant));
        assert_eq!(pearson(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0]), Err(CorrelationError::NonFinite(1)));
    }
}
