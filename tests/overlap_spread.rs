//! The error bars of the neighbourhood overlaps: their spread over TwoNN's random subsets, each
//! subset's neighbours found among its own points. Checked against the definition, a fresh search
//! on each subset's rows alone (`knn::neighbours`), on the grid with ties and duplicated rows and
//! on the demo MLP, in memory and streamed.
#![cfg(not(target_arch = "wasm32"))]

use idscope::analysis::{analyse_model_layer, streamed};
use idscope::compare::neighbourhood::{
    LayerNeighbourhood, ModelNeighbourhoods, SpreadMemo, data_overlap, neighbourhoods, neighbourhoods_with,
};
use idscope::estimators::neighbourhood::KeptNeighbours;
use idscope::estimators::overlap::{Neighbourhood, OverlapAverage, label_overlap};
use idscope::estimators::{Params, PointLabels};
use idscope::knn::{Metric, Neighbours, Search, neighbours};
use idscope::params::DuplicatePolicy;
use idscope::readers::{ByteSource, FileSource, Model, group};
use idscope::support::progress::Silent;
use ndarray::{Array2, Axis};

fn model(files: &[&str]) -> Model {
    let sources: Vec<Box<dyn ByteSource>> =
        files.iter().map(|f| Box::new(FileSource::open(f).unwrap()) as Box<dyn ByteSource>).collect();
    group(sources).unwrap()
}

/// Every row kept (so layers correspond), the overlaps on, `repeats` subsets of `fraction`.
fn params(k: usize, repeats: usize, fraction: f64) -> Params {
    let mut p = Params::default();
    (p.duplicates, p.twonn.repeats, p.twonn.subset_fraction) = (DuplicatePolicy::Keep, repeats, fraction);
    (p.neighbourhood.run, p.neighbourhood.k, p.overlap.run, p.overlap.k) = (true, k, true, k);
    p
}

/// A fresh search of the `k` nearest neighbours of each member of `members` among them alone.
fn fresh(x: &Array2<f32>, members: &[usize], k: usize) -> Neighbours {
    neighbours(x.select(Axis(0), members).view(), &Search::new(k, Metric::Euclidean), &mut Silent).unwrap()
}

/// Mean and std (ddof = 0).
fn spread(v: &[f64]) -> (f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (mean, (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt())
}

#[test]
fn each_subsets_lists_from_the_kept_ones_equal_a_search_on_its_rows_alone() {
    // The grid: integer coordinates (ties) with duplicated rows; subsets of 90 % and of 50 % (whose
    // lists reach beyond the whole-set search).
    let m = model(&["tests/fixtures/overlap/grid.npy", "tests/fixtures/overlap/grid_labels.npy"]);
    let x = m.read_rows(0, 0..m.layers[0].rows).unwrap();
    for (fraction, k) in [(0.9, 12), (0.5, 6), (0.5, 30)] {
        let p = params(k, 4, fraction).check().unwrap();
        let r = analyse_model_layer(&m, 0, None, &p, &mut Silent).unwrap();
        let kept = r.estimates.neighbourhood.as_ref().unwrap();
        let deeper = kept.deeper.as_ref().unwrap();
        assert_eq!((deeper.repeats, deeper.fraction, deeper.k), (4, fraction, k));
        let further = deeper.indices.len() as f64 / kept.points() as f64;
        let (subsets, served) = kept.subsets().unwrap();
        assert_eq!((subsets.len(), served), (4, k));
        for members in &subsets {
            let want = fresh(&x, members, k);
            assert_eq!(kept.within(members, k).unwrap(), want.indices, "f = {fraction}, k = {k}");
            let first = kept.within(members, 3).unwrap();
            assert_eq!(first, want.indices.slice(ndarray::s![.., ..3]), "a shorter k reads the prefix");
        }
        assert!(further > 0.0, "f = {fraction}: {further} further neighbours per point");
        // A k beyond what the kept lists serve: none, however many members they happen to hold.
        assert!(kept.within(&subsets[0], k + 1).is_none());
    }
}

#[test]
fn the_error_bars_are_the_spread_of_the_overlaps_on_each_subset_alone() {
    let m = model(&["www/demo/digits_trained.npz"]);
    let labels = m.read_labels().unwrap().unwrap();
    let (k, repeats) = (10, 5);
    let p = params(k, repeats, 0.9).check().unwrap();
    let layers: Vec<_> =
        (0..m.layers.len()).map(|i| analyse_model_layer(&m, i, Some(&labels), &p, &mut Silent).unwrap()).collect();
    let kept: Vec<LayerNeighbourhood> = layers.iter().map(LayerNeighbourhood::from).collect();
    let model = ModelNeighbourhoods { model: "trained".into(), seed: 0, layers: kept, ranks: Vec::new() };
    let o = neighbourhoods(std::slice::from_ref(&model), None);
    assert_eq!((o.k, o.repeats, o.subset_fraction), (k, repeats, 0.9));
    let (subsets, _) = layers[0].estimates.neighbourhood.as_ref().unwrap().subsets().unwrap();
    // Each subset searched alone in each layer.
    let rows: Vec<Array2<f32>> = (0..m.layers.len()).map(|i| m.read_rows(i, 0..m.layers[i].rows).unwrap()).collect();
    let alone: Vec<Vec<KeptNeighbours>> =
        rows.iter().map(|x| subsets.iter().map(|s| KeptNeighbours::of(&fresh(x, s, k), k, None)).collect()).collect();
    let last = rows.len() - 1;
    for (i, point) in o.profiles[0].layers.iter().enumerate() {
        let chi = |other: usize| -> Vec<f64> {
            alone[i].iter().zip(&alone[other]).map(|(a, b)| data_overlap(a, b, k)).collect()
        };
        let label: Vec<f64> = subsets
            .iter()
            .zip(&alone[i])
            .map(|(s, lists)| {
                let ids: Vec<u32> = s.iter().map(|&j| labels.ids[j]).collect();
                let l = PointLabels { ids: &ids, names: &labels.names };
                label_overlap(lists.view().unwrap(), l, Neighbourhood::Fixed(k), OverlapAverage::Class).unwrap().overlap
            })
            .collect();
        let close = |got: Option<f64>, want: f64, what: &str| {
            let got = got.unwrap_or_else(|| panic!("{}: no {what} error bar", point.layer));
            assert!((got - want).abs() <= 1e-12, "{} {what}: {got} vs {want}", point.layer);
        };
        close(point.output_std, spread(&chi(last)).1, "χ^out");
        close(point.input_std, spread(&chi(0)).1, "χ^in");
        close(point.label_std, spread(&label).1, "χ^gt");
        // The estimator's own error bar (from the subsets' searched lists) is the same.
        let own = layers[i].estimates.overlap.as_ref().unwrap().repeats.unwrap();
        assert_eq!((own.repeats, own.fraction), (repeats, 0.9));
        assert!((own.std - spread(&label).1).abs() <= 1e-12 && (own.mean - spread(&label).0).abs() <= 1e-12);
    }
    let out = &o.profiles[0].layers;
    assert_eq!((out[last].output_std, out[0].input_std), (Some(0.0), Some(0.0)), "a layer with itself");
    assert!(out.iter().any(|l| l.output_std.unwrap() > 0.0), "the subsets differ");
    // At a k the kept subsets' lists cannot serve, and from results without them: no error bars.
    let at_k = neighbourhoods(std::slice::from_ref(&model), Some(k + 1));
    assert_eq!(at_k.k, k, "k is capped at the kept lists");
    let mut old = model.clone();
    old.layers.iter_mut().for_each(|l| {
        l.neighbourhood.as_mut().unwrap().deeper = None;
        l.label_std = None;
    });
    let o = neighbourhoods(&[old], None);
    assert!(o.profiles[0].layers.iter().all(|l| l.label_std.is_none() && l.output_std.is_none()));
    assert_eq!(o.repeats, 0);

    // A memo of the error bars (the page's, across its calls) gives what a fresh call gives, also
    // once a layer's lists change (here: two neighbours of every point swapped in hidden2).
    let mut memo = SpreadMemo::default();
    let fresh = neighbourhoods(std::slice::from_ref(&model), None);
    assert_eq!(neighbourhoods_with(std::slice::from_ref(&model), None, &mut memo), fresh);
    assert_eq!(neighbourhoods_with(std::slice::from_ref(&model), None, &mut memo), fresh);
    let mut changed = model.clone();
    let kept = changed.layers[2].neighbourhood.as_mut().unwrap();
    kept.indices.chunks_mut(k).for_each(|row| row.swap(k - 1, k - 2));
    let d = kept.deeper.as_mut().unwrap();
    for i in 0..d.offsets.len() - 1 {
        d.indices[d.offsets[i] as usize..d.offsets[i + 1] as usize].reverse();
    }
    let want = neighbourhoods(std::slice::from_ref(&changed), None);
    assert_ne!(want.profiles[0].layers[2].output_std, fresh.profiles[0].layers[2].output_std, "the change shows");
    assert_eq!(neighbourhoods_with(std::slice::from_ref(&changed), None, &mut memo), want);
    let at4 = neighbourhoods(std::slice::from_ref(&model), Some(4));
    assert_eq!(neighbourhoods_with(std::slice::from_ref(&model), Some(4), &mut memo), at4);
    // Another average of χ^gt, and other labels, are not served from the memo either.
    let mut averaged = model.clone();
    averaged.layers[1].label_average = OverlapAverage::Point;
    let want = neighbourhoods(std::slice::from_ref(&averaged), None);
    assert_ne!(want.profiles[0].layers[1].label_std, fresh.profiles[0].layers[1].label_std);
    assert_eq!(neighbourhoods_with(std::slice::from_ref(&averaged), None, &mut memo), want);
    let mut relabelled = model.clone();
    let ids = relabelled.layers[3].neighbourhood.as_mut().unwrap().labels.as_mut().unwrap();
    ids.iter_mut().for_each(|c| *c = (*c + 1) % 3);
    let want = neighbourhoods(std::slice::from_ref(&relabelled), None);
    assert_ne!(want.profiles[0].layers[3].label_std, fresh.profiles[0].layers[3].label_std);
    assert_eq!(neighbourhoods_with(std::slice::from_ref(&relabelled), None, &mut memo), want);

    // Malformed subsets from a results file: left out with a note, the layer's overlaps kept.
    let mut bad = model.clone();
    let d = bad.layers[2].neighbourhood.as_mut().unwrap().deeper.as_mut().unwrap();
    *d.offsets.last_mut().unwrap() += 1;
    let o = neighbourhoods(std::slice::from_ref(&bad), None);
    assert_eq!(o.notes, ["hidden2: its kept subsets for the error bars are malformed, left out"]);
    let (l, f) = (&o.profiles[0].layers[2], &fresh.profiles[0].layers[2]);
    assert_eq!((l.output, l.input, l.output_std), (f.output, f.input, None));
    assert_eq!(o.profiles[0].layers[3], fresh.profiles[0].layers[3]);
}

#[test]
fn streamed_layers_keep_the_same_subset_lists_and_error_bars() {
    let m = model(&["tests/fixtures/overlap/grid.npy", "tests/fixtures/overlap/grid_labels.npy"]);
    let labels = m.read_labels().unwrap().unwrap();
    for (fraction, k) in [(0.9, 12), (0.5, 30)] {
        let p = params(k, 4, fraction).check().unwrap();
        let s = streamed::analyse_layer(m.layer(0).unwrap(), 0, Some(&labels), &p, 64 << 20, &mut Silent).unwrap();
        let r = analyse_model_layer(&m, 0, Some(&labels), &p, &mut Silent).unwrap();
        assert!(r.estimates.neighbourhood.as_ref().unwrap().deeper.is_some());
        assert_eq!(s.estimates.neighbourhood, r.estimates.neighbourhood, "f = {fraction}");
        assert!(r.estimates.overlap.as_ref().unwrap().repeats.is_some());
        assert_eq!(s.estimates.overlap, r.estimates.overlap, "f = {fraction}");
        assert_eq!(s.estimates.twonn, r.estimates.twonn, "TwoNN's subsets read the deeper lists");
    }
}
