//! Activation file readers (.npy, .npz, safetensors, CSV/TSV, labels) over a random-access byte
//! source.
//!
//! * [`open`] sniffs a file by its magic bytes and lists what it holds from headers alone
//!   ([`Container`]); rows are read on demand ([`Container::read_rows`]) or a whole layer with the
//!   NaN/Inf policy ([`Container::read_layer`]).
//! * [`group`] takes several files (one .npy per layer, plus a labels file) as one [`Model`].
//! * Every failure is a [`ReadError`] naming the file, the layer and the problem; hostile input
//!   never panics, hangs, or allocates more than the file justifies (see [`Limits`]).
//!
//! **NaN/Inf policy** ([`LayerReader::read_all`]): rows holding NaN or ±Inf are dropped and
//! counted (`LayerData::non_finite_dropped`, `kept_rows` keeps the original indices so labels can
//! follow); a layer where more than 10 % of rows would be dropped is refused.

mod container;
mod crc;
mod dtype;
mod error;
mod labels;
mod layer;
mod model;
mod names;
mod natural;
mod npy;
mod open;
mod safetensors;
mod seq;
mod sniff;
mod source;
mod text;
mod zip;

pub use container::{Container, Skipped};
pub use dtype::{DType, Scalar};
pub use error::{ErrorKind, ReadError};
pub use labels::{Labels, LabelsInfo, LabelsReader};
pub use layer::{LayerData, LayerInfo, LayerReader};
#[cfg(not(target_arch = "wasm32"))]
pub use model::open_paths;
pub use model::{Model, group, group_with};
pub use names::is_label_name;
pub use natural::natural_cmp;
pub use open::{open, open_with};
pub use sniff::sniff;
#[cfg(not(target_arch = "wasm32"))]
pub use source::FileSource;
pub use source::{ByteSource, MaybeSendSync, MemorySource, READ_AHEAD, SourceError};
pub use text::Delimiter;

/// File formats recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// NumPy `.npy`.
    Npy,
    /// NumPy `.npz` (zip of .npy, stored or deflated).
    Npz,
    /// Hugging Face safetensors.
    Safetensors,
    /// A delimited text table.
    Text(Delimiter),
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Format::Npy => f.write_str("npy"),
            Format::Npz => f.write_str("npz"),
            Format::Safetensors => f.write_str("safetensors"),
            Format::Text(Delimiter::Comma) => f.write_str("csv"),
            Format::Text(Delimiter::Tab) => f.write_str("tsv"),
            Format::Text(d) => write!(f, "text ({})", d.name()),
        }
    }
}

/// Caps that bound work and memory on hostile input.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Longest .npy header dict (NumPy itself writes a few hundred bytes).
    pub max_npy_header: u64,
    /// Longest safetensors JSON header (the `safetensors` crate uses 100 MB too).
    pub max_safetensors_header: u64,
    /// Most members in a zip (.npz).
    pub max_zip_members: usize,
    /// Most bytes all deflated members of one archive may inflate to together.
    pub max_inflated_total: u64,
    /// Longest text line.
    pub max_text_line: usize,
    /// Largest share of rows with NaN/±Inf that `read_layer` drops before refusing the layer.
    pub max_non_finite_fraction: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_npy_header: 1 << 20,
            max_safetensors_header: 100_000_000,
            max_zip_members: 4096,
            max_inflated_total: 64 << 30,
            max_text_line: 64 << 20,
            max_non_finite_fraction: 0.10,
        }
    }
}

/// What idscope says when given a PyTorch checkpoint or any pickle.
pub const PYTORCH_HELP: &str = "\
this is a PyTorch checkpoint or Python pickle; idscope never unpickles (loading a pickle can run \
arbitrary code). Save the activations as .npz or safetensors instead:
    import numpy as np, torch
    acts = torch.load(\"acts.pt\")   # {layer name: tensor of shape (N, ...)}
    np.savez(\"acts.npz\", **{k: v.detach().float().cpu().numpy() for k, v in acts.items()})
or: from safetensors.torch import save_file; save_file({k: v.contiguous() for k, v in acts.items()}, \"acts.safetensors\")";
