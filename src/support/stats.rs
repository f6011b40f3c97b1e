//! Small statistics in f64 shared by the estimators.

use ndarray::ArrayView2;

/// Mean and standard deviation (ddof = 0).
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (mean, (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n).sqrt())
}

/// Mean of every column of `x`, accumulated in f64 (f32 sums lose digits over many rows).
pub fn column_means(x: ArrayView2<f32>) -> Vec<f64> {
    let mut mean = vec![0.0f64; x.ncols()];
    for row in x.outer_iter() {
        mean.iter_mut().zip(row.iter()).for_each(|(m, &v)| *m += v as f64);
    }
    let n = x.nrows().max(1) as f64;
    mean.iter_mut().for_each(|m| *m /= n);
    mean
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn mean_std_and_column_means() {
        assert_eq!(mean_std(&[1.0, 3.0]), (2.0, 1.0));
        assert_eq!(column_means(array![[1.0f32, 2.0], [3.0, 6.0]].view()), vec![2.0, 4.0]);
    }
}
