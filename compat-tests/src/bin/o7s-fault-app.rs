//! Test helper for the fault tests: an application driven line by line
//! from stdin, answering each command with one line on stdout
//! (`<command> <result> <elapsed ms>`; result is a byte count or 0 on
//! success, a negative error code otherwise).
//!
//! Commands on the current flow:
//!   alloc <name> [ms]   allocate a flow to <name> (5 s timeout), with
//!                       a peer timeout of ms (default raw's 120 s)
//!   accept              accept a flow
//!   echo                write a packet and read it back (3 s timeout)
//!   read [ms]           one read (no timeout without ms)
//!   write [size]        one write (default 4 bytes)
//!   nonblock <on|off>   non-blocking reads and writes
//!   nb <n> <sizes>      n non-blocking writes cycling through the sizes
//!                       (comma separated): `nb <ok> <again> <other>
//!                       <index of the first EAGAIN or -1>`
//!   timeo <ms> <size>   one blocking write with a send timeout
//!   bg <n> <size>       n blocking writes in a background thread
//!   bgcount             writes the background thread has completed
//!   join                wait for the background thread
//!   queued              packets waiting in our receive ring
//!   events [ms]         attach the flow to a new event set, then read
//!                       once per packet event until none comes for ms
//!                       (default 500): `events <packets read>`
//!   drain <ms>          read until a read fails (timeout <ms>):
//!                       `drain <packets> <error>`
//!   serve               echo until a read fails: `serve <packets> <error>`
//!   dealloc             deallocate the flow
//!   rss                 our anonymous resident memory in kB
//!   exit                leave
//!
//! Other modes:
//!   o7s-fault-app server [once]   accept flows forever, one thread each,
//!                                 echoing until the flow ends (once:
//!                                 one packet, then deallocate)
//!   o7s-fault-app cycles <name> <threads> <count>...
//!                                 alloc, echo one packet, dealloc: for
//!                                 each <count>, that many cycles spread
//!                                 over the threads, then `checkpoint
//!                                 <total>` and wait for a line on stdin

use ouroboros::dev::{flow_read, flow_write, Flow};
use ouroboros::qos::QosSpec;
use ouroboros::Error;
use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A result as one number: the count, 0, or the negative error code.
fn code<T: Into<i64>>(r: Result<T, Error>) -> i64 {
    match r {
        Ok(n) => n.into(),
        Err(e) => i64::from(e.code()),
    }
}

fn unit<T>(r: &Result<T, Error>) -> Result<u8, Error> {
    r.as_ref().map(|_| 0u8).map_err(|e| *e)
}

fn ms(since: Instant) -> u128 {
    since.elapsed().as_millis()
}

fn say(line: String) {
    println!("{line}");
}

fn rss_anon_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("RssAnon:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `size` bytes of a recognisable pattern.
fn packet(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 7 + 3) as u8).collect()
}

fn echo(flow: &Flow, timeout: Duration) -> Result<u8, Error> {
    let out = packet(64);
    flow.write(&out)?;
    flow.set_read_timeout(Some(timeout))?;
    let mut buf = [0u8; 128];
    let n = flow.read(&mut buf);
    flow.set_read_timeout(None)?;
    match n? {
        64 if buf[..64] == out[..] => Ok(0),
        _ => Err(Error::Inval),
    }
}

struct Bg {
    done: Arc<AtomicU64>,
    handle: std::thread::JoinHandle<Option<Error>>,
}

fn driven() {
    let mut flow: Option<Flow> = None;
    let mut bg: Option<Bg> = None;
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let w: Vec<&str> = line.split_whitespace().collect();
        let Some(&cmd) = w.first() else { continue };
        let arg = |i: usize| w.get(i).copied().unwrap_or("");
        let num = |i: usize, d: u64| arg(i).parse().unwrap_or(d);
        let t = Instant::now();
        let Some(f) = flow.as_ref() else {
            match cmd {
                "alloc" => {
                    // an optional peer timeout (keepalives), else raw's
                    let qos = w
                        .get(2)
                        .and_then(|v| v.parse().ok())
                        .map(|timeout| QosSpec {
                            timeout,
                            ..QosSpec::RAW
                        });
                    let r = Flow::alloc(arg(1), qos, Some(Duration::from_secs(5)));
                    say(format!("alloc {} {}", code(unit(&r)), ms(t)));
                    flow = r.ok();
                }
                "accept" => {
                    let r = Flow::accept(None);
                    say(format!("accept {} {}", code(unit(&r)), ms(t)));
                    flow = r.ok();
                }
                "rss" => say(format!("rss {}", rss_anon_kb())),
                "exit" => break,
                _ => say(format!("{cmd} no-flow")),
            }
            continue;
        };
        let fd = f.fd();
        match cmd {
            "echo" => say(format!(
                "echo {} {}",
                code(echo(f, Duration::from_secs(3))),
                ms(t)
            )),
            "read" => {
                let to = w
                    .get(1)
                    .and_then(|v| v.parse().ok())
                    .map(Duration::from_millis);
                let _ = f.set_read_timeout(to);
                let mut buf = vec![0u8; 1 << 16];
                let r = f.read(&mut buf).map(|n| n as i64);
                say(format!("read {} {}", code(r), ms(t)));
            }
            "write" => {
                let r = f.write(&packet(num(1, 4) as usize)).map(|n| n as i64);
                say(format!("write {} {}", code(r), ms(t)));
            }
            "nonblock" => {
                let r = f.set_nonblocking(arg(1) == "on").map(|_| 0u8);
                say(format!("nonblock {} {}", code(r), ms(t)));
            }
            "nb" => {
                let n = num(1, 0);
                let sizes: Vec<usize> = arg(2).split(',').filter_map(|s| s.parse().ok()).collect();
                let bufs: Vec<Vec<u8>> = sizes.iter().map(|&s| packet(s)).collect();
                let (mut ok, mut again, mut other, mut first) = (0u64, 0u64, 0u64, -1i64);
                for i in 0..n {
                    match flow_write(fd, &bufs[i as usize % bufs.len()]) {
                        Ok(_) => ok += 1,
                        Err(Error::Again) => {
                            if first < 0 {
                                first = i as i64;
                            }
                            again += 1;
                        }
                        Err(_) => other += 1,
                    }
                }
                say(format!("nb {ok} {again} {other} {first} {}", ms(t)));
            }
            "timeo" => {
                let _ = f.set_write_timeout(Some(Duration::from_millis(num(1, 100))));
                let r = f.write(&packet(num(2, 1) as usize)).map(|n| n as i64);
                let _ = f.set_write_timeout(None);
                say(format!("timeo {} {}", code(r), ms(t)));
            }
            "bg" => {
                let (n, size) = (num(1, 1), num(2, 1) as usize);
                let done = Arc::new(AtomicU64::new(0));
                let d = done.clone();
                let handle = std::thread::spawn(move || {
                    let buf = packet(size);
                    for _ in 0..n {
                        if let Err(e) = flow_write(fd, &buf) {
                            return Some(e);
                        }
                        d.fetch_add(1, Ordering::SeqCst);
                    }
                    None
                });
                bg = Some(Bg { done, handle });
                say("bg started".into());
            }
            "bgcount" => {
                let n = bg.as_ref().map_or(0, |b| b.done.load(Ordering::SeqCst));
                say(format!("bgcount {n}"));
            }
            "join" => {
                let Some(b) = bg.take() else {
                    say("join none".into());
                    continue;
                };
                let err = b.handle.join().ok().flatten().map_or(0, |e| e.code());
                say(format!(
                    "join {} {err} {}",
                    b.done.load(Ordering::SeqCst),
                    ms(t)
                ));
            }
            "queued" => say(format!("queued {}", f.rx_queued().map_or(-1, |n| n as i64))),
            "events" => {
                // attach the flow to a new set now (packets may wait
                // already), then read once per packet event until none
                // comes for the given time: `events <packets read>`
                let mut read = 0;
                if let Some(set) = ouroboros::dev::FlowSet::new() {
                    let _ = set.add(f);
                    let _ = f.set_nonblocking(true);
                    let mut q = ouroboros::dev::FQueue::new();
                    let mut buf = vec![0u8; 1 << 17];
                    let limit = Some(Duration::from_millis(num(1, 500)));
                    while set.wait(&mut q, limit).is_ok() {
                        for (_, ev) in q.by_ref() {
                            if ev.is_packet() && f.read(&mut buf).is_ok() {
                                read += 1;
                            }
                        }
                    }
                    set.remove(f);
                    let _ = f.set_nonblocking(false);
                }
                say(format!("events {read}"));
            }
            "drain" | "serve" => {
                let timeout = (cmd == "drain").then(|| Duration::from_millis(num(1, 1000)));
                let _ = f.set_read_timeout(timeout);
                let mut buf = vec![0u8; 1 << 17];
                let mut n = 0u64;
                let err = loop {
                    match flow_read(fd, &mut buf) {
                        Ok(len) => {
                            n += 1;
                            if cmd == "serve" && flow_write(fd, &buf[..len]).is_err() {
                                break 0;
                            }
                        }
                        Err(e) => break e.code(),
                    }
                };
                say(format!("{cmd} {n} {err} {}", ms(t)));
            }
            "dealloc" => {
                let r = flow
                    .take()
                    .map_or(Err(Error::NotAlloc), Flow::dealloc)
                    .map(|_| 0u8);
                say(format!("dealloc {} {}", code(r), ms(t)));
            }
            "rss" => say(format!("rss {}", rss_anon_kb())),
            "exit" => break,
            _ => say(format!("{cmd} unknown")),
        }
    }
    if let Some(f) = flow {
        // leave without deallocating: the library's exit handler tears
        // the flow down
        std::mem::forget(f);
    }
}

/// Echoes on one flow until it ends (or after one packet, when `once`);
/// the flow is deallocated on return.
fn echo_flow(flow: Flow, once: bool) {
    let mut buf = vec![0u8; 1 << 17];
    while let Ok(n) = flow.read(&mut buf) {
        if flow.write(&buf[..n]).is_err() || once {
            break;
        }
    }
}

fn server(once: bool) {
    println!("server ready");
    loop {
        match Flow::accept(None) {
            // detached: nothing of a finished flow stays behind
            Ok(flow) => drop(std::thread::spawn(move || echo_flow(flow, once))),
            Err(e) => {
                println!("accept {}", e.code());
                std::process::exit(1);
            }
        }
    }
}

fn cycles(args: &[String]) {
    let name = args[0].clone();
    let threads: u64 = args[1].parse().expect("threads");
    let mut total = 0u64;
    let stdin = std::io::stdin();
    for count in &args[2..] {
        let count: u64 = count.parse().expect("count");
        let t = Instant::now();
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                let name = name.clone();
                let n = count / threads + u64::from(i < count % threads);
                std::thread::spawn(move || -> Result<(), String> {
                    for c in 0..n {
                        let flow = Flow::alloc(&name, None, Some(Duration::from_secs(10)))
                            .map_err(|e| format!("alloc {c}: {e}"))?;
                        echo(&flow, Duration::from_secs(10))
                            .map_err(|e| format!("echo {c}: {e}"))?;
                        flow.dealloc().map_err(|e| format!("dealloc {c}: {e}"))?;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            if let Err(e) = w.join().expect("worker") {
                println!("error {e}");
                std::process::exit(1);
            }
        }
        total += count;
        println!("checkpoint {total} {}", ms(t));
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    println!("cycles done");
}

fn main() {
    if let Err(e) = ouroboros::dev::init_from_env() {
        println!("FATAL: {e}");
        std::process::exit(1);
    }
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("server") => server(args.get(2).map(String::as_str) == Some("once")),
        Some("cycles") => cycles(&args[2..]),
        _ => driven(),
    }
}
