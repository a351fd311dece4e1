//! Tests of the shared-memory layer. Every test that touches shared memory
//! runs in its own private `/dev/shm` (see `testns`).

mod cross;
mod flow_set;
mod layout;
mod pool;
mod rbuff;

use std::os::unix::fs::FileExt;
use std::time::Duration;

use crate::time::MonoTime;

/// The bytes `[off, off + len)` of shared-memory object `name`, read
/// through the file system.
fn file_bytes(name: &str, off: u64, len: usize) -> Vec<u8> {
    let f = std::fs::File::open(format!("/dev/shm{name}")).expect("open object");
    let mut b = vec![0; len];
    f.read_exact_at(&mut b, off).expect("read object");
    b
}

/// Writes `bytes` at `off` into shared-memory object `name` through the
/// file system, as a misbehaving peer process would.
fn poke(name: &str, off: u64, bytes: &[u8]) {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("/dev/shm{name}"))
        .expect("open object");
    f.write_all_at(bytes, off).expect("write object");
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_ne_bytes(b[off..off + 8].try_into().unwrap())
}

fn exists(name: &str) -> bool {
    std::path::Path::new(&format!("/dev/shm{name}")).exists()
}

/// A deadline far enough away to only guard against hangs.
fn safety_net() -> Option<MonoTime> {
    Some(MonoTime::now().after(Duration::from_secs(30)))
}

/// A deadline that is about to pass.
fn soon() -> Option<MonoTime> {
    Some(MonoTime::now().after(Duration::from_millis(20)))
}
