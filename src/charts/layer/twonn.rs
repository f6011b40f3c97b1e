//! The TwoNN charts: the μ histogram with the fitted Pareto density, and the linear fit.

use plotters::coord::Shift;
use plotters::element::Rectangle;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::{Color, ShapeStyle};

use crate::charts::axis::{Axis, Scale};
use crate::charts::frame::{self, Frame, LegendItem, Swatch, draw_frame, hover, tick_target};
use crate::charts::{ChartError, Hover, Style, num, sig, thinned};
use crate::results::Estimates;

/// Options of [`mu_histogram`].
#[derive(Debug, Clone, PartialEq)]
pub struct MuOptions {
    /// Logarithmic μ axis (bins of equal width in log μ).
    pub log_x: bool,
    /// Number of bins; `None` picks it (Freedman–Diaconis, 10 to 60).
    pub bins: Option<usize>,
    /// The μ axis ends at this quantile of μ (μ has a heavy tail); 1 shows all.
    pub clip_quantile: f64,
}

impl Default for MuOptions {
    fn default() -> Self {
        Self { log_x: false, bins: None, clip_quantile: 0.99 }
    }
}

/// Histogram of μ = r₂/r₁, normalised to a density over *all* μ (so the bars integrate to the
/// fraction shown), with the Pareto density d·μ^−(d+1), d = the TwoNN fit ID, overlaid.
///
/// The μ axis runs from the smallest μ to the `clip_quantile` quantile; the axis label says so.
/// Hover: one point per bin (top centre) with its μ interval, density and count.
pub fn mu_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    opts: &MuOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let scale = if opts.log_x { Scale::Log10 } else { Scale::Linear };
    let mut mu: Vec<f64> = e.twonn.mu.iter().copied().filter(|m| m.is_finite() && *m > 0.0).collect();
    if mu.len() < 2 {
        return Err(ChartError::NoData("fewer than 2 finite μ values"));
    }
    crate::support::order::sort_f64(&mut mu);
    let n = mu.len();
    let q = if opts.clip_quantile.is_finite() { opts.clip_quantile.clamp(0.5, 1.0) } else { 0.99 };
    // μ ≥ 1 by definition: start the axis at 1 where the Pareto density starts.
    let lo = if mu[0] >= 1.0 { 1.0 } else { mu[0] };
    let mut hi = mu[(((n - 1) as f64) * q).round() as usize];
    if hi <= lo {
        hi = lo * 1.05 + 1e-9;
    }
    let beyond = n - mu.partition_point(|&m| m <= hi);
    // Bins in axis coordinates (μ or log₁₀ μ).
    let (a, b) = (scale.to(lo).unwrap_or(0.0), scale.to(hi).unwrap_or(1.0));
    let shown: Vec<f64> = mu.iter().filter(|&&m| m <= hi).filter_map(|&m| scale.to(m)).collect();
    let bins = opts.bins.unwrap_or_else(|| auto_bins(&shown, a, b)).clamp(1, 500);
    let width = (b - a) / bins as f64;
    let mut counts = vec![0usize; bins];
    for t in &shown {
        counts[(((t - a) / width) as usize).min(bins - 1)] += 1;
    }
    let edge = |i: usize| a + i as f64 * width;
    let value = |t: f64| if opts.log_x { 10f64.powf(t) } else { t };
    let density: Vec<f64> =
        (0..bins).map(|i| counts[i] as f64 / (n as f64 * (value(edge(i + 1)) - value(edge(i))))).collect();

    let d = e.twonn.fit.id;
    let pareto: Vec<(f64, f64)> = if d.is_finite() && d > 0.0 {
        (0..=200)
            .map(|i| a + (b - a) * i as f64 / 200.0)
            .map(|t| (t, value(t)))
            .filter(|&(_, m)| m >= 1.0)
            .map(|(t, m)| (t, d * m.powf(-(d + 1.0))))
            .filter(|p| p.1.is_finite())
            .collect()
    } else {
        Vec::new()
    };
    let top = density.iter().chain(pareto.iter().map(|p| &p.1)).copied().fold(0.0, f64::max);

    let (w, h) = area.dim_in_pixel();
    let x = Axis::new(scale, lo, hi, 0.0, tick_target(w, 110.0, style))
        .ok_or(ChartError::NoData("μ range is not finite"))?;
    let y = Axis::from_zero(top, 0.06, tick_target(h, 55.0, style)).ok_or(ChartError::NoData("no density"))?;
    let theme = style.theme();
    let (bar, curve) = (theme.series(0), theme.series(1));
    let pct = ((1.0 - q) * 100.0).round();
    let x_desc = if q < 1.0 {
        format!("μ = r₂ / r₁ (axis ends at the {}th percentile, μ = {})", num(q * 100.0, 0), sig(hi))
    } else {
        "μ = r₂ / r₁".to_owned()
    };
    let mut legend = vec![LegendItem::new(
        Swatch::Bar(bar),
        if beyond > 0 {
            format!("μ of {n} points ({beyond} ≈ {pct} % beyond the axis)")
        } else {
            format!("μ of {n} points")
        },
    )];
    if !pareto.is_empty() {
        legend.push(LegendItem::new(Swatch::Line(curve), format!("Pareto d·μ⁻⁽ᵈ⁺¹⁾, d = {}", num(d, 2))));
    }
    let chart = draw_frame(
        area,
        &Frame { x: &x, y: &y, x_desc: &x_desc, y_desc: "probability density p(μ)", legend, right_area: 0 },
        style,
    )?;
    let plot = chart.plotting_area();
    let fill = bar.mix(0.55).filled();
    let outline = ShapeStyle::from(&bar).stroke_width(style.px(1.0));
    let mut hovers = Vec::with_capacity(bins);
    for i in 0..bins {
        let (l, r) = (edge(i), edge(i + 1));
        if counts[i] > 0 {
            plot.draw(&Rectangle::new([(l, 0.0), (r, density[i])], fill))?;
            plot.draw(&Rectangle::new([(l, 0.0), (r, density[i])], outline))?;
        }
        hovers.push(hover(
            &chart,
            ((l + r) / 2.0, density[i]),
            format!("μ {}–{}: density {} ({} points)", sig(value(l)), sig(value(r)), sig(density[i]), counts[i]),
        ));
    }
    frame::line(&chart, pareto, curve, style)?;
    Ok(hovers)
}

/// Freedman–Diaconis bin count on axis coordinates `t` (sorted), clamped to 10..=60.
fn auto_bins(t: &[f64], a: f64, b: f64) -> usize {
    let n = t.len();
    if n < 4 {
        return 10;
    }
    let iqr = t[3 * n / 4] - t[n / 4];
    let h = 2.0 * iqr / (n as f64).cbrt();
    let bins = if h > 0.0 && h.is_finite() { ((b - a) / h).ceil() } else { (n as f64).sqrt().ceil() };
    if bins.is_finite() { (bins as usize).clamp(10, 60) } else { 10 }
}

/// The TwoNN linear fit: −ln(1 − F(μ)) against ln μ, the fitted points (the smallest μ) in
/// colour, the discarded ones in grey, and the line through the origin with slope = the fit ID.
///
/// At most [`super::MAX_MARKERS`] points per set are drawn (every k-th). Hover: one per drawn point.
pub fn cdf_fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let finite = |v: &Vec<[f64; 2]>| -> Vec<(f64, f64)> {
        v.iter().filter(|p| p[0].is_finite() && p[1].is_finite()).map(|p| (p[0], p[1])).collect()
    };
    let fit = &e.twonn.fit;
    let (kept, discarded) = (finite(&fit.points), finite(&fit.discarded));
    if kept.is_empty() && discarded.is_empty() {
        return Err(ChartError::NoData("no TwoNN fit points"));
    }
    let all = || kept.iter().chain(discarded.iter());
    let (x0, x1) = frame::finite_range(all().map(|p| p.0).chain([0.0])).unwrap_or((0.0, 1.0));
    let (y0, y1) = frame::finite_range(all().map(|p| p.1).chain([0.0])).unwrap_or((0.0, 1.0));
    let (w, h) = area.dim_in_pixel();
    let x = Axis::new(Scale::Linear, x0, x1, 0.03, tick_target(w, 100.0, style))
        .ok_or(ChartError::NoData("fit range is not finite"))?;
    let y = Axis::new(Scale::Linear, y0, y1, 0.04, tick_target(h, 55.0, style))
        .ok_or(ChartError::NoData("fit range is not finite"))?;
    let theme = style.theme();
    let (pts, grey, slope) = (theme.series(0), theme.muted, theme.series(1));
    let id = fit.id;
    let mut legend = vec![LegendItem::new(
        Swatch::Marker(pts),
        format!("fitted: smallest {} % of μ", num(fit.mu_fraction * 100.0, 0)),
    )];
    if !discarded.is_empty() {
        legend.push(LegendItem::new(Swatch::Marker(grey), "discarded"));
    }
    if id.is_finite() {
        legend.push(LegendItem::new(Swatch::Line(slope), format!("ID = {}, R² = {}", num(id, 2), num(fit.r2, 3))));
    }
    let chart = draw_frame(
        area,
        &Frame { x: &x, y: &y, x_desc: "ln μ", y_desc: "−ln(1 − F(μ))", legend, right_area: 0 },
        style,
    )?;
    let mut hovers = Vec::new();
    for (set, color, what) in [(&discarded, grey, "discarded"), (&kept, pts, "fitted")] {
        for i in thinned(set.len()) {
            let p = set[i];
            frame::dot(&chart, p, color, style)?;
            hovers.push(hover(&chart, p, format!("{what}: μ = {}, −ln(1 − F) = {}", sig(p.0.exp()), sig(p.1))));
        }
    }
    if id.is_finite() && id > 0.0 {
        // The line through the origin, ended where it leaves the plot.
        let end = x.hi.min(y.hi / id);
        frame::line(&chart, vec![(0.0f64.max(x.lo), id * 0.0f64.max(x.lo)), (end, id * end)], slope, style)?;
    }
    Ok(hovers)
}
