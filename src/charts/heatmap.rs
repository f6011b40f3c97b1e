//! Heatmaps: the model × model correlation table of per-class IDs (Scheidt & Hansen), Pearson r
//! below the diagonal and Spearman ρ above it; and the neighbourhood overlap χ between the layers
//! of one model or of two.

use plotters::coord::Shift;
use plotters::element::{Rectangle, Text};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, RGBColor};

use super::axis::{Axis, Scale};
use super::frame::{self, Frame, LegendItem, Swatch, draw_frame, hover, tick_target, y_area_width};
use super::theme::TICK_FONT;
use super::{ChartError, Hover, Style, num, short, sig};
use crate::compare::CorrelationTable;
use crate::compare::neighbourhood::OverlapMatrix;

/// The ends and middle of the diverging colour scale (ColorBrewer RdBu): −1, 0 (light), 0 (dark), +1.
const NEGATIVE: RGBColor = RGBColor(0x21, 0x66, 0xac);
const POSITIVE: RGBColor = RGBColor(0xb2, 0x18, 0x2b);
const MIDDLE_LIGHT: RGBColor = RGBColor(0xf7, 0xf7, 0xf7);
const MIDDLE_DARK: RGBColor = RGBColor(0x44, 0x47, 0x4f);

/// A grid of values drawn as coloured cells with their values printed: row i top to bottom,
/// column j left to right; the colour scale runs from `lo` (−1: diverging, blue to red; 0: light
/// to red) to 1, with its bar on the right.
struct Grid<'a> {
    /// Row names, top to bottom.
    rows: Vec<String>,
    /// Column names, left to right.
    cols: Vec<String>,
    /// The value of cell (i, j), if defined.
    value: &'a dyn Fn(usize, usize) -> Option<f64>,
    /// The hover text of cell (i, j).
    label: &'a dyn Fn(usize, usize) -> String,
    /// Bottom of the colour scale.
    lo: f64,
    /// What the axes and the colour bar show.
    x_desc: &'a str,
    y_desc: &'a str,
    bar_desc: &'a str,
    legend: Vec<LegendItem>,
}

/// Draws `g`; hover: one per cell.
fn grid<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, g: Grid, style: &Style) -> Result<Vec<Hover>, ChartError> {
    let (nr, nc) = (g.rows.len(), g.cols.len());
    if nr == 0 || nc == 0 {
        return Err(ChartError::NoData("an empty grid"));
    }
    let ticks = |names: &[String], rev: bool| -> Vec<(f64, String)> {
        let n = names.len();
        names.iter().enumerate().map(|(i, m)| (if rev { (n - 1 - i) as f64 } else { i as f64 }, short(m, 14))).collect()
    };
    let x = Axis::with_ticks(-0.5, nc as f64 - 0.5, ticks(&g.cols, false));
    let y = Axis::with_ticks(-0.5, nr as f64 - 0.5, ticks(&g.rows, true));
    let (_, h) = area.dim_in_pixel();
    let bar = Axis::new(Scale::Linear, g.lo, 1.0, 0.0, tick_target(h, 50.0, style))
        .ok_or(ChartError::NoData("colour scale"))?;
    let (bar_gap, bar_w) = (style.px(14.0), style.px(16.0));
    let right = bar_gap + bar_w + y_area_width(area, &bar, style);
    let theme = style.theme();
    let frame = Frame { x: &x, y: &y, x_desc: g.x_desc, y_desc: g.y_desc, legend: g.legend, right_area: right };
    let chart = draw_frame(area, &frame, style)?;
    let plot = chart.plotting_area();
    let font = style.text(TICK_FONT, theme.text).pos(Pos::new(HPos::Center, VPos::Center));
    let mut hovers = Vec::new();
    for i in 0..nr {
        for j in 0..nc {
            let value = (g.value)(i, j);
            let fill = value.map_or(theme.grid_minor, |v| diverging(v, style.dark));
            let (cx, cy) = (j as f64, (nr - 1 - i) as f64);
            let cell = [(cx - 0.5, cy - 0.5), (cx + 0.5, cy + 0.5)];
            plot.draw(&Rectangle::new(cell, fill.filled()))?;
            plot.draw(&Rectangle::new(cell, theme.background.stroke_width(style.px(1.0))))?;
            let text = value.map_or("—".to_owned(), |v| num(v, 2));
            plot.draw(&Text::new(text, (cx, cy), font.clone().color(&ink(fill))))?;
            hovers.push(hover(&chart, (cx, cy), (g.label)(i, j)));
        }
    }
    colour_bar(area, &chart, &bar, (bar_gap as i32, bar_w as i32), g.lo, g.bar_desc, style)?;
    Ok(hovers)
}

/// The model × model correlation: a k × k grid (both in model order) whose cell (i, j) holds
/// Pearson r for i > j, Spearman ρ for i < j, 1 on the diagonal, on a diverging −1..1 scale; "—"
/// where undefined. `layer` names the chosen layer in the legend. Hover: the coefficient, its
/// p-value and n.
pub fn correlation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    table: &CorrelationTable,
    layer: &str,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    if table.models.is_empty() {
        return Err(ChartError::NoData("no models to correlate"));
    }
    if table.n == 0 {
        return Err(ChartError::NoData("no class has an ID in every model (per-class estimates need labels)"));
    }
    let muted = style.theme().muted;
    let label = |i: usize, j: usize| {
        let (value, p, what) = cell(table, i, j);
        let (a, b) = (&table.models[i], &table.models[j]);
        match (value, p) {
            _ if i == j => format!("{a}: 1 (itself)"),
            (Some(v), Some(p)) => format!("{a} × {b}: {what} = {}, p = {}, n = {}", num(v, 3), sig(p), table.n),
            _ => format!("{a} × {b}: {what} undefined (n = {}; a constant vector or fewer than 3 classes)", table.n),
        }
    };
    let g = Grid {
        rows: table.models.clone(),
        cols: table.models.clone(),
        value: &|i, j| cell(table, i, j).0,
        label: &label,
        lo: -1.0,
        x_desc: "model",
        y_desc: "model",
        bar_desc: "correlation (r or ρ)",
        legend: vec![
            LegendItem::new(Swatch::Bar(muted), "below the diagonal: Pearson r"),
            LegendItem::new(Swatch::Bar(muted), "above: Spearman ρ"),
            LegendItem::new(Swatch::Bar(muted), format!("per-class IDs at {layer}, n = {} classes", table.n)),
        ],
    };
    grid(area, g, style)
}

/// The neighbourhood overlap χ between the layers of two models (or of one model with itself):
/// rows the first model's layers, columns the second's, on a 0..1 scale. Hover: the two layers
/// and χ.
pub fn overlap_matrix<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &OverlapMatrix,
    k: usize,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    if m.values.iter().flatten().all(Option::is_none) {
        return Err(ChartError::NoData("no two layers with kept neighbourhoods of the same points"));
    }
    let value = |i: usize, j: usize| m.values.get(i).and_then(|r| r.get(j)).copied().flatten();
    let own = m.a == m.b;
    let name = |model: &str, layer: &str| if own { layer.to_owned() } else { format!("{model} {layer}") };
    let label = |i: usize, j: usize| {
        let (a, b) = (name(&m.a, &m.rows[i]), name(&m.b, &m.cols[j]));
        match value(i, j) {
            Some(v) => format!("{a} × {b}: χ = {} (k = {k})", num(v, 3)),
            None => format!("{a} × {b}: not comparable (see the note)"),
        }
    };
    let (x_desc, y_desc) = if own { ("layer", "layer") } else { (m.b.as_str(), m.a.as_str()) };
    let muted = style.theme().muted;
    let what = if own { "layer × layer" } else { "model × model" };
    let g = Grid {
        rows: m.rows.clone(),
        cols: m.cols.clone(),
        value: &value,
        label: &label,
        lo: 0.0,
        x_desc,
        y_desc,
        bar_desc: "neighbourhood overlap χ",
        legend: vec![LegendItem::new(
            Swatch::Bar(muted),
            format!("{what}: the shared fraction of the k = {k} nearest neighbours"),
        )],
    };
    grid(area, g, style)
}

/// Value, p-value and name of the coefficient in cell (i, j).
fn cell(t: &CorrelationTable, i: usize, j: usize) -> (Option<f64>, Option<f64>, &'static str) {
    let at = |m: &[Vec<Option<f64>>]| m.get(i).and_then(|r| r.get(j)).copied().flatten();
    match i.cmp(&j) {
        std::cmp::Ordering::Equal => (Some(1.0), None, "r"),
        std::cmp::Ordering::Greater => (at(&t.pearson), at(&t.pearson_p), "Pearson r"),
        std::cmp::Ordering::Less => (at(&t.spearman), at(&t.spearman_p), "Spearman ρ"),
    }
}

/// The colour of `v` in −1..1: linear from the middle grey to blue (−1) or red (+1).
fn diverging(v: f64, dark: bool) -> RGBColor {
    let mid = if dark { MIDDLE_DARK } else { MIDDLE_LIGHT };
    let (end, t) = if v < 0.0 { (NEGATIVE, -v) } else { (POSITIVE, v) };
    let t = if t.is_finite() { t.min(1.0) } else { 0.0 };
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    RGBColor(mix(mid.0, end.0), mix(mid.1, end.1), mix(mid.2, end.2))
}

/// Dark or light text, whichever contrasts with `fill`.
fn ink(fill: RGBColor) -> RGBColor {
    let luminance = 0.299 * fill.0 as f64 + 0.587 * fill.1 as f64 + 0.114 * fill.2 as f64;
    if luminance > 140.0 { RGBColor(0x1f, 0x1f, 0x24) } else { RGBColor(0xf7, 0xf7, 0xf7) }
}

/// The colour scale `lo`..1 as a vertical bar `gap` pixels right of the plot, `width` wide, with
/// its axis described as `desc`.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &frame::Chart<DB>,
    axis: &Axis,
    (gap, width): (i32, i32),
    lo: f64,
    desc: &str,
    style: &Style,
) -> Result<(), ChartError> {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let (ax, ay) = area.get_base_pixel();
    let (x0, top, bottom) = (xr.end - ax + gap, yr.start - ay, yr.end - ay);
    let steps = (bottom - top).max(1);
    for s in 0..steps {
        let v = 1.0 - (1.0 - lo) * (s as f64 + 0.5) / steps as f64;
        area.draw(&Rectangle::new([(x0, top + s), (x0 + width, top + s + 1)], diverging(v, style.dark).filled()))?;
    }
    frame::right_axis(area, chart, axis, gap + width, desc, style)
}
