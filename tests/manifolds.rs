//! The teaching view's core: generators of known ID, seeded; noise and Gride behave as the lesson
//! says; the per-point read-out equals brute force.

mod common;

use idscope::analysis::estimate::estimate;
use idscope::estimators::Params;
use idscope::estimators::decimation::DecimationParams;
use idscope::estimators::gride::GrideParams;
use idscope::estimators::twonn::TwoNnParams;
use idscope::lesson::manifolds::{ALL, Manifold, generate, halves};
use idscope::lesson::{Lesson, LessonError};
use idscope::support::progress::Silent;

#[test]
fn every_generator_gives_its_stated_id_at_n_2000_without_noise() {
    // Sampling error of TwoNN at N = 2000 is ≈ d/√N ≈ 2.2 % (3σ ≈ 7 %); the square's edges
    // inflate μ and its ID by a few per cent, the sphere's curvature lowers it by a few (measured:
    // curves 1.01, square 2.06/2.08, sphere 1.93/1.91, swiss roll 2.05). ±10 % holds all of that
    // and never admits d ± 1.
    for m in ALL {
        let l = Lesson::new(m, 2000, 0.0, 1).unwrap();
        let d = m.id() as f64;
        let t = &l.estimates.twonn;
        for (what, id) in [("ML", t.ml.id), ("fit", t.fit.id)] {
            assert!((id / d - 1.0).abs() < 0.10, "{}: TwoNN {what} {id}, stated ID {d}", m.name());
        }
    }
}

#[test]
fn generators_are_seeded_and_sized() {
    for m in ALL {
        let a = generate(m, 300, 0.01, 5);
        assert_eq!(a.dim(), (300, m.embedding()), "{}", m.name());
        assert_eq!(a, generate(m, 300, 0.01, 5), "{}: same seed, same points", m.name());
        assert_ne!(a, generate(m, 300, 0.01, 6), "{}: another seed, other points", m.name());
        // Each point takes the same draws, so a larger N keeps the first points.
        assert_eq!(generate(m, 500, 0.01, 5).slice(ndarray::s![..300, ..]), a, "{}", m.name());
        assert!(a.iter().all(|v| v.is_finite() && v.abs() < 1.2), "{}: fits in about [−1, 1]", m.name());
    }
}

#[test]
fn noise_free_points_lie_on_their_manifold() {
    let on = |m: Manifold, f: &dyn Fn(&[f32]) -> f64| {
        let x = generate(m, 500, 0.0, 3);
        x.rows().into_iter().map(|r| f(r.as_slice().unwrap()).abs()).fold(0.0, f64::max)
    };
    let norm = |r: &[f32]| r.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt();
    assert!(on(Manifold::Circle, &|r| norm(r) - 1.0) < 1e-6);
    assert!(on(Manifold::Sphere, &|r| norm(r) - 1.0) < 1e-6);
    let curve = |r: &[f32]| r[1] as f64 - 0.5 * (1.5 * std::f64::consts::PI * r[0] as f64).sin();
    assert!(on(Manifold::Curve, &curve) < 1e-6);
    // Swiss roll: the radius in the x–z plane equals the angle t (up to the 1/14 scale).
    let roll = |r: &[f32]| {
        let (x, z) = (r[0] as f64 * 14.0, r[2] as f64 * 14.0);
        let t = (x * x + z * z).sqrt();
        (x - t * t.cos()).abs() + (z - t * t.sin()).abs()
    };
    assert!(on(Manifold::SwissRoll, &roll) < 1e-4);
}

#[test]
fn noise_raises_twonn_and_gride_at_larger_n_brings_it_back() {
    // σ larger than the spacing of the points: the first neighbours see the noise's full
    // dimension (2 in the plane, 3 in space); r₃₂/r₁₆ (swiss roll) and r₆₄/r₃₂ (curve) reach
    // scales well above σ, where the manifold's own dimension reappears.
    for (m, noise, n, hi) in [(Manifold::SwissRoll, 0.02, 16, 2.3), (Manifold::Curve, 0.005, 32, 1.25)] {
        let d = m.id() as f64;
        let clean = Lesson::new(m, 2000, 0.0, 1).unwrap();
        let noisy = Lesson::new(m, 2000, noise, 1).unwrap();
        let (t0, t1) = (clean.estimates.twonn.ml.id, noisy.estimates.twonn.ml.id);
        assert!(t1 > t0 + 0.4 && t1 > d + 0.5, "{}: noise should raise TwoNN: {t0} → {t1}", m.name());
        let g = noisy.gride(n).unwrap().id;
        assert!(g < t1 - 0.4 && (0.9 * d..hi).contains(&g), "{}: Gride at n = {n} {g}, TwoNN {t1}", m.name());
        assert!(noisy.gride(1).unwrap().id > g, "{}: Gride at n = 1 is TwoNN-like", m.name());
    }
}

#[test]
fn gride_at_any_order_matches_the_scale_analysis() {
    let mut l = Lesson::new(Manifold::Sphere, 800, 0.03, 2).unwrap();
    assert!(l.estimates.gride.is_empty() && l.estimates.decimation.is_empty());
    l.add_scales().unwrap();
    assert_eq!(l.estimates.gride.len(), 6);
    assert_eq!(l.max_order(), 64);
    for g in &l.estimates.gride {
        assert_eq!(&l.gride(g.n1).unwrap(), g, "n1 = {}", g.n1);
    }
    assert!(l.gride(3).unwrap().id.is_finite());
}

#[test]
fn the_lesson_gives_the_apps_numbers() {
    // One neighbour search serves the read-outs and the estimates: they must equal what the
    // app's `estimate` computes on the same points with the same parameters.
    let mut l = Lesson::new(Manifold::SwissRoll, 1000, 0.02, 4).unwrap();
    l.add_scales().unwrap();
    let p = Params {
        seed: 4,
        twonn: TwoNnParams { repeats: 0, ..Default::default() },
        gride: GrideParams { run: true, ..Default::default() },
        decimation: DecimationParams { run: true, ..Default::default() },
        ..Params::default()
    }
    .check()
    .unwrap();
    assert_eq!(estimate(l.points.view(), &p, &mut Silent).unwrap(), l.estimates);
}

#[test]
fn exact_duplicates_are_kept_once() {
    // Abscissae rounded to f32 can collide, and on a curve equal x means equal points (seed 35
    // is the first of 0..40 where 5000 points hold a pair): the lesson keeps one copy and reports
    // the rest, like the app.
    let x = generate(Manifold::Curve, 5000, 0.0, 35);
    let dups = idscope::analysis::duplicates::find(x.view()).duplicate_rows;
    assert!(dups > 0, "the case this test is about");
    let l = Lesson::new(Manifold::Curve, 5000, 0.0, 35).unwrap();
    assert_eq!(l.points.nrows(), 5000 - dups);
    assert_eq!(l.estimates.duplicates.duplicate_rows, dups);
    assert!(l.neighbours.distances.column(0).iter().all(|&r| r > 0.0), "no r₁ = 0 left");
}

#[test]
fn readout_equals_brute_force() {
    let l = Lesson::new(Manifold::SwissRoll, 600, 0.01, 9).unwrap();
    let x = l.points.clone();
    assert_eq!(l.max_order(), 64);
    for (i, n) in [(0, 1), (17, 4), (311, 16), (599, 32), (5, 33), (240, 48), (598, 64)] {
        let r = l.readout(i, n).unwrap();
        let bf = common::brute_force(&x, i);
        assert_eq!(r.index, i);
        assert_eq!(r.neighbours, bf.iter().take(2 * n.max(1)).map(|p| p.1).collect::<Vec<_>>(), "point {i}");
        for (got, want) in r.distances.iter().zip(&bf) {
            assert!((got - want.0).abs() <= 1e-12 * want.0, "point {i}: {got} vs {}", want.0);
        }
        let (r1, r2, rn, r2n) = (bf[0].0, bf[1].0, bf[n - 1].0, bf[2 * n - 1].0);
        assert!((r.r1 - r1).abs() <= 1e-12 * r1 && (r.r2 - r2).abs() <= 1e-12 * r2);
        assert!((r.mu - r2 / r1).abs() <= 1e-12 * r.mu, "point {i}: μ {} vs {}", r.mu, r2 / r1);
        assert!((r.mu_n - r2n / rn).abs() <= 1e-12 * r.mu_n, "point {i}: μ_n {} vs {}", r.mu_n, r2n / rn);
        assert_eq!((r.rn, r.r2n), (r.distances[n - 1], r.distances[2 * n - 1]));
    }
}

#[test]
fn bad_requests_are_errors() {
    let l = Lesson::new(Manifold::Circle, 100, 0.0, 0).unwrap();
    assert_eq!(l.readout(100, 1), Err(LessonError::Point { index: 100, n: 100 }));
    assert_eq!(l.readout(0, 0), Err(LessonError::Order { n: 0, max: 12 }));
    assert_eq!(l.gride(13).unwrap_err(), LessonError::Order { n: 13, max: 12 });
    assert!(l.gride(12).unwrap().id.is_finite(), "N/8 = 12: r₂₄ of 100 points");
    assert!(matches!(Lesson::new(Manifold::Circle, 99, 0.0, 0), Err(LessonError::Points(99))));
    assert!(matches!(Lesson::new(Manifold::Circle, 200, -0.1, 0), Err(LessonError::Noise(_))));
    assert_eq!("swiss-roll".parse::<Manifold>(), Ok(Manifold::SwissRoll));
    assert!("torus".parse::<Manifold>().is_err());
}

#[test]
fn orders_beyond_32_use_longer_lists_with_the_apps_bits_and_ties() {
    // Orders above 32 need more than the app's 64 neighbours: the lesson's own exact search must
    // agree bit for bit with the app's lists where both exist, and Gride on it with brute force.
    for (m, n, seed) in [(Manifold::Curve, 5000, 35), (Manifold::Square, 3000, 1), (Manifold::SwissRoll, 2000, 7)] {
        let t0 = std::time::Instant::now();
        let l = Lesson::new(m, n, 0.01, seed).unwrap();
        let app = t0.elapsed();
        let t1 = std::time::Instant::now();
        let g = l.gride(64).unwrap();
        let wide = t1.elapsed();
        eprintln!(
            "{} N = {n}: cloud with the app's 64 neighbours and TwoNN {app:?}; 128 neighbours for Gride at n = 64 {wide:?}",
            m.name()
        );
        let rows = l.points.nrows();
        for i in (0..rows).step_by(7) {
            let (short, long) = (l.readout(i, 32).unwrap(), l.readout(i, 64).unwrap());
            assert_eq!(long.neighbours[..64], short.neighbours[..], "{} point {i}", m.name());
            assert_eq!(long.distances[..64], short.distances[..], "{} point {i}", m.name());
        }
        let mut indices = ndarray::Array2::zeros((rows, 128));
        let mut distances = ndarray::Array2::zeros((rows, 128));
        for i in 0..rows {
            for (c, (d, j)) in common::brute_force(&l.points, i).into_iter().take(128).enumerate() {
                indices[(i, c)] = j;
                distances[(i, c)] = d;
            }
        }
        let bf = idscope::estimators::gride::at(&idscope::knn::Neighbours { indices, distances }, 64, 128).unwrap();
        assert!((g.id - bf.id).abs() <= 1e-9 * bf.id, "{}: Gride at 64 {} vs brute force {}", m.name(), g.id, bf.id);
        assert_eq!((g.n1, g.n2), (64, 128));
    }
}

#[test]
fn the_halves_label_the_points_and_their_overlap_is_counted_from_the_nearest_ten() {
    // Noise-free, the curve's and the square's halves are x < 0 and x ≥ 0; the sphere's z < 0 and z ≥ 0.
    for (m, axis) in [(Manifold::Curve, 0), (Manifold::Square, 0), (Manifold::Sphere, 2)] {
        let x = generate(m, 800, 0.0, 2);
        let halves = halves(m, 800, 2);
        let wrong = x.rows().into_iter().zip(&halves).filter(|(p, h)| u32::from(p[axis] >= 0.0) != **h).count();
        assert!(wrong <= 1, "{}: {wrong} points on the wrong side (f32 rounding at 0 at most)", m.name());
    }
    let l = Lesson::new(Manifold::SwissRoll, 1000, 0.0, 3).unwrap();
    let o = l.label_overlap().unwrap();
    assert_eq!((o.k, o.points, o.classes.len()), (10, 1000, 2));
    assert!(o.overlap > 0.97 && o.overlap < 1.0, "the roll's halves mix only at their border: {}", o.overlap);
    let noisy = Lesson::new(Manifold::SwissRoll, 1000, 0.08, 3).unwrap().label_overlap().unwrap();
    assert!(noisy.overlap < o.overlap, "noise mixes them more: {} vs {}", noisy.overlap, o.overlap);
    // A point's term: the share of its 10 nearest (brute force) with its label; their mean per half, averaged, is χ.
    let mut by_half = [(0.0, 0usize); 2];
    for i in 0..1000 {
        let r = l.readout(i, 1).unwrap();
        let ten: Vec<u32> = common::brute_force(&l.points, i).iter().take(10).map(|p| p.1).collect();
        assert_eq!(r.overlap_neighbours, ten, "point {i}");
        let same = ten.iter().filter(|&&j| l.labels[j as usize] == l.labels[i]).count();
        assert_eq!((r.label, r.overlap), (l.labels[i], same as f64 / 10.0));
        let h = &mut by_half[r.label as usize];
        (h.0, h.1) = (h.0 + r.overlap, h.1 + 1);
    }
    let chi = by_half.iter().map(|(s, n)| s / *n as f64).sum::<f64>() / 2.0;
    assert!((chi - o.overlap).abs() <= 1e-12, "{chi} vs {}", o.overlap);
}

#[test]
fn three_blobs_have_three_density_peaks_that_merge_as_z_grows() {
    let l = Lesson::new(Manifold::Blobs, 2000, 0.0, 0).unwrap();
    assert!((l.estimates.twonn.fit.id - 2.0).abs() < 0.2, "blobs in the plane: ID {}", l.estimates.twonn.fit.id);
    let d = l.density(1.65).unwrap();
    assert_eq!(d.centers.len(), 3, "one peak per blob: {:?}", d.centers);
    assert_eq!(d.log_den.len(), l.points.nrows());
    // Each peak sits in its own blob, near its centre.
    let mut blobs: Vec<usize> = d
        .centers
        .iter()
        .map(|&p| {
            let (x, y) = (l.points[[p, 0]] as f64, l.points[[p, 1]] as f64);
            [(-0.45, -0.25), (0.15, -0.3), (0.0, 0.45)]
                .iter()
                .position(|&(cx, cy)| (x - cx).hypot(y - cy) < 0.2)
                .unwrap_or(9)
        })
        .collect();
    blobs.sort_unstable();
    assert_eq!(blobs, [0, 1, 2]);
    let merged = l.density(8.0).unwrap();
    assert!(merged.centers.len() < 3, "a large Z merges them: {} peaks", merged.centers.len());
    assert!(d.assignment.iter().all(|&c| (0..3).contains(&c)));
}
