//! Plain-text rendering of a report: the CLI's default output.

use std::fmt::Write;

use crate::estimators::{self, ColumnAt};
use crate::results::{Estimates, Report};

/// A table of the per-layer estimates (the registered estimators' columns with a header, as the
/// page's table shows them), followed by the estimators' sections (Gride, decimation, …) and the
/// per-class lines that were computed.
pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "model: {}", report.model);
    let columns: Vec<ColumnAt> = estimators::columns().into_iter().filter(|c| c.header.is_some()).collect();
    let cells: Vec<Vec<String>> = report.layers.iter().map(|l| row(&columns, &l.estimates)).collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells.iter().map(|r| r[i].chars().count()).chain(c.header.map(|h| h.chars().count())).fold(1, usize::max)
        })
        .collect();
    let _ = write!(s, "{:<20} {:>7} {:>8} {:>6}", "layer", "N", "D", "dups");
    for (c, width) in columns.iter().zip(&widths) {
        let _ = write!(s, " {:>width$}", c.header.unwrap_or_default());
    }
    let _ = writeln!(s, " {:>8}", "seconds");
    for (l, row) in report.layers.iter().zip(&cells) {
        let e = &l.estimates;
        let _ = write!(s, "{:<20} {:>7} {:>8} {:>6}", truncate(&l.name, 20), e.n, l.dim, e.duplicates.duplicate_rows);
        for (cell, width) in row.iter().zip(&widths) {
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

/// The cells of `columns` for estimates `e`: "value", "value ± spread", or "-" where absent.
fn row(columns: &[ColumnAt], e: &Estimates) -> Vec<String> {
    let json = serde_json::to_value(e).unwrap_or_default();
    let at = |pointer: &str| json.pointer(pointer).and_then(serde_json::Value::as_f64);
    columns
        .iter()
        .map(|c| match (at(&c.value), c.spread.as_deref().and_then(at)) {
            (None, _) => "-".to_owned(),
            (Some(v), None) => format!("{v:.*}", c.digits),
            (Some(v), Some(sd)) => format!("{v:.*} ± {sd:.*}", c.digits, c.digits),
        })
        .collect()
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
