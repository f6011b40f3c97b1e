//! The `idscope` command line: list what activation files hold, and estimate their intrinsic
//! dimension natively on all cores, with the same core and the same JSON schema as the web app.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use idscope::analysis::{LayerError, analyse_model_layer};
use idscope::params::{DuplicatePolicy, Metric, Params};
use idscope::readers::{ByteSource, FileSource, Model, group};
use idscope::results::Report;

#[derive(Parser)]
#[command(name = "idscope", version, about = "Intrinsic dimension of neural-network representations (TwoNN, Gride, PC-ID)")]
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
    /// Fraction of the smallest μ kept by the TwoNN fit.
    #[arg(long, default_value_t = 0.9)]
    fraction: f64,
    /// Random 90 % subsets for the error bars (0: none).
    #[arg(long, default_value_t = 20)]
    repeats: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 0)]
    seed: u32,
    /// Duplicated rows: keep one copy (keep-one) or keep all and exclude r1 = 0 (keep).
    #[arg(long, value_parser = ["keep-one", "keep"], default_value = "keep-one")]
    duplicates: String,
    /// Distance: euclidean, or cosine (chord between unit vectors).
    #[arg(long, value_parser = ["euclidean", "cosine"], default_value = "euclidean")]
    metric: String,
    /// Random subsample of at most this many points per layer.
    #[arg(long)]
    max_points: Option<usize>,
    /// Memory (MiB) a layer may take; a larger one is streamed from the file by column chunks.
    #[arg(long, default_value_t = 1024)]
    memory_limit_mb: u64,
    /// Gride scale analysis (n1 = 1, 2, 4, … up to 64 neighbours).
    #[arg(long)]
    gride: bool,
    /// Decimation: ID vs number of points.
    #[arg(long)]
    decimation: bool,
    /// PC-ID and the PCA spectrum.
    #[arg(long)]
    pcid: bool,
    /// Decimation of a Gaussian surrogate with the data's covariance.
    #[arg(long)]
    surrogate: bool,
    /// Print the report as JSON (schema idscope/1).
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { files } => open(&files).map(|m| print!("{}", m.describe())),
        Command::Estimate(args) => estimate(&args),
        Command::Bench { n, d, seconds } => {
            let (peak, gram) = (idscope::knn::bench::simd_peak_gflops(seconds), idscope::knn::bench::gram_gflops(n, d, seconds));
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

fn params(a: &EstimateArgs, per_class: bool) -> Params {
    Params {
        metric: if a.metric == "cosine" { Metric::Cosine } else { Metric::Euclidean },
        duplicates: if a.duplicates == "keep" { DuplicatePolicy::Keep } else { DuplicatePolicy::KeepOne },
        mu_fraction: a.fraction,
        repeats: a.repeats,
        seed: a.seed,
        max_points: a.max_points,
        gride: a.gride,
        decimation: a.decimation,
        pc_id: a.pcid,
        surrogate: a.surrogate,
        per_class,
        memory_limit_mb: a.memory_limit_mb,
        ..Params::default()
    }
}

fn estimate(a: &EstimateArgs) -> Result<(), String> {
    let mut files = a.files.clone();
    files.extend(a.labels.clone());
    let model = open(&files)?;
    let model = if a.layers.is_empty() { model } else { model.select(&a.layers).map_err(|e| e.to_string())? };
    if model.layers.is_empty() {
        return Err(format!("{}: no layers to estimate (only labels)", model.name));
    }
    let labels = model.read_labels().map_err(|e| e.to_string())?;
    let p = params(a, labels.is_some()).check().map_err(|e| e.to_string())?;
    let mut report = Report::new(model.name.clone(), p.get().clone());
    for index in 0..model.layers.len() {
        let result = analyse_model_layer(&model, index, labels.as_ref(), &p, &mut idscope::progress::Silent).map_err(|e| match e {
            LayerError::Read(e) => e.to_string(),
            LayerError::Analysis(e) => format!("{}: {e}", model.name),
        })?;
        if !a.json {
            eprintln!("{}: ID {:.3} (fit), {:.2} s", result.name, result.estimates.twonn.fit.id, result.seconds);
        }
        report.layers.push(result);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        print!("{}", idscope::table::render(&report));
    }
    Ok(())
}
