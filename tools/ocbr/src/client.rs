//! The ocbr client: `size`-byte packets at a constant rate (sleeping or
//! spinning between them) or as fast as possible, for a duration.

use crate::args::Config;
use ouroboros::dev::Flow;
use std::time::Duration;
use tools_common::cnum::fixed;
use tools_common::timespec::{Ts, BILLION, MILLION};
use tools_common::{out, signals};

/// Exit status of a failed client (`-1` from `main` upstream).
const FAILURE: i32 = 255;

/// Nanoseconds between packets for `size` bytes at `rate` b/s.
pub fn gap_ns(size: i32, rate: i64) -> i64 {
    (f64::from(size) * 8.0 * (BILLION as f64 / rate as f64)) as i64
}

/// The closing line.
pub fn report(packets: i64, size: i32, ms: i32) -> String {
    let mbps = (packets as f64 / (f64::from(ms) * 1000.0)) * f64::from(size) * 8.0;
    format!(
        "sent statistics: {packets:>9} packets, {:>12} bytes in {ms:>9} ms, {:>4} Mb/s\n",
        packets.wrapping_mul(i64::from(size)),
        fixed(mbps, 4)
    )
}

/// Spins until `deadline` (or a stop).
fn spin_until(deadline: &Ts) {
    while Ts::mono() < *deadline && !signals::stopped() {
        std::hint::spin_loop();
    }
}

pub fn run(cfg: &Config) -> i32 {
    if !signals::catch_term() {
        return FAILURE;
    }
    out!(
        "Client started, duration {}, rate {} b/s, size {} B.\n",
        cfg.duration,
        cfg.rate as u64,
        cfg.size
    );
    let Ok(flow) = Flow::alloc(&cfg.name, None, None) else {
        out!("Failed to allocate flow.\n");
        return FAILURE;
    };
    let gap = gap_ns(cfg.size, cfg.rate);
    let intv = Ts {
        sec: gap / BILLION,
        nsec: gap % BILLION,
    };
    let pause = Duration::new(intv.sec.max(0) as u64, intv.nsec.max(0) as u32);
    let mut buf = vec![0u8; cfg.size as usize];
    let duration = i64::from(cfg.duration);
    let mut seqnr: i64 = 0;
    let mut done = false;
    let start = Ts::mono();
    while !done && !signals::stopped() {
        let end = if cfg.flood {
            Ts::mono()
        } else {
            let end = Ts::mono().add(&intv);
            let n = buf.len().min(8);
            buf[..n].copy_from_slice(&seqnr.to_ne_bytes()[..n]);
            end
        };
        if flow.write(&buf).is_err() {
            break;
        }
        if !cfg.flood {
            if cfg.sleep {
                signals::sleep(pause);
            } else {
                spin_until(&end);
            }
        }
        seqnr += 1;
        if end.diff_us(&start) / MILLION >= duration {
            done = true;
        }
    }
    let end = Ts::mono();
    out!("{}", report(seqnr, cfg.size, end.diff_ms(&start) as i32));
    let _ = flow.dealloc();
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps() {
        // 1000 B at 1 Mb/s: 8 ms
        assert_eq!(gap_ns(1000, 1_000_000), 8_000_000);
        assert_eq!(gap_ns(1, 3), 2_666_666_666);
        assert_eq!(gap_ns(0, 5), 0);
    }

    #[test]
    fn report_as_observed() {
        assert_eq!(
            report(2198, 1000, 2000),
            "sent statistics:      2198 packets,      2198000 bytes in      2000 ms, 8.7920 Mb/s\n"
        );
        assert_eq!(
            report(10, 64, 0),
            "sent statistics:        10 packets,          640 bytes in         0 ms,  inf Mb/s\n"
        );
        assert!(report(1, 1_000, 1).ends_with(", 8.0000 Mb/s\n"));
        assert!(report(300_000, 1_000, 1).ends_with(", 2400000.0000 Mb/s\n"));
    }
}
