//! The layer the page draws off screen while it waits for its first result, so that the first
//! draw of each chart (which compiles its wasm and JS glue lazily) does not delay the first real
//! plot. It is a real TwoNN estimate, on μ at the quantiles of the Pareto law of d = 2.

use crate::estimators::Estimates;
use crate::estimators::twonn::TwoNn;
use crate::results::LayerResult;

/// Points of the warm-up layer.
const N: usize = 200;
/// Its intrinsic dimension.
const D: f64 = 2.0;

/// The warm-up layer: μᵢ = (1 − (i + ½)/N)^(−1/d), the TwoNN fit on 90 % of them.
pub fn warmup_layer() -> LayerResult {
    let mu = (0..N).map(|i| (1.0 - (i as f64 + 0.5) / N as f64).powf(-1.0 / D)).collect();
    let twonn = TwoNn::of_mu(mu, 0.9, 1.0).unwrap_or_default();
    LayerResult {
        name: "warm-up".to_owned(),
        index: 0,
        n_input: N,
        dim: 3,
        non_finite_dropped: 0,
        subsampled_out: 0,
        estimates: Estimates { n: N, twonn, ..Estimates::default() },
        classes: Vec::new(),
        skipped_classes: Vec::new(),
        seconds: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warmup_layer_is_a_two_dimensional_estimate() {
        let r = warmup_layer();
        assert_eq!(r.estimates.twonn.mu.len(), N);
        assert!((r.estimates.twonn.ml.id - D).abs() < 0.1, "{}", r.estimates.twonn.ml.id);
        assert!((r.estimates.twonn.fit.id - D).abs() < 0.1, "{}", r.estimates.twonn.fit.id);
    }
}
