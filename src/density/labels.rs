//! How the density peaks' clusters agree with the labels (Doimo et al. 2020, Fig. 4: in the last
//! layers one peak per class or group of classes): the adjusted Rand index of the two partitions,
//! the share of the points whose cluster's majority class is theirs, and each cluster's majority.

use serde::{Deserialize, Serialize};

/// A cluster's most frequent class.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Majority {
    /// Class id (the smallest among equally frequent ones).
    pub class: u32,
    /// Class name.
    pub name: String,
    /// Its share of the cluster's points.
    pub share: f64,
}

/// The agreement of the clusters with the labels, over the points in a cluster (not halo).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LabelAgreement {
    /// Adjusted Rand index (Hubert & Arabie 1985): 1 for the same partition, about 0 by chance.
    pub ari: f64,
    /// Share of the points whose cluster's majority class is theirs.
    pub purity: f64,
    /// Per cluster, its majority class.
    pub majority: Vec<Majority>,
}

/// The agreement of `assignment` (a cluster per point, -1: none) with the points' class ids `ids`
/// (named by `names`, or by their number), over `clusters`.
pub fn agreement(assignment: &[i32], ids: &[u32], names: &[String], clusters: usize) -> LabelAgreement {
    let classes = ids.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut table = vec![vec![0u64; classes]; clusters];
    for (&c, &l) in assignment.iter().zip(ids) {
        if let Ok(c) = usize::try_from(c) {
            table[c][l as usize] += 1;
        }
    }
    let pairs = |n: u64| (n * n.saturating_sub(1)) as f64 / 2.0;
    let rows: Vec<u64> = table.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<u64> = (0..classes).map(|l| table.iter().map(|r| r[l]).sum()).collect();
    let n: u64 = rows.iter().sum();
    let index: f64 = table.iter().flatten().map(|&v| pairs(v)).sum();
    let (a, b) = (rows.iter().map(|&v| pairs(v)).sum::<f64>(), cols.iter().map(|&v| pairs(v)).sum::<f64>());
    let expected = a * b / pairs(n).max(f64::MIN_POSITIVE);
    let top = (a + b) / 2.0;
    // One cluster and one class (or a single pair of equal partitions): the index is 1 by convention.
    let ari = if top == expected { 1.0 } else { (index - expected) / (top - expected) };
    let majority: Vec<Majority> = table
        .iter()
        .zip(&rows)
        .map(|(r, &size)| {
            let (class, &count) =
                r.iter().enumerate().max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(&x.0))).unwrap_or((0, &0));
            let name = names.get(class).cloned().unwrap_or_else(|| class.to_string());
            Majority { class: class as u32, name, share: count as f64 / size.max(1) as f64 }
        })
        .collect();
    let right: u64 = table.iter().zip(&majority).map(|(r, m)| r.get(m.class as usize).copied().unwrap_or(0)).sum();
    LabelAgreement { ari, purity: right as f64 / n.max(1) as f64, majority }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agree(assignment: &[i32], ids: &[u32]) -> LabelAgreement {
        agreement(assignment, ids, &["a".into(), "b".into(), "c".into()], 3)
    }

    #[test]
    fn the_adjusted_rand_index_by_hand() {
        // sklearn.metrics.adjusted_rand_score([0,0,1,1,2,2], [0,0,1,2,2,2]) = 0.4444444444444444
        let a = agree(&[0, 0, 1, 1, 2, 2], &[0, 0, 1, 2, 2, 2]);
        assert!((a.ari - 0.4444444444444444).abs() < 1e-15, "{}", a.ari);
        assert_eq!(agree(&[2, 2, 0, 0, 1, 1], &[0, 0, 1, 1, 2, 2]).ari, 1.0, "relabelled, the same partition");
        assert!((a.purity - 5.0 / 6.0).abs() < 1e-15);
        assert_eq!(a.majority[1], Majority { class: 1, name: "b".into(), share: 0.5 }, "a tie: the smaller class");
        // Halo points (-1) are left out.
        assert_eq!(agree(&[0, 0, -1, 1, 1, -1], &[0, 0, 2, 1, 1, 0]).ari, 1.0);
    }
}
