//! ocbr's command line: hand-written matching of whole arguments, values
//! in the next argument, rates with k/M/G suffixes, and the client checks.

use tools_common::cnum::strtol;

/// Largest packet (the receive buffer size).
pub const BUF_SIZE: i64 = 524_288;

pub const USAGE: &str = "\
Usage: cbr [OPTION]...
Sends packets from client to server at a constant bit rate.

  -l, --listen              Run in server mode

Server options:
  -i, --interval            Server report interval (s)
  -t, --timeout             Server timeout interval (s)

Client options:
  -n, --server_apn          Specify the name of the server.
  -d, --duration            Duration for sending (s)
  -f, --flood               Send packets as fast as possible
  -s, --size                packet size (B, max 524288 B)
  -r, --rate                Rate (b/s)
      --sleep               Sleep in between sending packets
      --spin                Spin CPU between sending packets


      --help                Display this help text and exit
";

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub server: bool,
    pub name: String,
    /// Server report interval (s).
    pub interval: i64,
    /// Server silence limit (s).
    pub timeout: i64,
    /// Client send duration (s).
    pub duration: i32,
    /// Packet size (B).
    pub size: i32,
    /// Client rate (b/s).
    pub rate: i64,
    pub flood: bool,
    /// Sleep (true) or spin (false) between packets.
    pub sleep: bool,
}

#[derive(Debug, PartialEq)]
pub enum Cli {
    Run(Config),
    /// Print `text` and exit with `code` without running.
    Exit {
        text: String,
        code: i32,
    },
}

fn usage(prefix: &str, code: i32) -> Cli {
    Cli::Exit {
        text: format!("{prefix}{USAGE}"),
        code,
    }
}

/// `strtol` and a multiplier for a `k`, `M` or `G` right after the digits.
fn rate_of(v: &str) -> i64 {
    let (n, rem) = strtol(v);
    match rem.bytes().next() {
        Some(b'k') => n.wrapping_mul(1000),
        Some(b'M') => n.wrapping_mul(1_000_000),
        Some(b'G') => n.wrapping_mul(1_000_000_000),
        _ => n,
    }
}

/// Interprets `args` (without the program name).
pub fn parse(args: &[String]) -> Cli {
    let mut c = Config {
        server: false,
        name: String::new(),
        interval: 1,
        timeout: 1,
        duration: 60,
        size: 1000,
        rate: 1_000_000,
        flood: false,
        sleep: true,
    };
    let mut name: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let value = args.get(i + 1).map(String::as_str);
        match arg {
            "-n" | "--server_apn" => {
                // a missing value leaves no name (upstream reads argv's NULL)
                name = value.map(String::from);
                i += 1;
            }
            "-i" | "--interval" | "-t" | "--timeout" | "-d" | "--duration" | "-s" | "--size"
            | "-r" | "--rate" => {
                // upstream crashes on a missing value; we print the usage
                let Some(v) = value else {
                    return usage("", 0);
                };
                let n = strtol(v).0;
                match arg {
                    "-i" | "--interval" => c.interval = n,
                    "-t" | "--timeout" => c.timeout = n,
                    "-d" | "--duration" => c.duration = n as i32,
                    "-s" | "--size" => c.size = n as i32,
                    _ => c.rate = rate_of(v),
                }
                i += 1;
            }
            "-l" | "--listen" => c.server = true,
            "-f" | "--flood" => c.flood = true,
            "--sleep" => c.sleep = true,
            "--spin" => c.sleep = false,
            _ => return usage("", 0),
        }
        i += 1;
    }
    if c.server {
        return Cli::Run(c);
    }
    let Some(name) = name else {
        return usage("No server specified.\n", 1);
    };
    let fail = |text: String| Cli::Exit { text, code: 1 };
    if i64::from(c.size) > BUF_SIZE {
        return fail(format!("Maximum size: {BUF_SIZE}.\n"));
    }
    if c.size < 0 {
        return fail("Size overflow.\n".into());
    }
    if c.rate <= 0 {
        return fail("Invalid rate.\n".into());
    }
    c.name = name;
    Cli::Run(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn run(s: &str) -> Config {
        match parse(&args(s)) {
            Cli::Run(c) => c,
            other => panic!("{s}: {other:?}"),
        }
    }

    fn exit(s: &str) -> (String, i32) {
        match parse(&args(s)) {
            Cli::Exit { text, code } => (text, code),
            other => panic!("{s}: {other:?}"),
        }
    }

    /// Appendix A.26, byte for byte.
    const A26: &str = "Usage: cbr [OPTION]...\nSends packets from client to server at a constant bit rate.\n\n  -l, --listen              Run in server mode\n\nServer options:\n  -i, --interval            Server report interval (s)\n  -t, --timeout             Server timeout interval (s)\n\nClient options:\n  -n, --server_apn          Specify the name of the server.\n  -d, --duration            Duration for sending (s)\n  -f, --flood               Send packets as fast as possible\n  -s, --size                packet size (B, max 524288 B)\n  -r, --rate                Rate (b/s)\n      --sleep               Sleep in between sending packets\n      --spin                Spin CPU between sending packets\n\n\n      --help                Display this help text and exit\n";

    #[test]
    fn usage_is_appendix_a26() {
        assert_eq!(USAGE, A26);
        assert_eq!(exit("--help"), (A26.to_string(), 0));
        assert_eq!(exit("-l -x"), (A26.to_string(), 0));
        assert_eq!(exit("-lf"), (A26.to_string(), 0));
    }

    #[test]
    fn defaults() {
        let c = run("-n srv");
        assert_eq!(c.name, "srv");
        assert_eq!((c.duration, c.size, c.rate), (60, 1000, 1_000_000));
        assert!(c.sleep && !c.flood && !c.server);
        let c = run("-l");
        assert!(c.server);
        assert_eq!((c.interval, c.timeout), (1, 1));
    }

    #[test]
    fn long_forms() {
        let c = run("--server_apn s --duration 3 --size 64 --rate 5k --flood --spin");
        assert_eq!(
            (c.name.as_str(), c.duration, c.size, c.rate),
            ("s", 3, 64, 5000)
        );
        assert!(c.flood && !c.sleep);
        let c = run("--listen --interval 2 --timeout 7");
        assert_eq!((c.interval, c.timeout), (2, 7));
        assert!(run("-n a --spin --sleep").sleep);
    }

    #[test]
    fn rates_take_suffixes() {
        assert_eq!(run("-n a -r 3k").rate, 3_000);
        assert_eq!(run("-n a -r 2M").rate, 2_000_000);
        assert_eq!(run("-n a -r 1G").rate, 1_000_000_000);
        assert_eq!(run("-n a -r 7kbit").rate, 7_000);
        assert_eq!(run("-n a -r 7x").rate, 7);
        assert_eq!(run("-n a -r 10m").rate, 10);
    }

    #[test]
    fn client_checks() {
        assert_eq!(exit("-d 5"), (format!("No server specified.\n{A26}"), 1));
        assert_eq!(
            exit("-n a -s 524289"),
            ("Maximum size: 524288.\n".into(), 1)
        );
        assert_eq!(run("-n a -s 524288").size, 524_288);
        assert_eq!(exit("-n a -s -1"), ("Size overflow.\n".into(), 1));
        assert_eq!(exit("-n a -r 0"), ("Invalid rate.\n".into(), 1));
        assert_eq!(exit("-n a -r -5k"), ("Invalid rate.\n".into(), 1));
        assert_eq!(exit("-n a -r abc"), ("Invalid rate.\n".into(), 1));
        // the size check comes first
        assert_eq!(exit("-n a -r 0 -s 600000").0, "Maximum size: 524288.\n");
        // server mode checks nothing
        assert!(run("-l -s -5 -r 0").server);
    }

    #[test]
    fn missing_values() {
        // a missing name is no name; other values print the usage
        assert_eq!(exit("-n"), (format!("No server specified.\n{A26}"), 1));
        assert!(run("-l -n").server);
        for s in ["-l -i", "-l -t", "-n a -d", "-n a -s", "-n a -r"] {
            assert_eq!(exit(s), (A26.to_string(), 0), "{s}");
        }
    }

    #[test]
    fn numbers_are_c_ints() {
        assert_eq!(run("-n a -d 4294967301").duration, 5);
        assert_eq!(run("-n a -s 12abc").size, 12);
        assert_eq!(run("-l -i -3").interval, -3);
    }
}
