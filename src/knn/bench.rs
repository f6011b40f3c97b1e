//! Benchmark hooks: the peak of a pure SIMD multiply-add loop and the speed of the production
//! Gram kernel, both on one core, timed with `web_time` so they run natively and in wasm alike.
//!
//! Flops: one multiply-add is 2 flops. [`gram_gflops`] counts the work the neighbour search
//! actually does: the upper block triangle of the Gram matrix, 2·d·|A|·|B| per tile A × B, about
//! n²·d in all (half the full Gram's 2·n²·d, since symmetry is exploited), so its rate compares
//! directly with [`simd_peak_gflops`].

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use web_time::Instant;

use super::gram::{self, Packed, Simd};

/// GFLOP/s of independent `acc = c + acc·m` chains in the widest SIMD this machine has, with the
/// multiply-add the Gram kernel uses (FMA natively; on wasm f32x4 `relaxed_madd` in the
/// relaxed-SIMD build, mul then add otherwise), the best over 8, 12 and 16 chains.
pub fn simd_peak_gflops(min_seconds: f64) -> f64 {
    peak(min_seconds, widest_run)
}

/// The same chains in f32x4 mul then add (two roundings, the plain SIMD128 build's kernel step),
/// whatever this build has, so one instance can compare it with the fused peak.
pub fn unfused_peak_gflops(min_seconds: f64) -> f64 {
    peak(min_seconds, unfused_run)
}

/// The best GFLOP/s of `run(iters, which)` over the three chain counts.
fn peak(min_seconds: f64, run: fn(usize, usize) -> f64) -> f64 {
    (0..3).map(|which| best_rate(min_seconds / 3.0, |reps| run(reps * 100_000, which))).fold(0.0, f64::max)
}

/// GFLOP/s of the production Gram kernel over the upper block triangle of the n × n Gram matrix
/// of seeded n × d data, one core: the products only (the one-off packing of the rows and the
/// candidate lists fed from each tile are not timed).
pub fn gram_gflops(n: usize, d: usize, min_seconds: f64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let data: Vec<f32> = (0..n * d).map(|_| rng.random::<f32>() - 0.5).collect();
    let x = Packed::new(n, d, |i, k| data[i * d + k]);
    let blocks: Vec<_> = super::split(0..n, gram::default_block()).collect();
    let mut c = Vec::new();
    best_rate(min_seconds, |reps| {
        let mut flops = 0.0;
        for _ in 0..reps {
            for (i, a) in blocks.iter().enumerate() {
                for b in &blocks[i..] {
                    std::hint::black_box(gram::tile(&x, a.clone(), b.clone(), &mut c).get(a.start, b.start));
                    flops += 2.0 * (a.len() * b.len() * d) as f64;
                }
            }
        }
        flops
    })
}

/// The shortest run a rate is taken from: browsers without cross-origin isolation round
/// `performance.now()` to 100 µs (Chromium), which made sub-millisecond runs report up to twice
/// the true rate.
const MIN_RUN_SECONDS: f64 = 0.01;

/// The best GFLOP/s of `run(reps)` (which returns the flops it did), doubling `reps` until one
/// run takes `min_seconds / 4`, then repeating until `min_seconds` have passed in all. Only runs
/// of [`MIN_RUN_SECONDS`] or more count.
fn best_rate(min_seconds: f64, mut run: impl FnMut(usize) -> f64) -> f64 {
    let start = Instant::now();
    let (mut reps, mut best) = (1usize, 0.0f64);
    loop {
        let t = Instant::now();
        let flops = run(reps);
        let secs = t.elapsed().as_secs_f64();
        if secs >= MIN_RUN_SECONDS.min(min_seconds / 4.0) {
            best = best.max(flops / secs / 1e9);
        }
        if start.elapsed().as_secs_f64() >= min_seconds && best > 0.0 {
            return best;
        }
        if secs < min_seconds / 4.0 {
            reps *= 2;
        }
    }
}

/// `iters` steps of `ACC` independent multiply-add chains; returns the flops.
///
/// # Safety
/// The CPU runs `S`'s instruction set.
#[inline(always)]
unsafe fn chains<S: Simd, const ACC: usize>(iters: usize) -> f64 {
    // SAFETY: `S`'s instruction set runs here (this function's contract).
    let (c, m) = unsafe { (S::splat(1e-3), S::splat(0.999)) };
    // SAFETY: as above.
    let mut acc: [S; ACC] = std::array::from_fn(|i| unsafe { S::splat(i as f32) });
    for _ in 0..std::hint::black_box(iters) {
        for a in acc.iter_mut() {
            // SAFETY: as above.
            *a = unsafe { c.mul_add(*a, m) };
        }
    }
    std::hint::black_box(acc);
    (iters * ACC * S::W * 2) as f64
}

/// Chain count number `which` (8, 12, 16) of one vector type; returns the flops.
///
/// # Safety
/// The CPU runs `S`'s instruction set.
#[inline(always)]
unsafe fn peak_runs<S: Simd>(iters: usize, which: usize) -> f64 {
    // SAFETY: `S`'s instruction set runs here (this function's contract).
    unsafe {
        match which {
            0 => chains::<S, 8>(iters),
            1 => chains::<S, 12>(iters),
            _ => chains::<S, 16>(iters),
        }
    }
}

/// `iters` steps of chain count number `which` (8, 12, 16) in the widest vector type; never
/// inlined, so that engines which compile a hot wasm function again (V8's tier-up applies to the
/// next call) time the optimised code after the first calls.
#[inline(never)]
fn widest_run(iters: usize, which: usize) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: AVX-512F was detected.
            return unsafe { peak_avx512(iters, which) };
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: AVX2 and FMA were detected.
            return unsafe { peak_avx2(iters, which) };
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // SAFETY: this build enables SIMD128 for every function.
        unsafe { peak_runs::<gram::wasm::Kernel>(iters, which) }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        // SAFETY: the portable vector is plain arrays, which every CPU runs.
        unsafe { peak_runs::<gram::portable::F32x4>(iters, which) }
    }
}

/// Like [`widest_run`] in f32x4 mul then add.
#[inline(never)]
fn unfused_run(iters: usize, which: usize) -> f64 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // SAFETY: this build enables SIMD128 for every function.
        unsafe { peak_runs::<gram::wasm::F32x4<false>>(iters, which) }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        // SAFETY: the portable vector is plain arrays, which every CPU runs.
        unsafe { peak_runs::<gram::portable::F32x4>(iters, which) }
    }
}

#[cfg(target_arch = "x86_64")]
/// # Safety
/// The CPU runs AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn peak_avx512(iters: usize, which: usize) -> f64 {
    // SAFETY: AVX-512F is enabled here, and the caller knows the CPU runs it.
    unsafe { peak_runs::<gram::x86::F32x16>(iters, which) }
}

#[cfg(target_arch = "x86_64")]
/// # Safety
/// The CPU runs AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
unsafe fn peak_avx2(iters: usize, which: usize) -> f64 {
    // SAFETY: AVX2 and FMA are enabled here, and the caller knows the CPU runs them.
    unsafe { peak_runs::<gram::x86::F32x8>(iters, which) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rates_are_positive_and_the_kernel_cannot_beat_twice_the_peak() {
        let (peak, unfused) = (simd_peak_gflops(0.2), unfused_peak_gflops(0.2));
        let gram = gram_gflops(300, 200, 0.2);
        assert!(peak > 0.0 && unfused > 0.0 && gram > 0.0, "peak {peak}, unfused {unfused}, gram {gram}");
        assert!(gram < 3.0 * peak, "gram {gram} vs peak {peak}: flops miscounted");
    }
}
