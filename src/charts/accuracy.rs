//! The last hidden layer's ID against the network's accuracy (Ansuini et al. Fig 4).

use plotters::coord::Shift;
use plotters::element::Text;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{Axis, Scale};
use super::frame::{self, Frame, LegendItem, Swatch, draw_frame, hover, tick_target};
use super::theme::TICK_FONT;
use super::{ChartError, Hover, Style, num, sig};
use crate::compare::{AccuracyData, AccuracyFit, Measure, accuracy_fit};

/// One marker per model at (ID ± its error, value) with the model's name beside it, the
/// least-squares line over the ID range, and in the legend Pearson r with its p-value and n
/// (or why there is no fit, with fewer than 3 points). Hover: one per model,
/// e.g. `"resnet18 (layer fc1): ID 12.4 ± 0.3, accuracy 0.70"`.
pub fn accuracy<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &AccuracyData,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let pts: Vec<_> = data.points.iter().filter(|p| p.id.is_finite() && p.value.is_finite()).collect();
    if pts.is_empty() {
        return Err(ChartError::NoData("no model with both a last-hidden-layer ID and an accuracy"));
    }
    let err = |e: Option<f64>| e.filter(|e| e.is_finite()).map_or(0.0, f64::abs);
    let fit = accuracy_fit(data);
    let line = match (fit.slope, fit.intercept) {
        (Some(a), Some(b)) => {
            let (lo, hi) = frame::finite_range(pts.iter().map(|p| p.id)).unwrap_or((0.0, 0.0));
            Some([(lo, a * lo + b), (hi, a * hi + b)])
        }
        _ => None,
    };
    let xs = pts.iter().flat_map(|p| [p.id - err(p.id_err), p.id + err(p.id_err)]);
    let ys = pts.iter().map(|p| p.value).chain(line.iter().flatten().map(|p| p.1));
    let ((x0, x1), (y0, y1)) =
        (frame::finite_range(xs).unwrap_or_default(), frame::finite_range(ys).unwrap_or_default());
    let (w, h) = area.dim_in_pixel();
    let x = Axis::new(Scale::Linear, x0, x1, 0.08, tick_target(w, 80.0, style))
        .ok_or(ChartError::NoData("ID range is not finite"))?;
    let y = Axis::new(Scale::Linear, y0, y1, 0.08, tick_target(h, 55.0, style))
        .ok_or(ChartError::NoData("value range is not finite"))?;
    let y_desc = match data.measure {
        Measure::Accuracy => "test accuracy",
        Measure::Top5Error => "top-5 error",
    };
    let theme = style.theme();
    let (c_pts, c_line) = (theme.series(0), theme.series(1));
    let legend = vec![
        LegendItem::new(Swatch::ErrorBar(c_pts), "models (ID ± its error bar)"),
        LegendItem::new(
            if line.is_some() { Swatch::Line(c_line) } else { Swatch::Dashed(theme.muted) },
            fit_text(&fit),
        ),
    ];
    let x_desc = "intrinsic dimension of the last hidden layer (TwoNN)";
    let chart = draw_frame(area, &Frame { x: &x, y: &y, x_desc, y_desc, legend, right_area: 0 }, style)?;
    if let Some(l) = line {
        frame::line(&chart, l.to_vec(), c_line, style)?;
    }
    let font = style.text(TICK_FONT * 0.9, theme.text);
    let width = area.dim_in_pixel().0 as i32;
    let mut hovers = Vec::new();
    for p in pts {
        let e = err(p.id_err);
        frame::h_error_bar(&chart, p.value, p.id - e, p.id + e, c_pts, style)?;
        frame::marker(&chart, (p.id, p.value), c_pts, style)?;
        let (bx, by) = chart.backend_coord(&(p.id, p.value));
        let (ax, ay) = area.get_base_pixel();
        let off = style.px(6.0) as i32;
        // Right of the point, or left of it where the name would run off the chart.
        let (x, h) = (bx - ax, frame::text_width(area, [p.model.clone()], TICK_FONT * 0.9, style) as i32);
        let (tx, hpos) = if x + off + h > width { (x - off, HPos::Right) } else { (x + off, HPos::Left) };
        area.draw(&Text::new(p.model.clone(), (tx, by - ay - off), font.pos(Pos::new(hpos, VPos::Bottom))))?;
        let id = if e > 0.0 { format!("{} ± {}", sig(p.id), sig(e)) } else { sig(p.id) };
        hovers.push(hover(
            &chart,
            (p.id, p.value),
            format!("{} (layer {}): ID {id}, {y_desc} {}", p.model, p.layer, sig(p.value)),
        ));
    }
    Ok(hovers)
}

/// "Pearson r = 0.94 (p = 0.002), n = 14", or why there is no fit.
fn fit_text(f: &AccuracyFit) -> String {
    match (f.pearson_r, f.pearson_p) {
        (Some(r), Some(p)) => format!("least squares; Pearson r = {} (p = {}), n = {}", num(r, 2), sig(p), f.n),
        _ => format!("no line: {} (n = {})", f.note.as_deref().unwrap_or("undefined"), f.n),
    }
}
