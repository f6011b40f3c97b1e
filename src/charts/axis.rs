//! Axes: linear or logarithmic scales with "nice" ticks and their labels.
//!
//! A log axis is a linear axis of log₁₀ v (or log₂ v): data are transformed with [`Axis::to`]
//! before plotting, and the tick labels show v itself.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

/// How values map onto an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    Linear,
    Log10,
    Log2,
}

impl Scale {
    /// The axis coordinate of `v` (None for v ≤ 0 on a log scale or non-finite v).
    pub(crate) fn to(self, v: f64) -> Option<f64> {
        let t = match self {
            Scale::Linear => v,
            Scale::Log10 if v > 0.0 => v.log10(),
            Scale::Log2 if v > 0.0 => v.log2(),
            _ => return None,
        };
        t.is_finite().then_some(t)
    }

    fn from(self, t: f64) -> f64 {
        match self {
            Scale::Linear => t,
            Scale::Log10 => 10f64.powf(t),
            Scale::Log2 => 2f64.powf(t),
        }
    }
}

/// One axis: its scale, its range (in axis coordinates) and its ticks with labels.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub scale: Scale,
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<(f64, String)>,
    pub minor: Vec<f64>,
}

impl Axis {
    /// An axis over the values `lo..hi` (value domain), padded by `pad` of the span on each
    /// side (in axis coordinates), with about `target` ticks. A zero-width range is widened;
    /// `None` when the bounds are not finite (or not positive on a log scale).
    pub(crate) fn new(scale: Scale, lo: f64, hi: f64, pad: f64, target: usize) -> Option<Self> {
        let (mut a, mut b) = (scale.to(lo)?, scale.to(hi)?);
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        if b - a <= 1e-12 * a.abs().max(1.0) {
            let w = match scale {
                Scale::Linear => (a.abs() * 0.1).max(0.5),
                Scale::Log10 => 0.5,
                Scale::Log2 => 1.0,
            };
            a -= w;
            b += w;
        }
        let span = b - a;
        let (a, b) = (a - pad * span, b + pad * span);
        let mut axis = Self { scale, lo: a, hi: b, ticks: Vec::new(), minor: Vec::new() };
        axis.make_ticks(target.max(2));
        Some(axis)
    }

    /// A linear axis of whole numbers (ranks, counts): ticks at integer steps only.
    pub(crate) fn integer(lo: f64, hi: f64, pad: f64, target: usize) -> Option<Self> {
        let mut axis = Self::new(Scale::Linear, lo, hi, pad, target)?;
        axis.ticks = nice_ticks(axis.lo, axis.hi, target.max(2), 1.0);
        Some(axis)
    }

    /// A linear axis from exactly `lo` (e.g. 0 for densities) to `hi` padded by `pad`.
    pub(crate) fn from_zero(hi: f64, pad: f64, target: usize) -> Option<Self> {
        let hi = if hi.is_finite() && hi > 0.0 { hi } else { 1.0 };
        let mut axis =
            Self { scale: Scale::Linear, lo: 0.0, hi: hi * (1.0 + pad), ticks: Vec::new(), minor: Vec::new() };
        axis.make_ticks(target.max(2));
        Some(axis)
    }

    /// An axis whose ticks are given (position in axis coordinates, label).
    pub(crate) fn with_ticks(lo: f64, hi: f64, ticks: Vec<(f64, String)>) -> Self {
        Self { scale: Scale::Linear, lo, hi, ticks, minor: Vec::new() }
    }

    /// Axis coordinate of a value.
    pub(crate) fn to(&self, v: f64) -> Option<f64> {
        self.scale.to(v)
    }

    /// The plotters coordinate spec: linear over `lo..hi`, with exactly these ticks and labels.
    pub(crate) fn spec(&self) -> Coord {
        Coord(self.clone())
    }

    /// The label of the tick nearest to `t` (plotters asks with the tick positions given).
    pub(crate) fn label(&self, t: f64) -> String {
        self.ticks
            .iter()
            .min_by(|p, q| (p.0 - t).abs().total_cmp(&(q.0 - t).abs()))
            .map(|p| p.1.clone())
            .unwrap_or_default()
    }

    fn make_ticks(&mut self, target: usize) {
        match self.scale {
            Scale::Linear => self.ticks = linear_ticks(self.lo, self.hi, target),
            Scale::Log2 => self.log2_ticks(target),
            Scale::Log10 => self.log10_ticks(target),
        }
    }

    fn log2_ticks(&mut self, target: usize) {
        let (k0, k1) = (self.lo.ceil() as i64, self.hi.floor() as i64);
        if k1 - k0 + 1 < 2 {
            return self.value_ticks(target);
        }
        let every = ((k1 - k0 + 1) as usize).div_ceil(target).max(1);
        self.ticks = (k0..=k1).step_by(every).map(|k| (k as f64, sig(2f64.powi(k as i32)))).collect();
    }

    fn log10_ticks(&mut self, target: usize) {
        let (k0, k1) = (self.lo.ceil() as i64, self.hi.floor() as i64);
        let decades = (k1 - k0 + 1).max(0) as usize;
        if decades >= 3 {
            let every = decades.div_ceil(target).max(1);
            self.ticks = (k0..=k1).step_by(every).map(|k| (k as f64, decade(k))).collect();
            if every == 1 && decades <= 4 {
                self.minor = (k0 - 1..=k1)
                    .flat_map(|k| (2..10).map(move |m| k as f64 + (m as f64).log10()))
                    .filter(|t| (self.lo..=self.hi).contains(t))
                    .collect();
            }
            return;
        }
        // 1-2-5 ticks within a few decades.
        let mut ticks: Vec<(f64, String)> = (k0 - 1..=k1)
            .flat_map(|k| [1.0, 2.0, 5.0].map(|m| (k as f64 + f64::log10(m), m * 10f64.powi(k as i32))))
            .filter(|(t, _)| (self.lo..=self.hi).contains(t))
            .map(|(t, v)| (t, sig(v)))
            .collect();
        if ticks.len() >= 3 && ticks.len() <= target + 2 {
            std::mem::take(&mut ticks).into_iter().for_each(|t| self.ticks.push(t));
            return;
        }
        self.value_ticks(target);
    }

    /// Linear "nice" ticks in the value domain, placed on the log axis (for narrow log ranges).
    fn value_ticks(&mut self, target: usize) {
        let (a, b) = (self.scale.from(self.lo), self.scale.from(self.hi));
        self.ticks =
            linear_ticks(a, b, target).into_iter().filter_map(|(v, l)| self.scale.to(v).map(|t| (t, l))).collect();
    }
}

/// A plotters coordinate: linear over the axis range, ticks and labels from the [`Axis`].
#[derive(Debug, Clone)]
pub(crate) struct Coord(Axis);

impl Ranged for Coord {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = (v - self.0.lo) / (self.0.hi - self.0.lo);
        let len = (limit.1 - limit.0) as f64;
        // Far outside values saturate instead of overflowing; NaN maps to the start.
        let f = if f.is_nan() { 0.0 } else { f.clamp(-10.0, 11.0) };
        limit.0 + (len * f + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.0.minor.clone()
        } else {
            self.0.ticks.iter().map(|t| t.0).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        self.0.lo..self.0.hi
    }
}

impl ValueFormatter<f64> for Coord {
    fn format_ext(&self, value: &f64) -> String {
        self.0.label(*value)
    }
}

/// Ticks at multiples of a 1-2-2.5-5 step within `lo..=hi`, about `target` of them.
pub(crate) fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<(f64, String)> {
    nice_ticks(lo, hi, target, 0.0)
}

/// [`linear_ticks`] with a step of at least `min_step`.
fn nice_ticks(lo: f64, hi: f64, target: usize, min_step: f64) -> Vec<(f64, String)> {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return vec![(lo, sig(lo))];
    }
    let raw = (span / target.max(1) as f64).max(min_step);
    let mag = 10f64.powf(raw.log10().floor());
    let m = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .filter(|&m| min_step < 1.0 || (m * mag).fract() == 0.0)
        .find(|&m| m * mag >= raw)
        .unwrap_or(10.0);
    let step = m * mag;
    // Digits after the point that the step needs (2.5 → 1, 0.05 → 2, 25 → 0).
    let decimals =
        (0..12).find(|&d| ((step * 10f64.powi(d)).round() - step * 10f64.powi(d)).abs() < 1e-6).unwrap_or(12) as usize;
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last.min(first + 100))
        .map(|i| {
            let v = i as f64 * step;
            (v, super::num(v, decimals))
        })
        .collect()
}

/// 10^k as text: plain for moderate k, else with a superscript exponent.
fn decade(k: i64) -> String {
    if (-3..=5).contains(&k) {
        return sig(10f64.powi(k as i32));
    }
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits: String =
        k.unsigned_abs().to_string().chars().filter_map(|c| c.to_digit(10).map(|d| SUP[d as usize])).collect();
    format!("10{}{}", if k < 0 { "⁻" } else { "" }, digits)
}

fn sig(v: f64) -> String {
    // Tick values are exact multiples: print the shortest form that round-trips at 6 digits.
    let s = format!("{:.6}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('-', "−")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_nice_and_inside() {
        let t = linear_ticks(0.0, 9.7, 5);
        let v: Vec<f64> = t.iter().map(|t| t.0).collect();
        assert_eq!(v, vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(t[1].1, "2");
        let t = linear_ticks(1.0, 1.9, 5);
        assert_eq!(t.first().map(|t| t.1.as_str()), Some("1.0"));
    }

    #[test]
    fn log_axes_label_values_not_logs() {
        let a = Axis::new(Scale::Log10, 20.0, 20000.0, 0.0, 6).unwrap();
        let labels: Vec<&str> = a.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, vec!["100", "1000", "10000"]);
        let a = Axis::new(Scale::Log2, 2.0, 64.0, 0.0, 8).unwrap();
        assert_eq!(a.ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(), vec!["2", "4", "8", "16", "32", "64"]);
        let a = Axis::new(Scale::Log10, 1.0, 1.8, 0.0, 5).unwrap();
        assert!(a.ticks.len() >= 3, "{:?}", a.ticks);
        assert_eq!(decade(-7), "10⁻⁷");
    }

    #[test]
    fn degenerate_ranges_are_widened_not_rejected() {
        let a = Axis::new(Scale::Linear, 3.0, 3.0, 0.05, 5).unwrap();
        assert!(a.lo < 3.0 && a.hi > 3.0 && !a.ticks.is_empty());
        assert!(Axis::new(Scale::Log10, 0.0, 1.0, 0.0, 5).is_none());
        assert!(Axis::new(Scale::Linear, f64::NAN, 1.0, 0.0, 5).is_none());
    }
}
