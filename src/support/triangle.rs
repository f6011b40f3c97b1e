//! The packed upper triangle of an n × n symmetric matrix: entries (i, j) with j > i, row after
//! row. The streamed path keeps its Gram matrix this way, on the CPU and on a GPU alike.

/// Start of row `i`'s segment (entries j > i) in the packed upper triangle of an n × n matrix.
pub fn offset(n: usize, i: usize) -> usize {
    i * n - i * (i + 1) / 2
}

/// Position of entry (i, j), i ≠ j, in the packed upper triangle of an n × n matrix.
pub fn entry(n: usize, i: usize, j: usize) -> usize {
    let (i, j) = (i.min(j), i.max(j));
    offset(n, i) + j - i - 1
}
