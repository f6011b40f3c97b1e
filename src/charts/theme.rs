//! Colours and sizes shared by every chart.

use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, TextStyle};

use super::Style;

/// The colours of a chart in light or dark mode.
///
/// The series palette is Okabe–Ito (readable with colour-vision deficiencies); in dark mode each
/// hue is lightened so it keeps its contrast on the near-black background (series *i* has the
/// same hue in both modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Background fill.
    pub background: RGBColor,
    /// Text: tick labels, axis descriptions, legend.
    pub text: RGBColor,
    /// Axis lines and tick marks.
    pub axis: RGBColor,
    /// Major grid lines.
    pub grid: RGBColor,
    /// Minor grid lines.
    pub grid_minor: RGBColor,
    /// Secondary data (discarded points, reference lines).
    pub muted: RGBColor,
    /// Series colours, in order.
    pub palette: [RGBColor; 6],
}

impl Theme {
    /// The light or dark theme.
    pub fn new(dark: bool) -> Self {
        if dark {
            Self {
                background: RGBColor(0x15, 0x17, 0x1c),
                text: RGBColor(0xe8, 0xe8, 0xea),
                axis: RGBColor(0xa8, 0xab, 0xb2),
                grid: RGBColor(0x3a, 0x3d, 0x45),
                grid_minor: RGBColor(0x26, 0x29, 0x30),
                muted: RGBColor(0x7d, 0x81, 0x8a),
                palette: [
                    RGBColor(0x56, 0xb4, 0xe9), // sky blue
                    RGBColor(0xff, 0x8c, 0x42), // vermillion, lightened
                    RGBColor(0x2e, 0xd0, 0x9c), // bluish green, lightened
                    RGBColor(0xe6, 0x9c, 0xc8), // reddish purple, lightened
                    RGBColor(0xf0, 0xe4, 0x42), // yellow
                    RGBColor(0xe6, 0x9f, 0x00), // orange
                ],
            }
        } else {
            Self {
                background: RGBColor(0xff, 0xff, 0xff),
                text: RGBColor(0x1f, 0x1f, 0x24),
                axis: RGBColor(0x55, 0x57, 0x5e),
                grid: RGBColor(0xdc, 0xdd, 0xe0),
                grid_minor: RGBColor(0xf0, 0xf0, 0xf2),
                muted: RGBColor(0xa0, 0xa3, 0xaa),
                palette: [
                    RGBColor(0x00, 0x72, 0xb2), // blue
                    RGBColor(0xd5, 0x5e, 0x00), // vermillion
                    RGBColor(0x00, 0x9e, 0x73), // bluish green
                    RGBColor(0xcc, 0x79, 0xa7), // reddish purple
                    RGBColor(0x8a, 0x6d, 0x00), // dark yellow (yellow is unreadable on white)
                    RGBColor(0xe6, 0x9f, 0x00), // orange
                ],
            }
        }
    }

    /// The colour of series `i` (cycling through the palette).
    pub fn series(&self, i: usize) -> RGBColor {
        self.palette[i % self.palette.len()]
    }
}

/// Font sizes and line widths in CSS pixels at scale 1 (big enough for a lecture projector).
pub(crate) const TICK_FONT: f64 = 14.0;
pub(crate) const LABEL_FONT: f64 = 16.0;
pub(crate) const LEGEND_FONT: f64 = 14.0;
pub(crate) const LINE: f64 = 2.5;
pub(crate) const THIN: f64 = 1.5;
pub(crate) const MARKER: f64 = 4.0;

impl Style {
    /// `v` CSS pixels in backend pixels (at least 1).
    pub(crate) fn px(&self, v: f64) -> u32 {
        let s = if self.scale.is_finite() && self.scale > 0.0 { self.scale } else { 1.0 };
        (v * s).round().max(1.0) as u32
    }

    /// Text of `size` CSS pixels in `color`.
    pub(crate) fn text(&self, size: f64, color: RGBColor) -> TextStyle<'static> {
        let font = FontDesc::new(FontFamily::Name(self.font), self.px(size) as f64, FontStyle::Normal);
        TextStyle { font, color: color.to_backend_color(), pos: Default::default() }
    }
}
