//! The sending side: numbering data packets, the window and rendezvous.

use super::pci::{self, Pci};
use super::seq::before;
use super::state::{Frct, Sent};
use super::unacked::Pending;
use super::{FRCTFRESCNTL, FRCTFRTX, MAX_RDV, START_WINDOW};
use crate::errno::Error;
use crate::time::MonoTime;

impl<P> Frct<P> {
    /// Numbers one data packet (payload length > 0) sent at `now` and
    /// returns the header to put in front of `payload`. With
    /// retransmission FRCT keeps a copy of header and payload. Advances
    /// the timers first, as upstream does before every send.
    pub fn send(&mut self, now: MonoTime, payload: &[u8]) -> Sent {
        self.tick(now);
        let n = now.nanos() as i64;
        let rtx = self.snd.cflags & FRCTFRTX != 0;

        if self.snd.idle_secs(n) > self.snd.inact {
            // A new data run with a fresh random initial seqno.
            let s = self.rng.next_seqno();
            self.snd.seqno = s;
            self.snd.lwe = s;
            self.snd.rwe = s.wrapping_add(START_WINDOW);
            self.unacked.restart(s);
        }

        let mut pci = Pci {
            flags: pci::DATA,
            seqno: self.snd.seqno,
            ..Pci::default()
        };
        if self.snd.seqno == self.snd.lwe {
            pci.flags |= pci::DRF;
        }
        // Window and ACK fields only describe a receive direction that
        // has a data run (upstream also fills them after mere ACKs).
        if self.rcv_run && self.rcv.idle_secs(n) < self.rcv.inact {
            pci.flags |= pci::FC;
            pci.window = self.rcv.rwe & pci::WINDOW_MASK;
        }
        if !rtx {
            self.snd.lwe = self.snd.lwe.wrapping_add(1);
        } else {
            if !self.probe {
                self.rttseq = pci.seqno;
                self.t_probe = now.nanos();
                self.probe = true;
                self.rtt_tainted = false;
                self.stats.probes += 1;
            }
            if self.rcv_run && self.rcv.idle_secs(n).saturating_mul(super::BILLION) <= self.a {
                pci.flags |= pci::ACK;
                pci.ackno = self.rcv.lwe;
                self.rcv.seqno = self.rcv.lwe;
            }
        }
        self.snd.seqno = self.snd.seqno.wrapping_add(1);
        self.snd.act = n;

        let tracked = rtx && {
            let mut packet = Vec::with_capacity(pci::PCI_LEN + payload.len());
            packet.extend_from_slice(&pci.to_bytes());
            packet.extend_from_slice(payload);
            let p = Pending {
                packet,
                t0: now.nanos(),
                due: None,
            };
            self.unacked.push(pci.seqno, p);
            self.arm(now.nanos(), pci.seqno, false)
        };
        Sent { pci, tracked }
    }

    /// The sender may send: no flow control, or the next seqno lies before
    /// the window edge.
    pub fn is_window_open(&self) -> bool {
        self.snd.cflags & FRCTFRESCNTL == 0 || before(self.snd.seqno, self.snd.rwe)
    }

    /// The window check of a non-blocking write. When closed: the first
    /// time remember when; then, for up to 1 s, queue a rendezvous every
    /// 100 ms; after that just report closed.
    pub fn poll_window(&mut self, now: MonoTime) -> bool {
        if self.is_window_open() {
            return true;
        }
        let n = now.nanos();
        if self.open {
            self.mark_closed(n);
        } else if n.saturating_sub(self.t_wnd) <= MAX_RDV {
            self.maybe_rendezvous(n);
        }
        false
    }

    /// A blocking writer has to wait (flow control on and the next seqno
    /// sits exactly at the window edge).
    pub fn must_wait(&self) -> bool {
        self.snd.cflags & FRCTFRESCNTL != 0 && self.snd.seqno == self.snd.rwe
    }

    /// A blocking writer is about to wait for a window update: remember
    /// when the window closed (once per closure). Wake it when
    /// [`Frct::receive`] reports a window update.
    pub fn begin_wait(&mut self, now: MonoTime) {
        if self.open {
            self.mark_closed(now.nanos());
        }
    }

    /// A blocking writer's deadline passed with the window still closed:
    /// `ConnReset` once it has been closed for more than 1 s, otherwise
    /// `TimedOut`, after queueing a rendezvous if 100 ms passed since
    /// the last one.
    pub fn wait_timed_out(&mut self, now: MonoTime) -> Error {
        let n = now.nanos();
        if n.saturating_sub(self.t_wnd) > MAX_RDV {
            return Error::ConnReset;
        }
        self.maybe_rendezvous(n);
        Error::TimedOut
    }

    fn mark_closed(&mut self, n: u64) {
        self.open = false;
        self.t_wnd = n;
        self.t_rdvs = n;
    }

    fn maybe_rendezvous(&mut self, n: u64) {
        if n.saturating_sub(self.t_rdvs) > self.rdv {
            self.t_rdvs = n;
            self.queue_control(pci::RDVS, 0, 0);
            self.stats.rendezvous += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::{Config, Transmit};
    use super::super::{DELT_A, DELT_R};
    use super::*;

    const MS: u64 = 1_000_000;
    const S: u64 = 1_000_000_000;

    fn frct(rtx: bool) -> Frct<()> {
        let cfg = Config {
            mpl_ms: 100,
            a_secs: DELT_A,
            r_secs: DELT_R,
            rtx,
        };
        let mut next = 0xfffffff0u32;
        Frct::new(cfg, MonoTime(1000 * S), move || {
            next = next.wrapping_add(0x10);
            next
        })
    }

    #[test]
    fn first_packets() {
        let mut f = frct(true);
        let t = MonoTime(1000 * S);
        let s = f.send(t, b"abc");
        // Random initial seqno (here 0), DRF, nothing received: no FC/ACK.
        assert_eq!(s.pci.to_bytes(), [0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(s.tracked);
        assert_eq!(f.unacked(), 1);
        // Second packet: 0 is unacknowledged, no DRF.
        let s = f.send(t, b"d");
        assert_eq!((s.pci.flags, s.pci.seqno), (pci::DATA, 1));
        assert_eq!((f.snd.lwe, f.snd.seqno, f.snd.rwe), (0, 2, 64));
    }

    #[test]
    fn without_rtx_every_packet_starts_a_run() {
        let mut f = frct(false);
        let t = MonoTime(1000 * S);
        for i in 0..3 {
            let s = f.send(t, b"x");
            assert_eq!((s.pci.flags, s.pci.seqno), (pci::DATA | pci::DRF, i));
            assert!(!s.tracked);
        }
        assert_eq!(f.unacked(), 0);
    }

    #[test]
    fn fc_and_ack_fields_follow_receive_activity() {
        let t = 1000 * S;
        // Packets arrived, but no data run: nothing to report.
        let mut f = frct(true);
        f.rcv.act = t as i64;
        let p = f.send(MonoTime(t), b"x").pci;
        assert_eq!(p.flags, pci::DATA | pci::DRF);

        let mut f = frct(true);
        f.rcv.act = t as i64;
        f.rcv_run = true;
        f.rcv.lwe = 0x1234_5678;
        f.rcv.rwe = 0x1234_5778;
        let s = f.send(MonoTime(t + S), b"x");
        let p = s.pci;
        assert_eq!(p.flags, pci::DATA | pci::DRF | pci::FC | pci::ACK);
        assert_eq!((p.window, p.ackno), (0x34_5778, 0x1234_5678));
        assert_eq!(f.rcv.seqno, 0x1234_5678);
        // 11 s of receive silence: no ACK any more, still FC.
        let p = f.send(MonoTime(t + 11 * S), b"x").pci;
        assert_eq!(p.flags, pci::DATA | pci::FC);
        // Inactive receiver (more than 131 s): neither.
        let p = f.send(MonoTime(t + 132 * S), b"x").pci;
        assert_eq!(p.flags, pci::DATA);
    }

    #[test]
    fn new_run_after_sender_inactivity() {
        let mut f = frct(false);
        let t = 1000 * S;
        assert_eq!(f.send(MonoTime(t), b"x").pci.seqno, 0);
        assert_eq!(f.send(MonoTime(t + 131 * S), b"x").pci.seqno, 1);
        // More than 131 whole seconds since the last send: new seqno.
        let p = f.send(MonoTime(t + 263 * S), b"x").pci;
        assert_eq!((p.seqno, p.flags), (0x10, pci::DATA | pci::DRF));
        assert_eq!(f.snd.rwe, 0x10 + 64);
    }

    #[test]
    fn window_closes_at_64() {
        let mut f = frct(false);
        let t = MonoTime(1000 * S);
        let mut sent = 0;
        while f.poll_window(t) {
            f.send(t, b"x");
            sent += 1;
        }
        assert_eq!(sent, 64);
        assert!(f.must_wait());
    }

    #[test]
    fn rendezvous_timing() {
        let mut f = frct(false);
        let t0 = 1000 * S;
        for _ in 0..64 {
            f.send(MonoTime(t0), b"x");
        }
        let mut rdv_at = Vec::new();
        let mut t = t0;
        while t <= t0 + 2 * S {
            assert!(!f.poll_window(MonoTime(t)));
            while let Some(tx) = f.poll_transmit() {
                assert_eq!(
                    tx,
                    Transmit::Control(Pci {
                        flags: pci::RDVS,
                        ..Pci::default()
                    })
                );
                rdv_at.push((t - t0) / MS);
            }
            t += 5 * MS;
        }
        // First detection at 0; then every 100 ms (strictly more) up to 1 s.
        assert_eq!(rdv_at, vec![105, 210, 315, 420, 525, 630, 735, 840, 945]);
        assert_eq!(f.stats().rendezvous, 9);
    }

    #[test]
    fn blocking_wait_timeouts() {
        let mut f = frct(false);
        let t0 = 1000 * S;
        for _ in 0..64 {
            f.send(MonoTime(t0), b"x");
        }
        assert!(f.must_wait());
        f.begin_wait(MonoTime(t0));
        assert_eq!(f.wait_timed_out(MonoTime(t0 + 50 * MS)), Error::TimedOut);
        assert!(f.poll_transmit().is_none());
        f.begin_wait(MonoTime(t0 + 60 * MS)); // still closed: keeps t0
        assert_eq!(f.wait_timed_out(MonoTime(t0 + 150 * MS)), Error::TimedOut);
        assert!(matches!(f.poll_transmit(), Some(Transmit::Control(p)) if p.flags == pci::RDVS));
        assert_eq!(f.wait_timed_out(MonoTime(t0 + S + 1)), Error::ConnReset);
    }
}
