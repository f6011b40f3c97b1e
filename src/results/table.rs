//! Plain-text rendering of a report: the CLI's default output.

use std::fmt::Write;

use crate::results::{Estimates, Report};

/// A table of the per-layer estimates, followed by the Gride, decimation and per-class sections
/// that were computed.
pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "model: {}", report.model);
    let _ = writeln!(
        s,
        "{:<20} {:>7} {:>8} {:>6} {:>9} {:>9} {:>15} {:>7} {:>6} {:>8}",
        "layer", "N", "D", "dups", "ID (ML)", "ID (fit)", "ID ± std (90%)", "R²", "PC-ID", "seconds"
    );
    for l in &report.layers {
        let e = &l.estimates;
        let rep = e.twonn.repeats.as_ref().map_or("-".to_owned(), |r| format!("{:.2} ± {:.2}", r.fit_mean, r.fit_std));
        let _ = writeln!(
            s,
            "{:<20} {:>7} {:>8} {:>6} {:>9.3} {:>9.3} {:>15} {:>7.4} {:>6} {:>8.2}",
            truncate(&l.name, 20),
            e.n,
            l.dim,
            e.duplicates.duplicate_rows,
            e.twonn.ml.id,
            e.twonn.fit.id,
            rep,
            e.twonn.fit.r2,
            e.pc_id.as_ref().map_or("-".to_owned(), |p| p.id.to_string()),
            l.seconds
        );
    }
    for l in &report.layers {
        sections(&mut s, &l.name, &l.estimates);
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

fn sections(s: &mut String, name: &str, e: &Estimates) {
    if !e.gride.is_empty() {
        let _ = writeln!(
            s,
            "\n{name}: Gride (ID vs neighbour order)\n{:>5} {:>5} {:>9} {:>8} {:>10}",
            "n1", "n2", "ID", "err", "scale"
        );
        for g in &e.gride {
            let _ = writeln!(s, "{:>5} {:>5} {:>9.3} {:>8.3} {:>10.4}", g.n1, g.n2, g.id, g.err, g.scale);
        }
    }
    for (title, rows) in [("decimation", &e.decimation), ("Gaussian surrogate decimation", &e.surrogate)] {
        if !rows.is_empty() {
            let _ = writeln!(
                s,
                "\n{name}: {title} (ID vs N)\n{:>7} {:>7} {:>9} {:>8} {:>10}",
                "N", "blocks", "ID", "std", "mean r2"
            );
            for d in rows.iter() {
                let _ =
                    writeln!(s, "{:>7} {:>7} {:>9.3} {:>8.3} {:>10.4}", d.size, d.blocks, d.id_mean, d.id_std, d.scale);
            }
        }
    }
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
