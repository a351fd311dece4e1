//! The two timer wheels of FRCT, advanced by time given by the caller.
//!
//! * Retransmission wheel: 3 levels of 256 slots. A level-0 slot spans
//!   2^20 ns (about 1.05 ms); every level is 16 times coarser (about
//!   16.8 ms and 268 ms a slot). A timeout of 2^36 ns (about 68.7 s) or
//!   more does not fit.
//! * Delayed-ACK wheel: 256 slots of 2^18 ns (about 262 µs), one bit per
//!   slot ("an ACK is due for this flow").
//!
//! Upstream keeps one pair of wheels per process; here every FRCT instance
//! owns its own, which fires the same slots at the same times. Time given
//! to a wheel never goes back: an earlier `now` than already seen (a
//! caller that read the clock before waiting for a lock) counts as the
//! latest one, instead of wrapping the wheel around.

use std::collections::VecDeque;

/// log2 of the level-0 slot width in ns.
pub const RXMQ_RES: u32 = 20;
/// log2 of the width ratio between two levels.
pub const RXMQ_BUMP: u32 = 4;
/// Levels of the retransmission wheel.
pub const RXMQ_LVLS: usize = 3;
/// Slots per level.
pub const RXMQ_SLOTS: usize = 256;
/// log2 of the delayed-ACK slot width in ns.
pub const ACKQ_RES: u32 = 18;
/// Slots of the delayed-ACK wheel.
pub const ACKQ_SLOTS: usize = 256;
/// Delay of a delayed ACK before rounding up to its slot (2 × TICTIME).
pub const ACK_DELAY: u64 = 2 * super::TICTIME;

const SLOT_MASK: u64 = (RXMQ_SLOTS - 1) as u64;

/// The (level, slot) of an entry due `delay` ns after `now`, or `None`
/// when the delay does not fit in the wheel. The entry always lands at
/// least one slot after the current one.
pub fn rxm_place(now: u64, delay: u64) -> Option<(usize, usize)> {
    let mut r = delay >> RXMQ_RES;
    let mut s = now >> RXMQ_RES;
    let mut lvl = 0;
    while r >= RXMQ_SLOTS as u64 {
        lvl += 1;
        r >>= RXMQ_BUMP;
        s >>= RXMQ_BUMP;
    }
    if lvl >= RXMQ_LVLS {
        return None;
    }
    Some((lvl, ((s + r + 1) & SLOT_MASK) as usize))
}

/// The delayed-ACK slot for an ACK scheduled at `now`.
pub fn ack_slot(now: u64) -> usize {
    ((((now + ACK_DELAY) >> ACKQ_RES) + 1) & (ACKQ_SLOTS as u64 - 1)) as usize
}

/// The retransmission wheel, holding entries of type `E`.
#[derive(Debug)]
pub struct RxmWheel<E> {
    slots: Vec<VecDeque<E>>,
    /// Last processed slot per level.
    prv: [usize; RXMQ_LVLS],
    /// Latest time seen.
    last: u64,
}

impl<E> RxmWheel<E> {
    /// An empty wheel whose last processed slot is the one before `now`.
    pub fn new(now: u64) -> Self {
        let base = (now >> RXMQ_RES).wrapping_sub(1);
        let mut prv = [0; RXMQ_LVLS];
        for (i, p) in prv.iter_mut().enumerate() {
            *p = ((base >> (RXMQ_BUMP * i as u32)) & SLOT_MASK) as usize;
        }
        RxmWheel {
            slots: (0..RXMQ_LVLS * RXMQ_SLOTS)
                .map(|_| VecDeque::new())
                .collect(),
            prv,
            last: now,
        }
    }

    /// Files `e` to expire `delay` ns after `now`: at the back of its slot
    /// (a new entry) or at the front (`front`, a rescheduled one, as
    /// upstream does). Gives `e` back when the delay does not fit.
    pub fn insert(&mut self, now: u64, delay: u64, e: E, front: bool) -> Result<(), E> {
        let Some((lvl, slot)) = rxm_place(now.max(self.last), delay) else {
            return Err(e);
        };
        let q = &mut self.slots[lvl * RXMQ_SLOTS + slot];
        if front {
            q.push_front(e);
        } else {
            q.push_back(e);
        }
        Ok(())
    }

    /// Takes every entry of the slots passed since the last call, level 0
    /// first, each level in slot order.
    pub fn expire(&mut self, now: u64) -> Vec<E> {
        let now = now.max(self.last);
        self.last = now;
        let mut out = Vec::new();
        let mut slot = now >> RXMQ_RES;
        for lvl in 0..RXMQ_LVLS {
            let cur = (slot & SLOT_MASK) as usize;
            let mut j = self.prv[lvl];
            let end = if cur < j { cur + RXMQ_SLOTS } else { cur };
            while j < end {
                j += 1;
                out.extend(self.slots[lvl * RXMQ_SLOTS + (j & (RXMQ_SLOTS - 1))].drain(..));
            }
            self.prv[lvl] = cur;
            slot >>= RXMQ_BUMP;
        }
        out
    }
}

/// The delayed-ACK wheel of one flow.
#[derive(Clone, Debug)]
pub struct AckWheel {
    pending: [bool; ACKQ_SLOTS],
    prv: usize,
    last: u64,
}

impl AckWheel {
    pub fn new(now: u64) -> Self {
        AckWheel {
            pending: [false; ACKQ_SLOTS],
            prv: ((now >> ACKQ_RES).wrapping_sub(1) & (ACKQ_SLOTS as u64 - 1)) as usize,
            last: now,
        }
    }

    /// Marks an ACK due about 10 ms after `now` (at most one per slot);
    /// false when that slot already had one.
    pub fn schedule(&mut self, now: u64) -> bool {
        let s = ack_slot(now.max(self.last));
        !std::mem::replace(&mut self.pending[s], true)
    }

    /// Clears the slots passed since the last call and counts the ACKs
    /// that were due in them.
    pub fn expire(&mut self, now: u64) -> usize {
        let now = now.max(self.last);
        self.last = now;
        let cur = ((now >> ACKQ_RES) & (ACKQ_SLOTS as u64 - 1)) as usize;
        let mut j = self.prv;
        let end = if cur < j { cur + ACKQ_SLOTS } else { cur };
        let mut due = 0;
        while j < end {
            j += 1;
            due += usize::from(std::mem::take(&mut self.pending[j & (ACKQ_SLOTS - 1)]));
        }
        self.prv = cur;
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn placement() {
        // 1 s RTO: 953 level-0 slots, 59 level-1 slots.
        assert_eq!(rxm_place(0, 1_000_000_000), Some((1, 60)));
        // 250 µs: 0 slots, next one.
        assert_eq!(rxm_place(5 << 20, 250_000), Some((0, 6)));
        // 267 ms: 255 slots, still level 0, wraps onto the current slot.
        assert_eq!(rxm_place(10 << 20, 255 << 20), Some((0, 10)));
        // 256 slots: level 1, now and delay both divided by 16.
        assert_eq!(rxm_place(32 << 20, 256 << 20), Some((1, 2 + 16 + 1)));
        // Level 2 from 4096 level-0 slots (about 4.3 s).
        assert_eq!(rxm_place(0, 4096 << 20), Some((2, 17)));
        assert_eq!(rxm_place(0, (1 << 36) - 1), Some((2, 256 & 255)));
        // 2^36 ns and more: out of range.
        assert_eq!(rxm_place(0, 1 << 36), None);
        assert_eq!(rxm_place(0, 120_000 * MS), None);
    }

    #[test]
    fn ack_slots() {
        // (10 ms >> 18) = 38, + 1.
        assert_eq!(ack_slot(0), 39);
        assert_eq!(ack_slot(255 << ACKQ_RES), (255 + 38 + 1) & 255);
    }

    #[test]
    fn entries_fire_once_at_their_time() {
        let t0 = 1_000 * MS;
        let mut w = RxmWheel::new(t0);
        w.insert(t0, 3 * MS, 'a', false).unwrap();
        w.insert(t0, 3 * MS, 'b', true).unwrap();
        w.insert(t0, 500 * MS, 'c', false).unwrap();
        let mut fired = Vec::new();
        let mut t = t0;
        while t < t0 + 2000 * MS {
            for e in w.expire(t) {
                fired.push((e, (t - t0) / MS));
            }
            t += 5 * MS;
        }
        // 'b' was filed in front. Level 0 slot of 'a'/'b': about 3-4 ms,
        // seen at the first 5 ms tick; 'c' on level 1, whose 16.8 ms
        // slots count from the start of the current one (may fire early).
        assert_eq!(fired[0], ('b', 5));
        assert_eq!(fired[1], ('a', 5));
        assert_eq!(fired[2].0, 'c');
        assert!((483..=530).contains(&fired[2].1), "{fired:?}");
        assert!(w.expire(t0 + 5000 * MS).is_empty());
    }

    #[test]
    fn time_never_goes_back() {
        let t0 = 50_000 * MS;
        let mut w = RxmWheel::new(t0);
        w.insert(t0, 100 * MS, 1, false).unwrap();
        assert!(w.expire(t0 + 10 * MS).is_empty());
        // An older time must not wrap the wheel around and fire everything.
        assert!(w.expire(t0 + 5 * MS).is_empty());
        w.insert(t0 + 5 * MS, 50 * MS, 2, false).unwrap();
        assert!(w.expire(t0 + 40 * MS).is_empty());
        assert_eq!(w.expire(t0 + 70 * MS), vec![2]);
        assert_eq!(w.expire(t0 + 120 * MS), vec![1]);

        let mut a = AckWheel::new(t0);
        assert_eq!(a.expire(t0 + 20 * MS), 0);
        a.schedule(t0 + 15 * MS);
        assert_eq!(a.expire(t0 + 10 * MS), 0);
        assert_eq!(a.expire(t0 + 29 * MS), 0);
        assert_eq!(a.expire(t0 + 31 * MS), 1);
    }

    #[test]
    fn starting_at_time_zero() {
        let mut w = RxmWheel::new(0);
        w.insert(0, 0, 1, false).unwrap();
        assert!(w.expire(0).is_empty());
        assert_eq!(w.expire(1 << RXMQ_RES), vec![1]);
    }

    #[test]
    fn delayed_acks() {
        let t0 = 7_777 * MS;
        let mut a = AckWheel::new(t0);
        assert!(a.schedule(t0));
        assert!(!a.schedule(t0), "one per slot");
        assert_eq!(a.expire(t0 + 5 * MS), 0);
        assert_eq!(a.expire(t0 + 10 * MS), 0);
        // Due between 10 and 10.5 ms later.
        assert_eq!(a.expire(t0 + 11 * MS), 1);
        assert_eq!(a.expire(t0 + 20 * MS), 0);
    }
}
