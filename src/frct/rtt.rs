//! Round-trip time estimation and the retransmission timeout, all in
//! nanoseconds (the Linux variant of the RFC 6298 estimator: a shrinking
//! deviation is damped eight times more).

use super::{MDEV_MUL, RTO_DIV, RTO_MIN};

/// Smoothed RTT, deviation and RTO of one flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RttEstimator {
    /// Smoothed RTT; 0 until the first sample.
    pub srtt: i64,
    /// Mean deviation.
    pub mdev: i64,
    /// Retransmission timeout.
    pub rto: i64,
}

/// Deviation before the first sample: 10 ms.
const INITIAL_MDEV: i64 = 10_000_000;
/// RTO before the first sample: 1 s.
const INITIAL_RTO: i64 = 1_000_000_000;
/// Floor of the smoothed RTT: 1 µs.
const MIN_SRTT: i64 = 1000;
/// Floor of the deviation: 100 ns.
const MIN_MDEV: i64 = 100;

impl Default for RttEstimator {
    fn default() -> Self {
        RttEstimator {
            srtt: 0,
            mdev: INITIAL_MDEV,
            rto: INITIAL_RTO,
        }
    }
}

impl RttEstimator {
    /// Feeds one measured round trip `m` (ns).
    pub fn sample(&mut self, m: i64) {
        let (mut srtt, mut var) = (self.srtt, self.mdev);
        if srtt == 0 {
            srtt = m;
            var = m >> 1;
        } else {
            let delta = m - srtt;
            srtt += delta >> 3;
            let mut d = (delta.abs() - var) >> 2;
            if d < 0 {
                d >>= 3;
            }
            var += d;
        }
        self.srtt = srtt.max(MIN_SRTT);
        self.mdev = var.max(MIN_MDEV);
        self.rto = (self.srtt + (self.mdev << MDEV_MUL)).max(RTO_MIN);
    }

    /// Backs the timeout off after the RTT probe timed out (doubling with
    /// `RTO_DIV` = 0); the next sample undoes it.
    pub fn backoff(&mut self) {
        self.rto += self.rto >> RTO_DIV;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_values() {
        let r = RttEstimator::default();
        assert_eq!((r.srtt, r.mdev, r.rto), (0, 10_000_000, 1_000_000_000));
    }

    #[test]
    fn samples() {
        let mut r = RttEstimator::default();
        r.sample(1_000_000);
        assert_eq!((r.srtt, r.mdev, r.rto), (1_000_000, 500_000, 3_000_000));
        r.sample(2_000_000);
        assert_eq!((r.srtt, r.mdev, r.rto), (1_125_000, 625_000, 3_625_000));
        // Equal sample: the deviation shrinks, damped (>> 2 then >> 3,
        // arithmetic shifts round towards minus infinity).
        r.sample(1_125_000);
        assert_eq!((r.srtt, r.mdev, r.rto), (1_125_000, 605_468, 3_546_872));
        // A smaller sample: |delta| = 125000 < var, damped decrease.
        r.sample(1_000_000);
        // srtt = 1125000 + (-125000 >> 3) = 1109375
        // d = (125000 - 605468) >> 2 = -120117, >> 3 = -15015
        assert_eq!((r.srtt, r.mdev), (1_109_375, 590_453));
        assert_eq!(r.rto, 1_109_375 + 4 * 590_453);
    }

    #[test]
    fn floors() {
        let mut r = RttEstimator::default();
        r.sample(0);
        assert_eq!((r.srtt, r.mdev, r.rto), (1000, 100, 250_000));
        // Not a "first sample" any more (srtt is 1000): the floors hold.
        r.sample(0);
        assert_eq!((r.srtt, r.mdev, r.rto), (1000, 325, 250_000));
    }

    #[test]
    fn backoff_doubles_until_the_next_sample() {
        let mut r = RttEstimator::default();
        r.backoff();
        assert_eq!(r.rto, 2_000_000_000);
        r.sample(4_000_000);
        r.backoff();
        r.backoff();
        assert_eq!(r.rto, 4 * (4_000_000 + (2_000_000 << 2)));
        r.sample(4_000_000);
        assert!(r.rto < 4_000_000 + (2_000_000 << 2));
    }
}
