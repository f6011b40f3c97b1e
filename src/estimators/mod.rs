//! The estimators: each reads a set of points' neighbour lists (and, for some, the rows) and gives
//! one field of the results. Every estimator implements [`Estimator`] and is listed once, in
//! [`registry!`]; the analysis runs them all through [`run`], for in-memory and streamed layers
//! alike, and the results schema, the CLI table and the streamed path's refusals follow the list.

pub mod decimation;
mod error;
pub mod gride;
pub mod pcid;
pub mod surrogate;
pub mod twonn;

use std::ops::Range;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

pub use error::EstimateError;

use crate::knn::Neighbours;
use crate::params::{CheckedParams, DuplicatePolicy, ParamError, Params};
use crate::support::progress::{Progress, Stage};

/// How an estimator reaches the rows beyond the neighbour lists: in memory, or streamed from the
/// file by column chunks.
pub trait Rows {
    /// What can go wrong reaching the rows (a read error when streamed).
    type Error: From<EstimateError>;
    /// The rows in memory, or `None` when the layer is streamed.
    fn in_memory(&self) -> Option<ArrayView2<'_, f32>>;
    /// PC-ID of the points `points` (ascending indices; `None`: all of them).
    fn pc_id(
        &mut self,
        points: Option<Vec<usize>>,
        threshold: f64,
        progress: &mut dyn Progress,
    ) -> Result<pcid::PcId, Self::Error>;
}

/// What an estimator reads: the full neighbour lists, the subsets it asked for, and the
/// 2-neighbour lists within each of them (local indices), all found by one search.
pub struct Lists<'a> {
    /// The neighbours of every point, as deep as the deepest [`Estimator::depth`].
    pub full: &'a Neighbours,
    /// The subsets it asked for ([`Estimator::subsets`]), in order.
    pub subsets: &'a [Vec<usize>],
    /// Each subset's 2-neighbour lists: exactly what a search on its rows alone finds.
    pub within: &'a [Neighbours],
}

/// One estimate on a set of points, with its own parameters' validation, its neighbour needs and
/// its lines in the CLI's table. Register it in [`registry!`].
pub trait Estimator {
    /// Its field of [`Estimates`] (`Default`: not asked for).
    type Output: Default;
    /// Its name in messages.
    const NAME: &'static str;
    /// Whether it needs the rows in memory: a streamed layer then refuses it, with a message.
    const IN_MEMORY: bool = false;
    /// Whether the parameters ask for it.
    fn wanted(p: &Params) -> bool;
    /// Checks the parameters it reads (run for every estimator, asked for or not).
    fn check(_p: &Params) -> Result<(), ParamError> {
        Ok(())
    }
    /// Neighbours per point it reads from the full lists; the search finds the largest asked for.
    fn depth(_p: &Params) -> usize {
        2
    }
    /// Subsets of the `n` points whose 2-neighbour lists it reads ([`Lists::within`]).
    fn subsets(_p: &Params, _n: usize) -> Vec<Vec<usize>> {
        Vec::new()
    }
    /// The estimate.
    fn estimate<R: Rows>(
        p: &Params,
        lists: &Lists,
        rows: &mut R,
        progress: &mut dyn Progress,
    ) -> Result<Self::Output, R::Error>;
    /// Its columns: in the CSV export, and (those with a header) in the CLI's and the page's
    /// tables of layers.
    const COLUMNS: &'static [Column] = &[];
    /// Its section below the CLI's table (title and lines), when there is something to show.
    fn section(_out: &Self::Output) -> Option<(String, Vec<String>)> {
        None
    }
}

/// A column of the results of one estimator, read from its output by JSON pointer, so the CLI
/// (natively) and the page (in JS, from [`columns`]) render the same list.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Name in the CSV export (with `-` for `_`: the class of the page's table cell).
    pub key: &'static str,
    /// Header in the tables of layers; `None`: a CSV column only.
    pub header: Option<&'static str>,
    /// JSON pointer of the value (in the output; in [`Estimates`] once listed by [`columns`]).
    pub value: &'static str,
    /// Pointer of the spread the tables show beside the value ("value ± spread"), if any.
    pub spread: Option<&'static str>,
    /// Decimals the tables show.
    pub digits: usize,
}

/// A column's pointers within [`Estimates`] (prefixed with its estimator's field).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ColumnAt {
    /// Name in the CSV export.
    pub key: &'static str,
    /// Header in the tables; `None`: CSV only.
    pub header: Option<&'static str>,
    /// JSON pointer of the value in a layer's (or class's) result.
    pub value: String,
    /// Pointer of its spread.
    pub spread: Option<String>,
    /// Decimals the tables show.
    pub digits: usize,
}

/// Calls `$m! { $($extra)* ; field: Estimator, … }` with every estimator, in results order: the
/// one place an estimator is registered.
macro_rules! registry {
    ($m:ident $(, $($extra:tt)*)?) => {
        $m! { $($($extra)*)? ;
            /// TwoNN on μ = r₂/r₁.
            twonn: $crate::estimators::twonn::TwoNnEstimator,
            /// Gride scale analysis, n₁ = 1, 2, 4, … (empty when not requested).
            gride: $crate::estimators::gride::GrideEstimator,
            /// Decimation: ID vs number of points (empty when not requested).
            decimation: $crate::estimators::decimation::DecimationEstimator,
            /// The same decimation on a Gaussian surrogate with the data's covariance (empty when not requested).
            surrogate: $crate::estimators::surrogate::SurrogateEstimator,
            /// PC-ID and the PCA spectrum (absent when not requested).
            pc_id: $crate::estimators::pcid::PcIdEstimator,
        }
    };
}
pub(crate) use registry;

/// Counts of duplicated rows and ties, reported with every estimate.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DuplicateReport {
    /// The policy applied.
    pub policy: DuplicatePolicy,
    /// Rows equal to an earlier row (bit for bit).
    pub duplicate_rows: usize,
    /// Rows removed before the neighbour search (`keep-one`).
    pub dropped: usize,
    /// Points left out of the estimate because r₁ = 0 (`keep`).
    pub zero_r1_excluded: usize,
    /// Points with r₁ = r₂ > 0 (μ = 1), kept.
    pub mu_one_ties: usize,
}

/// The registry's items: [`Estimates`], the subsets [`Plan`], [`run`] and what the search, the
/// parameter check, the streamed path and the tables read from the list.
macro_rules! items {
    (; $( $(#[$doc:meta])* $field:ident: $ty:ty ),* $(,)?) => {
        /// Every estimate computed on one set of points.
        #[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
        pub struct Estimates {
            /// Points that entered the estimates (after duplicates and exclusions).
            pub n: usize,
            /// How duplicated rows and ties were handled.
            pub duplicates: DuplicateReport,
            $( $(#[$doc])* pub $field: <$ty as Estimator>::Output, )*
        }

        /// The subsets every estimator asked for on `n` points, searched together (one set of
        /// rescans when streamed), and which of them are whose.
        pub struct Plan {
            subsets: Vec<Vec<usize>>,
            $( $field: Range<usize>, )*
        }

        impl Plan {
            /// The subsets the estimators `p` asks for want on `n` points.
            pub fn new(p: &Params, n: usize) -> Self {
                let mut subsets = Vec::new();
                $(
                    let start = subsets.len();
                    if <$ty>::wanted(p) {
                        subsets.extend(<$ty>::subsets(p, n));
                    }
                    let $field = start..subsets.len();
                )*
                Self { subsets, $( $field ),* }
            }

            /// Every subset, in order (ascending point indices each).
            pub fn subsets(&self) -> &[Vec<usize>] {
                &self.subsets
            }
        }

        /// Neighbours per point the estimators `p` asks for read (among `n` points).
        pub fn depth(p: &Params, n: usize) -> usize {
            [$( if <$ty>::wanted(p) { <$ty>::depth(p) } else { 0 } ),*].into_iter().fold(2, usize::max).min(n.saturating_sub(1))
        }

        /// The estimators `p` asks for that need the rows in memory.
        pub fn in_memory_only(p: &Params) -> Vec<&'static str> {
            [$( (<$ty>::IN_MEMORY && <$ty>::wanted(p), <$ty>::NAME) ),*].into_iter().filter(|&(on, _)| on).map(|(_, name)| name).collect()
        }

        /// Every estimator's own parameter check.
        fn check_each(p: &Params) -> Result<(), ParamError> {
            $( <$ty>::check(p)?; )*
            Ok(())
        }

        /// Every estimate `p` asks for, from the full lists `full` of the points, the subsets'
        /// lists `within` (of `plan`'s subsets, in order) and the rows; `duplicates` as found.
        pub fn run<R: Rows>(
            p: &Params,
            full: &Neighbours,
            plan: &Plan,
            within: &[Neighbours],
            duplicates: Duplicates,
            rows: &mut R,
            progress: &mut dyn Progress,
        ) -> Result<Estimates, R::Error> {
            let mus = twonn::mus(full.distances.column(0).iter().copied(), full.distances.column(1).iter().copied());
            let duplicates = DuplicateReport {
                policy: p.duplicates,
                duplicate_rows: duplicates.rows,
                dropped: duplicates.dropped,
                zero_r1_excluded: mus.zero_r1_excluded,
                mu_one_ties: mus.mu_one_ties,
            };
            let mut share = Shares { count: [$( <$ty>::wanted(p) ),*].into_iter().filter(|&on| on).count(), done: 0 };
            $(
                let $field = if <$ty>::wanted(p) {
                    let lists = Lists { full, subsets: &plan.subsets[plan.$field.clone()], within: &within[plan.$field.clone()] };
                    <$ty>::estimate(p, &lists, rows, &mut share.next(progress))?
                } else {
                    Default::default()
                };
            )*
            progress.update(1.0).map_err(EstimateError::from)?;
            Ok(Estimates { n: mus.mu.len(), duplicates, $( $field ),* })
        }

        /// Every estimator's columns, in registry order, their pointers within [`Estimates`].
        pub fn columns() -> Vec<ColumnAt> {
            let mut out = Vec::new();
            $(
                out.extend(<$ty>::COLUMNS.iter().map(|c| ColumnAt {
                    key: c.key,
                    header: c.header,
                    value: format!("/{}{}", stringify!($field), c.value),
                    spread: c.spread.map(|s| format!("/{}{}", stringify!($field), s)),
                    digits: c.digits,
                }));
            )*
            out
        }

        /// `e`'s sections below the CLI table: title and lines.
        pub fn table_sections(e: &Estimates) -> Vec<(String, Vec<String>)> {
            [$( <$ty>::section(&e.$field) ),*].into_iter().flatten().collect()
        }
    };
}
registry!(items);

/// Equal shares of a progress bar, one per estimator that runs.
struct Shares {
    count: usize,
    done: usize,
}

impl Shares {
    /// The next estimator's share of `progress`.
    fn next<'a>(&mut self, progress: &'a mut dyn Progress) -> Stage<'a> {
        let n = self.count.max(1) as f64;
        let stage = Stage::new(progress, self.done as f64 / n, (self.done + 1) as f64 / n);
        self.done += 1;
        stage
    }
}

/// Duplicated rows among the points estimated on: found, and removed by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicates {
    /// Rows equal to an earlier row.
    pub rows: usize,
    /// Of them, removed before the search.
    pub dropped: usize,
}

impl Duplicates {
    /// `rows` duplicated rows, removed or kept as `p` says.
    pub fn new(rows: usize, p: &Params) -> Self {
        Self { rows, dropped: if p.duplicates == DuplicatePolicy::KeepOne { rows } else { 0 } }
    }
}

impl Params {
    /// Validates every field once, the shared ones and each estimator's, so no invalid value can
    /// reach the maths.
    pub fn check(self) -> Result<CheckedParams, ParamError> {
        self.check_shared()?;
        check_each(&self)?;
        Ok(CheckedParams::new(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_is_as_deep_as_the_deepest_estimator_asked_for() {
        let p = Params::default();
        assert_eq!(depth(&p, 1000), 16);
        assert_eq!(depth(&Params { gride: true, ..p.clone() }, 1000), 64);
        assert_eq!(depth(&Params { gride: true, gride_range: 4, ..p.clone() }, 1000), 16);
        assert_eq!(depth(&Params { gride: true, ..p }, 10), 9);
    }

    #[test]
    fn only_the_surrogate_needs_the_rows_in_memory() {
        assert!(in_memory_only(&Params::page()).iter().eq(["the Gaussian surrogate"].iter()));
        assert!(in_memory_only(&Params::default()).is_empty());
    }

    #[test]
    fn the_plan_holds_each_estimators_subsets_in_registry_order() {
        let p = Params { repeats: 3, decimation: true, min_block: 25, ..Params::default() };
        let plan = Plan::new(&p, 100);
        let sizes: Vec<usize> = plan.subsets().iter().map(Vec::len).collect();
        // TwoNN's 3 subsets of 90 points, then the decimation's 1 × 100, 2 × 50, 4 × 25.
        assert_eq!(sizes, [90, 90, 90, 100, 50, 50, 25, 25, 25, 25]);
        assert_eq!((plan.twonn.clone(), plan.decimation.clone(), plan.gride.clone()), (0..3, 3..10, 3..3));
    }

    #[test]
    fn each_estimator_checks_its_own_parameters() {
        let bad = |p: Params| p.check().unwrap_err();
        assert_eq!(bad(Params { mu_fraction: 1.5, ..Params::default() }), ParamError::MuFraction(1.5));
        assert_eq!(bad(Params { gride_range: 1, ..Params::default() }), ParamError::GrideRange { got: 1, max: 64 });
        assert_eq!(bad(Params { min_block: 2, ..Params::default() }), ParamError::MinBlock(2));
        assert_eq!(bad(Params { pc_threshold: 0.0, ..Params::default() }), ParamError::PcThreshold(0.0));
        assert_eq!(bad(Params { memory_limit_mb: 0, ..Params::default() }), ParamError::MemoryLimit);
    }

    #[test]
    fn columns_point_into_the_estimates_of_their_estimator() {
        let c = columns();
        let keys: Vec<&str> = c.iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [
                "id_ml",
                "id_ml_ci_low",
                "id_ml_ci_high",
                "id_fit",
                "id_fit_r2",
                "repeats",
                "id_ml_mean",
                "id_ml_std",
                "id_fit_mean",
                "id_fit_std",
                "pc_id"
            ]
        );
        let fit = &c[3];
        assert_eq!((fit.value.as_str(), fit.spread.as_deref()), ("/twonn/fit/id", Some("/twonn/repeats/fit_std")));
        assert_eq!(c[10].value, "/pc_id/id");
    }
}
