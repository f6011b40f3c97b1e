//! Orderings shared across modules, so the wasm carries one copy of each sort: every sort by an
//! f64 key goes through [`sort_pairs`], the order of the neighbour lists.

/// Sorts (key, index) pairs by key (`total_cmp`), then by index: the order of every neighbour
/// list (ties between equal distances broken by the lower index).
pub fn sort_pairs(list: &mut [(f64, u32)]) {
    list.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
}

/// The indices of `keys` (at most 2³² of them) in ascending order (`total_cmp`), ties in index order.
pub fn argsort(keys: &[f64]) -> Vec<usize> {
    let mut p = indexed(keys);
    sort_pairs(&mut p);
    p.into_iter().map(|(_, i)| i as usize).collect()
}

/// Sorts `values` ascending (`total_cmp`), as `sort_unstable_by(f64::total_cmp)` does.
pub fn sort_f64(values: &mut [f64]) {
    let mut p = indexed(values);
    sort_pairs(&mut p);
    values.iter_mut().zip(p).for_each(|(v, (x, _))| *v = x);
}

/// Each key with its index.
fn indexed(keys: &[f64]) -> Vec<(f64, u32)> {
    keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argsort_breaks_ties_by_index_and_sort_f64_keeps_every_bit() {
        let keys = [2.0, -0.0, 1.0, 0.0, 1.0, f64::NAN, -1.0];
        assert_eq!(argsort(&keys), [6, 1, 3, 2, 4, 0, 5]);
        let mut v = keys.to_vec();
        sort_f64(&mut v);
        let want = [-1.0, -0.0, 0.0, 1.0, 1.0, 2.0, f64::NAN];
        assert!(v.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()), "{v:?}");
    }
}
