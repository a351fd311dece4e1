//! The oping client: a writer and a reader thread (normal mode), or
//! ping-pong in one thread (`-f`, `-F`).

use crate::args::{Config, BUF_SIZE};
use crate::stats::{self, Rtt};
use crate::wire::{self, Header};
use ouroboros::c_api::fccntl::{FLOWFRDWR, FLOWFRNOBLOCK, FLOWFRNOPART};
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::Flow;
use ouroboros::Error;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tools_common::timespec::Ts;
use tools_common::{out, signals};

/// What a run counted.
struct Tally {
    sent: u32,
    ooo: usize,
    rtt: Rtt,
}

/// Runs the client; returns the exit status.
pub fn run(cfg: &Config) -> i32 {
    if !signals::catch_term() {
        return 1;
    }
    let flow = match Flow::alloc(&cfg.name, Some(cfg.qos), None) {
        Ok(f) => f,
        Err(e) => {
            out!("Failed to allocate flow: {}.\n", e.code());
            return 1;
        }
    };
    let _ = fccntl(flow.fd(), Cmd::SetFlags(FLOWFRDWR | FLOWFRNOPART));

    let tic = Ts::mono();
    let tally = if cfg.flood_busy {
        flood(cfg, &flow, true)
    } else if cfg.flood {
        flood(cfg, &flow, false)
    } else {
        threaded(cfg, &flow)
    };
    let toc = Ts::mono();

    out!(
        "{}",
        stats::summary(
            &cfg.name,
            tally.sent,
            tally.ooo,
            toc.diff_us(&tic),
            &tally.rtt
        )
    );
    let _ = flow.dealloc();
    0
}

fn header_line(cfg: &Config, busy: bool) {
    if !cfg.quiet {
        out!(
            "Pinging {} with {} bytes of data ({} packets{}):\n\n",
            cfg.name,
            cfg.size,
            cfg.count,
            if busy { ", busy-poll" } else { "" }
        );
    }
}

fn request(buf: &mut [u8], id: u32, t: &Ts) {
    Header {
        kind: wire::REQUEST,
        id,
        sec: t.sec as u64,
        nsec: t.nsec as u64,
    }
    .emit(buf);
}

fn send_time(h: &Header) -> Ts {
    Ts {
        sec: h.sec as i64,
        nsec: h.nsec as i64,
    }
}

/// Normal mode: the writer sleeps an interval before each request, the
/// reader matches replies until all came back or the server goes quiet.
fn threaded(cfg: &Config, flow: &Flow) -> Tally {
    let sent = AtomicU32::new(0);
    let (ooo, rtt) = std::thread::scope(|s| {
        let reader = s.spawn(|| reader(cfg, flow));
        writer(cfg, flow, &sent);
        reader.join().unwrap_or_else(|_| (0, Rtt::default()))
    });
    Tally {
        sent: sent.load(Ordering::SeqCst),
        ooo,
        rtt,
    }
}

fn writer(cfg: &Config, flow: &Flow, sent: &AtomicU32) {
    // a negative interval makes upstream's nanosleep fail at once: no wait
    let wait = Duration::from_millis(u64::try_from(cfg.interval).unwrap_or(0));
    let mut buf = vec![0u8; cfg.size as usize];
    header_line(cfg, false);
    while !signals::stopped() && sent.load(Ordering::SeqCst) < cfg.count {
        // a stop cuts the wait short, but the request still goes out (as
        // upstream's interrupted nanosleep): its reply ends the reader
        if cfg.interval >= 0 {
            signals::sleep(wait);
        }
        let now = Ts::mono();
        request(&mut buf, sent.fetch_add(1, Ordering::SeqCst), &now);
        if flow.write(&buf).is_err() {
            out!("Failed to send packet.\n");
            signals::stop();
        }
    }
}

fn reader(cfg: &Config, flow: &Flow) -> (usize, Rtt) {
    let secs = (cfg.interval / 1000).saturating_add(2);
    let timeout = Duration::from_secs(u64::try_from(secs).unwrap_or(0));
    let _ = flow.set_read_timeout(Some(timeout));
    let mut buf = vec![0u8; BUF_SIZE as usize];
    let mut rtt = Rtt::default();
    let mut ooo = 0usize;
    let mut expected = 0u32;
    while !signals::stopped() && rtt.n != cfg.count {
        let started = Instant::now();
        let len = match flow.read(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                if matches!(e, Error::FlowDown | Error::FlowPeer) {
                    // Our library wakes a blocked reader when the flow goes
                    // down; upstream's stays blocked until its time-out,
                    // which is what its users see: wait for it.
                    std::thread::sleep(timeout.saturating_sub(started.elapsed()));
                } else if e != Error::TimedOut {
                    continue;
                }
                out!("Server timed out.\n");
                signals::stop();
                break;
            }
        };
        let h = Header::of(&buf);
        if h.kind != wire::REPLY {
            out!("Invalid message on fd {}.\n", flow.fd());
            continue;
        }
        if h.id >= cfg.count {
            out!("Invalid id.\n");
            continue;
        }
        let now = Ts::mono();
        let ms = stats::rtt_ms(&now, &send_time(&h));
        let late = h.id < expected;
        if late {
            ooo += 1;
        }
        if !cfg.quiet {
            let mut line = String::new();
            if cfg.timestamp {
                line.push_str(&stats::timeofday_prefix(&Ts::real()));
            }
            line.push_str(&stats::reply_line(len, &cfg.name, h.id, ms, late));
            out!("{line}");
        }
        rtt.add(ms);
        if h.id >= expected {
            expected = h.id + 1;
        }
    }
    (ooo, rtt)
}

/// `-f`: send, block for the reply, repeat. `-F` (`busy`): the same with
/// non-blocking reads polled in a loop.
fn flood(cfg: &Config, flow: &Flow, busy: bool) -> Tally {
    let mut buf = vec![0u8; BUF_SIZE as usize];
    let size = cfg.size as usize;
    if busy {
        let _ = fccntl(
            flow.fd(),
            Cmd::SetFlags(FLOWFRDWR | FLOWFRNOPART | FLOWFRNOBLOCK),
        );
    }
    header_line(cfg, busy);
    let mut tally = Tally {
        sent: 0,
        ooo: 0,
        rtt: Rtt::default(),
    };
    while !signals::stopped() && tally.sent < cfg.count {
        request(&mut buf, tally.sent, &Ts::mono());
        if flow.write(&buf[..size]).is_err() {
            out!("Failed to send packet.\n");
            break;
        }
        tally.sent += 1;
        let got = loop {
            match flow.read(&mut buf) {
                Err(Error::Again) if busy && !signals::stopped() => continue,
                r => break r,
            }
        };
        if got.is_err() {
            if !busy {
                out!("Failed to read packet.\n");
            }
            break;
        }
        let now = Ts::mono();
        let h = Header::of(&buf);
        if h.kind != wire::REPLY {
            continue;
        }
        let ms = stats::rtt_ms(&now, &send_time(&h));
        tally.rtt.add(ms);
        if !cfg.quiet {
            out!("{}", stats::reply_line(size, &cfg.name, h.id, ms, false));
        }
    }
    tally
}
