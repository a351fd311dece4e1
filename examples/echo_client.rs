//! An echo client on the safe Rust API: sends `count` packets to `name`
//! and checks every echo.
//!
//! Usage: echo_client <name> [count] [max size] [qos]
//!
//! Packets use the bulk pattern of the C compat programs
//! (`compat-tests/c/dev/compat.h`), so either end of an echo can be C:
//! packet `seq` is `1 + seq * 40503 % max` bytes long (every size from 1 to
//! `max` once per `max` packets when `max` is a power of two), its byte `j`
//! is `seq * 131 + j * 7 + j / 256` (mod 256), and from 4 bytes on it
//! starts with `seq` big-endian.

use ouroboros::dev::Flow;
use ouroboros::qos::QosSpec;
use std::time::{Duration, Instant};

/// Length of packet `seq`.
fn size(seq: u32, max: usize) -> usize {
    1 + (seq.wrapping_mul(40503) as usize) % max
}

/// Packet contents, built once per variant: apart from its first four
/// bytes, packet `seq` depends on `seq` only through `seq * 131 % 256`.
struct Patterns {
    max: usize,
    variants: Vec<Option<Vec<u8>>>,
}

impl Patterns {
    fn new(max: usize) -> Patterns {
        Patterns {
            max,
            variants: vec![None; 256],
        }
    }

    /// Fills `buf` with the content of packet `seq`.
    fn fill(&mut self, buf: &mut [u8], seq: u32) {
        let k = seq.wrapping_mul(131) as u8;
        let max = self.max as u32;
        let v = self.variants[usize::from(k)].get_or_insert_with(|| {
            (0..max)
                .map(|j| k.wrapping_add(j.wrapping_mul(7).wrapping_add(j >> 8) as u8))
                .collect()
        });
        buf.copy_from_slice(&v[..buf.len()]);
        if buf.len() >= 4 {
            buf[..4].copy_from_slice(&seq.to_be_bytes());
        }
    }
}

fn fail(msg: String) -> ! {
    eprintln!("{msg}");
    std::process::exit(1);
}

fn main() {
    if let Err(e) = ouroboros::dev::init_from_env() {
        fail(format!("FATAL: {e}"));
    }
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(String::as_str).unwrap_or("echo");
    let count: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let max: usize = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .filter(|&m| m > 0)
        .unwrap_or(1400);
    let qos = args
        .get(4)
        .and_then(|q| QosSpec::by_name(q))
        .unwrap_or(QosSpec::RAW);
    let flow = Flow::alloc(name, Some(qos), Some(Duration::from_secs(10)))
        .unwrap_or_else(|e| fail(format!("Failed to allocate a flow to {name}: {e}")));
    if let Err(e) = flow.set_read_timeout(Some(Duration::from_secs(10))) {
        fail(format!("Failed to set the read timeout: {e}"));
    }
    let mut out = vec![0u8; max];
    // one byte more: a read that fills the buffer exactly is followed by a
    // 0-byte end-of-packet read (partial-read semantics)
    let mut back = vec![0u8; max + 1];
    let mut patterns = Patterns::new(max);
    let mut bytes = 0u64;
    let start = Instant::now();
    for seq in 0..count {
        let len = size(seq, max);
        patterns.fill(&mut out[..len], seq);
        if let Err(e) = flow.write(&out[..len]) {
            fail(format!("write {seq} failed: {e}"));
        }
        match flow.read(&mut back) {
            Ok(n) if n == len && back[..n] == out[..len] => bytes += n as u64,
            Ok(n) => fail(format!(
                "packet {seq}: got {n} bytes, expected {len} (or content differs)"
            )),
            Err(e) => fail(format!("read {seq} failed: {e}")),
        }
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "{count} packets echoed ({bytes} bytes in {s:.2} s, {:.0} packets/s)",
        f64::from(count) / s
    );
}
