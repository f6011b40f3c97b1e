//! The neighbourhood overlap profile (Doimo et al. 2020, Fig. 2): χ^gt (with the labels), χ^out
//! (with the last layer) and the overlap with the input, layer by layer through each model; and
//! the information plane of the same layers (Glielmo et al. 2022, Fig. 3).

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::axis::{Axis, Scale};
use super::frame::{self, Frame, LegendItem, Swatch, draw_frame, hover, tick_target};
use super::hunchback::{HunchbackOptions, HunchbackSeries, LayerPoint, Stroke, layer_chart};
use super::{ChartError, Hover, Style, sig};
use crate::compare::neighbourhood::{Imbalances, OverlapProfile, ProfilePoint};

/// A profile's value at a layer, with its std over the random subsets.
type Value = fn(&ProfilePoint) -> (Option<f64>, Option<f64>);

/// The profiles drawn: legend suffix, line, and value of a layer.
const PROFILES: [(&str, Stroke, Value); 3] = [
    ("χ with the labels", Stroke::Solid, |p| (p.label, p.label_std)),
    ("χ with the output", Stroke::Dashed, |p| (p.output, p.output_std)),
    ("χ with the input", Stroke::Thin, |p| (p.input, p.input_std)),
];

/// χ^gt (solid), χ^out (dashed) and χ with the input (thin) against the layer (index or
/// relative depth, `opts.x`), one colour per model, ± their std over `repeats` random subsets
/// where computed; `k` on the axis. Hover: model, profile, layer and χ.
pub fn overlap_profile<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    profiles: &[OverlapProfile],
    k: usize,
    repeats: usize,
    opts: &HunchbackOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let series: Vec<HunchbackSeries> = profiles
        .iter()
        .enumerate()
        .flat_map(|(colour, m)| {
            PROFILES.iter().filter_map(move |&(what, stroke, value)| {
                let layers: Vec<LayerPoint> = m
                    .layers
                    .iter()
                    .filter_map(|l| {
                        let (value, std) = value(l);
                        let (id, std) = (value?, std.unwrap_or(f64::NAN));
                        let name = l.layer.clone();
                        Some(LayerPoint { index: l.position, name, id, low: id - std, high: id + std, pc_id: None })
                    })
                    .collect();
                let bars = layers.iter().any(|l| l.low.is_finite());
                (!layers.is_empty()).then(|| HunchbackSeries {
                    label: format!("{}: {what}", m.model),
                    error: if bars { format!("± std over {repeats} subsets") } else { String::new() },
                    layers,
                    colour: Some(colour),
                    stroke,
                })
            })
        })
        .collect();
    if series.is_empty() {
        return Err(ChartError::NoData("no layer with a neighbourhood overlap"));
    }
    let opts = HunchbackOptions { pc_id: false, log_y: false, ..opts.clone() };
    let y_desc = format!("neighbourhood overlap χ (k = {k})");
    layer_chart(area, &series, &[], (&y_desc, "χ"), &opts, style)
}

/// A layer's (Δ(layer → B), Δ(B → layer)) for one reference B.
type Plane = fn(&Imbalances) -> (f64, f64);

/// The references of the information plane: legend suffix, line, and a layer's point.
const PLANES: [(&str, Stroke, Plane); 2] = [
    ("against the output", Stroke::Solid, |i| (i.to_output, i.from_output)),
    ("against the input", Stroke::Dashed, |i| (i.to_input, i.from_input)),
];

/// The information plane: each layer at (Δ(layer → B), Δ(B → layer)), B the model's last layer
/// (solid line, dots) and its first (dashed, open squares), joined in layer order, one colour per
/// model, with the diagonal of equal information dashed grey; both axes from 0 to the largest Δ. Near (0, 0) the two layers' neighbourhoods predict each other; at
/// x ≈ 0 and y large the layer holds the information of B and more. Hover: model, reference,
/// layer, both Δ.
pub fn information_plane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    profiles: &[OverlapProfile],
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let ok = |(x, y): (f64, f64)| x.is_finite() && y.is_finite();
    // (colour, reference, stroke, [(layer, point)]) per model and reference.
    let mut curves = Vec::new();
    for (colour, m) in profiles.iter().enumerate() {
        for &(what, stroke, at) in &PLANES {
            let pts: Vec<(&str, (f64, f64))> = m
                .layers
                .iter()
                .filter_map(|l| Some((l.layer.as_str(), at(l.imbalance.as_ref()?))))
                .filter(|&(_, p)| ok(p))
                .collect();
            if !pts.is_empty() {
                curves.push((colour, format!("{}: {what}", m.model), stroke, pts));
            }
        }
    }
    let values = curves.iter().flat_map(|c| c.3.iter().flat_map(|(_, (x, y))| [*x, *y]));
    let (_, hi) = frame::finite_range(values).ok_or(ChartError::NoData("no layer with an information imbalance"))?;
    let (w, h) = area.dim_in_pixel();
    let top = if hi > 0.0 { hi } else { 1.0 };
    let x = Axis::new(Scale::Linear, 0.0, top, 0.04, tick_target(w, 80.0, style))
        .ok_or(ChartError::NoData("imbalance range is not finite"))?;
    let y = Axis::new(Scale::Linear, 0.0, top, 0.04, tick_target(h, 55.0, style))
        .ok_or(ChartError::NoData("imbalance range is not finite"))?;
    let theme = style.theme();
    let mut legend: Vec<LegendItem> = curves
        .iter()
        .map(|(c, label, stroke, _)| {
            let swatch = if *stroke == Stroke::Solid {
                Swatch::Line(theme.series(*c))
            } else {
                Swatch::DashedSquare(theme.series(*c))
            };
            LegendItem::new(swatch, label.clone())
        })
        .collect();
    legend.push(LegendItem::new(Swatch::Dashed(theme.muted), "equal information both ways"));
    let frame =
        Frame {
            x: &x, y: &y, x_desc: "Δ(layer → reference)", y_desc: "Δ(reference → layer)", legend, right_area: 0
        };
    let chart = draw_frame(area, &frame, style)?;
    frame::dashed(&chart, vec![(0.0, 0.0), (top, top)], theme.muted, super::theme::THIN, style)?;
    let mut hovers = Vec::new();
    for (c, label, stroke, pts) in &curves {
        let color = theme.series(*c);
        let line: Vec<(f64, f64)> = pts.iter().map(|p| p.1).collect();
        match stroke {
            Stroke::Solid => frame::line(&chart, line, color, style)?,
            _ => frame::dashed(&chart, line, color, super::theme::THIN, style)?,
        }
        for &(layer, p) in pts {
            if *stroke != Stroke::Solid {
                frame::square(&chart, p, color, style)?;
            } else {
                frame::marker(&chart, p, color, style)?;
            }
            hovers.push(hover(
                &chart,
                p,
                format!("{label} · {layer}: Δ(layer → ref) {}, Δ(ref → layer) {}", sig(p.0), sig(p.1)),
            ));
        }
    }
    Ok(hovers)
}
