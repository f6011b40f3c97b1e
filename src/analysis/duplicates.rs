//! Exact duplicate rows: counted, and (policy `keep-one`) reduced to their first occurrence.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use ndarray::ArrayView2;

/// Which rows are copies of an earlier row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicates {
    /// Indices of the first occurrence of every distinct row, ascending.
    pub distinct: Vec<usize>,
    /// Rows equal to an earlier row (N − distinct).
    pub duplicate_rows: usize,
}

/// Finds rows that are numerically identical (−0 equals +0, as in `np.unique`); NaN-free input.
pub fn find(x: ArrayView2<f32>) -> Duplicates {
    let hash = |i: usize| {
        let mut h = DefaultHasher::new();
        x.row(i).iter().for_each(|&v| if v == 0.0 { 0u32 } else { v.to_bits() }.hash(&mut h));
        h.finish()
    };
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::with_capacity(x.nrows());
    let mut distinct = Vec::with_capacity(x.nrows());
    for i in 0..x.nrows() {
        let bucket = buckets.entry(hash(i)).or_default();
        if !bucket.iter().any(|&j| x.row(j) == x.row(i)) {
            bucket.push(i);
            distinct.push(i);
        }
    }
    let duplicate_rows = x.nrows() - distinct.len();
    Duplicates { distinct, duplicate_rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn finds_copies_and_keeps_first_occurrences() {
        let x = array![[1.0f32, 2.0], [3.0, 4.0], [1.0, 2.0], [0.0, -0.0], [-0.0, 0.0], [1.0, 2.0]];
        let d = find(x.view());
        assert_eq!(d.distinct, vec![0, 1, 3]);
        assert_eq!(d.duplicate_rows, 3);
    }

    #[test]
    fn no_duplicates_in_distinct_rows() {
        let x = array![[1.0f32], [1.5], [2.0]];
        assert_eq!(find(x.view()).duplicate_rows, 0);
    }
}
