//! `idscope compare`: several models estimated with the same params, then everything the page's
//! multi-model charts show ([`idscope::compare::compare`]), as text or as JSON.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;
use idscope::analysis::layer_ranks;
use idscope::compare::neighbourhood::{self, LayerNeighbourhood, LayerRanks, ModelNeighbourhoods, Neighbourhoods};
use idscope::compare::{self, Accuracy, Comparison, LayerIds, Measure, ModelInput, ShownLayer, metadata_accuracy};
use idscope::estimators::Params;
use idscope::readers::Model;
use serde::Serialize;

use super::flags::ParamFlags;
use super::{analyse, open};

#[derive(Args)]
pub struct CompareArgs {
    /// One argument per model: a file, or a model's per-layer files joined by commas. Labels in
    /// the files give the per-class IDs. With --neighbourhood, the overlaps between each model's
    /// layers and between the models' layers (χ(A, B)) follow.
    #[arg(required = true, num_args = 1..)]
    models: Vec<String>,
    /// Model names, in the order of the models (default: the file names).
    #[arg(long = "name")]
    names: Vec<String>,
    /// Test accuracies (or top-5 errors with --top5-error), in the order of the models; `-` for
    /// none. Without one, a model's metadata (e.g. `accuracy` in safetensors) is read.
    #[arg(long = "accuracy", allow_hyphen_values = true)]
    accuracies: Vec<String>,
    /// The --accuracy values are top-5 errors.
    #[arg(long)]
    top5_error: bool,
    /// Each model's last hidden layer, by name, in the order of the models (default: the layer
    /// before the last).
    #[arg(long = "last-hidden")]
    last_hidden: Vec<String>,
    /// The layer whose per-class IDs are correlated, by name (default: the first model's last
    /// hidden layer when every model has it, else relative depth 0.5).
    #[arg(long, conflicts_with = "depth")]
    layer: Option<String>,
    /// The relative depth whose per-class IDs are correlated (0, 0.25, 0.5, 0.75 or 1).
    #[arg(long)]
    depth: Option<f64>,
    /// The information imbalances of every layer with the last and the first, beside the
    /// overlaps (turns --neighbourhood on; one exact rank pass over each layer's rows).
    #[arg(long)]
    imbalance: bool,
    #[command(flatten)]
    params: ParamFlags,
    /// Print the params and the comparison as JSON.
    #[arg(long)]
    json: bool,
}

/// What `--json` prints.
#[derive(Serialize)]
struct CompareReport<'a> {
    schema: &'static str,
    idscope_version: &'static str,
    params: Params,
    comparison: &'a Comparison,
    /// The overlaps between layers and models (with --neighbourhood).
    neighbourhoods: Option<&'a Neighbourhoods>,
}

pub fn run(a: &CompareArgs) -> Result<(), String> {
    let mut params = a.params.0.clone();
    params.neighbourhood.run |= a.imbalance;
    let params = &params;
    let mut models = Vec::new();
    let mut kept = Vec::new();
    for (i, spec) in a.models.iter().enumerate() {
        let files: Vec<PathBuf> = spec.split(',').map(PathBuf::from).collect();
        let model = open(&files)?;
        let accuracy = match a.accuracies.get(i).map(String::as_str) {
            None => metadata_accuracy(&model.metadata),
            Some("-") => None,
            Some(v) => {
                let value: f64 = v.parse().map_err(|_| format!("--accuracy {v:?}: not a number"))?;
                Some(Accuracy { measure: if a.top5_error { Measure::Top5Error } else { Measure::Accuracy }, value })
            }
        };
        let report = analyse(&model, params.clone(), !a.json)?;
        let name = a.names.get(i).cloned().unwrap_or_else(|| model.name.clone());
        let mut own = ModelNeighbourhoods {
            model: name.clone(),
            seed: params.seed,
            layers: report.layers.iter().map(LayerNeighbourhood::from).collect(),
            ranks: Vec::new(),
        };
        if a.imbalance {
            own.ranks = imbalance_ranks(&model, &own, params)?;
        }
        kept.push(own);
        models.push(ModelInput {
            model: name,
            layers: report
                .layers
                .iter()
                .map(|l| ShownLayer { name: l.name.clone(), result: Some(LayerIds::from(l)) })
                .collect(),
            hidden: false,
            last_hidden: a.last_hidden.get(i).cloned(),
            accuracy,
        });
    }
    let choice = match (&a.layer, a.depth) {
        (Some(name), _) => Some(format!("name:{name}")),
        (None, Some(d)) => Some(format!("depth:{d}")),
        (None, None) => None,
    };
    let c = compare::compare(&models, choice.as_deref());
    let overlaps = params.neighbourhood.run.then(|| neighbourhood::neighbourhoods(&kept, Some(params.neighbourhood.k)));
    if let Some(asked) = &choice
        && c.choice.as_ref().is_none_or(|got| &got.value != asked)
    {
        return Err(format!("{asked}: not a layer every model with per-class IDs has (choices: {})", values(&c)));
    }
    if a.json {
        let out = CompareReport {
            schema: "idscope-compare/1",
            idscope_version: env!("CARGO_PKG_VERSION"),
            params: params.clone(),
            comparison: &c,
            neighbourhoods: overlaps.as_ref(),
        };
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    } else {
        print!("{}", render(&c));
        if let Some(o) = &overlaps {
            print!("{}", render_overlaps(o));
        }
    }
    Ok(())
}

/// The lists of every rank pass `m`'s information imbalances need, over the layers of `model`
/// (in file order, as `m`'s).
fn imbalance_ranks(model: &Model, m: &ModelNeighbourhoods, params: &Params) -> Result<Vec<LayerRanks>, String> {
    let p = params.clone().check().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for pass in neighbourhood::rank_passes(std::slice::from_ref(m)) {
        let targets = neighbourhood::pass_targets(m, &pass);
        let ranks = layer_ranks(model, pass.layer, &p, &targets, &mut idscope::support::progress::Silent)
            .map_err(|e| e.to_string())?;
        out.extend(pass.targets.iter().zip(ranks).map(|(&target, ranks)| LayerRanks {
            layer: pass.layer,
            target,
            ranks,
        }));
    }
    Ok(out)
}

/// The overlaps as text: a profile table per model, then each matrix, then the notes.
fn render_overlaps(o: &Neighbourhoods) -> String {
    let mut s = String::new();
    let num = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
    let chi = |v: Option<f64>, std: Option<f64>| match std {
        Some(e) if v.is_some() => format!("{} ± {e:.3}", num(v)),
        _ => num(v),
    };
    let bars = match o.repeats {
        0 => String::new(),
        r => format!(", ± std over {r} subsets of {:.0} %", o.subset_fraction * 100.0),
    };
    let _ = writeln!(s, "\nneighbourhood overlaps (k = {}{bars})", o.k);
    for p in &o.profiles {
        let _ = writeln!(s, "model: {}", p.model);
        let _ = writeln!(
            s,
            "{:<20} {:>13} {:>13} {:>13} {:>9} {:>9} {:>9} {:>9}",
            "layer", "χ label", "χ out", "χ in", "Δ(→out)", "Δ(out→)", "Δ(→in)", "Δ(in→)"
        );
        for l in &p.layers {
            let i = l.imbalance;
            let _ = writeln!(
                s,
                "{:<20} {:>13} {:>13} {:>13} {:>9} {:>9} {:>9} {:>9}",
                l.layer,
                chi(l.label, l.label_std),
                chi(l.output, l.output_std),
                chi(l.input, l.input_std),
                num(i.map(|i| i.to_output)),
                num(i.map(|i| i.from_output)),
                num(i.map(|i| i.to_input)),
                num(i.map(|i| i.from_input))
            );
        }
    }
    for m in &o.matrices {
        let _ = writeln!(s, "\nχ between the layers of {} (rows) and {} (columns)", m.a, m.b);
        let _ = writeln!(s, "{:<20} {}", "", m.cols.iter().map(|c| format!("{c:>8.8}")).collect::<Vec<_>>().join(" "));
        for (name, row) in m.rows.iter().zip(&m.values) {
            let _ = writeln!(
                s,
                "{name:<20} {}",
                row.iter().map(|v| format!("{:>8}", num(*v))).collect::<Vec<_>>().join(" ")
            );
        }
    }
    for n in &o.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

fn values(c: &Comparison) -> String {
    let v: Vec<&str> = c.choices.iter().map(|c| c.value.as_str()).collect();
    if v.is_empty() { "none: no per-class IDs".into() } else { v.join(", ") }
}

/// The comparison as text: a table per model, the accuracy fit, the correlation tables.
fn render(c: &Comparison) -> String {
    let mut s = String::new();
    let num = |v: Option<f64>, digits: usize| v.map_or("-".to_owned(), |v| format!("{v:.digits$}"));
    for m in &c.models {
        let _ = writeln!(s, "model: {} (last hidden layer: {})", m.model, m.last_hidden.as_deref().unwrap_or("-"));
        let _ = writeln!(
            s,
            "{:<20} {:>5} {:>6} {:>9} {:>7} {:>20}",
            "layer", "depth", "rel.", "ID (fit)", "± std", "classes: mean ± std"
        );
        for l in &m.layers {
            let classes =
                l.classes.map_or("-".to_owned(), |k| format!("{:.3} ± {:.3} ({})", k.mean, k.std, k.n_classes));
            let _ = writeln!(
                s,
                "{:<20} {:>5} {:>6.3} {:>9} {:>7} {:>20}",
                l.layer,
                l.position,
                l.relative_depth,
                num(l.id, 3),
                num(l.id_err, 3),
                classes
            );
        }
        s.push('\n');
    }
    let f = &c.accuracy_fit;
    let measure = if c.accuracy.measure == Measure::Top5Error { "top-5 error" } else { "accuracy" };
    let _ = writeln!(s, "ID of the last hidden layer vs {measure}: n = {}", f.n);
    for p in &c.accuracy.points {
        let _ = writeln!(s, "  {:<30} {:<16} ID {:.3}  {measure} {}", p.model, p.layer, p.id, p.value);
    }
    let _ = writeln!(s, "  slope {} · intercept {}", num(f.slope, 4), num(f.intercept, 4));
    let _ = writeln!(
        s,
        "  Pearson r = {} (p = {}) · Spearman ρ = {} (p = {})",
        num(f.pearson_r, 4),
        num(f.pearson_p, 4),
        num(f.spearman_rho, 4),
        num(f.spearman_p, 4)
    );
    if let Some(note) = &f.note {
        let _ = writeln!(s, "  {note}");
    }
    match &c.correlation {
        None => {
            let _ = writeln!(s, "\nno correlation of per-class IDs: fewer than two models have them");
        }
        Some(k) => {
            let _ = writeln!(s, "\ncorrelation of per-class IDs at {} ({} classes)", k.ids.layer, k.ids.classes.len());
            if let Some(note) = &k.note {
                let _ = writeln!(s, "  {note}");
            }
            if let Some(t) = &k.table {
                for (title, r, p) in
                    [("Pearson r (p)", &t.pearson, &t.pearson_p), ("Spearman ρ (p)", &t.spearman, &t.spearman_p)]
                {
                    let _ = writeln!(s, "{title}");
                    for (i, row) in r.iter().enumerate() {
                        let cells: Vec<String> =
                            row.iter().zip(&p[i]).map(|(r, p)| format!("{} ({})", num(*r, 3), num(*p, 3))).collect();
                        let _ = writeln!(s, "  {:<30} {}", t.models[i], cells.join("  "));
                    }
                }
            }
        }
    }
    s
}
