//! operf's command line: whole-word options, values in the next argument,
//! numbers read the way C's `strtol` reads them.

use tools_common::cnum::{ms_per_unit, strtol};

/// Printed for `--help` and any unknown option.
pub const USAGE: &str = "Usage: operf [OPTION]...\n\
Measures bandwidth between a client and a server\n\
\x20 -l, --listen              Run in server mode\n\
\x20 -t, --test                The type of test [uni, bi] (default uni)\n\
\x20 -n, --server-name         Name of the operf server\n\
\x20 -d, --duration            Test duration (default 60s)\n\
\x20 -r, --rate                Rate (b/s)\n\
\x20 -s, --size                Payload size (B, default 1500)\n\
\x20 -f, --flood               Send packets as fast as possible\n\
\x20     --sleep               Sleep in between sending packets\n\
\n\
\x20     --help                Display this help text and exit\n";

/// Largest payload (the receive buffers' size).
pub const MAX_SIZE: i32 = 1024 * 1024;
/// Smallest payload.
pub const MIN_SIZE: i32 = 64;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub listen: bool,
    /// `-t` value; `Some(None)` when `-t` ended the command line.
    pub test: Option<Option<String>>,
    pub server_name: Option<String>,
    pub duration_ms: i32,
    pub rate: i64,
    pub size: i32,
    pub flood: bool,
    pub sleep: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            listen: false,
            test: None,
            server_name: None,
            duration_ms: 60_000,
            rate: 1_000_000,
            size: 1500,
            flood: false,
            sleep: false,
        }
    }
}

/// The program ends here: `text` to standard output, then `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    pub text: String,
    pub code: i32,
}

impl Exit {
    fn new(text: impl Into<String>, code: i32) -> Exit {
        Exit {
            text: text.into(),
            code,
        }
    }
}

/// The two tests, with their value in the configuration message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    Uni = 0,
    Bi = 1,
}

/// A validated client run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub server_name: String,
    pub test: Test,
    pub duration_ms: i32,
    pub rate: i64,
    pub size: i32,
    pub flood: bool,
    pub sleep: bool,
}

/// Milliseconds per time unit (none or `ms`, `s`, `m`, `h`, `d`).
pub fn time_mul(unit: &str) -> Result<i32, Exit> {
    // at most a day's milliseconds: fits an int
    ms_per_unit(unit)
        .map(|ms| ms as i32)
        .ok_or_else(|| Exit::new(format!("Unknown time unit: {unit}.\n"), 1))
}

/// Bits per second per rate unit: none or `k` (so a bare number means
/// kb/s), `M`, `G`.
pub fn rate_mul(unit: &str) -> Result<i64, Exit> {
    match unit {
        "" | "k" => Ok(1000),
        "M" => Ok(1_000_000),
        "G" => Ok(1_000_000_000),
        _ => Err(Exit::new(format!("Unknown rate unit: {unit}.\n"), 1)),
    }
}

/// Parses the arguments after the program name, in order; the first
/// problem ends the program.
pub fn parse(args: &[String]) -> Result<Options, Exit> {
    let mut o = Options::default();
    let mut it = args.iter();
    // Upstream reads a value option's argument without checking that one
    // follows (and crashes on a number); a missing number gets the usage.
    let missing = || Exit::new(USAGE, 1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-n" | "--server-name" => o.server_name = it.next().cloned(),
            "-s" | "--size" => {
                let v = it.next().ok_or_else(missing)?;
                o.size = strtol(v).0 as i32;
            }
            "-d" | "--duration" => {
                let (v, unit) = strtol(it.next().ok_or_else(missing)?);
                o.duration_ms = (v as i32).wrapping_mul(time_mul(unit)?);
            }
            "-r" | "--rate" => {
                let (v, unit) = strtol(it.next().ok_or_else(missing)?);
                o.rate = v.wrapping_mul(rate_mul(unit)?);
            }
            "-f" | "--flood" => o.flood = true,
            "--sleep" => o.sleep = true,
            "-l" | "--listen" => o.listen = true,
            "-t" | "--test" => o.test = Some(it.next().cloned()),
            _ => return Err(Exit::new(USAGE, 0)),
        }
    }
    Ok(o)
}

/// Checks a client run; also returns the notes to print about adjusted
/// packet sizes.
pub fn client(o: &Options) -> Result<(Client, String), Exit> {
    let Some(server_name) = o.server_name.clone() else {
        return Err(Exit::new("No server specified.\n", 1));
    };
    let test = match &o.test {
        None => Test::Uni,
        Some(Some(t)) if t == "uni" => Test::Uni,
        Some(Some(t)) if t == "bi" => Test::Bi,
        Some(Some(_)) => return Err(Exit::new("Invalid test type.\n", 1)),
        // `-t` without a value: upstream compares a NULL string here
        Some(None) => return Err(Exit::new(USAGE, 1)),
    };
    let mut notes = String::new();
    let size = tools_common::size::clamp(o.size, MIN_SIZE, MAX_SIZE, &mut notes);
    Ok((
        Client {
            server_name,
            test,
            duration_ms: o.duration_ms,
            rate: o.rate,
            size,
            flood: o.flood,
            sleep: o.sleep,
        },
        notes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn usage_is_appendix_a27() {
        let expected = concat!(
            "Usage: operf [OPTION]...\n",
            "Measures bandwidth between a client and a server\n",
            "  -l, --listen              Run in server mode\n",
            "  -t, --test                The type of test [uni, bi] (default uni)\n",
            "  -n, --server-name         Name of the operf server\n",
            "  -d, --duration            Test duration (default 60s)\n",
            "  -r, --rate                Rate (b/s)\n",
            "  -s, --size                Payload size (B, default 1500)\n",
            "  -f, --flood               Send packets as fast as possible\n",
            "      --sleep               Sleep in between sending packets\n",
            "\n",
            "      --help                Display this help text and exit\n",
        );
        assert_eq!(USAGE, expected);
    }

    #[test]
    fn defaults() {
        let o = parse(&[]).unwrap();
        assert_eq!(o, Options::default());
        assert_eq!((o.duration_ms, o.rate, o.size), (60_000, 1_000_000, 1500));
        assert!(!o.listen && !o.flood && !o.sleep);
    }

    #[test]
    fn time_units() {
        for (v, ms) in [
            ("5", 5),
            ("5ms", 5),
            ("2s", 2000),
            ("3m", 180_000),
            ("1h", 3_600_000),
            ("1d", 86_400_000),
        ] {
            let o = parse(&args(&["-d", v])).unwrap();
            assert_eq!(o.duration_ms, ms, "{v}");
        }
        let e = parse(&args(&["--duration", "5x"])).unwrap_err();
        assert_eq!(e, Exit::new("Unknown time unit: x.\n", 1));
        let e = parse(&args(&["-d", "ten"])).unwrap_err();
        assert_eq!(e.text, "Unknown time unit: ten.\n");
    }

    #[test]
    fn rate_units_bare_number_is_kbps() {
        for (v, bps) in [
            ("5", 5000),
            ("5k", 5000),
            ("5M", 5_000_000),
            ("2G", 2_000_000_000),
        ] {
            assert_eq!(parse(&args(&["-r", v])).unwrap().rate, bps, "{v}");
        }
        let e = parse(&args(&["--rate", "5m"])).unwrap_err();
        assert_eq!(e, Exit::new("Unknown rate unit: m.\n", 1));
    }

    #[test]
    fn unknown_option_and_help_print_usage_exit_0() {
        for a in [
            &["--help"][..],
            &["-x"],
            &["-lf"],
            &["--size=5"],
            &["-l", "bogus"],
        ] {
            assert_eq!(parse(&args(a)).unwrap_err(), Exit::new(USAGE, 0), "{a:?}");
        }
    }

    #[test]
    fn unit_error_comes_before_later_options() {
        let e = parse(&args(&["-d", "1y", "--help"])).unwrap_err();
        assert_eq!(e.code, 1);
        assert_eq!(e.text, "Unknown time unit: y.\n");
    }

    #[test]
    fn missing_number_prints_usage_exit_1() {
        for a in [&["-s"][..], &["-l", "-d"], &["-r"]] {
            assert_eq!(parse(&args(a)).unwrap_err(), Exit::new(USAGE, 1), "{a:?}");
        }
    }

    #[test]
    fn client_checks() {
        let o = parse(&args(&["-t", "bi"])).unwrap();
        assert_eq!(
            client(&o).unwrap_err(),
            Exit::new("No server specified.\n", 1)
        );
        let o = parse(&args(&["-n"])).unwrap();
        assert_eq!(client(&o).unwrap_err().text, "No server specified.\n");
        let o = parse(&args(&["-n", "srv", "-t", "tri"])).unwrap();
        assert_eq!(
            client(&o).unwrap_err(),
            Exit::new("Invalid test type.\n", 1)
        );
        let o = parse(&args(&["-n", "srv", "-t"])).unwrap();
        assert_eq!(client(&o).unwrap_err(), Exit::new(USAGE, 1));
        let o = parse(&args(&["-n", "srv", "-t", "bi", "-f", "--sleep"])).unwrap();
        let (c, notes) = client(&o).unwrap();
        assert_eq!(c.test, Test::Bi);
        assert_eq!(c.server_name, "srv");
        assert!(c.flood && c.sleep);
        assert_eq!(notes, "");
        // a server ignores -t entirely
        let o = parse(&args(&["-l", "-t"])).unwrap();
        assert!(o.listen);
    }

    #[test]
    fn size_limits() {
        let o = parse(&args(&["-n", "s", "-s", "2000000"])).unwrap();
        let (c, notes) = client(&o).unwrap();
        assert_eq!(c.size, MAX_SIZE);
        assert_eq!(notes, "Packet size truncated to 1048576 bytes.\n");
        let o = parse(&args(&["-n", "s", "--size", "10"])).unwrap();
        let (c, notes) = client(&o).unwrap();
        assert_eq!(c.size, 64);
        assert_eq!(notes, "Packet size set to 64 bytes.\n");
        let o = parse(&args(&["-n", "s", "-s", "abc"])).unwrap();
        assert_eq!(client(&o).unwrap().0.size, 64);
        let o = parse(&args(&["-n", "s", "-s", "1048576"])).unwrap();
        assert_eq!(
            client(&o).unwrap(),
            (
                Client {
                    size: 1048576,
                    ..client(&o).unwrap().0
                },
                String::new()
            )
        );
    }
}
