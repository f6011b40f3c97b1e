//! Progress reporting and cancellation, checked between blocks of work.
//!
//! Long computations take a `&mut dyn Progress`; they report the fraction done and stop with
//! [`Cancelled`] as soon as the sink asks for it. Nested stages map their own 0..1 onto a slice
//! of the parent's range with [`Stage`], so a whole analysis reports one monotone fraction.

/// The computation was cancelled by its progress sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// Receives the fraction of work done (0..=1); returning `Err(Cancelled)` stops the work.
pub trait Progress {
    /// Called between blocks of work with the fraction done so far.
    fn update(&mut self, fraction: f64) -> Result<(), Cancelled>;
}

/// A sink that ignores progress and never cancels.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn update(&mut self, _fraction: f64) -> Result<(), Cancelled> {
        Ok(())
    }
}

impl<F: FnMut(f64) -> Result<(), Cancelled>> Progress for F {
    fn update(&mut self, fraction: f64) -> Result<(), Cancelled> {
        self(fraction)
    }
}

/// Maps a sub-task's 0..1 onto `[start, end]` of the parent sink.
pub struct Stage<'a> {
    parent: &'a mut dyn Progress,
    start: f64,
    end: f64,
}

impl<'a> Stage<'a> {
    /// A stage covering `[start, end]` of `parent`'s range.
    pub fn new(parent: &'a mut dyn Progress, start: f64, end: f64) -> Self {
        Self { parent, start, end }
    }
}

impl Progress for Stage<'_> {
    fn update(&mut self, fraction: f64) -> Result<(), Cancelled> {
        let f = fraction.clamp(0.0, 1.0);
        self.parent.update(self.start + (self.end - self.start) * f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_maps_fraction_into_parent_range() {
        let mut seen = Vec::new();
        let mut sink = |f: f64| {
            seen.push(f);
            Ok(())
        };
        let mut stage = Stage::new(&mut sink, 0.5, 0.75);
        stage.update(0.0).unwrap();
        stage.update(1.0).unwrap();
        stage.update(2.0).unwrap();
        assert_eq!(seen, vec![0.5, 0.75, 0.75]);
    }

    #[test]
    fn cancellation_propagates_through_stages() {
        let mut sink = |f: f64| if f > 0.6 { Err(Cancelled) } else { Ok(()) };
        let mut stage = Stage::new(&mut sink, 0.5, 1.0);
        assert!(stage.update(0.1).is_ok());
        assert_eq!(stage.update(0.5), Err(Cancelled));
    }
}
