//! The running unicast IPCP: its address, the N-1 flows of the DT and
//! Management components, the forwarding table, the flow allocator, the
//! directory and routing, and the threads that move PDUs between them
//! (spec §5.9-§5.11).

use super::ca;
use super::dht::{Dht, OsRandom};
use super::dir::{self, Dir};
use super::dt::{self, Action, Kind, N1s, N1};
use super::dt_pci::Layout;
use super::eid;
use super::fa::{self, Flows, Replied};
use super::fa_msg::{self, FaMsg};
use super::pff::{Pff, Policy};
use super::routing::{self, Routing};
use crate::common::connmgr::{self, Component, Conn};
use crate::runtime::spawn;
use ouroboros::c_api::fccntl::{FLOWFDEFAULT, FLOWFRNOBLOCK, FLOWFRNOPART};
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::fqueue::{FSet, FQ};
use ouroboros::dev::np1;
use ouroboros::errno::Error;
use ouroboros::ipcp::UniConfig;
use ouroboros::qos::QosSpec;
use ouroboros::ssm::{FLOW_DEALLOC, FLOW_DOWN, FLOW_PKT, FLOW_UP};
use ouroboros::time::MonoTime;
use ouroboros::{log_err, log_info, log_warn};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

const PREFIX: &str = "unicast-ipcp";
/// Read buffer for N-1 flows (whole SDUs).
const READ_BUF: usize = 1 << 16;
/// Flows are also polled this often: a packet that arrived before its
/// flow joined a set raised no event.
const SWEEP: Duration = Duration::from_millis(100);

/// Why a PDU could not be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendError {
    /// No next hop for the destination (yet).
    NoRoute,
    /// The N-1 flow refused the write.
    Write(Error),
}

pub struct Node {
    pub addr: u64,
    pub layout: Layout,
    pub max_ttl: u8,
    pub hash_len: usize,
    /// How PDUs we send or forward mark congestion.
    ca: ca::Policy,
    n1s: RwLock<N1s>,
    n1_set: FSet,
    pff: Mutex<Pff>,
    flows: Mutex<Flows>,
    np1_set: FSet,
    fa_queue: Mutex<VecDeque<Vec<u8>>>,
    fa_cond: Condvar,
    pub routing: Routing,
    pub dir: Dir,
}

fn random_u32() -> u32 {
    let mut b = [0u8; 4];
    let _ = ouroboros::oap::os_random(&mut b);
    u32::from_ne_bytes(b)
}

impl Node {
    /// The components for configuration `uc` with our address `addr`
    /// and the layer's hash length; `peer` is the DHT's bootstrap peer
    /// (0 for the first node).
    pub fn new(addr: u64, uc: &UniConfig, hash_len: usize, peer: u64) -> Result<Arc<Node>, String> {
        let (layout, forced) =
            Layout::from_config(uc.dt.addr_size, uc.dt.eid_size).map_err(|e| e.to_string())?;
        if forced {
            log_warn!(PREFIX, "Invalid EID size. Only 64 bit is supported.");
        }
        let routing =
            Routing::new(addr, &uc.dt.routing.ls).ok_or("unknown routing policy".to_string())?;
        let wall0 = dir::wall_ms();
        let t0 = Instant::now();
        let dht = if peer == 0 {
            Dht::bootstrap(addr, hash_len, &uc.dir.dht, Box::new(OsRandom), wall0)
        } else {
            Dht::enrolled(addr, hash_len, &uc.dir.dht, peer, Box::new(OsRandom), wall0)
        }
        .map_err(|e| e.to_string())?;
        Ok(Arc::new(Node {
            addr,
            layout,
            max_ttl: u8::try_from(uc.dt.max_ttl).unwrap_or(u8::MAX),
            hash_len,
            ca: ca::Policy::from_u32(uc.cong_avoid).unwrap_or(ca::Policy::MbEcn),
            n1s: RwLock::new(N1s::default()),
            n1_set: FSet::create().ok_or("no flow set")?,
            pff: Mutex::new(Pff::new(Policy::for_algo(routing.algo))),
            flows: Mutex::new(Flows::default()),
            np1_set: FSet::create().ok_or("no flow set")?,
            fa_queue: Mutex::new(VecDeque::new()),
            fa_cond: Condvar::new(),
            routing,
            dir: Dir::new(dht, wall0, t0),
        }))
    }

    /// Starts the threads.
    pub fn start(self: &Arc<Self>) -> bool {
        let mut ok = true;
        let n = self.clone();
        ok &= spawn("dt-reader", move || n.n1_reader());
        let n = self.clone();
        ok &= spawn("np1-reader", move || n.np1_reader());
        let n = self.clone();
        ok &= spawn("fa-worker", move || n.fa_worker());
        let n = self.clone();
        ok &= spawn("ls-update", move || routing::run(&n));
        let n = self.clone();
        ok &= spawn("dht-worker", move || dir::run(&n));
        ok
    }

    pub fn n1s(&self) -> RwLockReadGuard<'_, N1s> {
        self.n1s.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn pff(&self) -> MutexGuard<'_, Pff> {
        self.pff.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn flows(&self) -> MutexGuard<'_, Flows> {
        self.flows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends `sdu` to `eid` at the node `dst` in the best-effort cube
    /// (the components' messages).
    pub fn send(&self, dst: u64, eid: u64, sdu: &[u8]) -> Result<(), SendError> {
        self.send_in(dst, 0, eid, sdu)
    }

    /// Sends `sdu` to `eid` at the node `dst` in QoS cube `qc`.
    fn send_in(&self, dst: u64, qc: u8, eid: u64, sdu: &[u8]) -> Result<(), SendError> {
        let fd = self.pff().nhop(dst).ok_or(SendError::NoRoute)?;
        let n = self.n1s().get(fd).ok_or(SendError::NoRoute)?;
        let mut pdu = dt::originate(self.layout, self.max_ttl, dst, qc, eid, sdu);
        self.mark(fd, &mut pdu);
        n.conn
            .flow
            .write(&pdu)
            .map(|_| ())
            .map_err(SendError::Write)
    }

    /// Adds our congestion mark to `pdu`, about to be written to the N-1
    /// flow `fd`: upstream marks by the packets waiting in that flow's
    /// transmit ring.
    fn mark(&self, fd: i32, pdu: &mut [u8]) {
        let mut queued = 0;
        if fccntl(fd, Cmd::TxQueueLen(&mut queued)).is_err() {
            return;
        }
        dt::mark(self.ca, self.layout, pdu, queued);
    }

    // ---- N-1 flows -------------------------------------------------

    /// A connection of the DT or Management component.
    pub fn add_n1(&self, conn: Conn, kind: Kind) {
        let fd = conn.flow.fd();
        let nb = conn.peer.addr;
        // reads never wait (the set says when) and take whole SDUs
        let _ = fccntl(
            fd,
            Cmd::SetFlags(FLOWFDEFAULT | FLOWFRNOPART | FLOWFRNOBLOCK),
        );
        let _ = conn.flow.set_read_timeout(None);
        let added = self
            .n1s
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .add(N1 { conn, kind });
        if !added {
            log_warn!(PREFIX, "Already know N-1 flow {}.", fd);
            return;
        }
        let _ = self.n1_set.add(fd);
        log_info!(
            PREFIX,
            "Added {:?} connection to {} on flow {}.",
            kind,
            super::addr::Display(nb),
            fd
        );
        match kind {
            Kind::Dt => routing::dt_added(self, nb),
            Kind::Mgmt => routing::mgmt_added(self, fd),
        }
    }

    /// `disconnect`: the connection of `kind` made to `dst`.
    pub fn remove_n1(&self, kind: Kind, dst: &str) -> Option<i32> {
        let n = {
            let mut n1s = self.n1s.write().unwrap_or_else(|e| e.into_inner());
            let fd = n1s.connected_to(kind, dst)?;
            n1s.remove(fd)?
        };
        Some(self.drop_n1(n))
    }

    /// The N-1 flow `fd` was deallocated under us: its connection goes,
    /// with its adjacency (upstream's CONN_DEL).
    fn n1_gone(&self, fd: i32) {
        let removed = self
            .n1s
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(fd);
        let Some(n) = removed else { return };
        log_info!(
            PREFIX,
            "Removed {:?} connection to {} on flow {}.",
            n.kind,
            super::addr::Display(n.addr()),
            fd
        );
        // the recalculation drops its routes (and its down mark)
        self.drop_n1(n);
    }

    /// Tears down a connection taken out of the table.
    fn drop_n1(&self, n: Arc<N1>) -> i32 {
        self.n1_set.del(n.fd());
        if n.kind == Kind::Dt {
            routing::dt_removed(self, n.addr());
        }
        match Arc::try_unwrap(n) {
            Ok(n) => connmgr::dealloc(n.conn),
            Err(_) => 0,
        }
    }

    /// A DT flow's event says it went down or came back: the forwarding
    /// table steers around it.
    fn n1_state(&self, fd: i32, up: bool) {
        if !self.n1s().get(fd).is_some_and(|n| n.kind == Kind::Dt) {
            return;
        }
        if self.pff().flow_state_change(fd, up).is_ok() {
            log_info!(PREFIX, "Flow {} is {}.", fd, if up { "up" } else { "down" });
        }
    }

    fn n1_reader(&self) {
        let mut fq = FQ::new();
        let mut buf = vec![0u8; READ_BUF];
        let mut next_sweep = Instant::now() + SWEEP;
        loop {
            if self.n1_set.wait(&mut fq, Some(SWEEP)).is_ok() {
                while let Ok(fd) = fq.next_fd() {
                    match fq.event_type() {
                        Ok(FLOW_PKT) => self.drain_n1(fd, &mut buf),
                        Ok(FLOW_DOWN) => self.n1_state(fd, false),
                        Ok(FLOW_UP) => self.n1_state(fd, true),
                        Ok(FLOW_DEALLOC) => self.n1_gone(fd),
                        _ => {}
                    }
                }
            }
            if Instant::now() >= next_sweep {
                let fds = self.n1s().fds();
                for fd in fds {
                    self.drain_n1(fd, &mut buf);
                }
                next_sweep = Instant::now() + SWEEP;
            }
        }
    }

    fn drain_n1(&self, fd: i32, buf: &mut [u8]) {
        let Some(n) = self.n1s().get(fd) else { return };
        loop {
            let len = match n.conn.flow.read(buf) {
                Ok(len) => len,
                Err(Error::MsgSize) => continue,
                Err(_) => return,
            };
            let sdu = &mut buf[..len];
            match n.kind {
                Kind::Mgmt => routing::receive(self, fd, sdu),
                Kind::Dt => self.dt_receive(sdu),
            }
        }
    }

    /// One PDU read from a DT flow.
    fn dt_receive(&self, pdu: &mut [u8]) {
        let action = dt::receive(self.layout, self.addr, pdu, &mut self.pff());
        match action {
            Action::Drop => {}
            Action::Forward(fd) => {
                if let Some(n) = self.n1s().get(fd) {
                    self.mark(fd, pdu);
                    let _ = n.conn.flow.write(pdu);
                }
            }
            Action::Flow { eid, ecn, head } => self.deliver(eid, ecn, &pdu[head..]),
            Action::Component { eid, head } => {
                let sdu = &pdu[head..];
                if eid == eid::FA {
                    if sdu.len() < fa_msg::HDR_LEN || sdu.len() > fa_msg::MAX_LEN {
                        return;
                    }
                    let mut q = self.fa_queue.lock().unwrap_or_else(|e| e.into_inner());
                    q.push_back(sdu.to_vec());
                    self.fa_cond.notify_one();
                } else {
                    dir::receive(self, sdu);
                }
            }
        }
    }

    // ---- flow allocator ---------------------------------------------

    /// Data for one of our N+1 flows.
    fn deliver(&self, eid: u64, ecn: u8, sdu: &[u8]) {
        let Some((fd, upd)) = self.flows().data(eid, ecn) else {
            return;
        };
        let _ = np1::np1_flow_write(fd, sdu);
        if let Some(f) = upd {
            let m = FaMsg::Update {
                r_eid: f.r_eid,
                ece: f.ece,
            }
            .encode();
            let _ = self.send(f.r_addr, eid::FA, &m);
        }
    }

    fn np1_reader(&self) {
        let mut fq = FQ::new();
        let mut sdu = Vec::new();
        let mut next_sweep = Instant::now() + SWEEP;
        loop {
            if self.np1_set.wait(&mut fq, Some(SWEEP)).is_ok() {
                while let Ok(fd) = fq.next_fd() {
                    if fq.event_type() == Ok(FLOW_PKT) {
                        self.drain_np1(fd, &mut sdu);
                    }
                }
            }
            if Instant::now() >= next_sweep {
                let fds: Vec<i32> = self.flows().fds();
                for fd in fds {
                    self.drain_np1(fd, &mut sdu);
                }
                next_sweep = Instant::now() + SWEEP;
            }
        }
    }

    fn drain_np1(&self, fd: i32, sdu: &mut Vec<u8>) {
        while np1::np1_flow_read(fd, sdu).is_ok() {
            let now = MonoTime::now().0;
            let Some((e, wait)) = self.flows().on_send(fd, sdu.len(), now) else {
                continue;
            };
            if e.r_eid == 0 {
                continue;
            }
            if wait > 0 {
                std::thread::sleep(ca::wait_time(wait));
            }
            let _ = self.send_in(e.r_addr, e.qc, e.r_eid, sdu);
        }
    }

    fn fa_worker(&self) {
        loop {
            let msg = {
                let mut q = self.fa_queue.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if let Some(m) = q.pop_front() {
                        break m;
                    }
                    q = self.fa_cond.wait(q).unwrap_or_else(|e| e.into_inner());
                }
            };
            self.fa_handle(&msg);
        }
    }

    /// A flow allocator message from the network.
    fn fa_handle(&self, b: &[u8]) {
        let msg = match FaMsg::decode(b, self.hash_len) {
            Ok(m) => m,
            Err(e) => {
                log_warn!(PREFIX, "Dropped flow allocator message: {}.", e);
                return;
            }
        };
        match msg {
            FaMsg::Req {
                s_addr,
                s_eid,
                qos,
                hash,
                data,
            } => self.flow_req(s_addr, s_eid, &qos, hash, data),
            FaMsg::Reply {
                r_eid,
                s_eid,
                response,
                data,
            } => {
                let r = self.flows().reply(r_eid, s_eid, response);
                let fd = match r {
                    None => {
                        log_warn!(PREFIX, "Flow reply for unknown eid {:#x}.", r_eid);
                        return;
                    }
                    Some(Replied::Up(fd)) => fd,
                    Some(Replied::Refused(fd)) => {
                        self.np1_set.del(fd);
                        fd
                    }
                };
                if np1::ipcp_flow_alloc_reply(fd, response, fa::MPL, data).is_err() {
                    log_err!(PREFIX, "Failed to reply to flow allocation.");
                }
            }
            FaMsg::Update { r_eid, ece } => {
                if !self.flows().update(r_eid, ece, MonoTime::now().0) {
                    log_err!(PREFIX, "Flow update for unknown EID {}.", r_eid);
                }
            }
        }
    }

    fn flow_req(&self, s_addr: u64, s_eid: u64, qos: &QosSpec, hash: &[u8], data: &[u8]) {
        let Some(ipcp) = crate::runtime::current() else {
            return;
        };
        let fd = ipcp.wait_flow_req_arr_then(hash, qos, fa::MPL, data, |fd| {
            self.flows()
                .insert(fd, s_addr, s_eid, qos.cube(), random_u32());
        });
        if fd < 0 {
            // nothing goes back: the requester's IRMd times out
            log_err!(PREFIX, "Failed to get fd for flow.");
        }
    }

    /// IRMd FLOW_ALLOC: our N+1 flow `fd` to the node that registered
    /// `hash`.
    pub fn flow_alloc(&self, fd: i32, hash: &[u8], qs: &QosSpec, pk: &[u8]) -> i32 {
        let Some(dst) = dir::query(self, hash) else {
            log_err!(PREFIX, "Failed to resolve destination.");
            return -1;
        };
        let s_eid = self.flows().insert(fd, dst, 0, qs.cube(), random_u32());
        let _ = self.np1_set.add(fd);
        let req = FaMsg::Req {
            s_addr: self.addr,
            s_eid,
            qos: *qs,
            hash,
            data: pk,
        }
        .encode();
        if self.send(dst, eid::FA, &req).is_err() {
            log_err!(PREFIX, "Failed to send flow allocation request packet.");
            self.np1_set.del(fd);
            self.flows().remove(fd);
            return -1;
        }
        0
    }

    /// The IRMd's answer for the request that made flow `fd`.
    pub fn flow_alloc_resp(&self, fd: i32, response: i32, pk: &[u8]) -> i32 {
        let Some(e) = self.flows().get(fd) else {
            log_err!(PREFIX, "Failed to respond to flow request.");
            return -1;
        };
        let reply = FaMsg::Reply {
            r_eid: e.r_eid,
            s_eid: e.eid,
            response,
            data: pk,
        }
        .encode();
        if response < 0 {
            self.flows().remove(fd);
        } else {
            let _ = self.np1_set.add(fd);
        }
        if self.send(e.r_addr, eid::FA, &reply).is_err() {
            log_err!(PREFIX, "Failed to send flow allocation reply.");
            self.np1_set.del(fd);
            self.flows().remove(fd);
            return -1;
        }
        0
    }

    pub fn flow_dealloc(&self, fd: i32) {
        self.np1_set.del(fd);
        self.flows().remove(fd);
    }
}

/// The DT or Management component of the connection manager.
pub struct Comp {
    pub node: Arc<Node>,
    pub kind: Kind,
}

impl Component for Comp {
    fn add(&self, conn: Conn) {
        self.node.add_n1(conn, self.kind);
    }

    fn remove(&self, dst: &str) -> Option<i32> {
        self.node.remove_n1(self.kind, dst)
    }
}
