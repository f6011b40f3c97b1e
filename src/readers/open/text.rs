//! A delimited text table: one layer named after the file, labels from a text column.

use std::sync::Arc;

use super::Builder;
use crate::readers::Format;
use crate::readers::container::file_stem;
use crate::readers::error::ReadError;
use crate::readers::labels::{LabelStorage, LabelsInfo, LabelsReader};
use crate::readers::layer::{LayerInfo, LayerReader, Storage};
use crate::readers::names::is_label_name;
use crate::readers::text::TextLayer;

impl Builder<'_> {
    /// Scans the table: delimiter, header row, label column, rows and columns.
    pub(super) fn text(&mut self) -> Result<(), ReadError> {
        let t = TextLayer::scan(self.src.as_ref(), self.limits).map_err(|k| ReadError::new(self.file, k))?;
        self.c.format = Format::Text(t.delimiter);
        self.c.metadata.push(("delimiter".into(), t.delimiter.name().into()));
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

    /// Takes column `column` of the table as the file's labels (named by its header if any).
    fn set_text_labels(&mut self, stem: &str, t: &Arc<TextLayer>, column: usize) {
        let name = t
            .header
            .as_ref()
            .and_then(|h| h.get(column))
            .map_or_else(|| format!("{stem} column {}", column + 1), |h| h.to_string());
        let info = LabelsInfo { name, file: self.file.to_string(), len: t.rows, dtype: "text".into() };
        self.c.labels = Some(info.clone());
        self.c.labels_reader = Some(LabelsReader {
            info,
            source: Arc::clone(self.src),
            storage: LabelStorage::Text { table: Arc::clone(t), column },
        });
    }
}
