//! The operf client: sends the test configuration, then paced (or
//! flooded) packets for the test's duration; in a bidirectional test it
//! also counts the echoes and prints the statistics.

use crate::args::{Client, Test};
use ouroboros::dev::Flow;
use ouroboros::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tools_common::{out, signals};

/// How long the reader waits for an echo before giving up.
const ECHO_TIMEOUT: Duration = Duration::from_secs(2);
/// Pause between the configuration message and the first packet.
const SETTLE: Duration = Duration::from_secs(1);

/// Time between two packets in ns: `size` bits at `rate` b/s. A rate that
/// gives no positive finite gap means no pause at all.
pub fn gap_ns(size: i32, rate: i64) -> u64 {
    let gap = f64::from(size) * 8.0 * (1e9 / rate as f64);
    if gap.is_finite() && gap >= 1.0 {
        gap as u64
    } else {
        0
    }
}

/// C's `%.<prec>f` for the values printed here (glibc spells the
/// non-finite ones `inf` and `nan`).
pub fn c_float(v: f64, prec: usize) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf" } else { "inf" }.into();
    }
    format!("{v:.prec$}")
}

/// The writer's first line (followed by an empty one).
pub fn header(c: &Client) -> String {
    if c.flood {
        format!(
            "Flooding {} with {} byte packets for {} seconds.\n\n",
            c.server_name,
            c.size,
            c.duration_ms / 1000
        )
    } else {
        format!(
            "Sending {} byte packets for {} s to {} at {} Mb/s.\n\n",
            c.size,
            c.duration_ms / 1000,
            c.server_name,
            c_float(c.rate as f64 / 1e6, 3)
        )
    }
}

/// The statistics of a bidirectional test; `us` is the sending time in
/// whole microseconds.
pub fn report(name: &str, sent: u64, rcvd: u64, size: i32, us: i64) -> String {
    // unsigned arithmetic as upstream (printed as signed)
    let loss = 100u64
        .wrapping_mul(rcvd)
        .checked_div(sent)
        .map_or(0, |got| 100u64.wrapping_sub(got));
    let bits = rcvd.wrapping_mul(size as u64).wrapping_mul(8);
    format!(
        "\n--- {name} perf statistics ---\n\
         {} packets transmitted, {} received, {}% packet loss, time: {} ms, \
         bandwidth: {} Mb/s.\n",
        sent as i64,
        rcvd as i64,
        loss as i64,
        c_float(us as f64 / 1000.0, 3),
        c_float(bits as f64 / us as f64, 3)
    )
}

/// The payload of packet `seq`: its number (32 bits, host order) up
/// front, zeros after.
pub fn fill(buf: &mut [u8], seq: u64) {
    buf[..4].copy_from_slice(&(seq as u32).to_ne_bytes());
}

fn busy_wait_until(end: Instant) {
    while Instant::now() < end {
        std::hint::spin_loop();
    }
}

/// Sends packets until the duration is over or a signal stops us.
/// Upstream's loop condition is inverted (it stops as soon as the
/// duration has *not* passed, so it never sends); this one sends for the
/// duration, as the usage text promises.
fn writer(flow: &Flow, c: &Client, sent: &AtomicU64) {
    let mut buf = vec![0u8; c.size as usize];
    let gap = Duration::from_nanos(gap_ns(c.size, c.rate));
    out!("{}", header(c));
    let start = Instant::now();
    let duration = Duration::from_millis(u64::try_from(c.duration_ms).unwrap_or(0));
    while !signals::stopped() && start.elapsed() < duration {
        let end = Instant::now() + gap;
        fill(&mut buf, sent.load(Ordering::SeqCst));
        if flow.write(&buf).is_err() {
            out!("Failed to send packet.\n");
            // stops the reader too (upstream deallocates under it)
            signals::stop();
            return;
        }
        sent.fetch_add(1, Ordering::SeqCst);
        if !c.flood {
            if c.sleep {
                std::thread::sleep(gap);
            } else {
                busy_wait_until(end);
            }
        }
    }
    out!("Test finished.\n");
}

/// Counts echoes of exactly `size` bytes until the server goes quiet.
fn reader(flow: &Flow, c: &Client, rcvd: &AtomicU64) {
    let _ = flow.set_read_timeout(Some(ECHO_TIMEOUT));
    let mut buf = vec![0u8; crate::args::MAX_SIZE as usize];
    while !signals::stopped() {
        let asked = Instant::now();
        match flow.read(&mut buf) {
            Err(Error::TimedOut) => {
                out!("Server timed out.\n");
                signals::stop();
                break;
            }
            Err(Error::FlowDown | Error::FlowPeer) => {
                // The server closed the flow while we waited. Upstream's
                // library does not wake a blocked reader for that, so
                // upstream's reader always times out here; ours is woken
                // early, and waits out the rest to report the same.
                std::thread::sleep(
                    (asked + ECHO_TIMEOUT).saturating_duration_since(Instant::now()),
                );
                out!("Server timed out.\n");
                signals::stop();
                break;
            }
            Ok(n) if n == c.size as usize => {
                rcvd.fetch_add(1, Ordering::SeqCst);
            }
            Ok(_) => out!("Invalid message on fd {}.\n", flow.fd()),
            Err(_) => {
                // Upstream keeps reading (and printing) forever on a
                // flow that is gone; say it once and stop.
                out!("Invalid message on fd {}.\n", flow.fd());
                break;
            }
        }
    }
}

/// Sleeps up to `d`, returning early when a signal arrives.
fn pause(d: Duration) {
    let end = Instant::now() + d;
    while !signals::stopped() {
        let now = Instant::now();
        if now >= end {
            return;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(10)));
    }
}

/// Runs the client; the process exit status.
pub fn run(c: &Client) -> i32 {
    if !signals::catch_term() {
        return 1;
    }
    let flow = match Flow::alloc(&c.server_name, None, None) {
        Ok(f) => f,
        Err(_) => {
            out!("Failed to allocate flow.\n");
            return 1;
        }
    };
    match c.test {
        Test::Bi => out!("Doing a bidirectional test.\n"),
        Test::Uni => out!("Doing a unidirectional test.\n"),
    }
    let conf = (c.test as u32).to_ne_bytes();
    if flow.write(&conf).is_err() {
        out!("Failed to send configuration.\n");
        let _ = flow.dealloc();
        return 1;
    }
    pause(SETTLE);
    let sent = AtomicU64::new(0);
    let rcvd = AtomicU64::new(0);
    let tic = Instant::now();
    let mut toc = tic;
    std::thread::scope(|s| {
        let reader = (c.test == Test::Bi).then(|| s.spawn(|| reader(&flow, c, &rcvd)));
        let _ = s.spawn(|| writer(&flow, c, &sent)).join();
        toc = Instant::now();
        if let Some(r) = reader {
            let _ = r.join();
        }
    });
    if c.test == Test::Bi {
        let us = i64::try_from((toc - tic).as_micros()).unwrap_or(i64::MAX);
        out!(
            "{}",
            report(
                &c.server_name,
                sent.load(Ordering::SeqCst),
                rcvd.load(Ordering::SeqCst),
                c.size,
                us
            )
        );
    }
    let _ = flow.dealloc();
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(flood: bool) -> Client {
        Client {
            server_name: "perf".into(),
            test: Test::Uni,
            duration_ms: 2500,
            rate: 1_000_000,
            size: 1500,
            flood,
            sleep: false,
        }
    }

    #[test]
    fn headers() {
        assert_eq!(
            header(&client(false)),
            "Sending 1500 byte packets for 2 s to perf at 1.000 Mb/s.\n\n"
        );
        assert_eq!(
            header(&client(true)),
            "Flooding perf with 1500 byte packets for 2 seconds.\n\n"
        );
        let c = Client {
            rate: 5000,
            duration_ms: 60_000,
            ..client(false)
        };
        assert_eq!(
            header(&c),
            "Sending 1500 byte packets for 60 s to perf at 0.005 Mb/s.\n\n"
        );
    }

    #[test]
    fn report_matches_upstream_observation() {
        assert_eq!(
            report("perf", 0, 0, 1500, 341),
            "\n--- perf perf statistics ---\n\
             0 packets transmitted, 0 received, 0% packet loss, time: 0.341 ms, \
             bandwidth: 0.000 Mb/s.\n"
        );
    }

    #[test]
    fn report_loss_is_integer_percent() {
        let r = report("x", 3, 2, 1000, 2_000_000);
        assert!(
            r.ends_with(
                "3 packets transmitted, 2 received, 34% packet loss, time: 2000.000 ms, \
                 bandwidth: 0.008 Mb/s.\n"
            ),
            "{r}"
        );
        let r = report("x", 100, 100, 1500, 1_000_000);
        assert!(
            r.contains(" 0% packet loss") && r.contains("bandwidth: 1.200 Mb/s."),
            "{r}"
        );
    }

    #[test]
    fn non_finite_values_print_like_glibc() {
        assert_eq!(c_float(f64::INFINITY, 3), "inf");
        assert_eq!(c_float(-f64::NAN, 3), "-nan");
        assert_eq!(c_float(0.0004, 3), "0.000");
        assert!(report("x", 1, 1, 64, 0).ends_with("bandwidth: inf Mb/s.\n"));
    }

    #[test]
    fn pacing_gap() {
        // 1500 B at 1 Mb/s: 12 ms
        assert_eq!(gap_ns(1500, 1_000_000), 12_000_000);
        assert_eq!(gap_ns(64, 1_000_000_000), 512);
        assert_eq!(gap_ns(1500, 0), 0);
        assert_eq!(gap_ns(1500, -5), 0);
    }

    #[test]
    fn payload_carries_the_sequence_number() {
        let mut b = vec![0u8; 64];
        fill(&mut b, 0x1_0000_0102);
        assert_eq!(u32::from_ne_bytes(b[..4].try_into().unwrap()), 0x102);
        assert!(b[4..].iter().all(|&x| x == 0));
    }
}
