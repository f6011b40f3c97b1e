//! Every chart of the app, as pure functions over any plotters `DrawingBackend`.
//!
//! The page draws them on the main thread into a canvas (`plotters-canvas`) and exports them with
//! `SVGBackend`; native tests render the same functions to SVG strings. Each function fills the
//! whole `area` (background per [`Style::dark`]), draws axes with labelled units, a legend strip
//! above the plot (so it never hides data) and the data, and returns [`Hover`] points: pixel
//! positions in the backend's coordinates with a read-out label, for the page's mouse-over.
//!
//! Sizes (fonts, lines, markers, margins) are given in CSS pixels and multiplied by
//! [`Style::scale`] (devicePixelRatio × zoom), so a canvas sized in device pixels stays sharp and
//! a projector zoom stays readable. Log axes are drawn on a linear axis of log₁₀ (or log₂) of the
//! value with ticks computed here, so every chart has one coordinate type and exact tick labels.
//!
//! Text: on wasm32 plotters measures text with the browser canvas (main thread only); natively it
//! uses its built-in estimate (no font files needed), which is enough for SVG output because the
//! SVG viewer lays the text out.
//!
//! Data are never trusted: non-finite values are dropped, zero-width ranges widened, and an empty
//! input gives [`ChartError::NoData`] instead of a panic.

mod accuracy;
mod axis;
mod frame;
mod heatmap;
mod hunchback;
pub mod layer;
mod nucleation;
mod overlap;
mod per_class;
mod theme;
mod warmup;

use plotters::drawing::DrawingAreaErrorKind;

pub use accuracy::accuracy;
pub use heatmap::{correlation, overlap_matrix};
pub use hunchback::{HunchbackOptions, HunchbackSeries, LayerAxis, LayerPoint, Stroke, hunchback};
pub use layer::scaling::{DecimationOptions, GrideOptions, GrideX, decimation, gride, surrogate_test};
pub use layer::spectrum::{SpectrumOptions, spectrum};
pub use layer::twonn::{MuOptions, cdf_fit, mu_histogram};
pub use layer::{Cell, LAYER_CHARTS, LayerChart, LayerOptions, draw_layer, layer_rows};
pub use nucleation::{nucleation, peak_classes};
pub use overlap::{information_plane, overlap_profile};
pub use per_class::{PerClassOptions, per_class};
pub use theme::Theme;
pub use warmup::warmup_layer;

/// At most this many markers are drawn (and hovered) per series; longer series are thinned to
/// every k-th point, k = ⌈len / MAX_MARKERS⌉, first point kept.
pub const MAX_MARKERS: usize = 1500;

/// How a chart looks: light or dark, and how large.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Dark background and light text (from `prefers-color-scheme: dark`).
    pub dark: bool,
    /// devicePixelRatio × zoom: multiplies font sizes, line widths, marker sizes and margins.
    pub scale: f64,
    /// Font family for all text, e.g. `"sans-serif"`.
    pub font: &'static str,
}

impl Default for Style {
    fn default() -> Self {
        Self { dark: false, scale: 1.0, font: "sans-serif" }
    }
}

impl Style {
    /// The colours for this style.
    pub fn theme(&self) -> Theme {
        Theme::new(self.dark)
    }
}

/// A point the page can show a read-out for when the mouse is near it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    /// Horizontal pixel position in the backend's coordinates.
    pub x: f64,
    /// Vertical pixel position in the backend's coordinates.
    pub y: f64,
    /// The read-out, e.g. `"conv3: ID 12.4 ± 0.3"`.
    pub label: String,
}

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    /// The backend failed (the message of plotters' error).
    #[error("drawing failed: {0}")]
    Drawing(String),
    /// Nothing to draw; the message says what is missing.
    #[error("nothing to plot: {0}")]
    NoData(&'static str),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        Self::Drawing(e.to_string())
    }
}

/// Indices of the points drawn for a series of `len` points: all, or every k-th (see [`MAX_MARKERS`]).
pub(crate) fn thinned(len: usize) -> impl Iterator<Item = usize> {
    let step = len.div_ceil(MAX_MARKERS).max(1);
    (0..len).step_by(step)
}

/// Formats `v` with `decimals` digits, writing "−" for minus.
pub(crate) fn num(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') { s[1..].to_owned() } else { s };
    s.replace('-', "−")
}

/// Formats `v` with about three significant digits (plain notation for 0.001 ≤ |v| < 10⁶).
pub(crate) fn sig(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    let mag = v.abs().log10().floor();
    if !(-3.0..6.0).contains(&mag) {
        return format!("{v:.2e}").replace('-', "−");
    }
    num(v, (2.0 - mag).max(0.0) as usize)
}

/// `name` cut to `max` characters (the last one an ellipsis) for tick labels; hovers keep it whole.
pub(crate) fn short(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_owned()
    } else {
        format!("{}…", name.chars().take(max.saturating_sub(1)).collect::<String>())
    }
}
