//! CLOCK_MONOTONIC time points: every shared condvar and every deadline in
//! the data path uses this clock (absolute deadlines).

use std::time::Duration;

/// An absolute CLOCK_MONOTONIC instant, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MonoTime(pub u64);

impl MonoTime {
    pub fn now() -> MonoTime {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes into a valid timespec.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        MonoTime::from_timespec(&ts)
    }

    pub fn from_timespec(ts: &libc::timespec) -> MonoTime {
        MonoTime(
            (ts.tv_sec.max(0) as u64)
                .saturating_mul(1_000_000_000)
                .saturating_add(ts.tv_nsec.max(0) as u64),
        )
    }

    pub fn to_timespec(self) -> libc::timespec {
        libc::timespec {
            tv_sec: (self.0 / 1_000_000_000) as libc::time_t,
            tv_nsec: (self.0 % 1_000_000_000) as libc::c_long,
        }
    }

    pub fn nanos(self) -> u64 {
        self.0
    }

    /// `self + d`, saturating.
    pub fn after(self, d: Duration) -> MonoTime {
        MonoTime(
            self.0
                .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        )
    }

    /// Time from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: MonoTime) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

/// A deadline `d` from now, or none.
pub fn deadline(d: Option<Duration>) -> Option<MonoTime> {
    d.map(|d| MonoTime::now().after(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let t = MonoTime(5_000_000_123);
        let ts = t.to_timespec();
        assert_eq!((ts.tv_sec, ts.tv_nsec), (5, 123));
        assert_eq!(MonoTime::from_timespec(&ts), t);
        assert_eq!(
            t.after(Duration::from_millis(1)).since(t),
            Duration::from_millis(1)
        );
        assert!(MonoTime::now() > MonoTime(0));
    }
}
