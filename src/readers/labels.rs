//! Labels: integers or strings, one per point, mapped to dense class ids with names kept for the
//! legend. Integer labels keep numeric order (`2` before `10`); strings use natural order.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::dtype::LabelValue;
use super::error::{ErrorKind, ReadError};
use super::layer::Storage;
use super::natural::natural_cmp;
use super::npy::{NpyDtype, StrKind};
use super::source::ByteSource;
use super::text::TextLayer;

/// Where labels were found, from headers alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelsInfo {
    /// Member, tensor, column or file stem holding them.
    pub name: String,
    /// The file they live in.
    pub file: String,
    /// Number of labels.
    pub len: usize,
    /// Element type (`int64`, `str12`, `text`…).
    pub dtype: String,
}

/// Labels as class ids; `names[id]` is the class shown in the legend.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels {
    /// One class id per point.
    pub ids: Vec<u32>,
    /// Class names, indexed by id.
    pub names: Vec<String>,
}

impl Labels {
    /// Labels from integers: classes in numeric order.
    pub fn from_ints(values: &[i128]) -> Result<Self, ErrorKind> {
        let mut classes: BTreeMap<i128, u32> = BTreeMap::new();
        for &v in values {
            classes.entry(v).or_insert(0);
        }
        if classes.len() > u32::MAX as usize {
            return Err(ErrorKind::BadLabels("too many classes".into()));
        }
        let mut names = Vec::with_capacity(classes.len());
        for (i, (k, id)) in classes.iter_mut().enumerate() {
            *id = i as u32;
            names.push(k.to_string());
        }
        let ids = values.iter().map(|v| classes.get(v).copied().unwrap_or(0)).collect();
        Ok(Self { ids, names })
    }

    /// Labels from strings: classes in natural order (`class2` before `class10`).
    pub fn from_strings(values: &[String]) -> Result<Self, ErrorKind> {
        let mut names: Vec<&str> = values.iter().map(String::as_str).collect();
        names.sort_unstable_by(|a, b| natural_cmp(a, b));
        names.dedup();
        if names.len() > u32::MAX as usize {
            return Err(ErrorKind::BadLabels("too many classes".into()));
        }
        let index: std::collections::HashMap<&str, u32> =
            names.iter().enumerate().map(|(i, &s)| (s, i as u32)).collect();
        let ids = values.iter().map(|v| index.get(v.as_str()).copied().unwrap_or(0)).collect();
        Ok(Self { ids, names: names.into_iter().map(str::to_string).collect() })
    }

    /// Labels from text fields: integers if every field is one, else strings.
    pub fn from_fields(values: Vec<String>) -> Result<Self, ErrorKind> {
        let ints: Option<Vec<i128>> = values.iter().map(|s| s.trim().parse::<i128>().ok()).collect();
        match ints {
            Some(v) => Self::from_ints(&v),
            None => Self::from_strings(&values),
        }
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// Keeps the labels of `rows` (e.g. `LayerData::kept_rows`), in that order.
    pub fn subset(&self, rows: &[usize]) -> Self {
        Self { ids: rows.iter().filter_map(|&r| self.ids.get(r).copied()).collect(), names: self.names.clone() }
    }
}

/// Where label bytes are.
#[derive(Debug, Clone)]
pub(crate) enum LabelStorage {
    /// A 1-D (or N×1) array.
    Array { storage: Storage, dtype: NpyDtype },
    /// One column of a text table.
    Text { table: Arc<TextLayer>, column: usize },
}

/// Reads labels; cheap to clone.
#[derive(Clone)]
pub struct LabelsReader {
    pub(crate) info: LabelsInfo,
    pub(crate) source: Arc<dyn ByteSource>,
    pub(crate) storage: LabelStorage,
}

impl std::fmt::Debug for LabelsReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabelsReader").field("info", &self.info).finish()
    }
}

impl LabelsReader {
    /// Where the labels are.
    pub fn info(&self) -> &LabelsInfo {
        &self.info
    }

    /// Reads and maps the labels to class ids.
    pub fn read(&self) -> Result<Labels, ReadError> {
        self.read_kind().map_err(|k| ReadError::layer(self.info.file.clone(), self.info.name.clone(), k))
    }

    fn read_kind(&self) -> Result<Labels, ErrorKind> {
        let len = self.info.len;
        match &self.storage {
            LabelStorage::Text { table, column } => {
                let fields = table.read_column(self.source.as_ref(), *column)?;
                Labels::from_fields(fields)
            }
            LabelStorage::Array { storage, dtype } => {
                let size = dtype.item_size().unwrap_or(0);
                let total = size.saturating_mul(len as u64);
                let mut seq = storage.seq(self.source.as_ref(), total, true)?;
                // Bounded: the array's byte size was checked against the file (or member) at open.
                let mut bytes = Vec::new();
                bytes
                    .try_reserve_exact(total as usize)
                    .map_err(|_| ErrorKind::OutOfMemory { bytes: total, what: "labels".into() })?;
                bytes.resize(total as usize, 0);
                seq.as_dyn().read_exact(&mut bytes)?;
                let size = size as usize;
                match *dtype {
                    NpyDtype::Num(dt) => {
                        let mut ints = Vec::with_capacity(len);
                        for (i, c) in bytes.chunks_exact(dt.size()).enumerate() {
                            match dt.decode_label(c) {
                                LabelValue::Int(v) => ints.push(v),
                                LabelValue::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30 => {
                                    ints.push(f as i128)
                                }
                                LabelValue::Float(f) => {
                                    return Err(ErrorKind::BadLabels(format!(
                                        "label {f} at index {i} is not an integer class"
                                    )));
                                }
                            }
                        }
                        Labels::from_ints(&ints)
                    }
                    NpyDtype::Str { kind, .. } if size > 0 => {
                        let strings: Vec<String> = bytes.chunks_exact(size).map(|c| decode_str(kind, c)).collect();
                        Labels::from_strings(&strings)
                    }
                    NpyDtype::Str { .. } => Labels::from_strings(&vec![String::new(); len]),
                }
            }
        }
    }
}

fn decode_str(kind: StrKind, c: &[u8]) -> String {
    match kind {
        StrKind::Bytes => {
            let end = c.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            String::from_utf8_lossy(c.get(..end).unwrap_or(&[])).into_owned()
        }
        StrKind::Unicode { big_endian } => c
            .chunks_exact(4)
            .map(|w| {
                let a = [w[0], w[1], w[2], w[3]];
                if big_endian { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) }
            })
            .take_while(|&u| u != 0)
            .map(|u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_labels_keep_numeric_order_and_strings_natural_order() {
        let l = Labels::from_ints(&[10, 2, 2, -1]).unwrap();
        assert_eq!(l.names, ["-1", "2", "10"]);
        assert_eq!(l.ids, [2, 1, 1, 0]);
        let l = Labels::from_strings(&["cat10".into(), "cat2".into(), "dog".into(), "cat2".into()]).unwrap();
        assert_eq!(l.names, ["cat2", "cat10", "dog"]);
        assert_eq!(l.ids, [1, 0, 2, 0]);
    }
}
