//! Per-class ID through the layers (Ansuini et al. Fig 3A): per model the mean ± std over classes
//! of the per-class TwoNN fit ID, and optionally each class's own thin curve.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::hunchback::{HunchbackOptions, HunchbackSeries, LayerAxis, LayerPoint, Stroke, ThinCurve, layer_chart};
use super::{ChartError, Hover, Style};
use crate::compare::{LayerIds, class_spread};
use crate::results::Report;

/// Options of [`per_class`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PerClassOptions {
    /// What the x axis shows.
    pub x: LayerAxis,
    /// Draw each class's curve (thin, translucent) under the means.
    pub classes: bool,
    /// Logarithmic ID axis.
    pub log_y: bool,
}

/// Per model (one colour each): the mean over classes of the per-class ID per layer with ± std
/// (ddof = 0) error bars, and with `classes` one thin curve per class. Hover: every mean
/// (`"netA · fc: ID 12.4 ± 1.3"`) and every class point (`"netA · cat · fc: ID 11.0"`).
pub fn per_class<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    reports: &[Report],
    opts: &PerClassOptions,
    style: &Style,
) -> Result<Vec<Hover>, ChartError> {
    let series: Vec<HunchbackSeries> = reports.iter().map(mean_series).collect();
    if series.iter().all(|s| s.layers.is_empty()) {
        return Err(ChartError::NoData("no per-class IDs (give labels and turn on per-class estimates)"));
    }
    let thin: Vec<ThinCurve> = if opts.classes {
        reports.iter().enumerate().flat_map(|(i, r)| class_curves(i, r)).collect()
    } else {
        Vec::new()
    };
    let hunch = HunchbackOptions { x: opts.x, pc_id: false, log_y: opts.log_y };
    layer_chart(area, &series, &thin, ("intrinsic dimension per class (TwoNN fit)", "ID"), &hunch, style)
}

/// The mean ± std over classes per layer of `r`, as a hunchback series (layers without
/// per-class IDs left out).
fn mean_series(r: &Report) -> HunchbackSeries {
    let layers: Vec<LayerPoint> = r
        .layers
        .iter()
        .filter_map(|l| {
            let s = class_spread(&LayerIds::from(l))?;
            Some(LayerPoint {
                index: l.index,
                name: l.name.clone(),
                id: s.mean,
                low: s.mean - s.std,
                high: s.mean + s.std,
                pc_id: None,
            })
        })
        .collect();
    let counts: Vec<usize> =
        r.layers.iter().filter_map(|l| class_spread(&LayerIds::from(l)).map(|s| s.n_classes)).collect();
    let error = match counts.iter().min() {
        Some(&lo) if counts.iter().all(|&c| c == lo) => format!("mean ± std over {lo} classes"),
        _ => "mean ± std over classes".to_owned(),
    };
    HunchbackSeries { label: r.model.clone(), error, layers, colour: None, stroke: Stroke::Solid }
}

/// One thin curve per class name of `r` (in order of first appearance), over the layers where
/// that class has an ID.
fn class_curves(series: usize, r: &Report) -> Vec<ThinCurve> {
    let mut names: Vec<&str> = Vec::new();
    for c in r.layers.iter().flat_map(|l| &l.classes) {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    names
        .into_iter()
        .map(|name| ThinCurve {
            series,
            label: format!("{} · {name}", r.model),
            points: r
                .layers
                .iter()
                .filter_map(|l| {
                    l.classes
                        .iter()
                        .find(|c| c.name == name)
                        .map(|c| (l.index, l.name.clone(), c.estimates.twonn.fit.id))
                })
                .collect(),
        })
        .collect()
}
