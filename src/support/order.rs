//! Orderings shared across modules, so the wasm carries one copy of each sort.

/// The indices of `keys` in ascending order (`total_cmp`), ties in index order.
pub fn argsort(keys: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by(|&a, &b| keys[a].total_cmp(&keys[b]).then(a.cmp(&b)));
    order
}
