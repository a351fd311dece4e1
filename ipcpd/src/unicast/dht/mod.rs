//! The DHT directory of ipcpd-unicast (spec §5.6, upstream
//! `src/ipcpd/unicast/dir/dht.c`) as a state machine without I/O: no
//! sockets, threads or clock of its own.
//!
//! Inputs: [`Dht::new`] (own address, hash length, the layer's DHT
//! configuration with `peer` = the enroller's address or 0 for the first
//! node, a random source), [`Dht::start`], [`Dht::recv`] (a DHT PDU's
//! payload), [`Dht::tick`] (the time passes), [`Dht::reg`],
//! [`Dht::unreg`], [`Dht::query`]. Outputs, taken with
//! [`Dht::poll_output`]: messages to send (destination address and the
//! exact bytes upstream would send, to go in a DT PDU to eid 1, qos cube
//! 0) and query answers.
//!
//! Time is one value in milliseconds since the UNIX epoch: STORE expiry
//! times are wall-clock seconds on the wire, while the timers only need a
//! clock that does not go back (a driver can pass its start's wall-clock
//! time plus a monotonic elapsed time). [`Dht::next_deadline`] says when
//! the next [`Dht::tick`] is due.
//!
//! Upstream behaviour kept: routing table and its bucket order, responses
//! (up to k contacts, up to 8 values), validation and dropping, the
//! bootstrap FIND_NODE_REQ with the magic cookie to `peer` (retried with
//! back-off while it cannot be sent, then repeated by the first periodic
//! task), STORE of registrations to the first alpha contacts, the five
//! periodic tasks every `intv` s, 2 s lookups answered by the first
//! value, answers from a request's cached values. Differences, all
//! invisible to peers: lookups follow up on the contacts responses name
//! (see [`lookup`]; off with [`Dht::set_follow_ups`]), replication covers
//! every key (upstream only its farthest one), and STOREs from the
//! network are bounded ([`store::MAX_KEYS`] ...).

pub mod bucket;
pub mod lookup;
pub mod requests;
pub mod store;

use super::dht_msg::{self, Code, DhtContactMsg, DhtFindNodeRspMsg, DhtMsg, Valid};
use bucket::{Contact, Table};
pub use lookup::QueryId;
use lookup::{Lookups, Pending};
use ouroboros::ipcp::DhtConfig;
use requests::{Peer, Reqs};
use std::collections::VecDeque;
use std::fmt;
use store::Store;

/// Shortest id (and key) the distance needs (upstream refuses less).
pub const MIN_ID_LEN: usize = 8;
/// The bootstrap request's first retry (ms); doubling, capped at 1 s.
const SEED_BACKOFF_MS: u64 = 1;
const SEED_BACKOFF_MAX_MS: u64 = 1000;

/// A source of random bytes (ids and cookies).
pub trait Random: Send {
    fn fill(&mut self, buf: &mut [u8]);
}

/// A seeded generator, for reproducible runs and tests.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl Random for SplitMix64 {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let r = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
}

/// The kernel's random source.
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) {
        let _ = ouroboros::oap::os_random(buf);
    }
}

/// The Kademlia parameters (times in s) and the bootstrap peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    pub alpha: usize,
    pub k: usize,
    pub t_expire: u64,
    pub t_refresh: u64,
    pub t_replicate: u64,
    /// The enroller's address; 0 for the layer's first node.
    pub peer: u64,
}

impl From<&DhtConfig> for Params {
    fn from(c: &DhtConfig) -> Params {
        Params {
            alpha: c.alpha as usize,
            k: c.k as usize,
            t_expire: u64::from(c.t_expire),
            t_refresh: u64::from(c.t_refresh),
            t_replicate: u64::from(c.t_replicate),
            peer: c.peer,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadSetup {
    IdLen(usize),
    Alpha,
    K,
    Addr,
}

impl fmt::Display for BadSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadSetup::IdLen(n) => write!(f, "DHT ids of {n} bytes (at least {MIN_ID_LEN})"),
            BadSetup::Alpha => write!(f, "DHT alpha 0"),
            BadSetup::K => write!(f, "DHT k 0"),
            BadSetup::Addr => write!(f, "DHT own address 0"),
        }
    }
}

impl std::error::Error for BadSetup {}

/// Why `reg`/`unreg` failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirError {
    /// A key that is not a hash long.
    KeyLen(usize),
    /// `unreg` of a name not registered here.
    NotRegistered,
    /// The store is full.
    Full,
}

/// A query's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub id: QueryId,
    pub key: Vec<u8>,
    /// The address to use (upstream's choice among the values), or none.
    pub addr: Option<u64>,
    /// The values found (at most 8).
    pub values: Vec<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// A DHT message for the node at `dst`. `seed` marks the bootstrap
    /// request: if it cannot be sent (no route yet), call
    /// [`Dht::seed_unsent`].
    Send {
        dst: u64,
        bytes: Vec<u8>,
        seed: bool,
    },
    Answer(Answer),
}

/// Counters, for tests and the RIB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub received: u64,
    pub dropped: u64,
    pub sent: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Not started.
    Init,
    /// The bootstrap request went at `sent` (retry at `retry` if it could
    /// not be sent); the periodic tasks start at the next tick.
    Seeding {
        sent: u64,
        retry: Option<u64>,
        backoff: u64,
    },
    /// Periodic task `task` runs at `next` (ms).
    Running { next: u64, task: usize },
}

pub struct Dht {
    id: Vec<u8>,
    addr: u64,
    p: Params,
    magic: u64,
    rng: Box<dyn Random>,
    table: Table,
    store: Store,
    reqs: Reqs,
    lookups: Lookups,
    out: VecDeque<Output>,
    phase: Phase,
    intv_ms: u64,
    follow_ups: bool,
    stats: Stats,
    fallback: u64,
}

impl fmt::Debug for Dht {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dht")
            .field("id", &self.id)
            .field("addr", &self.addr)
            .field("params", &self.p)
            .field("phase", &self.phase)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

fn secs(ms: u64) -> u64 {
    ms / 1000
}

impl Dht {
    /// A DHT node with address `addr`, ids (and keys) of `id_len` bytes,
    /// at time `now` (ms). Draws the magic cookie, then the node id.
    pub fn new(
        addr: u64,
        id_len: usize,
        cfg: &DhtConfig,
        rng: Box<dyn Random>,
        now: u64,
    ) -> Result<Dht, BadSetup> {
        let p = Params::from(cfg);
        if id_len < MIN_ID_LEN {
            return Err(BadSetup::IdLen(id_len));
        }
        if p.alpha == 0 {
            return Err(BadSetup::Alpha);
        }
        if p.k == 0 {
            return Err(BadSetup::K);
        }
        if addr == 0 {
            return Err(BadSetup::Addr);
        }
        let mut d = Dht {
            id: Vec::new(),
            addr,
            magic: 0,
            rng,
            table: Table::new(&[0; MIN_ID_LEN], addr, p.k, p.t_refresh, secs(now)),
            store: Store::new(&[]),
            reqs: Reqs::default(),
            lookups: Lookups::default(),
            out: VecDeque::new(),
            phase: Phase::Init,
            intv_ms: 1000 * dht_msg::task_interval(cfg.t_expire, cfg.t_replicate, cfg.t_refresh),
            follow_ups: true,
            stats: Stats::default(),
            fallback: 0,
            p,
        };
        d.magic = d.cookie();
        let mut id = vec![0u8; id_len];
        d.rng.fill(&mut id);
        d.table = Table::new(&id, addr, d.p.k, d.p.t_refresh, secs(now));
        d.store = Store::new(&id);
        d.id = id;
        Ok(d)
    }

    /// The first node of a layer: no peer to contact.
    pub fn bootstrap(
        addr: u64,
        id_len: usize,
        cfg: &DhtConfig,
        rng: Box<dyn Random>,
        now: u64,
    ) -> Result<Dht, BadSetup> {
        let cfg = DhtConfig {
            peer: 0,
            ..cfg.clone()
        };
        let mut d = Dht::new(addr, id_len, &cfg, rng, now)?;
        d.start(now);
        Ok(d)
    }

    /// A node that enrolled through the node at `peer`.
    pub fn enrolled(
        addr: u64,
        id_len: usize,
        cfg: &DhtConfig,
        peer: u64,
        rng: Box<dyn Random>,
        now: u64,
    ) -> Result<Dht, BadSetup> {
        let cfg = DhtConfig {
            peer,
            ..cfg.clone()
        };
        let mut d = Dht::new(addr, id_len, &cfg, rng, now)?;
        d.start(now);
        Ok(d)
    }

    pub fn id(&self) -> &[u8] {
        &self.id
    }

    pub fn addr(&self) -> u64 {
        self.addr
    }

    pub fn params(&self) -> &Params {
        &self.p
    }

    /// The cookie of the bootstrap requests.
    pub fn magic(&self) -> u64 {
        self.magic
    }

    /// The `peer` this node hands to its enrollees: its own address.
    pub fn enrollment_peer(&self) -> u64 {
        self.addr
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn requests(&self) -> &Reqs {
        &self.reqs
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// True while the bootstrap request has not gone out (or has just).
    pub fn is_seeding(&self) -> bool {
        matches!(self.phase, Phase::Seeding { .. })
    }

    /// Whether lookups ask the contacts that responses name (default);
    /// off, a lookup is one round as upstream's.
    pub fn set_follow_ups(&mut self, on: bool) {
        self.follow_ups = on;
    }

    /// The next output, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// Every pending output.
    pub fn drain(&mut self) -> Vec<Output> {
        self.out.drain(..).collect()
    }

    /// When [`Dht::tick`] is next due (ms), if ever.
    pub fn next_deadline(&self) -> Option<u64> {
        let phase = match self.phase {
            Phase::Init => None,
            Phase::Seeding { sent, retry, .. } => Some(retry.unwrap_or(sent)),
            Phase::Running { next, .. } => Some(next),
        };
        [phase, self.lookups.next_deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    fn cookie(&mut self) -> u64 {
        for _ in 0..16 {
            let mut b = [0u8; 8];
            self.rng.fill(&mut b);
            let c = u64::from_ne_bytes(b);
            if c != 0 {
                return c;
            }
        }
        // a source stuck at zero: still distinct, non-zero cookies
        self.fallback += 1;
        self.fallback
    }

    fn src(&self) -> DhtContactMsg {
        dht_msg::contact(&self.id, self.addr)
    }

    fn send(&mut self, dst: u64, m: &DhtMsg, seed: bool) {
        if dst == 0 || dst == self.addr {
            return;
        }
        self.stats.sent += 1;
        self.out.push_back(Output::Send {
            dst,
            bytes: dht_msg::encode(m),
            seed,
        });
    }

    fn answer(&mut self, id: QueryId, key: &[u8], vals: &[Vec<u8>]) {
        let values: Vec<Vec<u8>> = vals.iter().take(dht_msg::MAX_VALS).cloned().collect();
        self.out.push_back(Output::Answer(Answer {
            id,
            key: key.to_vec(),
            addr: lookup::choose(&values, self.addr),
            values,
        }));
    }

    /// Starts the node at `now`: an enrollee sends FIND_NODE_REQ for its
    /// own id to `peer` with the magic cookie; the periodic tasks start at
    /// the next [`Dht::tick`]. Does nothing if already started.
    pub fn start(&mut self, now: u64) {
        if self.phase != Phase::Init {
            return;
        }
        if self.p.peer == 0 || self.p.peer == self.addr {
            self.phase = Phase::Running { next: now, task: 0 };
            return;
        }
        self.phase = Phase::Seeding {
            sent: now,
            retry: None,
            backoff: SEED_BACKOFF_MS,
        };
        self.seed(now);
    }

    /// The bootstrap request ([`Output::Send`] with `seed`) could not be
    /// sent: it goes again after a back-off (doubling from 2 ms to 1 s).
    pub fn seed_unsent(&mut self, now: u64) {
        if let Phase::Seeding { sent, backoff, .. } = self.phase {
            let backoff = (backoff * 2).min(SEED_BACKOFF_MAX_MS);
            self.phase = Phase::Seeding {
                sent,
                retry: Some(now.saturating_add(backoff)),
                backoff,
            };
        }
    }

    /// Routes changed: a bootstrap request waiting for its retry goes
    /// at the next [`Dht::tick`] instead of after its back-off.
    pub fn seed_retry_now(&mut self, now: u64) {
        if let Phase::Seeding {
            sent,
            retry: Some(at),
            backoff,
        } = self.phase
        {
            self.phase = Phase::Seeding {
                sent,
                retry: Some(at.min(now)),
                backoff,
            };
        }
    }

    /// FIND_NODE_REQ for the own id to `peer`, magic cookie.
    fn seed(&mut self, now: u64) {
        let peer = Peer {
            cookie: self.magic,
            id: self.id.clone(),
            addr: self.p.peer,
            code: Code::FindNodeReq,
            t_sent: now,
        };
        let key = self.id.clone();
        self.ask(&key, Code::FindNodeReq, vec![peer], now, true);
    }

    /// Registers `key` here: a local value (own address, 8 bytes BE)
    /// expiring in t_expire, sent in STOREs to the first alpha contacts.
    pub fn reg(&mut self, now: u64, key: &[u8]) -> Result<(), DirError> {
        if key.len() != self.id.len() {
            return Err(DirError::KeyLen(key.len()));
        }
        let val = dht_msg::addr_value(self.addr);
        let exp = secs(now).saturating_add(self.p.t_expire);
        self.store
            .publish(key, &val, exp)
            .map_err(|_| DirError::Full)?;
        self.store_remote(key, &val, exp, now);
        Ok(())
    }

    /// Unregisters `key`: local removal only; copies elsewhere expire.
    pub fn unreg(&mut self, key: &[u8]) -> Result<(), DirError> {
        if key.len() != self.id.len() {
            return Err(DirError::KeyLen(key.len()));
        }
        let val = dht_msg::addr_value(self.addr);
        if self.store.unpublish(key, &val) {
            Ok(())
        } else {
            Err(DirError::NotRegistered)
        }
    }

    /// Looks `key` up; the [`Answer`] comes as an output, at once when the
    /// values are known here (or no contact can be asked), else when a
    /// response brings values or after 2 s.
    pub fn query(&mut self, now: u64, key: &[u8]) -> QueryId {
        let id = self.lookups.handle();
        if key.len() != self.id.len() {
            self.answer(id, key, &[]);
            return id;
        }
        let vals = self.store.retrieve(key);
        if !vals.is_empty() {
            self.answer(id, key, &vals);
            return id;
        }
        if !self.query_remote(key, Code::FindValueReq, now) {
            self.answer(id, key, &[]);
            return id;
        }
        match self.reqs.get(key).map(|r| r.cache.clone()) {
            Some(cache) if !cache.is_empty() => self.answer(id, key, &cache),
            _ => self.lookups.wait(id, key, now),
        }
        id
    }

    /// Sends `code` for `key` to the first alpha contacts; false if there
    /// is no contact or no room for the request.
    fn query_remote(&mut self, key: &[u8], code: Code, now: u64) -> bool {
        let peers = self.peers_for(key, code, now);
        if peers.is_empty() {
            return false;
        }
        self.ask(key, code, peers, now, false)
    }

    fn peers_for(&mut self, key: &[u8], code: Code, now: u64) -> Vec<Peer> {
        let mut c = self.table.closest(key, secs(now));
        c.truncate(self.p.alpha);
        c.into_iter()
            .map(|c| Peer {
                cookie: self.cookie(),
                id: c.id,
                addr: c.addr,
                code,
                t_sent: now,
            })
            .collect()
    }

    /// Records `peers` with the request for `key` and sends them `code`.
    fn ask(&mut self, key: &[u8], code: Code, peers: Vec<Peer>, now: u64, seed: bool) -> bool {
        let Ok(send) = self.reqs.add(key, peers, self.magic, secs(now)) else {
            return false;
        };
        for p in send {
            let m = dht_msg::find_req(code, &self.src(), p.cookie, key);
            self.send(p.addr, &m, seed);
        }
        true
    }

    /// STORE (key, val, exp) to the first alpha contacts for the key;
    /// false if there is none.
    fn store_remote(&mut self, key: &[u8], val: &[u8], exp: u64, now: u64) -> bool {
        let mut c = self.table.closest(key, secs(now));
        c.truncate(self.p.alpha);
        let m = dht_msg::store(&self.src(), key, val, exp as u32);
        for c in &c {
            self.send(c.addr, &m, false);
        }
        !c.is_empty()
    }

    /// A DHT message (a DT PDU's payload) from the node at `from`.
    /// Replies go to the message's `src.addr`, as upstream's do; `from`
    /// is not used. Invalid messages are dropped.
    pub fn recv(&mut self, now: u64, from: u64, bytes: &[u8]) {
        let _ = from;
        self.stats.received += 1;
        if !self.handle(now, bytes) {
            self.stats.dropped += 1;
        }
    }

    fn handle(&mut self, now: u64, bytes: &[u8]) -> bool {
        let Ok(m) = dht_msg::decode(bytes) else {
            return false;
        };
        let Ok(v) = dht_msg::validate(&m, self.id.len()) else {
            return false;
        };
        if m.src.addr == self.addr {
            return false;
        }
        if let (Valid::Known(Code::FindNodeRsp | Code::FindValueRsp), Some(n)) = (v, &m.node) {
            if !self.reqs.expects(&n.key, n.cookie) {
                return false;
            }
        }
        let now_s = secs(now);
        self.table.update(&m.src.id, m.src.addr, now_s);
        let Valid::Known(code) = v else {
            return true;
        };
        let dst = m.src.addr;
        match (code, m.find, m.node, m.store, m.val) {
            (Code::FindNodeReq, Some(f), ..) => {
                let contacts = self.contact_msgs(&f.key, now);
                let r = dht_msg::find_node_rsp(&self.src(), f.cookie, &f.key, contacts);
                self.send(dst, &r, false);
            }
            (Code::FindValueReq, Some(f), ..) => {
                let contacts = self.contact_msgs(&f.key, now);
                let vals = self.store.retrieve(&f.key);
                let r = dht_msg::find_value_rsp(&self.src(), f.cookie, &f.key, contacts, vals);
                self.send(dst, &r, false);
            }
            (Code::Store, _, _, Some(s), _) => {
                let _ = self.store.store(&s.key, &s.val, u64::from(s.exp), now_s);
            }
            (Code::FindNodeRsp, _, Some(n), ..) => {
                self.on_contacts(&n, Code::FindNodeReq, now);
            }
            (Code::FindValueRsp, _, Some(n), _, Some(val)) => {
                if val.values.is_empty() {
                    self.on_contacts(&n, Code::FindValueReq, now);
                } else {
                    self.learn(&n, now);
                    self.reqs.respond(&n.key, &val.values);
                    let cache = self.reqs.get(&n.key).map(|r| r.cache.clone());
                    let cache = cache.unwrap_or_default();
                    for Pending { id, key, .. } in self.lookups.take_key(&n.key) {
                        self.answer(id, &key, &cache);
                    }
                }
            }
            _ => return false,
        }
        true
    }

    fn contact_msgs(&mut self, key: &[u8], now: u64) -> Vec<DhtContactMsg> {
        self.table
            .closest(key, secs(now))
            .into_iter()
            .map(|c| dht_msg::contact(&c.id, c.addr))
            .collect()
    }

    /// Adds the contacts of a response to the routing table; returns them.
    fn learn(&mut self, n: &DhtFindNodeRspMsg, now: u64) -> Vec<Contact> {
        let mut out = Vec::new();
        for c in &n.contacts {
            if c.addr == self.addr || c.addr == 0 || c.id.len() != self.id.len() {
                continue;
            }
            self.table.update(&c.id, c.addr, secs(now));
            out.push(Contact {
                id: c.id.clone(),
                addr: c.addr,
                t_seen: secs(now),
            });
        }
        out
    }

    /// A response without values: its contacts are learnt and, with
    /// follow-ups on, the closest not yet asked are asked `code` next.
    fn on_contacts(&mut self, n: &DhtFindNodeRspMsg, code: Code, now: u64) {
        let learnt = self.learn(n, now);
        if learnt.is_empty() {
            return;
        }
        let key = &n.key;
        let peers: Vec<Contact> = if self.follow_ups {
            let n_asked = self.reqs.get(key).map_or(0, |r| {
                let mut a: Vec<u64> = r.peers.iter().map(|p| p.addr).collect();
                a.sort_unstable();
                a.dedup();
                a.len()
            });
            lookup::follow_ups(
                key,
                &learnt,
                |a| self.reqs.asked(key, a),
                n_asked,
                self.p.alpha,
                self.p.k,
            )
        } else {
            learnt
        };
        let peers = peers
            .into_iter()
            .map(|c| Peer {
                cookie: self.cookie(),
                id: c.id,
                addr: c.addr,
                code,
                t_sent: now,
            })
            .collect();
        if self.follow_ups {
            self.ask(key, code, peers, now, false);
        } else {
            // upstream records them but its second pass filters them all
            let _ = self.reqs.add(key, peers, self.magic, secs(now));
        }
    }

    /// The time is `now` (ms): lookups time out, the bootstrap request is
    /// retried, periodic tasks run when due.
    pub fn tick(&mut self, now: u64) {
        for Pending { id, key, .. } in self.lookups.take_expired(now) {
            self.reqs.remove(&key);
            self.answer(id, &key, &[]);
        }
        match self.phase {
            Phase::Init => {}
            Phase::Seeding {
                sent,
                retry: Some(at),
                backoff,
            } => {
                if now >= at {
                    self.phase = Phase::Seeding {
                        sent,
                        retry: None,
                        backoff,
                    };
                    self.seed(now);
                }
            }
            Phase::Seeding { retry: None, .. } => {
                self.phase = Phase::Running { next: now, task: 0 };
            }
            Phase::Running { .. } => {}
        }
        while let Phase::Running { next, task } = self.phase {
            if now < next {
                break;
            }
            self.task(task, now);
            self.phase = Phase::Running {
                next: next.saturating_add(self.intv_ms.max(1)),
                task: (task + 1) % dht_msg::N_TASKS as usize,
            };
        }
    }

    fn task(&mut self, task: usize, now: u64) {
        let now_s = secs(now);
        match task {
            0 => self.check_contacts(now),
            1 => self.store.remove_expired(now_s),
            2 => self.reqs.remove_expired(now_s),
            3 => self.replicate(now),
            _ => self.refresh(now),
        }
    }

    /// Without any contact, the bootstrap request goes to `peer` again.
    fn check_contacts(&mut self, now: u64) {
        let own = self.id.clone();
        if self.table.closest(&own, secs(now)).is_empty() && self.p.peer != 0 {
            self.seed(now);
        }
    }

    fn replicate(&mut self, now: u64) {
        let now_s = secs(now);
        for o in self.store.due(now_s, self.p.t_replicate, self.p.t_expire) {
            if self.store_remote(&o.key, &o.val, o.exp, now) {
                self.store.replicated(&o, now_s);
            }
        }
    }

    fn refresh(&mut self, now: u64) {
        for c in self.table.refresh_list(secs(now)) {
            self.query_remote(&c.id, Code::FindNodeReq, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000_000;

    fn cfg() -> DhtConfig {
        DhtConfig::standard()
    }

    fn node(addr: u64, seed: u64) -> Dht {
        Dht::bootstrap(addr, 32, &cfg(), Box::new(SplitMix64(seed)), T0).unwrap()
    }

    fn sends(d: &mut Dht) -> Vec<(u64, DhtMsg)> {
        d.drain()
            .into_iter()
            .filter_map(|o| match o {
                Output::Send { dst, bytes, .. } => Some((dst, dht_msg::decode(&bytes).unwrap())),
                Output::Answer(_) => None,
            })
            .collect()
    }

    fn answers(d: &mut Dht) -> Vec<Answer> {
        d.drain()
            .into_iter()
            .filter_map(|o| match o {
                Output::Answer(a) => Some(a),
                Output::Send { .. } => None,
            })
            .collect()
    }

    #[test]
    fn setup_checks() {
        let r = || Box::new(SplitMix64(1));
        assert_eq!(
            Dht::new(1, 4, &cfg(), r(), T0).err(),
            Some(BadSetup::IdLen(4))
        );
        let c = DhtConfig { k: 0, ..cfg() };
        assert_eq!(Dht::new(1, 32, &c, r(), T0).err(), Some(BadSetup::K));
        let c = DhtConfig { alpha: 0, ..cfg() };
        assert_eq!(Dht::new(1, 32, &c, r(), T0).err(), Some(BadSetup::Alpha));
        assert_eq!(Dht::new(0, 32, &cfg(), r(), T0).err(), Some(BadSetup::Addr));
        let d = node(5, 1);
        assert_eq!(d.id().len(), 32);
        assert_ne!(d.magic(), 0);
        assert_eq!(d.enrollment_peer(), 5);
        // the same seed, the same node
        assert_eq!(node(5, 1).id(), d.id());
        assert_ne!(node(5, 2).id(), d.id());
    }

    #[test]
    fn first_node_is_silent_and_answers_locally() {
        let mut a = node(0x10, 1);
        a.tick(T0);
        a.tick(T0 + 3_600_000);
        assert!(a.drain().is_empty());
        let key = [7u8; 32];
        a.reg(T0, &key).unwrap();
        // no contacts: nothing sent
        assert!(a.drain().is_empty());
        // own address only: no address to use
        let q = a.query(T0, &key);
        let ans = answers(&mut a);
        assert_eq!(ans.len(), 1);
        assert_eq!((ans[0].id, ans[0].addr), (q, None));
        assert_eq!(ans[0].values, [0x10u64.to_be_bytes().to_vec()]);
        // unknown key, no contacts: not found at once
        a.query(T0, &[8u8; 32]);
        assert_eq!(answers(&mut a)[0].addr, None);
        assert_eq!(a.reg(T0, &[1; 3]), Err(DirError::KeyLen(3)));
        assert_eq!(a.unreg(&[8u8; 32]), Err(DirError::NotRegistered));
        a.unreg(&key).unwrap();
        assert_eq!(a.store().counts(), (0, 0, 0));
    }

    #[test]
    fn join_register_and_lookup() {
        let mut a = node(0xa, 1);
        let mut b = Dht::enrolled(0xb, 32, &cfg(), 0xa, Box::new(SplitMix64(2)), T0).unwrap();
        // the seed and, at the first tick, the same request again
        let s = b.drain();
        assert!(matches!(
            &s[..],
            [Output::Send {
                dst: 0xa,
                seed: true,
                ..
            }]
        ));
        b.tick(T0);
        let s2 = b.drain();
        assert_eq!(s, s2);
        let Output::Send { bytes, .. } = &s[0] else {
            panic!()
        };
        let m = dht_msg::decode(bytes).unwrap();
        assert_eq!(m.code, Code::FindNodeReq as u32);
        let f = m.find.as_ref().unwrap();
        assert_eq!((f.cookie, &f.key[..]), (b.magic(), b.id()));
        // A answers with its contacts: B itself
        a.recv(T0, 0xb, bytes);
        let r = sends(&mut a);
        assert_eq!(r.len(), 1);
        let (dst, rsp) = &r[0];
        assert_eq!(*dst, 0xb);
        let n = rsp.node.as_ref().unwrap();
        assert_eq!((n.cookie, &n.key[..]), (b.magic(), b.id()));
        assert_eq!(n.contacts, [dht_msg::contact(b.id(), 0xb)]);
        b.recv(T0, 0xa, &dht_msg::encode(rsp));
        assert_eq!(b.stats().dropped, 0);
        assert_eq!(b.table().len(), 1);
        assert!(sends(&mut b).is_empty());
        // the same response again is still expected (the cookie stays)
        b.recv(T0, 0xa, &dht_msg::encode(rsp));
        assert_eq!(b.stats().dropped, 0);

        // A registers a name: one STORE to B
        let key = [0x42u8; 32];
        a.reg(T0 + 1000, &key).unwrap();
        let st = sends(&mut a);
        assert_eq!(st.len(), 1);
        let s = st[0].1.store.as_ref().unwrap();
        assert_eq!(s.exp as u64, T0 / 1000 + 1 + 86400);
        assert_eq!(s.val, 0xau64.to_be_bytes());
        b.recv(T0 + 1000, 0xa, &dht_msg::encode(&st[0].1));
        assert_eq!(b.store().counts(), (1, 1, 0));
        // B finds it locally
        b.query(T0 + 1000, &key);
        assert_eq!(answers(&mut b)[0].addr, Some(0xa));

        // A looks up a name only B has
        let key2 = [0x43u8; 32];
        b.reg(T0 + 2000, &key2).unwrap();
        sends(&mut b);
        let q = a.query(T0 + 2000, &key2);
        let req = sends(&mut a);
        assert_eq!(req.len(), 1);
        assert_eq!(req[0].1.code, Code::FindValueReq as u32);
        b.recv(T0 + 2000, 0xa, &dht_msg::encode(&req[0].1));
        let rsp = sends(&mut b);
        let val = rsp[0].1.val.as_ref().unwrap();
        assert_eq!(val.values, [0xbu64.to_be_bytes().to_vec()]);
        a.recv(T0 + 2010, 0xb, &dht_msg::encode(&rsp[0].1));
        let ans = answers(&mut a);
        assert_eq!((ans[0].id, ans[0].addr), (q, Some(0xb)));
        // a second lookup is answered from the request's values, silently
        a.query(T0 + 2020, &key2);
        let out = a.drain();
        assert!(matches!(
            &out[..],
            [Output::Answer(Answer {
                addr: Some(0xb),
                ..
            })]
        ));
        // a late duplicate response changes nothing
        a.recv(T0 + 2030, 0xb, &dht_msg::encode(&rsp[0].1));
        assert!(a.drain().is_empty());
    }

    #[test]
    fn lookup_times_out() {
        let mut a = node(0xa, 1);
        let b = node(0xb, 2);
        let join = dht_msg::find_req(Code::FindNodeReq, &dht_msg::contact(b.id(), 0xb), 9, b.id());
        a.recv(T0, 0xb, &dht_msg::encode(&join));
        sends(&mut a);
        let q = a.query(T0, &[1u8; 32]);
        assert_eq!(sends(&mut a).len(), 1);
        assert_eq!(a.next_deadline(), Some(T0));
        a.tick(T0 + 1999);
        assert!(answers(&mut a).is_empty());
        a.tick(T0 + 2000);
        let ans = answers(&mut a);
        assert_eq!((ans[0].id, ans[0].addr), (q, None));
        assert!(a.requests().is_empty());
    }

    #[test]
    fn seed_backoff() {
        let mut b = Dht::enrolled(0xb, 32, &cfg(), 0xa, Box::new(SplitMix64(2)), T0).unwrap();
        assert!(b.is_seeding());
        assert_eq!(b.drain().len(), 1);
        b.seed_unsent(T0);
        assert_eq!(b.next_deadline(), Some(T0 + 2));
        b.tick(T0 + 1);
        assert!(b.drain().is_empty());
        b.tick(T0 + 2);
        assert_eq!(b.drain().len(), 1);
        for _ in 0..20 {
            b.seed_unsent(T0);
        }
        assert_eq!(b.next_deadline(), Some(T0 + 1000));
        b.tick(T0 + 1000);
        assert_eq!(b.drain().len(), 1);
        // sent: the tasks start, the first repeats the request
        b.tick(T0 + 1001);
        assert!(!b.is_seeding());
        assert_eq!(b.drain().len(), 1);
        assert_eq!(b.next_deadline(), Some(T0 + 1001 + 90_000));
    }

    #[test]
    fn seed_retry_now_cuts_the_backoff() {
        let mut b = Dht::enrolled(0xb, 32, &cfg(), 0xa, Box::new(SplitMix64(2)), T0).unwrap();
        assert_eq!(b.drain().len(), 1);
        for _ in 0..20 {
            b.seed_unsent(T0);
        }
        assert_eq!(b.next_deadline(), Some(T0 + 1000));
        b.seed_retry_now(T0 + 10);
        assert_eq!(b.next_deadline(), Some(T0 + 10));
        b.tick(T0 + 10);
        assert_eq!(b.drain().len(), 1);
        // once sent (no retry pending), and when running, it does nothing
        let due = b.next_deadline();
        b.seed_retry_now(T0 + 11);
        assert_eq!(b.next_deadline(), due);
        b.tick(T0 + 11);
        let _ = b.drain();
        let due = b.next_deadline();
        b.seed_retry_now(T0 + 12);
        assert_eq!(b.next_deadline(), due);
        assert!(!b.is_seeding());
    }

    #[test]
    fn invalid_input_is_dropped() {
        let mut a = node(0xa, 1);
        let me = dht_msg::contact(a.id(), 0xa);
        let other = dht_msg::contact(&[3; 32], 0xc);
        let rsp =
            dht_msg::find_node_rsp(&other, 5, &[1; 32], vec![dht_msg::contact(&[4; 32], 0xd)]);
        for bad in [
            vec![],
            vec![0xff; 10],
            dht_msg::encode(&dht_msg::find_req(Code::FindNodeReq, &me, 1, &[1; 32])),
            dht_msg::encode(&dht_msg::store(
                &dht_msg::contact(&[3; 31], 0xc),
                &[1; 32],
                b"v",
                9,
            )),
            // a response to nothing
            dht_msg::encode(&rsp),
        ] {
            a.recv(T0, 0xc, &bad);
        }
        assert_eq!(a.stats().dropped, 5);
        assert!(a.table().is_empty());
        assert!(a.drain().is_empty());
        // an unknown code: the sender is learnt, nothing else happens
        let unknown = DhtMsg { code: 7, ..rsp };
        a.recv(T0, 0xc, &dht_msg::encode(&unknown));
        assert_eq!(a.table().len(), 1);
        assert!(a.drain().is_empty());
    }

    #[test]
    fn periodic_tasks() {
        let mut a = node(0xa, 1);
        let c = DhtConfig {
            t_expire: 100,
            t_refresh: 10,
            t_replicate: 10,
            ..cfg()
        };
        // intv = max(1, gcd(100, 50, 10, 10) / 2 / 5) = 1 s
        let mut b = Dht::enrolled(0xb, 32, &c, 0xa, Box::new(SplitMix64(2)), T0).unwrap();
        let seed = b.drain();
        let Output::Send { bytes, .. } = &seed[0] else {
            panic!()
        };
        a.recv(T0, 0xb, bytes);
        let rsp = sends(&mut a);
        b.recv(T0, 0xa, &dht_msg::encode(&rsp[0].1));
        b.tick(T0);
        // B has a contact now: the first task sends nothing
        assert!(b.drain().is_empty());
        // a STORE from A with a short life
        let key = [9u8; 32];
        let st = dht_msg::store(
            &dht_msg::contact(a.id(), 0xa),
            &key,
            b"v",
            (T0 / 1000 + 5) as u32,
        );
        b.recv(T0, 0xa, &dht_msg::encode(&st));
        // task 3 (replication) at +3 s re-sends it to A with its expiry
        b.tick(T0 + 3000);
        let r = sends(&mut b);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1.store.as_ref().unwrap().exp as u64, T0 / 1000 + 5);
        // task 1 at +6 s drops it (expired)
        b.tick(T0 + 6000);
        assert_eq!(b.store().counts(), (0, 0, 0));
        // refresh (task 4) after t_refresh: a FIND_NODE_REQ for the own id
        b.tick(T0 + 19_000);
        let r = sends(&mut b);
        assert!(r
            .iter()
            .any(|(_, m)| m.code == Code::FindNodeReq as u32
                && m.find.as_ref().unwrap().key == b.id()));
    }
}
