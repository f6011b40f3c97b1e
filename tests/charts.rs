//! Every chart renders to SVG from real estimates: labelled axes, legends with the values, one
//! element and one hover point per datum, hover points inside the drawing area, dark and light
//! backgrounds, typed errors for missing data and no panic on non-finite values.
//!
//! Each test also writes its SVG to `target/charts-preview/` for a look (not committed).

mod common;

use idscope::estimators::decimation::DecimationParams;
use idscope::estimators::density::DensityParams;
use idscope::estimators::gride::GrideParams;
use idscope::estimators::pcid::PcIdParams;
use idscope::estimators::surrogate::SurrogateParams;
use idscope::estimators::twonn::TwoNnParams;
use std::sync::OnceLock;

use idscope::analysis::estimate::estimate;
use idscope::analysis::{LayerInput, analyse_layer};
use idscope::charts::{
    self, ChartError, DecimationOptions, GrideOptions, GrideX, Hover, HunchbackOptions, HunchbackSeries, LayerAxis,
    MAX_MARKERS, MuOptions, PerClassOptions, SpectrumOptions, Stroke, Style,
};
use idscope::compare::neighbourhood::{Imbalances, OverlapProfile, ProfilePoint};
use idscope::compare::{AccuracyData, AccuracyPoint, ClassIds, LayerIds, Measure, class_spread, correlation_table};
use idscope::estimators::Params;
use idscope::estimators::PointLabels;
use idscope::results::{Estimates, Report};
use idscope::support::progress::Silent;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea, SVGBackend};

const SIZE: (u32, u32) = (800, 500);

fn params() -> Params {
    Params {
        twonn: TwoNnParams { repeats: 5, ..Default::default() },
        gride: GrideParams { run: true, ..Default::default() },
        decimation: DecimationParams { run: true, ..Default::default() },
        surrogate: SurrogateParams { run: true },
        pc_id: PcIdParams { run: true, ..Default::default() },
        density: DensityParams { run: true, ..Default::default() },
        ..Default::default()
    }
}

/// Estimates on 1500 points of an 8-cube rotated into 24 dimensions (computed once).
fn cube() -> &'static Estimates {
    static E: OnceLock<Estimates> = OnceLock::new();
    E.get_or_init(|| {
        let x = common::hypercube(1500, 8, 24, 7);
        estimate(x.view(), &params().check().unwrap(), &mut Silent).unwrap()
    })
}

/// A small "model" of three layers (hypercubes of dimensions `dims`, 500 points in 16
/// coordinates), with `classes` round-robin labels and per-class estimates when `classes` > 0.
fn model(name: &str, dims: [usize; 3], seed: u64, classes: u32) -> Report {
    let p = Params {
        per_class: classes > 0,
        twonn: TwoNnParams { repeats: 5, ..Default::default() },
        pc_id: PcIdParams { run: true, ..Default::default() },
        ..Default::default()
    };
    let ids: Vec<u32> = (0..500).map(|i| i % classes.max(1)).collect();
    let names: Vec<String> = (0..classes).map(|c| format!("c{c}")).collect();
    let mut r = Report::new(name, p.clone());
    for (i, d) in dims.into_iter().enumerate() {
        let x = common::hypercube(500, d, 16, seed + i as u64);
        let input = LayerInput {
            name: ["conv1", "block2", "fc"][i],
            index: i,
            data: x.view(),
            n_input: 500,
            non_finite_dropped: 0,
            labels: (classes > 0).then_some(PointLabels { ids: &ids, names: &names }),
        };
        r.layers.push(analyse_layer(input, &p.clone().check().unwrap(), &mut Silent).unwrap());
    }
    r
}

/// Two small models of three layers each (IDs about 3, 6, 4 and 2, 5, 3).
fn reports() -> &'static [Report; 2] {
    static R: OnceLock<[Report; 2]> = OnceLock::new();
    R.get_or_init(|| [model("netA", [3, 6, 4], 10, 0), model("netB", [2, 5, 3], 20, 0)])
}

/// The same two models with three labelled classes and per-class estimates.
fn labelled() -> &'static [Report; 2] {
    static R: OnceLock<[Report; 2]> = OnceLock::new();
    R.get_or_init(|| [model("netA", [3, 6, 4], 10, 3), model("netB", [2, 5, 3], 20, 3)])
}

/// Renders `draw` into an 800×500 SVG string with `style`; returns the SVG and the result.
fn render<T>(
    style: &Style,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>, &Style) -> Result<T, ChartError>,
) -> (String, Result<T, ChartError>) {
    let mut svg = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let r = draw(&root, style);
        root.present().expect("present");
        r
    };
    (svg, result)
}

/// Writes `svg` to target/charts-preview/`name`.svg.
fn preview(name: &str, svg: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/charts-preview");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(format!("{name}.svg")), svg);
    }
}

fn light() -> Style {
    Style::default()
}

fn dark() -> Style {
    Style { dark: true, ..Style::default() }
}

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Number of `<circle` elements filled with `color`.
fn circles(svg: &str, color: &str) -> usize {
    svg.lines().filter(|l| l.contains("<circle") && l.contains(&format!("fill=\"{color}\""))).count()
}

/// The contents of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>'))
        .filter_map(|(_, rest)| rest.split_once("</text>"))
        .map(|(t, _)| t.trim().to_owned())
        .collect()
}

/// The distinct values of attribute `name` (e.g. `font-size`), sorted.
fn attr_values(svg: &str, name: &str) -> Vec<f64> {
    let key = format!(" {name}=\"");
    let mut v: Vec<f64> = svg.split(&key).skip(1).filter_map(|s| s.split('"').next()?.parse().ok()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

fn assert_inside(hovers: &[Hover], (x0, y0): (i32, i32), (w, h): (u32, u32)) {
    for p in hovers {
        assert!(
            p.x >= x0 as f64 && p.x <= (x0 + w as i32) as f64 && p.y >= y0 as f64 && p.y <= (y0 + h as i32) as f64,
            "hover {p:?} outside {x0},{y0} {w}×{h}"
        );
    }
}

/// Number of vertical two-point `<polyline>`s stroked in `color` (error bars and their legend
/// swatch; caps are horizontal, series lines have more points or slope).
fn vertical_bars(svg: &str, color: &str) -> usize {
    svg.lines()
        .filter(|l| l.contains("<polyline") && l.contains(&format!("stroke=\"{color}\"")))
        .filter_map(|l| l.split("points=\"").nth(1)?.split('"').next().map(str::to_owned))
        .filter(|pts| {
            let p: Vec<&str> = pts.split_whitespace().collect();
            p.len() == 2 && p[0].split(',').next() == p[1].split(',').next()
        })
        .count()
}

fn thinned_len(len: usize) -> usize {
    let step = len.div_ceil(MAX_MARKERS).max(1);
    len.div_ceil(step)
}

#[test]
fn mu_histogram_is_a_density_with_the_fitted_pareto_and_a_hover_per_bin() {
    let e = cube();
    for (log_x, name) in [(false, "mu_histogram"), (true, "mu_histogram_logx")] {
        let opts = MuOptions { log_x, bins: Some(30), ..MuOptions::default() };
        let (svg, r) = render(&light(), |a, s| charts::mu_histogram(a, e, &opts, s));
        preview(name, &svg);
        let hovers = r.unwrap();
        assert_eq!(hovers.len(), 30);
        assert!(svg.contains("probability density p(μ)"));
        assert!(svg.contains("99th percentile"), "the clipped axis says so");
        assert!(svg.contains(&format!("Pareto d·μ⁻⁽ᵈ⁺¹⁾, d = {:.2}", e.twonn.fit.id)));
        assert!(svg.contains(&format!("μ of {} points", e.twonn.mu.len())));
        assert_inside(&hovers, (0, 0), SIZE);
        // The densities integrate to the fraction of μ shown (≈ 0.99).
        let area: f64 = hovers
            .iter()
            .map(|h| {
                let range: Vec<f64> =
                    h.label[3..].split(':').next().unwrap().split('–').map(|v| v.trim().parse().unwrap()).collect();
                let density: f64 =
                    h.label.split("density ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
                density * (range[1] - range[0])
            })
            .sum();
        assert!((area - 0.99).abs() < 0.03, "histogram area {area}");
    }
}

#[test]
fn cdf_fit_draws_every_fitted_and_discarded_point_and_the_slope() {
    let e = cube();
    let style = light();
    let (svg, r) = render(&style, |a, s| charts::cdf_fit(a, e, s));
    preview("cdf_fit", &svg);
    let hovers = r.unwrap();
    let fit = &e.twonn.fit;
    let (kept, dropped) = (thinned_len(fit.points.len()), thinned_len(fit.discarded.len()));
    assert_eq!(hovers.len(), kept + dropped);
    let theme = style.theme();
    // Markers plus one legend swatch each.
    assert_eq!(circles(&svg, &hex(theme.series(0))), kept + 1);
    assert_eq!(circles(&svg, &hex(theme.muted)), dropped + 1);
    assert!(svg.contains(&format!("ID = {:.2}, R² = {:.3}", fit.id, fit.r2)));
    assert!(svg.contains("ln μ") && svg.contains("−ln(1 − F(μ))"));
    assert!(svg.contains("fitted: smallest 90 % of μ"));
    assert_inside(&hovers, (0, 0), SIZE);
}

#[test]
fn decimation_has_an_error_bar_per_size_for_data_and_surrogate() {
    let e = cube();
    assert!(e.decimation.len() >= 3 && !e.surrogate.is_empty());
    let style = light();
    let (svg, r) = render(&style, |a, s| charts::decimation(a, e, &DecimationOptions::default(), s));
    preview("decimation", &svg);
    let hovers = r.unwrap();
    assert_eq!(hovers.len(), e.decimation.len() + e.surrogate.len());
    let theme = style.theme();
    assert_eq!(circles(&svg, &hex(theme.series(0))), e.decimation.len() + 1);
    assert_eq!(circles(&svg, &hex(theme.series(1))), e.surrogate.len() + 1);
    assert!(svg.contains("number of points N (log scale)") && svg.contains("intrinsic dimension (TwoNN fit)"));
    assert!(svg.contains("Gaussian surrogate"));
    let first = &e.decimation[0];
    assert!(hovers[0].label.starts_with(&format!("N = {} ({} blocks): ID ", first.size, first.blocks)));
    assert_inside(&hovers, (0, 0), SIZE);

    // Without the surrogate: one series.
    let (_, r) = render(&style, |a, s| charts::decimation(a, e, &DecimationOptions { surrogate: false }, s));
    assert_eq!(r.unwrap().len(), e.decimation.len());
}

#[test]
fn gride_plots_id_against_order_or_scale() {
    let e = cube();
    assert!(e.gride.len() >= 4);
    for (x, name, desc) in
        [(GrideX::Order, "gride", "neighbour order n₂"), (GrideX::Scale, "gride_scale", "length scale")]
    {
        let style = light();
        let (svg, r) = render(&style, |a, s| charts::gride(a, e, &GrideOptions { x }, s));
        preview(name, &svg);
        let hovers = r.unwrap();
        assert_eq!(hovers.len(), e.gride.len());
        assert_eq!(circles(&svg, &hex(style.theme().series(0))), e.gride.len() + 1);
        assert!(svg.contains(desc) && svg.contains("intrinsic dimension (Gride)"));
        assert_inside(&hovers, (0, 0), SIZE);
        // x increases with the order in both modes.
        assert!(hovers.windows(2).all(|w| w[1].x > w[0].x));
    }
}

#[test]
fn hunchback_overlays_models_with_layer_names_and_pc_id() {
    let reports = reports();
    let series: Vec<HunchbackSeries> = reports.iter().map(HunchbackSeries::from_report).collect();
    let style = light();
    let opts = HunchbackOptions { pc_id: true, ..Default::default() };
    let (svg, r) = render(&style, |a, s| charts::hunchback(a, &series, &opts, s));
    preview("hunchback", &svg);
    let hovers = r.unwrap();
    // Per model and layer: the TwoNN point and the PC-ID point.
    assert_eq!(hovers.len(), 2 * 3 * 2);
    for name in ["conv1", "block2", "fc"] {
        assert!(texts(&svg).iter().any(|t| t == name), "layer name {name} as a tick label");
    }
    assert!(svg.contains("netA: TwoNN fit ± std over 5 subsets") && svg.contains("netB: PC-ID"));
    let theme = style.theme();
    assert_eq!(circles(&svg, &hex(theme.series(0))), 3 + 1);
    assert_eq!(circles(&svg, &hex(theme.series(1))), 3 + 1);
    let l = &reports[0].layers[1];
    let t = &l.estimates.twonn;
    let std = t.repeats.as_ref().unwrap().fit_std;
    assert!(hovers.iter().any(|h| h.label.starts_with("netA · block2: ID ") && h.label.contains(" ± ")), "{hovers:?}");
    assert!(std > 0.0);
    // One error bar per layer (± std of the fit over the repeats) plus the legend swatch.
    assert_eq!(vertical_bars(&svg, &hex(theme.series(0))), 3 + 1);
    assert_inside(&hovers, (0, 0), SIZE);

    // Relative depth, log y, no PC-ID.
    let opts = HunchbackOptions { x: LayerAxis::RelativeDepth, pc_id: false, log_y: true };
    let (svg, r) = render(&style, |a, s| charts::hunchback(a, &series, &opts, s));
    preview("hunchback_depth_logy", &svg);
    let hovers = r.unwrap();
    assert_eq!(hovers.len(), 6);
    assert!(svg.contains("relative depth") && svg.contains("(log scale)"));
    // Last layers of both models sit at depth 1: the same x.
    assert_eq!(hovers[2].x, hovers[5].x);
}

#[test]
fn hunchback_without_repeats_uses_the_ml_interval() {
    let mut report = reports()[0].clone();
    report.layers.iter_mut().for_each(|l| l.estimates.twonn.repeats = None);
    let s = HunchbackSeries::from_report(&report);
    assert_eq!(s.error, "TwoNN ML, 95 % interval");
    let ml = &report.layers[0].estimates.twonn.ml;
    assert_eq!((s.layers[0].id, s.layers[0].low, s.layers[0].high), (ml.id, ml.ci_low, ml.ci_high));
    let (_, r) = render(&light(), |a, st| charts::hunchback(a, &[s], &HunchbackOptions::default(), st));
    assert!(r.unwrap().iter().any(|h| h.label.contains('–')), "asymmetric interval shown as a range");
}

#[test]
fn spectrum_shows_ratios_cumulative_and_the_pc_id_mark() {
    let e = cube();
    let pc = e.pc_id.as_ref().unwrap();
    let style = light();
    let (svg, r) = render(&style, |a, s| charts::spectrum(a, e, &SpectrumOptions::default(), s));
    preview("spectrum", &svg);
    let hovers = r.unwrap();
    assert_eq!(hovers.len(), pc.spectrum.len());
    assert!(svg.contains("explained variance (%)") && svg.contains("cumulative explained variance (%)"));
    assert!(svg.contains(&format!("PC-ID = {} (90 % of variance)", pc.id)));
    assert!(svg.contains(&format!("90 % → PC-ID = {}", pc.id)));
    assert_inside(&hovers, (0, 0), SIZE);
    assert!(hovers[0].label.starts_with("PC 1: "));

    let opts = SpectrumOptions { log_x: true, max_components: Some(10) };
    let (svg, r) = render(&style, |a, s| charts::spectrum(a, e, &opts, s));
    preview("spectrum_logx", &svg);
    assert_eq!(r.unwrap().len(), 10);
}

#[test]
fn hover_points_are_in_backend_pixels_of_a_sub_area() {
    let e = cube();
    let mut svg = String::new();
    let hovers = {
        let root = SVGBackend::with_string(&mut svg, (1600, 500)).into_drawing_area();
        let (_, right) = root.split_horizontally(800);
        let h = charts::gride(&right, e, &GrideOptions::default(), &light()).unwrap();
        root.present().unwrap();
        h
    };
    assert_inside(&hovers, (800, 0), SIZE);
}

#[test]
fn dark_and_light_fill_different_backgrounds() {
    let e = cube();
    let (l, _) = render(&light(), |a, s| charts::cdf_fit(a, e, s));
    let (d, r) = render(&dark(), |a, s| charts::cdf_fit(a, e, s));
    r.unwrap();
    preview("cdf_fit_dark", &d);
    let bg = |dark| format!("fill=\"{}\"", hex(charts::Theme::new(dark).background));
    assert!(l.contains(&bg(false)) && !l.contains(&bg(true)));
    assert!(d.contains(&bg(true)) && !d.contains(&bg(false)));
    let text = |dark| format!("fill=\"{}\"", hex(charts::Theme::new(dark).text));
    assert!(d.contains(&text(true)) && !d.contains(&text(false)), "text colour follows the mode");
}

#[test]
fn scale_multiplies_font_sizes_and_line_widths() {
    let e = cube();
    let (one, _) = render(&light(), |a, s| charts::decimation(a, e, &DecimationOptions::default(), s));
    let two_style = Style { scale: 2.0, ..light() };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1600, 1000)).into_drawing_area();
        charts::decimation(&root, e, &DecimationOptions::default(), &two_style).unwrap();
        root.present().unwrap();
    }
    preview("decimation_scale2", &svg);
    let (f1, f2) = (attr_values(&one, "font-size"), attr_values(&svg, "font-size"));
    assert_eq!(f1.len(), f2.len(), "{f1:?} {f2:?}");
    assert!(f1.iter().zip(&f2).all(|(a, b)| (b / a - 2.0).abs() < 0.01), "{f1:?} {f2:?}");
    // plotters writes font-size = size / 1.24 in SVG: 14 px labels appear as 11.3.
    assert!(f1[0] >= 11.0, "readable at scale 1: {f1:?}");
    let (w1, w2) = (attr_values(&one, "stroke-width"), attr_values(&svg, "stroke-width"));
    assert_eq!((w1.last(), w2.last()), (Some(&3.0), Some(&5.0)), "line width 2.5 px rounds to 3 and 5");
}

#[test]
fn missing_data_is_a_typed_error_not_a_panic() {
    let mut e = cube().clone();
    e.twonn.mu.clear();
    e.twonn.fit.points.clear();
    e.twonn.fit.discarded.clear();
    e.gride.clear();
    e.decimation.clear();
    e.surrogate.clear();
    e.pc_id = None;
    let style = light();
    let no_data = |r: Result<Vec<Hover>, ChartError>| matches!(r, Err(ChartError::NoData(_)));
    assert!(no_data(render(&style, |a, s| charts::mu_histogram(a, &e, &MuOptions::default(), s)).1));
    assert!(no_data(render(&style, |a, s| charts::cdf_fit(a, &e, s)).1));
    assert!(no_data(render(&style, |a, s| charts::decimation(a, &e, &DecimationOptions::default(), s)).1));
    assert!(no_data(render(&style, |a, s| charts::gride(a, &e, &GrideOptions::default(), s)).1));
    assert!(no_data(render(&style, |a, s| charts::spectrum(a, &e, &SpectrumOptions::default(), s)).1));
    assert!(no_data(render(&style, |a, s| charts::hunchback(a, &[], &HunchbackOptions::default(), s)).1));
    let empty = HunchbackSeries {
        label: "m".into(),
        error: String::new(),
        layers: Vec::new(),
        colour: None,
        stroke: Stroke::Solid,
    };
    assert!(no_data(render(&style, |a, s| charts::hunchback(a, &[empty], &HunchbackOptions::default(), s)).1));
    let msg = render(&style, |a, s| charts::gride(a, &e, &GrideOptions::default(), s)).1.unwrap_err().to_string();
    assert!(msg.contains("Gride"), "{msg}");
}

#[test]
fn non_finite_values_are_skipped_without_panic() {
    let mut e = cube().clone();
    let bad = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
    e.twonn.mu.extend(bad);
    e.twonn.mu.insert(0, f64::NAN);
    e.twonn.fit.id = f64::NAN;
    e.twonn.fit.r2 = f64::INFINITY;
    e.twonn.fit.points.push([f64::NAN, 1.0]);
    e.twonn.fit.discarded.push([1.0, f64::INFINITY]);
    e.gride[0].id = f64::NAN;
    e.gride[1].err = f64::INFINITY;
    e.decimation[0].id_std = f64::NAN;
    e.decimation[1].id_mean = f64::INFINITY;
    e.surrogate[0].size = 0;
    if let Some(pc) = e.pc_id.as_mut() {
        pc.spectrum[1] = f64::NAN;
        pc.spectrum.push(-1e-18);
        pc.spectrum.push(0.0);
    }
    let style = dark();
    let (svg, r) =
        render(&style, |a, s| charts::mu_histogram(a, &e, &MuOptions { log_x: true, ..Default::default() }, s));
    assert!(r.is_ok() && !svg.contains("NaN"));
    let (svg, r) = render(&style, |a, s| charts::cdf_fit(a, &e, s));
    assert_eq!(
        r.unwrap().len(),
        thinned_len(e.twonn.fit.points.len() - 1) + thinned_len(e.twonn.fit.discarded.len() - 1)
    );
    assert!(!svg.contains("NaN"));
    let (_, r) = render(&style, |a, s| charts::gride(a, &e, &GrideOptions::default(), s));
    assert_eq!(r.unwrap().len(), e.gride.len() - 1);
    let (_, r) = render(&style, |a, s| charts::decimation(a, &e, &DecimationOptions::default(), s));
    assert_eq!(r.unwrap().len(), e.decimation.len() - 1 + e.surrogate.len() - 1);
    let (svg, r) = render(&style, |a, s| charts::spectrum(a, &e, &SpectrumOptions::default(), s));
    assert!(r.is_ok() && !svg.contains("NaN"));

    // A hunchback with a NaN layer, a single layer and a zero-width range.
    let mut s = HunchbackSeries::from_report(&reports()[0]);
    s.layers[1].id = f64::NAN;
    s.layers[2].pc_id = Some(f64::INFINITY);
    let (_, r) =
        render(&style, |a, st| charts::hunchback(a, &[s], &HunchbackOptions { log_y: true, ..Default::default() }, st));
    assert!(r.is_ok());
    let mut one = HunchbackSeries::from_report(&reports()[0]);
    one.layers.truncate(1);
    one.layers[0].low = one.layers[0].id;
    one.layers[0].high = one.layers[0].id;
    one.layers[0].pc_id = None;
    let (_, r) = render(&style, |a, st| {
        charts::hunchback(a, &[one], &HunchbackOptions { x: LayerAxis::RelativeDepth, ..Default::default() }, st)
    });
    assert_eq!(r.unwrap().len(), 1);
}

#[test]
fn tiny_and_degenerate_areas_do_not_panic() {
    let e = cube();
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, (40, 30)).into_drawing_area();
    let style = Style { scale: 3.0, ..light() };
    let _ = charts::mu_histogram(&root, e, &MuOptions::default(), &style);
    let _ = charts::spectrum(&root, e, &SpectrumOptions::default(), &style);
    let _ = charts::cdf_fit(&root, e, &Style { scale: f64::NAN, ..light() });
}

#[test]
fn per_class_draws_means_with_std_bars_and_a_thin_curve_per_class() {
    let reports = labelled();
    let style = light();
    let opts = PerClassOptions { classes: true, ..Default::default() };
    let (svg, r) = render(&style, |a, s| charts::per_class(a, reports, &opts, s));
    preview("per_class", &svg);
    let hovers = r.unwrap();
    // Per model and layer: the mean and three class points.
    assert_eq!(hovers.len(), 2 * 3 * (1 + 3));
    assert!(
        svg.contains("netA: mean ± std over 3 classes") && svg.contains("intrinsic dimension per class (TwoNN fit)")
    );
    let spread = class_spread(&LayerIds::from(&reports[0].layers[2])).unwrap();
    let mean = format!("netA · fc: ID {}", hovers_number(spread.mean));
    assert!(hovers.iter().any(|h| h.label.starts_with(&mean) && h.label.contains(" ± ")), "{mean} in {hovers:?}");
    assert!(hovers.iter().any(|h| h.label.starts_with("netB · c2 · block2: ID ")), "class curves hover by class name");
    assert_eq!(vertical_bars(&svg, &hex(style.theme().series(1))), 3 + 1);
    assert_inside(&hovers, (0, 0), SIZE);

    // Only the means, relative depth, dark.
    let opts = PerClassOptions { x: LayerAxis::RelativeDepth, classes: false, log_y: false };
    let (svg, r) = render(&dark(), |a, s| charts::per_class(a, reports, &opts, s));
    assert_eq!(r.unwrap().len(), 6);
    assert!(svg.contains("relative depth"));
    // Without labels there is nothing to draw.
    let r = render(&style, |a, s| charts::per_class(a, self::reports(), &PerClassOptions::default(), s)).1;
    assert!(matches!(r, Err(ChartError::NoData(m)) if m.contains("per-class")));
}

/// How the charts print an ID (three significant digits).
fn hovers_number(v: f64) -> String {
    let mag = v.abs().log10().floor();
    format!("{:.*}", (2.0 - mag).max(0.0) as usize, v)
}

fn accuracy_data(n: usize) -> AccuracyData {
    let ids = [12.0, 15.5, 18.0, 22.5, 25.0, 30.0];
    let points = ids[..n]
        .iter()
        .enumerate()
        .map(|(i, &id)| AccuracyPoint {
            model: format!("net{i}"),
            layer: "fc".into(),
            id,
            id_err: (i % 2 == 0).then_some(0.8),
            value: 0.95 - 0.01 * id + 0.005 * (i as f64).sin(),
        })
        .collect();
    AccuracyData { measure: Measure::Accuracy, points }
}

#[test]
fn accuracy_scatter_has_the_fit_line_pearson_r_and_model_names() {
    let data = accuracy_data(6);
    let fit = idscope::compare::accuracy_fit(&data);
    let (svg, r) = render(&light(), |a, s| charts::accuracy(a, &data, s));
    preview("accuracy", &svg);
    let hovers = r.unwrap();
    assert_eq!(hovers.len(), 6);
    let legend = format!("Pearson r = {:.2} (p = ", fit.pearson_r.unwrap()).replace('-', "−");
    assert!(svg.contains(&legend) && svg.contains("n = 6"), "{legend}");
    assert!(svg.contains("intrinsic dimension of the last hidden layer") && svg.contains("test accuracy"));
    assert!(texts(&svg).iter().any(|t| t == "net3"), "model names beside the points");
    assert!(hovers[0].label.starts_with("net0 (layer fc): ID 12.0 ± 0.800, test accuracy"), "{:?}", hovers[0]);
    assert_inside(&hovers, (0, 0), SIZE);

    // Two points: drawn, no line, the legend says why; none: NoData.
    let (svg, r) = render(&dark(), |a, s| {
        charts::accuracy(a, &AccuracyData { measure: Measure::Top5Error, ..accuracy_data(2) }, s)
    });
    assert_eq!(r.unwrap().len(), 2);
    assert!(svg.contains("no line: 2 pairs: at least 3 are needed") && svg.contains("top-5 error"));
    let r = render(&light(), |a, s| charts::accuracy(a, &accuracy_data(0), s)).1;
    assert!(matches!(r, Err(ChartError::NoData(_))));
}

#[test]
fn correlation_heatmap_prints_pearson_below_and_spearman_above_the_diagonal() {
    let ids = ClassIds {
        layer: "fc".into(),
        models: vec!["vit".into(), "beit".into(), "untrained".into()],
        classes: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
        ids: vec![
            vec![10.0, 12.0, 9.0, 15.0, 11.0],
            vec![11.0, 13.5, 9.5, 14.0, 10.5],
            vec![20.0, 18.0, 21.0, 19.0, 18.0],
        ],
    };
    let t = correlation_table(&ids).unwrap();
    let (svg, r) = render(&light(), |a, s| charts::correlation(a, &t, &ids.layer, s));
    preview("correlation", &svg);
    let hovers = r.unwrap();
    assert_eq!(hovers.len(), 9);
    let cells = texts(&svg);
    let printed = |v: Option<f64>| format!("{:.2}", v.unwrap()).replace('-', "−");
    assert!(cells.contains(&printed(t.pearson[1][0])) && cells.contains(&printed(t.spearman[0][2])), "{cells:?}");
    assert_eq!(cells.iter().filter(|c| *c == "1.00").count(), 3, "diagonal");
    assert!(
        svg.contains("below the diagonal: Pearson r")
            && svg.contains("above: Spearman ρ")
            && svg.contains("n = 5 classes")
    );
    assert!(svg.contains("correlation (r or ρ)"), "colour bar axis");
    let lower = &hovers[3]; // row 1, column 0
    assert!(
        lower.label.starts_with("beit × vit: Pearson r = ")
            && lower.label.contains(", p = ")
            && lower.label.ends_with("n = 5"),
        "{lower:?}"
    );
    assert!(hovers[1].label.starts_with("vit × beit: Spearman ρ = "), "{:?}", hovers[1]);
    assert_inside(&hovers, (0, 0), SIZE);
    // Dark mode draws too; no shared class or no model is NoData.
    assert!(render(&dark(), |a, s| charts::correlation(a, &t, "fc", s)).1.is_ok());
    let none = correlation_table(&ClassIds { classes: vec![], ids: vec![vec![]; 3], ..ids.clone() }).unwrap();
    assert!(matches!(render(&light(), |a, s| charts::correlation(a, &none, "fc", s)).1, Err(ChartError::NoData(_))));
    let empty = correlation_table(&ClassIds { models: vec![], ids: vec![], ..ids }).unwrap();
    assert!(matches!(render(&light(), |a, s| charts::correlation(a, &empty, "fc", s)).1, Err(ChartError::NoData(_))));
}

#[test]
fn surrogate_test_puts_data_and_surrogate_side_by_side_on_the_same_axes() {
    let e = cube();
    let (svg, r) = render(&light(), |a, s| charts::surrogate_test(a, e, s));
    preview("surrogate", &svg);
    let hovers = r.unwrap();
    assert_eq!(hovers.len(), e.decimation.len() + e.surrogate.len());
    assert!(svg.contains("data: mean ± std over blocks") && svg.contains("Gaussian surrogate, same covariance"));
    assert_eq!(texts(&svg).iter().filter(|t| t.starts_with("number of points N")).count(), 2, "two panels");
    let (left, right): (Vec<&Hover>, Vec<&Hover>) = hovers.iter().partition(|h| h.label.starts_with("data: "));
    assert!(left.iter().all(|h| h.x < SIZE.0 as f64 / 2.0) && right.iter().all(|h| h.x > SIZE.0 as f64 / 2.0));
    // Same axes: the first (smallest N) point of each panel sits at the same offset in its half.
    assert!((right[0].x - left[0].x - SIZE.0 as f64 / 2.0).abs() <= 1.0, "{left:?} {right:?}");
    let mut no_surrogate = e.clone();
    no_surrogate.surrogate.clear();
    let msg = render(&light(), |a, s| charts::surrogate_test(a, &no_surrogate, s)).1.unwrap_err().to_string();
    assert!(msg.contains("turn on the surrogate"), "{msg}");
}

#[test]
fn spectrum_without_a_gap_draws_every_component_and_a_late_pc_id() {
    // A power-law spectrum (no gap, as for a curved manifold): λᵢ ∝ i^−0.8 over 300 components.
    let mut e = cube().clone();
    let raw: Vec<f64> = (1..=300).map(|i| (i as f64).powf(-0.8)).collect();
    let total: f64 = raw.iter().sum();
    let spectrum: Vec<f64> = raw.iter().map(|v| v / total).collect();
    let mut acc = 0.0;
    let id = spectrum
        .iter()
        .position(|v| {
            acc += v;
            acc >= 0.9
        })
        .unwrap()
        + 1;
    let pc = e.pc_id.as_mut().unwrap();
    (pc.spectrum, pc.id) = (spectrum, id);
    let (svg, r) = render(&light(), |a, s| charts::spectrum(a, &e, &SpectrumOptions::default(), s));
    preview("spectrum_no_gap", &svg);
    assert_eq!(r.unwrap().len(), 300);
    assert!(id > 150 && svg.contains(&format!("PC-ID = {id} (90 % of variance)")), "PC-ID {id}");
}

#[test]
fn every_listed_layer_chart_draws_and_exports_its_numbers() {
    let e = cube();
    let blobs = three_blobs();
    for c in charts::LAYER_CHARTS {
        // The uniform cube has one density peak: the dendrogram draws the blobs' three.
        let e = if c.kind == "dendrogram" { &blobs.layers[0].estimates } else { e };
        let mut svg = String::new();
        let hovers = {
            let area = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            let drawn = charts::draw_layer(c.kind, &area, e, &charts::LayerOptions::default(), &Style::default());
            drawn.unwrap_or_else(|| panic!("{} is listed but not drawn", c.kind)).unwrap()
        };
        assert!(!hovers.is_empty() && svg.contains("<svg"), "{}", c.kind);
        let (header, rows) = charts::layer_rows(c.kind, e).unwrap_or_else(|| panic!("{} has no numbers", c.kind));
        assert!(!rows.is_empty() && rows.iter().all(|r| r.len() == header.len()), "{}", c.kind);
    }
    let mut svg = String::new();
    let area = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
    assert!(charts::draw_layer("nope", &area, e, &charts::LayerOptions::default(), &Style::default()).is_none());
    assert!(charts::layer_rows("nope", e).is_none());
    // The numbers are the estimates': μ in order, the fit's points then the discarded ones, both decimations.
    assert_eq!(charts::layer_rows("mu", e).unwrap().1.len(), e.twonn.mu.len());
    let cdf = charts::layer_rows("cdf", e).unwrap().1;
    assert_eq!(cdf.len(), e.twonn.fit.points.len() + e.twonn.fit.discarded.len());
    assert_eq!(cdf[0][2], charts::Cell::Num(1.0));
    let surrogate = charts::layer_rows("surrogate", e).unwrap().1;
    assert_eq!(surrogate.len(), e.decimation.len() + e.surrogate.len());
    assert_eq!(surrogate.last().unwrap()[0], charts::Cell::Text("surrogate"));
}

/// Two models of three layers with χ and, for the first, the imbalances with the last and the first layer.
fn overlap_profiles() -> Vec<OverlapProfile> {
    let point = |position: usize, imbalance: Option<Imbalances>| ProfilePoint {
        layer: ["input", "hidden", "logits"][position].into(),
        position,
        relative_depth: position as f64 / 2.0,
        label: Some(0.5 + 0.2 * position as f64),
        output: Some(0.3 * position as f64 + 0.4),
        input: Some(1.0 - 0.3 * position as f64),
        label_std: Some(0.02),
        output_std: Some(0.01 * position as f64),
        input_std: None,
        imbalance,
    };
    let delta = |i: f64| Imbalances {
        to_output: 0.6 - 0.3 * i,
        from_output: 0.5 - 0.2 * i,
        to_input: 0.1 * i,
        from_input: 0.2 * i,
    };
    vec![
        OverlapProfile { model: "trained".into(), layers: (0..3).map(|i| point(i, Some(delta(i as f64)))).collect() },
        OverlapProfile { model: "untrained".into(), layers: (0..3).map(|i| point(i, None)).collect() },
    ]
}

#[test]
fn overlap_profile_and_information_plane_draw_every_layer_of_every_model() {
    let profiles = overlap_profiles();
    let (svg, r) =
        render(&light(), |a, s| charts::overlap_profile(a, &profiles, 10, 20, &HunchbackOptions::default(), s));
    preview("overlap_profile", &svg);
    let hovers = r.unwrap();
    assert_eq!(hovers.len(), 2 * 3 * 3, "three profiles of three layers per model");
    assert!(svg.contains("neighbourhood overlap χ (k = 10)") && svg.contains("untrained: χ with the output"));
    // The error bars: χ^gt ± 0.02 and χ^out ± 0.01·position; none for χ^in (no std).
    let label = |l: &str| hovers.iter().find(|h| h.label.starts_with(l)).map(|h| h.label.clone()).unwrap_or_default();
    assert_eq!(label("trained: χ with the labels · hidden"), "trained: χ with the labels · hidden: χ 0.700 ± 0.0200");
    assert_eq!(label("trained: χ with the output · logits"), "trained: χ with the output · logits: χ 1.00 ± 0.0200");
    assert_eq!(label("trained: χ with the input · logits"), "trained: χ with the input · logits: χ 0.400");
    assert!(svg.contains("trained: χ with the labels: ± std over 20 subsets"), "the legend says what the bars are");
    assert!(!svg.contains("χ with the input: ±"), "no bars, no legend text");

    let (svg, r) = render(&light(), |a, s| charts::information_plane(a, &profiles, s));
    preview("information_plane", &svg);
    let hovers = r.unwrap();
    assert_eq!(hovers.len(), 2 * 3, "the model with imbalances: each layer against the output and the input");
    assert!(hovers[1].label.starts_with("trained: against the output · hidden: Δ(layer → ref) 0.3"), "{:?}", hovers[1]);
    assert!(svg.contains("Δ(layer → reference)") && svg.contains("equal information both ways"));
    assert!(!svg.contains("untrained: against"), "no legend entry for a model without imbalances");
    assert_inside(&hovers, (0, 0), SIZE);
    assert!(render(&dark(), |a, s| charts::information_plane(a, &profiles, s)).1.is_ok());
    // A missing imbalance (NaN) is left out; none at all is NoData.
    let mut gaps = profiles.clone();
    gaps[0].layers[1].imbalance.as_mut().unwrap().to_output = f64::NAN;
    assert_eq!(render(&light(), |a, s| charts::information_plane(a, &gaps, s)).1.unwrap().len(), 5);
    let none = &profiles[1..];
    assert!(matches!(render(&light(), |a, s| charts::information_plane(a, none, s)).1, Err(ChartError::NoData(_))));
}

/// Three separated 3-cubes of 300 points in 8 coordinates, labelled by cube, with their density profile.
fn three_blobs() -> Report {
    let mut x = ndarray::Array2::<f32>::zeros((900, 8));
    for b in 0..3 {
        let cube = common::hypercube(300, 3, 8, 40 + b as u64);
        let mut rows = x.slice_mut(ndarray::s![b * 300..(b + 1) * 300, ..]);
        rows.assign(&cube.mapv(|v| v + 4.0 * b as f32));
    }
    let ids: Vec<u32> = (0..900).map(|i| (i / 300) as u32).collect();
    let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let mut p = Params::default();
    (p.twonn.repeats, p.density.run) = (0, true);
    let input = LayerInput {
        name: "blobs",
        index: 0,
        data: x.view(),
        n_input: 900,
        non_finite_dropped: 0,
        labels: Some(PointLabels { ids: &ids, names: &names }),
    };
    let mut r = Report::new("blobs", p.clone());
    r.layers.push(analyse_layer(input, &p.check().unwrap(), &mut Silent).unwrap());
    r
}

#[test]
fn density_charts_draw_the_peaks_their_dendrogram_and_the_nucleation_profile() {
    let r = three_blobs();
    let e = &r.layers[0].estimates;
    let d = e.density.as_ref().unwrap();
    assert_eq!(d.peaks, 3, "three blobs, three peaks");
    assert_eq!(d.labels.as_ref().unwrap().ari, 1.0);
    let (svg, h) = render(&light(), |a, s| charts::layer::density::density_histogram(a, e, s));
    preview("density", &svg);
    assert_eq!(h.unwrap().len(), 40, "one hover per bin");
    assert!(svg.contains("900 points in 3 density peaks"));
    let (svg, h) = render(&light(), |a, s| charts::layer::density::dendrogram_chart(a, e, s));
    preview("dendrogram", &svg);
    let hovers = h.unwrap();
    assert_eq!(hovers.len(), 2 + 3, "two merges, three leaves");
    assert_inside(&hovers, (0, 0), SIZE);
    let names = texts(&svg);
    assert!(
        ["a (300)", "b (300)", "c (300)"].iter().all(|n| names.iter().any(|t| t == n)),
        "leaves by class and size: {names:?}"
    );
    let (svg, h) =
        render(&light(), |a, s| charts::nucleation(a, std::slice::from_ref(&r), &HunchbackOptions::default(), s));
    preview("nucleation", &svg);
    assert_eq!(h.unwrap().len(), 1);
    assert!(svg.contains("density peaks (ADP clusters)"));
    let (_, h) =
        render(&dark(), |a, s| charts::peak_classes(a, std::slice::from_ref(&r), &HunchbackOptions::default(), s));
    assert_eq!(h.unwrap().len(), 2, "ARI and purity");
    // Without a density profile: NoData, never a panic.
    let bare = &Estimates { density: None, ..cube().clone() };
    assert!(matches!(
        render(&light(), |a, s| charts::layer::density::dendrogram_chart(a, bare, s)).1,
        Err(ChartError::NoData(_))
    ));
    assert!(matches!(
        render(&light(), |a, s| charts::layer::density::density_histogram(a, bare, s)).1,
        Err(ChartError::NoData(_))
    ));
}
