//! The `idscope` command line: list what activation files hold, estimate their intrinsic
//! dimension natively on all cores, and compare models, with the same core and the same JSON
//! schemas as the web app.

// A failure is a typed error for the caller to report, never a panic (tests may unwrap).
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod compare;
mod flags;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use flags::ParamFlags;
use idscope::analysis::{LayerError, analyse_model_layer};
use idscope::estimators::Params;
use idscope::readers::{ByteSource, FileSource, Model, group};
use idscope::results::{LayerResult, Report};

#[derive(Parser)]
#[command(
    name = "idscope",
    version,
    about = "Intrinsic dimension of neural-network representations (TwoNN, Gride, PC-ID)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the layers, shapes, dtypes and labels a file (or a group of per-layer files) holds.
    List {
        /// Activation files (.npy, .npz, .safetensors, .csv/.tsv); several files form one model.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Estimate the intrinsic dimension of every layer.
    Estimate(EstimateArgs),
    /// Compare models: ID per layer by absolute and relative depth, per-class mean ± std, the last
    /// hidden layer's ID vs accuracy, and the model × model correlation of per-class IDs.
    Compare(compare::CompareArgs),
    /// One core's SIMD multiply-add peak and the Gram kernel's speed on seeded N × D data, in
    /// GFLOP/s, as JSON (for scripts/bench.sh).
    Bench {
        /// Rows of the Gram benchmark.
        #[arg(long, default_value_t = 2048)]
        n: usize,
        /// Columns of the Gram benchmark.
        #[arg(long, default_value_t = 768)]
        d: usize,
        /// Seconds spent on each measure.
        #[arg(long, default_value_t = 1.0)]
        seconds: f64,
    },
}

#[derive(Args)]
struct EstimateArgs {
    /// Activation files; several files form one model (one layer each, natural order).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Only these layers (repeatable).
    #[arg(long = "layer")]
    layers: Vec<String>,
    /// Labels file (.npy of integers, or a text column); enables per-class estimates.
    #[arg(long)]
    labels: Option<PathBuf>,
    #[command(flatten)]
    params: ParamFlags,
    /// Print the report as JSON (schema idscope/1).
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { files } => open(&files).map(|m| print!("{}", m.describe())),
        Command::Estimate(args) => estimate(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Bench { n, d, seconds } => {
            let (peak, gram) =
                (idscope::knn::bench::simd_peak_gflops(seconds), idscope::knn::bench::gram_gflops(n, d, seconds));
            println!("{{\"peak\": {peak}, \"gram\": {gram}, \"n\": {n}, \"d\": {d}}}");
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idscope: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the files as one model.
fn open(files: &[PathBuf]) -> Result<Model, String> {
    let mut sources: Vec<Box<dyn ByteSource>> = Vec::new();
    for f in files {
        sources.push(Box::new(FileSource::open(f).map_err(|e| e.to_string())?));
    }
    group(sources).map_err(|e| e.to_string())
}

fn estimate(a: &EstimateArgs) -> Result<(), String> {
    let mut files = a.files.clone();
    files.extend(a.labels.clone());
    let model = open(&files)?;
    let model = if a.layers.is_empty() { model } else { model.select(&a.layers).map_err(|e| e.to_string())? };
    let report = analyse(&model, a.params.0.clone(), !a.json)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        print!("{}", idscope::results::table::render(&report));
    }
    Ok(())
}

/// Every layer of `model` (per class when it has labels), a line per layer on stderr with `log`.
fn analyse(model: &Model, params: Params, log: bool) -> Result<Report, String> {
    if model.layers.is_empty() {
        return Err(format!("{}: no layers to estimate (only labels)", model.name));
    }
    let labels = model.read_labels().map_err(|e| e.to_string())?;
    let p = Params { per_class: labels.is_some(), ..params }.check().map_err(|e| e.to_string())?;
    let mut report = Report::new(model.name.clone(), p.get().clone());
    for index in 0..model.layers.len() {
        let result: LayerResult =
            analyse_model_layer(model, index, labels.as_ref(), &p, &mut idscope::support::progress::Silent).map_err(
                |e| match e {
                    LayerError::Read(e) => e.to_string(),
                    LayerError::Analysis(e) => format!("{}: {e}", model.name),
                },
            )?;
        if log {
            eprintln!("{}: ID {:.3} (fit), {:.2} s", result.name, result.estimates.twonn.fit.id, result.seconds);
        }
        report.layers.push(result);
    }
    Ok(report)
}
