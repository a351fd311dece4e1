//! The link-state driver (spec §5.7): LSAs on the Management flows, the
//! database, periodic refresh and aging, and the forwarding table
//! recomputed from the graph.

use super::dt::Kind;
use super::graph::Algo;
use super::lsa::Lsa;
use super::lsdb::{Added, Lsdb};
use super::node::Node;
use ouroboros::ipcp::LsConfig;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Routing {
    lsdb: Mutex<Lsdb>,
    pub algo: Algo,
    t_recalc: u64,
    t_update: u64,
    t_timeo: u64,
    /// Something changed since the last recalculation.
    changed: AtomicBool,
    t0: Instant,
}

impl Routing {
    pub fn new(own: u64, ls: &LsConfig) -> Option<Routing> {
        Some(Routing {
            lsdb: Mutex::new(Lsdb::new(own)),
            algo: Algo::from_pol(ls.pol)?,
            t_recalc: u64::from(ls.t_recalc.max(1)),
            t_update: u64::from(ls.t_update.max(1)),
            t_timeo: u64::from(ls.t_timeo.max(1)),
            changed: AtomicBool::new(false),
            t0: Instant::now(),
        })
    }

    fn now(&self) -> u64 {
        self.t0.elapsed().as_secs()
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Lsdb> {
        self.lsdb.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn lsas(&self) -> Vec<Lsa> {
        self.db().lsas()
    }
}

/// Sends `lsa` on every Management flow but `except`.
fn flood(node: &Node, lsa: &Lsa, except: i32) {
    let bytes = lsa.encode();
    for n in node.n1s().of(Kind::Mgmt) {
        if n.fd() != except {
            let _ = n.conn.flow.write(&bytes);
        }
    }
}

/// A DT connection to the neighbour at `nb` was added.
pub fn dt_added(node: &Node, nb: u64) {
    let r = &node.routing;
    let added = r.db().add(node.addr, nb, 0, r.now());
    if added == Added::New {
        let lsa = Lsa {
            d_addr: nb,
            s_addr: node.addr,
            seqno: 0,
        };
        flood(node, &lsa, -1);
    }
    recalc(node);
}

/// The DT connection to `nb` went: our entry goes, nothing is sent.
pub fn dt_removed(node: &Node, nb: u64) {
    if node.n1s().dt_fd(nb).is_none() {
        node.routing.db().del(node.addr, nb);
    }
    recalc(node);
}

/// A Management connection was added on `fd`: it gets the database.
pub fn mgmt_added(node: &Node, fd: i32) {
    let Some(n) = node.n1s().get(fd) else { return };
    for lsa in node.routing.lsas() {
        let _ = n.conn.flow.write(&lsa.encode());
    }
}

/// An SDU read from the Management flow `fd`.
pub fn receive(node: &Node, fd: i32, sdu: &[u8]) {
    // SDUs of any other length are ignored
    let Ok(lsa) = Lsa::decode(sdu) else { return };
    let r = &node.routing;
    let added = r.db().receive(&lsa, r.now());
    if added.forward() {
        flood(node, &lsa, fd);
    }
    if added == Added::New {
        recalc(node);
    }
}

/// Rebuilds the forwarding table from the graph.
pub fn recalc(node: &Node) {
    let r = &node.routing;
    r.changed.store(false, Ordering::Relaxed);
    let routes = r.db().graph().routing_table(r.algo, node.addr);
    let Some(routes) = routes else { return };
    let n1s = node.n1s();
    node.pff().fill(&routes, |a| n1s.dt_fd(a));
    drop(n1s);
    super::dir::routes_changed(node);
}

/// The periodic thread: LSA refresh and aging every t_update,
/// recalculation every t_recalc when something changed.
pub fn run(node: &Node) {
    let r = &node.routing;
    let mut next_update = Instant::now() + Duration::from_secs(r.t_update);
    let mut next_recalc = Instant::now() + Duration::from_secs(r.t_recalc);
    loop {
        let wake = next_update.min(next_recalc);
        std::thread::sleep(wake.saturating_duration_since(Instant::now()));
        let now = Instant::now();
        if now >= next_update {
            let tick = r.db().tick(r.now(), r.t_timeo);
            if !tick.expired.is_empty() {
                r.changed.store(true, Ordering::Relaxed);
            }
            for lsa in &tick.send {
                flood(node, lsa, -1);
            }
            next_update = now + Duration::from_secs(r.t_update);
        }
        if now >= next_recalc {
            if r.changed.load(Ordering::Relaxed) {
                recalc(node);
            }
            next_recalc = now + Duration::from_secs(r.t_recalc);
        }
    }
}
