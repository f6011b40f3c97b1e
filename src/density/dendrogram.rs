//! The dendrogram of the density peaks (d'Errico et al. 2021; DADApy 0.3.4 `plot.get_dendrogram`):
//! single linkage of the clusters on F_max − log ρ at their saddle, so two peaks join at the
//! density of the highest saddle between their groups; clusters that border no other join last,
//! at the clusters' lowest log ρ − Z·error minus 1.

use serde::{Deserialize, Serialize};

use super::adp::Clusters;

/// One merge: nodes `a` and `b` (a cluster's number, or `clusters + t` for the t-th merge) join as
/// node `node` at log ρ = `saddle`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Link {
    /// The new node.
    pub node: usize,
    /// Its first child.
    pub a: usize,
    /// Its second child.
    pub b: usize,
    /// The log density it joins at.
    pub saddle: f64,
    /// Points under it.
    pub size: usize,
}

/// The merges of the peaks, first to last, and the leaves' order left to right.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Dendrogram {
    /// Clusters (the leaves, numbered as in [`Clusters`]).
    pub leaves: usize,
    /// log ρ at each leaf's peak.
    pub peaks: Vec<f64>,
    /// Points per leaf.
    pub sizes: Vec<usize>,
    /// The merges, in order.
    pub links: Vec<Link>,
    /// The leaves in drawing order.
    pub order: Vec<usize>,
}

/// The dendrogram of `c`, whose points' log densities are `log_den` (None with fewer than two
/// clusters). Ties are broken as DADApy's list: the first pair in the order it keeps.
pub fn dendrogram(c: &Clusters, log_den: &[f64]) -> Option<Dendrogram> {
    let n = c.centers.len();
    if n < 2 {
        return None;
    }
    let fmax = log_den.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // (node, node, distance) in DADApy's list order: pairs row-major to start.
    let mut pairs: Vec<(usize, usize, f64)> =
        (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).map(|(i, j)| (i, j, fmax - c.saddles[i][j])).collect();
    let mut size: Vec<usize> = c.sizes.clone();
    let mut links = Vec::with_capacity(n - 1);
    for t in 0..n - 1 {
        let best = (0..pairs.len()).fold(0, |b, p| if pairs[p].2 < pairs[b].2 { p } else { b });
        let (a, b, dis) = pairs[best];
        let node = n + t;
        size.push(size[a] + size[b]);
        links.push(Link { node, a, b, saddle: fmax - dis, size: size[node] });
        let merged = |x: usize| x == a || x == b;
        let mut untouched: Vec<usize> = pairs.iter().flat_map(|&(x, y, _)| [x, y]).filter(|&x| !merged(x)).collect();
        untouched.sort_unstable();
        untouched.dedup();
        let mut next: Vec<(usize, usize, f64)> = untouched
            .iter()
            .map(|&u| {
                let d = pairs
                    .iter()
                    .filter(|&&(x, y, _)| (x == u || y == u) && (merged(x) || merged(y)))
                    .map(|p| p.2)
                    .fold(9.9e99, f64::min);
                (u, node, d)
            })
            .collect();
        next.extend(pairs.iter().copied().filter(|&(x, y, _)| !merged(x) && !merged(y)));
        pairs = next;
    }
    let mut order = vec![links[n - 2].node];
    for l in links.iter().rev() {
        if let Some(at) = order.iter().position(|&x| x == l.node) {
            order.splice(at..=at, [l.a, l.b]);
        }
    }
    let peaks = c.centers.iter().map(|&p| log_den[p]).collect();
    Some(Dendrogram { leaves: n, peaks, sizes: c.sizes.clone(), links, order })
}
