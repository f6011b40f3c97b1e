//! Opening one file: sniff its format, then list layers and labels from headers alone; one
//! submodule per format adds that format's arrays through [`Builder`].

mod npy;
mod npz;
mod safetensors;
mod text;

use std::sync::Arc;

use super::container::{Container, Skipped};
use super::dtype::DType;
use super::error::{ErrorKind, ReadError};
use super::labels::{LabelStorage, LabelsInfo, LabelsReader};
use super::layer::{LayerInfo, LayerReader, Storage, rows_cols};
use super::names::is_label_name;
use super::npy::{NpyDtype, NpyHeader, shape_rows_cols};
use super::sniff::{HEAD, sniff};
use super::source::ByteSource;
use super::{Format, Limits};

/// Opens a file with the default [`Limits`].
pub fn open(source: Box<dyn ByteSource>) -> Result<Container, ReadError> {
    open_with(source, &Limits::default())
}

/// Opens a file: sniffs it and lists its layers and labels from headers alone.
pub fn open_with(source: Box<dyn ByteSource>, limits: &Limits) -> Result<Container, ReadError> {
    let src: Arc<dyn ByteSource> = Arc::from(source);
    let file = src.name().to_string();
    let head_len = src.len().min(HEAD);
    let mut head = vec![0u8; head_len as usize];
    src.read_at(0, &mut head).map_err(|e| ReadError::new(&file, e.into()))?;
    let format = sniff(&head, src.len()).map_err(|k| ReadError::new(&file, k))?;
    let mut c = Container {
        format,
        entries: Vec::new(),
        labels: None,
        metadata: Vec::new(),
        skipped: Vec::new(),
        readers: Vec::new(),
        labels_reader: None,
        name: file.clone(),
    };
    let mut b = Builder { src: &src, file: &file, limits, c: &mut c, label_candidates: Vec::new() };
    match format {
        Format::Npy => b.npy()?,
        Format::Npz => b.npz()?,
        Format::Safetensors => b.safetensors()?,
        Format::Text(_) => b.text()?,
    }
    b.choose_labels();
    if c.entries.is_empty() && c.labels.is_none() {
        let why = if c.skipped.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = c.skipped.iter().map(|s| format!("\"{}\": {}", s.name, s.reason)).collect();
            format!(" (skipped: {})", list.join("; "))
        };
        return Err(ReadError::new(&file, ErrorKind::NoLayers(why)));
    }
    Ok(c)
}

/// Collects a file's layers and label candidates into a [`Container`] while it is opened.
struct Builder<'a> {
    src: &'a Arc<dyn ByteSource>,
    file: &'a str,
    limits: &'a Limits,
    c: &'a mut Container,
    /// (name, reader, named like labels, integer or string typed)
    label_candidates: Vec<(LabelsReader, bool, bool)>,
}

impl Builder<'_> {
    fn err(&self, layer: &str, kind: ErrorKind) -> ReadError {
        ReadError::layer(self.file, layer, kind)
    }

    fn skip(&mut self, name: &str, reason: impl Into<String>) {
        self.c.skipped.push(Skipped { name: name.to_string(), reason: reason.into() });
    }

    fn add_layer(
        &mut self,
        name: &str,
        h_shape: &[u64],
        dtype: DType,
        fortran: bool,
        storage: Storage,
        comp: Option<u64>,
    ) -> Result<(), ReadError> {
        let (r, cols) = shape_rows_cols(h_shape);
        let (rows, cols) = rows_cols(h_shape, r, cols).map_err(|k| self.err(name, k))?;
        let info = LayerInfo {
            name: name.to_string(),
            file: self.file.to_string(),
            rows,
            cols,
            dtype: dtype.name(),
            byte_size: (rows as u64).saturating_mul(cols as u64).saturating_mul(dtype.size() as u64),
            shape: h_shape.to_vec(),
            fortran_order: fortran && h_shape.len() > 1,
            compressed_size: comp,
        };
        self.c.readers.push(LayerReader {
            info: info.clone(),
            source: Arc::clone(self.src),
            storage,
            dtype: Some(dtype),
            limits: self.limits.clone(),
        });
        self.c.entries.push(info);
        Ok(())
    }

    fn add_label_candidate(
        &mut self,
        name: &str,
        len: u64,
        dtype: NpyDtype,
        storage: Storage,
    ) -> Result<(), ReadError> {
        if dtype.item_size().unwrap_or(0) == 0 {
            // Zero-width strings take no bytes, so their count is not bounded by the file.
            self.skip(name, "zero-width strings");
            return Ok(());
        }
        let len = usize::try_from(len).map_err(|_| self.err(name, ErrorKind::ShapeOverflow(len.to_string())))?;
        let typed = match dtype {
            NpyDtype::Num(d) => d.is_integer(),
            NpyDtype::Str { .. } => true,
        };
        let reader = LabelsReader {
            info: LabelsInfo { name: name.to_string(), file: self.file.to_string(), len, dtype: dtype.name() },
            source: Arc::clone(self.src),
            storage: LabelStorage::Array { storage, dtype },
        };
        self.label_candidates.push((reader, is_label_name(name), typed));
        Ok(())
    }

    /// An array found in the file: a layer, a labels candidate, or skipped.
    fn place_array(&mut self, name: &str, h: &NpyHeader, storage: Storage, comp: Option<u64>) -> Result<(), ReadError> {
        match (h.shape.len(), h.dtype) {
            (0, _) => self.skip(name, "a scalar, not an array of points"),
            (1, dt) => self.add_label_candidate(name, h.shape.first().copied().unwrap_or(0), dt, storage)?,
            (2, dt) if h.shape.get(1) == Some(&1) && is_label_name(name) => {
                self.add_label_candidate(name, h.shape.first().copied().unwrap_or(0), dt, storage)?
            }
            (_, NpyDtype::Str { .. }) => self.skip(name, "strings are read only as 1-D labels"),
            (_, NpyDtype::Num(dt)) => self.add_layer(name, &h.shape, dt, h.fortran_order, storage, comp)?,
        }
        Ok(())
    }

    /// Picks labels: a candidate named like labels first, else an integer/string 1-D array.
    fn choose_labels(&mut self) {
        let cands = std::mem::take(&mut self.label_candidates);
        let pick = cands.iter().position(|c| c.1).or_else(|| cands.iter().position(|c| c.2));
        for (i, (reader, _, _)) in cands.into_iter().enumerate() {
            if Some(i) == pick {
                self.c.labels = Some(reader.info.clone());
                self.c.labels_reader = Some(reader);
            } else {
                let why = if pick.is_some() {
                    "another 1-D array was taken as labels"
                } else {
                    "a 1-D float array is neither a layer (N × D) nor named like labels"
                };
                let name = reader.info.name.clone();
                self.skip(&name, why);
            }
        }
    }
}
