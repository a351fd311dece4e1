//! The ocbr server: accepts up to ten flows at a time and reports, per
//! flow, what arrived in each interval until the flow falls silent.

use crate::args::{Config, BUF_SIZE};
use ouroboros::c_api::fccntl::{FLOWFRDWR, FLOWFRNOPART};
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::Flow;
use ouroboros::Error;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tools_common::cnum::fixed;
use tools_common::timespec::{Ts, MILLION};
use tools_common::{out, signals};

/// Flows served at once.
pub const MAX_FLOWS: usize = 10;
/// Read timeout: how often a quiet flow is looked at.
const TICK: Duration = Duration::from_millis(100);

/// Counts flows being served; the listener waits while all slots are taken.
#[derive(Default)]
struct Slots {
    busy: Mutex<usize>,
    freed: Condvar,
}

/// One report line.
pub fn report(fd: i32, packets: i64, bytes: i64, us: i64) -> String {
    let pps = (packets as f64 / us as f64) * MILLION as f64;
    let mbps = 8.0 * (bytes as f64 / us as f64);
    format!(
        "Flow {fd:>4}: {packets:>9} packets ({bytes:>12} bytes) in {:>9} ms => {:>9} pps, {:>9} Mbps\n",
        us / 1000,
        fixed(pps, 4),
        fixed(mbps, 4)
    )
}

pub fn run(cfg: &Config) -> i32 {
    if !signals::catch_term() {
        return 255;
    }
    let (interval, timeout) = (cfg.interval, cfg.timeout);
    std::thread::spawn(move || listen(interval, timeout));
    // a signal, or the listener giving up, ends the server
    signals::wait();
    0
}

fn listen(interval: i64, timeout: i64) {
    out!("Server started, interval is {interval} s, timeout is {timeout} s.\n");
    let slots = Arc::new(Slots::default());
    loop {
        {
            let mut busy = slots.busy.lock().unwrap_or_else(|e| e.into_inner());
            while *busy == MAX_FLOWS {
                out!("Can't accept any more flows, waiting.\n");
                busy = slots.freed.wait(busy).unwrap_or_else(|e| e.into_inner());
            }
        }
        let Ok(flow) = Flow::accept(None) else {
            // no message while a signal takes the server down
            if signals::stopped() {
                return;
            }
            out!("Failed to accept flow.\n");
            signals::stop();
            return;
        };
        out!("New flow.\n");
        *slots.busy.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        let slots = slots.clone();
        std::thread::spawn(move || {
            handle(flow, interval, timeout);
            *slots.busy.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
            slots.freed.notify_one();
        });
    }
}

/// Reads `flow` until it has been silent for `timeout` s, reporting every
/// `interval` s and once more at the end.
fn handle(flow: Flow, interval: i64, timeout: i64) {
    let fd = flow.fd();
    let intv = Ts {
        sec: interval,
        nsec: 0,
    };
    let mut iv_start = Ts::mono();
    let mut alive = iv_start;
    let mut iv_end = iv_start.add(&intv);
    let _ = fccntl(fd, Cmd::SetFlags(FLOWFRDWR | FLOWFRNOPART));
    let _ = flow.set_read_timeout(Some(TICK));
    let mut buf = vec![0u8; BUF_SIZE as usize];
    let (mut packets, mut bytes) = (0i64, 0i64);
    let (mut packets_before, mut bytes_before) = (0i64, 0i64);
    let mut done = false;
    while !done {
        let now = Ts::mono();
        let started = Instant::now();
        match flow.read(&mut buf) {
            Ok(n) if n > 0 => {
                alive = Ts::mono();
                packets += 1;
                bytes += n as i64;
            }
            // Our library wakes a blocked reader when the flow goes down;
            // upstream's waits out the tick: pace the loop the same way
            Err(Error::FlowDown | Error::FlowPeer) => {
                std::thread::sleep(TICK.saturating_sub(started.elapsed()));
            }
            _ => {}
        }
        if now.diff_us(&alive) > timeout.wrapping_mul(MILLION) {
            out!("Test on flow {fd} timed out\n");
            done = true;
        }
        if done || now.diff_ms(&iv_end) > 0 {
            let us = now.diff_us(&iv_start);
            out!(
                "{}",
                report(fd, packets - packets_before, bytes - bytes_before, us)
            );
            iv_start = iv_end;
            packets_before = packets;
            bytes_before = bytes;
            iv_end = iv_start.add(&intv);
        }
    }
    let _ = flow.dealloc();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_as_observed() {
        assert_eq!(
            report(64, 1095, 1_095_000, 1_001_683),
            "Flow   64:      1095 packets (     1095000 bytes) in      1001 ms => 1093.1602 pps,    8.7453 Mbps\n"
        );
    }

    #[test]
    fn report_of_an_empty_instant() {
        // 0/0 computed at run time: x86's default NaN has its sign bit set,
        // which glibc prints as "-nan" (what upstream shows)
        let line = report(70, 0, 0, std::hint::black_box(0));
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            line,
            "Flow   70:         0 packets (           0 bytes) in         0 ms =>      -nan pps,      -nan Mbps\n"
        );
        assert!(line.contains("nan pps"), "{line}");
        assert!(report(70, 5, 100, 0).contains("=>       inf pps,       inf Mbps"));
    }
}
