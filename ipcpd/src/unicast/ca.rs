//! Congestion avoidance (spec §5.5). Only the ECN byte and the
//! FLOW_UPDATE message it triggers are visible on the wire; the sender's
//! rate control is local. Times are passed in (ns) so the arithmetic can
//! be tested without clocks.

use std::time::Duration;

/// The `cong_avoid` policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// ECN stays 0; nothing reacts (`none`, 0).
    None,
    /// Multi-bit ECN (`mb-ecn`, 1, the default).
    MbEcn,
}

impl Policy {
    pub fn from_u32(v: u32) -> Option<Policy> {
        match v {
            0 => Some(Policy::None),
            1 => Some(Policy::MbEcn),
            _ => None,
        }
    }

    /// The ECN byte after writing a PDU to an N-1 flow with `queued`
    /// packets waiting in its transmit ring: marks are OR-ed along the
    /// path, and only the low 8 bits of `queued / 16` count (long queues
    /// wrap).
    pub fn mark(self, ecn: u8, queued: usize) -> u8 {
        match self {
            Policy::None => ecn,
            Policy::MbEcn => ecn | (queued >> ECN_Q_SHFT) as u8,
        }
    }
}

const ECN_Q_SHFT: u32 = 4;
/// Packets averaged over (2^5).
const CA_SHFT: u32 = 5;
const CA_WND: u64 = 1 << CA_SHFT;
/// The receiver updates the sender every 8 marked packets.
const CA_UPD: u64 = 1 << (CA_SHFT - 2);
/// Initial slot: 2^24 ns, about 16.8 ms.
const CA_SLOT: u32 = 24;
const CA_INC: u64 = 1 << 16;
const CA_IWL: u64 = 1 << 16;
const CA_MINPS: u64 = 8;
const CA_MAXPS: u64 = 64;

/// Receiver state of one flow (upstream's `rx_ece`, `rx_ctr`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rx {
    ece: u16,
    ctr: u64,
}

impl Rx {
    /// The current congestion level.
    pub fn ece(&self) -> u16 {
        self.ece
    }

    /// Accounts a received PDU carrying `ecn`; `Some(ece)` means send a
    /// FLOW_UPDATE with that level to the sender.
    pub fn update(&mut self, ecn: u8) -> Option<u16> {
        if self.ece == 0 && ecn == 0 {
            return None;
        }
        let send = if ecn == 0 {
            // congestion is fading: tell the sender once it is gone
            self.ece >>= 2;
            self.ece == 0
        } else if self.ece == 0 {
            self.ece = u16::from(ecn);
            self.ctr = 0;
            true
        } else {
            self.ece -= self.ece >> CA_SHFT;
            self.ece = self.ece.wrapping_add(u16::from(ecn));
            // upstream compares the masked counter with `true`, i.e. 1
            let c = self.ctr;
            self.ctr = self.ctr.wrapping_add(1);
            c & (CA_UPD - 1) == 1
        };
        send.then_some(self.ece)
    }
}

/// Sender state of one flow: a byte budget per time slot of 2^mul ns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tx {
    ece: u16,
    ctr: u64,
    /// Bytes and packets in the current slot, and the byte limit.
    wbc: u64,
    wpc: u64,
    wbl: u64,
    /// Left slow start (after the first FLOW_UPDATE).
    cav: bool,
    mul: u32,
    inc: u64,
    slot: u64,
}

fn shr(v: u64, s: u32) -> u64 {
    v.checked_shr(s).unwrap_or(0)
}

fn shl(v: u64, s: u32) -> u64 {
    v.checked_shl(s).unwrap_or(0)
}

impl Tx {
    pub fn new(now_ns: u64) -> Tx {
        Tx {
            ece: 0,
            ctr: 0,
            wbc: 0,
            wpc: 0,
            wbl: CA_IWL,
            cav: false,
            mul: CA_SLOT,
            inc: CA_INC,
            slot: shr(now_ns, CA_SLOT),
        }
    }

    /// The congestion level last reported by the receiver (0 after 32
    /// packets without news).
    pub fn ece(&self) -> u16 {
        self.ece
    }

    /// The current byte limit per slot.
    pub fn limit(&self) -> u64 {
        self.wbl
    }

    /// Slot length in ns.
    pub fn slot_ns(&self) -> u64 {
        shl(1, self.mul)
    }

    /// A FLOW_UPDATE arrived.
    pub fn on_update(&mut self, ece: u16) {
        self.ece = ece;
        self.ctr = 0;
        self.cav = true;
    }

    /// Accounts a PDU of `len` bytes about to be sent at `now_ns`; returns
    /// how long to hold it back (ns, 0 = send now).
    pub fn on_send(&mut self, len: usize, now_ns: u64) -> u64 {
        let slot = shr(now_ns, self.mul);
        self.ctr += 1;
        self.wpc += 1;
        self.wbc = self.wbc.saturating_add(len as u64);
        if self.ctr > CA_WND {
            self.ece = 0;
        }
        if (self.slot.wrapping_sub(slot) as i64) < 0 {
            self.new_slot(slot);
        }
        if self.wbc > self.wbl {
            shl(self.slot.wrapping_add(1), self.mul).saturating_sub(now_ns)
        } else {
            0
        }
    }

    fn new_slot(&mut self, slot: u64) {
        let mut carry = false;
        self.slot = slot;
        if !self.cav {
            if self.wbc > self.wbl {
                self.wbl = shl(self.wbl, 1);
            }
        } else if self.ece > 0 {
            let dec = shr(self.wbl.saturating_mul(u64::from(self.ece)), CA_SHFT + 8);
            self.wbl = self.wbl.saturating_sub(dec);
        } else {
            self.wbl = self.wbc.saturating_add(self.inc);
        }
        // rescale the slot to keep 8..64 packets in it
        if self.wpc < CA_MINPS {
            let mut fact = 0;
            let mut pkts = self.wpc;
            while pkts < CA_MINPS {
                pkts <<= 1;
                fact += 1;
                if pkts == 0 {
                    // no packets at all: upstream would spin here; the
                    // caller always accounts one, so this is unreachable
                    break;
                }
            }
            self.mul += fact;
            self.slot = shr(self.slot, fact);
            if self.slot & (shl(1, fact).wrapping_sub(1)) == 0 {
                carry = true;
                self.slot += 1;
            }
            self.wbl = shl(self.wbl, fact);
            self.inc = shl(self.inc, fact);
        } else if self.wpc > CA_MAXPS {
            let mut fact = 0;
            let mut pkts = self.wpc;
            while pkts > CA_MAXPS {
                pkts >>= 1;
                fact += 1;
            }
            self.mul = self.mul.saturating_sub(fact);
            self.slot = shl(self.slot, fact);
            self.wbl = shr(self.wbl, fact);
            self.inc = shr(self.inc, fact);
        } else {
            self.slot = slot;
        }
        if !carry {
            self.wbc = 0;
            self.wpc = 0;
        }
    }
}

/// How long the sender actually sleeps for a wait of `ns`: upstream
/// caps it at one second.
pub fn wait_time(ns: u64) -> Duration {
    Duration::from_nanos(ns.min(1_000_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marking() {
        let p = Policy::MbEcn;
        assert_eq!(p.mark(0, 15), 0);
        assert_eq!(p.mark(0, 16), 1);
        assert_eq!(p.mark(0x10, 0x35), 0x13);
        // wraps: 4096 queued packets mark 0x00
        assert_eq!(p.mark(0, 4096), 0);
        assert_eq!(p.mark(2, 4096 + 16), 3);
        assert_eq!(Policy::None.mark(4, 1000), 4);
        assert_eq!(Policy::from_u32(1), Some(Policy::MbEcn));
        assert_eq!(Policy::from_u32(2), None);
    }

    #[test]
    fn receiver_updates() {
        let mut rx = Rx::default();
        assert_eq!(rx.update(0), None);
        // start of congestion: update at once
        assert_eq!(rx.update(1), Some(1));
        // then on the 2nd, 10th, 18th... marked packet after it
        let mut sent = Vec::new();
        for i in 1..=20 {
            if rx.update(1).is_some() {
                sent.push(i);
            }
        }
        assert_eq!(sent, [2, 10, 18]);
        // fading: >> 2 per clean packet, update when 0
        let mut n = 0;
        loop {
            n += 1;
            if let Some(e) = rx.update(0) {
                assert_eq!(e, 0);
                break;
            }
        }
        assert!(n > 1 && n < 8, "{n}");
        assert_eq!(rx.ece(), 0);
    }

    #[test]
    fn receiver_averages() {
        // the captured sequence 1, 3, 0x0b starts like this
        let mut rx = Rx::default();
        assert_eq!(rx.update(1), Some(1));
        assert_eq!(rx.update(2), None); // ece 3, ctr 0 -> 1
        assert_eq!(rx.ece(), 3);
        assert_eq!(rx.update(8), Some(11)); // ctr was 1
        assert_eq!(rx.ece(), 0x0b);
    }

    #[test]
    fn sender_slow_start_and_backoff() {
        let slot = 1u64 << 24;
        let mut t0 = 100 * slot;
        let mut tx = Tx::new(t0);
        assert_eq!(tx.slot_ns(), slot);
        // 16 packets of 8 KiB in one slot: over the 64 KiB limit, wait
        let mut waited = 0;
        for _ in 0..16 {
            waited = tx.on_send(8192, t0);
        }
        assert_eq!(waited, slot);
        // next slot: slow start doubles the limit
        t0 += slot;
        tx.on_send(8192, t0);
        assert_eq!(tx.limit(), 2 * CA_IWL);
        // an update ends slow start; a congested slot shrinks the limit
        tx.on_update(4096);
        for _ in 0..15 {
            tx.on_send(100, t0);
        }
        t0 += slot;
        tx.on_send(100, t0);
        assert_eq!(tx.limit(), 2 * CA_IWL - ((2 * CA_IWL * 4096) >> 13));
        assert_eq!(tx.ece(), 4096);
        // 32 packets without news: the level is forgotten
        for _ in 0..32 {
            tx.on_send(100, t0);
        }
        assert_eq!(tx.ece(), 0);
        assert_eq!(wait_time(5_000_000_000), Duration::from_secs(1));
    }

    #[test]
    fn sender_rescales_slots() {
        let slot = 1u64 << 24;
        let mut tx = Tx::new(10 * slot);
        // one packet per slot: the slot grows to fit 8 packets
        tx.on_send(10, 11 * slot);
        assert_eq!(tx.slot_ns(), slot << 3);
        let mut tx = Tx::new(10 * slot);
        for _ in 0..200 {
            tx.on_send(10, 10 * slot);
        }
        tx.on_send(10, 11 * slot);
        // 201 packets: halved twice to get under 64
        assert_eq!(tx.slot_ns(), slot >> 2);
    }
}
