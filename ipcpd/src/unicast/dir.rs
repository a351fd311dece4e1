//! The directory driver (spec §5.6): runs the DHT state machine over DT
//! component eid 1, with a worker for its timers and blocking queries
//! for the IRMd and the flow allocator.

use super::dht::{Answer, Dht, Output};
use super::eid;
use super::node::Node;
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a query waits for its answer (the DHT's own limit is 2 s).
const QUERY_WAIT: Duration = Duration::from_millis(2500);
/// The worker wakes at least this often.
const MAX_SLEEP: Duration = Duration::from_secs(1);

pub struct Dir {
    dht: Mutex<Dht>,
    /// Wakes the worker when a deadline may have moved.
    wake: Condvar,
    answers: Mutex<HashMap<u64, Answer>>,
    answered: Condvar,
    /// Wall-clock ms at `t0`: the DHT's clock never goes back.
    wall0: u64,
    t0: Instant,
}

impl Dir {
    pub fn new(dht: Dht, wall0: u64, t0: Instant) -> Dir {
        Dir {
            dht: Mutex::new(dht),
            wake: Condvar::new(),
            answers: Mutex::new(HashMap::new()),
            answered: Condvar::new(),
            wall0,
            t0,
        }
    }

    /// Milliseconds since the UNIX epoch, monotonic.
    pub fn now(&self) -> u64 {
        self.wall0 + self.t0.elapsed().as_millis() as u64
    }

    fn dht(&self) -> MutexGuard<'_, Dht> {
        self.dht.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The wall clock in ms since the UNIX epoch.
pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Sends what the DHT wants sent, and posts its answers.
fn pump(node: &Node) {
    let d = &node.dir;
    loop {
        let outs = d.dht().drain();
        if outs.is_empty() {
            return;
        }
        for o in outs {
            match o {
                Output::Send { dst, bytes, seed } => {
                    if node.send(dst, eid::DHT, &bytes).is_err() && seed {
                        let now = d.now();
                        d.dht().seed_unsent(now);
                        d.wake.notify_all();
                    }
                }
                Output::Answer(a) => {
                    let mut ans = d.answers.lock().unwrap_or_else(|e| e.into_inner());
                    ans.insert(a.id.0, a);
                    d.answered.notify_all();
                }
            }
        }
    }
}

/// A DHT message from a DT PDU for eid 1.
pub fn receive(node: &Node, bytes: &[u8]) {
    let d = &node.dir;
    let now = d.now();
    d.dht().recv(now, 0, bytes);
    pump(node);
    d.wake.notify_all();
}

/// Registers `hash` here (0, or -1).
pub fn reg(node: &Node, hash: &[u8]) -> i32 {
    let d = &node.dir;
    let now = d.now();
    let r = d.dht().reg(now, hash);
    pump(node);
    if r.is_ok() {
        0
    } else {
        -1
    }
}

pub fn unreg(node: &Node, hash: &[u8]) -> i32 {
    if node.dir.dht().unreg(hash).is_ok() {
        0
    } else {
        -1
    }
}

/// Looks `hash` up: the address of a node that registered it (never
/// our own), waiting for the network at most `QUERY_WAIT`.
pub fn query(node: &Node, hash: &[u8]) -> Option<u64> {
    let d = &node.dir;
    let now = d.now();
    let id = d.dht().query(now, hash);
    pump(node);
    d.wake.notify_all();
    let end = Instant::now() + QUERY_WAIT;
    let mut ans = d.answers.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if let Some(a) = ans.remove(&id.0) {
            return a.addr;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        ans = d
            .answered
            .wait_timeout(ans, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// The forwarding table changed: a bootstrap request that could not
/// be sent goes again now.
pub fn routes_changed(node: &Node) {
    let d = &node.dir;
    let now = d.now();
    d.dht().seed_retry_now(now);
    d.wake.notify_all();
}

/// The worker: ticks the DHT when its next deadline comes. What is
/// queued goes out first, so that a bootstrap request that cannot be
/// sent is retried rather than taken for sent.
pub fn run(node: &Node) {
    let d = &node.dir;
    loop {
        pump(node);
        {
            let mut dht = d.dht();
            let now = d.now();
            let due = dht.next_deadline().unwrap_or(u64::MAX);
            if due > now {
                let wait = Duration::from_millis(due - now).min(MAX_SLEEP);
                dht = d
                    .wake
                    .wait_timeout(dht, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            let now = d.now();
            if dht.next_deadline().is_some_and(|t| t <= now) {
                dht.tick(now);
            }
        }
        // answers nobody waits for any more
        let mut ans = d.answers.lock().unwrap_or_else(|e| e.into_inner());
        if ans.len() > 1024 {
            ans.clear();
        }
    }
}
