//! ovpn: carries IP traffic over an Ouroboros flow between two TUN
//! devices (`ovpn -i <ip> -m <mask> [-n <server>]`: a client with `-n`, a
//! server without), with upstream 0.23.0's command line, output and exit
//! codes. Linux only; must run as root.

mod getopt;
mod tun;

use getopt::{Getopt, HasArg, Item, LongOpt};
use ouroboros::dev::Flow;
use ouroboros::qos::QosSpec;
use ouroboros::Error;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::time::Duration;
use tools_common::{inet, out, signals, start, stdio};

/// Printed for `-h`/`--help`, and after a bad command line.
pub const USAGE: &str = "Usage: ovpn [OPTION]...\n\
Sends TCP/IP traffic over Ouroboros\n\
\n\
\x20 -n, --name                Run as client, name of ovpn server to connect to\n\
\x20 -i, --ip                  IP address to give to TUN device\n\
\x20 -m, --mask                Subnet mask to give to TUN device\n\
\n\
\x20     --help                Display this help text and exit\n";

const SHORT: &str = "i:m:n:Ch";

const LONG: &[LongOpt] = &[
    LongOpt {
        name: "ip",
        has_arg: HasArg::Required,
        val: 'i',
    },
    LongOpt {
        name: "mask",
        has_arg: HasArg::Required,
        val: 'm',
    },
    LongOpt {
        name: "name",
        has_arg: HasArg::Required,
        val: 'n',
    },
    LongOpt {
        name: "help",
        has_arg: HasArg::No,
        val: 'h',
    },
];

/// Largest packet copied either way.
const BUF_SIZE: usize = 65536;
/// How often the copying threads look at the stop flag.
const TICK: Duration = Duration::from_millis(100);
/// Pause after a failed read (upstream retries at once, spinning).
const BACKOFF: Duration = Duration::from_millis(10);

/// A valid command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Network byte order.
    pub ip: [u8; 4],
    pub mask: [u8; 4],
    /// The server to connect to; a server when absent.
    pub name: Option<String>,
}

/// What the command line leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Run(Config),
    Exit {
        stdout: String,
        stderr: String,
        code: i32,
    },
}

fn fail(text: String) -> Parsed {
    Parsed::Exit {
        stdout: text + USAGE,
        stderr: String::new(),
        code: 1,
    }
}

/// Parses `argv` (program name first) with getopt's rules; options take
/// effect in order and the first problem ends the program.
pub fn parse(g: Getopt<'_>) -> Parsed {
    let mut g = g;
    let mut ip = [0u8; 4];
    // all ones doubles as "not given", as upstream's -1
    let mut mask = [255u8; 4];
    let mut name = None;
    for item in g.by_ref() {
        match item {
            Item::Error(msg) => {
                return Parsed::Exit {
                    stdout: String::new(),
                    stderr: msg,
                    code: 1,
                }
            }
            Item::Opt('i', Some(v)) => match inet::parse_ipv4(&v) {
                Some(a) => ip = a,
                None => return fail(format!("Invalid IP address: {v}.\n\n")),
            },
            Item::Opt('m', Some(v)) => match inet::parse_ipv4(&v).filter(|m| inet::mask_ok(*m)) {
                Some(m) => mask = m,
                None => return fail(format!("Invalid subnet mask: {v}.\n\n")),
            },
            Item::Opt('n', v) => name = v,
            Item::Opt('h', _) => {
                return Parsed::Exit {
                    stdout: USAGE.into(),
                    stderr: String::new(),
                    code: 0,
                }
            }
            // -C: accepted by getopt, then refused without a word
            Item::Opt(..) => {
                return Parsed::Exit {
                    stdout: String::new(),
                    stderr: String::new(),
                    code: 1,
                }
            }
        }
    }
    if !g.operands().is_empty() {
        let mut text = String::from("Unknown arguments specified: ");
        for a in g.operands() {
            text.push_str(a);
            text.push(' ');
        }
        text.push_str("\n\n");
        return fail(text);
    }
    if ip == [0; 4] {
        return fail("Please specify an IP address.\n\n".into());
    }
    if mask == [255; 4] {
        return fail("Please specify a subnetmask.\n\n".into());
    }
    Parsed::Run(Config { ip, mask, name })
}

/// Flow to TUN device.
fn flow_to_tun(flow: &Flow, mut tun: &std::fs::File) {
    let _ = flow.set_read_timeout(Some(TICK));
    let mut buf = vec![0u8; BUF_SIZE];
    while !signals::stopped() {
        match flow.read(&mut buf) {
            Ok(0) | Err(Error::TimedOut) => {}
            Ok(n) => {
                let _ = tun.write(&buf[..n]);
            }
            Err(_) => std::thread::sleep(BACKOFF),
        }
    }
}

/// TUN device to flow.
fn tun_to_flow(mut tun: &std::fs::File, flow: &Flow) {
    let mut buf = vec![0u8; BUF_SIZE];
    while !signals::stopped() {
        let mut pfd = libc::pollfd {
            fd: tun.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: polls one descriptor we hold open.
        let r = unsafe { libc::poll(&mut pfd, 1, TICK.as_millis() as libc::c_int) };
        if r <= 0 {
            if r < 0 {
                std::thread::sleep(BACKOFF);
            }
            continue;
        }
        match tun.read(&mut buf) {
            Ok(n) if n > 0 => {
                let _ = flow.write(&buf[..n]);
            }
            _ => std::thread::sleep(BACKOFF),
        }
    }
}

fn run(cfg: &Config) -> i32 {
    let flow = match &cfg.name {
        Some(name) => {
            out!("Allocating a flow to {name}.\n");
            match Flow::alloc(name, Some(QosSpec::RAW), None) {
                Ok(f) => f,
                Err(_) => {
                    out!("Failed to allocate flow.\n");
                    return 1;
                }
            }
        }
        None => {
            out!("Waiting for a new flow...\n");
            match Flow::accept(None) {
                Ok(f) => f,
                Err(_) => {
                    out!("Failed to accept flow.\n");
                    return 1;
                }
            }
        }
    };
    out!("Flow allocated.\n");
    let tun = match tun::open(cfg.ip, cfg.mask) {
        Ok(t) => t,
        Err(_) => {
            out!("Failed to open tunnel device.\n");
            let _ = flow.dealloc();
            return 1;
        }
    };
    out!("Tunnel device name is {}.\n", tun.name);
    // from here on these signals end the program cleanly
    let _ = signals::catch(&[libc::SIGINT, libc::SIGQUIT, libc::SIGHUP, libc::SIGTERM]);
    out!("Starting read/write threads.\n");
    std::thread::scope(|s| {
        s.spawn(|| flow_to_tun(&flow, &tun.file));
        s.spawn(|| tun_to_flow(&tun.file, &flow));
        signals::wait();
        out!("Shutting down...\n");
    });
    drop(tun);
    let _ = flow.dealloc();
    0
}

fn main() {
    // the library's constructor runs before upstream's main: FATAL first
    start::init();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        out!("ovpn must be run as root.\n");
        stdio::exit(1);
    }
    let argv = start::argv();
    let code = match parse(Getopt::new(&argv, SHORT, LONG)) {
        Parsed::Exit {
            stdout,
            stderr,
            code,
        } => {
            eprint!("{stderr}");
            out!("{stdout}");
            code
        }
        Parsed::Run(cfg) => run(&cfg),
    };
    stdio::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(v: &[&str]) -> Parsed {
        let argv: Vec<String> = std::iter::once("ovpn")
            .chain(v.iter().copied())
            .map(String::from)
            .collect();
        parse(Getopt::new(&argv, SHORT, LONG).posix(false))
    }

    fn out_exit(text: &str, code: i32) -> Parsed {
        Parsed::Exit {
            stdout: text.into(),
            stderr: String::new(),
            code,
        }
    }

    fn err_exit(text: &str) -> Parsed {
        Parsed::Exit {
            stdout: String::new(),
            stderr: text.into(),
            code: 1,
        }
    }

    #[test]
    fn usage_is_appendix_a29() {
        let expected = concat!(
            "Usage: ovpn [OPTION]...\n",
            "Sends TCP/IP traffic over Ouroboros\n",
            "\n",
            "  -n, --name                Run as client, name of ovpn server to connect to\n",
            "  -i, --ip                  IP address to give to TUN device\n",
            "  -m, --mask                Subnet mask to give to TUN device\n",
            "\n",
            "      --help                Display this help text and exit\n",
        );
        assert_eq!(USAGE, expected);
    }

    #[test]
    fn good_command_lines() {
        assert_eq!(
            parse_args(&["-i", "10.8.0.1", "-m", "255.255.255.0"]),
            Parsed::Run(Config {
                ip: [10, 8, 0, 1],
                mask: [255, 255, 255, 0],
                name: None
            })
        );
        assert_eq!(
            parse_args(&["--mask=255.0.0.0", "--name", "vpn", "--ip", "10.0.0.2"]),
            Parsed::Run(Config {
                ip: [10, 0, 0, 2],
                mask: [255, 0, 0, 0],
                name: Some("vpn".into())
            })
        );
    }

    #[test]
    fn help() {
        assert_eq!(parse_args(&["-h"]), out_exit(USAGE, 0));
        assert_eq!(parse_args(&["--help", "-x"]), out_exit(USAGE, 0));
        assert_eq!(parse_args(&["--he"]), out_exit(USAGE, 0));
    }

    #[test]
    fn getopt_errors_go_to_stderr() {
        assert_eq!(
            parse_args(&["-x"]),
            err_exit("ovpn: invalid option -- 'x'\n")
        );
        assert_eq!(
            parse_args(&["--bogus"]),
            err_exit("ovpn: unrecognized option '--bogus'\n")
        );
        assert_eq!(
            parse_args(&["-i"]),
            err_exit("ovpn: option requires an argument -- 'i'\n")
        );
        assert_eq!(
            parse_args(&["-x", "-h"]),
            err_exit("ovpn: invalid option -- 'x'\n")
        );
        // -C is accepted by getopt and refused in silence
        assert_eq!(parse_args(&["-C"]), out_exit("", 1));
    }

    #[test]
    fn bad_values() {
        assert_eq!(
            parse_args(&["-i", "10.8.0.300"]),
            out_exit(&format!("Invalid IP address: 10.8.0.300.\n\n{USAGE}"), 1)
        );
        assert_eq!(
            parse_args(&["-i", "10.8.0.1", "-m", "255.0.255.0"]),
            out_exit(&format!("Invalid subnet mask: 255.0.255.0.\n\n{USAGE}"), 1)
        );
        assert_eq!(
            parse_args(&["-m", "nope", "-i", "bad"]),
            out_exit(&format!("Invalid subnet mask: nope.\n\n{USAGE}"), 1)
        );
    }

    #[test]
    fn missing_and_extra_arguments() {
        assert_eq!(
            parse_args(&["a", "-i", "10.8.0.1", "b", "-m", "255.255.255.0"]),
            out_exit(&format!("Unknown arguments specified: a b \n\n{USAGE}"), 1)
        );
        assert_eq!(
            parse_args(&[]),
            out_exit(&format!("Please specify an IP address.\n\n{USAGE}"), 1)
        );
        assert_eq!(
            parse_args(&["-i", "0.0.0.0", "-m", "255.0.0.0"]),
            out_exit(&format!("Please specify an IP address.\n\n{USAGE}"), 1)
        );
        assert_eq!(
            parse_args(&["-i", "10.8.0.1"]),
            out_exit(&format!("Please specify a subnetmask.\n\n{USAGE}"), 1)
        );
        // all ones is upstream's "not given"
        assert_eq!(
            parse_args(&["-i", "10.8.0.1", "-m", "255.255.255.255"]),
            out_exit(&format!("Please specify a subnetmask.\n\n{USAGE}"), 1)
        );
    }
}
