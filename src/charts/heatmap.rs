//! The model × model correlation table of per-class IDs (Scheidt & Hansen): a heatmap with
//! Pearson r below the diagonal and Spearman ρ above it.

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

/// The ends and middle of the diverging colour scale (ColorBrewer RdBu): −1, 0 (light), 0 (dark), +1.
const NEGATIVE: RGBColor = RGBColor(0x21, 0x66, 0xac);
const POSITIVE: RGBColor = RGBColor(0xb2, 0x18, 0x2b);
const MIDDLE_LIGHT: RGBColor = RGBColor(0xf7, 0xf7, 0xf7);
const MIDDLE_DARK: RGBColor = RGBColor(0x44, 0x47, 0x4f);

/// A k × k grid (row i top to bottom, column j left to right, both in model order): cell (i, j)
/// holds Pearson r for i > j, Spearman ρ for i < j, 1 on the diagonal, coloured on a diverging
/// −1..1 scale (colour bar on the right) with its value printed; "—" where undefined.
/// `layer` names the chosen layer in the legend. Hover: one per cell with the coefficient, its
/// p-value and n.
pub fn correlation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    table: &CorrelationTable,
    layer: &str,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let k = table.models.len();
    if k == 0 {
        return Err(ChartError::NoData("no models to correlate"));
    }
    if table.n == 0 {
        return Err(ChartError::NoData("no class has an ID in every model (per-class estimates need labels)"));
    }
    let names = |rev: bool| -> Vec<(f64, String)> {
        table
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| (if rev { (k - 1 - i) as f64 } else { i as f64 }, short(m, 14)))
            .collect()
    };
    let (hi, lo) = (k as f64 - 0.5, -0.5);
    let (x, y) = (Axis::with_ticks(lo, hi, names(false)), Axis::with_ticks(lo, hi, names(true)));
    let (_, h) = area.dim_in_pixel();
    let bar = Axis::new(Scale::Linear, -1.0, 1.0, 0.0, tick_target(h, 50.0, style))
        .ok_or(ChartError::NoData("colour scale"))?;
    let (bar_gap, bar_w) = (style.px(14.0), style.px(16.0));
    let right = bar_gap + bar_w + y_area_width(area, &bar, style);
    let theme = style.theme();
    let legend = vec![
        LegendItem::new(Swatch::Bar(theme.muted), "below the diagonal: Pearson r"),
        LegendItem::new(Swatch::Bar(theme.muted), "above: Spearman ρ"),
        LegendItem::new(Swatch::Bar(theme.muted), format!("per-class IDs at {layer}, n = {} classes", table.n)),
    ];
    let (x_desc, y_desc) = ("model", "model");
    let chart = draw_frame(area, &Frame { x: &x, y: &y, x_desc, y_desc, legend, right_area: right }, style)?;
    let plot = chart.plotting_area();
    let font = style.text(TICK_FONT, theme.text).pos(Pos::new(HPos::Center, VPos::Center));
    let mut hovers = Vec::new();
    for i in 0..k {
        for j in 0..k {
            let (value, p, what) = cell(table, i, j);
            let fill = value.map_or(theme.grid_minor, |v| diverging(v, style.dark));
            let (cx, cy) = (j as f64, (k - 1 - i) as f64);
            plot.draw(&Rectangle::new([(cx - 0.5, cy - 0.5), (cx + 0.5, cy + 0.5)], fill.filled()))?;
            plot.draw(&Rectangle::new(
                [(cx - 0.5, cy - 0.5), (cx + 0.5, cy + 0.5)],
                theme.background.stroke_width(style.px(1.0)),
            ))?;
            let text = value.map_or("—".to_owned(), |v| num(v, 2));
            plot.draw(&Text::new(text, (cx, cy), font.clone().color(&ink(fill))))?;
            let (a, b) = (&table.models[i], &table.models[j]);
            let label = match (value, p) {
                _ if i == j => format!("{a}: 1 (itself)"),
                (Some(v), Some(p)) => format!("{a} × {b}: {what} = {}, p = {}, n = {}", num(v, 3), sig(p), table.n),
                _ => {
                    format!("{a} × {b}: {what} undefined (n = {}; a constant vector or fewer than 3 classes)", table.n)
                }
            };
            hovers.push(hover(&chart, (cx, cy), label));
        }
    }
    colour_bar(area, &chart, &bar, bar_gap as i32, bar_w as i32, style)?;
    Ok(hovers)
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

/// The colour scale as a vertical bar `gap` pixels right of the plot, `width` wide, with its axis.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &frame::Chart<DB>,
    axis: &Axis,
    gap: i32,
    width: i32,
    style: &Style,
) -> Result<(), ChartError> {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let (ax, ay) = area.get_base_pixel();
    let (x0, top, bottom) = (xr.end - ax + gap, yr.start - ay, yr.end - ay);
    let steps = (bottom - top).max(1);
    for s in 0..steps {
        let v = 1.0 - 2.0 * (s as f64 + 0.5) / steps as f64;
        area.draw(&Rectangle::new([(x0, top + s), (x0 + width, top + s + 1)], diverging(v, style.dark).filled()))?;
    }
    frame::right_axis(area, chart, axis, gap + width, "correlation (r or ρ)", style)
}
