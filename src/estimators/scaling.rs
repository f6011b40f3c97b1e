//! TwoNN on subsets of the points: error bars from random subsets (the paper's 20 × 90 %) and the
//! decimation, ID vs number of points over disjoint blocks (the paper's Fig 2B).

use ndarray::ArrayView2;

use crate::estimators::twonn;
use crate::knn::Metric;
use crate::knn::{KnnError, Neighbours, Search, within};
use crate::results::{DecimationPoint, RepeatStats};
use crate::support::rng::{self, Stream};
use crate::support::stats::mean_std;

/// TwoNN of one subset: ML and fit ID, and the mean r₂; `None` with fewer than 3 usable μ.
struct SubsetEstimate {
    ml: f64,
    fit: f64,
    mean_r2: f64,
}

fn subset_estimate(nb: &Neighbours, mu_fraction: f64) -> Option<SubsetEstimate> {
    let mus = twonn::mus(nb.distances.column(0).iter().copied(), nb.distances.column(1).iter().copied());
    let (Ok(ml), Ok(fit)) = (twonn::ml(&mus.mu), twonn::fit(&mus.mu, mu_fraction)) else {
        return None;
    };
    let mean_r2 = nb.distances.column(1).mean().unwrap_or(f64::NAN);
    Some(SubsetEstimate { ml: ml.id, fit: fit.id, mean_r2 })
}

/// TwoNN of every subset (in parallel), keeping the subsets where it is defined.
fn estimate_subsets(
    x: ArrayView2<f32>,
    full: &Neighbours,
    subsets: &[Vec<usize>],
    metric: Metric,
    mu_fraction: f64,
) -> Result<Vec<SubsetEstimate>, KnnError> {
    let found = crate::support::parallel::map(subsets, |m| {
        within(x, full, m, &Search::new(2, metric)).map(|nb| subset_estimate(&nb, mu_fraction))
    });
    Ok(found.into_iter().collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
}

/// The `repeats` random subsets of round(`fraction`·n) of n points (stream `Repeats`).
pub fn repeat_subsets(n: usize, repeats: usize, fraction: f64, seed: u32) -> Vec<Vec<usize>> {
    let size = (fraction * n as f64).round() as usize;
    let mut r = rng::rng(seed, Stream::Repeats);
    (0..repeats).map(|_| rng::subset(n, size, &mut r)).collect()
}

/// Mean and spread of the ML and fit ID over the subsets' 2-neighbour lists `lists` (subsets where
/// TwoNN is undefined are left out); `None` when none gave an ID.
pub fn repeat_stats(lists: &[Neighbours], fraction: f64, mu_fraction: f64) -> Option<RepeatStats> {
    let ok: Vec<SubsetEstimate> = lists.iter().filter_map(|nb| subset_estimate(nb, mu_fraction)).collect();
    summarise(&ok, fraction)
}

fn summarise(ok: &[SubsetEstimate], fraction: f64) -> Option<RepeatStats> {
    if ok.is_empty() {
        return None;
    }
    let (ml_mean, ml_std) = mean_std(&ok.iter().map(|e| e.ml).collect::<Vec<_>>());
    let (fit_mean, fit_std) = mean_std(&ok.iter().map(|e| e.fit).collect::<Vec<_>>());
    Some(RepeatStats { repeats: ok.len(), fraction, ml_mean, ml_std, fit_mean, fit_std })
}

/// ML and fit ID on `repeats` random subsets of round(`fraction`·N) points (stream `Repeats`).
/// Subsets where TwoNN is undefined are left out, so `repeats` counts those that gave an ID.
pub fn repeats(
    x: ArrayView2<f32>,
    full: &Neighbours,
    metric: Metric,
    mu_fraction: f64,
    repeats: usize,
    fraction: f64,
    seed: u32,
) -> Result<Option<RepeatStats>, KnnError> {
    let subsets = repeat_subsets(x.nrows(), repeats, fraction, seed);
    Ok(summarise(&estimate_subsets(x, full, &subsets, metric, mu_fraction)?, fraction))
}

/// One level of the decimation: blocks of `size` points (sorted point indices).
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// Points per block.
    pub size: usize,
    /// The blocks.
    pub blocks: Vec<Vec<usize>>,
}

/// 1, 2, 4, … disjoint blocks of one random permutation of n points (stream `Decimation`), while
/// blocks hold at least `min_block` points.
pub fn decimation_levels(n: usize, min_block: usize, seed: u32) -> Vec<Level> {
    let perm = rng::permutation(n, &mut rng::rng(seed, Stream::Decimation));
    let mut out = Vec::new();
    let mut blocks = 1;
    while n / blocks >= min_block.max(3) {
        let size = n / blocks;
        let members = (0..blocks)
            .map(|b| {
                let mut m = perm[b * size..(b + 1) * size].to_vec();
                m.sort_unstable();
                m
            })
            .collect();
        out.push(Level { size, blocks: members });
        blocks *= 2;
    }
    out
}

/// The decimation point of a level from its blocks' estimates; `None` if no block gave an ID.
fn decimation_point(size: usize, ok: &[SubsetEstimate]) -> Option<DecimationPoint> {
    if ok.is_empty() {
        return None;
    }
    let (id_mean, id_std) = mean_std(&ok.iter().map(|e| e.fit).collect::<Vec<_>>());
    let scale = ok.iter().map(|e| e.mean_r2).sum::<f64>() / ok.len() as f64;
    Some(DecimationPoint { size, blocks: ok.len(), id_mean, id_std, scale })
}

/// The decimation from the 2-neighbour lists of every block of `levels`, in order.
pub fn decimation_stats(levels: &[Level], lists: &[Neighbours], mu_fraction: f64) -> Vec<DecimationPoint> {
    let mut lists = lists.iter();
    levels
        .iter()
        .filter_map(|level| {
            let ok: Vec<SubsetEstimate> =
                lists.by_ref().take(level.blocks.len()).filter_map(|nb| subset_estimate(nb, mu_fraction)).collect();
            decimation_point(level.size, &ok)
        })
        .collect()
}

/// Fit ID on 1, 2, 4, … disjoint blocks of one random permutation (stream `Decimation`), while
/// blocks hold at least `min_block` points; neighbours are recomputed inside each block.
/// Blocks where TwoNN is undefined are left out, so `blocks` counts those that gave an ID.
pub fn decimation(
    x: ArrayView2<f32>,
    full: &Neighbours,
    metric: Metric,
    mu_fraction: f64,
    min_block: usize,
    seed: u32,
) -> Result<Vec<DecimationPoint>, KnnError> {
    let mut out = Vec::new();
    for level in decimation_levels(x.nrows(), min_block, seed) {
        let ok = estimate_subsets(x, full, &level.blocks, metric, mu_fraction)?;
        out.extend(decimation_point(level.size, &ok));
    }
    Ok(out)
}
