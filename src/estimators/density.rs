//! The density profile of a layer (Doimo et al. 2020): each point's kNN, kstarNN and PAk log
//! density in the layer's intrinsic dimension (its TwoNN fit, or a d given), the density peaks'
//! clusters (ADP at Z errors) with their saddles, the dendrogram of the peaks and, with labels,
//! how the clusters agree with the classes (`crate::density`, DADApy 0.3.4's conventions).
//!
//! It reads the whole-set lists the search keeps, as deep as `density_maxk` (DADApy's maxk,
//! default 100, at most 128; N·maxk indices and distances while the layer is estimated), in
//! memory and streamed alike. k* is bounded by that depth (at most maxk − 1). Exact duplicates
//! (kept with `duplicates: keep`) have an infinite density and are refused with a message.

use ndarray::s;
use serde::{Deserialize, Serialize};

use crate::density::PointDensities;
use crate::density::adp::{Clusters, cluster};
use crate::density::dendrogram::{Dendrogram, dendrogram};
use crate::density::labels::{LabelAgreement, agreement};
use crate::density::local::{knn, kstar, kstar_nn, kstar_threshold};
use crate::density::pak::pak;
use crate::estimators::twonn::{TwoNn, mus};
use crate::estimators::{Column, EstimateError, Estimator, Lists, Params, Rows};
use crate::knn::MAX_K;
use crate::params::{ParamError, Setting, SettingKind, Shown, settings};
use crate::support::progress::Progress;

/// The significance of k*'s likelihood-ratio test (DADApy's default).
pub const KSTAR_ALPHA: f64 = 1e-6;

settings! {
    /// The density profile's parameters.
    pub struct DensityParams {
        /// Compute it.
        run as "density": bool = false,
        /// Neighbours searched per point: k* stays below it (DADApy's maxk).
        maxk as "density_maxk": usize = 100,
        /// The kNN density's k.
        k as "density_k": usize = 10,
        /// The manifold's dimension the densities are measured in (None: the layer's TwoNN fit).
        id as "density_id": Option<f64> = None,
        /// How many errors a peak must stand above its saddle to stay a cluster.
        z as "density_z": f64 = 1.65,
        /// Label the points less dense than their cluster's highest saddle as halo (-1).
        halo as "density_halo": bool = false,
    }
}

/// One layer's densities, clusters and dendrogram.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DensityProfile {
    /// The dimension used.
    pub id: f64,
    /// Whether it is the layer's TwoNN fit (else the parameter).
    pub id_from_twonn: bool,
    /// Neighbours searched per point.
    pub maxk: usize,
    /// Each point's k* (3 ≤ k* ≤ maxk − 1).
    pub kstar: Vec<u32>,
    /// The kNN density's k.
    pub k: usize,
    /// Each point's kNN log density (error 1/√k).
    pub knn: Vec<f64>,
    /// Each point's kstarNN log density (error 1/√k*).
    pub kstar_nn: Vec<f64>,
    /// Each point's PAk log density and its error: what the clusters use.
    pub pak: PointDensities,
    /// Clusters found.
    pub peaks: usize,
    /// The density peaks' clusters.
    pub clusters: Clusters,
    /// The dendrogram of the peaks (None with a single one).
    pub dendrogram: Option<Dendrogram>,
    /// How the clusters agree with the labels, when the layer has them.
    pub labels: Option<LabelAgreement>,
}

/// The densities and clusters of the whole set; not per class.
pub struct DensityEstimator;

impl Estimator for DensityEstimator {
    type Output = Option<DensityProfile>;
    type Params = DensityParams;
    const NAME: &'static str = "the density profile";
    const LABELS: bool = true;
    const PER_CLASS: bool = false;
    const SETTINGS: &'static [Setting] = &[
        Setting {
            name: "density",
            label: "density peaks",
            help: "kNN, k* and PAk densities of each point, its density-peak clusters (ADP) and their dendrogram (DADApy's)",
            kind: SettingKind::Check,
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "density_maxk",
            label: "density neighbours",
            help: "Neighbours searched per point for the densities: k* stays below it (DADApy's maxk)",
            kind: SettingKind::Number { min: 5.0, max: Some(MAX_K as f64), step: 1.0, empty: None },
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "density_k",
            label: "kNN density k",
            help: "The neighbour the kNN density measures its volume to",
            kind: SettingKind::Number { min: 1.0, max: Some(MAX_K as f64), step: 1.0, empty: None },
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "density_id",
            label: "density dimension",
            help: "The dimension the densities are measured in (empty: each layer's TwoNN ID)",
            kind: SettingKind::Number { min: 0.1, max: None, step: 0.1, empty: Some("TwoNN") },
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "density_z",
            label: "ADP Z",
            help: "A density peak stays a cluster when it stands Z errors above its saddle (d'Errico et al.: 1.65)",
            kind: SettingKind::Number { min: 0.1, max: Some(10.0), step: 0.05, empty: None },
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "density_halo",
            label: "ADP halo",
            help: "Leave out of the clusters the points less dense than their cluster's highest saddle",
            kind: SettingKind::Check,
            shown: Shown::Both,
            alias: None,
        },
    ];

    fn check(p: &DensityParams) -> Result<(), ParamError> {
        ParamError::unless((5..=MAX_K).contains(&p.maxk), "density_maxk", p.maxk as f64, "between 5 and 128")?;
        ParamError::unless((1..=MAX_K).contains(&p.k), "density_k", p.k as f64, "between 1 and 128")?;
        if let Some(d) = p.id {
            ParamError::unless(d.is_finite() && d > 0.0, "density_id", d, "a positive number")?;
        }
        ParamError::unless(p.z.is_finite() && p.z > 0.0, "density_z", p.z, "a positive number")
    }

    fn depth(p: &Params, _n: usize) -> usize {
        p.density.maxk.max(p.density.k)
    }

    fn estimate(
        p: &Params,
        lists: &Lists,
        _rows: &mut dyn Rows,
        _: &mut dyn Progress,
    ) -> Result<Option<DensityProfile>, EstimateError> {
        let own = &p.density;
        let full = lists.full;
        // Its own maxk, though another estimator may have made the search deeper.
        let maxk = own.maxk.max(own.k).min(full.k());
        let (dist, ind) = (full.distances.slice(s![.., ..maxk]), full.indices.slice(s![.., ..maxk]));
        let (id, id_from_twonn) = match own.id {
            Some(d) => (d, false),
            None => {
                let m = mus(full.distances.column(0).iter().copied(), full.distances.column(1).iter().copied());
                (TwoNn::of_mu(m.mu, p.twonn.mu_fraction, 1.0)?.fit.id, true)
            }
        };
        let fail = EstimateError::Density;
        let ks = kstar(dist, ind, id, kstar_threshold(KSTAR_ALPHA)).map_err(fail)?;
        let pk = pak(dist, &ks, id).map_err(fail)?;
        let clusters = cluster(&pk, &ks, ind, own.z, own.halo).map_err(fail)?;
        let labels = lists.labels.map(|l| agreement(&clusters.assignment, l.ids, l.names, clusters.centers.len()));
        Ok(Some(DensityProfile {
            id,
            id_from_twonn,
            maxk,
            knn: knn(dist, own.k.min(maxk), id).map_err(fail)?.log_den,
            kstar_nn: kstar_nn(dist, &ks, id).map_err(fail)?.log_den,
            dendrogram: dendrogram(&clusters, &pk.log_den),
            kstar: ks,
            k: own.k.min(maxk),
            peaks: clusters.centers.len(),
            pak: pk,
            clusters,
            labels,
        }))
    }

    const COLUMNS: &'static [Column] = &[
        Column { key: "density_peaks", header: Some("peaks"), value: "/peaks", spread: None, digits: 0 },
        Column { key: "density_ari", header: None, value: "/labels/ari", spread: None, digits: 3 },
        Column { key: "density_purity", header: None, value: "/labels/purity", spread: None, digits: 3 },
    ];

    fn section(o: &Option<DensityProfile>) -> Option<(String, Vec<String>)> {
        let o = o.as_ref()?;
        let c = &o.clusters;
        let mut lines = vec![format!("{:>8} {:>8} {:>10} {:>24}", "cluster", "points", "peak log ρ", "majority class")];
        for (i, (&p, &size)) in c.centers.iter().zip(&c.sizes).enumerate() {
            let majority = o
                .labels
                .as_ref()
                .and_then(|l| l.majority.get(i))
                .map_or(String::new(), |m| format!("{} ({:.0} %)", m.name, 100.0 * m.share));
            lines.push(format!("{:>8} {:>8} {:>10.3} {:>24}", i, size, o.pak.log_den[p], majority));
        }
        let agree = o.labels.as_ref().map_or(String::new(), |l| format!(", ARI {:.3}, purity {:.3}", l.ari, l.purity));
        let d = if o.id_from_twonn { format!("d = {:.2} (TwoNN)", o.id) } else { format!("d = {}", o.id) };
        Some((format!("Density peaks (PAk, ADP Z = {}, {d}): {} clusters{agree}", c.z, c.centers.len()), lines))
    }
}
