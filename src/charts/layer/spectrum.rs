//! The PCA spectrum behind PC-ID.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use crate::charts::axis::{Axis, Scale};
use crate::charts::frame::{self, Frame, LegendItem, Swatch, draw_frame, hover, tick_target, y_area_width};
use crate::charts::{ChartError, Hover, Style, num, sig, thinned};
use crate::results::Estimates;

/// Ratios below this fraction of the largest are left off the log axis (numerical noise).
const FLOOR: f64 = 1e-8;

/// Options of [`spectrum`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpectrumOptions {
    /// Logarithmic component-rank axis (useful for thousands of components).
    pub log_x: bool,
    /// Show only the first components (`None`: all).
    pub max_components: Option<usize>,
}

/// The explained-variance ratio of each principal component against its rank (left axis, log,
/// in %), and the cumulative ratio (right axis, linear, in %) with the PC-ID threshold and the
/// PC-ID (the first rank reaching it) marked. Hover: one per drawn component.
pub fn spectrum<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    opts: &SpectrumOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let pc = e.pc_id.as_ref().ok_or(ChartError::NoData("no PCA spectrum (enable PC-ID)"))?;
    let ratios: Vec<f64> = pc.spectrum.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).collect();
    let shown = opts.max_components.unwrap_or(usize::MAX).min(ratios.len());
    let top = ratios.iter().copied().fold(0.0, f64::max);
    if shown == 0 || top <= 0.0 {
        return Err(ChartError::NoData("empty PCA spectrum"));
    }
    let mut cum = Vec::with_capacity(shown);
    let mut acc = 0.0;
    for &r in &ratios[..shown] {
        acc += r.max(0.0);
        cum.push(acc);
    }
    let floor = top * FLOOR;
    let low = ratios[..shown].iter().copied().filter(|&r| r >= floor).fold(top, f64::min);

    let (w, h) = area.dim_in_pixel();
    let x_target = tick_target(w, 80.0, style);
    let x = if opts.log_x {
        Axis::new(Scale::Log10, 1.0, shown as f64, 0.03, x_target)
    } else {
        Axis::integer(1.0, shown as f64, 0.03, x_target)
    }
    .ok_or(ChartError::NoData("no components"))?;
    let y = Axis::new(Scale::Log10, low * 100.0, top * 100.0, 0.05, tick_target(h, 50.0, style))
        .ok_or(ChartError::NoData("spectrum is not positive"))?;
    let y2 = Axis::new(Scale::Linear, 0.0, 100.0, 0.03, tick_target(h, 50.0, style))
        .ok_or(ChartError::NoData("no cumulative"))?;
    let theme = style.theme();
    let (c_ratio, c_cum, c_mark) = (theme.series(0), theme.series(1), theme.muted);
    let threshold = pc.threshold * 100.0;
    let mut legend = vec![
        LegendItem::new(Swatch::Line(c_ratio), "per component (left, log)"),
        LegendItem::new(Swatch::Line(c_cum), "cumulative (right)"),
    ];
    if pc.id >= 1 && pc.id <= shown {
        legend.push(LegendItem::new(Swatch::Dashed(c_mark), format!("{} % → PC-ID = {}", num(threshold, 0), pc.id)));
    }
    let right = y_area_width(area, &y2, style);
    let chart = draw_frame(
        area,
        &Frame {
            x: &x,
            y: &y,
            x_desc: "principal component (rank)",
            y_desc: "explained variance (%)",
            legend,
            right_area: right,
        },
        style,
    )?;
    // The cumulative curve in primary coordinates: 0..100 % mapped onto the primary y range.
    let to_primary = |c: f64| y.lo + (c - y2.lo) / (y2.hi - y2.lo) * (y.hi - y.lo);
    let rank = |i: usize| x.to((i + 1) as f64).unwrap_or(x.lo);
    let per: Vec<(f64, f64)> = (0..shown)
        .filter(|&i| ratios[i] >= floor)
        .filter_map(|i| y.to(ratios[i] * 100.0).map(|t| (rank(i), t)))
        .collect();
    frame::line(&chart, per, c_ratio, style)?;
    frame::line(&chart, (0..shown).map(|i| (rank(i), to_primary(cum[i] * 100.0))).collect(), c_cum, style)?;
    if pc.id >= 1 && pc.id <= shown {
        let (px, py) = (rank(pc.id - 1), to_primary(threshold));
        frame::dashed(&chart, vec![(x.lo, py), (x.hi, py)], c_mark, 1.5, style)?;
        frame::dashed(&chart, vec![(px, y.lo), (px, y.hi)], c_mark, 1.5, style)?;
        frame::marker(&chart, (px, py), c_cum, style)?;
        let text = format!("PC-ID = {} ({} % of variance)", pc.id, num(threshold, 0));
        frame::annotate(area, &chart, (px, py), &text, style)?;
    }
    frame::right_axis(area, &chart, &y2, 0, "cumulative explained variance (%)", style)?;
    let mut hovers = Vec::new();
    for i in thinned(shown) {
        let p = match y.to(ratios[i] * 100.0) {
            Some(t) if ratios[i] >= floor => (rank(i), t),
            _ => (rank(i), to_primary(cum[i] * 100.0)),
        };
        let label =
            format!("PC {}: {} % of variance, cumulative {} %", i + 1, sig(ratios[i] * 100.0), num(cum[i] * 100.0, 1));
        hovers.push(hover(&chart, p, label));
    }
    Ok(hovers)
}
