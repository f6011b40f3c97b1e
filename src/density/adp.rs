//! Advanced density-peak clustering (d'Errico et al., Information Sciences 2021; DADApy 0.3.4
//! `compute_clustering_ADP`, its Cython `_compute_clustering`): the density peaks are the points
//! whose k* neighbours are all less dense (by g = log ρ − its error); every other point joins the
//! cluster of its nearest denser labelled neighbour, in order of g; between two clusters the
//! saddle is their densest border point; a pair whose peaks do not stand out of their saddle by
//! Z errors is merged, the highest saddle first, until every peak does.
//!
//! Deterministic: the points are taken in order of g, ties by index (DADApy's unstable sort only
//! differs there for equal g, i.e. duplicates, which are refused). Where DADApy reads a wrong row
//! (a point none of whose neighbours is labelled takes the cluster of the owner of a removed peak
//! in its list: DADApy reads the owner one row off) this port reads the intended one, and a point
//! still without a cluster is reported as such (-1) instead of DADApy's uninitialised label; its
//! neighbours then border no cluster through it. Neither happens on DADApy's fixtures.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{DensityError, PointDensities};

/// The clusters and the saddles between them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Clusters {
    /// The merging threshold, in errors.
    pub z: f64,
    /// Whether halo points (less dense than their cluster's highest saddle) are labelled -1.
    pub halo: bool,
    /// Each cluster's peak (a point index), clusters numbered in increasing order of it.
    pub centers: Vec<usize>,
    /// Each point's cluster (-1: halo, or no cluster reached).
    pub assignment: Vec<i32>,
    /// Points per cluster (halo points included).
    pub sizes: Vec<usize>,
    /// log ρ at the saddle between clusters i and j (`saddles[i][j]`); where two clusters do not
    /// border, the lowest log ρ − Z·error minus 1, on the diagonal minus 2 (DADApy's values).
    pub saddles: Vec<Vec<f64>>,
    /// The saddle's error (0 where there is none).
    pub saddle_errors: Vec<Vec<f64>>,
    /// The saddle point of each pair (None where there is none).
    pub saddle_points: Vec<Vec<Option<usize>>>,
    /// The lowest log ρ − Z·error (the offset of the saddles' values).
    pub log_den_min: f64,
}

/// The clusters of the points with densities `den` (PAk by default), adaptive neighbourhoods
/// `kstar` and neighbour lists `ind` (points × neighbours), merged at `z` errors.
pub fn cluster(
    den: &PointDensities,
    kstar: &[u32],
    ind: ArrayView2<u32>,
    z: f64,
    halo: bool,
) -> Result<Clusters, DensityError> {
    let n = den.log_den.len();
    let bad = den.log_den.iter().chain(&den.log_den_err).filter(|v| !v.is_finite()).count();
    if bad > 0 {
        return Err(DensityError::NotFinite(bad));
    }
    let deepest = kstar.iter().copied().max().unwrap_or(0) as usize;
    if ind.ncols() < deepest || ind.nrows() != n || kstar.len() != n {
        return Err(DensityError::Depth { needed: deepest, held: ind.ncols() });
    }
    let (den_v, err) = (&den.log_den, &den.log_den_err);
    let log_den_min = den_v.iter().zip(err).map(|(d, e)| d - z * e).fold(f64::INFINITY, f64::min);
    let rho: Vec<f64> = den_v.iter().map(|d| (d - log_den_min) + 1.0).collect();
    let g: Vec<f64> = rho.iter().zip(err).map(|(r, e)| r - e).collect();
    let near = |i: usize| ind.row(i).slice_move(ndarray::s![..kstar[i] as usize]);

    let owners = owners(&g, kstar, ind);
    let candidates = candidates(&g, kstar, ind);
    let centers: Vec<usize> = candidates.iter().copied().filter(|&c| owners[c].is_none()).collect();
    let mut removed = vec![false; n];
    for &c in candidates.iter().filter(|&&c| owners[c].is_some()) {
        removed[c] = true;
    }
    let mut label = vec![-1i32; n];
    for (c, &p) in centers.iter().enumerate() {
        label[p] = c as i32;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| g[b].total_cmp(&g[a]).then(a.cmp(&b)));
    for &p in &order {
        if label[p] >= 0 {
            continue;
        }
        if let Some(&j) = ind.row(p).iter().find(|&&j| label[j as usize] >= 0) {
            label[p] = label[j as usize];
            continue;
        }
        // No labelled neighbour: the cluster of the densest owner of a removed peak in its list.
        let owner = std::iter::once(p as u32)
            .chain(ind.row(p).iter().copied())
            .filter(|&c| removed[c as usize])
            .filter_map(|c| owners[c as usize])
            .max_by(|&a, &b| g[a].total_cmp(&g[b]).then(b.cmp(&a)));
        if let Some(o) = owner {
            label[p] = label[o];
        }
    }
    let nc = centers.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nc];
    for (p, &l) in label.iter().enumerate() {
        if l >= 0 {
            members[l as usize].push(p);
        }
    }

    // Border points: p1 of cluster c whose nearest k* neighbour outside c, pp, has no point of c
    // nearer than p1; the saddle of a pair is its border point of largest g.
    let mut bord = Array2::<f64>::zeros((nc, nc));
    let mut point: Array2<Option<usize>> = Array2::from_elem((nc, nc), None);
    let is_center: Vec<bool> = (0..n).map(|p| label[p] >= 0 && centers[label[p] as usize] == p).collect();
    for (c, list) in members.iter().enumerate() {
        for &p1 in list {
            if is_center[p1] {
                continue;
            }
            let Some(&pp) = near(p1).iter().find(|&&p2| label[p2 as usize] != c as i32) else { continue };
            let Ok(cp) = usize::try_from(label[pp as usize]) else { continue };
            let nearer = ind
                .row(pp as usize)
                .iter()
                .take_while(|&&po| po as usize != p1)
                .any(|&po| label[po as usize] == c as i32);
            if !nearer && g[p1] > bord[[c, cp]] {
                bord[[c, cp]] = g[p1];
                bord[[cp, c]] = g[p1];
                point[[c, cp]] = Some(p1);
                point[[cp, c]] = Some(p1);
            }
        }
    }
    let mut bord_err = Array2::<f64>::zeros((nc, nc));
    for i in 0..nc {
        for j in 0..nc {
            if let Some(p) = point[[i, j]].filter(|_| i != j) {
                bord[[i, j]] = rho[p];
                bord_err[[i, j]] = err[p];
            }
        }
        bord[[i, i]] = -1.0;
    }

    // Merging: the pair with the highest saddle whose peaks do not both stand Z errors above it.
    let mut alive = vec![true; nc];
    loop {
        let mut best = None;
        let mut top = -9_999_999_999.0;
        for i in 0..nc.saturating_sub(1) {
            for j in i + 1..nc {
                let b = bord[[i, j]];
                let (a1, a2) = (rho[centers[i]] - b, rho[centers[j]] - b);
                let (e1, e2) = (z * (err[centers[i]] + bord_err[[i, j]]), z * (err[centers[j]] + bord_err[[i, j]]));
                if (a1 < e1 || a2 < e2) && b > top {
                    top = b;
                    best = Some((i, j));
                }
            }
        }
        let Some((mut i, mut j)) = best else { break };
        let sig = |c: usize| (rho[centers[c]] - bord[[i, j]]) / (err[centers[c]] + bord_err[[i, j]]);
        if sig(i) < sig(j) {
            std::mem::swap(&mut i, &mut j);
        }
        alive[j] = false;
        (bord[[i, j]], bord[[j, i]], bord_err[[i, j]], bord_err[[j, i]]) = (-1.0, -1.0, 0.0, 0.0);
        let moved = std::mem::take(&mut members[j]);
        members[i].extend(moved);
        for m in (0..nc).filter(|&m| m != i && m != j) {
            if bord[[i, m]] < bord[[j, m]] {
                point[[i, m]] = point[[j, m]];
                point[[m, i]] = point[[j, m]];
                bord[[i, m]] = bord[[j, m]];
                bord[[m, i]] = bord[[j, m]];
                bord_err[[i, m]] = bord_err[[j, m]];
                bord_err[[m, i]] = bord_err[[j, m]];
            }
            (bord[[j, m]], bord[[m, j]], bord_err[[j, m]], bord_err[[m, j]]) = (-1.0, -1.0, 0.0, 0.0);
        }
    }

    let kept: Vec<usize> = (0..nc).filter(|&c| alive[c]).collect();
    let mut assignment = vec![-1i32; n];
    for (new, &c) in kept.iter().enumerate() {
        let saddle_top = kept.iter().map(|&o| bord[[c, o]]).fold(f64::NEG_INFINITY, f64::max);
        for &p in &members[c] {
            assignment[p] = if halo && rho[p] < saddle_top { -1 } else { new as i32 };
        }
    }
    let sub = |m: &Array2<f64>, shift: bool| -> Vec<Vec<f64>> {
        kept.iter()
            .map(|&a| kept.iter().map(|&b| if shift { (m[[a, b]] + log_den_min) - 1.0 } else { m[[a, b]] }).collect())
            .collect()
    };
    Ok(Clusters {
        z,
        halo,
        centers: kept.iter().map(|&c| centers[c]).collect(),
        sizes: kept.iter().map(|&c| members[c].len()).collect(),
        assignment,
        saddles: sub(&bord, true),
        saddle_errors: sub(&bord_err, false),
        saddle_points: kept.iter().map(|&a| kept.iter().map(|&b| point[[a, b]].filter(|_| a != b)).collect()).collect(),
        log_den_min,
    })
}

/// The points none of whose k* neighbours has a larger g (all finite), in increasing index: the
/// putative peaks, of which the peaks are those in no denser point's k* neighbourhood.
fn candidates(g: &[f64], kstar: &[u32], ind: ArrayView2<u32>) -> Vec<usize> {
    (0..g.len()).filter(|&i| ind.row(i).iter().take(kstar[i] as usize).all(|&j| g[i] >= g[j as usize])).collect()
}

/// For each point, the point of largest g (the first in index order) among those of larger g
/// whose k* neighbourhood holds it, if any.
fn owners(g: &[f64], kstar: &[u32], ind: ArrayView2<u32>) -> Vec<Option<usize>> {
    let mut owner: Vec<Option<usize>> = vec![None; g.len()];
    for i in 0..g.len() {
        for &c in ind.row(i).iter().take(kstar[i] as usize) {
            let c = c as usize;
            if g[i] > g[c] && owner[c].is_none_or(|o| g[i] > g[o]) {
                owner[c] = Some(i);
            }
        }
    }
    owner
}
