//! The receiving side: data runs, the reorder queue, delivery, ACKs and
//! the peer's window updates.

use super::pci::{self, rebuild_window, Pci};
use super::seq::{after, before};
use super::state::{Frct, Received};
use super::{FRCTFRTX, RQ_SIZE, TICTIME};
use crate::time::MonoTime;

const RQ_MASK: u32 = RQ_SIZE - 1;

impl<P> Frct<P> {
    /// Processes one received FRCT packet: its decoded header `pci` and
    /// the packet itself (`pkt`, header already stripped). Data that fits
    /// goes to the reorder queue; everything else comes back in
    /// [`Received::dropped`]. May queue an FC reply to a rendezvous or an
    /// ACK (see [`Frct::poll_transmit`]).
    pub fn receive(&mut self, now: MonoTime, pci: Pci, pkt: P) -> Received<P> {
        let n = now.nanos() as i64;
        let seqno = pci.seqno;
        let mut out = Received {
            dropped: None,
            stale: Vec::new(),
            window_update: false,
        };

        if !self.rcv_run || self.rcv.idle_secs(n) > self.rcv.inact {
            if pci.has(pci::DRF) {
                self.new_run(seqno, &mut out.stale);
            } else if pci.has(pci::DATA) {
                return self.drop_packet(n, pkt, out);
            }
        }
        self.rcv.act = n;

        if pci.has(pci::RDVS) {
            // Answer with the current window right away (there is none
            // before the first data run: a zero edge would be taken as
            // an arbitrary window by the peer).
            if self.rcv_run {
                self.queue_control(pci::FC, 0, self.rcv.rwe);
            }
            out.dropped = Some(pkt);
            return out;
        }

        if pci.has(pci::ACK) {
            self.on_ack(now.nanos(), pci);
        }

        if pci.has(pci::FC) {
            self.snd.rwe = rebuild_window(pci.window, self.snd.rwe);
            if !self.open {
                self.open = true;
                out.window_update = true;
            }
        }

        if !pci.has(pci::DATA) {
            return self.drop_packet(n, pkt, out);
        }

        if before(seqno, self.rcv.lwe) {
            self.rcv.seqno = seqno; // forces a fresh ACK
            self.stats.duplicates += 1;
            return self.drop_packet(n, pkt, out);
        }

        let rtx = self.rcv.cflags & FRCTFRTX != 0;
        if rtx && !before(seqno, self.rcv.rwe) {
            self.stats.out_of_window += 1;
            return self.drop_packet(n, pkt, out);
        }
        if !before(seqno, self.rcv.lwe.wrapping_add(RQ_SIZE)) {
            self.stats.out_of_rqueue += 1;
            return self.drop_packet(n, pkt, out);
        }
        let pos = (seqno & RQ_MASK) as usize;
        if self.rq[pos].is_some() {
            self.stats.duplicates += 1;
            return self.drop_packet(n, pkt, out);
        }
        if rtx {
            self.acks.schedule(now.nanos());
        }
        self.rq[pos] = Some(pkt);
        self.rq_len += 1;
        out
    }

    /// The next in-order packet is in the reorder queue (the fevent
    /// filter's question). Without retransmission any queued packet is
    /// deliverable: gaps are not waited for.
    pub fn has_ready(&self) -> bool {
        if self.rcv.cflags & FRCTFRTX != 0 {
            self.rq[(self.rcv.lwe & RQ_MASK) as usize].is_some()
        } else {
            self.rq_len > 0
        }
    }

    /// Takes the next in-order packet for delivery at `now`, advancing
    /// the left and right window edges (the advertised window moves when
    /// the application consumes, not on arrival). With retransmission
    /// this schedules a delayed ACK, so that a slow reader's progress
    /// reaches the sender even when nothing arrives. Without
    /// retransmission a gap before the next queued packet is skipped,
    /// counting as loss.
    pub fn next_ready(&mut self, now: MonoTime) -> Option<P> {
        if self.rq_len == 0 {
            return None;
        }
        let mut pos = (self.rcv.lwe & RQ_MASK) as usize;
        if self.rq[pos].is_none() {
            if self.rcv.cflags & FRCTFRTX != 0 {
                return None;
            }
            let gap = (1..RQ_SIZE)
                .find(|k| self.rq[(self.rcv.lwe.wrapping_add(*k) & RQ_MASK) as usize].is_some())?;
            self.advance(gap);
            pos = (self.rcv.lwe & RQ_MASK) as usize;
        }
        let pkt = self.rq[pos].take();
        self.rq_len -= 1;
        self.advance(1);
        if self.rcv.cflags & FRCTFRTX != 0 {
            self.acks.schedule(now.nanos());
        }
        pkt
    }

    fn advance(&mut self, k: u32) {
        self.rcv.lwe = self.rcv.lwe.wrapping_add(k);
        self.rcv.rwe = self.rcv.rwe.wrapping_add(k);
    }

    /// A DRF packet after receiver inactivity: the peer started a new
    /// data run at `seqno`. Packets left from an earlier run cannot be
    /// placed any more; they are handed back.
    fn new_run(&mut self, seqno: u32, stale: &mut Vec<P>) {
        self.rcv_run = true;
        self.rcv.lwe = seqno;
        self.rcv.rwe = seqno.wrapping_add(RQ_SIZE);
        self.rcv.seqno = seqno;
        if self.rq_len > 0 {
            stale.extend(self.rq.iter_mut().filter_map(Option::take));
            self.rq_len = 0;
        }
    }

    fn on_ack(&mut self, now: u64, pci: Pci) {
        if after(pci.ackno, self.snd.seqno) {
            return; // acknowledges what was never sent
        }
        if !after(pci.ackno, self.snd.lwe) {
            return;
        }
        self.snd.lwe = pci.ackno;
        self.t_progress = now;
        self.unacked.ack(pci.ackno);
        if self.probe && after(pci.ackno, self.rttseq) {
            if !pci.has(pci::DATA) {
                self.stats.delayed_acks += 1;
            }
            self.rtt.sample(now.saturating_sub(self.t_probe) as i64);
            self.stats.rtt_samples += 1;
            self.probe = false;
        }
        self.rearm_head(now);
    }

    fn drop_packet(&mut self, n: i64, pkt: P, mut out: Received<P>) -> Received<P> {
        out.dropped = Some(pkt);
        self.try_ack(n);
        out
    }

    /// Queues an ACK|FC for what was consumed since the last ACK, unless
    /// the receive direction has been quiet for longer than A or a packet
    /// went out in the last TICTIME (it carried the ACK).
    pub(super) fn try_ack(&mut self, n: i64) {
        if !after(self.rcv.lwe, self.rcv.seqno)
            || self.rcv.idle_ns(n) > self.a
            || self.snd.idle_ns(n) < TICTIME as i64
        {
            return;
        }
        self.rcv.seqno = self.rcv.lwe;
        self.queue_control(pci::ACK | pci::FC, self.rcv.lwe, self.rcv.rwe);
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::{Config, Transmit};
    use super::super::{DELT_A, DELT_R};
    use super::*;

    const MS: u64 = 1_000_000;
    const S: u64 = 1_000_000_000;
    const T0: u64 = 1000 * S;

    fn frct(rtx: bool) -> Frct<u32> {
        let cfg = Config {
            mpl_ms: 100,
            a_secs: DELT_A,
            r_secs: DELT_R,
            rtx,
        };
        Frct::new(cfg, MonoTime(T0), || 7u32)
    }

    fn data(seqno: u32, drf: bool) -> Pci {
        Pci {
            flags: pci::DATA | if drf { pci::DRF } else { 0 },
            seqno,
            ..Pci::default()
        }
    }

    fn at(ms: u64) -> MonoTime {
        MonoTime(T0 + ms * MS)
    }

    #[test]
    fn run_starts_only_with_drf() {
        let mut f = frct(true);
        let r = f.receive(at(0), data(100, false), 1);
        assert_eq!(r.dropped, Some(1));
        let r = f.receive(at(0), data(99, true), 2);
        assert!(r.queued());
        assert_eq!((f.rcv.lwe, f.rcv.rwe, f.rcv.seqno), (99, 99 + 256, 99));
        assert!(f.receive(at(0), data(100, false), 3).queued());
        assert_eq!(f.next_ready(at(0)), Some(2));
        assert_eq!(f.next_ready(at(0)), Some(3));
        assert_eq!(f.next_ready(at(0)), None);
        assert_eq!((f.rcv.lwe, f.rcv.rwe), (101, 101 + 256));
    }

    #[test]
    fn reordering_with_rtx() {
        let mut f = frct(true);
        assert!(f.receive(at(0), data(10, true), 10).queued());
        assert!(f.receive(at(0), data(12, false), 12).queued());
        assert_eq!(f.next_ready(at(0)), Some(10));
        assert!(!f.has_ready(), "11 missing");
        assert_eq!(f.next_ready(at(0)), None);
        assert!(f.receive(at(1), data(11, false), 11).queued());
        assert!(f.has_ready());
        assert_eq!(f.next_ready(at(0)), Some(11));
        assert_eq!(f.next_ready(at(0)), Some(12));
        // Duplicates: below lwe, and already queued.
        assert_eq!(f.receive(at(2), data(12, false), 99).dropped, Some(99));
        assert!(f.receive(at(2), data(14, false), 14).queued());
        assert_eq!(f.receive(at(2), data(14, false), 98).dropped, Some(98));
        assert_eq!(f.stats().duplicates, 2);
        // Out of window: lwe + 256 is the first refused.
        let edge = f.rcv.lwe.wrapping_add(256);
        assert_eq!(f.receive(at(2), data(edge, false), 1).dropped, Some(1));
        assert!(f.receive(at(2), data(edge - 1, false), 2).queued());
        assert_eq!(f.stats().out_of_window, 1);
    }

    #[test]
    fn no_rtx_skips_gaps_in_order() {
        let mut f = frct(false);
        assert!(f.receive(at(0), data(5, true), 5).queued());
        // Reader is slow: 6 lost, 8 and 7 arrive (reordered).
        assert!(f.receive(at(0), data(8, true), 8).queued());
        assert!(f.receive(at(0), data(7, true), 7).queued());
        assert!(f.has_ready());
        assert_eq!(f.next_ready(at(0)), Some(5));
        assert_eq!(f.next_ready(at(0)), Some(7));
        assert_eq!(f.next_ready(at(0)), Some(8));
        assert_eq!(f.next_ready(at(0)), None);
        // 6 arrives late: dropped, never delivered out of order.
        assert_eq!(f.receive(at(1), data(6, true), 6).dropped, Some(6));
        assert_eq!((f.rcv.lwe, f.rcv.rwe), (9, 9 + 256));
        // Far ahead (beyond the queue): dropped.
        assert_eq!(f.receive(at(1), data(9 + 256, true), 1).dropped, Some(1));
        assert_eq!(f.stats().out_of_rqueue, 1);
    }

    #[test]
    fn delayed_ack_after_consumption() {
        let mut f = frct(true);
        assert!(f.receive(at(0), data(40, true), 40).queued());
        assert!(f.receive(at(0), data(41, false), 41).queued());
        f.next_ready(at(0));
        f.next_ready(at(0));
        f.tick(at(5));
        assert!(f.poll_transmit().is_none(), "not due yet");
        f.tick(at(11));
        assert_eq!(
            f.poll_transmit(),
            Some(Transmit::Control(Pci {
                flags: pci::ACK | pci::FC,
                window: 42 + 256,
                seqno: 0,
                ackno: 42
            }))
        );
        assert!(f.poll_transmit().is_none(), "one per slot");
        assert_eq!(f.rcv.seqno, 42);
    }

    #[test]
    fn no_ack_when_nothing_consumed_or_just_sent() {
        let mut f = frct(true);
        assert!(f.receive(at(0), data(40, true), 40).queued());
        f.tick(at(11));
        assert!(f.poll_transmit().is_none(), "nothing consumed");
        assert!(f.receive(at(12), data(41, false), 41).queued());
        f.next_ready(at(0));
        f.next_ready(at(0));
        // We sent data at 20 ms: the ACK due at about 22 ms is skipped.
        f.send(at(20), b"reply");
        f.tick(at(23));
        assert!(f.poll_transmit().is_none());
    }

    #[test]
    fn duplicate_forces_an_ack() {
        let mut f = frct(true);
        assert!(f.receive(at(0), data(40, true), 40).queued());
        f.next_ready(at(0));
        f.tick(at(11));
        assert!(matches!(f.poll_transmit(), Some(Transmit::Control(_))));
        // The same packet again (our ACK was lost): ACK again at once.
        assert_eq!(f.receive(at(300), data(40, true), 40).dropped, Some(40));
        assert_eq!(
            f.poll_transmit(),
            Some(Transmit::Control(Pci {
                flags: pci::ACK | pci::FC,
                window: 41 + 256,
                seqno: 0,
                ackno: 41
            }))
        );
    }

    #[test]
    fn rendezvous_gets_the_window() {
        let mut f = frct(false);
        assert!(f.receive(at(0), data(0x00ff_ff00, true), 1).queued());
        let rdv = Pci {
            flags: pci::RDVS,
            ..Pci::default()
        };
        assert_eq!(f.receive(at(1), rdv, 2).dropped, Some(2));
        assert_eq!(
            f.poll_transmit(),
            Some(Transmit::Control(Pci {
                flags: pci::FC,
                window: 0x0000_0000,
                seqno: 0,
                ackno: 0
            }))
        );
        assert!(f.poll_transmit().is_none());
    }

    #[test]
    fn fc_opens_the_window_and_acks_move_lwe() {
        let mut f = frct(true);
        for _ in 0..64 {
            f.send(at(0), b"x");
        }
        // rng gives 7: seqnos 7..=70, window edge 71.
        assert!(!f.poll_window(at(1)));
        assert!(f.must_wait());
        let ack = Pci {
            flags: pci::ACK | pci::FC,
            window: 7 + 10 + 256,
            seqno: 0,
            ackno: 17,
        };
        let r = f.receive(at(3), ack, 0);
        assert!(r.window_update && r.dropped == Some(0));
        assert_eq!((f.snd.lwe, f.snd.rwe), (17, 7 + 10 + 256));
        assert!(f.poll_window(at(3)));
        // The RTT probe (seqno 7) was acknowledged after 3 ms.
        assert_eq!(f.rtt().srtt, 3 * MS as i64);
        assert_eq!(f.stats().delayed_acks, 1);
        // A second update while open is not a wake-up.
        let r = f.receive(at(4), ack, 0);
        assert!(!r.window_update);
    }

    #[test]
    fn new_run_hands_back_stale_packets() {
        let mut f = frct(true);
        assert!(f.receive(at(0), data(500, true), 1).queued());
        assert!(f.receive(at(0), data(502, false), 2).queued());
        let later = at(0).after(std::time::Duration::from_secs(200));
        let r = f.receive(later, data(9, true), 3);
        assert!(r.queued());
        let mut stale = r.stale;
        stale.sort();
        assert_eq!(stale, vec![1, 2]);
        assert_eq!(f.next_ready(at(0)), Some(3));
        assert_eq!(f.queued(), 0);
    }
}
