//! Freshness and replay check of incoming requests (server side): a request
//! may be at most 100 ms ahead of the local wall clock and at most
//! `OAP_REPLAY_TIMER` (20 s) old, and its (id, timestamp) pair must not
//! have been seen within that window.

use super::hdr::ID_SIZE;
use std::sync::Mutex;

/// `OAP_REPLAY_TIMER`, in seconds.
pub const REPLAY_TIMER_S: u64 = 20;
/// How far ahead of the local clock a timestamp may be, in ms.
pub const TIMESYNC_SLACK_MS: i64 = 100;

const NS_PER_MS: i64 = 1_000_000;
const REPLAY_WINDOW_NS: u64 = REPLAY_TIMER_S * 1_000_000_000;
const REPLAY_WINDOW_MS: i64 = (REPLAY_TIMER_S * 1000) as i64;

/// Why a request failed the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stale {
    /// Timestamp this many ms ahead of the local clock.
    Future { ms: i64 },
    /// Timestamp this many ms behind the local clock.
    TooOld { ms: i64 },
    /// Same id and timestamp as a request accepted within the window.
    Replay,
}

/// Age of a timestamp in whole ms (negative: in the future), computed as
/// upstream does: the wrapping difference of the two u64 ns values read as
/// signed, truncated towards zero.
pub fn age_ms(now_ns: u64, stamp_ns: u64) -> i64 {
    (now_ns.wrapping_sub(stamp_ns) as i64) / NS_PER_MS
}

/// Checks only the timestamp against the clock.
pub fn check_time(now_ns: u64, stamp_ns: u64) -> Result<(), Stale> {
    let age = age_ms(now_ns, stamp_ns);
    if age < -TIMESYNC_SLACK_MS {
        return Err(Stale::Future { ms: -age });
    }
    if age > REPLAY_WINDOW_MS {
        return Err(Stale::TooOld { ms: age });
    }
    Ok(())
}

#[derive(Clone, Copy, Debug)]
struct Seen {
    stamp: u64,
    id: [u8; ID_SIZE],
}

/// The requests accepted in the last 20 s; one per IRMd, shared by all
/// server-side exchanges (it locks internally).
#[derive(Debug, Default)]
pub struct ReplayCache {
    seen: Mutex<Vec<Seen>>,
}

impl ReplayCache {
    pub fn new() -> ReplayCache {
        ReplayCache::default()
    }

    /// Checks a request's timestamp and (id, timestamp) pair at local time
    /// `now_ns` and remembers the pair when it passes. Entries whose
    /// timestamp is more than 20 s before `now_ns` are dropped first; the
    /// age is the wrapping difference `check_time` uses, so an entry it
    /// just accepted is never dropped at once, even where the clock
    /// values wrap around.
    pub fn check(&self, id: &[u8; ID_SIZE], stamp: u64, now_ns: u64) -> Result<(), Stale> {
        check_time(now_ns, stamp)?;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.retain(|e| (now_ns.wrapping_sub(e.stamp) as i64) <= REPLAY_WINDOW_NS as i64);
        if seen.iter().any(|e| e.stamp == stamp && e.id == *id) {
            return Err(Stale::Replay);
        }
        seen.push(Seen { stamp, id: *id });
        Ok(())
    }

    /// Number of remembered requests.
    pub fn len(&self) -> usize {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_800_000_000_000_000_000;
    const MS: u64 = 1_000_000;

    #[test]
    fn oap_replay_time_bounds() {
        assert_eq!(check_time(T, T), Ok(()));
        // Future: up to 100.999999 ms ahead is accepted (whole ms,
        // truncated towards zero, must not be below -100).
        assert_eq!(check_time(T, T + 100 * MS), Ok(()));
        assert_eq!(check_time(T, T + 101 * MS - 1), Ok(()));
        assert_eq!(check_time(T, T + 101 * MS), Err(Stale::Future { ms: 101 }));
        assert_eq!(
            check_time(T, T + 1000 * MS),
            Err(Stale::Future { ms: 1000 })
        );
        // Past: up to 20000.999999 ms old is accepted.
        assert_eq!(check_time(T, T - 20_000 * MS), Ok(()));
        assert_eq!(check_time(T, T - 20_001 * MS + 1), Ok(()));
        assert_eq!(
            check_time(T, T - 20_001 * MS),
            Err(Stale::TooOld { ms: 20_001 })
        );
        assert_eq!(
            check_time(T, T - 30_000 * MS),
            Err(Stale::TooOld { ms: 30_000 })
        );
        // Extremes wrap as upstream's arithmetic does: no panic, rejected.
        assert!(check_time(T, 0).is_err());
        assert!(check_time(T, u64::MAX).is_err());
        assert!(check_time(0, u64::MAX).is_ok()); // 1 ns old after wrapping
    }

    #[test]
    fn oap_replay_detects_same_id_and_stamp() {
        let c = ReplayCache::new();
        let a = [1u8; ID_SIZE];
        let b = [2u8; ID_SIZE];
        assert_eq!(c.check(&a, T, T), Ok(()));
        assert_eq!(c.check(&a, T, T + 5 * MS), Err(Stale::Replay));
        // Another id, or the same id with another stamp, is not a replay.
        assert_eq!(c.check(&b, T, T), Ok(()));
        assert_eq!(c.check(&a, T + 1, T), Ok(()));
        assert_eq!(c.len(), 3);
        // A rejected stamp is not remembered.
        assert_eq!(
            c.check(&[3; ID_SIZE], T + 200 * MS, T),
            Err(Stale::Future { ms: 200 })
        );
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn oap_replay_window_expiry() {
        let c = ReplayCache::new();
        let a = [7u8; ID_SIZE];
        assert_eq!(c.check(&a, T, T), Ok(()));
        // Exactly 20 s later the entry is still held.
        assert_eq!(c.check(&a, T, T + 20_000 * MS), Err(Stale::Replay));
        // Just past 20 s the entry expires while the stamp is still young
        // enough (< 20.001 s): upstream accepts the replay in this gap.
        assert_eq!(c.check(&a, T, T + 20_000 * MS + 1), Ok(()));
        // Later, it is simply too old.
        assert_eq!(
            c.check(&a, T, T + 20_001 * MS),
            Err(Stale::TooOld { ms: 20_001 })
        );
        // Expired entries are dropped on the next check.
        let c = ReplayCache::new();
        for i in 0..5u8 {
            c.check(&[i; ID_SIZE], T, T).unwrap();
        }
        assert_eq!(c.len(), 5);
        c.check(&a, T + 20_001 * MS, T + 20_001 * MS).unwrap();
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn oap_replay_across_the_clock_wrap() {
        // Found by fuzzing: a stamp the time check accepts across the
        // wrap of the u64 clock was dropped from the cache at once (the
        // expiry did not wrap like the check), so its replay passed.
        let a = [9u8; ID_SIZE];
        for (stamp, now) in [
            (0, u64::MAX - MS + 1),                         // 1 ms ahead, across the wrap
            (u64::MAX - 5_000 * MS, u64::MAX - 5_000 * MS), // window wraps
            (u64::MAX - MS, 3 * MS),                        // 4 ms old, across the wrap
        ] {
            let c = ReplayCache::new();
            assert_eq!(c.check(&a, stamp, now), Ok(()), "{stamp} at {now}");
            assert_eq!(c.check(&a, stamp, now), Err(Stale::Replay), "{stamp}");
            assert_eq!(c.len(), 1);
        }
    }
}
