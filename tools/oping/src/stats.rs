//! Round-trip statistics and the client's printed lines.

use tools_common::timespec::Ts;

/// Values below this many ms are shown in µs.
const US_BELOW_MS: f64 = 0.1;

/// Running RTT statistics (Welford's update for the variance).
#[derive(Clone, Debug, PartialEq)]
pub struct Rtt {
    /// Replies counted so far.
    pub n: u32,
    pub min: f64,
    pub max: f64,
    pub avg: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Default for Rtt {
    fn default() -> Rtt {
        Rtt {
            n: 0,
            // FLT_MAX, as upstream starts the minimum
            min: f64::from(f32::MAX),
            max: 0.0,
            avg: 0.0,
            m2: 0.0,
        }
    }
}

impl Rtt {
    /// Counts one reply that took `ms`.
    pub fn add(&mut self, ms: f64) {
        self.n += 1;
        if ms < self.min {
            self.min = ms;
        }
        if ms > self.max {
            self.max = ms;
        }
        let d = ms - self.avg;
        self.avg += d / f64::from(self.n);
        self.m2 += d * (ms - self.avg);
    }

    /// Sample standard deviation; `None` below two replies.
    pub fn mdev(&self) -> Option<f64> {
        (self.n > 1).then(|| (self.m2 / f64::from(self.n - 1)).sqrt())
    }
}

/// The RTT in ms between a send time and a receive time (both
/// CLOCK_MONOTONIC), at microsecond resolution as upstream computes it.
pub fn rtt_ms(now: &Ts, sent: &Ts) -> f64 {
    now.diff_us(sent) as f64 / 1000.0
}

fn unit(ms: f64) -> &'static str {
    if ms < US_BELOW_MS {
        "µs"
    } else {
        "ms"
    }
}

fn scaled(ms: f64) -> f64 {
    if ms < US_BELOW_MS {
        ms * 1000.0
    } else {
        ms
    }
}

/// One reply line.
pub fn reply_line(len: usize, name: &str, seq: u32, ms: f64, out_of_order: bool) -> String {
    format!(
        "{len} bytes from {name}: seq={} time={:.3} {}{}\n",
        seq as i32,
        scaled(ms),
        unit(ms),
        if out_of_order { " [out-of-order]" } else { "" }
    )
}

/// The `-D` prefix: wall-clock seconds and zero-padded microseconds.
pub fn timeofday_prefix(now: &Ts) -> String {
    format!("[{}.{:06}] ", now.sec, now.nsec / 1000)
}

/// Packet loss in percent, as upstream computes it (in `float`).
pub fn loss(sent: u32, rcvd: u32) -> f64 {
    if sent == 0 {
        return 0.0;
    }
    let frac = rcvd as f32 / sent as f32;
    f64::from(100.0f32 - 100.0f32 * frac).ceil()
}

/// The statistics block printed at the end of a run.
pub fn summary(name: &str, sent: u32, ooo: usize, elapsed_us: i64, rtt: &Rtt) -> String {
    let mut s = format!(
        "\n--- {name} ping statistics ---\n\
         {} packets transmitted, {} received, {ooo} out-of-order, {:.0}% packet loss, time: {:.3} ms\n",
        sent as i32,
        rtt.n as i32,
        loss(sent, rtt.n),
        elapsed_us as f64 / 1000.0
    );
    if rtt.n > 0 {
        let f = if rtt.avg < US_BELOW_MS { 1000.0 } else { 1.0 };
        let mdev = match rtt.mdev() {
            Some(m) => format!("{:.3}", m * f),
            None => "NaN".to_string(),
        };
        s.push_str(&format!(
            "rtt min/avg/max/mdev = {:.3}/{:.3}/{:.3}/{mdev} {}\n",
            rtt.min * f,
            rtt.avg * f,
            rtt.max * f,
            unit(rtt.avg)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtt_of(samples: &[f64]) -> Rtt {
        let mut r = Rtt::default();
        for &s in samples {
            r.add(s);
        }
        r
    }

    #[test]
    fn welford_matches_the_two_pass_formula() {
        let xs = [0.212, 0.074, 0.5, 1.25, 0.3];
        let r = rtt_of(&xs);
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        assert!((r.avg - mean).abs() < 1e-12);
        assert!((r.mdev().unwrap() - var.sqrt()).abs() < 1e-12);
        assert_eq!((r.min, r.max, r.n), (0.074, 1.25, 5));
    }

    #[test]
    fn one_reply_has_no_mdev() {
        let r = rtt_of(&[0.5]);
        assert_eq!(r.mdev(), None);
        assert_eq!(
            summary("x", 1, 0, 1_000_123, &r),
            "\n--- x ping statistics ---\n\
             1 packets transmitted, 1 received, 0 out-of-order, 0% packet loss, time: 1000.123 ms\n\
             rtt min/avg/max/mdev = 0.500/0.500/0.500/NaN ms\n"
        );
    }

    #[test]
    fn the_average_picks_the_unit_of_the_whole_line() {
        // observed upstream: 97, 44 and 112 µs
        let r = rtt_of(&[0.097, 0.044, 0.112]);
        assert_eq!(
            summary("op", 3, 0, 300_644, &r),
            "\n--- op ping statistics ---\n\
             3 packets transmitted, 3 received, 0 out-of-order, 0% packet loss, time: 300.644 ms\n\
             rtt min/avg/max/mdev = 44.000/84.333/112.000/35.726 µs\n"
        );
        // an average of 0.1 ms or more prints ms, even with µs samples
        let r = rtt_of(&[0.05, 0.15]);
        assert!(summary("a", 2, 0, 0, &r).ends_with("= 0.050/0.100/0.150/0.071 ms\n"));
    }

    #[test]
    fn no_reply_no_rtt_line() {
        let s = summary("srv", 4, 0, 4_000_000, &Rtt::default());
        assert_eq!(
            s,
            "\n--- srv ping statistics ---\n\
             4 packets transmitted, 0 received, 0 out-of-order, 100% packet loss, time: 4000.000 ms\n"
        );
    }

    #[test]
    fn loss_is_rounded_up() {
        assert_eq!(loss(0, 0), 0.0);
        assert_eq!(loss(3, 3), 0.0);
        assert_eq!(loss(3, 2), 34.0);
        assert_eq!(loss(3, 1), 67.0);
        assert_eq!(loss(1000, 999), 1.0);
        assert_eq!(loss(4, 0), 100.0);
        // float arithmetic as upstream: 1 - 0.99999 rounds up to 1%
        assert_eq!(loss(100_000, 99_999), 1.0);
    }

    #[test]
    fn reply_lines_switch_to_microseconds_below_a_tenth_of_a_ms() {
        assert_eq!(
            reply_line(64, "oping.srv", 0, 0.212, false),
            "64 bytes from oping.srv: seq=0 time=0.212 ms\n"
        );
        assert_eq!(
            reply_line(64, "oping.srv", 1, 0.074, false),
            "64 bytes from oping.srv: seq=1 time=74.000 µs\n"
        );
        assert_eq!(
            reply_line(64, "s", 2, 0.1, true),
            "64 bytes from s: seq=2 time=0.100 ms [out-of-order]\n"
        );
        assert!(reply_line(64, "s", 3, 0.099, false).contains("time=99.000 µs"));
        assert!("µs".as_bytes() == [0xc2, 0xb5, b's']);
    }

    #[test]
    fn timeofday_pads_microseconds() {
        let t = Ts {
            sec: 1_795_402_983,
            nsec: 982_243_999,
        };
        assert_eq!(timeofday_prefix(&t), "[1795402983.982243] ");
        let t = Ts {
            sec: 5,
            nsec: 1_000,
        };
        assert_eq!(timeofday_prefix(&t), "[5.000001] ");
    }

    #[test]
    fn rtt_has_microsecond_resolution() {
        let sent = Ts {
            sec: 10,
            nsec: 999_999_000,
        };
        // (11 - 10) s + (72_999 - 999_999_000) ns / 1000, truncated toward
        // zero (flooring would give 73 µs)
        let now = Ts {
            sec: 11,
            nsec: 72_999,
        };
        assert_eq!(rtt_ms(&now, &sent), 0.074);
        let now = Ts {
            sec: 10,
            nsec: 999_999_999,
        };
        assert_eq!(rtt_ms(&now, &sent), 0.0);
    }

    #[test]
    fn counters_print_as_signed_ints() {
        let s = summary("a", u32::MAX, 0, 0, &Rtt::default());
        assert!(s.contains("\n-1 packets transmitted, 0 received"), "{s}");
    }
}
