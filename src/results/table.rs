//! Plain-text rendering of a report: the CLI's default output.

use std::fmt::Write;

use crate::estimators;
use crate::results::Report;

/// A table of the per-layer estimates (each registered estimator's columns), followed by the
/// estimators' sections (Gride, decimation, …) and the per-class lines that were computed.
pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "model: {}", report.model);
    let columns = estimators::table_columns();
    let _ = write!(s, "{:<20} {:>7} {:>8} {:>6}", "layer", "N", "D", "dups");
    for (header, width) in &columns {
        let _ = write!(s, " {header:>width$}");
    }
    let _ = writeln!(s, " {:>8}", "seconds");
    for l in &report.layers {
        let e = &l.estimates;
        let _ = write!(s, "{:<20} {:>7} {:>8} {:>6}", truncate(&l.name, 20), e.n, l.dim, e.duplicates.duplicate_rows);
        for ((_, width), cell) in columns.iter().zip(estimators::table_cells(e)) {
            let _ = write!(s, " {cell:>width$}");
        }
        let _ = writeln!(s, " {:>8.2}", l.seconds);
    }
    for l in &report.layers {
        for (title, lines) in estimators::table_sections(&l.estimates) {
            let _ = writeln!(s, "\n{}: {title}", l.name);
            for line in lines {
                let _ = writeln!(s, "{line}");
            }
        }
        for c in &l.classes {
            let _ = writeln!(
                s,
                "  {} / class {}: N {}, ID (fit) {:.3}, ID (ML) {:.3}",
                l.name, c.name, c.estimates.n, c.estimates.twonn.fit.id, c.estimates.twonn.ml.id
            );
        }
        for c in &l.skipped_classes {
            let _ = writeln!(s, "  {} / class {}: skipped: {}", l.name, c.name, c.reason);
        }
    }
    s
}

fn truncate(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        name.to_owned()
    } else {
        let mut t: String = name.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}
