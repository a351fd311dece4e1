//! The per-direction control record and the Delta-t inactivity periods.

use super::BILLION;

/// State of one direction (`struct frct_cr`). Sender: `lwe` is the first
/// unacknowledged seqno, `seqno` the next to send, `rwe` the window edge.
/// Receiver: `lwe` the next seqno to deliver, `rwe` the edge it
/// advertises, `seqno` the last ackno it sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Record {
    pub lwe: u32,
    pub rwe: u32,
    pub seqno: u32,
    pub cflags: u16,
    /// Last activity, ns on the monotonic clock (may be negative: a fresh
    /// record is set in the past so that it starts inactive).
    pub act: i64,
    /// Inactivity period, whole seconds.
    pub inact: i64,
}

/// Whole seconds of a time in ns (`tv_sec`).
pub fn secs(t: i64) -> i64 {
    t.div_euclid(BILLION)
}

impl Record {
    /// A record with inactivity period `inact` seconds, inactive at `now`.
    pub fn new(now: i64, inact: i64) -> Record {
        Record {
            act: (secs(now) - (inact + 1)) * BILLION,
            inact,
            ..Record::default()
        }
    }

    /// Difference of the whole-second parts of `now` and the last
    /// activity, as upstream compares `tv_sec` fields.
    pub fn idle_secs(&self, now: i64) -> i64 {
        secs(now) - secs(self.act)
    }

    /// Exact time since the last activity, ns.
    pub fn idle_ns(&self, now: i64) -> i64 {
        now - self.act
    }
}

/// Sender inactivity period in seconds: ⌊(3·MPL + A + R) / 1 s⌋ + 1.
pub fn snd_inactivity(mpl_ms: u64, a_s: u64, r_s: u64) -> i64 {
    inactivity(3, mpl_ms, a_s, r_s)
}

/// Receiver inactivity period in seconds: ⌊(2·MPL + A + R) / 1 s⌋ + 1.
pub fn rcv_inactivity(mpl_ms: u64, a_s: u64, r_s: u64) -> i64 {
    inactivity(2, mpl_ms, a_s, r_s)
}

fn inactivity(k: u64, mpl_ms: u64, a_s: u64, r_s: u64) -> i64 {
    let ns = k * mpl_ms * 1_000_000 + (a_s + r_s) * 1_000_000_000;
    (ns / 1_000_000_000) as i64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactivity_periods() {
        for mpl in [1, 100, 333] {
            assert_eq!(snd_inactivity(mpl, 10, 120), 131);
            assert_eq!(rcv_inactivity(mpl, 10, 120), 131);
        }
        assert_eq!(snd_inactivity(334, 10, 120), 132);
        assert_eq!(rcv_inactivity(334, 10, 120), 131);
        assert_eq!(snd_inactivity(5000, 10, 120), 146);
        assert_eq!(rcv_inactivity(5000, 10, 120), 141);
    }

    #[test]
    fn fresh_record_is_inactive() {
        for now in [0, 999_999_999, 7_500_000_000, 200 * BILLION] {
            let r = Record::new(now, 131);
            assert_eq!(r.idle_secs(now), 132);
            assert!(r.idle_secs(now) > r.inact);
        }
        assert_eq!(secs(-1), -1);
        assert_eq!(secs(-BILLION), -1);
        assert_eq!(secs(1_500_000_000), 1);
    }
}
