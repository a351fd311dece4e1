//! The oping server: one thread accepts flows, one answers requests on all
//! of them through a flow set, one closes flows idle for over 10 s. With
//! `--busy` a single flow is accepted and busy-polled instead.

use crate::args::{Config, BUF_SIZE};
use crate::wire;
use ouroboros::c_api::fccntl::{FLOWFRDWR, FLOWFRNOBLOCK, FLOWFRNOPART};
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::{FQueue, Flow, FlowSet};
use ouroboros::Error;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tools_common::{out, signals};

/// A flow with no request for longer than this is closed.
const IDLE_LIMIT: Duration = Duration::from_millis(10_000);
/// How often idle flows are looked for.
const CLEAN_EVERY: Duration = Duration::from_secs(1);
/// Event wait without `--poll`.
const EVENT_WAIT: Duration = Duration::from_millis(100);

/// A served flow and the time of its last request (ms since `Server::t0`),
/// updated without a lock by the serving thread.
struct Served {
    flow: Flow,
    last: AtomicU64,
}

struct Server {
    /// Flows being served, by fd (the cleaner's view).
    flows: Mutex<BTreeMap<i32, Arc<Served>>>,
    set: FlowSet,
    t0: Instant,
    quiet: bool,
    poll: bool,
}

impl Server {
    fn flows(&self) -> MutexGuard<'_, BTreeMap<i32, Arc<Served>>> {
        self.flows.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.t0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// Runs the server until a signal (or, with `--busy`, until its flow
/// ends); returns the exit status.
pub fn run(cfg: &Config) -> i32 {
    if !signals::catch_term() {
        return 1;
    }
    let Some(set) = FlowSet::new() else {
        // upstream gives up quietly, with success
        return 0;
    };
    let srv = Arc::new(Server {
        flows: Mutex::new(BTreeMap::new()),
        set,
        t0: Instant::now(),
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
    signals::wait();
    0
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
            Err(_) if signals::stopped() => return,
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
        let served = Arc::new(Served {
            flow,
            last: AtomicU64::new(srv.now_ms()),
        });
        srv.flows().insert(fd, served.clone());
        let _ = srv.set.add(&served.flow);
    }
}

fn serve_loop(srv: &Server) {
    let mut buf = vec![0u8; BUF_SIZE as usize];
    let mut fq = FQueue::new();
    let wait = if srv.poll { Duration::ZERO } else { EVENT_WAIT };
    // the flows seen so far, without keeping them alive: the cleaner
    // deallocates a flow by dropping it from the shared map
    let mut known: HashMap<i32, Weak<Served>> = HashMap::new();
    loop {
        if srv.set.wait(&mut fq, Some(wait)).is_err() {
            continue;
        }
        for (fd, _event) in &mut fq {
            let served = match known.get(&fd).and_then(Weak::upgrade) {
                Some(s) => s,
                None => match srv.flows().get(&fd) {
                    Some(s) => {
                        known.insert(fd, Arc::downgrade(s));
                        s.clone()
                    }
                    None => {
                        known.remove(&fd);
                        continue;
                    }
                },
            };
            let Ok(len) = served.flow.read(&mut buf) else {
                continue;
            };
            if !srv.quiet {
                out!("Received {len} bytes on fd {fd}.\n");
            }
            if wire::kind(&buf) != wire::REQUEST {
                out!("Invalid message on fd {fd}.\n");
                continue;
            }
            served.last.store(srv.now_ms(), Ordering::Relaxed);
            wire::make_reply(&mut buf);
            if served.flow.write(&buf[..len]).is_err() {
                out!("Error writing to flow (fd {fd}).\n");
            }
        }
    }
}

fn clean_loop(srv: &Server) {
    let limit = IDLE_LIMIT.as_millis() as u64;
    loop {
        let now = srv.now_ms();
        let idle: Vec<(i32, Arc<Served>)> = {
            let mut flows = srv.flows();
            let fds: Vec<i32> = flows
                .iter()
                .filter(|(_, s)| now.saturating_sub(s.last.load(Ordering::Relaxed)) > limit)
                .map(|(fd, _)| *fd)
                .collect();
            fds.into_iter()
                .filter_map(|fd| flows.remove(&fd).map(|s| (fd, s)))
                .collect()
        };
        for (fd, served) in idle {
            out!("Flow {fd} timed out.\n");
            srv.set.remove(&served.flow);
            // deallocated here, or when the serving thread lets go of it
            drop(served);
        }
        std::thread::sleep(CLEAN_EVERY);
    }
}

/// `--busy`: one flow, read in a tight loop, then exit.
fn busy() {
    let flow = match Flow::accept(None) {
        Ok(f) => f,
        Err(_) if signals::stopped() => return,
        Err(_) => {
            out!("Failed to accept flow.\n");
            signals::stop();
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
    signals::stop();
}
