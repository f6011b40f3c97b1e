//! The decimation (the paper's Fig 2B): TwoNN fit ID vs number of points, over 1, 2, 4, …
//! disjoint blocks of one random permutation, the neighbours found anew inside each block.

use std::fmt::Write;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::estimators::twonn::{SubsetEstimate, subset_estimate};
use crate::estimators::{EstimateError, Estimator, Lists, Params, Rows};
use crate::knn::{KnnError, Metric, Neighbours, Search, within};
use crate::params::{ParamError, Setting, SettingKind, Shown, settings};

settings! {
    /// The decimation's parameters.
    pub struct DecimationParams {
        /// Run it.
        run as "decimation": bool = false,
        /// Smallest block size (its last level's blocks hold at least this many points).
        min_block: usize = 20,
    }
}
use crate::support::progress::Progress;
use crate::support::rng::{self, Stream};
use crate::support::stats::mean_std;

/// The TwoNN fit estimate at one decimation level.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DecimationPoint {
    /// Points per block.
    pub size: usize,
    /// Number of disjoint blocks.
    pub blocks: usize,
    /// Mean ID over the blocks.
    pub id_mean: f64,
    /// Standard deviation (ddof = 0) of the ID over the blocks (0 for one block).
    pub id_std: f64,
    /// Mean r₂ over the blocks' points: the length scale.
    pub scale: f64,
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

/// The decimation from the blocks `blocks` (the levels' blocks, level by level) and their
/// 2-neighbour lists `lists`: one point per level (consecutive blocks of one size) where some
/// block gave an ID.
pub fn decimation_stats(blocks: &[Vec<usize>], lists: &[Neighbours], mu_fraction: f64) -> Vec<DecimationPoint> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < blocks.len() {
        let size = blocks[start].len();
        let end = start + blocks[start..].iter().take_while(|b| b.len() == size).count();
        let ok: Vec<SubsetEstimate> =
            lists[start..end].iter().filter_map(|nb| subset_estimate(nb, mu_fraction)).collect();
        out.extend(decimation_point(size, &ok));
        start = end;
    }
    out
}

/// The decimation of the points: blocks of the permutation while they hold `min_block` points.
pub struct DecimationEstimator;

impl Estimator for DecimationEstimator {
    type Output = Vec<DecimationPoint>;
    type Params = DecimationParams;
    const NAME: &'static str = "decimation";
    const SETTINGS: &'static [Setting] = &[
        Setting {
            name: "decimation",
            label: "Decimation",
            help: "Decimation: ID vs number of points, on disjoint blocks",
            kind: SettingKind::Check,
            shown: Shown::Cli,
            alias: None,
        },
        Setting {
            name: "min_block",
            label: "Smallest block",
            help: "Smallest block size of the decimation (and of the surrogate's)",
            kind: SettingKind::Number { min: 3.0, max: None, step: 1.0, empty: None },
            shown: Shown::Cli,
            alias: None,
        },
    ];

    fn check(p: &DecimationParams) -> Result<(), ParamError> {
        ParamError::unless(p.min_block >= 3, "min_block", p.min_block as f64, "at least 3")
    }

    fn subsets(p: &Params, n: usize) -> Vec<Vec<usize>> {
        decimation_levels(n, p.decimation.min_block, p.seed).into_iter().flat_map(|l| l.blocks).collect()
    }

    fn estimate(
        p: &Params,
        lists: &Lists,
        _rows: &mut dyn Rows,
        _: &mut dyn Progress,
    ) -> Result<Vec<DecimationPoint>, EstimateError> {
        Ok(decimation_stats(lists.subsets, lists.within, p.twonn.mu_fraction))
    }

    fn section(d: &Vec<DecimationPoint>) -> Option<(String, Vec<String>)> {
        section("decimation", d)
    }
}

/// A decimation's section of the CLI's text, titled `title`; `None` when empty.
pub fn section(title: &str, d: &[DecimationPoint]) -> Option<(String, Vec<String>)> {
    if d.is_empty() {
        return None;
    }
    let mut lines = vec![format!("{:>7} {:>7} {:>9} {:>8} {:>10}", "N", "blocks", "ID", "std", "mean r2")];
    for d in d {
        let mut line = String::new();
        let _ = write!(line, "{:>7} {:>7} {:>9.3} {:>8.3} {:>10.4}", d.size, d.blocks, d.id_mean, d.id_std, d.scale);
        lines.push(line);
    }
    Some((format!("{title} (ID vs N)"), lines))
}

/// The neighbour lists within each of `subsets` of the rows of `x`, `depths[s]` deep (in
/// parallel), from their full lists `full`: the in-memory search of the subsets.
pub fn within_each(
    x: ArrayView2<f32>,
    full: &Neighbours,
    subsets: &[Vec<usize>],
    depths: &[usize],
    metric: Metric,
) -> Result<Vec<Neighbours>, KnnError> {
    let jobs: Vec<(&Vec<usize>, usize)> = subsets.iter().zip(depths.iter().copied()).collect();
    crate::support::parallel::map(&jobs, |&(m, k)| within(x, full, m, &Search::new(k, metric))).into_iter().collect()
}

/// The decimation of the rows of `x` (full lists `full`) as [`DecimationEstimator`] makes it.
pub fn in_memory(x: ArrayView2<f32>, full: &Neighbours, p: &Params) -> Result<Vec<DecimationPoint>, KnnError> {
    let subsets = DecimationEstimator::subsets(p, x.nrows());
    let lists = within_each(x, full, &subsets, &vec![2; subsets.len()], p.metric)?;
    Ok(decimation_stats(&subsets, &lists, p.twonn.mu_fraction))
}
