//! Files over 4 GiB (sparse, made here and deleted): listing and reading a few rows touch only
//! megabytes, counted through a wrapping byte source. Covers 64-bit offsets and ZIP64.
// Native only: these tests read files by path (the wasm build reads Blobs, tests/wasm_worker.rs).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use idscope::readers::{ByteSource, FileSource, open};

/// Deletes the file when the test ends, passing or not.
struct TempFile(PathBuf);
impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp(name: &str) -> TempFile {
    TempFile(std::env::temp_dir().join(format!("idscope-{}-{name}", std::process::id())))
}

const N: u64 = 1100;
const D: u64 = 1_000_000;
const DATA: u64 = N * D * 4; // 4.4 GB

fn npy_header() -> Vec<u8> {
    common::npy_header("<f4", &format!("({N}, {D})"), false)
}

fn counted(path: &PathBuf) -> (Box<dyn ByteSource>, Arc<AtomicU64>) {
    let src = common::Counting::new(FileSource::open(path).unwrap());
    let bytes = Arc::clone(&src.total);
    (Box::new(src), bytes)
}

/// Writes 2.5 at the first and 7.0 at the last element of the last row.
fn mark_last_row(f: &File, data_start: u64) {
    let row = data_start + (N - 1) * D * 4;
    f.write_all_at(&2.5f32.to_le_bytes(), row).unwrap();
    f.write_all_at(&7.0f32.to_le_bytes(), row + (D - 1) * 4).unwrap();
}

#[test]
fn npy_over_4_gib_lists_and_reads_rows_lazily() {
    let t = temp("big.npy");
    let h = npy_header();
    let f = File::create(&t.0).unwrap();
    f.write_all_at(&h, 0).unwrap();
    f.set_len(h.len() as u64 + DATA).unwrap();
    mark_last_row(&f, h.len() as u64);
    drop(f);

    let (src, bytes) = counted(&t.0);
    let c = open(src).unwrap();
    assert_eq!((c.entries[0].rows, c.entries[0].cols, c.entries[0].byte_size), (N as usize, D as usize, DATA));
    assert!(bytes.load(Ordering::Relaxed) < 16_384, "listing read {} bytes", bytes.load(Ordering::Relaxed));
    let rows = c.read_rows(0, N as usize - 2..N as usize).unwrap();
    assert_eq!(rows.dim(), (2, D as usize));
    assert_eq!((rows[[1, 0]], rows[[1, D as usize - 1]], rows[[0, 0]]), (2.5, 7.0, 0.0));
    let read = bytes.load(Ordering::Relaxed);
    assert!(read < 2 * D * 4 + (1 << 16), "read {read} bytes of a {DATA}-byte file");
}

#[test]
fn zip64_npz_over_4_gib_lists_and_reads_rows_lazily() {
    let t = temp("big.npz");
    let name = b"big.npy";
    let h = npy_header();
    let size = h.len() as u64 + DATA;
    let zip64_extra = |v: &mut Vec<u8>| {
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&16u16.to_le_bytes());
        v.extend_from_slice(&size.to_le_bytes());
        v.extend_from_slice(&size.to_le_bytes());
    };
    let mut local = Vec::new();
    local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    local.extend_from_slice(&[45, 0, 0, 0, 0, 0]); // version, flags, method = stored
    local.extend_from_slice(&[0; 8]);
    local.extend_from_slice(&[0xff; 8]); // sizes in the ZIP64 extra
    local.extend_from_slice(&(name.len() as u16).to_le_bytes());
    local.extend_from_slice(&20u16.to_le_bytes());
    local.extend_from_slice(name);
    zip64_extra(&mut local);
    let data_start = local.len() as u64;
    local.extend_from_slice(&h);

    let cd_off = data_start + size;
    let mut cd = Vec::new();
    cd.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    cd.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0]);
    cd.extend_from_slice(&[0; 8]);
    cd.extend_from_slice(&[0xff; 8]);
    cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
    cd.extend_from_slice(&20u16.to_le_bytes());
    cd.extend_from_slice(&[0; 10]); // comment length, disk, attributes
    cd.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    cd.extend_from_slice(name);
    zip64_extra(&mut cd);
    let cd_len = cd.len() as u64;
    let rec_off = cd_off + cd_len;
    let mut tail = cd;
    tail.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
    tail.extend_from_slice(&44u64.to_le_bytes());
    tail.extend_from_slice(&[45, 0, 45, 0]);
    tail.extend_from_slice(&[0; 8]);
    tail.extend_from_slice(&1u64.to_le_bytes());
    tail.extend_from_slice(&1u64.to_le_bytes());
    tail.extend_from_slice(&cd_len.to_le_bytes());
    tail.extend_from_slice(&cd_off.to_le_bytes());
    tail.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
    tail.extend_from_slice(&0u32.to_le_bytes());
    tail.extend_from_slice(&rec_off.to_le_bytes());
    tail.extend_from_slice(&1u32.to_le_bytes());
    tail.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    tail.extend_from_slice(&[0; 4]);
    tail.extend_from_slice(&[0xff; 4]);
    tail.extend_from_slice(&[0xff; 8]);
    tail.extend_from_slice(&[0, 0]);

    let f = File::create(&t.0).unwrap();
    f.write_all_at(&local, 0).unwrap();
    f.write_all_at(&tail, cd_off).unwrap();
    mark_last_row(&f, data_start + h.len() as u64);
    drop(f);

    let (src, bytes) = counted(&t.0);
    let c = open(src).unwrap();
    assert_eq!(c.entries.len(), 1, "{}", c.describe());
    assert_eq!((c.entries[0].name.as_str(), c.entries[0].rows, c.entries[0].cols), ("big", N as usize, D as usize));
    assert!(bytes.load(Ordering::Relaxed) < 80_000, "listing read {} bytes", bytes.load(Ordering::Relaxed));
    let rows = c.read_rows(0, N as usize - 1..N as usize).unwrap();
    assert_eq!((rows[[0, 0]], rows[[0, D as usize - 1]]), (2.5, 7.0));
    assert!(bytes.load(Ordering::Relaxed) < D * 4 + 100_000);
}
