//! Zip CRC-32: corrupted copies of the real-writer .npz fixtures (np.savez: stored members,
//! np.savez_compressed: deflated members), made by byte edits here, must fail with a typed error
//! naming the file and the member when a read passes the whole member; a slice is not checked.
// Native only: these tests read files by path (the wasm build reads Blobs, tests/wasm_worker.rs).
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use idscope::readers::{ByteSource, Container, ErrorKind, MemorySource, ReadError, open};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readers").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn open_bytes(name: &str, bytes: Vec<u8>) -> Result<Container, ReadError> {
    open(Box::new(MemorySource::new(name, bytes)) as Box<dyn ByteSource>)
}

fn u16_at(b: &[u8], i: usize) -> usize {
    u16::from_le_bytes([b[i], b[i + 1]]) as usize
}

/// Where a member lives in a plain (non-ZIP64-sized) archive: the offsets of its CRC-32 in the
/// central directory, of its data, and the data's length.
struct Place {
    central_crc: usize,
    data: usize,
    len: usize,
}

/// Finds `member` by scanning the central directory entries (signature PK\1\2).
fn place(zip: &[u8], member: &str) -> Place {
    let name = member.as_bytes();
    let p = (0..zip.len() - 46)
        .find(|&p| {
            zip[p..p + 4] == *b"PK\x01\x02" && zip[p + 46..].starts_with(name) && u16_at(zip, p + 28) == name.len()
        })
        .unwrap_or_else(|| panic!("no central entry for {member}"));
    let local = u32::from_le_bytes(zip[p + 42..p + 46].try_into().unwrap()) as usize;
    let len = u32::from_le_bytes(zip[p + 20..p + 24].try_into().unwrap()) as usize;
    assert_eq!(zip[local..local + 4], *b"PK\x03\x04");
    let data = local + 30 + u16_at(zip, local + 26) + u16_at(zip, local + 28);
    Place { central_crc: p + 16, data, len }
}

/// The fixture `file`'s bytes, where its `layer2.npy` lives, and that layer as read intact.
fn layer2_of(file: &str) -> (Vec<u8>, Place, ndarray::Array2<f32>) {
    let bytes = fixture(file);
    let at = place(&bytes, "layer2.npy");
    let clean = open_bytes(file, bytes.clone()).unwrap();
    let want = clean.read_layer(layer(&clean, "layer2")).unwrap().data;
    (bytes, at, want)
}

fn layer(c: &Container, name: &str) -> usize {
    c.layer_index(name).unwrap_or_else(|| panic!("no layer {name}: {}", c.describe()))
}

fn assert_checksum(e: &ReadError, file: &str, member: &str) {
    assert!(matches!(&e.kind, ErrorKind::Checksum { member: m, .. } if m == member), "{e}");
    let text = e.to_string();
    assert!(text.starts_with(&format!("{file}: ")), "{text}");
    assert!(text.contains(&format!("member \"{member}\" is corrupted")), "{text}");
}

#[test]
fn a_bit_flip_in_a_stored_member_fails_its_whole_read_and_names_file_and_member() {
    let (orig, at, want) = layer2_of("savez.npz");
    let header = 128; // numpy's version-1 header, padded to 128 bytes for this dtype and shape
    // Every bit of every data byte: the whole layer is refused, the other layers still read.
    for byte in at.data + header..at.data + at.len {
        for bit in 0..8 {
            let mut b = orig.clone();
            b[byte] ^= 1 << bit;
            let c = open_bytes("savez.npz", b).unwrap();
            let e = c.read_layer(layer(&c, "layer2")).unwrap_err();
            assert_checksum(&e, "savez.npz", "layer2.npy");
            assert!(c.read_layer(layer(&c, "conv1")).is_ok());
        }
    }
    // The exact message, and a slice that skips rows is read as stored (not checked).
    let mut b = orig.clone();
    b[at.data + at.len - 1] ^= 0x10;
    let c = open_bytes("savez.npz", b).unwrap();
    let l2 = layer(&c, "layer2");
    let e = c.read_layer(l2).unwrap_err();
    let computed = crc32fast::hash(&{
        let mut d = orig[at.data..at.data + at.len].to_vec();
        *d.last_mut().unwrap() ^= 0x10;
        d
    });
    assert_eq!(
        e.to_string(),
        format!(
            "savez.npz: layer \"layer2\": member \"layer2.npy\" is corrupted: its data has CRC-32 {computed:08x}, \
             the archive records 23884aa2; re-save or re-download the file"
        )
    );
    assert_eq!(c.read_rows(l2, 0..5).unwrap(), want.slice(ndarray::s![0..5, ..]));
    assert_checksum(&c.read_rows(l2, 0..6).unwrap_err(), "savez.npz", "layer2.npy");
    assert!(c.read_rows(l2, 3..6).is_ok(), "a slice from row 3 skips bytes: not checked");
}

#[test]
fn a_wrong_crc_in_the_central_directory_fails_stored_and_deflated_members_and_labels() {
    for file in ["savez.npz", "savez_compressed.npz"] {
        let orig = fixture(file);
        for member in ["conv1.npy", "labels.npy"] {
            let mut b = orig.clone();
            b[place(&orig, member).central_crc] ^= 0x01;
            let c = open_bytes(file, b).unwrap();
            let e = if member == "labels.npy" {
                c.read_labels().unwrap_err()
            } else {
                c.read_layer(layer(&c, "conv1")).unwrap_err()
            };
            assert_checksum(&e, file, member);
            assert!(c.read_layer(layer(&c, "layer10")).is_ok(), "{file}: other members still read");
        }
    }
}

#[test]
fn column_reads_check_a_member_when_they_reach_its_end() {
    // The streamed path reads columns of every row, a chunk at a time; a deflated member is
    // inflated from its start each time, so the chunk that ends at the member's end checks it.
    let orig = fixture("savez_compressed.npz");
    let mut b = orig.clone();
    b[place(&orig, "layer2.npy").central_crc] ^= 0x80;
    let c = open_bytes("savez_compressed.npz", b).unwrap();
    let reader = c.layer(layer(&c, "layer2")).unwrap();
    let all: Vec<usize> = (0..6).collect();
    let mut out = vec![0f32; 6 * 4];
    assert_checksum(&reader.read_columns(&all, 0..4, &mut out).unwrap_err(), "savez_compressed.npz", "layer2.npy");
    assert_checksum(
        &reader.read_columns(&all, 2..4, &mut out[..12]).unwrap_err(),
        "savez_compressed.npz",
        "layer2.npy",
    );
    assert!(reader.read_columns(&all, 0..2, &mut out[..12]).is_ok(), "ends before the last column: not checked");
    assert!(reader.read_columns(&[0, 1], 0..4, &mut out[..8]).is_ok(), "ends before the last row: not checked");
}

#[test]
fn no_bit_flip_in_a_deflated_member_gives_wrong_data() {
    // Inflating catches many flips (bad codes, wrong length); the CRC catches the rest, which
    // inflate to the right length with wrong values. Nothing reads back altered data.
    let (orig, at, want) = layer2_of("savez_compressed.npz");
    let mut by_crc = 0;
    for byte in at.data..at.data + at.len {
        for bit in 0..8 {
            let mut b = orig.clone();
            b[byte] ^= 1 << bit;
            let Ok(c) = open_bytes("savez_compressed.npz", b) else {
                continue;
            };
            let Some(l) = c.layer_index("layer2") else {
                continue;
            };
            match c.read_layer(l) {
                Ok(got) => assert_eq!(got.data, want, "flip of bit {bit} at byte {byte} read back altered data"),
                Err(e) if matches!(e.kind, ErrorKind::Checksum { .. }) => {
                    assert_checksum(&e, "savez_compressed.npz", "layer2.npy");
                    by_crc += 1;
                }
                Err(_) => {}
            }
        }
    }
    assert!(by_crc > 100, "only {by_crc} flips were caught by the CRC");
}
