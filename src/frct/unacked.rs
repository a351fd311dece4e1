//! The retransmission buffer: a copy of every data packet sent and not yet
//! acknowledged, in seqno order, with the time its timer is due.
//!
//! Timers live in the retransmission wheel as (seqno, due) pairs; a wheel
//! entry whose `due` no longer matches the packet's is stale and ignored.
//! That lets the oldest packet's timer be pulled in when the window moves
//! (see [`Unacked::rearm_head`]) without searching the wheel.

use std::collections::VecDeque;

use super::seq::before;

/// A packet waiting for its acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Header and payload as first sent (the ackno is rewritten on every
    /// retransmission).
    pub packet: Vec<u8>,
    /// When the original was sent, ns.
    pub t0: u64,
    /// When its timer fires, ns; `None` while it has no timer (the RTO
    /// did not fit in the wheel).
    pub due: Option<u64>,
}

#[derive(Clone, Debug, Default)]
pub struct Unacked {
    /// Seqno of the first packet.
    base: u32,
    pkts: VecDeque<Pending>,
}

impl Unacked {
    /// Forgets everything; the next packet will be `seqno`.
    pub fn restart(&mut self, seqno: u32) {
        self.base = seqno;
        self.pkts.clear();
    }

    /// Adds packet `seqno`, the successor of the last one.
    pub fn push(&mut self, seqno: u32, p: Pending) {
        if self.pkts.is_empty() {
            self.base = seqno;
        }
        debug_assert_eq!(seqno, self.base.wrapping_add(self.pkts.len() as u32));
        self.pkts.push_back(p);
    }

    pub fn get_mut(&mut self, seqno: u32) -> Option<&mut Pending> {
        self.pkts.get_mut(seqno.wrapping_sub(self.base) as usize)
    }

    /// Drops every packet before `ackno`; returns how many.
    pub fn ack(&mut self, ackno: u32) -> usize {
        let mut n = 0;
        while !self.pkts.is_empty() && before(self.base, ackno) {
            self.pkts.pop_front();
            self.base = self.base.wrapping_add(1);
            n += 1;
        }
        n
    }

    /// Makes the oldest packet due no later than `due`; returns its seqno
    /// when its timer moved (the caller files the new timer).
    pub fn rearm_head(&mut self, due: u64) -> Option<u32> {
        let head = self.pkts.front_mut()?;
        if head.due.is_some_and(|d| d <= due) {
            return None;
        }
        head.due = Some(due);
        Some(self.base)
    }

    pub fn len(&self) -> usize {
        self.pkts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t0: u64, due: u64) -> Pending {
        Pending {
            packet: vec![t0 as u8],
            t0,
            due: Some(due),
        }
    }

    #[test]
    fn push_ack_lookup_across_the_wrap() {
        let mut u = Unacked::default();
        for (i, s) in (u32::MAX - 1..=u32::MAX).chain(0..2).enumerate() {
            u.push(s, p(i as u64, 100));
        }
        assert_eq!(u.len(), 4);
        assert_eq!(u.get_mut(0).unwrap().t0, 2);
        assert!(u.get_mut(2).is_none());
        assert!(u.get_mut(u32::MAX - 2).is_none());
        assert_eq!(u.ack(u32::MAX), 1);
        assert_eq!(u.ack(u32::MAX), 0);
        assert_eq!(u.ack(1), 2);
        assert_eq!(u.get_mut(1).unwrap().t0, 3);
        assert_eq!(u.ack(7), 1);
        assert_eq!(u.len(), 0);
        // Empty: the next push sets the base.
        u.push(500, p(9, 9));
        assert_eq!(u.get_mut(500).unwrap().t0, 9);
        u.restart(42);
        assert_eq!(u.len(), 0);
    }

    #[test]
    fn head_rearm() {
        let mut u = Unacked::default();
        assert_eq!(u.rearm_head(10), None);
        u.push(7, p(0, 500));
        u.push(8, p(0, 500));
        assert_eq!(u.rearm_head(600), None, "already due earlier");
        assert_eq!(u.rearm_head(300), Some(7));
        assert_eq!(u.get_mut(7).unwrap().due, Some(300));
        assert_eq!(u.get_mut(8).unwrap().due, Some(500));
        u.get_mut(7).unwrap().due = None;
        assert_eq!(u.rearm_head(900), Some(7));
    }
}
