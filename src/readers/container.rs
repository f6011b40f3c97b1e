//! What one file holds ([`Container`]): its layers, labels and skipped entries, and reading them.

use std::ops::Range;

use ndarray::Array2;

use super::Format;
use super::error::{ReadError, shape_text};
use super::labels::{Labels, LabelsInfo, LabelsReader};
use super::layer::{LayerData, LayerInfo, LayerReader, layer_reader};

/// An entry of a file that is not read, and why (shown by `idscope list`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Member or tensor name.
    pub name: String,
    /// Why it is not a layer.
    pub reason: String,
}

/// What one file holds: layers in order, labels, metadata, and the entries that were skipped.
#[derive(Debug, Clone)]
pub struct Container {
    /// The sniffed format.
    pub format: Format,
    /// Layers, in file order (npz: archive order; safetensors: natural order of names).
    pub entries: Vec<LayerInfo>,
    /// Labels, if the file holds them.
    pub labels: Option<LabelsInfo>,
    /// Key/value metadata (safetensors `__metadata__`, text delimiter and header).
    pub metadata: Vec<(String, String)>,
    /// Entries not read, with reasons.
    pub skipped: Vec<Skipped>,
    pub(crate) readers: Vec<LayerReader>,
    pub(crate) labels_reader: Option<LabelsReader>,
    pub(crate) name: String,
}

/// The file name without folders and extension: the layer name of a one-array file.
pub(crate) fn file_stem(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i > 0 => base.get(..i).unwrap_or(base),
        _ => base,
    }
}

impl Container {
    /// The file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Index of the layer called `name`.
    pub fn layer_index(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name)
    }

    /// A reader for one layer (cheap to clone; several can read disjoint rows at once).
    pub fn layer(&self, layer: usize) -> Option<&LayerReader> {
        self.readers.get(layer)
    }

    fn reader(&self, layer: usize) -> Result<&LayerReader, ReadError> {
        layer_reader(&self.readers, &self.name, layer)
    }

    /// Rows `rows` of layer `layer` as `f32`, exactly as stored.
    pub fn read_rows(&self, layer: usize, rows: Range<usize>) -> Result<Array2<f32>, ReadError> {
        self.reader(layer)?.read_rows(rows)
    }

    /// A whole layer with the NaN/Inf policy (see [`LayerReader::read_all`]).
    pub fn read_layer(&self, layer: usize) -> Result<LayerData, ReadError> {
        self.reader(layer)?.read_all()
    }

    /// The labels, if the file holds any.
    pub fn read_labels(&self) -> Result<Option<Labels>, ReadError> {
        self.labels_reader.as_ref().map(LabelsReader::read).transpose()
    }

    /// One line per layer, labels and skipped entry (what `idscope list` prints).
    pub fn describe(&self) -> String {
        let mut s = format!("{} ({})\n", self.name, self.format);
        for e in &self.entries {
            s.push_str(&describe_layer(e));
        }
        if let Some(l) = &self.labels {
            s.push_str(&format!("  labels \"{}\": {} × {}\n", l.name, l.len, l.dtype));
        }
        for k in &self.skipped {
            s.push_str(&format!("  skipped \"{}\": {}\n", k.name, k.reason));
        }
        for (k, v) in &self.metadata {
            s.push_str(&format!("  {k}: {v}\n"));
        }
        s
    }
}

pub(crate) fn describe_layer(e: &LayerInfo) -> String {
    let order = if e.fortran_order { ", Fortran order" } else { "" };
    let comp =
        e.compressed_size.map_or(String::new(), |c| format!(", {} bytes compressed", super::error::group_digits(c)));
    format!(
        "  layer \"{}\": {} points × {} features ({} {}{}{}, {} bytes)\n",
        e.name,
        e.rows,
        e.cols,
        shape_text(&e.shape),
        e.dtype,
        order,
        comp,
        super::error::group_digits(e.byte_size)
    )
}
