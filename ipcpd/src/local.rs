//! ipcpd-local: a layer inside one host. Registration keeps a set of name
//! hashes; an allocation pairs the allocator's np1 flow with the
//! acceptor's, and a packet loop moves every packet across the pair.

use crate::ops::IpcpOps;
use crate::runtime::Ipcp;
use ouroboros::dev::fqueue::{FSet, FQ};
use ouroboros::dev::np1;
use ouroboros::hash::hex;
use ouroboros::ipcp::IpcpConfig;
use ouroboros::qos::QosSpec;
use ouroboros::ssm::FLOW_PKT;
use ouroboros::{log_err, log_info};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

const PREFIX: &str = "ipcpd-local";
/// Maximum packet lifetime reported for local flows (ms).
const LOCAL_MPL: u32 = 100;
/// How long a response waits for its flow's pair.
const PAIR_WAIT: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct Local {
    names: Mutex<HashSet<Vec<u8>>>,
    /// Pairs of np1 fds: a packet read on one goes out on the other.
    pairs: Arc<RwLock<HashMap<i32, i32>>>,
    /// The flows the packet loop watches.
    flows: Mutex<Option<Arc<FSet>>>,
    /// Signalled when a pair is made: the acceptor's response can reach
    /// us before the allocating thread recorded the pair.
    paired: (Mutex<()>, Condvar),
}

impl Local {
    fn names(&self) -> std::sync::MutexGuard<'_, HashSet<Vec<u8>>> {
        self.names.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn flows(&self) -> Option<Arc<FSet>> {
        self.flows.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn pair(&self, a: i32, b: i32) {
        let _g = self.paired.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut p = self.pairs.write().unwrap_or_else(|e| e.into_inner());
        p.insert(a, b);
        p.insert(b, a);
        self.paired.1.notify_all();
    }

    /// The peer of `fd`, waiting up to `PAIR_WAIT` for the allocating
    /// thread to pair it (upstream retries once after 1 ms).
    fn wait_peer_of(&self, fd: i32) -> Option<i32> {
        let deadline = Instant::now() + PAIR_WAIT;
        let mut g = self.paired.0.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(out) = self.peer_of(fd) {
                return Some(out);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            g = self
                .paired
                .1
                .wait_timeout(g, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn peer_of(&self, fd: i32) -> Option<i32> {
        self.pairs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&fd)
            .copied()
    }
}

/// How often the packet loop looks for packets stranded in a receiver's
/// ring (see `np1::reannounce`).
const STRANDED_CHECK: Duration = Duration::from_millis(100);

/// Moves packets across paired flows, one per FLOW_PKT event.
fn packet_loop(set: Arc<FSet>, pairs: Arc<RwLock<HashMap<i32, i32>>>) {
    let mut fq = FQ::new();
    let mut marks: HashMap<i32, np1::RingMark> = HashMap::new();
    let mut next_check = Instant::now() + STRANDED_CHECK;
    loop {
        if Instant::now() >= next_check {
            {
                let paired = pairs.read().unwrap_or_else(|e| e.into_inner());
                marks.retain(|fd, _| paired.contains_key(fd));
            }
            for (fd, mark) in marks.iter_mut() {
                np1::reannounce(*fd, mark);
            }
            next_check = Instant::now() + STRANDED_CHECK;
        }
        if set.wait(&mut fq, Some(STRANDED_CHECK)).is_err() {
            continue;
        }
        while let Ok(src) = fq.next_fd() {
            if fq.event_type() != Ok(FLOW_PKT) {
                continue;
            }
            let dst = pairs
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&src)
                .copied();
            if let Some(dst) = dst {
                if let Ok(announced) = np1::local_flow_transfer(src, dst) {
                    marks.entry(dst).or_default().transferred(announced);
                }
            }
        }
    }
}

impl IpcpOps for Local {
    fn bootstrap(&self, _conf: &IpcpConfig) -> Option<i32> {
        let Some(set) = FSet::create() else {
            log_err!(PREFIX, "Failed to create the flow set.");
            return Some(-1);
        };
        let set = Arc::new(set);
        *self.flows.lock().unwrap_or_else(|e| e.into_inner()) = Some(set.clone());
        let pairs = self.pairs.clone();
        let started = std::thread::Builder::new()
            .name("local-packets".into())
            .spawn(move || packet_loop(set, pairs));
        if started.is_err() {
            log_err!(
                PREFIX,
                "Failed to create pthread: {}",
                std::io::Error::last_os_error()
            );
            return Some(-1);
        }
        Some(0)
    }

    fn reg(&self, hash: &[u8]) -> Option<i32> {
        // registering twice is fine
        self.names().insert(hash.to_vec());
        Some(0)
    }

    fn unreg(&self, hash: &[u8]) -> Option<i32> {
        self.names().remove(hash);
        log_info!(PREFIX, "Unregistered {}.", hex(&hash[..hash.len().min(4)]));
        Some(0)
    }

    fn query(&self, hash: &[u8]) -> Option<i32> {
        Some(if self.names().contains(hash) { 0 } else { -1 })
    }

    fn flow_alloc(
        &self,
        ipcp: &Ipcp,
        fd: i32,
        hash: &[u8],
        qs: &QosSpec,
        pk: &[u8],
    ) -> Option<i32> {
        let out = ipcp.wait_flow_req_arr(hash, qs, LOCAL_MPL, pk);
        if out < 0 {
            return Some(-1);
        }
        // Watched before paired: once paired, the response may complete
        // the allocation and the allocator write at once, and a packet
        // arriving on an unwatched flow raises no event and is stranded
        // (upstream pairs first and loses such packets).
        if let Some(set) = self.flows() {
            let _ = set.add(fd);
        }
        self.pair(fd, out);
        log_info!(PREFIX, "Pending local allocation request on fd {}.", fd);
        Some(0)
    }

    fn flow_alloc_resp(&self, ipcp: &Ipcp, fd: i32, response: i32, pk: &[u8]) -> Option<i32> {
        if ipcp.wait_flow_resp(fd) < 0 {
            log_err!(PREFIX, "Failed waiting for IRMd response.");
            return Some(-1);
        }
        if response < 0 {
            let mut p = self.pairs.write().unwrap_or_else(|e| e.into_inner());
            if let Some(other) = p.remove(&fd) {
                p.remove(&other);
            }
            return Some(0);
        }
        let Some(out) = self.wait_peer_of(fd) else {
            log_err!(PREFIX, "Invalid out_fd.");
            return Some(-1);
        };
        let set = self.flows();
        if let Some(set) = &set {
            let _ = set.add(fd);
        }
        if np1::ipcp_flow_alloc_reply(out, response, LOCAL_MPL, pk).is_err() {
            log_err!(PREFIX, "Failed to reply to allocation");
            if let Some(set) = &set {
                set.del(fd);
            }
            return Some(-1);
        }
        log_info!(PREFIX, "Flow allocation completed, fds ({}, {}).", out, fd);
        Some(0)
    }

    fn flow_dealloc(&self, _ipcp: &Ipcp, fd: i32) -> Option<i32> {
        let _ = np1::ipcp_flow_fini(fd);
        if let Some(set) = self.flows() {
            set.del(fd);
        }
        self.pairs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&fd);
        let _ = np1::ipcp_flow_dealloc(fd);
        log_info!(PREFIX, "Flow with fd {} deallocated.", fd);
        Some(0)
    }
}
