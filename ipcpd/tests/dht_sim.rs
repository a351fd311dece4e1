//! The DHT directory (`ipcpd::unicast::dht`) in a simulated layer: nodes
//! joined through an in-memory network with a virtual clock (each message
//! takes 5 ms, some are lost), then the captured upstream exchanges
//! replayed against it.

use ipcpd::eth::frame::Framing;
use ipcpd::unicast::dht::{Answer, Dht, Output, QueryId, Random, SplitMix64};
use ipcpd::unicast::dht_msg::{self, Code, DhtMsg};
use ipcpd::unicast::dt_pci::Layout;
use ipcpd::unicast::eid;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::DhtConfig;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

mod pcap;

const HASH: HashAlgo = HashAlgo::Sha3_256;
/// Virtual time zero (ms since the epoch): 2024-01-01.
const T0: u64 = 1_704_067_200_000;
const LATENCY: u64 = 5;

fn name(i: usize) -> Vec<u8> {
    HASH.digest(format!("name-{i}").as_bytes())
}

/// A message in flight: (delivery time, sequence, destination node,
/// source address, bytes).
type InFlight = Reverse<(u64, u64, usize, u64, Vec<u8>)>;

struct Sim {
    now: u64,
    nodes: Vec<Dht>,
    by_addr: HashMap<u64, usize>,
    queue: BinaryHeap<InFlight>,
    seq: u64,
    rng: SplitMix64,
    /// Messages lost, per thousand.
    loss: u64,
    lost: u64,
    delivered: u64,
    answers: HashMap<(usize, QueryId), Answer>,
    cfg: DhtConfig,
}

impl Sim {
    fn new(seed: u64, loss: u64, cfg: DhtConfig) -> Sim {
        Sim {
            now: T0,
            nodes: Vec::new(),
            by_addr: HashMap::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            rng: SplitMix64(seed),
            loss,
            lost: 0,
            delivered: 0,
            answers: HashMap::new(),
            cfg,
        }
    }

    fn new_addr(&mut self) -> u64 {
        loop {
            let a = self.rng.next_u64() & 0xffff_ffff;
            if a != 0 && !self.by_addr.contains_key(&a) {
                return a;
            }
        }
    }

    /// A node: the first bootstraps, the others enroll through it.
    fn add_node(&mut self) -> usize {
        let addr = self.new_addr();
        let rng = Box::new(SplitMix64(self.rng.next_u64()));
        let d = match self.nodes.first() {
            None => Dht::bootstrap(addr, HASH.digest_len(), &self.cfg, rng, self.now),
            Some(first) => {
                let peer = first.enrollment_peer();
                Dht::enrolled(addr, HASH.digest_len(), &self.cfg, peer, rng, self.now)
            }
        }
        .unwrap();
        self.by_addr.insert(addr, self.nodes.len());
        self.nodes.push(d);
        self.flush();
        self.nodes.len() - 1
    }

    /// Moves every node's outputs into the network or the answer book.
    fn flush(&mut self) {
        for i in 0..self.nodes.len() {
            let from = self.nodes[i].addr();
            while let Some(o) = self.nodes[i].poll_output() {
                match o {
                    Output::Send { dst, bytes, .. } => {
                        let Some(&to) = self.by_addr.get(&dst) else {
                            panic!("node {i} sends to unknown address {dst:#x}");
                        };
                        if self.rng.next_u64() % 1000 < self.loss {
                            self.lost += 1;
                            continue;
                        }
                        self.seq += 1;
                        let at = self.now + LATENCY;
                        self.queue.push(Reverse((at, self.seq, to, from, bytes)));
                    }
                    Output::Answer(a) => {
                        assert!(self.answers.insert((i, a.id), a).is_none());
                    }
                }
            }
        }
    }

    /// Runs the network and the nodes' timers for `ms`.
    fn run(&mut self, ms: u64) {
        let end = self.now + ms;
        for _ in 0..10_000_000 {
            self.flush();
            let net = self.queue.peek().map(|Reverse(m)| m.0);
            let timers = self.nodes.iter().filter_map(|d| d.next_deadline()).min();
            let next = [net, timers].into_iter().flatten().min();
            let Some(next) = next.filter(|t| *t <= end) else {
                self.now = end;
                return;
            };
            self.now = self.now.max(next);
            while let Some(Reverse(m)) = self.queue.peek() {
                if m.0 > self.now {
                    break;
                }
                let Some(Reverse((_, _, to, from, bytes))) = self.queue.pop() else {
                    unreachable!()
                };
                self.delivered += 1;
                self.nodes[to].recv(self.now, from, &bytes);
                self.flush();
            }
            for d in &mut self.nodes {
                if d.next_deadline().is_some_and(|t| t <= self.now) {
                    d.tick(self.now);
                }
            }
        }
        panic!("the simulation does not settle");
    }

    fn query(&mut self, node: usize, key: &[u8]) -> QueryId {
        let q = self.nodes[node].query(self.now, key);
        self.flush();
        q
    }

    /// Queries `key` at every node but those in `except`, then waits for
    /// the answers: (node, address found) for each.
    fn query_all(&mut self, key: &[u8], except: &[usize]) -> Vec<(usize, Option<u64>)> {
        let qs: Vec<(usize, QueryId)> = (0..self.nodes.len())
            .filter(|i| !except.contains(i))
            .map(|i| (i, self.query(i, key)))
            .collect();
        self.run(3000);
        qs.into_iter()
            .map(|(i, q)| {
                let a = self
                    .answers
                    .remove(&(i, q))
                    .expect("every query is answered");
                (i, a.addr)
            })
            .collect()
    }
}

fn quick() -> DhtConfig {
    // tasks every 3 s (a cycle of 15 s), values live 300 s
    DhtConfig {
        t_expire: 300,
        t_refresh: 60,
        t_replicate: 30,
        ..DhtConfig::standard()
    }
}

/// A layer of `n` nodes (joined 100 ms apart) where `regs` names are
/// registered on nodes spread over it; then every other node looks each
/// name up (up to `tries` times, 20 s apart) and must find it.
fn layer(n: usize, seed: u64, loss: u64, cfg: DhtConfig, tries: usize) -> Sim {
    let mut s = Sim::new(seed, loss, cfg);
    for _ in 0..n {
        s.add_node();
        s.run(100);
    }
    s.run(1000);
    let regs: Vec<usize> = (0..n).step_by(n.div_ceil(5).max(1)).collect();
    for &r in &regs {
        s.nodes[r].reg(s.now, &name(r)).unwrap();
        s.flush();
    }
    s.run(1000);
    for &r in &regs {
        let want = s.nodes[r].addr();
        let mut left: Vec<usize> = (0..n).filter(|i| *i != r).collect();
        for t in 0..tries {
            let except: Vec<usize> = (0..n).filter(|i| !left.contains(i)).collect();
            let got = s.query_all(&name(r), &except);
            left = got
                .iter()
                .filter(|(_, a)| *a != Some(want))
                .map(|(i, _)| *i)
                .collect();
            if left.is_empty() {
                break;
            }
            println!("n={n} loss={loss}: name {r} not found at {left:?} (try {t})");
            s.run(20_000);
        }
        assert!(left.is_empty(), "n={n}: name {r} not found at {left:?}");
    }
    s
}

#[test]
fn two_nodes() {
    let s = layer(2, 1, 0, DhtConfig::standard(), 1);
    // the joining node's bootstrap request went twice, as upstream's
    assert!(s.nodes.iter().all(|d| d.table().len() == 1));
    assert_eq!(s.nodes[0].stats().dropped + s.nodes[1].stats().dropped, 0);
}

#[test]
fn three_nodes() {
    let s = layer(3, 2, 0, DhtConfig::standard(), 1);
    assert!(s.nodes.iter().all(|d| d.stats().dropped == 0));
}

#[test]
fn twenty_nodes() {
    for seed in 10..13 {
        let s = layer(20, seed, 0, DhtConfig::standard(), 1);
        assert!(s.nodes.iter().all(|d| d.stats().dropped == 0));
    }
}

#[test]
fn values_live_while_registered_and_expire_after() {
    let n = 12;
    let mut s = layer(n, 20, 0, quick(), 1);
    let r = 0;
    let want = s.nodes[r].addr();
    // republished before expiring: found long after t_expire
    s.run(700_000);
    let got = s.query_all(&name(r), &[r]);
    assert!(got.iter().all(|(_, a)| *a == Some(want)), "{got:?}");
    // unregistered: nothing is sent, the copies expire
    s.nodes[r].unreg(&name(r)).unwrap();
    s.flush();
    assert!(s.queue.is_empty());
    let got = s.query_all(&name(r), &[r]);
    assert!(got.iter().all(|(_, a)| *a == Some(want)), "{got:?}");
    s.run(400_000);
    let got = s.query_all(&name(r), &[]);
    assert!(got.iter().all(|(_, a)| a.is_none()), "{got:?}");
    for d in &s.nodes {
        assert!(d.store().entries().iter().all(|e| e.key != name(r)));
    }
    // the other names are still there
    let other = n.div_ceil(5);
    let want = s.nodes[other].addr();
    let got = s.query_all(&name(other), &[other]);
    assert!(got.iter().all(|(_, a)| *a == Some(want)), "{got:?}");
}

#[test]
fn ten_percent_loss_converges() {
    for seed in 30..33 {
        // a node whose join requests were all lost registers with no
        // one to tell: its contact check rejoins within a cycle (15 s),
        // its value goes out when republished (150 s before expiry)
        let s = layer(20, seed, 100, quick(), 12);
        assert!(s.lost > 0);
        // every node still joined the layer
        assert!(s.nodes.iter().all(|d| !d.table().is_empty()));
    }
}

#[test]
fn one_round_lookups_as_upstream() {
    // upstream's lookups never follow up: smaller layers still work
    let mut s = Sim::new(40, 0, DhtConfig::standard());
    for _ in 0..3 {
        s.add_node();
        s.nodes.last_mut().unwrap().set_follow_ups(false);
        s.run(100);
    }
    s.run(1000);
    s.nodes[2].reg(s.now, &name(2)).unwrap();
    s.flush();
    s.run(1000);
    let want = s.nodes[2].addr();
    let got = s.query_all(&name(2), &[2]);
    assert!(got.iter().all(|(_, a)| *a == Some(want)), "{got:?}");
}

#[test]
fn seed_waits_for_a_route() {
    let mut s = Sim::new(50, 0, DhtConfig::standard());
    s.add_node();
    let addr = s.new_addr();
    let peer = s.nodes[0].enrollment_peer();
    let mut b = Dht::enrolled(addr, 32, &s.cfg, peer, Box::new(SplitMix64(9)), s.now).unwrap();
    // no route for 100 ms: every bootstrap request fails to go out
    let start = s.now;
    let mut tries = 0;
    while s.now < start + 100 {
        for o in b.drain() {
            assert!(matches!(o, Output::Send { seed: true, .. }));
            tries += 1;
            b.seed_unsent(s.now);
        }
        s.now = b.next_deadline().unwrap();
        b.tick(s.now);
    }
    // at 0, 2, 6, 14, 30 and 62 ms (back-off 2, 4, ... 32 ms)
    assert_eq!(tries, 6);
    s.by_addr.insert(addr, 1);
    s.nodes.push(b);
    s.run(1000);
    assert_eq!(s.nodes[1].table().len(), 1);
    assert_eq!(s.nodes[0].table().len(), 1);
}

type Snapshot = (
    Vec<ipcpd::unicast::dht::bucket::Contact>,
    Vec<ipcpd::unicast::dht::store::Entry>,
    usize,
    u64,
);

fn snapshot(d: &Dht) -> Snapshot {
    (
        d.table().contacts().into_iter().cloned().collect(),
        d.store().entries().to_vec(),
        d.requests().len(),
        d.stats().sent,
    )
}

#[test]
fn garbage_changes_nothing() {
    let mut s = layer(3, 60, 0, DhtConfig::standard(), 1);
    // a pending lookup, so that responses have something to match
    s.query(1, &name(99));
    let valid: Vec<Vec<u8>> = {
        let src = dht_msg::contact(s.nodes[0].id(), s.nodes[0].addr());
        let key = name(0);
        vec![
            dht_msg::encode(&dht_msg::store(&src, &key, &[1; 8], u32::MAX)),
            dht_msg::encode(&dht_msg::find_req(Code::FindValueReq, &src, 3, &key)),
            dht_msg::encode(&dht_msg::find_value_rsp(
                &src,
                3,
                &key,
                vec![src.clone()],
                vec![vec![1; 8]],
            )),
        ]
    };
    let d = &mut s.nodes[1];
    let before = snapshot(d);
    let dropped = d.stats().dropped;
    let mut rng = SplitMix64(61);
    let mut n = 0;
    for i in 0..3000 {
        let len = (rng.next_u64() % 200) as usize;
        let mut b = vec![0u8; len];
        rng.fill(&mut b);
        let v = &valid[i % valid.len()];
        let input = match i % 4 {
            0 => b,
            // truncated valid messages
            1 => v[..(rng.next_u64() as usize % v.len())].to_vec(),
            // a valid prefix then junk
            2 => [&v[..v.len() / 2], &b[..]].concat(),
            // the valid message with a wrong-length src id
            _ => {
                let mut m = dht_msg::decode(v).unwrap();
                m.src.id.truncate(len % 32);
                dht_msg::encode(&m)
            }
        };
        d.recv(s.now, 0, &input);
        n += 1;
    }
    assert_eq!(d.stats().dropped - dropped, n);
    assert!(d.drain().is_empty());
    assert_eq!(snapshot(d), before);
}

/// Bytes given out in order, then a seeded generator.
struct Scripted(Vec<u8>, SplitMix64);

impl Random for Scripted {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf.iter_mut() {
            *b = if self.0.is_empty() {
                self.1.next_u64() as u8
            } else {
                self.0.remove(0)
            };
        }
    }
}

/// A node with the captured node's address, id and magic cookie.
fn captured_node(addr: u64, id: &[u8], cookies: &[u64], peer: u64, now: u64) -> Dht {
    let mut script = cookies[0].to_ne_bytes().to_vec();
    script.extend_from_slice(id);
    for c in &cookies[1..] {
        script.extend_from_slice(&c.to_ne_bytes());
    }
    let rng = Box::new(Scripted(script, SplitMix64(1)));
    let d = Dht::enrolled(addr, id.len(), &DhtConfig::standard(), peer, rng, now).unwrap();
    assert_eq!(d.id(), id);
    d
}

/// The DHT messages of a capture: frame number -> message bytes.
fn dht_frames(file: &str, sdu: impl Fn(&[u8]) -> Option<Vec<u8>>) -> HashMap<usize, Vec<u8>> {
    let l = Layout::default();
    let mut out = HashMap::new();
    for (no, f) in pcap::frames(file) {
        let Some(sdu) = sdu(&f) else { continue };
        let Ok((pci, p)) = l.decode(&sdu) else {
            continue;
        };
        if pci.eid == eid::DHT && dht_msg::decode(p).is_ok() {
            out.insert(no, p.to_vec());
        }
    }
    out
}

fn one_send(d: &mut Dht) -> (u64, Vec<u8>) {
    let out = d.drain();
    let [Output::Send { dst, bytes, .. }] = &out[..] else {
        panic!("{out:?}");
    };
    (*dst, bytes.clone())
}

fn msg(b: &[u8]) -> DhtMsg {
    dht_msg::decode(b).unwrap()
}

#[test]
fn udp4_capture_exchange() {
    // frames 20-24: B's two FIND_NODE_REQs, A's two responses, A's STORE
    let f = dht_frames("udp4.pcap", |f| {
        pcap::udp_payload(f)
            .filter(|p| p.len() > 4 && p[..4] != [0; 4])
            .map(|p| p[4..].to_vec())
    });
    let (req, rsp, store) = (msg(&f[&20]), msg(&f[&22]), msg(&f[&24]));
    let (a_addr, b_addr) = (rsp.src.addr, req.src.addr);
    assert_eq!((a_addr, b_addr), (0xe8d3_d021, 0x53d7_44da));
    let exp = store.store.as_ref().unwrap().exp;
    let now = (u64::from(exp) - 86400) * 1000;
    let magic = req.find.as_ref().unwrap().cookie;

    // our B sends what upstream's B sent, twice
    let mut b = captured_node(b_addr, &req.src.id, &[magic], a_addr, now);
    assert_eq!(one_send(&mut b), (a_addr, f[&20].clone()));
    b.tick(now);
    assert_eq!(one_send(&mut b), (a_addr, f[&21].clone()));

    // our A answers upstream's B as upstream's A did, byte for byte
    let mut a = captured_node(a_addr, &rsp.src.id, &[1], 0, now);
    a.tick(now);
    a.recv(now, b_addr, &f[&20]);
    assert_eq!(one_send(&mut a), (b_addr, f[&22].clone()));
    a.recv(now, b_addr, &f[&21]);
    assert_eq!(one_send(&mut a), (b_addr, f[&23].clone()));
    // and registers oping.a with the same STORE
    a.reg(now, &HASH.digest(b"oping.a")).unwrap();
    assert_eq!(one_send(&mut a), (b_addr, f[&24].clone()));

    // our B takes upstream's A's messages
    b.recv(now, a_addr, &f[&22]);
    b.recv(now, a_addr, &f[&23]);
    b.recv(now, a_addr, &f[&24]);
    assert_eq!(b.stats().dropped, 0);
    assert!(b.drain().is_empty());
    assert_eq!(b.table().len(), 1);
    assert_eq!(b.store().counts(), (1, 1, 0));
    b.query(now, &HASH.digest(b"oping.a"));
    let out = b.drain();
    let [Output::Answer(ans)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(ans.addr, Some(a_addr));
}

#[test]
fn eth_llc_capture_lookup() {
    // frames 22-27: B joins A, then looks oping.a up (FIND_VALUE)
    let f = dht_frames("eth_llc.pcap", |f| {
        Framing::Llc.decode(f).ok().map(|fr| fr.payload.to_vec())
    });
    let (req, q, ans) = (msg(&f[&22]), msg(&f[&26]), msg(&f[&27]));
    let (a_addr, b_addr) = (ans.src.addr, req.src.addr);
    let now = T0;
    let magic = req.find.as_ref().unwrap().cookie;
    let cookie = q.find.as_ref().unwrap().cookie;

    let mut a = captured_node(a_addr, &ans.src.id, &[1], 0, now);
    a.tick(now);
    // A registered before B came: no one to tell
    a.reg(now, &HASH.digest(b"oping.a")).unwrap();
    assert!(a.drain().is_empty());
    let mut b = captured_node(b_addr, &req.src.id, &[magic, cookie], a_addr, now);
    assert_eq!(one_send(&mut b), (a_addr, f[&22].clone()));
    b.tick(now);
    assert_eq!(one_send(&mut b), (a_addr, f[&23].clone()));
    for no in [22, 23] {
        a.recv(now, b_addr, &f[&no]);
        let (dst, bytes) = one_send(&mut a);
        assert_eq!((dst, &bytes), (b_addr, &f[&(no + 2)]));
        b.recv(now, a_addr, &bytes);
    }
    // B's lookup: one FIND_VALUE_REQ, as captured
    let id = b.query(now, &HASH.digest(b"oping.a"));
    assert_eq!(one_send(&mut b), (a_addr, f[&26].clone()));
    // A's answer: the contacts and A's own value, as captured
    a.recv(now, b_addr, &f[&26]);
    let (dst, bytes) = one_send(&mut a);
    assert_eq!((dst, &bytes), (b_addr, &f[&27]));
    let m = msg(&bytes);
    assert_eq!(m.code, Code::FindValueRsp as u32);
    b.recv(now + 3, a_addr, &f[&27]);
    let out = b.drain();
    let [Output::Answer(got)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!((got.id, got.addr), (id, Some(a_addr)));
}
