//! Main-thread chart entries over [`crate::charts`]: draw on a canvas (HiDPI: the page sizes
//! the canvas in device pixels and passes `scale` = devicePixelRatio) or return an SVG string.
//!
//! `kind` is one of `mu`, `cdf`, `decimation`, `gride`, `spectrum` (data: one `LayerResult`) or
//! `hunchback` (data: `[{model, layers: [LayerResult | null]}]`, layers in display order; the
//! x position is the display position, so reordering and excluding layers redraws without
//! recomputing).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{from_js, to_js};
use crate::charts::{self, ChartError, HunchbackOptions, HunchbackSeries, LayerAxis, Style};
use crate::params::Params;
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
    /// Hunchback x axis: relative depth 0..1 instead of the layer position.
    pub depth: bool,
}

/// One model's layers for the hunchback.
#[derive(Deserialize)]
pub struct ModelSeries {
    /// Model name (legend).
    pub model: String,
    /// Layers in display order; `null` where not computed yet.
    pub layers: Vec<Option<LayerResult>>,
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
pub fn draw_chart(
    canvas: HtmlCanvasElement,
    kind: &str,
    data: JsValue,
    opts: JsValue,
) -> Result<JsValue, JsError> {
    let opts: DrawOptions = from_js(opts, "options")?;
    let backend = CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("canvas has no 2d context"))?;
    let hovers = render(&backend.into_drawing_area(), kind, data, &opts)?;
    to_js(&hovers)
}

/// Chart `kind` of `data` as an SVG document of `width` × `height` pixels.
#[wasm_bindgen]
pub fn svg_chart(
    kind: &str,
    data: JsValue,
    opts: JsValue,
    width: u32,
    height: u32,
) -> Result<String, JsError> {
    let opts: DrawOptions = from_js(opts, "options")?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        render(&root, kind, data, &opts)?;
        root.present().map_err(|e| JsError::new(&e.to_string()))?;
    }
    Ok(out)
}

fn render<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    kind: &str,
    data: JsValue,
    o: &DrawOptions,
) -> Result<Vec<HoverJs>, JsError>
where
    DB::ErrorType: 'static,
{
    let style = Style {
        dark: o.dark,
        scale: o.scale.unwrap_or(1.0),
        ..Style::default()
    };
    let fail = |e: ChartError| JsError::new(&e.to_string());
    let hovers = if kind == "hunchback" {
        let models: Vec<ModelSeries> = from_js(data, "hunchback data")?;
        let series: Vec<HunchbackSeries> = models.into_iter().map(series).collect();
        let opts = HunchbackOptions {
            x: if o.depth {
                LayerAxis::RelativeDepth
            } else {
                LayerAxis::Index
            },
            pc_id: true,
            log_y: o.log_y,
        };
        charts::hunchback(area, &series, &opts, &style).map_err(fail)?
    } else {
        let r: LayerResult = from_js(data, "layer result")?;
        let e = &r.estimates;
        match kind {
            "mu" => charts::mu_histogram(
                area,
                e,
                &charts::MuOptions {
                    log_x: o.log_x,
                    ..Default::default()
                },
                &style,
            ),
            "cdf" => charts::cdf_fit(area, e, &style),
            "decimation" => {
                charts::decimation(area, e, &charts::DecimationOptions::default(), &style)
            }
            "gride" => charts::gride(
                area,
                e,
                &charts::GrideOptions {
                    x: charts::GrideX::Scale,
                },
                &style,
            ),
            "spectrum" => charts::spectrum(area, e, &charts::SpectrumOptions::default(), &style),
            other => return Err(JsError::new(&format!("unknown chart kind {other:?}"))),
        }
        .map_err(fail)?
    };
    area.present().map_err(|e| JsError::new(&e.to_string()))?;
    Ok(hovers
        .into_iter()
        .map(|h| HoverJs {
            x: h.x,
            y: h.y,
            label: h.label,
        })
        .collect())
}

/// A model's computed layers as a hunchback series, positioned by display order.
fn series(m: ModelSeries) -> HunchbackSeries {
    let mut report = Report::new(m.model, Params::default());
    report.layers = m
        .layers
        .into_iter()
        .enumerate()
        .filter_map(|(i, l)| l.map(|l| LayerResult { index: i, ..l }))
        .collect();
    HunchbackSeries::from_report(&report)
}
