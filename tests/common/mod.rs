//! Seeded synthetic data of known intrinsic dimension, shared by the integration tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use idscope::readers::{ByteSource, SourceError};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};

/// A seeded generator.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A D×D random rotation (Gram–Schmidt of a Gaussian matrix), as rows.
pub fn rotation(dim: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let mut q = Array2::<f64>::zeros((dim, dim));
    for i in 0..dim {
        let mut v: Vec<f64> = (0..dim).map(|_| StandardNormal.sample(rng)).collect();
        for j in 0..i {
            let p: f64 = (0..dim).map(|c| v[c] * q[(j, c)]).sum();
            (0..dim).for_each(|c| v[c] -= p * q[(j, c)]);
        }
        let n = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        (0..dim).for_each(|c| q[(i, c)] = v[c] / n);
    }
    q
}

/// Embeds `latent` (N × d) into `dim` coordinates: zero-padded, then rotated.
pub fn embed(latent: &Array2<f64>, dim: usize, rng: &mut ChaCha8Rng) -> Array2<f32> {
    let (n, d) = latent.dim();
    let q = rotation(dim, rng);
    let mut out = Array2::<f32>::zeros((n, dim));
    for i in 0..n {
        for c in 0..dim {
            out[(i, c)] = (0..d).map(|j| latent[(i, j)] * q[(j, c)]).sum::<f64>() as f32;
        }
    }
    out
}

/// N points uniform in the unit d-cube, rotated into `dim` dimensions.
pub fn hypercube(n: usize, d: usize, dim: usize, seed: u64) -> Array2<f32> {
    let mut r = rng(seed);
    let u = Uniform::new(0.0, 1.0).unwrap();
    let latent = Array2::from_shape_fn((n, d), |_| u.sample(&mut r));
    embed(&latent, dim, &mut r)
}

/// N points uniform on the d-sphere (in R^{d+1}), rotated into `dim` dimensions.
pub fn sphere(n: usize, d: usize, dim: usize, seed: u64) -> Array2<f32> {
    let mut r = rng(seed);
    let mut latent = Array2::from_shape_fn((n, d + 1), |_| StandardNormal.sample(&mut r));
    for mut row in latent.rows_mut() {
        let s = row.iter().map(|a: &f64| a * a).sum::<f64>().sqrt();
        row.mapv_inplace(|a| a / s);
    }
    embed(&latent, dim, &mut r)
}

/// Swiss roll (ID 2) in 3-D with isotropic Gaussian noise of standard deviation `noise`.
pub fn swiss_roll(n: usize, noise: f64, seed: u64) -> Array2<f32> {
    let mut r = rng(seed);
    let u = Uniform::new(0.0, 1.0).unwrap();
    let mut out = Array2::<f32>::zeros((n, 3));
    for i in 0..n {
        let t = 1.5 * std::f64::consts::PI * (1.0 + 2.0 * u.sample(&mut r));
        let h = 21.0 * u.sample(&mut r);
        let e: [f64; 3] = [StandardNormal.sample(&mut r), StandardNormal.sample(&mut r), StandardNormal.sample(&mut r)];
        out[(i, 0)] = (t * t.cos() + noise * e[0]) as f32;
        out[(i, 1)] = (h + noise * e[1]) as f32;
        out[(i, 2)] = (t * t.sin() + noise * e[2]) as f32;
    }
    out
}

/// Exact distances from row i to all others in f64 difference form, sorted by (distance, index).
pub fn brute_force(x: &Array2<f32>, i: usize) -> Vec<(f64, u32)> {
    let mut all: Vec<(f64, u32)> = (0..x.nrows())
        .filter(|&j| j != i)
        .map(|j| {
            let s: f64 = x.row(i).iter().zip(x.row(j)).map(|(&a, &b)| (a as f64 - b as f64).powi(2)).sum();
            (s.sqrt(), j as u32)
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    all
}

/// A version-1 .npy header, padded to 64 bytes, for `descr` (e.g. `<f4`), `shape` (a Python
/// tuple, e.g. `(3, 2)`) and the storage order; the element bytes follow it.
pub fn npy_header(descr: &str, shape: &str, fortran: bool) -> Vec<u8> {
    let f = if fortran { "True" } else { "False" };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': {f}, 'shape': {shape}, }}");
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

/// A byte source that counts what it hands out: bytes in all, and the largest single read.
pub struct Counting<S> {
    /// The source read.
    pub inner: S,
    /// Bytes read in all.
    pub total: Arc<AtomicU64>,
    /// The largest single read.
    pub largest: Arc<AtomicU64>,
    /// The read-ahead allowed now ([`ByteSource::read_ahead`]; it reads none ahead itself).
    pub ahead: Arc<AtomicU64>,
    /// The largest read-ahead allowed.
    pub most_ahead: Arc<AtomicU64>,
}

impl<S: ByteSource> Counting<S> {
    /// Counts the reads of `inner`; the counters are shared with the caller.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            total: Arc::default(),
            largest: Arc::default(),
            ahead: Arc::default(),
            most_ahead: Arc::default(),
        }
    }
}

impl<S: ByteSource> ByteSource for Counting<S> {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        self.total.fetch_add(buf.len() as u64, Ordering::Relaxed);
        self.largest.fetch_max(buf.len() as u64, Ordering::Relaxed);
        self.inner.read_at(offset, buf)
    }
    fn read_ahead(&self, bytes: usize) -> usize {
        self.most_ahead.fetch_max(bytes as u64, Ordering::Relaxed);
        self.ahead.swap(bytes as u64, Ordering::Relaxed) as usize
    }
}
