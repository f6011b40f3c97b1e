//! Neighbour lists: per row, the k nearest (index and exact distance), whole or flat for passing
//! between workers.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::KnnError;

/// The k nearest neighbours of every point, self excluded.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbours {
    /// Row indices of the neighbours, N × k, nearest first.
    pub indices: Array2<u32>,
    /// Their distances (exact in float64), N × k, ascending along each row.
    pub distances: Array2<f64>,
}

impl Neighbours {
    /// Per-point lists of exactly k `(distance, index)` pairs, nearest first, as the two arrays:
    /// the one conversion the in-memory and the streamed searches share.
    pub fn from_lists(lists: &[Vec<(f64, u32)>], k: usize) -> Self {
        let mut indices = Array2::<u32>::zeros((lists.len(), k));
        let mut distances = Array2::<f64>::zeros((lists.len(), k));
        for (i, list) in lists.iter().enumerate() {
            for (c, &(e, j)) in list.iter().enumerate() {
                indices[(i, c)] = j;
                distances[(i, c)] = e;
            }
        }
        Neighbours { indices, distances }
    }

    /// Number of neighbours per point.
    pub fn k(&self) -> usize {
        self.indices.ncols()
    }

    /// The lists of consecutive row ranges (from [`finish`]) joined in order into one.
    pub fn concat(parts: &[Neighbours]) -> Result<Neighbours, KnnError> {
        let k = parts.first().map_or(0, Neighbours::k);
        if let Some(p) = parts.iter().find(|p| p.k() != k) {
            return Err(KnnError::MixedK { first: k, other: p.k() });
        }
        let rows = parts.iter().map(|p| p.indices.nrows()).sum();
        let flat = FlatNeighbours {
            k,
            indices: parts.iter().flat_map(|p| p.indices.iter().copied()).collect(),
            distances: parts.iter().flat_map(|p| p.distances.iter().copied()).collect(),
        };
        if k == 0 {
            return Ok(Neighbours { indices: Array2::zeros((rows, 0)), distances: Array2::zeros((rows, 0)) });
        }
        Neighbours::try_from(flat)
    }
}

/// [`Neighbours`] as flat row-major vectors, for passing between workers (serde).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlatNeighbours {
    /// Neighbours per point.
    pub k: usize,
    /// Row indices, N·k, row-major.
    pub indices: Vec<u32>,
    /// Distances, N·k, row-major.
    pub distances: Vec<f64>,
}

impl From<&Neighbours> for FlatNeighbours {
    fn from(nb: &Neighbours) -> Self {
        Self {
            k: nb.k(),
            indices: nb.indices.iter().copied().collect(),
            distances: nb.distances.iter().copied().collect(),
        }
    }
}

impl TryFrom<FlatNeighbours> for Neighbours {
    type Error = KnnError;

    fn try_from(flat: FlatNeighbours) -> Result<Self, KnnError> {
        let FlatNeighbours { k, indices, distances } = flat;
        let bad = KnnError::FlatShape { k, indices: indices.len(), distances: distances.len() };
        if k == 0 || indices.len() % k != 0 || indices.len() != distances.len() {
            return Err(bad);
        }
        let rows = indices.len() / k;
        match (Array2::from_shape_vec((rows, k), indices), Array2::from_shape_vec((rows, k), distances)) {
            (Ok(indices), Ok(distances)) => Ok(Neighbours { indices, distances }),
            _ => Err(bad),
        }
    }
}
