//! One backend type for the page's charts, a canvas on screen or an SVG string for export, so
//! every chart function is compiled once into the wasm instead of once per backend (size).

use plotters::prelude::SVGBackend;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

/// A canvas (on screen, PNG export) or an SVG document being written (SVG export).
pub enum ChartBackend<'a> {
    /// Draws on an `HtmlCanvasElement`.
    Canvas(CanvasBackend),
    /// Writes SVG into a string.
    Svg(SVGBackend<'a>),
}

/// The error of either backend.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The canvas failed (plotters-canvas does not export its error type by name).
    #[error("{0}")]
    Canvas(String),
    /// Writing the SVG failed.
    #[error(transparent)]
    Svg(#[from] std::io::Error),
}

type Result<T = ()> = std::result::Result<T, DrawingErrorKind<BackendError>>;

/// Wraps an inner backend's error into [`BackendError`] with `wrap`.
fn lift<E: std::error::Error + Send + Sync>(
    wrap: impl FnOnce(E) -> BackendError,
) -> impl FnOnce(DrawingErrorKind<E>) -> DrawingErrorKind<BackendError> {
    |e| match e {
        DrawingErrorKind::DrawingError(e) => DrawingErrorKind::DrawingError(wrap(e)),
        DrawingErrorKind::FontError(e) => DrawingErrorKind::FontError(e),
    }
}

/// The canvas backend's error, as text.
fn canvas_error(e: <CanvasBackend as DrawingBackend>::ErrorType) -> BackendError {
    BackendError::Canvas(e.to_string())
}

/// Calls the same method on whichever backend this is, lifting its error.
macro_rules! delegate {
    ($self:ident, $b:ident => $call:expr) => {
        match $self {
            ChartBackend::Canvas($b) => $call.map_err(lift(canvas_error)),
            ChartBackend::Svg($b) => $call.map_err(lift(BackendError::Svg)),
        }
    };
}

impl DrawingBackend for ChartBackend<'_> {
    type ErrorType = BackendError;

    fn get_size(&self) -> (u32, u32) {
        match self {
            Self::Canvas(b) => b.get_size(),
            Self::Svg(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> Result {
        delegate!(self, b => b.ensure_prepared())
    }

    fn present(&mut self) -> Result {
        delegate!(self, b => b.present())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result {
        delegate!(self, b => b.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result {
        delegate!(self, b => b.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result {
        delegate!(self, b => b.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result {
        delegate!(self, b => b.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result {
        delegate!(self, b => b.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result {
        delegate!(self, b => b.fill_polygon(vert, style))
    }

    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, pos: BackendCoord) -> Result {
        delegate!(self, b => b.draw_text(text, style, pos))
    }

    fn estimate_text_size<T: BackendTextStyle>(&self, text: &str, style: &T) -> Result<(u32, u32)> {
        match measure(text, style) {
            Some(size) => Ok(size),
            None => delegate!(self, b => b.estimate_text_size(text, style)),
        }
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result {
        delegate!(self, b => b.blit_bitmap(pos, size, src))
    }
}

thread_local! {
    /// A detached canvas's 2D context, for measuring text.
    static MEASURE: Option<CanvasRenderingContext2d> = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        .and_then(|c| c.get_context("2d").ok().flatten())
        .and_then(|c| c.dyn_into().ok());
}

/// Unrotated size of `text` in `style` by the canvas's `measureText`, in the font string
/// plotters-canvas draws with. plotters' own web measurement appends a span to the page for each
/// label, forcing a style and layout pass of the whole page every time. None off the main thread.
fn measure<T: BackendTextStyle>(text: &str, style: &T) -> Option<(u32, u32)> {
    MEASURE.with(|ctx| {
        let ctx = ctx.as_ref()?;
        ctx.set_font(&format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str()));
        let m = ctx.measure_text(text).ok()?;
        Some((m.width().ceil() as u32, (m.font_bounding_box_ascent() + m.font_bounding_box_descent()).ceil() as u32))
    })
}
