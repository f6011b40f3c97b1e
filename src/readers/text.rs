//! CSV / TSV / whitespace tables (the TensorFlow Embedding Projector's `tensors.tsv` and
//! `metadata.tsv` included). Text has no header to trust, so opening scans the file once in
//! chunks: it sniffs the delimiter, a header row and a label column from the first lines, checks
//! every row has the same number of fields, and keeps the byte offset of every 64th row so rows
//! can later be read from the nearest checkpoint. Numbers are parsed only when rows are read.
//!
//! Empty fields read as NaN (pandas writes missing values that way), so the NaN policy applies.
//! Delimited files follow RFC 4180: csv-core splits the fields (`""` escapes, quoted delimiters),
//! and a record ends at the first newline outside quotes, so a quoted label may hold newlines.

use std::borrow::Cow;
use std::ops::Range;

use super::Limits;
use super::error::ErrorKind;
use super::names::is_label_name;
use super::source::ByteSource;

/// Field separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// `,`
    Comma,
    /// `\t`
    Tab,
    /// `;`
    Semicolon,
    /// Runs of spaces/tabs.
    Whitespace,
}

impl Delimiter {
    /// Name for listings.
    pub fn name(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Tab => "tab",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Whitespace => "whitespace",
        }
    }
}

const STRIDE: usize = 64;
const CHUNK: u64 = 1 << 20;
const SAMPLE_LINES: usize = 50;

/// A scanned text table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLayer {
    /// Separator.
    pub delimiter: Delimiter,
    /// Header row fields, if the first row is a header.
    pub header: Option<Vec<String>>,
    /// Data rows.
    pub rows: usize,
    /// Fields per row (label column included).
    pub fields: usize,
    /// Column holding labels in a numeric table (the first, when it is not numeric).
    pub label_column: Option<usize>,
    /// Whether the first data row holds no numbers at all (a metadata table).
    pub all_text: bool,
    /// (byte offset, 1-based line number) of rows 0, 64, 128, …
    checkpoints: Vec<(u64, u64)>,
    end: u64,
    max_line: usize,
}

/// Lines of a source read in chunks; blank lines and `#` comments are skipped by callers.
struct Lines<'a> {
    src: &'a dyn ByteSource,
    buf: Vec<u8>,
    buf_off: u64,
    pos: usize,
    end: u64,
    line_no: u64,
    max_line: usize,
}

struct Line {
    offset: u64,
    line_no: u64,
    start: usize,
    end: usize,
}

impl<'a> Lines<'a> {
    fn new(src: &'a dyn ByteSource, offset: u64, line_no: u64, max_line: usize) -> Self {
        Self {
            src,
            buf: Vec::new(),
            buf_off: offset,
            pos: 0,
            end: src.len(),
            line_no: line_no.saturating_sub(1),
            max_line,
        }
    }

    /// The next record: up to the first newline outside double quotes, `\r` dropped. Its line
    /// number is its first line's; newlines inside quotes count towards the following ones.
    fn next(&mut self) -> Result<Option<Line>, ErrorKind> {
        loop {
            let rest = self.buf.get(self.pos..).unwrap_or(&[]);
            let at_eof = self.buf_off + self.buf.len() as u64 >= self.end;
            let found = record_end(rest);
            if found.newline.is_none() && at_eof && found.open_quote {
                return Err(ErrorKind::Text {
                    line: self.line_no + 1,
                    problem: "a quoted field opened on this line is never closed".into(),
                });
            }
            if found.newline.is_some() || (at_eof && !rest.is_empty()) {
                let len = found.newline.unwrap_or(rest.len());
                let start = self.pos;
                let mut end = start + len;
                if end > start && self.buf.get(end - 1) == Some(&b'\r') {
                    end -= 1;
                }
                self.pos = start + len + usize::from(found.newline.is_some());
                let line_no = self.line_no + 1;
                self.line_no += 1 + found.quoted_newlines;
                return Ok(Some(Line { offset: self.buf_off + start as u64, line_no, start, end }));
            }
            if at_eof {
                return Ok(None);
            }
            // Keep the partial record, read more.
            self.buf.drain(..self.pos);
            self.buf_off += self.pos as u64;
            self.pos = 0;
            if self.buf.len() > self.max_line {
                return Err(ErrorKind::Text {
                    line: self.line_no + 1,
                    problem: format!("line longer than {} bytes", self.max_line),
                });
            }
            let have = self.buf_off + self.buf.len() as u64;
            let n = CHUNK.min(self.end - have) as usize;
            let old = self.buf.len();
            self.buf.resize(old + n, 0);
            self.src.read_at(have, self.buf.get_mut(old..).unwrap_or(&mut []))?;
        }
    }

    fn text(&self, l: &Line) -> Cow<'_, str> {
        String::from_utf8_lossy(self.buf.get(l.start..l.end).unwrap_or(&[]))
    }

    /// Next data line (skipping blanks and comments).
    fn next_data(&mut self) -> Result<Option<Line>, ErrorKind> {
        while let Some(l) = self.next()? {
            let t = self.buf.get(l.start..l.end).unwrap_or(&[]);
            let t = t.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(t);
            if t.iter().all(u8::is_ascii_whitespace) || t.first() == Some(&b'#') {
                continue;
            }
            return Ok(Some(l));
        }
        Ok(None)
    }
}

/// Where a record that starts at `bytes[0]` ends.
struct RecordEnd {
    /// The newline that ends it, if `bytes` holds one outside quotes.
    newline: Option<usize>,
    /// Newlines inside quotes before it (or before the end of `bytes`).
    quoted_newlines: u64,
    /// `bytes` ends inside quotes.
    open_quote: bool,
}

/// Finds the first newline outside double quotes. A `""` escape toggles the quote state twice,
/// so counting quotes is enough to tell inside from outside.
fn record_end(bytes: &[u8]) -> RecordEnd {
    let (mut quoted, mut quoted_newlines) = (false, 0);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if quoted => quoted_newlines += 1,
            b'\n' => {
                return RecordEnd { newline: Some(i), quoted_newlines, open_quote: false };
            }
            _ => {}
        }
    }
    RecordEnd { newline: None, quoted_newlines, open_quote: quoted }
}

/// One record's fields, unquoted, unescaped and trimmed, reusing its buffers from record to
/// record: csv-core splits delimited records, runs of whitespace split the rest.
pub struct Fields {
    /// csv-core's reader for the delimiter (None for whitespace tables).
    reader: Option<csv_core::Reader>,
    /// The fields' bytes, one after the other.
    bytes: Vec<u8>,
    /// End of each field in `bytes`.
    ends: Vec<usize>,
    /// Fields of the current record.
    len: usize,
}

impl Fields {
    /// An empty record for tables separated by `d`.
    pub fn new(d: Delimiter) -> Self {
        let sep = match d {
            Delimiter::Whitespace => None,
            Delimiter::Comma => Some(b','),
            Delimiter::Tab => Some(b'\t'),
            Delimiter::Semicolon => Some(b';'),
        };
        let reader = sep.map(|s| csv_core::ReaderBuilder::new().delimiter(s).build());
        Fields { reader, bytes: Vec::new(), ends: Vec::new(), len: 0 }
    }

    /// Splits one record (a line, or several when quotes hold newlines) into its fields.
    pub fn split(&mut self, record: &str) {
        let record = record.strip_prefix('\u{feff}').unwrap_or(record);
        self.bytes.clear();
        self.ends.clear();
        let Some(reader) = self.reader.as_mut() else {
            for f in record.split_ascii_whitespace() {
                self.bytes.extend_from_slice(f.as_bytes());
                self.ends.push(self.bytes.len());
            }
            self.len = self.ends.len();
            return;
        };
        reader.reset();
        // Unescaping only shortens a field, so the record's length is room enough for its bytes.
        self.bytes.resize(record.len().max(1), 0);
        self.ends.resize(8, 0);
        let (mut input, mut out, mut len) = (record.as_bytes(), 0, 0);
        loop {
            let (result, read, wrote, ended) = reader.read_record(
                input,
                self.bytes.get_mut(out..).unwrap_or(&mut []),
                self.ends.get_mut(len..).unwrap_or(&mut []),
            );
            input = input.get(read..).unwrap_or(&[]);
            out += wrote;
            len += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => self.bytes.resize(self.bytes.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
            }
        }
        self.len = len;
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Field `i`, trimmed (invalid UTF-8 reads as empty).
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(..self.len)?.get(i)?;
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) };
        let bytes = self.bytes.get(start..end).unwrap_or(&[]);
        Some(std::str::from_utf8(bytes).unwrap_or("").trim())
    }

    /// Every field, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len).filter_map(|i| self.get(i))
    }
}

fn is_number(f: &str) -> bool {
    f.is_empty() || f.parse::<f32>().is_ok()
}

fn parse_number(f: &str) -> Option<f32> {
    if f.is_empty() { Some(f32::NAN) } else { f.parse::<f32>().ok() }
}

impl TextLayer {
    /// Scans a text source. `file_is_labels`: the file is named like labels (a single column is
    /// then labels, and a first row equal to a label word is a header).
    pub fn scan(src: &dyn ByteSource, limits: &Limits) -> Result<Self, ErrorKind> {
        let max_line = limits.max_text_line;
        let mut lines = Lines::new(src, 0, 1, max_line);
        // Keep the first two lines; of the rest of the sample only which separators occur.
        let mut sample: Vec<(u64, u64, String)> = Vec::new();
        let mut seen = [false; 3];
        for i in 0..SAMPLE_LINES {
            let Some(l) = lines.next_data()? else { break };
            let t = lines.text(&l);
            for (s, c) in seen.iter_mut().zip(['\t', ',', ';']) {
                *s |= t.contains(c);
            }
            if i < 2 {
                sample.push((l.offset, l.line_no, t.into_owned()));
            }
        }
        let Some(first) = sample.first() else {
            return Err(ErrorKind::Text { line: 1, problem: "no data rows (the file is empty)".into() });
        };
        let delimiter = if seen[0] {
            Delimiter::Tab
        } else if seen[1] {
            Delimiter::Comma
        } else if seen[2] {
            Delimiter::Semicolon
        } else {
            Delimiter::Whitespace
        };
        let mut f0 = Fields::new(delimiter);
        f0.split(&first.2);
        let mut f1 = Fields::new(delimiter);
        if let Some(second) = sample.get(1) {
            f1.split(&second.2);
        }
        let single_label_word = f0.len() == 1 && is_label_name(f0.get(0).unwrap_or(""));
        let header_row = single_label_word
            || f0
                .iter()
                .enumerate()
                .any(|(j, f)| !is_number(f) && f1.get(j).is_some_and(|g| is_number(g) && !g.is_empty()))
            // The Embedding Projector's metadata.tsv: several text columns always have a header.
            || (f0.len() > 1 && f1.len() == f0.len() && f0.iter().chain(f1.iter()).all(|f| !is_number(f)));
        let (header, data_idx) = if header_row && sample.len() > 1 {
            (Some(f0.iter().map(|s| s.to_string()).collect::<Vec<_>>()), 1)
        } else {
            (None, 0)
        };
        let data_fields = if data_idx == 1 { &f1 } else { &f0 };
        let fields = data_fields.len();
        let all_text = data_fields.iter().all(|f| !is_number(f));
        let header_says_label = header.as_ref().and_then(|h| h.first()).is_some_and(|h| is_label_name(h));
        let first_not_number = data_fields.get(0).is_some_and(|f| !is_number(f));
        let label_column = (!all_text && fields > 1 && (first_not_number || header_says_label)).then_some(0);
        let (start_off, start_line) = sample.get(data_idx).map(|s| (s.0, s.1)).unwrap_or((first.0, first.1));
        drop(sample);

        // Full pass: count rows, check field counts, keep checkpoints.
        let mut lines = Lines::new(src, start_off, start_line, max_line);
        let mut checkpoints = Vec::new();
        let mut rows = 0usize;
        let mut buf = Fields::new(delimiter);
        while let Some(l) = lines.next_data()? {
            if rows.is_multiple_of(STRIDE) {
                checkpoints.push((l.offset, l.line_no));
            }
            buf.split(&lines.text(&l));
            if buf.len() != fields {
                return Err(ErrorKind::Text {
                    line: l.line_no,
                    problem: format!("{} fields where the first row has {fields}", buf.len()),
                });
            }
            rows += 1;
        }
        Ok(Self { delimiter, header, rows, fields, label_column, all_text, checkpoints, end: src.len(), max_line })
    }

    /// Numeric columns (all fields but the label column).
    pub fn cols(&self) -> usize {
        self.fields - usize::from(self.label_column.is_some())
    }

    /// The column to take labels from in a metadata table: one named like labels, else the first.
    pub fn metadata_label_column(&self) -> usize {
        self.header.as_ref().and_then(|h| h.iter().position(|n| is_label_name(n))).unwrap_or(0)
    }

    fn lines_from<'a>(&self, src: &'a dyn ByteSource, row: usize) -> Result<(Lines<'a>, usize), ErrorKind> {
        let k = row / STRIDE;
        let &(off, line) =
            self.checkpoints.get(k).ok_or(ErrorKind::RowRange { start: row, end: row, rows: self.rows })?;
        Ok((Lines::new(src, off, line, self.max_line), k * STRIDE))
    }

    /// Parses rows `rows` into row-major `out` (`rows.len() × cols()`).
    pub fn read_rows(&self, src: &dyn ByteSource, rows: Range<usize>, out: &mut [f32]) -> Result<(), ErrorKind> {
        if rows.is_empty() {
            return Ok(());
        }
        let (mut lines, mut r) = self.lines_from(src, rows.start)?;
        let mut o = 0usize;
        let mut fields = Fields::new(self.delimiter);
        while r < rows.end {
            let Some(l) = lines.next_data()? else {
                return Err(ErrorKind::Text {
                    line: lines.line_no,
                    problem: "the file changed: fewer rows than when opened".into(),
                });
            };
            if r >= rows.start {
                fields.split(&lines.text(&l));
                if fields.len() != self.fields {
                    return Err(ErrorKind::Text {
                        line: l.line_no,
                        problem: format!("{} fields where the first row has {}", fields.len(), self.fields),
                    });
                }
                for (j, f) in fields.iter().enumerate() {
                    if Some(j) == self.label_column {
                        continue;
                    }
                    let v = parse_number(f).ok_or_else(|| ErrorKind::Text {
                        line: l.line_no,
                        problem: format!(
                            "field {} (\"{}\") is not a number",
                            j + 1,
                            f.chars().take(40).collect::<String>()
                        ),
                    })?;
                    if let Some(slot) = out.get_mut(o) {
                        *slot = v;
                    }
                    o += 1;
                }
            }
            r += 1;
        }
        Ok(())
    }

    /// All values of one column, as text.
    pub fn read_column(&self, src: &dyn ByteSource, column: usize) -> Result<Vec<String>, ErrorKind> {
        let mut out = Vec::new();
        if self.rows == 0 {
            return Ok(out);
        }
        let (mut lines, _) = self.lines_from(src, 0)?;
        let mut fields = Fields::new(self.delimiter);
        while let Some(l) = lines.next_data()? {
            fields.split(&lines.text(&l));
            out.push(fields.get(column).map(str::to_string).unwrap_or_default());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::MemorySource;

    fn scan(text: &str) -> (MemorySource, TextLayer) {
        let src = MemorySource::new("t.csv", text.as_bytes().to_vec());
        let t = TextLayer::scan(&src, &Limits::default()).unwrap();
        (src, t)
    }

    #[test]
    fn sniffs_header_labels_and_delimiter() {
        let (src, t) = scan("label,a,b\ncat,1,2\ndog,3,4.5\n\ncat,-1,1e3\n");
        assert_eq!(t.delimiter, Delimiter::Comma);
        assert_eq!(t.header.as_deref(), Some(&["label".to_string(), "a".into(), "b".into()][..]));
        assert_eq!((t.rows, t.cols(), t.label_column), (3, 2, Some(0)));
        let mut out = vec![0.0; 6];
        t.read_rows(&src, 0..3, &mut out).unwrap();
        assert_eq!(out, [1.0, 2.0, 3.0, 4.5, -1.0, 1000.0]);
        assert_eq!(t.read_column(&src, 0).unwrap(), ["cat", "dog", "cat"]);
    }

    #[test]
    fn whitespace_tables_and_ragged_rows() {
        let (src, t) = scan("1 2 3\r\n4  5 6\r\n");
        assert_eq!((t.delimiter, t.rows, t.cols(), t.header.is_none()), (Delimiter::Whitespace, 2, 3, true));
        let mut out = vec![0.0; 3];
        t.read_rows(&src, 1..2, &mut out).unwrap();
        assert_eq!(out, [4.0, 5.0, 6.0]);
        let src = MemorySource::new("t.tsv", b"1\t2\n3\n".to_vec());
        let e = TextLayer::scan(&src, &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn quoted_fields_hold_delimiters_escaped_quotes_and_newlines() {
        let (src, t) = scan("label,a\n\"cat, \"\"tabby\"\"\",1\n\"two\nlines\",2\nplain,3\n");
        assert_eq!((t.rows, t.cols(), t.label_column), (3, 1, Some(0)));
        assert_eq!(t.read_column(&src, 0).unwrap(), ["cat, \"tabby\"", "two\nlines", "plain"]);
        let mut out = vec![0.0; 2];
        t.read_rows(&src, 1..3, &mut out).unwrap();
        assert_eq!(out, [2.0, 3.0]);
        let src = MemorySource::new("t.csv", b"a,b\n1,2\n\"3,4\n5,6\n".to_vec());
        let e = TextLayer::scan(&src, &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("line 3") && e.to_string().contains("never closed"), "{e}");
    }

    #[test]
    fn rows_from_checkpoints_past_the_first() {
        let text: String = (0..200).map(|i| format!("{i}\t{}\n", i * 2)).collect();
        let (src, t) = scan(&text);
        let mut out = vec![0.0; 4];
        t.read_rows(&src, 130..132, &mut out).unwrap();
        assert_eq!(out, [130.0, 260.0, 131.0, 262.0]);
    }
}
