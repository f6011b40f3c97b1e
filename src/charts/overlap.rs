//! The neighbourhood overlap profile (Doimo et al. 2020, Fig. 2): χ^gt (with the labels), χ^out
//! (with the last layer) and the overlap with the input, layer by layer through each model.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::hunchback::{HunchbackOptions, HunchbackSeries, LayerPoint, Stroke, layer_chart};
use super::{ChartError, Hover, Style};
use crate::compare::neighbourhood::{OverlapProfile, ProfilePoint};

/// A profile's value at a layer.
type Value = fn(&ProfilePoint) -> Option<f64>;

/// The profiles drawn: legend suffix, line, and value of a layer.
const PROFILES: [(&str, Stroke, Value); 3] = [
    ("χ with the labels", Stroke::Solid, |p| p.label),
    ("χ with the output", Stroke::Dashed, |p| p.output),
    ("χ with the input", Stroke::Thin, |p| p.input),
];

/// χ^gt (solid), χ^out (dashed) and χ with the input (thin) against the layer (index or
/// relative depth, `opts.x`), one colour per model; `k` on the axis. Hover: model, profile,
/// layer and χ.
pub fn overlap_profile<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    profiles: &[OverlapProfile],
    k: usize,
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
                        let id = value(l)?;
                        let name = l.layer.clone();
                        Some(LayerPoint { index: l.position, name, id, low: f64::NAN, high: f64::NAN, pc_id: None })
                    })
                    .collect();
                (!layers.is_empty()).then(|| HunchbackSeries {
                    label: format!("{}: {what}", m.model),
                    error: String::new(),
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
