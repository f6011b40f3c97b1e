//! Opening one file: sniff the format by its first bytes, list layers and labels from headers.

use std::ops::Range;
use std::sync::Arc;

use ndarray::Array2;

use super::dtype::DType;
use super::error::{ErrorKind, ReadError, shape_text};
use super::labels::{LabelStorage, Labels, LabelsInfo, LabelsReader, is_label_name};
use super::layer::{LayerData, LayerInfo, LayerReader, Storage, check_data_len, layer_reader, rows_cols};
use super::natural::natural_cmp;
use super::npy::{self, NpyDtype, NpyHeader};
use super::safetensors;
use super::seq::{InflateSeq, RawSeq};
use super::source::ByteSource;
use super::text::TextLayer;
use super::zip;
use super::{Format, Limits};

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

/// Opens a file with the default [`Limits`].
pub fn open(source: Box<dyn ByteSource>) -> Result<Container, ReadError> {
    open_with(source, &Limits::default())
}

/// How much of the start of a file sniffing looks at.
const HEAD: u64 = 4096;

/// Recognises a format from the first bytes of a file (`head`, up to 4 KiB) and its length.
/// PyTorch checkpoints and other pickles, HDF5 and gzip are refused here with a hint.
pub fn sniff(head: &[u8], len: u64) -> Result<Format, ErrorKind> {
    if head.starts_with(npy::MAGIC) {
        return Ok(Format::Npy);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(Format::Npz);
    }
    if let [0x80, 2..=5, ..] = head {
        return Err(ErrorKind::PyTorch);
    }
    if safetensors::sniff(head, len) {
        return Ok(Format::Safetensors);
    }
    if head.starts_with(b"\x89HDF\r\n\x1a\n") {
        return Err(ErrorKind::UnknownFormat(
            "HDF5 (.h5) is not read; save the datasets with np.savez(\"acts.npz\", **arrays)"
                .into(),
        ));
    }
    if head.starts_with(b"\x1f\x8b") {
        return Err(ErrorKind::UnknownFormat(
            "gzip-compressed; decompress it first".into(),
        ));
    }
    if head.is_empty() {
        return Err(ErrorKind::UnknownFormat("the file is empty".into()));
    }
    let texty = !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none() && len > head.len() as u64, // a character cut at the end
        };
    if texty {
        return Ok(Format::Text(super::Delimiter::Comma)); // refined by the text scan
    }
    Err(ErrorKind::UnknownFormat(
        "not .npy, .npz, safetensors or CSV/TSV text (formats are recognised by content, not extension)".into(),
    ))
}

/// Opens a file: sniffs it and lists its layers and labels from headers alone.
pub fn open_with(source: Box<dyn ByteSource>, limits: &Limits) -> Result<Container, ReadError> {
    let src: Arc<dyn ByteSource> = Arc::from(source);
    let file = src.name().to_string();
    let head_len = src.len().min(HEAD);
    let mut head = vec![0u8; head_len as usize];
    src.read_at(0, &mut head)
        .map_err(|e| ReadError::new(&file, e.into()))?;
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
    let mut b = Builder {
        src: &src,
        file: &file,
        limits,
        c: &mut c,
        label_candidates: Vec::new(),
    };
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
            let list: Vec<String> = c
                .skipped
                .iter()
                .map(|s| format!("\"{}\": {}", s.name, s.reason))
                .collect();
            format!(" (skipped: {})", list.join("; "))
        };
        return Err(ReadError::new(&file, ErrorKind::NoLayers(why)));
    }
    Ok(c)
}

pub(crate) fn file_stem(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i > 0 => base.get(..i).unwrap_or(base),
        _ => base,
    }
}

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
        self.c.skipped.push(Skipped {
            name: name.to_string(),
            reason: reason.into(),
        });
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
        let (r, cols) = npy::shape_rows_cols(h_shape);
        let (rows, cols) = rows_cols(h_shape, r, cols).map_err(|k| self.err(name, k))?;
        let info = LayerInfo {
            name: name.to_string(),
            file: self.file.to_string(),
            rows,
            cols,
            dtype: dtype.name(),
            byte_size: (rows as u64)
                .saturating_mul(cols as u64)
                .saturating_mul(dtype.size() as u64),
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
        let len = usize::try_from(len)
            .map_err(|_| self.err(name, ErrorKind::ShapeOverflow(len.to_string())))?;
        let typed = match dtype {
            NpyDtype::Num(d) => d.is_integer(),
            NpyDtype::Str { .. } => true,
        };
        let reader = LabelsReader {
            info: LabelsInfo {
                name: name.to_string(),
                file: self.file.to_string(),
                len,
                dtype: dtype.name(),
            },
            source: Arc::clone(self.src),
            storage: LabelStorage::Array { storage, dtype },
        };
        self.label_candidates
            .push((reader, is_label_name(name), typed));
        Ok(())
    }

    /// An array found in the file: a layer, a labels candidate, or skipped.
    fn place_array(
        &mut self,
        name: &str,
        h: &NpyHeader,
        storage: Storage,
        comp: Option<u64>,
    ) -> Result<(), ReadError> {
        match (h.shape.len(), h.dtype) {
            (0, _) => self.skip(name, "a scalar, not an array of points"),
            (1, dt) => {
                self.add_label_candidate(name, h.shape.first().copied().unwrap_or(0), dt, storage)?
            }
            (2, dt) if h.shape.get(1) == Some(&1) && is_label_name(name) => {
                self.add_label_candidate(name, h.shape.first().copied().unwrap_or(0), dt, storage)?
            }
            (_, NpyDtype::Str { .. }) => self.skip(name, "strings are read only as 1-D labels"),
            (_, NpyDtype::Num(dt)) => {
                self.add_layer(name, &h.shape, dt, h.fortran_order, storage, comp)?
            }
        }
        Ok(())
    }

    /// Picks labels: a candidate named like labels first, else an integer/string 1-D array.
    fn choose_labels(&mut self) {
        let cands = std::mem::take(&mut self.label_candidates);
        let pick = cands
            .iter()
            .position(|c| c.1)
            .or_else(|| cands.iter().position(|c| c.2));
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

    fn npy(&mut self) -> Result<(), ReadError> {
        let name = file_stem(self.file).to_string();
        let mut seq = RawSeq::new(self.src.as_ref(), 0, self.src.len());
        let h = npy::read_header(&mut seq, self.limits.max_npy_header)
            .map_err(|k| ReadError::new(self.file, k))?;
        let present = self.src.len() - h.header_len.min(self.src.len());
        check_data_len(&h.shape, &h.dtype.name(), h.data_len, present, "file")
            .map_err(|k| ReadError::new(self.file, k))?;
        self.place_array(
            &name,
            &h,
            Storage::Raw {
                offset: h.header_len,
            },
            None,
        )?;
        // A lone 1-D .npy is labels, whatever its name or type.
        for c in &mut self.label_candidates {
            c.1 = true;
        }
        Ok(())
    }

    fn npz(&mut self) -> Result<(), ReadError> {
        let members = zip::read_members(self.src.as_ref(), self.limits)
            .map_err(|k| ReadError::new(self.file, k))?;
        if members
            .iter()
            .any(|m| m.name.ends_with("data.pkl") || m.name.ends_with(".pkl"))
        {
            return Err(ReadError::new(self.file, ErrorKind::PyTorch));
        }
        for m in members {
            if m.name.ends_with('/') {
                continue;
            }
            let Some(name) = m.name.strip_suffix(".npy").map(str::to_string) else {
                self.skip(&m.name, "not a .npy member");
                continue;
            };
            if m.flags & 1 != 0 {
                self.skip(&name, "encrypted");
                continue;
            }
            let h = match m.method {
                0 => npy::read_header(
                    &mut RawSeq::new(
                        self.src.as_ref(),
                        m.data_offset,
                        m.data_offset + m.compressed,
                    ),
                    self.limits.max_npy_header,
                ),
                8 => npy::read_header(
                    &mut InflateSeq::new(
                        self.src.as_ref(),
                        m.data_offset,
                        m.compressed,
                        m.uncompressed,
                    ),
                    self.limits.max_npy_header,
                ),
                other => {
                    self.skip(
                        &name,
                        format!("compression method {other} (only stored and deflate are read)"),
                    );
                    continue;
                }
            };
            let h = match h {
                Ok(h) => h,
                Err(k @ (ErrorKind::UnsupportedDtype { .. } | ErrorKind::Pickle(_))) => {
                    self.skip(&name, k.to_string());
                    continue;
                }
                Err(k) => return Err(self.err(&name, k)),
            };
            let present = m.uncompressed.saturating_sub(h.header_len);
            check_data_len(&h.shape, &h.dtype.name(), h.data_len, present, "member")
                .map_err(|k| self.err(&name, k))?;
            let (storage, comp) = if m.method == 0 {
                (
                    Storage::Raw {
                        offset: m.data_offset + h.header_len,
                    },
                    None,
                )
            } else {
                let skip = h.header_len;
                let comp = m.compressed;
                (Storage::Deflated { member: m, skip }, Some(comp))
            };
            self.place_array(&name, &h, storage, comp)?;
        }
        Ok(())
    }

    fn safetensors(&mut self) -> Result<(), ReadError> {
        let len = self.src.len();
        let mut nb = [0u8; 8];
        self.src
            .read_at(0, &mut nb)
            .map_err(|e| ReadError::new(self.file, e.into()))?;
        let n = u64::from_le_bytes(nb);
        safetensors::check_header_len(n, len, self.limits)
            .map_err(|k| ReadError::new(self.file, k))?;
        let mut json = vec![0u8; n as usize];
        self.src
            .read_at(8, &mut json)
            .map_err(|e| ReadError::new(self.file, e.into()))?;
        let mut header =
            safetensors::parse_header(&json, len).map_err(|k| ReadError::new(self.file, k))?;
        drop(json);
        header.tensors.sort_by(|a, b| natural_cmp(&a.name, &b.name));
        self.c.metadata = header.metadata;
        for t in header.tensors {
            let dt = match t.dtype {
                Ok(d) => d,
                Err(why) => {
                    let k = ErrorKind::UnsupportedDtype {
                        dtype: t.dtype_text.clone(),
                        why,
                    };
                    self.skip(&t.name, k.to_string());
                    continue;
                }
            };
            let h = NpyHeader {
                dtype: NpyDtype::Num(dt),
                fortran_order: false,
                shape: t.shape.clone(),
                header_len: 0,
                elements: 0,
                data_len: t.len,
            };
            self.place_array(&t.name, &h, Storage::Raw { offset: t.offset }, None)?;
        }
        Ok(())
    }

    fn text(&mut self) -> Result<(), ReadError> {
        let t = TextLayer::scan(self.src.as_ref(), self.limits)
            .map_err(|k| ReadError::new(self.file, k))?;
        self.c.format = Format::Text(t.delimiter);
        self.c
            .metadata
            .push(("delimiter".into(), t.delimiter.name().into()));
        if let Some(h) = &t.header {
            self.c.metadata.push(("header".into(), h.join(", ")));
        }
        let stem = file_stem(self.file).to_string();
        let t = Arc::new(t);
        let labels_only = t.all_text || (t.fields == 1 && is_label_name(&stem));
        if labels_only {
            let column = t.metadata_label_column();
            self.set_text_labels(&stem, &t, column);
            return Ok(());
        }
        let shape = [t.rows as u64, t.cols() as u64];
        let info = LayerInfo {
            name: stem.clone(),
            file: self.file.to_string(),
            rows: t.rows,
            cols: t.cols(),
            dtype: "text".into(),
            byte_size: self.src.len(),
            shape: shape.to_vec(),
            fortran_order: false,
            compressed_size: None,
        };
        self.c.readers.push(LayerReader {
            info: info.clone(),
            source: Arc::clone(self.src),
            storage: Storage::Text(Arc::clone(&t)),
            dtype: None,
            limits: self.limits.clone(),
        });
        self.c.entries.push(info);
        if let Some(col) = t.label_column {
            self.set_text_labels(&stem, &t, col);
        }
        Ok(())
    }

    fn set_text_labels(&mut self, stem: &str, t: &Arc<TextLayer>, column: usize) {
        let name = t.header.as_ref().and_then(|h| h.get(column)).map_or_else(
            || format!("{stem} column {}", column + 1),
            |h| h.to_string(),
        );
        let info = LabelsInfo {
            name,
            file: self.file.to_string(),
            len: t.rows,
            dtype: "text".into(),
        };
        self.c.labels = Some(info.clone());
        self.c.labels_reader = Some(LabelsReader {
            info,
            source: Arc::clone(self.src),
            storage: LabelStorage::Text {
                table: Arc::clone(t),
                column,
            },
        });
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
            s.push_str(&format!(
                "  labels \"{}\": {} × {}\n",
                l.name, l.len, l.dtype
            ));
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
    let order = if e.fortran_order {
        ", Fortran order"
    } else {
        ""
    };
    let comp = e.compressed_size.map_or(String::new(), |c| {
        format!(", {} bytes compressed", super::error::group_digits(c))
    });
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
