//! Main-thread chart entries over [`crate::charts`]: draw on a canvas (HiDPI: the page sizes
//! the canvas in device pixels and passes `scale` = devicePixelRatio) or return an SVG string.
//!
//! `kind` and its `data` (plain JSON from the page):
//!
//! * the per-layer charts (`charts::LAYER_CHARTS`: `mu`, `cdf`, `decimation`, `gride`,
//!   `spectrum`, `surrogate`): one `LayerResult`. `surrogate` draws the data's decimation curve
//!   and the Gaussian surrogate's side by side with the same axes.
//! * `hunchback`: `[{model, layers: [LayerResult | null]}]`, layers in display order (the x
//!   position is the display position, so reordering and excluding layers redraws without
//!   recomputing). TwoNN fit ± std over the repeats (ML and its 95 % interval without repeats).
//! * `per_class`: same data as `hunchback`; per model the mean ± std (ddof = 0) over classes of
//!   the per-class TwoNN fit ID, and with `classes` each class's thin curve.
//! * `accuracy`: `{measure: "accuracy" | "top5_error", points: [{model, layer, id, id_err |
//!   null, value}]}`: scatter of value against the last hidden layer's ID, least-squares line,
//!   Pearson r (p) and n in the legend (no line with fewer than 3 points).
//! * `correlation`: `{ids: {layer, models, classes, ids}, table: {pearson, spearman, …}, note}`
//!   (the `correlation` of [`super::analyses::compare`]): heatmap, Pearson r below the diagonal,
//!   Spearman ρ above.
//!
//! * `overlap_profile`: `{k, profiles}` (of [`super::analyses::neighbourhoods`]): χ with the
//!   labels, with the last layer and with the input against the layer, per model.
//! * `overlap_layers`, `overlap_models`: `{k, matrix}` (one of its `matrices`): the heatmap of χ
//!   between the layers of one model, or of two.
//! * `information_plane`: `{k, profiles}` as `overlap_profile`: each layer's Δ(layer → B)
//!   against Δ(B → layer), B the model's last layer and its first.
//! * `nucleation`, `peak_classes`: same data as `hunchback`: per model the number of density
//!   peaks against the layer; the adjusted Rand index and purity of their clusters.
//!
//! Options (`opts`, all optional): `dark`, `scale`, `log_x` (mu), `log_y` (hunchback,
//! per_class), `depth` (hunchback, per_class: relative depth x), `pc_id` (hunchback: PC-ID
//! overlay, default false), `classes` (per_class: class curves; default true for one model,
//! false for several).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::backend::ChartBackend;
use super::{from_js, to_js};
use crate::charts::{self, ChartError, HunchbackOptions, HunchbackSeries, LayerAxis, PerClassOptions, Style};
use crate::compare::neighbourhood::{OverlapMatrix, OverlapProfile};
use crate::compare::{AccuracyData, ClassCorrelation};
use crate::estimators::Params;
use crate::results::{LayerResult, Report};

/// Options shared by every chart.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DrawOptions {
    /// Colours for a dark background.
    pub dark: bool,
    /// Pixel scale (devicePixelRatio on screen, 2 for PNG export); fonts and lines scale with it.
    pub scale: Option<f64>,
    /// Logarithmic μ axis (μ histogram).
    pub log_x: bool,
    /// Logarithmic ID axis (hunchback, where PC-ID and TwoNN differ by orders of magnitude).
    pub log_y: bool,
    /// Hunchback and per-class x axis: relative depth 0..1 instead of the layer position.
    pub depth: bool,
    /// Hunchback: overlay the PC-ID per model (dashed).
    pub pc_id: bool,
    /// Per-class: draw each class's curve (`None`: only when there is one model).
    pub classes: Option<bool>,
}

/// One model's layers for the hunchback and the per-class chart.
#[derive(Deserialize)]
pub struct ModelSeries {
    /// Model name (legend).
    pub model: String,
    /// Layers in display order; `null` where not computed yet.
    pub layers: Vec<Option<LayerResult>>,
}

/// The `overlap_profile` chart's data.
#[derive(Deserialize)]
struct ProfileData {
    k: usize,
    /// The random subsets the error bars are over (0: none).
    #[serde(default)]
    repeats: usize,
    profiles: Vec<OverlapProfile>,
}

/// The `overlap_layers` and `overlap_models` charts' data.
#[derive(Deserialize)]
struct MatrixData {
    k: usize,
    matrix: OverlapMatrix,
}

#[derive(Serialize)]
struct HoverJs {
    x: f64,
    y: f64,
    label: String,
}

/// Draws chart `kind` of `data` on `canvas` (at its current pixel size) and returns the hover
/// points `[{x, y, label}]` in canvas pixels.
#[wasm_bindgen]
pub fn draw_chart(canvas: HtmlCanvasElement, kind: &str, data: JsValue, opts: JsValue) -> Result<JsValue, JsError> {
    let opts: DrawOptions = from_js(opts, "options")?;
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or_else(|| JsError::new("canvas has no 2d context"))?;
    let hovers = render(&ChartBackend::Canvas(backend).into_drawing_area(), kind, data, &opts)?;
    to_js(&hovers)
}

/// Chart `kind` of `data` as an SVG document of `width` × `height` pixels.
#[wasm_bindgen]
pub fn svg_chart(kind: &str, data: JsValue, opts: JsValue, width: u32, height: u32) -> Result<String, JsError> {
    let opts: DrawOptions = from_js(opts, "options")?;
    let mut out = String::new();
    {
        let root = ChartBackend::Svg(SVGBackend::with_string(&mut out, (width, height))).into_drawing_area();
        render(&root, kind, data, &opts)?;
        root.present().map_err(|e| JsError::new(&e.to_string()))?;
    }
    Ok(out)
}

fn render(
    area: &DrawingArea<ChartBackend<'_>, Shift>,
    kind: &str,
    data: JsValue,
    o: &DrawOptions,
) -> Result<Vec<HoverJs>, JsError> {
    let style = Style { dark: o.dark, scale: o.scale.unwrap_or(1.0), ..Style::default() };
    let fail = |e: ChartError| JsError::new(&e.to_string());
    let x = if o.depth { LayerAxis::RelativeDepth } else { LayerAxis::Index };
    let hovers = match kind {
        "hunchback" => {
            let models: Vec<ModelSeries> = from_js(data, "hunchback data")?;
            let series: Vec<HunchbackSeries> =
                models.into_iter().map(|m| HunchbackSeries::from_report(&report(m))).collect();
            let opts = HunchbackOptions { x, pc_id: o.pc_id, log_y: o.log_y };
            charts::hunchback(area, &series, &opts, &style)
        }
        "per_class" => {
            let models: Vec<ModelSeries> = from_js(data, "per-class data")?;
            let reports: Vec<Report> = models.into_iter().map(report).collect();
            let opts = PerClassOptions { x, classes: o.classes.unwrap_or(reports.len() == 1), log_y: o.log_y };
            charts::per_class(area, &reports, &opts, &style)
        }
        "nucleation" | "peak_classes" => {
            let models: Vec<ModelSeries> = from_js(data, "density profiles")?;
            let reports: Vec<Report> = models.into_iter().map(report).collect();
            let opts = HunchbackOptions { x, ..HunchbackOptions::default() };
            if kind == "nucleation" {
                charts::nucleation(area, &reports, &opts, &style)
            } else {
                charts::peak_classes(area, &reports, &opts, &style)
            }
        }
        "accuracy" => charts::accuracy(area, &from_js::<AccuracyData>(data, "accuracy data")?, &style),
        "correlation" => {
            let c: ClassCorrelation = from_js(data, "correlation")?;
            let table = c.table.ok_or_else(|| JsError::new(c.note.as_deref().unwrap_or("no correlation table")))?;
            charts::correlation(area, &table, &c.ids.layer, &style)
        }
        "overlap_profile" => {
            let d: ProfileData = from_js(data, "overlap profiles")?;
            charts::overlap_profile(
                area,
                &d.profiles,
                d.k,
                d.repeats,
                &HunchbackOptions { x, ..HunchbackOptions::default() },
                &style,
            )
        }
        "information_plane" => {
            let d: ProfileData = from_js(data, "information imbalances")?;
            charts::information_plane(area, &d.profiles, &style)
        }
        "overlap_layers" | "overlap_models" => {
            let d: MatrixData = from_js(data, "overlap matrix")?;
            charts::overlap_matrix(area, &d.matrix, d.k, &style)
        }
        _ => {
            let r: LayerResult = from_js(data, "layer result")?;
            let layer = charts::LayerOptions { log_x: o.log_x };
            charts::draw_layer(kind, area, &r.estimates, &layer, &style)
                .ok_or_else(|| JsError::new(&format!("unknown chart kind {kind:?}")))?
        }
    }
    .map_err(fail)?;
    area.present().map_err(|e| JsError::new(&e.to_string()))?;
    Ok(hovers.into_iter().map(|h| HoverJs { x: h.x, y: h.y, label: h.label }).collect())
}

/// The layer the page draws off screen to warm its charts (`charts::warmup_layer`).
#[wasm_bindgen(js_name = warmupResult)]
pub fn warmup_result() -> Result<JsValue, JsError> {
    to_js(&charts::warmup_layer())
}

/// The per-layer charts (`charts::LAYER_CHARTS`): the page makes a card for each.
#[wasm_bindgen(js_name = layerCharts)]
pub fn layer_charts() -> Result<JsValue, JsError> {
    to_js(charts::LAYER_CHARTS)
}

/// The numbers per-layer chart `kind` shows for `result` (a `LayerResult`): `{header, rows}`.
#[wasm_bindgen(js_name = layerChartRows)]
pub fn layer_chart_rows(kind: &str, result: JsValue) -> Result<JsValue, JsError> {
    let r: LayerResult = from_js(result, "layer result")?;
    let (header, rows) = charts::layer_rows(kind, &r.estimates)
        .ok_or_else(|| JsError::new(&format!("no numbers for chart {kind:?}")))?;
    #[derive(Serialize)]
    struct Table {
        header: Vec<&'static str>,
        rows: Vec<Vec<charts::Cell>>,
    }
    to_js(&Table { header, rows })
}

/// A model's computed layers as a report, each layer's index its display position.
fn report(m: ModelSeries) -> Report {
    let mut report = Report::new(m.model, Params::default());
    report.layers =
        m.layers.into_iter().enumerate().filter_map(|(i, l)| l.map(|l| LayerResult { index: i, ..l })).collect();
    report
}
