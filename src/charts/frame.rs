//! The parts every chart shares: background, legend strip, axes with labels, markers, error bars.

use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::Shift;
use plotters::element::{Circle, DashedPathElement, EmptyElement, PathElement, Rectangle, Text};
use plotters::prelude::{Cartesian2d, DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontTransform, RGBColor, ShapeStyle};

use super::axis::{Axis, Coord};
use super::theme::{LABEL_FONT, LEGEND_FONT, LINE, MARKER, THIN, TICK_FONT};
use super::{ChartError, Hover, Style};

/// A chart with linear f64 axes (log axes are linear in log v, see [`Axis`]).
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Coord, Coord>>;

/// What a legend entry shows next to its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    Marker(RGBColor),
    /// A marker with an error bar (mean ± spread).
    ErrorBar(RGBColor),
    /// An open square marker on a dashed line (secondary series of a model).
    DashedSquare(RGBColor),
    Bar(RGBColor),
}

/// One legend entry.
pub(crate) struct LegendItem {
    pub swatch: Swatch,
    pub text: String,
}

impl LegendItem {
    pub(crate) fn new(swatch: Swatch, text: impl Into<String>) -> Self {
        Self { swatch, text: text.into() }
    }
}

/// The axes and legend of a chart.
pub(crate) struct Frame<'s> {
    pub x: &'s Axis,
    pub y: &'s Axis,
    pub x_desc: &'s str,
    pub y_desc: &'s str,
    pub legend: Vec<LegendItem>,
    /// Width reserved on the right for a hand-drawn secondary axis (pixels; 0 for none).
    pub right_area: u32,
}

/// Pixel size of the tick marks; plotters puts tick labels 2× this far from the axis.
fn tick(style: &Style) -> u32 {
    style.px(5.0)
}

/// About how many ticks fit along `pixels` with labels `spacing` CSS pixels apart.
pub(crate) fn tick_target(pixels: u32, spacing: f64, style: &Style) -> usize {
    ((pixels as f64 / style.px(spacing) as f64) as usize).clamp(2, 10)
}

/// Width of the widest text in `texts` at `size` CSS pixels.
pub(crate) fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    texts: impl IntoIterator<Item = String>,
    size: f64,
    style: &Style,
) -> u32 {
    let font = style.text(size, style.theme().text);
    texts.into_iter().filter_map(|t| area.estimate_text_size(&t, &font).ok()).map(|s| s.0).max().unwrap_or(0)
}

/// Width of the label area of a vertical axis: tick labels plus the rotated description.
pub(crate) fn y_area_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, axis: &Axis, style: &Style) -> u32 {
    let labels = text_width(area, axis.ticks.iter().map(|t| t.1.clone()), TICK_FONT, style);
    2 * tick(style) + labels + style.px(10.0) + style.px(LABEL_FONT * 1.25)
}

/// Fills the background, draws the legend strip and the axes; returns the chart to draw data in.
pub(crate) fn draw_frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    f: &Frame,
    style: &Style,
) -> Result<Chart<'a, DB>, ChartError> {
    let theme = style.theme();
    area.fill(&theme.background)?;
    let legend_h = draw_legend(area, &f.legend, style)?;
    let y_area = y_area_width(area, f.y, style);
    let x_area = 2 * tick(style) + style.px(TICK_FONT * 1.25) + style.px(8.0) + style.px(LABEL_FONT * 1.25);
    let desc_font = desc_font_size(area, f, y_area, legend_h + x_area, style);
    let mut chart = ChartBuilder::on(area)
        .margin_top(legend_h + style.px(10.0))
        .margin_right(style.px(18.0) + f.right_area)
        .margin_left(style.px(8.0))
        .margin_bottom(style.px(6.0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(f.x.spec(), f.y.spec())?;
    chart
        .configure_mesh()
        .bold_line_style(ShapeStyle::from(&theme.grid).stroke_width(style.px(1.0)))
        .light_line_style(ShapeStyle::from(&theme.grid_minor).stroke_width(style.px(1.0)))
        .axis_style(ShapeStyle::from(&theme.axis).stroke_width(style.px(1.0)))
        .set_all_tick_mark_size(tick(style))
        .label_style(style.text(TICK_FONT, theme.text))
        .axis_desc_style(style.text(desc_font, theme.text))
        .x_desc(f.x_desc)
        .y_desc(f.y_desc)
        .draw()?;
    Ok(chart)
}

/// The axis-description font size (CSS pixels): [`LABEL_FONT`], shrunk (to at most 60 %) when a
/// description is longer than its side of the plot, e.g. on a narrow card at lecture size.
fn desc_font_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &Frame,
    used_w: u32,
    used_h: u32,
    style: &Style,
) -> f64 {
    let (w, h) = area.dim_in_pixel();
    let room = |total: u32, used: u32| f64::from(total.saturating_sub(used + style.px(30.0)).max(1));
    let need = |text: &str| f64::from(text_width(area, [text.to_owned()], LABEL_FONT, style).max(1));
    let shrink = (room(w, used_w + f.right_area) / need(f.x_desc)).min(room(h, used_h) / need(f.y_desc));
    LABEL_FONT * shrink.clamp(0.6, 1.0)
}

/// Draws the legend entries in rows across the top of `area`; returns the height used.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[LegendItem],
    style: &Style,
) -> Result<u32, ChartError> {
    if items.is_empty() {
        return Ok(0);
    }
    let theme = style.theme();
    let font = style.text(LEGEND_FONT, theme.text);
    let (width, _) = area.dim_in_pixel();
    let (sw, gap, sep, row_h) =
        (style.px(28.0) as i32, style.px(6.0) as i32, style.px(20.0) as i32, style.px(LEGEND_FONT * 1.6) as i32);
    let left = style.px(12.0) as i32;
    let top = style.px(8.0) as i32;
    let (mut x, mut y) = (left, top);
    for item in items {
        let tw = area.estimate_text_size(&item.text, &font).map(|s| s.0 as i32).unwrap_or(0);
        let w = sw + gap + tw;
        if x > left && x + w > width as i32 - left {
            x = left;
            y += row_h;
        }
        let cy = y + row_h / 2;
        draw_swatch(area, item.swatch, (x, cy), sw, style)?;
        area.draw(&Text::new(item.text.clone(), (x + sw + gap, cy), font.pos(center_left())))?;
        x += w + sep;
    }
    Ok((y + row_h) as u32)
}

fn center_left() -> plotters::style::text_anchor::Pos {
    Pos::new(HPos::Left, VPos::Center)
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    (x, cy): (i32, i32),
    w: i32,
    style: &Style,
) -> Result<(), ChartError> {
    let line = |c: &RGBColor| ShapeStyle::from(c).stroke_width(style.px(LINE));
    let r = style.px(MARKER) as i32;
    match swatch {
        Swatch::Line(c) => area.draw(&PathElement::new(vec![(x, cy), (x + w, cy)], line(&c)))?,
        Swatch::Dashed(c) => {
            area.draw(&DashedPathElement::new(vec![(x, cy), (x + w, cy)], style.px(6.0), style.px(4.0), line(&c)))?
        }
        Swatch::Marker(c) => area.draw(&Circle::new((x + w / 2, cy), r, c.filled()))?,
        Swatch::ErrorBar(c) => {
            let h = style.px(7.0) as i32;
            let thin = ShapeStyle::from(&c).stroke_width(style.px(THIN));
            area.draw(&PathElement::new(vec![(x + w / 2, cy - h), (x + w / 2, cy + h)], thin))?;
            area.draw(&Circle::new((x + w / 2, cy), r, c.filled()))?;
        }
        Swatch::DashedSquare(c) => {
            area.draw(&DashedPathElement::new(vec![(x, cy), (x + w, cy)], style.px(6.0), style.px(4.0), line(&c)))?;
            area.draw(&Rectangle::new([(x + w / 2 - r, cy - r), (x + w / 2 + r, cy + r)], theme_bg(style).filled()))?;
            area.draw(&Rectangle::new(
                [(x + w / 2 - r, cy - r), (x + w / 2 + r, cy + r)],
                ShapeStyle::from(&c).stroke_width(style.px(THIN)),
            ))?;
        }
        Swatch::Bar(c) => {
            let h = style.px(6.0) as i32;
            area.draw(&Rectangle::new([(x, cy - h), (x + w, cy + h)], c.mix(0.55).filled()))?;
            area.draw(&Rectangle::new(
                [(x, cy - h), (x + w, cy + h)],
                ShapeStyle::from(&c).stroke_width(style.px(1.0)),
            ))?;
        }
    }
    Ok(())
}

fn theme_bg(style: &Style) -> RGBColor {
    style.theme().background
}

/// Draws a filled circle marker at data point `p`.
pub(crate) fn marker<DB: DrawingBackend>(
    chart: &Chart<DB>,
    p: (f64, f64),
    color: RGBColor,
    style: &Style,
) -> Result<(), ChartError> {
    chart.plotting_area().draw(&Circle::new(p, style.px(MARKER), color.filled()))?;
    Ok(())
}

/// Draws a small filled dot at data point `p` (dense scatter plots).
pub(crate) fn dot<DB: DrawingBackend>(
    chart: &Chart<DB>,
    p: (f64, f64),
    color: RGBColor,
    style: &Style,
) -> Result<(), ChartError> {
    chart.plotting_area().draw(&Circle::new(p, style.px(MARKER * 0.7), color.filled()))?;
    Ok(())
}

/// Draws an open square marker at data point `p` (secondary series).
pub(crate) fn square<DB: DrawingBackend>(
    chart: &Chart<DB>,
    p: (f64, f64),
    color: RGBColor,
    style: &Style,
) -> Result<(), ChartError> {
    let r = style.px(MARKER) as i32;
    let bg = style.theme().background;
    let el = EmptyElement::at(p)
        + Rectangle::new([(-r, -r), (r, r)], bg.filled())
        + Rectangle::new([(-r, -r), (r, r)], ShapeStyle::from(&color).stroke_width(style.px(THIN)));
    chart.plotting_area().draw(&el)?;
    Ok(())
}

/// Draws a vertical error bar from `lo` to `hi` at `x` with caps, all in axis coordinates.
pub(crate) fn error_bar<DB: DrawingBackend>(
    chart: &Chart<DB>,
    x: f64,
    lo: f64,
    hi: f64,
    color: RGBColor,
    style: &Style,
) -> Result<(), ChartError> {
    whisker(chart, (x, lo), (x, hi), (1, 0), hi - lo, color, style)
}

/// Draws a horizontal error bar from `lo` to `hi` at `y` with caps, all in axis coordinates.
pub(crate) fn h_error_bar<DB: DrawingBackend>(
    chart: &Chart<DB>,
    y: f64,
    lo: f64,
    hi: f64,
    color: RGBColor,
    style: &Style,
) -> Result<(), ChartError> {
    whisker(chart, (lo, y), (hi, y), (0, 1), hi - lo, color, style)
}

/// A bar from `a` to `b` with caps along `cap` (unit pixel direction); nothing when `len` ≤ 0 or
/// an end is not finite.
fn whisker<DB: DrawingBackend>(
    chart: &Chart<DB>,
    a: (f64, f64),
    b: (f64, f64),
    cap: (i32, i32),
    len: f64,
    color: RGBColor,
    style: &Style,
) -> Result<(), ChartError> {
    if ![a.0, a.1, b.0, b.1].iter().all(|v| v.is_finite()) || len <= 0.0 {
        return Ok(());
    }
    let s = ShapeStyle::from(&color).stroke_width(style.px(THIN));
    let c = style.px(4.0) as i32;
    let area = chart.plotting_area();
    area.draw(&PathElement::new(vec![a, b], s))?;
    for p in [a, b] {
        area.draw(
            &(EmptyElement::at(p) + PathElement::new(vec![(-c * cap.0, -c * cap.1), (c * cap.0, c * cap.1)], s)),
        )?;
    }
    Ok(())
}

/// Draws a polyline through `points` (axis coordinates).
pub(crate) fn line<DB: DrawingBackend>(
    chart: &Chart<DB>,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    style: &Style,
) -> Result<(), ChartError> {
    if points.len() >= 2 {
        chart.plotting_area().draw(&PathElement::new(points, ShapeStyle::from(&color).stroke_width(style.px(LINE))))?;
    }
    Ok(())
}

/// Draws a thin polyline through `points` (axis coordinates) in `color` (e.g. translucent).
pub(crate) fn thin_line<DB: DrawingBackend, C: Color>(
    chart: &Chart<DB>,
    points: Vec<(f64, f64)>,
    color: &C,
    style: &Style,
) -> Result<(), ChartError> {
    if points.len() >= 2 {
        chart.plotting_area().draw(&PathElement::new(points, color.stroke_width(style.px(THIN))))?;
    }
    Ok(())
}

/// Draws a dashed polyline through `points` (axis coordinates).
pub(crate) fn dashed<DB: DrawingBackend>(
    chart: &Chart<DB>,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    width: f64,
    style: &Style,
) -> Result<(), ChartError> {
    if points.len() >= 2 {
        let s = ShapeStyle::from(&color).stroke_width(style.px(width));
        chart.plotting_area().draw(&DashedPathElement::new(points, style.px(7.0), style.px(5.0), s))?;
    }
    Ok(())
}

/// A hover point at axis coordinates `p`.
pub(crate) fn hover<DB: DrawingBackend>(chart: &Chart<DB>, p: (f64, f64), label: String) -> Hover {
    let (x, y) = chart.backend_coord(&p);
    Hover { x: x as f64, y: y as f64, label }
}

/// Min and max of the finite values (None when there are none).
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((a, b)) => Some((a.min(v), b.max(v))),
    })
}

/// Writes `text` next to data point `p` (below right, or below left in the right half of the plot)
/// on a translucent background box so crossing lines do not hide it.
pub(crate) fn annotate<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<DB>,
    p: (f64, f64),
    text: &str,
    style: &Style,
) -> Result<(), ChartError> {
    let theme = style.theme();
    let font = style.text(LEGEND_FONT, theme.text);
    let (tw, th) = area.estimate_text_size(text, &font).unwrap_or((0, 0));
    let (bx, by) = chart.backend_coord(&p);
    let (ax, ay) = area.get_base_pixel();
    let (xr, _) = chart.plotting_area().get_pixel_range();
    let right_half = bx > (xr.start + xr.end) / 2;
    let (pad, off) = (style.px(4.0) as i32, style.px(10.0) as i32);
    let x = if right_half { bx - ax - off - tw as i32 } else { bx - ax + off };
    let y = by - ay + off;
    area.draw(&Rectangle::new(
        [(x - pad, y - pad), (x + tw as i32 + pad, y + th as i32 + pad)],
        theme.background.mix(0.85).filled(),
    ))?;
    area.draw(&Text::new(text.to_owned(), (x, y), font.pos(Pos::new(HPos::Left, VPos::Top))))?;
    Ok(())
}

/// Draws `axis` `offset` pixels right of the chart's plotting area: line, ticks, labels,
/// description (a secondary axis, or the scale of a colour bar).
pub(crate) fn right_axis<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<DB>,
    axis: &Axis,
    offset: i32,
    desc: &str,
    style: &Style,
) -> Result<(), ChartError> {
    let theme = style.theme();
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let (ax, ay) = area.get_base_pixel();
    let (x0, top, bottom) = (xr.end - ax + offset, yr.start - ay, yr.end - ay);
    let pen = ShapeStyle::from(&theme.axis).stroke_width(style.px(1.0));
    area.draw(&PathElement::new(vec![(x0, top), (x0, bottom)], pen))?;
    let tick = style.px(5.0) as i32;
    let font = style.text(TICK_FONT, theme.text).pos(Pos::new(HPos::Left, VPos::Center));
    let mut widest = 0;
    for (t, label) in &axis.ticks {
        let f = (t - axis.lo) / (axis.hi - axis.lo);
        let py = bottom - ((bottom - top) as f64 * f).round() as i32;
        area.draw(&PathElement::new(vec![(x0, py), (x0 + tick, py)], pen))?;
        area.draw(&Text::new(label.clone(), (x0 + 2 * tick, py), font.clone()))?;
        widest = widest.max(area.estimate_text_size(label, &font).map(|s| s.0 as i32).unwrap_or(0));
    }
    let desc_font =
        style.text(LABEL_FONT, theme.text).transform(FontTransform::Rotate90).pos(Pos::new(HPos::Center, VPos::Top));
    let dx = x0 + 2 * tick + widest + style.px(10.0) as i32 + style.px(LABEL_FONT * 1.25) as i32;
    area.draw(&Text::new(desc.to_owned(), (dx, (top + bottom) / 2), desc_font))?;
    Ok(())
}
