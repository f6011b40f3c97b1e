//! The "hunchback": the ID layer by layer through one or several models.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::Color;

use super::axis::{Axis, Scale, linear_ticks};
use super::frame::{self, Frame, LegendItem, Swatch, draw_frame, hover, text_width, tick_target};
use super::theme::TICK_FONT;
use super::{ChartError, Hover, Style, num, short, sig};
use crate::results::Report;

/// One layer of a [`HunchbackSeries`].
#[derive(Debug, Clone, PartialEq)]
pub struct LayerPoint {
    /// Position in the model (0-based).
    pub index: usize,
    /// Layer name.
    pub name: String,
    /// The ID.
    pub id: f64,
    /// Lower end of its error bar.
    pub low: f64,
    /// Upper end of its error bar.
    pub high: f64,
    /// PC-ID, when computed.
    pub pc_id: Option<f64>,
}

/// How a series' line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stroke {
    /// A full line (the model's main series).
    #[default]
    Solid,
    /// A dashed line.
    Dashed,
    /// A thin line.
    Thin,
}

/// One model's ID per layer.
#[derive(Debug, Clone, PartialEq)]
pub struct HunchbackSeries {
    /// Legend text (the model name).
    pub label: String,
    /// What the error bars mean, for the legend (e.g. "± std over 20 subsets"; empty: nothing).
    pub error: String,
    /// The layers, in model order.
    pub layers: Vec<LayerPoint>,
    /// Its colour in the palette (`None`: its position among the series).
    pub colour: Option<usize>,
    /// Its line.
    pub stroke: Stroke,
}

impl HunchbackSeries {
    /// The series of a report: per layer the TwoNN fit ID ± the std of the fit over the random
    /// subsets when `repeats` were computed, else the ML ID with its 95 % interval.
    pub fn from_report(report: &Report) -> Self {
        let with_repeats = report.layers.iter().find_map(|l| l.estimates.twonn.repeats.as_ref()).map(|r| r.repeats);
        let layers = report
            .layers
            .iter()
            .map(|l| {
                let t = &l.estimates.twonn;
                let (id, low, high) = match &t.repeats {
                    Some(r) => (t.fit.id, t.fit.id - r.fit_std, t.fit.id + r.fit_std),
                    None => (t.ml.id, t.ml.ci_low, t.ml.ci_high),
                };
                LayerPoint {
                    index: l.index,
                    name: l.name.clone(),
                    id,
                    low,
                    high,
                    pc_id: l.estimates.pc_id.as_ref().map(|p| p.id as f64),
                }
            })
            .collect();
        let error = match with_repeats {
            Some(n) => format!("TwoNN fit ± std over {n} subsets"),
            None => "TwoNN ML, 95 % interval".to_owned(),
        };
        Self { label: report.model.clone(), error, layers, colour: None, stroke: Stroke::Solid }
    }
}

/// The x axis of [`hunchback`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LayerAxis {
    /// The layer index; layer names as tick labels when they fit.
    #[default]
    Index,
    /// Relative depth index / (last index) in 0..=1, so models of different depth line up
    /// (first layer 0, last layer 1; a one-layer model sits at 0).
    RelativeDepth,
}

/// Options of [`hunchback`].
#[derive(Debug, Clone, PartialEq)]
pub struct HunchbackOptions {
    /// What the x axis shows.
    pub x: LayerAxis,
    /// Draw the PC-ID as a dashed second series per model (when present; default off).
    pub pc_id: bool,
    /// Logarithmic ID axis.
    pub log_y: bool,
}

impl Default for HunchbackOptions {
    fn default() -> Self {
        Self { x: LayerAxis::Index, pc_id: false, log_y: false }
    }
}

/// The ID against the layer for each series (one colour per model): markers joined by lines with
/// error bars, and optionally the PC-ID (dashed, open squares, same colour). Hover: one per
/// drawn point, e.g. `"resnet18 · conv3: ID 12.4 ± 0.3"`.
pub fn hunchback<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[HunchbackSeries],
    opts: &HunchbackOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    layer_chart(area, series, &[], ("intrinsic dimension", "ID"), opts, style)
}

/// A thin curve drawn under the series of [`layer_chart`], in the colour of series `series`
/// (e.g. one class of a model); hover: `"{label} · {layer}: ID {id}"`.
pub(crate) struct ThinCurve {
    /// Index of the series it belongs to (colour, relative depth).
    pub series: usize,
    /// Hover prefix, e.g. `"netA · class cat"`.
    pub label: String,
    /// (layer index, layer name, ID).
    pub points: Vec<(usize, String, f64)>,
}

/// The hunchback's drawing with extra thin curves, the value axis described as `y_desc` and the
/// value named `value` in the hovers (a point without error bar has NaN ends).
pub(crate) fn layer_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[HunchbackSeries],
    thin: &[ThinCurve],
    (y_desc, value): (&str, &str),
    opts: &HunchbackOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let y_scale = if opts.log_y { Scale::Log10 } else { Scale::Linear };
    let ok = |v: f64| y_scale.to(v).is_some();
    // Positions along x per series, and the values that set the y range.
    let at = |s: &HunchbackSeries, index: usize| -> f64 {
        match opts.x {
            LayerAxis::Index => index as f64,
            LayerAxis::RelativeDepth => {
                let last = s.layers.iter().map(|l| l.index).max().unwrap_or(0);
                if last == 0 { 0.0 } else { index as f64 / last as f64 }
            }
        }
    };
    let pos = |s: &HunchbackSeries, l: &LayerPoint| at(s, l.index);
    // Thin curves' points at their series' positions: (x, name, ID).
    let thin_at: Vec<Vec<(f64, &str, f64)>> = thin
        .iter()
        .map(|c| {
            let s = series.get(c.series);
            c.points.iter().filter(|p| ok(p.2)).filter_map(|p| s.map(|s| (at(s, p.0), p.1.as_str(), p.2))).collect()
        })
        .collect();
    let mut ys: Vec<f64> = thin_at.iter().flatten().map(|p| p.2).collect();
    let mut xs: Vec<f64> = thin_at.iter().flatten().map(|p| p.0).collect();
    for s in series {
        for l in &s.layers {
            if ok(l.id) {
                xs.push(pos(s, l));
                ys.extend([l.id, l.low, l.high].into_iter().filter(|v| ok(*v)));
            }
            if let Some(p) = l.pc_id.filter(|p| opts.pc_id && ok(*p)) {
                xs.push(pos(s, l));
                ys.push(p);
            }
        }
    }
    let (x0, x1) = frame::finite_range(xs).ok_or(ChartError::NoData("no layer with a finite ID"))?;
    let (y0, y1) = frame::finite_range(ys).ok_or(ChartError::NoData("no layer with a finite ID"))?;
    let (w, h) = area.dim_in_pixel();
    let y = Axis::new(y_scale, y0, y1, 0.06, tick_target(h, 55.0, style))
        .ok_or(ChartError::NoData("ID range is not finite"))?;
    let x = match opts.x {
        LayerAxis::RelativeDepth => {
            Axis::new(Scale::Linear, x0.min(0.0), x1.max(1.0), 0.04, tick_target(w, 80.0, style))
        }
        LayerAxis::Index => Some(index_axis(area, series, x0, x1, style)),
    }
    .ok_or(ChartError::NoData("layer range is not finite"))?;
    let x_desc = match opts.x {
        LayerAxis::Index => "layer (index in the model)",
        LayerAxis::RelativeDepth => "relative depth: layer index / last index",
    };
    let y_desc = if opts.log_y { format!("{y_desc} (log scale)") } else { y_desc.to_owned() };

    let theme = style.theme();
    let mut legend = Vec::new();
    let colour = |i: usize, s: &HunchbackSeries| theme.series(s.colour.unwrap_or(i));
    for (i, s) in series.iter().enumerate() {
        let c = colour(i, s);
        let swatch = match s.stroke {
            Stroke::Solid => Swatch::ErrorBar(c),
            Stroke::Dashed => Swatch::Dashed(c),
            Stroke::Thin => Swatch::Marker(c),
        };
        let text = if s.error.is_empty() { s.label.clone() } else { format!("{}: {}", s.label, s.error) };
        legend.push(LegendItem::new(swatch, text));
        if opts.pc_id && s.layers.iter().any(|l| l.pc_id.is_some()) {
            legend.push(LegendItem::new(Swatch::DashedSquare(c), format!("{}: PC-ID", s.label)));
        }
    }
    let chart = draw_frame(area, &Frame { x: &x, y: &y, x_desc, y_desc: &y_desc, legend, right_area: 0 }, style)?;
    let mut hovers = Vec::new();
    let t = |v: f64| y.to(v).unwrap_or(y.lo);
    for (c, pts) in thin.iter().zip(&thin_at) {
        let color = series.get(c.series).map_or(theme.series(c.series), |s| colour(c.series, s)).mix(0.45);
        let line: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, t(p.2))).collect();
        frame::thin_line(&chart, line.clone(), &color, style)?;
        for (p, (_, name, id)) in line.into_iter().zip(pts) {
            hovers.push(hover(&chart, p, format!("{} · {name}: {value} {}", c.label, sig(*id))));
        }
    }
    for (i, s) in series.iter().enumerate() {
        let color = colour(i, s);
        let pts: Vec<(f64, &LayerPoint)> = s.layers.iter().filter(|l| ok(l.id)).map(|l| (pos(s, l), l)).collect();
        let line: Vec<(f64, f64)> = pts.iter().map(|(x, l)| (*x, t(l.id))).collect();
        match s.stroke {
            Stroke::Solid => frame::line(&chart, line, color, style)?,
            Stroke::Dashed => frame::dashed(&chart, line, color, super::theme::LINE, style)?,
            Stroke::Thin => frame::thin_line(&chart, line, &color, style)?,
        }
        if opts.pc_id {
            let pc: Vec<(f64, f64)> =
                s.layers.iter().filter_map(|l| l.pc_id.filter(|p| ok(*p)).map(|p| (pos(s, l), t(p)))).collect();
            frame::dashed(&chart, pc.clone(), color, super::theme::THIN, style)?;
            for (p, l) in pc.iter().zip(s.layers.iter().filter(|l| l.pc_id.is_some_and(ok))) {
                frame::square(&chart, *p, color, style)?;
                hovers.push(hover(
                    &chart,
                    *p,
                    format!("{} · {}: PC-ID {}", s.label, l.name, num(l.pc_id.unwrap_or(f64::NAN), 0)),
                ));
            }
        }
        for (x, l) in &pts {
            let (lo, hi) = (l.low.min(l.id), l.high.max(l.id));
            if ok(lo) && ok(hi) {
                frame::error_bar(&chart, *x, t(lo), t(hi), color, style)?;
            }
            frame::marker(&chart, (*x, t(l.id)), color, style)?;
            hovers.push(hover(&chart, (*x, t(l.id)), format!("{} · {}: {value} {}", s.label, l.name, spread(l))));
        }
    }
    Ok(hovers)
}

/// "12.4 ± 0.3" for a symmetric bar, "12.4 (11.9–12.8)" otherwise.
fn spread(l: &LayerPoint) -> String {
    let (a, b) = (l.id - l.low, l.high - l.id);
    if !(a.is_finite() && b.is_finite()) {
        return sig(l.id);
    }
    if (a - b).abs() <= 1e-6 * l.id.abs().max(1.0) {
        format!("{} ± {}", sig(l.id), sig(a))
    } else {
        format!("{} ({}–{})", sig(l.id), sig(l.low), sig(l.high))
    }
}

/// The layer-index axis: layer names as tick labels when every series agrees on them and they
/// fit side by side, else integer ticks (the hover still names the layer).
fn index_axis<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[HunchbackSeries],
    x0: f64,
    x1: f64,
    style: &Style,
) -> Axis {
    let (lo, hi) = (x0 - 0.5, x1 + 0.5);
    let first = x0.max(0.0) as usize;
    let last = x1.max(0.0) as usize;
    let names: Option<Vec<(f64, String)>> = (first..=last.min(first + 63))
        .map(|i| {
            let mut found =
                series.iter().flat_map(|s| s.layers.iter()).filter(|l| l.index == i).map(|l| l.name.as_str());
            let name = found.next()?;
            found.all(|n| n == name).then(|| (i as f64, short(name, 16)))
        })
        .collect();
    let (w, _) = area.dim_in_pixel();
    let plot_w = w as f64 * 0.8;
    if let Some(names) = names.filter(|n| !n.is_empty() && last - first < 64) {
        let widest = text_width(area, names.iter().map(|n| n.1.clone()), TICK_FONT, style) as f64;
        if (widest + style.px(12.0) as f64) * names.len() as f64 <= plot_w {
            return Axis::with_ticks(lo, hi, names);
        }
    }
    let target = tick_target(w, 70.0, style);
    let ticks = linear_ticks(x0, x1, target).into_iter().filter(|t| t.0.fract() == 0.0).collect();
    Axis::with_ticks(lo, hi, ticks)
}
