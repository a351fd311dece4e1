//! The oping server: one thread accepts flows, one answers requests on all
//! of them through a flow set, one closes flows idle for over 10 s. With
//! `--busy` a single flow is accepted and busy-polled instead.

use crate::args::{Config, BUF_SIZE};
use crate::stdio::out;
use crate::stop;
use crate::wire;
use ouroboros::c_api::fccntl::{FLOWFRDWR, FLOWFRNOBLOCK, FLOWFRNOPART};
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::{FQueue, Flow, FlowSet};
use ouroboros::Error;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A flow with no request for longer than this is closed.
const IDLE_LIMIT: Duration = Duration::from_millis(10_000);
/// How often idle flows are looked for.
const CLEAN_EVERY: Duration = Duration::from_secs(1);
/// Event wait without `--poll`.
const EVENT_WAIT: Duration = Duration::from_millis(100);

/// Flows being served, by fd, with the time of their last request.
type Flows = Mutex<BTreeMap<i32, (Arc<Flow>, Instant)>>;

struct Server {
    flows: Flows,
    set: FlowSet,
    quiet: bool,
    poll: bool,
}

/// Runs the server until a signal (or, with `--busy`, until its flow
/// ends); returns the exit status.
pub fn run(cfg: &Config) -> i32 {
    if stop::install().is_err() {
        out!("Failed to install sighandler.\n");
        return 1;
    }
    let Some(set) = FlowSet::new() else {
        // upstream gives up quietly, with success
        return 0;
    };
    let srv = Arc::new(Server {
        flows: Mutex::new(BTreeMap::new()),
        set,
        quiet: cfg.quiet,
        poll: cfg.poll,
    });
    if cfg.busy {
        std::thread::spawn(busy);
    } else {
        let s = srv.clone();
        std::thread::spawn(move || accept_loop(&s));
        let s = srv.clone();
        std::thread::spawn(move || serve_loop(&s));
        let s = srv.clone();
        std::thread::spawn(move || clean_loop(&s));
    }
    stop::wait();
    0
}

fn lock(flows: &Flows) -> std::sync::MutexGuard<'_, BTreeMap<i32, (Arc<Flow>, Instant)>> {
    flows.lock().unwrap_or_else(|e| e.into_inner())
}

fn set_server_flags(flow: &Flow) {
    let _ = fccntl(
        flow.fd(),
        Cmd::SetFlags(FLOWFRNOBLOCK | FLOWFRDWR | FLOWFRNOPART),
    );
}

fn accept_loop(srv: &Server) {
    out!("Ouroboros ping server started.\n");
    loop {
        let flow = match Flow::accept(None) {
            Ok(f) => f,
            // shutting down: the library is closing under us
            Err(_) if stop::stopped() => return,
            Err(e) => {
                out!("Failed to accept flow: {} \n", e.code());
                continue;
            }
        };
        let fd = flow.fd();
        out!("New flow {fd}.\n");
        // non-blocking before the flow is in the set: the serving thread
        // must never block on it
        set_server_flags(&flow);
        let flow = Arc::new(flow);
        lock(&srv.flows).insert(fd, (flow.clone(), Instant::now()));
        let _ = srv.set.add(&flow);
    }
}

fn serve_loop(srv: &Server) {
    let mut buf = vec![0u8; BUF_SIZE as usize];
    let mut fq = FQueue::new();
    let wait = if srv.poll { Duration::ZERO } else { EVENT_WAIT };
    loop {
        if srv.set.wait(&mut fq, Some(wait)).is_err() {
            continue;
        }
        for (fd, _event) in &mut fq {
            let Some(flow) = lock(&srv.flows).get(&fd).map(|(f, _)| f.clone()) else {
                continue;
            };
            let Ok(len) = flow.read(&mut buf) else {
                continue;
            };
            if !srv.quiet {
                out!("Received {len} bytes on fd {fd}.\n");
            }
            if wire::kind(&buf) != wire::REQUEST {
                out!("Invalid message on fd {fd}.\n");
                continue;
            }
            if let Some(entry) = lock(&srv.flows).get_mut(&fd) {
                entry.1 = Instant::now();
            }
            wire::make_reply(&mut buf);
            if flow.write(&buf[..len]).is_err() {
                out!("Error writing to flow (fd {fd}).\n");
            }
        }
    }
}

fn clean_loop(srv: &Server) {
    loop {
        let now = Instant::now();
        let idle: Vec<(i32, Arc<Flow>)> = {
            let mut flows = lock(&srv.flows);
            let fds: Vec<i32> = flows
                .iter()
                .filter(|(_, (_, last))| now.saturating_duration_since(*last) > IDLE_LIMIT)
                .map(|(fd, _)| *fd)
                .collect();
            fds.into_iter()
                .filter_map(|fd| flows.remove(&fd).map(|(f, _)| (fd, f)))
                .collect()
        };
        for (fd, flow) in idle {
            out!("Flow {fd} timed out.\n");
            srv.set.remove(&flow);
            // deallocated when the serving thread lets go of it too
            drop(flow);
        }
        std::thread::sleep(CLEAN_EVERY);
    }
}

/// `--busy`: one flow, read in a tight loop, then exit.
fn busy() {
    let flow = match Flow::accept(None) {
        Ok(f) => f,
        Err(_) if stop::stopped() => return,
        Err(_) => {
            out!("Failed to accept flow.\n");
            stop::trigger();
            return;
        }
    };
    out!("New flow {} (busy-poll).\n", flow.fd());
    set_server_flags(&flow);
    let mut buf = vec![0u8; BUF_SIZE as usize];
    loop {
        let len = match flow.read(&mut buf) {
            Ok(n) => n,
            Err(Error::Again) => continue,
            Err(_) => break,
        };
        if wire::kind(&buf) != wire::REQUEST {
            continue;
        }
        wire::make_reply(&mut buf);
        let _ = flow.write(&buf[..len]);
    }
    let _ = flow.dealloc();
    stop::trigger();
}
