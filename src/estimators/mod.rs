//! The estimators: each reads a set of points' neighbour lists (and, for some, the rows) and gives
//! one field of the results. Every estimator implements [`Estimator`] and is listed once, in
//! [`registry!`]; the analysis runs them all through [`run`], for in-memory and streamed layers
//! alike, and the parameters ([`Params`]: the shared ones and each estimator's own), the page's
//! form and the CLI's flags ([`settings`]), the results schema, the CLI table and the streamed
//! path's refusals follow the list.

pub mod decimation;
pub mod density;
mod error;
pub mod gride;
pub mod neighbourhood;
pub mod overlap;
pub mod pcid;
pub mod surrogate;
pub mod twonn;

use std::ops::Range;

use ndarray::ArrayView2;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use error::EstimateError;

use crate::knn::{Metric, Neighbours};
use crate::params::{DuplicatePolicy, Fields, ParamError, Setting, SettingKind, Shown};
use crate::support::progress::{Progress, Stage};

/// How an estimator reaches the rows beyond the neighbour lists: in memory, or streamed from the
/// file by column chunks. A trait object, so every estimator and [`run`] are compiled once for
/// both paths; a streamed layer's own failure (a read error, a refusal) is kept by its `Rows`,
/// which answers [`EstimateError::Rows`] and hands the failure to its caller after [`run`].
pub trait Rows {
    /// The rows in memory, or `None` when the layer is streamed.
    fn in_memory(&self) -> Option<ArrayView2<'_, f32>>;
    /// PC-ID of the points `points` (ascending indices; `None`: all of them).
    fn pc_id(
        &mut self,
        points: Option<Vec<usize>>,
        threshold: f64,
        progress: &mut dyn Progress,
    ) -> Result<pcid::PcId, EstimateError>;
}

/// The class labels of the points estimated on (in point order), for the estimators that read them.
#[derive(Debug, Clone, Copy)]
pub struct PointLabels<'a> {
    /// Each point's class id.
    pub ids: &'a [u32],
    /// Class names by id (an id without one is named by its number).
    pub names: &'a [String],
}

impl PointLabels<'_> {
    /// The name of class `id`.
    pub fn name(&self, id: u32) -> String {
        self.names.get(id as usize).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// What an estimator reads: the full neighbour lists, the subsets it asked for, and the
/// neighbour lists within each of them (local indices, at least as deep as it asked), all found
/// by one search; the labels.
pub struct Lists<'a> {
    /// The neighbours of every point, as deep as the deepest [`Estimator::depth`].
    pub full: &'a Neighbours,
    /// The points' labels, when the layer has them (not within one class's estimates).
    pub labels: Option<PointLabels<'a>>,
    /// The subsets it asked for ([`Estimator::subsets`]), in order.
    pub subsets: &'a [Vec<usize>],
    /// Each subset's neighbour lists: exactly what a search on its rows alone finds.
    pub within: &'a [Neighbours],
}

/// One estimate on a set of points, with its own parameters and their validation, its neighbour
/// needs and its lines in the CLI's table. Register it in [`registry!`].
pub trait Estimator {
    /// Its field of [`Estimates`] (`Default`: not asked for).
    type Output: Default;
    /// Its own parameters (declared with [`crate::params::settings!`]): its field of [`Params`],
    /// flat in JSON beside the shared ones.
    type Params: Fields;
    /// Its name in messages.
    const NAME: &'static str;
    /// Whether it needs the rows in memory: a streamed layer then refuses it, with a message.
    const IN_MEMORY: bool = false;
    /// Whether it reads the points' labels ([`Lists::labels`]): the caller then reads them.
    const LABELS: bool = false;
    /// Whether it runs on each class's points too, in the per-class estimates.
    const PER_CLASS: bool = true;
    /// Its parameters' controls in the page's form and flags on the command line.
    const SETTINGS: &'static [Setting] = &[];
    /// Checks its own parameters (run for every estimator, asked for or not).
    fn check(_own: &Self::Params) -> Result<(), ParamError> {
        Ok(())
    }
    /// Neighbours per point it reads from the full lists; the search finds the largest asked for.
    fn depth(_p: &Params, _n: usize) -> usize {
        2
    }
    /// Subsets of the `n` points whose own neighbour lists it reads ([`Lists::within`]).
    fn subsets(_p: &Params, _n: usize) -> Vec<Vec<usize>> {
        Vec::new()
    }
    /// Neighbours per point it reads within a subset of `n` points (another estimator asking
    /// for the same subsets may make them deeper).
    fn within_depth(_p: &Params, _n: usize) -> usize {
        2
    }
    /// The estimate.
    fn estimate(
        p: &Params,
        lists: &Lists,
        rows: &mut dyn Rows,
        progress: &mut dyn Progress,
    ) -> Result<Self::Output, EstimateError>;
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
            /// The neighbourhood overlap with the labels, χ^gt (absent when not requested or without labels).
            overlap: $crate::estimators::overlap::OverlapEstimator,
            /// Each point's k nearest neighbours, for the overlaps between layers (absent when not requested).
            neighbourhood: $crate::estimators::neighbourhood::NeighbourhoodEstimator,
            /// The densities, density peaks and their dendrogram (absent when not requested).
            density: $crate::estimators::density::DensityEstimator,
        }
    };
}
pub(crate) use registry;

/// Counts of duplicated rows and ties, reported with every estimate.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
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

/// The registry's items: [`Params`], [`Estimates`], the subsets [`Plan`], [`run`] and what the
/// search, the parameter check, the form and flags, the streamed path and the tables read from
/// the list.
macro_rules! items {
    (; $( $(#[$doc:meta])* $field:ident: $ty:ty ),* $(,)?) => {
        /// Analysis parameters as the user gives them (CLI flags, page controls, a results file):
        /// the ones every pass reads, and each registered estimator's own, flat in JSON.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Params {
            /// Distance used for the neighbours.
            pub metric: Metric,
            /// Handling of duplicated rows.
            pub duplicates: DuplicatePolicy,
            /// Seed of every random choice; the same seed gives the same numbers natively and in wasm.
            pub seed: u32,
            /// Random subsample (with `seed`) of at most this many points per layer; `None` uses all.
            pub max_points: Option<usize>,
            /// With labels: repeat every estimate on each class's points.
            pub per_class: bool,
            /// Memory (MiB) a layer may take in memory; a larger layer is streamed by column chunks
            /// (see `analysis::streamed`), which keeps the working memory under this bound.
            pub memory_limit_mb: u64,
            $(
                #[doc = concat!("The parameters of `", stringify!($field), "`.")]
                pub $field: <$ty as Estimator>::Params,
            )*
        }

        impl Default for Params {
            fn default() -> Self {
                Self {
                    metric: Metric::Euclidean,
                    duplicates: DuplicatePolicy::KeepOne,
                    seed: 0,
                    max_points: None,
                    per_class: false,
                    memory_limit_mb: 1024,
                    $( $field: Default::default(), )*
                }
            }
        }

        /// Reads the flat object key by key (unknown keys refused, missing ones at their defaults).
        struct ParamsVisitor;

        impl<'de> Visitor<'de> for ParamsVisitor {
            type Value = Params;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("the analysis parameters (an object)")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
                let mut p = Params::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "metric" => p.metric = map.next_value()?,
                        "duplicates" => p.duplicates = map.next_value()?,
                        "seed" => p.seed = map.next_value()?,
                        "max_points" => p.max_points = map.next_value()?,
                        "per_class" => p.per_class = map.next_value()?,
                        "memory_limit_mb" => p.memory_limit_mb = map.next_value()?,
                        _ => {
                            let known = false $( || p.$field.set(&key, &mut map)? )*;
                            if !known {
                                return Err(de::Error::custom(format_args!("unknown parameter `{key}`")));
                            }
                        }
                    }
                }
                Ok(p)
            }
        }

        impl Serialize for Params {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut out = s.serialize_struct("Params", 6 $( + <<$ty as Estimator>::Params as Fields>::LEN )*)?;
                out.serialize_field("metric", &self.metric)?;
                out.serialize_field("duplicates", &self.duplicates)?;
                out.serialize_field("seed", &self.seed)?;
                out.serialize_field("max_points", &self.max_points)?;
                out.serialize_field("per_class", &self.per_class)?;
                out.serialize_field("memory_limit_mb", &self.memory_limit_mb)?;
                $( self.$field.write(&mut out)?; )*
                out.end()
            }
        }

        impl<'de> Deserialize<'de> for Params {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // As a struct: serde-wasm-bindgen then reads a JS object's keys by name, in one
                // instantiation (as a map it has two); serde_json reads every key as before.
                static KEYS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
                let keys = KEYS.get_or_init(|| settings().iter().map(|s| s.name).collect());
                d.deserialize_struct("Params", keys, ParamsVisitor)
            }
        }

        /// Every parameter the page's form and the CLI offer: the shared ones, then each
        /// estimator's, in registry order.
        pub fn settings() -> Vec<Setting> {
            let mut out = SHARED.to_vec();
            $( out.extend_from_slice(<$ty>::SETTINGS); )*
            out
        }

        impl Params {
            /// These parameters for the estimates on each class's points: the estimators that
            /// do not run per class turned off.
            pub fn for_classes(&self) -> Params {
                let mut p = self.clone();
                $(
                    if !<$ty>::PER_CLASS {
                        if let Some(on) = p.$field.switch() {
                            *on = false;
                        }
                    }
                )*
                p
            }

            /// These parameters with every estimator that has a switch turned off, but those whose
            /// field is in `keep`.
            pub fn only(&self, keep: &[&str]) -> Params {
                let mut p = self.clone();
                $(
                    if !keep.contains(&stringify!($field)) {
                        if let Some(on) = p.$field.switch() {
                            *on = false;
                        }
                    }
                )*
                p
            }
        }

        /// The fields of the estimators that have a switch and do (`in_memory`) or do not need the
        /// rows in memory, in registry order.
        pub fn switched(in_memory: bool) -> Vec<&'static str> {
            let mut out = Vec::new();
            $(
                if <$ty>::IN_MEMORY == in_memory && <$ty as Estimator>::Params::default().switch().is_some() {
                    out.push(stringify!($field));
                }
            )*
            out
        }

        /// Every estimator's own parameter check.
        fn check_each(p: &Params) -> Result<(), ParamError> {
            $( <$ty>::check(&p.$field)?; )*
            Ok(())
        }
        /// Every estimate computed on one set of points (`Default`: none).
        #[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
        pub struct Estimates {
            /// Points that entered the estimates (after duplicates and exclusions).
            pub n: usize,
            /// How duplicated rows and ties were handled.
            pub duplicates: DuplicateReport,
            $( $(#[$doc])* pub $field: <$ty as Estimator>::Output, )*
        }

        /// The subsets every estimator asked for on `n` points, searched together (one set of
        /// rescans when streamed), each as deep as its deepest reader; and which of them are
        /// whose (an estimator asking for the subsets another did reads theirs).
        pub struct Plan {
            subsets: Vec<Vec<usize>>,
            depths: Vec<usize>,
            $( $field: Range<usize>, )*
        }

        impl Plan {
            /// The subsets the estimators `p` asks for want on `n` points.
            pub fn new(p: &Params, n: usize) -> Self {
                let mut plan = Self { subsets: Vec::new(), depths: Vec::new(), $( $field: 0..0 ),* };
                let mut asked: Vec<Range<usize>> = Vec::new();
                $(
                    if p.$field.on() {
                        let own = <$ty>::subsets(p, n);
                        let depths: Vec<usize> = own.iter().map(|s| <$ty>::within_depth(p, s.len())).collect();
                        plan.$field = plan.add(own, depths, &asked);
                        asked.push(plan.$field.clone());
                    }
                )*
                plan
            }

            /// Every subset, in order (ascending point indices each).
            pub fn subsets(&self) -> &[Vec<usize>] {
                &self.subsets
            }

            /// Neighbours per point searched within each subset.
            pub fn depths(&self) -> &[usize] {
                &self.depths
            }
        }

        /// Neighbours per point the estimators `p` asks for read (among `n` points).
        pub fn depth(p: &Params, n: usize) -> usize {
            [$( if p.$field.on() { <$ty>::depth(p, n) } else { 0 } ),*].into_iter().fold(2, usize::max).min(n.saturating_sub(1))
        }

        /// Whether an estimator `p` asks for reads the labels.
        pub fn reads_labels(p: &Params) -> bool {
            [$( <$ty>::LABELS && p.$field.on() ),*].into_iter().any(|on| on)
        }

        /// The estimators `p` asks for that need the rows in memory.
        pub fn in_memory_only(p: &Params) -> Vec<&'static str> {
            [$( (<$ty>::IN_MEMORY && p.$field.on(), <$ty>::NAME) ),*].into_iter().filter(|&(on, _)| on).map(|(_, name)| name).collect()
        }

        /// Every estimate `p` asks for, from the full lists `full` of the points, the subsets'
        /// lists `within` (of `plan`'s subsets, in order), the points' labels and the rows;
        /// `duplicates` as found.
        #[allow(clippy::too_many_arguments)]
        pub fn run(
            p: &Params,
            full: &Neighbours,
            labels: Option<PointLabels>,
            plan: &Plan,
            within: &[Neighbours],
            duplicates: Duplicates,
            rows: &mut dyn Rows,
            progress: &mut dyn Progress,
        ) -> Result<Estimates, EstimateError> {
            let mus = twonn::mus(full.distances.column(0).iter().copied(), full.distances.column(1).iter().copied());
            let duplicates = DuplicateReport {
                policy: p.duplicates,
                duplicate_rows: duplicates.rows,
                dropped: duplicates.dropped,
                zero_r1_excluded: mus.zero_r1_excluded,
                mu_one_ties: mus.mu_one_ties,
            };
            let mut share = Shares { count: [$( p.$field.on() ),*].into_iter().filter(|&on| on).count(), done: 0 };
            $(
                let $field = if p.$field.on() {
                    let lists = Lists { full, labels, subsets: &plan.subsets[plan.$field.clone()], within: &within[plan.$field.clone()] };
                    <$ty>::estimate(p, &lists, rows, &mut share.next(progress))?
                } else {
                    Default::default()
                };
            )*
            progress.update(1.0)?;
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

impl Plan {
    /// Adds an estimator's subsets (with the depths it reads them at) and returns where they
    /// are: the range of an earlier estimator's identical subsets (`asked`), deepened, if any.
    fn add(&mut self, own: Vec<Vec<usize>>, depths: Vec<usize>, asked: &[Range<usize>]) -> Range<usize> {
        if own.is_empty() {
            return 0..0;
        }
        if let Some(r) = asked.iter().find(|r| self.subsets[(*r).clone()] == own[..]) {
            for (d, &own) in self.depths[r.clone()].iter_mut().zip(&depths) {
                *d = (*d).max(own);
            }
            return r.clone();
        }
        let start = self.subsets.len();
        self.subsets.extend(own);
        self.depths.extend(depths);
        start..self.subsets.len()
    }
}

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

/// The shared parameters' controls and flags (each estimator lists its own in
/// [`Estimator::SETTINGS`]).
const SHARED: &[Setting] = &[
    Setting {
        name: "seed",
        label: "Seed",
        help: "Seed of every random choice",
        kind: SettingKind::Number { min: 0.0, max: Some(u32::MAX as f64), step: 1.0, empty: None },
        shown: Shown::Both,
        alias: None,
    },
    Setting {
        name: "duplicates",
        label: "Duplicates",
        help: "Duplicated rows: keep one copy, or keep all and leave out the points with r₁ = 0",
        kind: SettingKind::Choice { options: &[("keep-one", "keep one copy"), ("keep", "keep all, skip r₁ = 0")] },
        shown: Shown::Both,
        alias: None,
    },
    Setting {
        name: "metric",
        label: "Metric",
        help: "Distance: Euclidean, or cosine (the chord between unit vectors)",
        kind: SettingKind::Choice { options: &[("euclidean", "Euclidean"), ("cosine", "cosine")] },
        shown: Shown::Both,
        alias: None,
    },
    Setting {
        name: "max_points",
        label: "Max points per layer",
        help: "Random subsample of at most this many points per layer",
        kind: SettingKind::Number { min: 3.0, max: None, step: 1.0, empty: Some("all") },
        shown: Shown::Both,
        alias: None,
    },
    Setting {
        name: "per_class",
        label: "per-class ID",
        help: "With labels: the TwoNN estimates on each class's points (a second pass after the whole-set estimates)",
        kind: SettingKind::Check,
        shown: Shown::Page,
        alias: None,
    },
    Setting {
        name: "memory_limit_mb",
        label: "Memory per layer (MiB)",
        help: "Memory (MiB) a layer may take; a larger one is streamed from its file by column chunks",
        kind: SettingKind::Number { min: 1.0, max: None, step: 1.0, empty: None },
        shown: Shown::Cli,
        alias: None,
    },
];

impl Params {
    /// The page's defaults: [`Params::default`] with every estimate it shows turned on (Gride,
    /// decimation, PC-ID, the Gaussian surrogate, the label overlap); its form is filled from these.
    pub fn page() -> Self {
        let mut p = Self::default();
        (p.gride.run, p.decimation.run, p.pc_id.run, p.surrogate.run) = (true, true, true, true);
        (p.overlap.run, p.neighbourhood.run) = (true, true);
        p
    }

    /// Validates every field once, the shared ones and each estimator's, so no invalid value can
    /// reach the maths.
    pub fn check(self) -> Result<CheckedParams, ParamError> {
        if let Some(m) = self.max_points {
            ParamError::unless(m >= 3, "max_points", m as f64, "at least 3")?;
        }
        ParamError::unless(self.memory_limit_mb >= 1, "memory_limit_mb", self.memory_limit_mb as f64, "at least 1")?;
        check_each(&self)?;
        Ok(CheckedParams(self))
    }
}

/// Parameters that passed [`Params::check`]; the analysis takes only this form.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedParams(Params);

impl CheckedParams {
    /// The validated values.
    pub fn get(&self) -> &Params {
        &self.0
    }

    /// [`Params::for_classes`] (turning estimators off keeps them valid).
    pub fn for_classes(&self) -> CheckedParams {
        CheckedParams(self.0.for_classes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults with `f` applied.
    fn with(f: impl FnOnce(&mut Params)) -> Params {
        let mut p = Params::default();
        f(&mut p);
        p
    }

    #[test]
    fn the_search_is_as_deep_as_the_deepest_estimator_asked_for() {
        assert_eq!(depth(&Params::default(), 1000), 16);
        assert_eq!(depth(&with(|p| p.gride.run = true), 1000), 64);
        assert_eq!(depth(&with(|p| (p.gride.run, p.gride.range) = (true, 4)), 1000), 16);
        assert_eq!(depth(&with(|p| p.gride.run = true), 10), 9);
    }

    #[test]
    fn only_the_surrogate_needs_the_rows_in_memory() {
        assert!(in_memory_only(&Params::page()).iter().eq(["the Gaussian surrogate"].iter()));
        assert!(in_memory_only(&Params::default()).is_empty());
    }

    #[test]
    fn the_plan_holds_each_estimators_subsets_in_registry_order() {
        let p = with(|p| (p.twonn.repeats, p.decimation.run, p.decimation.min_block) = (3, true, 25));
        let plan = Plan::new(&p, 100);
        let sizes: Vec<usize> = plan.subsets().iter().map(Vec::len).collect();
        // TwoNN's 3 subsets of 90 points, then the decimation's 1 × 100, 2 × 50, 4 × 25.
        assert_eq!(sizes, [90, 90, 90, 100, 50, 50, 25, 25, 25, 25]);
        assert_eq!((plan.twonn.clone(), plan.decimation.clone(), plan.gride.clone()), (0..3, 3..10, 0..0));
        assert_eq!(plan.depths(), [2; 10]);
        // The label overlap and the kept neighbourhoods ask for TwoNN's subsets: searched once,
        // as deep as the deepest reader (k = 12 and 10), the decimation's blocks still 2 deep.
        let both = with(|p| {
            (p.twonn.repeats, p.decimation.run, p.decimation.min_block) = (3, true, 25);
            (p.overlap.run, p.overlap.k, p.neighbourhood.run) = (true, 12, true);
        });
        let plan = Plan::new(&both, 100);
        assert_eq!(plan.subsets().len(), 10);
        assert_eq!((plan.overlap.clone(), plan.neighbourhood.clone()), (0..3, 0..3));
        assert_eq!(plan.depths(), [12, 12, 12, 2, 2, 2, 2, 2, 2, 2]);
    }

    #[test]
    fn each_estimator_checks_its_own_parameters() {
        let bad = |f: fn(&mut Params)| with(f).check().unwrap_err().to_string();
        assert_eq!(bad(|p| p.twonn.mu_fraction = 1.5), "mu_fraction must be in (0, 1], got 1.5");
        assert_eq!(bad(|p| p.twonn.mu_fraction = f64::NAN), "mu_fraction must be in (0, 1], got NaN");
        assert_eq!(bad(|p| p.twonn.subset_fraction = 1.0), "subset_fraction must be in (0, 1), got 1");
        assert_eq!(bad(|p| p.twonn.repeats = 1001), "repeats must be at most 1000, got 1001");
        assert_eq!(bad(|p| p.gride.range = 1), "gride_range must be between 2 and 64, got 1");
        assert_eq!(bad(|p| p.gride.range = 65), "gride_range must be between 2 and 64, got 65");
        assert_eq!(bad(|p| p.decimation.min_block = 2), "min_block must be at least 3, got 2");
        assert_eq!(bad(|p| p.pc_id.threshold = 0.0), "pc_threshold must be in (0, 1], got 0");
        assert_eq!(bad(|p| p.pc_id.max_points = 2), "pc_max_points must be at least 3, got 2");
        assert_eq!(bad(|p| p.max_points = Some(2)), "max_points must be at least 3, got 2");
        assert_eq!(bad(|p| p.memory_limit_mb = 0), "memory_limit_mb must be at least 1, got 0");
        let e = with(|p| p.gride.range = 65).check().unwrap_err();
        assert_eq!((e.name, e.got), ("gride_range", 65.0));
        assert_eq!(gride::MAX_GRIDE_RANGE, 64, "the message's bound");
        assert_eq!(twonn::MAX_REPEATS, 1000, "the message's bound");
    }

    #[test]
    fn defaults_are_the_papers_and_valid() {
        let p = Params::default().check().unwrap();
        let t = &p.get().twonn;
        assert_eq!((t.mu_fraction, t.repeats, t.subset_fraction), (0.9, 20, 0.9));
        Params::page().check().unwrap();
    }

    #[test]
    fn params_are_one_flat_object_with_defaults_filled_in_and_unknown_keys_refused() {
        let p: Params =
            serde_json::from_str(r#"{"seed": 7, "duplicates": "keep", "gride": true, "pc_threshold": 0.5}"#).unwrap();
        assert_eq!((p.seed, p.duplicates, p.gride.run, p.pc_id.threshold), (7, DuplicatePolicy::Keep, true, 0.5));
        assert_eq!((p.twonn.repeats, p.gride.range), (20, 64));
        let json = serde_json::to_value(Params::page()).unwrap();
        assert_eq!(json["gride"], true);
        assert_eq!(json["mu_fraction"], 0.9);
        assert_eq!(json["max_points"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<Params>(json).unwrap(), Params::page());
        let e = serde_json::from_str::<Params>(r#"{"sed": 7}"#).unwrap_err().to_string();
        assert!(e.starts_with("unknown parameter `sed`"), "{e}");
        assert!(serde_json::from_str::<Params>(r#"{"seed": -1}"#).is_err());
        assert!(serde_json::from_str::<Params>(r#"{"gride": 1}"#).is_err());
    }

    #[test]
    fn every_params_key_has_one_setting_and_every_setting_is_a_key() {
        let json = serde_json::to_value(Params::default()).unwrap();
        let keys: std::collections::BTreeSet<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let named: Vec<&str> = settings().iter().map(|s| s.name).collect();
        let unique: std::collections::BTreeSet<&str> = named.iter().copied().collect();
        assert_eq!(unique.len(), named.len(), "a setting listed twice: {named:?}");
        assert_eq!(keys, unique);
    }

    #[test]
    fn every_settings_bounds_and_options_pass_the_checks() {
        let defaults = serde_json::to_value(Params::default()).unwrap();
        for s in settings() {
            let set = |v: serde_json::Value| {
                let mut p = defaults.clone();
                p[s.name] = v;
                serde_json::from_value::<Params>(p).unwrap_or_else(|e| panic!("{}: {e}", s.name))
            };
            match s.kind {
                SettingKind::Number { min, max, step, empty } => {
                    // Whole steps: an integer field.
                    let check = |x: f64| {
                        let v = if step.fract() == 0.0 { serde_json::json!(x as u64) } else { serde_json::json!(x) };
                        set(v).check().unwrap_or_else(|e| panic!("{} = {x}: {e}", s.name));
                    };
                    check(min);
                    if let Some(max) = max {
                        check(max);
                    }
                    if empty.is_some() {
                        set(serde_json::Value::Null).check().unwrap();
                    }
                }
                SettingKind::Choice { options } => {
                    for (value, _) in options {
                        set(serde_json::json!(value));
                    }
                }
                SettingKind::Check => {
                    assert_eq!(defaults[s.name], false, "{}: a switch that is on cannot be turned off", s.name);
                    set(serde_json::json!(true));
                }
            }
        }
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
                "pc_id",
                "label_overlap",
                "label_overlap_std",
                "density_peaks",
                "density_ari",
                "density_purity"
            ]
        );
        let fit = &c[3];
        assert_eq!((fit.value.as_str(), fit.spread.as_deref()), ("/twonn/fit/id", Some("/twonn/repeats/fit_std")));
        assert_eq!(c[10].value, "/pc_id/id");
        assert_eq!(c[11].value, "/overlap/overlap");
    }
}
