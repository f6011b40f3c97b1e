//! Pass 0: which rows are finite, a hash of each row (to find duplicates) and its squared norm
//! (the cosine scale), accumulated chunk by chunk in column order.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};

use super::{Chunks, Stop};
use crate::analysis::duplicates::Duplicates;
use crate::support::progress::Progress;

/// What pass 0 learns about every row of the file.
pub struct RowScan {
    /// Whether the row holds only finite values.
    pub finite: Vec<bool>,
    /// Σ v² in f64, in column order (as `knn` computes cosine scales).
    pub sum_sq: Vec<f64>,
    hashes: Vec<u64>,
}

/// Scans every row of the file (`chunks` over all rows, in order).
pub fn scan(chunks: &Chunks, progress: &mut dyn Progress) -> Result<RowScan, Stop> {
    let n = chunks.rows.len();
    let mut finite = vec![true; n];
    let mut sum_sq = vec![0.0f64; n];
    let mut hashers = vec![DefaultHasher::new(); n];
    let mut bytes = Vec::new();
    chunks.for_each(progress, |_, w, buf| {
        for (i, row) in buf.chunks_exact(w).enumerate() {
            finite[i] &= row.iter().all(|v| v.is_finite());
            // The values `duplicates::find` compares (−0 as +0), hashed as one byte string per
            // chunk: far fewer hasher calls than one per value.
            bytes.clear();
            bytes.extend(row.iter().flat_map(|&v| if v == 0.0 { 0u32 } else { v.to_bits() }.to_le_bytes()));
            hashers[i].write(&bytes);
            for &v in row {
                sum_sq[i] += v as f64 * v as f64;
            }
        }
    })?;
    Ok(RowScan { finite, sum_sq, hashes: hashers.iter().map(Hasher::finish).collect() })
}

/// Duplicate rows among `rows` (file indices), as `duplicates::find` reports them on those rows:
/// rows whose hashes agree are compared value by value, reading both rows chunk by chunk.
pub fn duplicates(scan: &RowScan, chunks: &Chunks, rows: &[usize]) -> Result<Duplicates, Stop> {
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::with_capacity(rows.len());
    let mut distinct = Vec::with_capacity(rows.len());
    for (p, &r) in rows.iter().enumerate() {
        let bucket = buckets.entry(scan.hashes[r]).or_default();
        let mut copy = false;
        for &q in bucket.iter() {
            if chunks.rows_equal(rows[q], r)? {
                copy = true;
                break;
            }
        }
        if !copy {
            bucket.push(p);
            distinct.push(p);
        }
    }
    Ok(Duplicates { duplicate_rows: rows.len() - distinct.len(), distinct })
}
