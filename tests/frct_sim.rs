//! FRCT on a simulated link: two endpoints, a virtual clock, and a seeded
//! link that loses, duplicates, reorders and delays packets in both
//! directions. No real time is involved; every run is deterministic.
//!
//! Run with `--nocapture` to see the statistics of each scenario.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use ouroboros::errno::Error;
use ouroboros::frct::{
    Config, Frct, Pci, RttEstimator, Stats, Transmit, DELT_A, DELT_R, PCI_LEN, RQ_SIZE, TICTIME,
};
use ouroboros::time::MonoTime;

const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;
/// Virtual clock start (any value works; not zero to look like uptime).
const T_START: u64 = 3_600 * S;
/// A run that has not finished after this much virtual time is stuck.
const T_LIMIT: u64 = 1_800 * S;

/// SplitMix64: small, seeded, good enough for fault injection.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
}

/// Faults of the link, the same in both directions.
#[derive(Clone, Copy, Debug)]
struct LinkCfg {
    loss: f64,
    dup: f64,
    /// Share of packets held back by up to `jitter` (they arrive after
    /// later ones); the others keep FIFO order.
    reorder: f64,
    delay: u64,
    jitter: u64,
}

impl LinkCfg {
    fn lossy(loss: f64) -> LinkCfg {
        LinkCfg {
            loss,
            dup: if loss > 0.0 { 0.02 } else { 0.0 },
            reorder: if loss > 0.0 { 0.05 } else { 0.0 },
            delay: 5 * MS,
            jitter: 15 * MS,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct LinkStats {
    sent: u64,
    lost: u64,
    duplicated: u64,
    reordered: u64,
    control: u64,
}

/// A packet in flight: (arrival, order, destination side, bytes).
type InFlight = Reverse<(u64, u64, usize, Vec<u8>)>;

struct Wire {
    cfg: LinkCfg,
    rng: Rng,
    heap: BinaryHeap<InFlight>,
    order: u64,
    /// Latest FIFO arrival per destination.
    last: [u64; 2],
    stats: LinkStats,
}

impl Wire {
    fn new(cfg: LinkCfg, seed: u64) -> Wire {
        Wire {
            cfg,
            rng: Rng(seed),
            heap: BinaryHeap::new(),
            order: 0,
            last: [0; 2],
            stats: LinkStats::default(),
        }
    }

    fn send(&mut self, now: u64, dst: usize, bytes: Vec<u8>) {
        self.stats.sent += 1;
        if bytes.len() == PCI_LEN {
            self.stats.control += 1;
        }
        if self.rng.chance(self.cfg.loss) {
            self.stats.lost += 1;
            return;
        }
        let copies = if self.rng.chance(self.cfg.dup) {
            self.stats.duplicated += 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            let base = now + self.cfg.delay;
            let at = if self.rng.chance(self.cfg.reorder) {
                self.stats.reordered += 1;
                base + 1 + self.rng.below(self.cfg.jitter)
            } else {
                let at = base.max(self.last[dst]);
                self.last[dst] = at;
                at
            };
            self.order += 1;
            self.heap
                .push(Reverse((at, self.order, dst, bytes.clone())));
        }
    }

    fn next_time(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((t, ..))| *t)
    }

    fn pop_due(&mut self, now: u64) -> Option<(usize, Vec<u8>)> {
        if self.next_time()? > now {
            return None;
        }
        self.heap.pop().map(|Reverse((_, _, dst, b))| (dst, b))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Writer {
    /// FLOWFWNOBLOCK: poll the window, retry at the next event.
    NonBlocking,
    /// Blocking writes with a send timeout (ns).
    Blocking(u64),
}

#[derive(Clone, Copy, Debug)]
struct Scenario {
    name: &'static str,
    rtx: bool,
    link: LinkCfg,
    /// Packets each side writes.
    count: [u64; 2],
    writer: Writer,
    /// A reader consumes one packet per this many ns (0: all at once).
    read_every: u64,
    seed: u64,
}

impl Scenario {
    fn one_way(name: &'static str, rtx: bool, loss: f64, n: u64, seed: u64) -> Scenario {
        Scenario {
            name,
            rtx,
            link: LinkCfg::lossy(loss),
            count: [n, 0],
            writer: Writer::NonBlocking,
            read_every: 0,
            seed,
        }
    }
}

/// The content of packet `i` written by side `side`: index, side, and a
/// length and pattern that depend on both.
fn payload(side: usize, i: u64) -> Vec<u8> {
    let mut p = i.to_be_bytes().to_vec();
    p.push(side as u8);
    let extra = (i % 41) as usize;
    p.extend((0..extra).map(|k| (i as usize * 31 + k * 7 + side) as u8));
    p
}

struct End {
    frct: Frct<Vec<u8>>,
    // writer
    total: u64,
    written: u64,
    deadline: Option<u64>,
    first_stall: Option<u64>,
    stalls: u64,
    closed: bool,
    // reader
    next_read: u64,
    delivered: u64,
    last_index: Option<u64>,
    stale: u64,
    // linger
    linger_neg: bool,
    linger_done: Option<u64>,
}

#[derive(Debug)]
struct Report {
    delivered: [u64; 2],
    /// FRCT counters of both sides, added.
    frct: Stats,
    /// The first writer's RTT estimate at the end.
    rtt: RttEstimator,
    vtime: u64,
    link: LinkStats,
    first_stall: Option<u64>,
    stalls: u64,
    max_outstanding: u64,
    linger_end: Option<u64>,
    linger_neg: bool,
}

struct Sim {
    sc: Scenario,
    now: u64,
    ends: [End; 2],
    wire: Wire,
    max_outstanding: u64,
}

impl Sim {
    fn new(sc: Scenario) -> Sim {
        let cfg = Config {
            mpl_ms: 100,
            a_secs: DELT_A,
            r_secs: DELT_R,
            rtx: sc.rtx,
        };
        let end = |side: usize| {
            let mut rng = Rng(sc.seed ^ (0x5eed + side as u64));
            End {
                frct: Frct::new(cfg, MonoTime(T_START), move || rng.next_u64() as u32),
                total: sc.count[side],
                written: 0,
                deadline: None,
                first_stall: None,
                stalls: 0,
                closed: false,
                next_read: T_START,
                delivered: 0,
                last_index: None,
                stale: 0,
                linger_neg: false,
                linger_done: None,
            }
        };
        Sim {
            sc,
            now: T_START,
            ends: [end(0), end(1)],
            wire: Wire::new(sc.link, sc.seed),
            max_outstanding: 0,
        }
    }

    fn t(&self) -> MonoTime {
        MonoTime(self.now)
    }

    /// Moves everything FRCT queued on side `s` onto the wire.
    fn flush(&mut self, s: usize) {
        while let Some(tx) = self.ends[s].frct.poll_transmit() {
            if let Transmit::Retransmit { packet, .. } = &tx {
                check_header(packet);
            }
            self.wire.send(self.now, 1 - s, tx.to_vec());
        }
    }

    fn write(&mut self, s: usize) {
        let now = self.t();
        loop {
            let e = &mut self.ends[s];
            if e.written == e.total {
                return;
            }
            let open = match self.sc.writer {
                Writer::NonBlocking => e.frct.poll_window(now),
                Writer::Blocking(timeo) => {
                    if !e.frct.must_wait() {
                        e.deadline = None;
                        true
                    } else {
                        match e.deadline {
                            None => {
                                e.frct.begin_wait(now);
                                e.deadline = Some(self.now + timeo);
                            }
                            Some(d) if self.now >= d => match e.frct.wait_timed_out(now) {
                                Error::TimedOut => e.deadline = None,
                                err => panic!("{}: blocking write failed: {err:?}", self.sc.name),
                            },
                            Some(_) => {}
                        }
                        false
                    }
                }
            };
            if !open {
                if !e.closed {
                    e.closed = true;
                    e.stalls += 1;
                    e.first_stall.get_or_insert(e.written);
                }
                self.flush(s);
                return;
            }
            e.closed = false;
            let data = payload(s, e.written);
            let sent = e.frct.send(now, &data);
            assert_eq!(sent.tracked, self.sc.rtx);
            e.written += 1;
            let mut bytes = sent.pci.to_bytes().to_vec();
            bytes.extend_from_slice(&data);
            self.wire.send(self.now, 1 - s, bytes);
            self.flush(s);
            // Flow control: never more than the receiver's window ahead of
            // what the peer application consumed.
            let out = self.ends[s].written - self.ends[1 - s].delivered;
            self.max_outstanding = self.max_outstanding.max(out);
            if self.sc.rtx && self.sc.writer == Writer::NonBlocking {
                assert!(
                    out <= u64::from(RQ_SIZE),
                    "{}: {out} packets beyond what the reader consumed\n{:?}\n{:?}",
                    self.sc.name,
                    self.ends[0].frct,
                    self.ends[1].frct
                );
            }
        }
    }

    fn read(&mut self, s: usize) {
        let name = self.sc.name;
        let rtx = self.sc.rtx;
        loop {
            let e = &mut self.ends[s];
            if self.sc.read_every > 0 && self.now < e.next_read {
                break;
            }
            let Some(pkt) = e.frct.next_ready(MonoTime(self.now)) else {
                break;
            };
            e.next_read = self.now + self.sc.read_every;
            let idx = u64::from_be_bytes(pkt[..8].try_into().unwrap());
            assert_eq!(pkt, payload(1 - s, idx), "{name}: corrupt packet {idx}");
            match e.last_index {
                _ if rtx => assert_eq!(idx, e.delivered, "{name}: delivered out of order"),
                Some(last) => assert!(idx > last, "{name}: {idx} after {last}"),
                None => {}
            }
            e.last_index = Some(idx);
            e.delivered += 1;
        }
        self.flush(s);
    }

    fn arrive(&mut self, s: usize, bytes: Vec<u8>) {
        let Some(pci) = Pci::parse(&bytes) else {
            return;
        };
        let r = self.ends[s]
            .frct
            .receive(self.t(), pci, bytes[PCI_LEN..].to_vec());
        self.ends[s].stale += r.stale.len() as u64;
        self.flush(s);
    }

    fn tick(&mut self) {
        for s in 0..2 {
            self.ends[s].frct.tick(self.t());
            assert!(
                !self.ends[s].frct.take_flow_down(),
                "{}: flow went down on side {s} at {}\n{:?}\n{:?}",
                self.sc.name,
                self.now - T_START,
                self.ends[0].frct,
                self.ends[1].frct
            );
            self.flush(s);
        }
    }

    /// The dev layer's dealloc linger loop, one round per tick once the
    /// writer has written everything.
    fn linger(&mut self, s: usize) {
        let e = &mut self.ends[s];
        if e.total == 0 || e.written < e.total || e.linger_done.is_some() {
            return;
        }
        let w = e.frct.dealloc(MonoTime(self.now));
        if w < 0 {
            e.linger_neg = true;
        } else {
            e.linger_done = Some(self.now);
        }
        self.flush(s);
    }

    fn done(&self) -> bool {
        if !self.sc.rtx {
            return self
                .ends
                .iter()
                .all(|e| e.written == e.total && !e.frct.has_ready())
                && self.wire.heap.is_empty();
        }
        (0..2).all(|s| {
            let e = &self.ends[s];
            e.written == e.total
                && self.ends[1 - s].delivered == e.total
                && (e.total == 0 || e.linger_done.is_some())
        })
    }

    fn run(mut self) -> Report {
        let mut next_tick = T_START + TICTIME;
        loop {
            while let Some((dst, bytes)) = self.wire.pop_due(self.now) {
                self.arrive(dst, bytes);
            }
            if self.now >= next_tick {
                self.tick();
                for s in 0..2 {
                    self.linger(s);
                }
                next_tick += TICTIME;
            }
            for s in 0..2 {
                self.read(s);
                self.write(s);
            }
            if self.done() {
                break;
            }
            assert!(
                self.now - T_START < T_LIMIT,
                "{}: stuck at {:?} / {:?}\n{:?}\n{:?}",
                self.sc.name,
                (self.ends[0].written, self.ends[1].delivered),
                (self.ends[1].written, self.ends[0].delivered),
                self.ends[0].frct,
                self.ends[1].frct
            );
            let mut next = next_tick;
            if let Some(t) = self.wire.next_time() {
                next = next.min(t);
            }
            for e in &self.ends {
                if self.sc.read_every > 0 && e.frct.has_ready() {
                    next = next.min(e.next_read.max(self.now + 1));
                }
                if let Some(d) = e.deadline {
                    next = next.min(d.max(self.now + 1));
                }
            }
            self.now = next;
        }
        for e in &self.ends {
            assert_eq!(e.stale, 0, "{}: stale packets", self.sc.name);
        }
        let (a, b) = (self.ends[0].frct.stats(), self.ends[1].frct.stats());
        Report {
            delivered: [self.ends[1].delivered, self.ends[0].delivered],
            rtt: self.ends[0].frct.rtt(),
            frct: Stats {
                rtx: a.rtx + b.rtx,
                probes: a.probes + b.probes,
                rtt_samples: a.rtt_samples + b.rtt_samples,
                duplicates: a.duplicates + b.duplicates,
                delayed_acks: a.delayed_acks + b.delayed_acks,
                rendezvous: a.rendezvous + b.rendezvous,
                out_of_window: a.out_of_window + b.out_of_window,
                out_of_rqueue: a.out_of_rqueue + b.out_of_rqueue,
            },
            vtime: self.now - T_START,
            link: self.wire.stats,
            first_stall: self.ends[0].first_stall,
            stalls: self.ends[0].stalls,
            max_outstanding: self.max_outstanding,
            linger_end: self.ends[0].linger_done.map(|t| t - T_START),
            linger_neg: self.ends[0].linger_neg,
        }
    }
}

impl Report {
    /// Prints the scenario's statistics in one piece (tests run in
    /// parallel).
    fn print(&self, title: &str, extra: &str) {
        let f = &self.frct;
        let rtt = self.rtt;
        println!(
            "{title}\n    rtx={} dup_rcvd={} rdv={} rtt_samples={} srtt={:.2}ms rto={:.2}ms \
             link: sent={} lost={} dup={} reordered={} control={} vtime={:.3}s{extra}",
            f.rtx,
            f.duplicates,
            f.rendezvous,
            f.rtt_samples,
            rtt.srtt as f64 / 1e6,
            rtt.rto as f64 / 1e6,
            self.link.sent,
            self.link.lost,
            self.link.duplicated,
            self.link.reordered,
            self.link.control,
            self.vtime as f64 / 1e9
        );
    }
}

/// Every retransmission is a well-formed data packet.
fn check_header(packet: &[u8]) {
    let pci = Pci::parse(packet).expect("retransmission shorter than a header");
    assert!(pci.has(ouroboros::frct::flags::DATA));
}

#[test]
fn rtx_delivers_everything_once_in_order() {
    let cases = [(0.0, 10_000), (0.01, 10_000), (0.10, 5_000), (0.30, 2_000)];
    for (i, (loss, n)) in cases.into_iter().enumerate() {
        let sc = Scenario::one_way("rtx", true, loss, n, 1000 + i as u64);
        let r = Sim::new(sc).run();
        r.print(
            &format!("qos_data, loss {:.0} %, {n} packets:", loss * 100.0),
            "",
        );
        assert_eq!(r.delivered[0], n);
        assert!(
            r.linger_neg,
            "the sender lingered while data was unacknowledged"
        );
        assert!(r.linger_end.is_some());
        if loss > 0.0 {
            assert!(r.link.lost > 0 && r.link.duplicated > 0 && r.link.reordered > 0);
        }
    }
}

#[test]
fn rtx_both_directions() {
    for (i, loss) in [0.0, 0.10].into_iter().enumerate() {
        let sc = Scenario {
            count: [3000, 2000],
            ..Scenario::one_way("rtx both ways", true, loss, 0, 2000 + i as u64)
        };
        let r = Sim::new(sc).run();
        let title = format!(
            "qos_data both ways, loss {:.0} %, 3000 + 2000 packets:",
            loss * 100.0
        );
        r.print(&title, "");
        assert_eq!(r.delivered, [3000, 2000]);
    }
}

#[test]
fn best_effort_in_order_without_duplicates() {
    for (i, loss) in [0.0, 0.01, 0.10].into_iter().enumerate() {
        let n = 5_000;
        let sc = Scenario::one_way("best effort", false, loss, n, 3000 + i as u64);
        let r = Sim::new(sc).run();
        let got = r.delivered[0];
        r.print(
            &format!("qos_best_effort, loss {:.0} %, {n} packets:", loss * 100.0),
            &format!("\n    delivered {got} of {n}"),
        );
        if loss == 0.0 {
            assert_eq!(got, n, "a perfect link loses nothing");
        } else {
            // Losses and late (reordered) packets are gone, the rest
            // arrives; the checks in `read` ensured order and uniqueness.
            assert!(got < n, "the link did lose packets");
            assert!(got as f64 > n as f64 * (1.0 - 2.0 * loss - 0.05), "{got}");
        }
        // Without acknowledgements only rendezvous (or the ACKs that
        // duplicates trigger) reopen the window.
        assert!(r.stalls > 0);
    }
}

#[test]
fn slow_receiver_stalls_the_sender_at_the_window() {
    for (rtx, loss) in [(true, 0.0), (true, 0.05), (false, 0.0)] {
        let sc = Scenario {
            read_every: 2 * MS,
            ..Scenario::one_way("slow reader", rtx, loss, 3000, 4000)
        };
        let r = Sim::new(sc).run();
        r.print(
            &format!(
                "slow reader (1 packet / 2 ms), {}, loss {:.0} %, 3000 packets:",
                if rtx { "qos_data" } else { "qos_best_effort" },
                loss * 100.0
            ),
            &format!(
                "\n    first stall after {:?} packets, {} stalls, at most {} packets ahead of the reader",
                r.first_stall, r.stalls, r.max_outstanding
            ),
        );
        assert_eq!(r.delivered[0], 3000);
        assert_eq!(r.first_stall, Some(64), "initial window");
        assert!(r.stalls > 5);
        // The reader's 256-packet window, not the initial 64, limits the
        // sender after the first update.
        assert!(
            r.max_outstanding > 200 && r.max_outstanding <= 256,
            "{}",
            r.max_outstanding
        );
        // 3000 packets at 2 ms each take at least 6 s.
        assert!(r.vtime >= 6 * S);
        if !rtx {
            // Nothing else reopens a best-effort window.
            assert!(r.frct.rendezvous > 0);
        } else if loss == 0.0 {
            // Packets waiting in the reader's queue are not resent while
            // its consumption ACKs keep coming (at most the oldest).
            assert!(r.frct.rtx < 30, "{} retransmissions", r.frct.rtx);
        }
    }
}

#[test]
fn blocking_writer_waits_for_window_updates() {
    for rtx in [true, false] {
        let sc = Scenario {
            read_every: 2 * MS,
            writer: Writer::Blocking(50 * MS),
            ..Scenario::one_way("blocking writer", rtx, 0.0, 2000, 5000)
        };
        let r = Sim::new(sc).run();
        r.print(
            &format!(
                "blocking writer (50 ms timeout), slow reader, {}, 2000 packets:",
                if rtx { "qos_data" } else { "qos_best_effort" }
            ),
            "",
        );
        assert_eq!(r.delivered[0], 2000);
        assert_eq!(r.first_stall, Some(64));
    }
}

#[test]
fn runs_are_deterministic() {
    let sc = Scenario::one_way("determinism", true, 0.10, 1000, 6000);
    let (a, b) = (Sim::new(sc).run(), Sim::new(sc).run());
    assert_eq!(
        (a.vtime, a.link.sent, a.link.lost),
        (b.vtime, b.link.sent, b.link.lost)
    );
    assert_eq!(a.frct, b.frct);
}
