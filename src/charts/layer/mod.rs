//! The charts of one layer's estimates, listed once: the page makes a card for each entry of
//! [`LAYER_CHARTS`] (`layerCharts()`), draws it through [`draw_layer`] and exports its numbers
//! from [`layer_rows`], so a new per-layer chart is its module here (its drawing function) and its
//! entries in this file.

pub mod density;
pub mod scaling;
pub mod spectrum;
pub mod twonn;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use serde::Serialize;

use crate::charts::{ChartError, Hover, Style};
use crate::results::{DecimationPoint, Estimates};
use density::{dendrogram_chart, density_histogram};
use scaling::{DecimationOptions, GrideOptions, GrideX, decimation, gride, surrogate_test};
use spectrum::{SpectrumOptions, spectrum};
use twonn::{MuOptions, cdf_fit, mu_histogram};

/// A chart of one layer: its card in the page.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerChart {
    /// Its name (`draw_chart`'s kind).
    pub kind: &'static str,
    /// The card's title.
    pub title: &'static str,
    /// The results field a later pass adds that it draws, with the parameter that asks for it: the
    /// card draws the layer's result with every pass's part once that field is filled, and shows
    /// while the parameter is on. `None`: it draws the whole-set result and always shows.
    pub pass: Option<(&'static str, &'static str)>,
}

/// Every per-layer chart, in the page's order.
pub const LAYER_CHARTS: &[LayerChart] = &[
    LayerChart { kind: "mu", title: "μ distribution and Pareto fit", pass: None },
    LayerChart { kind: "cdf", title: "Empirical CDF linear fit", pass: None },
    LayerChart { kind: "decimation", title: "ID vs number of points", pass: None },
    LayerChart { kind: "gride", title: "Gride ID vs neighbourhood scale", pass: None },
    LayerChart { kind: "spectrum", title: "PCA spectrum", pass: None },
    LayerChart {
        kind: "surrogate",
        title: "Data vs Gaussian surrogate: ID vs number of points",
        pass: Some(("surrogate", "surrogate")),
    },
    LayerChart {
        kind: "density",
        title: "Density: log ρ of the points by density peak",
        pass: Some(("density", "density")),
    },
    LayerChart { kind: "dendrogram", title: "Dendrogram of the density peaks", pass: Some(("density", "density")) },
];

/// Options the per-layer charts read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerOptions {
    /// Logarithmic μ axis (μ histogram).
    pub log_x: bool,
}

/// Draws per-layer chart `kind` of `e`; `None` for a kind not in [`LAYER_CHARTS`].
pub fn draw_layer<DB: DrawingBackend>(
    kind: &str,
    area: &DrawingArea<DB, Shift>,
    e: &Estimates,
    o: &LayerOptions,
    style: &Style,
) -> Option<Result<Vec<Hover>, ChartError>> {
    Some(match kind {
        "mu" => mu_histogram(area, e, &MuOptions { log_x: o.log_x, ..Default::default() }, style),
        "cdf" => cdf_fit(area, e, style),
        "decimation" => decimation(area, e, &DecimationOptions::default(), style),
        "gride" => gride(area, e, &GrideOptions { x: GrideX::Scale }, style),
        "spectrum" => spectrum(area, e, &SpectrumOptions::default(), style),
        "surrogate" => surrogate_test(area, e, style),
        "density" => density_histogram(area, e, style),
        "dendrogram" => dendrogram_chart(area, e, style),
        _ => return None,
    })
}

/// A cell of a chart's numbers: a number or a label.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Cell {
    /// A number.
    Num(f64),
    /// A label.
    Text(&'static str),
}

/// The numbers per-layer chart `kind` shows, as rows under a header (its CSV export); `None` for
/// a kind not in [`LAYER_CHARTS`].
pub fn layer_rows(kind: &str, e: &Estimates) -> Option<(Vec<&'static str>, Vec<Vec<Cell>>)> {
    let num = |v: usize| Cell::Num(v as f64);
    let scale = |series: &'static str, points: &[DecimationPoint]| -> Vec<Vec<Cell>> {
        points
            .iter()
            .map(|p| {
                let nums = [p.id_mean, p.id_std, p.scale].map(Cell::Num);
                [Cell::Text(series), num(p.size), num(p.blocks)].into_iter().chain(nums).collect()
            })
            .collect()
    };
    Some(match kind {
        "mu" => (vec!["mu"], e.twonn.mu.iter().map(|&m| vec![Cell::Num(m)]).collect()),
        "cdf" => {
            let fit = &e.twonn.fit;
            let rows = |pts: &[[f64; 2]], used: f64| -> Vec<Vec<Cell>> {
                pts.iter().map(|&[x, y]| vec![Cell::Num(x), Cell::Num(y), Cell::Num(used)]).collect()
            };
            let mut all = rows(&fit.points, 1.0);
            all.extend(rows(&fit.discarded, 0.0));
            (vec!["log_mu", "minus_log_1_minus_F", "in_fit"], all)
        }
        "decimation" | "surrogate" => {
            let mut rows = scale("data", &e.decimation);
            if kind == "surrogate" {
                rows.extend(scale("surrogate", &e.surrogate));
            }
            (vec!["series", "size", "blocks", "id_mean", "id_std", "scale"], rows)
        }
        "gride" => (
            vec!["n1", "n2", "id", "err", "scale"],
            e.gride
                .iter()
                .map(|g| vec![num(g.n1), num(g.n2), Cell::Num(g.id), Cell::Num(g.err), Cell::Num(g.scale)])
                .collect(),
        ),
        "spectrum" => {
            let spectrum = e.pc_id.as_ref().map_or(&[][..], |p| &p.spectrum[..]);
            let cumulative = spectrum.iter().scan(0.0, |sum, r| {
                *sum += r;
                Some(*sum)
            });
            let rows = spectrum.iter().zip(cumulative).enumerate();
            (
                vec!["component", "explained_ratio", "cumulative"],
                rows.map(|(i, (&r, c))| vec![num(i + 1), Cell::Num(r), Cell::Num(c)]).collect(),
            )
        }
        "density" => {
            let Some(d) = e.density.as_ref() else { return Some((vec![], vec![])) };
            let rows = (0..d.kstar.len()).map(|i| {
                let cluster = d.clusters.assignment[i];
                vec![
                    num(i),
                    Cell::Num(d.pak.log_den[i]),
                    Cell::Num(d.pak.log_den_err[i]),
                    num(d.kstar[i] as usize),
                    Cell::Num(cluster as f64),
                ]
            });
            (vec!["point", "log_den", "log_den_err", "kstar", "cluster"], rows.collect())
        }
        "dendrogram" => {
            let Some(t) = e.density.as_ref().and_then(|d| d.dendrogram.as_ref()) else { return Some((vec![], vec![])) };
            let leaves = (0..t.leaves).map(|c| {
                vec![
                    Cell::Text("peak"),
                    num(c),
                    Cell::Num(f64::NAN),
                    Cell::Num(f64::NAN),
                    Cell::Num(t.peaks[c]),
                    num(t.sizes[c]),
                ]
            });
            let links = t
                .links
                .iter()
                .map(|l| vec![Cell::Text("merge"), num(l.node), num(l.a), num(l.b), Cell::Num(l.saddle), num(l.size)]);
            (vec!["kind", "node", "a", "b", "log_den", "size"], leaves.chain(links).collect())
        }
        _ => return None,
    })
}
