//! Clock readings as `timespec` values and the integer differences the
//! tools compute from them (truncating like C's integer division).

pub const MILLION: i64 = 1_000_000;
pub const BILLION: i64 = 1_000_000_000;

/// Ordered by seconds, then nanoseconds (normalised values).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts {
    pub sec: i64,
    pub nsec: i64,
}

impl Ts {
    fn read(clock: libc::clockid_t) -> Ts {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime fills the timespec.
        unsafe { libc::clock_gettime(clock, &mut t) };
        Ts {
            sec: t.tv_sec,
            nsec: t.tv_nsec,
        }
    }

    /// CLOCK_MONOTONIC.
    pub fn mono() -> Ts {
        Ts::read(libc::CLOCK_MONOTONIC)
    }

    /// CLOCK_REALTIME.
    pub fn real() -> Ts {
        Ts::read(libc::CLOCK_REALTIME)
    }

    /// `self - t0` in whole microseconds.
    pub fn diff_us(&self, t0: &Ts) -> i64 {
        self.sec
            .wrapping_sub(t0.sec)
            .wrapping_mul(MILLION)
            .wrapping_add(self.nsec.wrapping_sub(t0.nsec) / 1000)
    }

    /// `self - t0` in whole milliseconds.
    pub fn diff_ms(&self, t0: &Ts) -> i64 {
        self.sec
            .wrapping_sub(t0.sec)
            .wrapping_mul(1000)
            .wrapping_add(self.nsec.wrapping_sub(t0.nsec) / MILLION)
    }

    /// `self + intv`, carrying whole seconds out of the nanoseconds.
    pub fn add(&self, intv: &Ts) -> Ts {
        let mut nanos = self.nsec.wrapping_add(intv.nsec);
        let mut sec = self.sec.wrapping_add(intv.sec);
        if nanos >= BILLION {
            sec = sec.wrapping_add(nanos / BILLION);
            nanos %= BILLION;
        }
        Ts { sec, nsec: nanos }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_truncate_toward_zero() {
        let a = Ts {
            sec: 10,
            nsec: 1_999,
        };
        let b = Ts {
            sec: 9,
            nsec: 999_999_999,
        };
        assert_eq!(a.diff_us(&b), 1_000_000 - 999_998);
        assert_eq!(a.diff_ms(&b), 1000 - 999);
        assert_eq!(b.diff_us(&a), -1_000_000 + 999_998);
        assert_eq!(Ts { sec: 5, nsec: 500 }.diff_us(&Ts { sec: 5, nsec: 0 }), 0);
    }

    #[test]
    fn add_carries() {
        let t = Ts {
            sec: 1,
            nsec: 900_000_000,
        };
        let d = Ts {
            sec: 2,
            nsec: 200_000_000,
        };
        assert_eq!(
            t.add(&d),
            Ts {
                sec: 4,
                nsec: 100_000_000
            }
        );
        assert_eq!(
            t.add(&Ts { sec: -3, nsec: 0 }),
            Ts {
                sec: -2,
                nsec: 900_000_000
            }
        );
    }
}
