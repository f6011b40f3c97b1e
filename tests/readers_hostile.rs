//! Hostile and broken input: every case is a typed error naming the file, the layer and the
//! problem; never a panic, a hang, or an allocation beyond what the file justifies. Also replays
//! the fuzzing regression corpus in tests/fixtures/readers/regressions/.
// Native only: these tests read files by path (the wasm build reads Blobs, tests/wasm_worker.rs).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;

use idscope::readers::{
    ByteSource, Container, ErrorKind, Limits, MemorySource, Model, ReadError, group, open, open_with,
};

fn mem(name: &str, bytes: Vec<u8>) -> Box<dyn ByteSource> {
    Box::new(MemorySource::new(name, bytes))
}

/// A version-1 .npy file: header padded to 64 bytes, then `data`.
fn npy(descr: &str, shape: &str, fortran: bool, data: &[u8]) -> Vec<u8> {
    let mut out = common::npy_header(descr, shape, fortran);
    out.extend_from_slice(data);
    out
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

struct Entry {
    name: String,
    method: u16,
    payload: Vec<u8>,
    declared: u64,
    crc: u32,
}

fn stored(name: &str, data: Vec<u8>) -> Entry {
    Entry { name: name.into(), method: 0, declared: data.len() as u64, crc: crc32fast::hash(&data), payload: data }
}

fn deflated(name: &str, data: &[u8]) -> Entry {
    Entry {
        name: name.into(),
        method: 8,
        payload: miniz_oxide::deflate::compress_to_vec(data, 6),
        declared: data.len() as u64,
        crc: crc32fast::hash(data),
    }
}

/// A plain zip (no ZIP64). Central entries may point at other local headers via `local_override`.
fn zip(entries: &[Entry], local_override: &[(usize, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut locals = Vec::new();
    for e in entries {
        locals.push(out.len() as u32);
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0]);
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // time, date
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&(e.payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&(e.declared as u32).to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.payload);
    }
    let cd_start = out.len() as u32;
    for (i, e) in entries.iter().enumerate() {
        let local = local_override.iter().find(|o| o.0 == i).map_or(locals[i], |o| locals[o.1]);
        out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 20, 0, 0, 0]);
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&(e.payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&(e.declared as u32).to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 12]); // extra, comment, disk, attrs
        out.extend_from_slice(&local.to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
    }
    let cd_len = out.len() as u32 - cd_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_start.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

fn safetensors(header: &str, data_len: usize) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.resize(out.len() + data_len, 0);
    out
}

fn open_err(name: &str, bytes: Vec<u8>) -> ReadError {
    open(mem(name, bytes)).err().unwrap_or_else(|| panic!("{name}: opened"))
}

fn read_err(c: &Container, layer: usize) -> ReadError {
    c.read_layer(layer).expect_err("read_layer should fail")
}

#[test]
fn truncated_npz_member_message_names_file_layer_and_sizes() {
    let data = npy("<f4", "(2000, 4096)", false, &vec![0u8; 1 << 20]);
    let e = open_err("acts.npz", zip(&[stored("conv3.npy", data)], &[]));
    assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
    assert_eq!(
        e.to_string(),
        "acts.npz: layer \"conv3\": data truncated: header says 2000×4096 float32 (32 768 000 bytes), member has 1 048 576"
    );
}

#[test]
fn npy_truncated_oversized_and_overflowing_shapes_are_refused() {
    let e = open_err("t.npy", npy("<f4", "(10, 4)", false, &[0; 100]));
    assert!(matches!(e.kind, ErrorKind::Truncated { expected: 160, actual: 100, .. }), "{e}");
    assert!(e.to_string().starts_with("t.npy: data truncated"), "{e}");
    let e = open_err("big.npy", npy("<f4", "(10, 4)", false, &[0; 200]));
    assert!(matches!(e.kind, ErrorKind::SizeMismatch { .. }), "{e}");
    let e = open_err("o.npy", npy("<f8", "(4294967296, 4294967296, 16)", false, &[]));
    assert!(matches!(e.kind, ErrorKind::ShapeOverflow(_)), "{e}");
    let e = open_err("o2.npy", npy("<f8", "(4611686018427387904,)", false, &[]));
    assert!(matches!(e.kind, ErrorKind::ShapeOverflow(_)), "{e}");
    // Header length beyond the file, and above the cap (version 2 has a 4-byte length).
    let mut b = b"\x93NUMPY\x01\x00\xff\x7f{'descr'".to_vec();
    assert!(matches!(open_err("h.npy", b.clone()).kind, ErrorKind::BadNpyHeader(_)));
    b = b"\x93NUMPY\x02\x00\xff\xff\xff\x7f{".to_vec();
    assert!(matches!(open_err("h2.npy", b).kind, ErrorKind::HeaderTooLarge { .. }));
    assert!(matches!(open_err("v9.npy", b"\x93NUMPY\x09\x00\x10\x00".to_vec()).kind, ErrorKind::BadNpyHeader(_)));
}

#[test]
fn object_structured_and_odd_dtypes_say_why() {
    let e = open_err("obj.npy", npy("|O", "(3,)", false, &[0; 24]));
    assert!(e.to_string().contains("never unpickles"), "{e}");
    let mut dict = b"\x93NUMPY\x01\x00".to_vec();
    let h = "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,), }\n";
    dict.extend_from_slice(&(h.len() as u16).to_le_bytes());
    dict.extend_from_slice(h.as_bytes());
    dict.extend_from_slice(&[0; 16]);
    let e = open_err("rec.npy", dict);
    assert!(e.to_string().contains("structured"), "{e}");
    for d in ["<c8", "<f16", "<M8[ns]", "<x4"] {
        let e = open_err("odd.npy", npy(d, "(2, 2)", false, &[0; 64]));
        assert!(matches!(e.kind, ErrorKind::UnsupportedDtype { .. }), "{d}: {e}");
    }
    // In an archive, a refused member is skipped with its reason; the rest still reads.
    let z = zip(
        &[
            stored("names.npy", npy("|O", "(3,)", false, &[0; 24])),
            stored("acts.npy", npy("<f4", "(3, 1)", false, &[0; 12])),
        ],
        &[],
    );
    let c = open(mem("m.npz", z)).unwrap();
    assert_eq!(c.entries.len(), 1);
    assert!(c.skipped[0].reason.contains("never unpickles"));
}

#[test]
fn zip_bombs_are_refused() {
    // A member that inflates beyond its declared size.
    let big = npy("<f4", "(1000, 1000)", false, &vec![0u8; 4_000_000]);
    let mut e = deflated("layer.npy", &big);
    let small_header = npy("<f4", "(100, 1000)", false, &[]);
    // Same stream, but the header it holds is patched to a smaller shape and the size to match.
    let mut patched = big.clone();
    patched[..small_header.len()].copy_from_slice(&small_header);
    e.payload = miniz_oxide::deflate::compress_to_vec(&patched, 6);
    e.crc = crc32fast::hash(&patched);
    e.declared = small_header.len() as u64 + 400_000;
    let c = open(mem("bomb.npz", zip(&[e], &[]))).unwrap();
    let err = read_err(&c, 0);
    assert!(matches!(err.kind, ErrorKind::ZipBomb(_)), "{err}");
    assert!(err.to_string().starts_with("bomb.npz: layer \"layer\": zip bomb refused"), "{err}");
    // A declared size beyond deflate's best ratio.
    let mut e = deflated("layer.npy", &big);
    e.declared = e.payload.len() as u64 * 2000;
    assert!(matches!(open_err("ratio.npz", zip(&[e], &[])).kind, ErrorKind::ZipBomb(_)));
    // The cap on total inflated bytes.
    let limits = Limits { max_inflated_total: 1_000_000, ..Limits::default() };
    let e = open_with(mem("cap.npz", zip(&[deflated("a.npy", &big)], &[])), &limits).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::ZipBomb(_)), "{e}");
    // Overlapping members (several central entries sharing one local header's data).
    let a = stored("a.npy", npy("<f4", "(3, 2)", false, &[0; 24]));
    let b = stored("b.npy", npy("<f4", "(3, 2)", false, &[0; 24]));
    let e = open_err("overlap.npz", zip(&[a, b], &[(1, 0)]));
    assert!(e.to_string().contains("overlap"), "{e}");
    // Corrupt deflate data.
    let mut e = deflated("x.npy", &npy("<f4", "(3, 2)", false, &[0; 24]));
    for b in e.payload.iter_mut().skip(2) {
        *b = 0xff;
    }
    let r = open(mem("corrupt.npz", zip(&[e], &[])));
    assert!(r.is_err() || r.as_ref().map(|c| c.read_layer(0).is_err()).unwrap_or(true));
}

#[test]
fn zip_with_thousands_of_members_is_refused_before_reading_them() {
    let members: Vec<Entry> = (0..5000).map(|i| stored(&format!("m{i}.npy"), vec![])).collect();
    let e = open_err("many.npz", zip(&members, &[]));
    assert!(matches!(e.kind, ErrorKind::TooManyMembers { count: 5000, .. }), "{e}");
    let members: Vec<Entry> =
        (0..300).map(|i| stored(&format!("m{i}.npy"), npy("<f4", "(3, 1)", false, &[0; 12]))).collect();
    assert_eq!(open(mem("ok.npz", zip(&members, &[]))).unwrap().entries.len(), 300);
    // Not a zip at all past the magic, or truncated before the central directory.
    assert!(matches!(open_err("cut.npz", b"PK\x03\x04garbage".to_vec()).kind, ErrorKind::BadZip(_)));
}

#[test]
fn safetensors_headers_and_offsets_are_checked() {
    let mut b = safetensors("{\"a\":1}", 0);
    b[..8].copy_from_slice(&1000u64.to_le_bytes());
    let e = open_err("beyond.safetensors", b);
    assert!(e.to_string().contains("runs past the end"), "{e}");
    let mut b = safetensors("{\"a\":1}", 0);
    b[..8].copy_from_slice(&(200_000_000u64).to_le_bytes());
    assert!(matches!(open_err("cap.safetensors", b).kind, ErrorKind::HeaderTooLarge { .. }));
    let h = r#"{"x":{"dtype":"F32","shape":[4,2],"data_offsets":[0,320]}}"#;
    assert!(open_err("range.safetensors", safetensors(h, 32)).to_string().contains("outside the data section"));
    let h = r#"{"x":{"dtype":"F32","shape":[4,2],"data_offsets":[0,32]},"y":{"dtype":"F32","shape":[4,2],"data_offsets":[16,48]}}"#;
    assert!(open_err("overlap.safetensors", safetensors(h, 48)).to_string().contains("overlap"));
    let h = r#"{"x":{"dtype":"F32","shape":[4,3],"data_offsets":[0,32]}}"#;
    assert!(open_err("shape.safetensors", safetensors(h, 32)).to_string().contains("needs 48 bytes"));
    let h = r#"{"x":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,32]}}"#;
    assert!(open_err("ovf.safetensors", safetensors(h, 32)).to_string().contains("overflows"));
    let h = r#"{"x":{"dtype":"F8_E4M3","shape":[4,2],"data_offsets":[0,8]}}"#;
    let e = open_err("f8.safetensors", safetensors(h, 8));
    assert!(e.to_string().contains("F8_E4M3") && e.to_string().contains("F16, BF16 or F32"), "{e}");
    let h = r#"{"x":{"dtype":"Q4","shape":[4,2],"data_offsets":[0,8]},"z":{"dtype":"F32","shape":[3,1],"data_offsets":[8,20]}}"#;
    let c = open(mem("mixed.safetensors", safetensors(h, 20))).unwrap();
    assert_eq!((c.entries.len(), c.skipped.len()), (1, 1));
    assert!(open_err("json.safetensors", safetensors("{\"x\": [}", 0)).to_string().contains("not valid JSON"));
}

fn layer_npy(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f32) -> Vec<u8> {
    let v: Vec<f32> = (0..rows * cols).map(|i| f(i / cols.max(1), i % cols.max(1))).collect();
    npy("<f4", &format!("({rows}, {cols})"), false, &f32_bytes(&v))
}

#[test]
fn non_finite_rows_are_dropped_and_counted_or_the_layer_refused() {
    let c = open(mem("nan.npy", layer_npy(10, 3, |r, c| if r == 4 && c == 1 { f32::NAN } else { (r * 3 + c) as f32 })))
        .unwrap();
    let d = c.read_layer(0).unwrap();
    assert_eq!(d.non_finite_dropped, 1);
    assert_eq!(d.kept_rows, [0, 1, 2, 3, 5, 6, 7, 8, 9]);
    assert_eq!(d.data.row(4).to_vec(), [15.0, 16.0, 17.0]);
    // read_rows returns values as stored.
    assert!(c.read_rows(0, 4..5).unwrap()[[0, 1]].is_nan());
    let c = open(mem(
        "inf.npy",
        layer_npy(10, 2, |r, _| {
            if r < 2 {
                f32::INFINITY
            } else if r == 2 {
                f32::NEG_INFINITY
            } else {
                1.0
            }
        }),
    ))
    .unwrap();
    let e = read_err(&c, 0);
    assert!(matches!(e.kind, ErrorKind::TooManyNonFinite { bad: 3, rows: 10, .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "inf.npy: layer \"inf\": 3 of 10 rows contain NaN or ±Inf (more than 10 %); layer refused"
    );
}

#[test]
fn empty_tiny_and_featureless_layers_are_refused() {
    let c = open(mem("empty.npy", npy("<f4", "(0, 5)", false, &[]))).unwrap();
    assert!(matches!(read_err(&c, 0).kind, ErrorKind::Empty(_)));
    let c = open(mem("two.npy", layer_npy(2, 4, |_, _| 1.0))).unwrap();
    assert!(matches!(read_err(&c, 0).kind, ErrorKind::TooFewRows(2)));
    let c = open(mem("d0.npy", npy("<f4", "(5, 0)", false, &[]))).unwrap();
    assert!(matches!(read_err(&c, 0).kind, ErrorKind::NoColumns));
    assert!(read_err(&c, 0).to_string().contains("D = 0"));
    let c = open(mem("ok.npy", layer_npy(5, 2, |r, _| r as f32))).unwrap();
    assert!(matches!(c.read_rows(0, 3..9).unwrap_err().kind, ErrorKind::RowRange { .. }));
    assert!(matches!(c.read_layer(7).unwrap_err().kind, ErrorKind::NoSuchLayer { .. }));
    let e = open_err("e.csv", b"\n\n# only a comment\n".to_vec());
    assert!(e.to_string().contains("no data rows"), "{e}");
}

#[test]
fn labels_of_the_wrong_length_are_refused() {
    let labels = npy("<i8", "(4,)", false, &[0; 32]);
    let z = zip(&[stored("layer.npy", layer_npy(5, 2, |r, _| r as f32)), stored("labels.npy", labels.clone())], &[]);
    let c = open(mem("acts.npz", z)).unwrap();
    let e = Model::from_container(c).unwrap_err();
    assert_eq!(e.to_string(), "acts.npz: layer \"layer\": labels \"labels\" have 4 entries but the layer has 5 rows");
    let e = group(vec![mem("layer1.npy", layer_npy(5, 2, |r, _| r as f32)), mem("labels.npy", labels)]).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::LabelsLength { len: 4, rows: 5, .. }), "{e}");
    let e = group(vec![mem("a.npy", layer_npy(5, 2, |r, _| r as f32)), mem("y.npy", layer_npy(5, 2, |r, _| r as f32))])
        .unwrap_err();
    assert!(e.to_string().contains("labels must be 1-D"), "{e}");
    let e = open(mem("fl.npy", npy("<f8", "(3,)", false, &f32_bytes(&[0.5, 1.0, 1.5, 2.0, 0.0, 0.0])))).unwrap();
    assert!(e.read_labels().unwrap_err().to_string().contains("not an integer"));
}

#[test]
fn pytorch_and_pickles_are_refused_with_the_way_out() {
    let z = zip(&[stored("archive/data.pkl", vec![0x80, 2, b'}']), stored("archive/version", b"3".to_vec())], &[]);
    let e = open_err("model.pt", z);
    assert!(matches!(e.kind, ErrorKind::PyTorch));
    assert!(e.to_string().contains("np.savez(\"acts.npz\""), "{e}");
    let e = open_err("old.pth", vec![0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20]);
    assert!(matches!(e.kind, ErrorKind::PyTorch));
    assert!(matches!(open_err("x.h5", b"\x89HDF\r\n\x1a\n\0\0".to_vec()).kind, ErrorKind::UnknownFormat(_)));
    assert!(matches!(open_err("x.bin", vec![0, 1, 2, 3, 0xff, 0xfe]).kind, ErrorKind::UnknownFormat(_)));
    assert!(matches!(open_err("none", vec![]).kind, ErrorKind::UnknownFormat(_)));
}

#[test]
fn text_errors_name_the_line() {
    let c = open(mem("t.csv", b"1,2,3\n4,x,6\n7,8,9\n".to_vec())).unwrap();
    let e = c.read_rows(0, 0..3).unwrap_err();
    assert_eq!(e.to_string(), "t.csv: layer \"t\": line 2: field 2 (\"x\") is not a number");
    let e = open_err("r.tsv", b"1\t2\n3\t4\n5\n".to_vec());
    assert_eq!(e.to_string(), "r.tsv: line 3: 1 fields where the first row has 2");
    let limits = Limits { max_text_line: 1000, ..Limits::default() };
    let long = "1,".repeat(2_000_000) + "1\n";
    let e = open_with(mem("long.csv", long.into_bytes()), &limits).unwrap_err();
    assert!(e.to_string().contains("longer than"), "{e}");
    // Empty fields read as NaN and fall under the NaN policy.
    let c = open(mem("gaps.csv", b"1,2\n3,\n5,6\n7,8\n9,1\n1,1\n1,1\n1,1\n1,1\n1,1\n1,1\n".to_vec())).unwrap();
    assert_eq!(c.read_layer(0).unwrap().non_finite_dropped, 1);
}

/// Opens and reads everything in `bytes`; must return (Ok or Err), never panic.
fn exercise(name: &str, bytes: Vec<u8>) {
    let limits = Limits { max_inflated_total: 64 << 20, ..Limits::default() };
    if let Ok(c) = open_with(mem(name, bytes), &limits) {
        let _ = c.describe();
        for i in 0..c.entries.len() {
            let rows = c.entries[i].rows;
            if (rows as u64).saturating_mul(c.entries[i].cols as u64) < 1 << 24 {
                let _ = c.read_layer(i);
                let _ = c.read_rows(i, rows / 2..rows);
            }
        }
        let _ = c.read_labels();
        let _ = Model::from_container(c);
    }
}

#[test]
fn regression_corpus_never_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readers/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("regressions dir") {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            exercise(&name, std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n > 0);
}

#[test]
fn mutated_fixtures_never_panic() {
    // A small deterministic mutation pass over the real-writer fixtures (cargo fuzz does the rest).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readers");
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let files = [dir.clone(), dir.join("quoted")].into_iter().flat_map(|d| std::fs::read_dir(d).unwrap());
    for entry in files {
        let path = entry.unwrap().path();
        if !path.is_file() || path.extension().is_some_and(|e| e == "json" || e == "py") {
            continue;
        }
        let orig = std::fs::read(&path).unwrap();
        for _ in 0..60 {
            let mut b = orig.clone();
            match next() % 4 {
                0 => b.truncate((next() as usize) % (b.len() + 1)),
                1 => {
                    for _ in 0..1 + next() % 4 {
                        let i = (next() as usize) % b.len();
                        b[i] = next() as u8;
                    }
                }
                2 => {
                    let i = (next() as usize) % b.len();
                    b[i] = [0x00, 0xff, 0x7f, 0x80][(next() % 4) as usize];
                }
                _ => {
                    let i = (next() as usize) % b.len();
                    let extra: Vec<u8> = (0..next() % 16).map(|_| next() as u8).collect();
                    b.splice(i..i, extra);
                }
            }
            exercise(&path.file_name().unwrap().to_string_lossy(), b);
        }
    }
}
