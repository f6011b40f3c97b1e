//! The density charts of one layer: the histogram of its points' PAk log ρ, coloured by density
//! peak, and the dendrogram of the peaks (Doimo et al. 2020, Fig. 5), leaves named by their
//! majority class with their sizes.

use plotters::coord::Shift;
use plotters::element::{PathElement, Rectangle};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::{Color, ShapeStyle};

use crate::charts::axis::{Axis, Scale};
use crate::charts::frame::{self, Frame, LegendItem, Swatch, draw_frame, hover, tick_target};
use crate::charts::theme::LINE;
use crate::charts::{ChartError, Hover, Style, num, sig};
use crate::estimators::density::DensityProfile;
use crate::results::Estimates;

/// Bins of the log ρ histogram.
const BINS: usize = 40;

fn profile(e: &Estimates) -> Result<&DensityProfile, ChartError> {
    e.density.as_ref().ok_or(ChartError::NoData("no density profile (tick density peaks)"))
}

/// A leaf's tick: its majority class when the layer has labels, else its number.
fn leaf_tick(p: &DensityProfile, c: usize) -> String {
    match p.labels.as_ref().and_then(|l| l.majority.get(c)) {
        Some(m) => m.name.clone(),
        None => format!("peak {c}"),
    }
}

/// A leaf's name: its tick and its size.
fn leaf_name(p: &DensityProfile, c: usize) -> String {
    format!("{} ({})", leaf_tick(p, c), p.clusters.sizes.get(c).copied().unwrap_or(0))
}

/// Histogram of the points' PAk log ρ, each bar stacked by the points' clusters (one colour per
/// peak, halo grey), with the peaks' log ρ marked. Hover: one per bin with its count per cluster.
pub fn density_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let p = profile(e)?;
    let den = &p.pak.log_den;
    let (lo, hi) = frame::finite_range(den.iter().copied()).ok_or(ChartError::NoData("no finite log density"))?;
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let width = (hi - lo) / BINS as f64;
    let peaks = p.clusters.centers.len();
    // counts[bin][cluster], the last column for the points in no cluster.
    let mut counts = vec![vec![0usize; peaks + 1]; BINS];
    for (&d, &c) in den.iter().zip(&p.clusters.assignment) {
        if d.is_finite() {
            let bin = (((d - lo) / width) as usize).min(BINS - 1);
            counts[bin][usize::try_from(c).unwrap_or(peaks).min(peaks)] += 1;
        }
    }
    let top = counts.iter().map(|b| b.iter().sum::<usize>()).max().unwrap_or(1) as f64;
    let (w, h) = area.dim_in_pixel();
    let x =
        Axis::new(Scale::Linear, lo, hi, 0.02, tick_target(w, 90.0, style)).ok_or(ChartError::NoData("log ρ range"))?;
    let y = Axis::from_zero(top, 0.06, tick_target(h, 55.0, style)).ok_or(ChartError::NoData("no points"))?;
    let theme = style.theme();
    let colour = |c: usize| if c == peaks { theme.muted } else { theme.series(c) };
    let mut legend = vec![LegendItem::new(
        Swatch::Bar(theme.series(0)),
        format!("{} points in {peaks} density peaks (Z = {}), one colour each", den.len(), num(p.clusters.z, 2)),
    )];
    legend.push(LegendItem::new(Swatch::Dashed(theme.text), "each peak's log ρ"));
    let x_desc = format!("PAk log density ln ρ (d = {})", num(p.id, 2));
    let chart =
        draw_frame(area, &Frame { x: &x, y: &y, x_desc: &x_desc, y_desc: "points", legend, right_area: 0 }, style)?;
    let plot = chart.plotting_area();
    let mut hovers = Vec::with_capacity(BINS);
    for (i, bin) in counts.iter().enumerate() {
        let (l, r) = (lo + i as f64 * width, lo + (i + 1) as f64 * width);
        let mut base = 0.0;
        for (c, &count) in bin.iter().enumerate().filter(|(_, n)| **n > 0) {
            let top = base + count as f64;
            plot.draw(&Rectangle::new([(l, base), (r, top)], colour(c).mix(0.75).filled()))?;
            base = top;
        }
        let parts: Vec<String> = bin
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| format!("{}: {n}", cluster_label(p, c, peaks)))
            .collect();
        hovers.push(hover(&chart, ((l + r) / 2.0, base), format!("ln ρ {}–{}: {}", sig(l), sig(r), parts.join(", "))));
    }
    for &c in &p.clusters.centers {
        let d = den[c];
        let s = ShapeStyle::from(&theme.text).stroke_width(style.px(1.0));
        plot.draw(&plotters::element::DashedPathElement::new(
            vec![(d, 0.0), (d, top)],
            style.px(4.0),
            style.px(3.0),
            s,
        ))?;
    }
    Ok(hovers)
}

fn cluster_label(p: &DensityProfile, c: usize, peaks: usize) -> String {
    if c == peaks { "no cluster".to_owned() } else { leaf_name(p, c) }
}

/// The dendrogram of the density peaks: each leaf at its peak's log ρ, joined to the others at
/// the log ρ of the saddle of their groups; leaves named by majority class. Hover: one per leaf
/// (with its size and majority share) and per merge.
pub fn dendrogram_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let p = profile(e)?;
    let t = p.dendrogram.as_ref().ok_or(ChartError::NoData("a single density peak: no dendrogram"))?;
    // Each node's (x, log ρ): leaves in drawing order, a merge over the mean of its children.
    let mut at: Vec<(f64, f64)> = vec![(0.0, 0.0); t.leaves + t.links.len()];
    for (slot, &leaf) in t.order.iter().enumerate() {
        at[leaf] = (slot as f64, t.peaks[leaf]);
    }
    for l in &t.links {
        at[l.node] = ((at[l.a].0 + at[l.b].0) / 2.0, l.saddle);
    }
    let values = at.iter().map(|p| p.1);
    let (lo, hi) = frame::finite_range(values).ok_or(ChartError::NoData("no finite log density"))?;
    let (_, h) = area.dim_in_pixel();
    let names: Vec<(f64, String)> =
        t.order.iter().enumerate().map(|(slot, &leaf)| (slot as f64, leaf_name(p, leaf))).collect();
    let x = Axis::with_ticks(-0.6, t.leaves as f64 - 0.4, names);
    let y =
        Axis::new(Scale::Linear, lo, hi, 0.06, tick_target(h, 55.0, style)).ok_or(ChartError::NoData("log ρ range"))?;
    let theme = style.theme();
    let (c_tree, c_leaf) = (theme.series(0), theme.series(1));
    let legend = vec![
        LegendItem::new(
            Swatch::Line(c_tree),
            format!("merges at the saddles' log ρ ({} peaks, Z = {})", t.leaves, num(p.clusters.z, 2)),
        ),
        LegendItem::new(Swatch::Marker(c_leaf), if p.labels.is_some() { "peaks, by majority class" } else { "peaks" }),
    ];
    let chart = draw_frame(
        area,
        &Frame { x: &x, y: &y, x_desc: "density peak", y_desc: "PAk log density ln ρ", legend, right_area: 0 },
        style,
    )?;
    let plot = chart.plotting_area();
    let line = ShapeStyle::from(&c_tree).stroke_width(style.px(LINE));
    let mut hovers = Vec::new();
    for l in &t.links {
        let (a, b, m) = (at[l.a], at[l.b], at[l.node]);
        plot.draw(&PathElement::new(vec![(a.0, a.1), (a.0, m.1), (b.0, m.1), (b.0, b.1)], line))?;
        hovers.push(hover(&chart, m, format!("saddle: ln ρ {} ({} points below)", sig(l.saddle), l.size)));
    }
    for (slot, &leaf) in t.order.iter().enumerate() {
        let pt = (slot as f64, t.peaks[leaf]);
        frame::marker(&chart, pt, c_leaf, style)?;
        let share = p
            .labels
            .as_ref()
            .and_then(|l| l.majority.get(leaf))
            .map_or(String::new(), |m| format!(", {} % of class {}", num(100.0 * m.share, 0), m.name));
        hovers.push(hover(&chart, pt, format!("peak {}: ln ρ {}{share}", leaf_name(p, leaf), sig(pt.1))));
    }
    Ok(hovers)
}
