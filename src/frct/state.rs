//! The FRCT instance of one flow endpoint: its state, its outputs, and the
//! calls that are neither sending, receiving nor timers (creation, flags,
//! dealloc).

use std::collections::VecDeque;
use std::fmt;

use super::pci::{self, Pci};
use super::record::{rcv_inactivity, secs, snd_inactivity, Record};
use super::rtt::RttEstimator;
use super::seq::before;
use super::unacked::Unacked;
use super::wheel::{AckWheel, RxmWheel};
use super::{BILLION, DELT_A, DELT_R, DELT_RDV, FRCTFLINGER, FRCTFRESCNTL, FRCTFRTX};
use super::{RQ_SIZE, START_WINDOW};
use crate::qos::QosSpec;
use crate::time::MonoTime;

/// Where new initial sequence numbers come from (random in production,
/// seeded in simulations). Any `FnMut() -> u32 + Send` is one.
pub trait SeqnoSource: Send {
    fn next_seqno(&mut self) -> u32;
}

impl<F: FnMut() -> u32 + Send> SeqnoSource for F {
    fn next_seqno(&mut self) -> u32 {
        self()
    }
}

/// Creation parameters of an FRCT instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Maximum packet lifetime of the layer, ms (`flow_info.mpl`).
    pub mpl_ms: u64,
    /// Delta-t A, seconds.
    pub a_secs: u64,
    /// Delta-t R, seconds.
    pub r_secs: u64,
    /// Retransmission (and linger) on: the flow's `qs.loss` is 0.
    pub rtx: bool,
}

impl Config {
    /// What `flow_init` uses: A = 10 s, R = 120 s, RTX iff `qs.loss == 0`.
    pub fn for_flow(qs: &QosSpec, mpl_ms: u64) -> Config {
        Config {
            mpl_ms,
            a_secs: DELT_A,
            r_secs: DELT_R,
            rtx: qs.loss == 0,
        }
    }
}

/// The result of [`Frct::send`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The header to prepend to the payload.
    pub pci: Pci,
    /// FRCT kept a copy (header + payload) and runs a retransmission
    /// timer for it (false without RTX, or while the RTO does not fit
    /// in the timer wheel).
    pub tracked: bool,
}

/// The result of [`Frct::receive`].
#[derive(Debug)]
#[must_use]
pub struct Received<P> {
    /// The packet when FRCT did not queue it (control packet, duplicate,
    /// out of window, ...): the caller frees it.
    pub dropped: Option<P>,
    /// Packets of an earlier data run still queued when a new run began;
    /// the caller frees them (empty, without allocation, nearly always).
    pub stale: Vec<P>,
    /// The packet carried a window update while the window was marked
    /// closed: wake blocked writers.
    pub window_update: bool,
}

impl<P> Received<P> {
    /// The packet went into the reorder queue.
    pub fn queued(&self) -> bool {
        self.dropped.is_none()
    }
}

/// A packet FRCT wants sent on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transmit {
    /// A 12-byte control packet (ACK|FC, FC reply to a rendezvous,
    /// rendezvous, final ACK). Sent as a 12-byte packet, encrypted like
    /// data, never with a CRC.
    Control(Pci),
    /// Another copy of a data packet: header and payload as first sent,
    /// with the ackno field rewritten. Encrypted like data, no CRC.
    Retransmit { seqno: u32, packet: Vec<u8> },
}

impl Transmit {
    /// The bytes to send (before encryption).
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            Transmit::Control(pci) => pci.to_bytes().to_vec(),
            Transmit::Retransmit { packet, .. } => packet.clone(),
        }
    }
}

/// Counters (upstream's per-flow RIB statistics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets retransmitted.
    pub rtx: u64,
    /// RTT probes started.
    pub probes: u64,
    /// RTT samples taken.
    pub rtt_samples: u64,
    /// Duplicate data packets received.
    pub duplicates: u64,
    /// RTT samples from ACKs without data (delayed ACKs).
    pub delayed_acks: u64,
    /// Rendezvous sent.
    pub rendezvous: u64,
    /// Data packets beyond the receive window.
    pub out_of_window: u64,
    /// Data packets beyond the reorder queue.
    pub out_of_rqueue: u64,
}

/// A view of the state for the per-flow RIB file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub mpl_ns: i64,
    pub a_ns: i64,
    pub r_ns: i64,
    pub rtt: RttEstimator,
    pub snd_lwe: u32,
    pub snd_rwe: u32,
    pub snd_inactive_ns: i64,
    pub snd_seqno: u32,
    pub rcv_lwe: u32,
    pub rcv_rwe: u32,
    pub rcv_inactive_ns: i64,
    pub rcv_seqno: u32,
    pub stats: Stats,
}

/// A retransmission timer: packet `seqno` is due at `due` (stale when the
/// packet's due time changed since).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RxmTimer {
    pub seqno: u32,
    pub due: u64,
}

/// The FRCT state of one flow endpoint, keeping received packets of type
/// `P` in its reorder queue.
pub struct Frct<P> {
    pub(super) mpl: i64,
    pub(super) a: i64,
    pub(super) r: i64,
    pub(super) rdv: u64,

    pub(super) rtt: RttEstimator,
    /// Seqno of the last RTT probe, its send time, and whether it still
    /// runs.
    pub(super) rttseq: u32,
    pub(super) t_probe: u64,
    pub(super) probe: bool,
    /// The probe waited behind a retransmission: it gives no sample, and
    /// its timeouts no backoff.
    pub(super) rtt_tainted: bool,
    /// When an ACK last moved the sender's left window edge.
    pub(super) t_progress: u64,

    pub(super) snd: Record,
    pub(super) rcv: Record,
    /// The receive direction has a data run (its lwe/rwe mean something).
    /// Upstream lets any packet, an ACK too, make the direction active,
    /// after which a peer's first data run is never accepted.
    pub(super) rcv_run: bool,

    pub(super) rq: Vec<Option<P>>,
    pub(super) rq_len: usize,

    /// The window was last seen open (cleared when a writer finds it
    /// closed, set again by a window update).
    pub(super) open: bool,
    pub(super) t_wnd: u64,
    pub(super) t_rdvs: u64,

    pub(super) unacked: Unacked,
    pub(super) rxm: RxmWheel<RxmTimer>,
    pub(super) acks: AckWheel,

    pub(super) outbox: VecDeque<Transmit>,
    pub(super) flow_down: bool,
    pub(super) rng: Box<dyn SeqnoSource>,
    pub(super) stats: Stats,
}

impl<P> fmt::Debug for Frct<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frct")
            .field("snd", &self.snd)
            .field("rcv", &self.rcv)
            .field("rtt", &self.rtt)
            .field("queued", &self.rq_len)
            .field("unacked", &self.unacked.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<P> Frct<P> {
    /// A fresh instance at `now`: both directions inactive, sender window
    /// 64, RTO 1 s.
    pub fn new(cfg: Config, now: MonoTime, rng: impl SeqnoSource + 'static) -> Self {
        let n = now.nanos() as i64;
        let mut snd = Record::new(n, snd_inactivity(cfg.mpl_ms, cfg.a_secs, cfg.r_secs));
        let mut rcv = Record::new(n, rcv_inactivity(cfg.mpl_ms, cfg.a_secs, cfg.r_secs));
        if cfg.rtx {
            snd.cflags |= FRCTFRTX | FRCTFLINGER;
            rcv.cflags |= FRCTFRTX;
        }
        snd.cflags |= FRCTFRESCNTL;
        snd.rwe = START_WINDOW;
        Frct {
            mpl: cfg.mpl_ms as i64 * 1_000_000,
            a: cfg.a_secs as i64 * BILLION,
            r: cfg.r_secs as i64 * BILLION,
            rdv: DELT_RDV,
            rtt: RttEstimator::default(),
            rttseq: 0,
            t_probe: 0,
            probe: false,
            rtt_tainted: false,
            t_progress: 0,
            snd,
            rcv,
            rcv_run: false,
            rq: (0..RQ_SIZE).map(|_| None).collect(),
            rq_len: 0,
            open: true,
            t_wnd: 0,
            t_rdvs: 0,
            unacked: Unacked::default(),
            rxm: RxmWheel::new(now.nanos()),
            acks: AckWheel::new(now.nanos()),
            outbox: VecDeque::new(),
            flow_down: false,
            rng: Box::new(rng),
            stats: Stats::default(),
        }
    }

    /// The next packet FRCT wants sent (control or retransmission).
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.outbox.pop_front()
    }

    /// A retransmission found the flow dead (R expired, or the timeout
    /// grew out of the wheel): the caller sets both ring ACLs to
    /// FLOWDOWN. Reports each detection once.
    pub fn take_flow_down(&mut self) -> bool {
        std::mem::take(&mut self.flow_down)
    }

    /// Sender flags (`FRCTGFLAGS`).
    pub fn flags(&self) -> u16 {
        self.snd.cflags
    }

    /// `FRCTSFLAGS`, as upstream: keeps only the RTX bit of the current
    /// flags whatever `flags` says (RESCNTL and LINGER end up cleared).
    pub fn set_flags(&mut self, flags: u16) {
        let flags = flags | FRCTFRTX;
        self.snd.cflags &= FRCTFRTX;
        self.snd.cflags &= flags;
    }

    /// The value `flow_dealloc` sends to the IRMd: the whole seconds until
    /// both directions are inactive, negated while the sender lingers
    /// with unacknowledged data (keep reading, ask again). Queues a final
    /// ACK (ACK only, window 0) when the last ACK sent is not current.
    pub fn dealloc(&mut self, now: MonoTime) -> i64 {
        let now_s = secs(now.nanos() as i64);
        if self.rcv.lwe != self.rcv.seqno {
            self.queue_control(pci::ACK, self.rcv.lwe, 0);
        }
        let wait = (self.rcv.inact - now_s + secs(self.rcv.act))
            .max(self.snd.inact - now_s + secs(self.snd.act))
            .max(0);
        if self.snd.cflags & FRCTFLINGER != 0 && before(self.snd.lwe, self.snd.seqno) {
            -wait
        } else {
            wait
        }
    }

    /// Empties the reorder queue (teardown): the caller frees what it
    /// yields.
    pub fn drain_queue(&mut self) -> impl Iterator<Item = P> + '_ {
        self.rq_len = 0;
        self.rq.iter_mut().filter_map(Option::take)
    }

    /// Packets sent and not yet acknowledged (kept for retransmission).
    pub fn unacked(&self) -> usize {
        self.unacked.len()
    }

    /// Packets in the reorder queue.
    pub fn queued(&self) -> usize {
        self.rq_len
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn rtt(&self) -> RttEstimator {
        self.rtt
    }

    pub fn snapshot(&self, now: MonoTime) -> Snapshot {
        let n = now.nanos() as i64;
        Snapshot {
            mpl_ns: self.mpl,
            a_ns: self.a,
            r_ns: self.r,
            rtt: self.rtt,
            snd_lwe: self.snd.lwe,
            snd_rwe: self.snd.rwe,
            snd_inactive_ns: self.snd.idle_ns(n),
            snd_seqno: self.snd.seqno,
            rcv_lwe: self.rcv.lwe,
            rcv_rwe: self.rcv.rwe,
            rcv_inactive_ns: self.rcv.idle_ns(n),
            rcv_seqno: self.rcv.seqno,
            stats: self.stats,
        }
    }

    /// Queues a 12-byte control packet (seqno 0).
    pub(super) fn queue_control(&mut self, flags: u8, ackno: u32, window: u32) {
        self.outbox.push_back(Transmit::Control(Pci {
            flags,
            window: window & pci::WINDOW_MASK,
            seqno: 0,
            ackno,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frct::flags::ACK;

    const S: u64 = 1_000_000_000;

    fn frct(rtx: bool, now: u64) -> Frct<u32> {
        let cfg = Config {
            mpl_ms: 100,
            a_secs: DELT_A,
            r_secs: DELT_R,
            rtx,
        };
        Frct::new(cfg, MonoTime(now), || 1000u32)
    }

    #[test]
    fn config_from_qos() {
        assert!(Config::for_flow(&QosSpec::DATA, 100).rtx);
        assert!(!Config::for_flow(&QosSpec::BEST_EFFORT, 100).rtx);
        assert_eq!(Config::for_flow(&QosSpec::VOICE, 5000).mpl_ms, 5000);
    }

    #[test]
    fn initial_flags_and_fccntl() {
        let mut f = frct(true, 0);
        assert_eq!(f.flags(), 7, "observed 7 on a qos_data flow");
        f.set_flags(7);
        assert_eq!(f.flags(), FRCTFRTX);
        let mut f = frct(false, 0);
        assert_eq!(f.flags(), FRCTFRESCNTL);
        f.set_flags(FRCTFRESCNTL);
        assert_eq!(f.flags(), 0);
        assert!(f.is_window_open(), "no flow control: always open");
    }

    #[test]
    fn linger_value_idle_flow() {
        // Nothing happened: both directions inactive since creation.
        let mut f = frct(true, 500 * S);
        assert_eq!(f.dealloc(MonoTime(500 * S)), 0);
        assert!(f.poll_transmit().is_none());
    }

    #[test]
    fn linger_value_after_traffic() {
        let t = 1000 * S;
        let mut f = frct(true, t);
        f.send(MonoTime(t), b"x");
        // Unacknowledged data: negative, 131 s of sender inactivity left
        // (whole seconds of the clock, as upstream).
        assert_eq!(f.dealloc(MonoTime(t + S / 2)), -131);
        assert_eq!(f.dealloc(MonoTime(t + 3 * S + 1)), -128);
        // Acknowledged: positive.
        f.snd.lwe = f.snd.seqno;
        assert_eq!(f.dealloc(MonoTime(t + 3 * S + 1)), 128);
        assert_eq!(f.dealloc(MonoTime(t + 200 * S)), 0);
        assert!(
            f.poll_transmit().is_none(),
            "no final ACK without receiving"
        );
        // Receive direction more recent than the sender's.
        f.rcv.act = (t + 10 * S) as i64;
        f.rcv.lwe = 5;
        assert_eq!(f.dealloc(MonoTime(t + 12 * S)), 129);
        assert_eq!(
            f.poll_transmit(),
            Some(Transmit::Control(Pci {
                flags: ACK,
                window: 0,
                seqno: 0,
                ackno: 5
            }))
        );
    }

    #[test]
    fn linger_needs_the_flag() {
        let t = 1000 * S;
        let mut f = frct(false, t);
        f.send(MonoTime(t), b"x");
        f.snd.lwe = f.snd.seqno.wrapping_sub(1);
        assert_eq!(f.dealloc(MonoTime(t)), 131);
    }
}
