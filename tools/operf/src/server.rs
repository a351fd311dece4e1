//! The operf server: accepts flows and reads each one's test
//! configuration; then prints a line per packet (uni) or echoes every
//! packet (bi). Flows quiet for more than a second are closed.

use ouroboros::dev::{FQueue, Flow, FlowSet};
use ouroboros::Error;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tools_common::{out, signals};

/// A flow is closed after this much silence.
const IDLE: Duration = Duration::from_millis(1000);
/// How often the cleaner looks.
const CHECK: Duration = Duration::from_secs(1);
/// Longest wait for events before looking at the stop flag again.
const EVENT_WAIT: Duration = Duration::from_millis(100);

const TEST_UNI: u32 = 0;
const TEST_BI: u32 = 1;

struct Peer {
    flow: Arc<Flow>,
    test: u32,
    last: Instant,
}

struct Server {
    peers: Mutex<HashMap<i32, Peer>>,
    set: FlowSet,
}

impl Server {
    fn peers(&self) -> std::sync::MutexGuard<'_, HashMap<i32, Peer>> {
        self.peers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes `fd` out of the set and the table; the flow is deallocated
    /// when its last user lets go (outside the lock).
    fn forget(&self, fd: i32) -> Option<Arc<Flow>> {
        let peer = self.peers().remove(&fd)?;
        self.set.remove(&peer.flow);
        Some(peer.flow)
    }
}

/// The line printed for a packet of a unidirectional test.
pub fn seqno_line(payload: &[u8], fd: i32, at: Duration) -> String {
    let id = u32::from_ne_bytes(payload[..4].try_into().unwrap_or([0; 4]));
    format!(
        "Seqno {} from fd {}: {}.{:06}\n",
        id as i32,
        fd,
        at.as_secs(),
        at.subsec_micros()
    )
}

fn accept_loop(srv: &Server) {
    out!("Ouroboros perf server started.\n");
    while !signals::stopped() {
        let flow = match Flow::accept(None) {
            Ok(f) => f,
            // upstream cancels this thread on a signal: nothing to say
            Err(_) if signals::stopped() => return,
            Err(_) => {
                out!("Failed to accept flow.\n");
                break;
            }
        };
        let fd = flow.fd();
        out!("New flow {fd}.\n");
        let mut conf = [0u8; 4];
        if flow.read(&mut conf) == Err(Error::TimedOut) {
            out!("Failed to read config message.\n");
            let _ = flow.dealloc();
            break;
        }
        // exactly four bytes: the packet filled the buffer, so the next
        // (empty) read reports its end
        if flow.read(&mut []) != Ok(0) {
            out!("Invalid config message.\n");
            let _ = flow.dealloc();
            break;
        }
        let test = u32::from_ne_bytes(conf);
        if test == TEST_BI {
            out!("Doing a bidirectional test.\n");
        } else {
            out!("Doing a unidirectional test.\n");
        }
        // Reads and writes return at once: reads so a lost event cannot
        // stall us (we read until nothing is left), writes so an echo
        // that finds no free packet block is dropped. Upstream blocks
        // there: a flooding client then holds every block of the size
        // class while the server waits for one to echo, and both hang.
        let _ = flow.set_nonblocking(true);
        let mut peers = srv.peers();
        if srv.set.add(&flow).is_ok() {
            peers.insert(
                fd,
                Peer {
                    flow: Arc::new(flow),
                    test,
                    last: Instant::now(),
                },
            );
        }
    }
}

fn serve(srv: &Server) {
    let mut fq = FQueue::new();
    let mut buf = vec![0u8; crate::args::MAX_SIZE as usize];
    while !signals::stopped() {
        match srv.set.wait(&mut fq, Some(EVENT_WAIT)) {
            Ok(()) => {}
            Err(Error::TimedOut) => continue,
            Err(_) => {
                std::thread::sleep(EVENT_WAIT);
                continue;
            }
        }
        for (fd, event) in fq.by_ref() {
            if !event.is_packet() {
                continue;
            }
            let Some((flow, test)) = srv.peers().get(&fd).map(|p| (p.flow.clone(), p.test)) else {
                continue;
            };
            // Upstream reads one packet per event; events can be lost
            // when a flood outruns us (the queue is bounded), so read
            // whatever is there.
            while let Ok(n) = flow.read(&mut buf) {
                let wall = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                if let Some(p) = srv.peers().get_mut(&fd) {
                    p.last = Instant::now();
                }
                match test {
                    TEST_UNI => out!("{}", seqno_line(&buf, fd, wall)),
                    TEST_BI => match flow.write(&buf[..n]) {
                        Ok(_) | Err(Error::Again) => {}
                        Err(_) => {
                            out!("Error writing to flow (fd {fd}).\n");
                            drop(srv.forget(fd));
                            break;
                        }
                    },
                    _ => {}
                }
            }
        }
    }
}

/// Sleeps up to `d`, returning early when a signal arrives.
fn pause(d: Duration) {
    let end = Instant::now() + d;
    while !signals::stopped() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn clean(srv: &Server) {
    while !signals::stopped() {
        let now = Instant::now();
        let mut idle: Vec<i32> = srv
            .peers()
            .iter()
            .filter(|(_, p)| now.duration_since(p.last) > IDLE)
            .map(|(fd, _)| *fd)
            .collect();
        idle.sort_unstable();
        let mut gone = Vec::new();
        for fd in idle {
            out!("Flow {fd} timed out.\n");
            gone.extend(srv.forget(fd));
        }
        drop(gone);
        pause(CHECK);
    }
}

/// Runs the server until SIGINT, SIGTERM or SIGHUP; the exit status.
pub fn run() -> i32 {
    if !signals::catch_term() {
        return 1;
    }
    // as upstream: no event set, no server, and no complaint
    let Some(set) = FlowSet::new() else {
        return 0;
    };
    let srv = Arc::new(Server {
        peers: Mutex::new(HashMap::new()),
        set,
    });
    let cleaner = {
        let srv = srv.clone();
        std::thread::spawn(move || clean(&srv))
    };
    {
        // blocked in accept at shutdown: left to the process exit
        let srv = srv.clone();
        std::thread::spawn(move || accept_loop(&srv));
    }
    let server = {
        let srv = srv.clone();
        std::thread::spawn(move || serve(&srv))
    };
    signals::wait();
    let _ = server.join();
    let _ = cleaner.join();
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seqno_lines() {
        let mut p = vec![0u8; 64];
        p[..4].copy_from_slice(&7u32.to_ne_bytes());
        assert_eq!(
            seqno_line(&p, 64, Duration::new(1_700_000_000, 5_000)),
            "Seqno 7 from fd 64: 1700000000.000005\n"
        );
        // printed as a signed int
        p[..4].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert_eq!(
            seqno_line(&p, 70, Duration::new(3, 999_999_999)),
            "Seqno -1 from fd 70: 3.999999\n"
        );
    }
}
