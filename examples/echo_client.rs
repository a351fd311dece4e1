//! An echo client on the safe Rust API: sends `count` packets of sizes
//! cycling through `sizes` to `name` and checks every echo.
//!
//! Usage: echo_client <name> [count] [max size] [qos]

use ouroboros::dev::Flow;
use ouroboros::qos::QosSpec;
use std::time::Duration;

/// Deterministic content for packet `seq`.
fn fill(buf: &mut [u8], seq: u64) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = (seq as usize).wrapping_mul(31).wrapping_add(i) as u8;
    }
}

fn main() {
    if let Err(e) = ouroboros::dev::init_from_env() {
        eprintln!("FATAL: {e}");
        std::process::exit(1);
    }
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(String::as_str).unwrap_or("echo");
    let count: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let max: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1400);
    let qos = args
        .get(4)
        .and_then(|q| QosSpec::by_name(q))
        .unwrap_or(QosSpec::RAW);
    let flow = match Flow::alloc(name, Some(qos), Some(Duration::from_secs(10))) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("Failed to allocate a flow to {name}: {e}");
            std::process::exit(1);
        }
    };
    flow.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut out = vec![0u8; max];
    // one byte more: a read that fills the buffer exactly is followed by a
    // 0-byte end-of-packet read (partial-read semantics)
    let mut back = vec![0u8; max + 1];
    for seq in 0..count {
        let len = 1 + (seq as usize * 7919) % max;
        fill(&mut out[..len], seq);
        if let Err(e) = flow.write(&out[..len]) {
            eprintln!("write {seq} failed: {e}");
            std::process::exit(1);
        }
        match flow.read(&mut back) {
            Ok(n) if n == len && back[..n] == out[..len] => {}
            Ok(n) => {
                eprintln!("packet {seq}: got {n} bytes, expected {len} (or content differs)");
                std::process::exit(1);
            }
            Err(e) => {
                eprintln!("read {seq} failed: {e}");
                std::process::exit(1);
            }
        }
    }
    println!("{count} packets echoed");
}
