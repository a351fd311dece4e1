//! oping's command line: hand-written matching of whole arguments, values
//! in the next argument, time units, and the adjustments made before a
//! run (count from duration, QoS cube, interval and size limits).

use ouroboros::qos::QosSpec;
use tools_common::cnum::{ms_per_unit, strtol};

pub const USAGE: &str = "\
Usage: oping [OPTION]...

Checks liveness between a client and a server
and reports the Round Trip Time (RTT)

  -l, --listen            Run in server mode
      --poll              Server uses polling (lower latency)
      --busy              Server uses busy-poll (single flow)

  -c, --count             Number of packets
  -d, --duration          Duration of the test (default 1s)
  -f, --flood             Send back-to-back without waiting
  -F, --flood-busy        Flood with busy-polling (lower latency)
  -i, --interval          Interval (default 1000ms)
  -n, --server-name       Name of the oping server
  -q, --qos               QoS (raw, best, video, voice, data)
  -s, --size              Payload size (B, default 64)
  -Q, --quiet             Only print final statistics
  -D, --timeofday         Print time of day before each line

      --help              Display this help text and exit
";

/// Largest packet the client sends (and the receive buffer size).
pub const BUF_SIZE: i32 = 1500;
/// Smallest packet the client sends.
pub const MIN_SIZE: i32 = 64;
/// Longest interval in ms.
pub const MAX_INTERVAL: i32 = 10_000;

/// Settings for a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub server: bool,
    pub name: String,
    /// Milliseconds between packets (may be negative: no wait).
    pub interval: i32,
    pub count: u32,
    pub size: i32,
    pub qos: QosSpec,
    pub timestamp: bool,
    pub flood: bool,
    pub flood_busy: bool,
    pub quiet: bool,
    pub poll: bool,
    pub busy: bool,
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Cli {
    /// Run with these settings after printing `notices`.
    Run { notices: String, config: Config },
    /// Print `text` and exit with `code` without running.
    Exit { text: String, code: i32 },
}

fn unknown_unit(rem: &str) -> Cli {
    Cli::Exit {
        text: format!("Unknown time unit: {rem}.\n"),
        code: 1,
    }
}

fn usage_exit(prefix: &str) -> Cli {
    Cli::Exit {
        text: format!("{prefix}{USAGE}"),
        code: 1,
    }
}

/// Interprets `args` (without the program name).
pub fn parse(args: &[String]) -> Cli {
    let mut name: Option<String> = None;
    let mut interval: i32 = 1000;
    let mut count: u32 = i32::MAX as u32;
    let mut size: i32 = MIN_SIZE;
    let mut duration: i64 = 0;
    let mut qos: Option<&str> = None;
    let mut server = false;
    let (mut flood, mut flood_busy, mut timestamp) = (false, false, false);
    let (mut quiet, mut poll, mut busy) = (false, false, false);

    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let value = args.get(i + 1).map(String::as_str);
        match (arg, value) {
            ("-i" | "--interval", Some(v)) => {
                let (n, rem) = strtol(v);
                let Some(mul) = ms_per_unit(rem) else {
                    return unknown_unit(rem);
                };
                // an int in C: the long is cut to 32 bits, then multiplied
                interval = (n as i32).wrapping_mul(mul as i32);
                i += 1;
            }
            ("-n" | "--server-name", Some(v)) => {
                name = Some(v.to_string());
                i += 1;
            }
            ("-c" | "--count", Some(v)) => {
                count = strtol(v).0 as u32;
                i += 1;
            }
            ("-d" | "--duration", Some(v)) => {
                let (n, rem) = strtol(v);
                let Some(mul) = ms_per_unit(rem) else {
                    return unknown_unit(rem);
                };
                duration = n.wrapping_mul(mul);
                i += 1;
            }
            ("-s" | "--size", Some(v)) => {
                size = strtol(v).0 as i32;
                i += 1;
            }
            ("-q" | "--qos", Some(v)) => {
                qos = Some(v);
                i += 1;
            }
            ("-l" | "--listen", _) => server = true,
            ("-f" | "--flood", _) => flood = true,
            ("-F" | "--flood-busy", _) => flood_busy = true,
            ("-D" | "--timeofday", _) => timestamp = true,
            ("-Q" | "--quiet", _) => quiet = true,
            ("--poll", _) => poll = true,
            ("--busy", _) => busy = true,
            _ => return usage_exit(""),
        }
        i += 1;
    }

    if duration > 0 {
        count = if interval == 0 {
            duration.wrapping_mul(10) as u32
        } else {
            (duration / i64::from(interval)) as u32
        };
    }

    let mut notices = String::new();
    let qos = match qos {
        None => QosSpec::RAW,
        Some(q) => QosSpec::by_name(q).unwrap_or_else(|| {
            notices.push_str("Unknown QoS cube, defaulting to raw.\n");
            QosSpec::RAW
        }),
    };

    if !server {
        let Some(_) = name else {
            return usage_exit(&format!("{notices}No server specified.\n"));
        };
        if interval > MAX_INTERVAL {
            notices.push_str("Ping interval truncated to 10s.\n");
            interval = MAX_INTERVAL;
        }
        size = tools_common::size::clamp(size, MIN_SIZE, BUF_SIZE, &mut notices);
    }

    Cli::Run {
        notices,
        config: Config {
            server,
            name: name.unwrap_or_default(),
            interval,
            count,
            size,
            qos,
            timestamp,
            flood,
            flood_busy,
            quiet,
            poll,
            busy,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn run(s: &str) -> (String, Config) {
        match parse(&args(s)) {
            Cli::Run { notices, config } => (notices, config),
            other => panic!("{s}: {other:?}"),
        }
    }

    fn exit(s: &str) -> (String, i32) {
        match parse(&args(s)) {
            Cli::Exit { text, code } => (text, code),
            other => panic!("{s}: {other:?}"),
        }
    }

    /// Appendix A.24, byte for byte.
    const A24: &str = "Usage: oping [OPTION]...\n\nChecks liveness between a client and a server\nand reports the Round Trip Time (RTT)\n\n  -l, --listen            Run in server mode\n      --poll              Server uses polling (lower latency)\n      --busy              Server uses busy-poll (single flow)\n\n  -c, --count             Number of packets\n  -d, --duration          Duration of the test (default 1s)\n  -f, --flood             Send back-to-back without waiting\n  -F, --flood-busy        Flood with busy-polling (lower latency)\n  -i, --interval          Interval (default 1000ms)\n  -n, --server-name       Name of the oping server\n  -q, --qos               QoS (raw, best, video, voice, data)\n  -s, --size              Payload size (B, default 64)\n  -Q, --quiet             Only print final statistics\n  -D, --timeofday         Print time of day before each line\n\n      --help              Display this help text and exit\n";

    #[test]
    fn usage_is_appendix_a24() {
        assert_eq!(USAGE, A24);
        assert_eq!(exit("--help"), (A24.to_string(), 1));
    }

    #[test]
    fn defaults() {
        let (notices, c) = run("-n srv");
        assert_eq!(notices, "");
        assert_eq!(c.name, "srv");
        assert_eq!(c.interval, 1000);
        assert_eq!(c.count, 2_147_483_647);
        assert_eq!(c.size, 64);
        assert_eq!(c.qos, QosSpec::RAW);
        assert!(!c.server && !c.flood && !c.flood_busy && !c.quiet && !c.timestamp);
    }

    #[test]
    fn unknown_options_and_missing_values_print_usage() {
        for s in [
            "-x",
            "-n srv -lQ",
            "--interval=5",
            "-n srv -c",
            "-n",
            "-n srv -i",
            "-n srv -q",
            "--poll -n srv --count",
        ] {
            assert_eq!(exit(s), (A24.to_string(), 1), "{s}");
        }
    }

    #[test]
    fn options_take_the_next_argument_whatever_it_is() {
        let (_, c) = run("-n -l");
        assert_eq!(c.name, "-l");
        assert!(!c.server);
    }

    #[test]
    fn long_and_short_forms() {
        let (_, c) = run("--server-name a --count 5 --interval 20 --size 100 --qos data --flood --flood-busy --quiet --timeofday");
        assert_eq!(
            (c.name.as_str(), c.count, c.interval, c.size),
            ("a", 5, 20, 100)
        );
        assert_eq!(c.qos, QosSpec::DATA);
        assert!(c.flood && c.flood_busy && c.quiet && c.timestamp);
        let (_, c) = run("-l --poll --busy -Q");
        assert!(c.server && c.poll && c.busy && c.quiet);
    }

    #[test]
    fn time_units() {
        for (v, ms) in [
            ("5", 5),
            ("5ms", 5),
            ("2s", 2000),
            ("1m", 60_000),
            ("1h", 3_600_000),
            ("1d", 86_400_000),
        ] {
            let (_, c) = run(&format!("-n a -c 1 -i {v}"));
            assert_eq!(c.interval.min(10_000), ms.min(10_000), "{v}");
            let (_, c) = run(&format!("-n a -i 1 -d {v}"));
            assert_eq!(c.count, ms as u32, "-d {v}");
        }
        assert_eq!(exit("-n a -i 5us"), ("Unknown time unit: us.\n".into(), 1));
        assert_eq!(exit("-d x -n a"), ("Unknown time unit: x.\n".into(), 1));
        // the unit error comes as the option is read
        assert_eq!(exit("-i 1q -z"), ("Unknown time unit: q.\n".into(), 1));
        assert_eq!(exit("-z -i 1q").1, 1);
        assert!(exit("-z -i 1q").0.starts_with("Usage"));
    }

    #[test]
    fn duration_replaces_the_count_wherever_it_is() {
        let (_, c) = run("-d 10s -n a -c 3 -i 100");
        assert_eq!(c.count, 100);
        let (_, c) = run("-c 3 -i 0 -d 2 -n a");
        assert_eq!(c.count, 20);
        // computed with the interval before truncation
        let (n, c) = run("-n a -i 20s -d 60s");
        assert_eq!((c.count, c.interval), (3, 10_000));
        assert_eq!(n, "Ping interval truncated to 10s.\n");
        // zero or negative durations leave the count alone
        let (_, c) = run("-n a -c 7 -d 0");
        assert_eq!(c.count, 7);
    }

    #[test]
    fn numbers_wrap_like_c() {
        let (_, c) = run("-n a -c -1");
        assert_eq!(c.count, u32::MAX);
        let (_, c) = run("-n a -c 12abc");
        assert_eq!(c.count, 12);
        let (_, c) = run("-n a -c 4294967298");
        assert_eq!(c.count, 2);
        let (_, c) = run("-n a -i -5");
        assert_eq!(c.interval, -5);
    }

    #[test]
    fn adjustment_messages_in_order() {
        let (n, c) = run("-q bogus -n a -i 11000 -s 5000");
        assert_eq!(
            n,
            "Unknown QoS cube, defaulting to raw.\nPing interval truncated to 10s.\nPacket size truncated to 1500 bytes.\n"
        );
        assert_eq!((c.interval, c.size, c.qos), (10_000, 1500, QosSpec::RAW));
        let (n, c) = run("-n a -s 10");
        assert_eq!(n, "Packet size set to 64 bytes.\n");
        assert_eq!(c.size, 64);
        let (n, c) = run("-n a -s 1500 -i 10000");
        assert_eq!((n.as_str(), c.size, c.interval), ("", 1500, 10_000));
    }

    #[test]
    fn missing_server_after_the_qos_message() {
        let (t, code) = exit("-q nope");
        assert_eq!(
            t,
            format!("Unknown QoS cube, defaulting to raw.\nNo server specified.\n{A24}")
        );
        assert_eq!(code, 1);
        assert_eq!(exit("-c 5").0, format!("No server specified.\n{A24}"));
    }

    #[test]
    fn server_mode_skips_client_checks_but_not_the_qos_message() {
        let (n, c) = run("-l -q nope -i 50000 -s 1");
        assert_eq!(n, "Unknown QoS cube, defaulting to raw.\n");
        assert!(c.server);
        assert_eq!((c.interval, c.size), (50_000, 1));
    }

    #[test]
    fn qos_cubes() {
        for (n, q) in [
            ("raw", QosSpec::RAW),
            ("best", QosSpec::BEST_EFFORT),
            ("video", QosSpec::VIDEO),
            ("voice", QosSpec::VOICE),
            ("data", QosSpec::DATA),
        ] {
            assert_eq!(run(&format!("-n a -q {n}")).1.qos, q);
        }
    }
}
