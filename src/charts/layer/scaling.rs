//! Scale analyses: the ID against the number of points (decimation) and against the neighbour
//! order or length scale (Gride).

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::RGBColor;

use crate::charts::axis::{Axis, Scale};
use crate::charts::frame::{self, Chart, Frame, LegendItem, Swatch, draw_frame, hover, tick_target};
use crate::charts::{ChartError, Hover, Style, sig};
use crate::results::Estimates;

/// Options of [`decimation`].
#[derive(Debug, Clone, PartialEq)]
pub struct DecimationOptions {
    /// Also draw the Gaussian surrogate's decimation (when it was computed).
    pub surrogate: bool,
}

impl Default for DecimationOptions {
    fn default() -> Self {
        Self { surrogate: true }
    }
}

/// One point of a scale curve: x value, ID, spread (symmetric), hover text.
struct ScalePoint {
    x: f64,
    id: f64,
    err: f64,
    label: String,
}

/// The TwoNN ID against the number of points N (log axis), mean ± std over the disjoint blocks
/// of each size; optionally the Gaussian surrogate (same covariance) as a second series, shifted
/// by 3 % in N so the error bars do not overlap. Hover: one per point.
pub fn decimation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    opts: &DecimationOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let data = decimation_points(&e.decimation, "");
    let surrogate = if opts.surrogate { decimation_points(&e.surrogate, "surrogate: ") } else { Vec::new() };
    if data.is_empty() && surrogate.is_empty() {
        return Err(ChartError::NoData("no decimation results (enable decimation)"));
    }
    let theme = style.theme();
    let mut sets = Vec::new();
    if !data.is_empty() {
        sets.push((data, 1.0, theme.series(0), "data: mean ± std over blocks"));
    }
    if !surrogate.is_empty() {
        sets.push((surrogate, 1.03, theme.series(1), "Gaussian surrogate, same covariance"));
    }
    let range = ranges(&sets)?;
    scale_chart(area, &sets, &range, Scale::Log10, N_DESC, ID_DESC, style)
}

const N_DESC: &str = "number of points N (log scale)";
const ID_DESC: &str = "intrinsic dimension (TwoNN fit)";

/// The Gaussian-surrogate test (Ansuini et al. Fig 5C): the data's decimation curve (left) and
/// the surrogate's (right: Gaussian with the data's covariance), same axes. A curved manifold's
/// ID stays flat with N, the surrogate's climbs. Hover: one per point.
pub fn surrogate_test<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let data = decimation_points(&e.decimation, "data: ");
    let surrogate = decimation_points(&e.surrogate, "surrogate: ");
    if data.is_empty() {
        return Err(ChartError::NoData("no decimation results (enable decimation)"));
    }
    if surrogate.is_empty() {
        return Err(ChartError::NoData("no Gaussian surrogate (turn on the surrogate)"));
    }
    let theme = style.theme();
    let sets = [
        (data, 1.0, theme.series(0), "data: mean ± std over blocks"),
        (surrogate, 1.0, theme.series(1), "Gaussian surrogate, same covariance"),
    ];
    let range = ranges(&sets)?;
    let (w, _) = area.dim_in_pixel();
    let (left, right) = area.split_horizontally(w / 2);
    let [a, b] = sets;
    let mut hovers = scale_chart(&left, &[a], &range, Scale::Log10, N_DESC, ID_DESC, style)?;
    hovers.extend(scale_chart(&right, &[b], &range, Scale::Log10, N_DESC, ID_DESC, style)?);
    Ok(hovers)
}

/// The drawable points of a decimation curve; hover labels start with `what`.
fn decimation_points(pts: &[crate::results::DecimationPoint], what: &str) -> Vec<ScalePoint> {
    pts.iter()
        .filter(|p| p.size > 0 && p.id_mean.is_finite())
        .map(|p| {
            let err = if p.id_std.is_finite() { p.id_std.abs() } else { 0.0 };
            let label = format!("{what}N = {} ({} blocks): ID {} ± {}", p.size, p.blocks, sig(p.id_mean), sig(err));
            ScalePoint { x: p.size as f64, id: p.id_mean, err, label }
        })
        .collect()
}

/// Options of [`gride`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GrideOptions {
    /// What the x axis shows.
    pub x: GrideX,
}

/// The x axis of [`gride`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GrideX {
    /// Neighbour order n₂ (= 2n₁), log₂ axis.
    #[default]
    Order,
    /// Length scale: mean distance to the n₁-th and n₂-th neighbours, in data units, log axis.
    Scale,
}

/// The Gride ID ± its error (1/√Fisher information) against the neighbour order n₂ or the length
/// scale. Hover: one per point.
pub fn gride<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    opts: &GrideOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let pts: Vec<ScalePoint> = e
        .gride
        .iter()
        .filter(|p| p.id.is_finite())
        .filter_map(|p| {
            let x = match opts.x {
                GrideX::Order => p.n2 as f64,
                GrideX::Scale => p.scale,
            };
            let err = if p.err.is_finite() { p.err.abs() } else { 0.0 };
            let label =
                format!("n₁ = {}, n₂ = {} (scale {}): ID {} ± {}", p.n1, p.n2, sig(p.scale), sig(p.id), sig(err));
            (x.is_finite() && x > 0.0).then_some(ScalePoint { x, id: p.id, err, label })
        })
        .collect();
    if pts.is_empty() {
        return Err(ChartError::NoData("no Gride results (enable Gride)"));
    }
    let (scale, x_desc) = match opts.x {
        GrideX::Order => (Scale::Log2, "neighbour order n₂ = 2·n₁ (log₂ scale)"),
        GrideX::Scale => (Scale::Log10, "length scale: mean distance to neighbours n₁, n₂ (data units, log scale)"),
    };
    let sets = [(pts, 1.0, style.theme().series(0), "Gride ID ± error")];
    let range = ranges(&sets)?;
    scale_chart(area, &sets, &range, scale, x_desc, "intrinsic dimension (Gride)", style)
}

/// A scale curve to draw: points, x shift factor, colour, legend text.
type ScaleSet<'a> = (Vec<ScalePoint>, f64, RGBColor, &'a str);

/// The x range (shifted points) and the y range (with error bars) of `sets`.
fn ranges(sets: &[ScaleSet]) -> Result<[(f64, f64); 2], ChartError> {
    let all = || sets.iter().flat_map(|s| s.0.iter().map(move |p| (p, s.1)));
    let x = frame::finite_range(all().map(|(p, k)| p.x * k)).ok_or(ChartError::NoData("no finite points"))?;
    let y = frame::finite_range(all().flat_map(|(p, _)| [p.id - p.err, p.id + p.err]))
        .ok_or(ChartError::NoData("no finite points"))?;
    Ok([x, y])
}

/// Markers joined by a line with error bars, one series per set, on a log x axis spanning
/// `range` ([x, y] value ranges, so side-by-side panels can share their axes).
fn scale_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    sets: &[ScaleSet],
    &[(x0, x1), (y0, y1)]: &[(f64, f64); 2],
    x_scale: Scale,
    x_desc: &str,
    y_desc: &str,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let (w, h) = area.dim_in_pixel();
    let x = Axis::new(x_scale, x0, x1, 0.06, tick_target(w, 80.0, style))
        .ok_or(ChartError::NoData("x range is not finite"))?;
    let y = Axis::new(Scale::Linear, y0, y1, 0.08, tick_target(h, 55.0, style))
        .ok_or(ChartError::NoData("ID range is not finite"))?;
    let legend = sets.iter().map(|s| LegendItem::new(Swatch::ErrorBar(s.2), s.3)).collect();
    let chart: Chart<DB> = draw_frame(area, &Frame { x: &x, y: &y, x_desc, y_desc, legend, right_area: 0 }, style)?;
    let mut hovers = Vec::new();
    for (pts, shift, color, _) in sets {
        let at: Vec<(f64, &ScalePoint)> = pts.iter().filter_map(|p| x.to(p.x * shift).map(|t| (t, p))).collect();
        frame::line(&chart, at.iter().map(|(t, p)| (*t, p.id)).collect(), *color, style)?;
        for (t, p) in &at {
            frame::error_bar(&chart, *t, p.id - p.err, p.id + p.err, *color, style)?;
            frame::marker(&chart, (*t, p.id), *color, style)?;
            hovers.push(hover(&chart, (*t, p.id), p.label.clone()));
        }
    }
    Ok(hovers)
}
