//! A model: layers in order plus labels, from one file or from several files given together
//! (one .npy per layer and a labels file, or `tensors.tsv` + `metadata.tsv`).

use std::ops::Range;

use ndarray::Array2;

use super::container::{Container, Skipped, describe_layer, file_stem};
use super::error::{ErrorKind, ReadError};
use super::labels::{LabelStorage, Labels, LabelsInfo, LabelsReader};
use super::layer::{LayerData, LayerInfo, LayerReader, Storage, layer_reader};
use super::names::is_label_name;
use super::natural::natural_cmp;
use super::open::open_with;
use super::source::ByteSource;
use super::{Format, Limits};

/// Layers in order plus labels. Cheap to clone: sources sit behind `Arc`, so a worker pool can
/// hand each worker a clone (or a [`LayerReader`]) and read disjoint row ranges independently.
#[derive(Debug, Clone)]
pub struct Model {
    /// Display name (the file stem, or the first stem and a count).
    pub name: String,
    /// Files it was read from, in order.
    pub files: Vec<String>,
    /// Layers in order.
    pub layers: Vec<LayerInfo>,
    /// Labels, if any (their length equals every layer's number of rows).
    pub labels: Option<LabelsInfo>,
    /// Metadata of the files (`file: key` → value when several).
    pub metadata: Vec<(String, String)>,
    /// Entries not read, with reasons.
    pub skipped: Vec<Skipped>,
    readers: Vec<LayerReader>,
    labels_reader: Option<LabelsReader>,
}

impl TryFrom<Container> for Model {
    type Error = ReadError;
    fn try_from(c: Container) -> Result<Self, ReadError> {
        Model::from_container(c)
    }
}

impl Model {
    /// One file as a model; checks that the labels match every layer's rows.
    pub fn from_container(c: Container) -> Result<Self, ReadError> {
        let m = Model {
            name: file_stem(&c.name).to_string(),
            files: vec![c.name],
            layers: c.entries,
            labels: c.labels,
            metadata: c.metadata,
            skipped: c.skipped,
            readers: c.readers,
            labels_reader: c.labels_reader,
        };
        m.check_labels()?;
        Ok(m)
    }

    fn check_labels(&self) -> Result<(), ReadError> {
        if let Some(l) = &self.labels {
            for layer in &self.layers {
                if layer.rows != l.len {
                    return Err(ReadError::layer(
                        l.file.clone(),
                        layer.name.clone(),
                        ErrorKind::LabelsLength { labels: l.name.clone(), len: l.len, rows: layer.rows },
                    ));
                }
            }
        }
        Ok(())
    }

    /// Index of the layer called `name`.
    pub fn layer_index(&self, name: &str) -> Option<usize> {
        self.layers.iter().position(|e| e.name == name)
    }

    /// A reader for one layer (cheap to clone; `Send + Sync` natively).
    pub fn layer(&self, layer: usize) -> Option<&LayerReader> {
        self.readers.get(layer)
    }

    /// The labels reader, if any.
    pub fn labels_reader(&self) -> Option<&LabelsReader> {
        self.labels_reader.as_ref()
    }

    fn reader(&self, layer: usize) -> Result<&LayerReader, ReadError> {
        layer_reader(&self.readers, &self.files.join(", "), layer)
    }

    /// Rows `rows` of layer `layer`, exactly as stored.
    pub fn read_rows(&self, layer: usize, rows: Range<usize>) -> Result<Array2<f32>, ReadError> {
        self.reader(layer)?.read_rows(rows)
    }

    /// A whole layer with the NaN/Inf policy.
    pub fn read_layer(&self, layer: usize) -> Result<LayerData, ReadError> {
        self.reader(layer)?.read_all()
    }

    /// The labels, if any.
    pub fn read_labels(&self) -> Result<Option<Labels>, ReadError> {
        self.labels_reader.as_ref().map(LabelsReader::read).transpose()
    }

    /// Keeps only the named layers, in the order given (`--layer NAME`, repeatable).
    pub fn select(&self, names: &[String]) -> Result<Model, ReadError> {
        let mut m = self.clone();
        m.layers.clear();
        m.readers.clear();
        for n in names {
            let i = self.layer_index(n).ok_or_else(|| {
                let have: Vec<&str> = self.layers.iter().map(|l| l.name.as_str()).collect();
                let skipped = self.skipped.iter().find(|s| &s.name == n).map(|s| format!(" (skipped: {})", s.reason));
                ReadError::layer(
                    self.files.join(", "),
                    n.clone(),
                    ErrorKind::Group(format!(
                        "no such layer{}; layers are: {}",
                        skipped.unwrap_or_default(),
                        have.join(", ")
                    )),
                )
            })?;
            if let (Some(info), Some(r)) = (self.layers.get(i), self.readers.get(i)) {
                m.layers.push(info.clone());
                m.readers.push(r.clone());
            }
        }
        Ok(m)
    }

    /// One line per layer, labels and skipped entry (what `idscope list` prints).
    pub fn describe(&self) -> String {
        let mut s = format!("{} ({})\n", self.name, self.files.join(", "));
        for e in &self.layers {
            s.push_str(&describe_layer(e));
        }
        if let Some(l) = &self.labels {
            s.push_str(&format!("  labels \"{}\" ({}): {} × {}\n", l.name, l.file, l.len, l.dtype));
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

/// Several files as one model, with the default [`Limits`].
pub fn group(files: Vec<Box<dyn ByteSource>>) -> Result<Model, ReadError> {
    group_with(files, &Limits::default())
}

/// Several files as one model: files in natural order of their names (`layer2` before
/// `layer10`); a file named like labels/metadata/y/targets (or holding only a 1-D array or a text
/// column) gives the labels; every other file's layers follow in order. A file holding one layer
/// names it by its stem; several layers are named `stem/layer`.
pub fn group_with(mut files: Vec<Box<dyn ByteSource>>, limits: &Limits) -> Result<Model, ReadError> {
    if files.is_empty() {
        return Err(ReadError::new("(no files)", ErrorKind::Group("no files given".into())));
    }
    files.sort_by(|a, b| natural_cmp(a.name(), b.name()));
    if files.len() == 1 {
        let f = files.pop().ok_or_else(|| ReadError::new("(no files)", ErrorKind::Group("no files".into())))?;
        return Model::from_container(open_with(f, limits)?);
    }
    let mut m = Model {
        name: String::new(),
        files: files.iter().map(|f| f.name().to_string()).collect(),
        layers: Vec::new(),
        labels: None,
        metadata: Vec::new(),
        skipped: Vec::new(),
        readers: Vec::new(),
        labels_reader: None,
    };
    let mut seen = std::collections::HashSet::new();
    for f in files {
        let fname = f.name().to_string();
        if !seen.insert(fname.clone()) {
            return Err(ReadError::new(fname, ErrorKind::Group("the same file name was given twice".into())));
        }
        let stem = file_stem(&fname).to_string();
        let c = open_with(f, limits)?;
        let mut labels = c.labels_reader;
        if is_label_name(&stem) && !c.readers.is_empty() {
            // A labels file that opened as a table: take its label (or first) column.
            let reader = c.readers.into_iter().next();
            match reader.map(|r| (r.storage.clone(), r)) {
                Some((Storage::Text(t), r)) if c.format != Format::Npy => {
                    let column = t.label_column.unwrap_or_else(|| t.metadata_label_column());
                    labels = Some(LabelsReader {
                        info: LabelsInfo { name: stem.clone(), file: fname.clone(), len: t.rows, dtype: "text".into() },
                        source: r.source.clone(),
                        storage: LabelStorage::Text { table: t, column },
                    });
                }
                Some((_, r)) => {
                    return Err(ReadError::new(
                        fname,
                        ErrorKind::BadLabels(format!(
                            "named like labels but holds a {} × {} array; labels must be 1-D (one per point)",
                            r.info.rows, r.info.cols
                        )),
                    ));
                }
                None => {}
            }
        } else {
            let single = c.readers.len() == 1;
            for mut r in c.readers {
                if single {
                    r.info.name = stem.clone();
                } else {
                    r.info.name = format!("{stem}/{}", r.info.name);
                }
                m.layers.push(r.info.clone());
                m.readers.push(r);
            }
        }
        for s in c.skipped {
            m.skipped.push(Skipped { name: format!("{fname}: {}", s.name), reason: s.reason });
        }
        for (k, v) in c.metadata {
            m.metadata.push((format!("{fname}: {k}"), v));
        }
        if let Some(l) = labels {
            if let Some(first) = &m.labels {
                m.skipped.push(Skipped {
                    name: format!("{}: {}", l.info.file, l.info.name),
                    reason: format!("labels already taken from {}", first.file),
                });
            } else {
                m.labels = Some(l.info.clone());
                m.labels_reader = Some(l);
            }
        }
    }
    if m.layers.is_empty() {
        return Err(ReadError::new(m.files.join(", "), ErrorKind::NoLayers(" (only labels)".into())));
    }
    m.name = match m.layers.first() {
        Some(l) if m.files.len() > 1 => format!("{} ({} files)", file_stem(&l.file), m.files.len()),
        Some(l) => file_stem(&l.file).to_string(),
        None => String::new(),
    };
    m.check_labels()?;
    Ok(m)
}

/// Native convenience: opens `paths` as files and groups them (one path works too).
#[cfg(not(target_arch = "wasm32"))]
pub fn open_paths<P: AsRef<std::path::Path>>(paths: &[P]) -> Result<Model, ReadError> {
    let mut files: Vec<Box<dyn ByteSource>> = Vec::with_capacity(paths.len());
    for p in paths {
        let p = p.as_ref();
        let src = super::FileSource::open(p).map_err(|e| ReadError::new(p.display().to_string(), e.into()))?;
        files.push(Box::new(src));
    }
    group(files)
}
