//! Timer processing: retransmissions and delayed ACKs.

use super::pci::set_ackno;
use super::seq::before;
use super::state::{Frct, RxmTimer, Transmit};
use crate::time::MonoTime;

impl<P> Frct<P> {
    /// Advances both timer wheels to `now` (every [`super::TICTIME`]):
    /// retransmits what is due and unacknowledged, and sends the delayed
    /// ACKs that are due. Results go to [`Frct::poll_transmit`] and
    /// [`Frct::take_flow_down`].
    pub fn tick(&mut self, now: MonoTime) {
        let n = now.nanos();
        for t in self.rxm.expire(n) {
            self.expire(n, t);
        }
        for _ in 0..self.acks.expire(n) {
            self.try_ack(n as i64);
        }
    }

    /// Starts a timer of one RTO for unacknowledged packet `seqno` (in
    /// front of its wheel slot for a retransmission, as upstream). False
    /// when the RTO does not fit in the wheel: the packet then has no
    /// timer.
    pub(super) fn arm(&mut self, n: u64, seqno: u32, front: bool) -> bool {
        self.arm_in(n, seqno, self.rtt.rto as u64, front)
    }

    fn arm_in(&mut self, n: u64, seqno: u32, delay: u64, front: bool) -> bool {
        let due = n + delay;
        let ok = self
            .rxm
            .insert(n, delay, RxmTimer { seqno, due }, front)
            .is_ok();
        if let Some(p) = self.unacked.get_mut(seqno) {
            p.due = ok.then_some(due);
        }
        ok
    }

    /// The window moved: the new oldest packet must not wait longer than
    /// one RTO from now (its timer may date from a backed-off RTO, and
    /// everything after it waits for it).
    pub(super) fn rearm_head(&mut self, n: u64) {
        let rto = self.rtt.rto as u64;
        if let Some(seqno) = self.unacked.rearm_head(n + rto) {
            self.arm(n, seqno, false);
        }
    }

    fn expire(&mut self, n: u64, t: RxmTimer) {
        let rcv_lwe = self.rcv.lwe;
        let Some(p) = self.unacked.get_mut(t.seqno) else {
            return; // acknowledged
        };
        if p.due != Some(t.due) {
            return; // re-armed since
        }
        if n.saturating_sub(p.t0) as i64 > self.r {
            p.due = None;
            self.flow_down = true; // R expired: the peer is gone
            return;
        }
        // ACKs moved the window within the last RTO: the peer is taking
        // packets in, and this one (not the oldest) may just wait behind
        // them in its queue.
        let quiet = self.t_progress.saturating_add(self.rtt.rto as u64);
        if n < quiet && t.seqno != self.snd.lwe {
            self.arm_in(n, t.seqno, quiet - n, true);
            return;
        }
        set_ackno(&mut p.packet, rcv_lwe);
        let packet = p.packet.clone();

        if t.seqno == self.rttseq && !self.rtt_tainted {
            // The probe timed out (again): back off until the next sample.
            self.rtt.backoff();
            self.probe = false;
        } else if self.probe && before(t.seqno, self.rttseq) {
            // Karn, extended to head-of-line blocking: the probe's ACK may
            // wait for this copy, so neither its sample nor its timeout
            // says anything about the path (upstream uses both, and its
            // RTO then feeds on itself under loss until the flow goes
            // down).
            self.probe = false;
            self.rtt_tainted = true;
        }
        if !self.arm(n, t.seqno, true) {
            self.flow_down = true; // the timeout no longer fits
            return;
        }
        self.stats.rtx += 1;
        self.outbox.push_back(Transmit::Retransmit {
            seqno: t.seqno,
            packet,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::pci::{self, Pci};
    use super::super::state::Config;
    use super::super::{DELT_A, DELT_R};
    use super::*;

    const MS: u64 = 1_000_000;
    const S: u64 = 1_000_000_000;
    const T0: u64 = 1000 * S;
    const ISN: u32 = 0x100;

    fn frct() -> Frct<()> {
        let cfg = Config {
            mpl_ms: 100,
            a_secs: DELT_A,
            r_secs: DELT_R,
            rtx: true,
        };
        Frct::new(cfg, MonoTime(T0), || ISN)
    }

    fn at(ms: u64) -> MonoTime {
        MonoTime(T0 + ms * MS)
    }

    fn drain(f: &mut Frct<()>) -> Vec<Transmit> {
        std::iter::from_fn(|| f.poll_transmit()).collect()
    }

    fn ack(ackno: u32) -> Pci {
        Pci {
            flags: pci::ACK,
            ackno,
            ..Pci::default()
        }
    }

    /// Ticks every 5 ms from `from` to `to` (ms) and returns the times
    /// (ms) and seqnos of the retransmissions.
    fn run(f: &mut Frct<()>, from: u64, to: u64) -> Vec<(u64, u32)> {
        let mut out = Vec::new();
        for t in (from..to).step_by(5) {
            f.tick(at(t));
            for tx in drain(f) {
                let Transmit::Retransmit { seqno, .. } = tx else {
                    panic!("unexpected {tx:?}")
                };
                out.push((t, seqno));
            }
        }
        out
    }

    #[test]
    fn lost_packet_backs_off() {
        let mut f = frct();
        let sent = f.send(at(0), b"hello");
        f.tick(at(1000));
        let tx = drain(&mut f);
        let [Transmit::Retransmit { seqno, packet }] = &tx[..] else {
            panic!("{tx:?}")
        };
        assert_eq!(*seqno, ISN);
        assert_eq!(&packet[12..], b"hello");
        assert_eq!(Pci::parse(packet).unwrap(), sent.pci);
        // RTO 1 s (level 1, 16.8 ms slots), then doubling: the packet is
        // the RTT probe.
        let times: Vec<u64> = run(&mut f, 1005, 20_000).iter().map(|r| r.0).collect();
        assert_eq!(times.len(), 3, "{times:?}");
        assert!((2980..=3020).contains(&times[0]), "{times:?}");
        assert!((6960..=7030).contains(&times[1]), "{times:?}");
        assert!((14_940..=15_040).contains(&times[2]), "{times:?}");
        assert_eq!(f.stats().rtx, 4);
        assert!(!f.take_flow_down());
    }

    #[test]
    fn ack_stops_retransmission_and_ackno_is_rewritten() {
        let mut f = frct();
        f.send(at(0), b"a");
        f.send(at(0), b"b");
        assert_eq!(f.unacked(), 2);
        // Receive direction active with lwe 77.
        f.rcv.act = at(0).nanos() as i64;
        f.rcv.lwe = 77;
        f.tick(at(1100));
        let tx = drain(&mut f);
        assert_eq!(tx.len(), 2);
        for t in &tx {
            let Transmit::Retransmit { packet, .. } = t else {
                panic!()
            };
            let p = Pci::parse(packet).unwrap();
            assert_eq!(p.ackno, 77);
            assert_eq!(p.flags & pci::ACK, 0, "flags unchanged");
        }
        let _ = f.receive(at(1200), ack(ISN + 2), ());
        // (It also makes us acknowledge our own receive direction.)
        assert!(matches!(drain(&mut f)[..], [Transmit::Control(p)] if p.ackno == 77));
        assert_eq!(f.unacked(), 0);
        assert!(run(&mut f, 1200, 6000).is_empty());
    }

    #[test]
    fn flow_down_after_r() {
        let mut f = frct();
        f.send(at(0), b"a");
        let mut down_at = None;
        let mut t = 0;
        while t < 200_000 && down_at.is_none() {
            f.tick(at(t));
            drain(&mut f);
            if f.take_flow_down() {
                down_at = Some(t);
            }
            t += 5;
        }
        // Backoff: 1, 2, 4, 8, 16, 32 s (63 s), the next 64 s still fits
        // the wheel, then R (120 s) has expired.
        let t = down_at.expect("flow down");
        assert!((120_000..=128_000).contains(&t), "{t}");
        assert!(!f.take_flow_down(), "reported once");
    }

    #[test]
    fn out_of_range_timeout_goes_down() {
        let mut f = frct();
        f.rtt.rto = 40 * S as i64;
        f.send(at(0), b"a");
        // Fires after about 40 s, backoff to 80 s > 68.7 s: down.
        let mut t = 0;
        while !f.take_flow_down() {
            f.tick(at(t));
            t += 5;
            assert!(t < 60_000);
        }
        assert!(drain(&mut f).is_empty());
        // Sends with such an RTO get no timer.
        assert!(!f.send(at(t), b"b").tracked);
    }

    #[test]
    fn progress_postpones_timers() {
        let mut f = frct();
        for _ in 0..3 {
            f.send(at(0), b"x");
        }
        // The first is acknowledged after 900 ms: sample 900 ms, RTO
        // 900 + 4 * 450 = 2.7 s. The oldest keeps its timer (1 s after
        // sending); the third may just wait in the peer's queue: not
        // before 2.7 s without progress.
        let _ = f.receive(at(900), ack(ISN + 1), ());
        assert_eq!(f.rtt().rto, 2_700_000_000);
        let r = run(&mut f, 900, 4000);
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!(r[0].1, ISN + 1);
        assert!((980..1020).contains(&r[0].0), "{r:?}");
        assert_eq!(r[1], (3600, ISN + 2));
        // The oldest again, one RTO after its retransmission.
        assert_eq!(r[2].1, ISN + 1);
        assert!((3680..3720).contains(&r[2].0), "{r:?}");
    }

    #[test]
    fn progress_pulls_in_the_oldest_timer() {
        let mut f = frct();
        f.rtt.rto = 8 * S as i64; // left over from a backoff
        f.send(at(0), b"x");
        f.send(at(0), b"y");
        // Acknowledged after 100 ms: RTO 300 ms. The second packet's 8 s
        // timer is pulled in to 300 ms after the ACK.
        let _ = f.receive(at(100), ack(ISN + 1), ());
        assert_eq!(f.rtt().rto, 300_000_000);
        let r = run(&mut f, 100, 600);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].1, ISN + 1);
        assert!((380..=420).contains(&r[0].0), "{r:?}");
    }

    #[test]
    fn head_of_line_blocking_neither_samples_nor_backs_off() {
        let mut f = frct();
        f.send(at(0), b"p0"); // probe
        f.send(at(1), b"p1"); // lost
        let _ = f.receive(at(10), ack(ISN + 1), ());
        assert_eq!(f.rtt().srtt, 10_000_000);
        let rto = f.rtt().rto;
        assert_eq!(rto, 30_000_000);
        f.send(at(11), b"p2"); // new probe, waits behind p1
        let r = run(&mut f, 11, 60);
        assert_eq!(
            r.iter().map(|r| r.1).collect::<Vec<_>>(),
            [ISN + 1, ISN + 2]
        );
        assert_eq!(f.rtt().rto, rto, "no backoff");
        let _ = f.receive(at(70), ack(ISN + 3), ());
        assert_eq!(f.rtt().srtt, 10_000_000, "no sample");
        assert_eq!(f.stats().rtt_samples, 1);
    }
}
