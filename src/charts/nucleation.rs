//! The nucleation profile (Doimo et al. 2020, Fig. 4): layer by layer through each model, the
//! number of density peaks, and how their clusters agree with the classes (adjusted Rand index
//! and purity); models overlaid, one colour each.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::hunchback::{HunchbackOptions, HunchbackSeries, LayerPoint, Stroke, layer_chart};
use super::{ChartError, Hover, Style};
use crate::estimators::density::DensityProfile;
use crate::results::Report;

/// A density profile's value at a layer.
type Value = fn(&DensityProfile) -> Option<f64>;

/// One series per model and value: legend suffix, line, value.
fn series(reports: &[Report], values: &[(&str, Stroke, Value)]) -> Vec<HunchbackSeries> {
    reports
        .iter()
        .enumerate()
        .flat_map(|(colour, r)| {
            values.iter().filter_map(move |&(what, stroke, value)| {
                let layers: Vec<LayerPoint> = r
                    .layers
                    .iter()
                    .filter_map(|l| {
                        let id = value(l.estimates.density.as_ref()?)?;
                        Some(LayerPoint {
                            index: l.index,
                            name: l.name.clone(),
                            id,
                            low: f64::NAN,
                            high: f64::NAN,
                            pc_id: None,
                        })
                    })
                    .collect();
                let label = if what.is_empty() { r.model.clone() } else { format!("{}: {what}", r.model) };
                (!layers.is_empty()).then(|| HunchbackSeries {
                    label,
                    error: String::new(),
                    layers,
                    colour: Some(colour),
                    stroke,
                })
            })
        })
        .collect()
}

/// The number of density peaks (ADP clusters) against the layer, per model.
pub fn nucleation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    reports: &[Report],
    opts: &HunchbackOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let s = series(reports, &[("", Stroke::Solid, |d| Some(d.peaks as f64))]);
    if s.is_empty() {
        return Err(ChartError::NoData("no layer with a density profile"));
    }
    let opts = HunchbackOptions { pc_id: false, log_y: false, ..opts.clone() };
    layer_chart(area, &s, &[], ("density peaks (ADP clusters)", "peaks"), &opts, style)
}

/// The agreement of the clusters with the classes against the layer, per labelled model: the
/// adjusted Rand index (solid) and the share of points in a cluster of their class (dashed).
pub fn peak_classes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    reports: &[Report],
    opts: &HunchbackOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let s = series(
        reports,
        &[
            ("adjusted Rand index", Stroke::Solid, |d| d.labels.as_ref().map(|l| l.ari)),
            ("purity", Stroke::Dashed, |d| d.labels.as_ref().map(|l| l.purity)),
        ],
    );
    if s.is_empty() {
        return Err(ChartError::NoData("no labelled layer with a density profile"));
    }
    let opts = HunchbackOptions { pc_id: false, log_y: false, ..opts.clone() };
    layer_chart(area, &s, &[], ("clusters vs classes", "agreement"), &opts, style)
}
