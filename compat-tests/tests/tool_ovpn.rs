//! ovpn end to end: the root check, command-line errors (glibc getopt
//! wording on stderr) and exit codes; then an IP ping through the tunnel,
//! with server and client in one Ouroboros system but each in its own
//! network namespace with its own TUN device. With `UPSTREAM_PREFIX`, the
//! same with upstream's ovpn on either side.

mod tool_util;

use harness::System;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};
use tool_util::{ns_pid, run, run_ok, upstream, wait_log, Live, LIMIT};

const USAGE: &str = "Usage: ovpn [OPTION]...\n\
Sends TCP/IP traffic over Ouroboros\n\
\n\
\x20 -n, --name                Run as client, name of ovpn server to connect to\n\
\x20 -i, --ip                  IP address to give to TUN device\n\
\x20 -m, --mask                Subnet mask to give to TUN device\n\
\n\
\x20     --help                Display this help text and exit\n";

fn have_tun(test: &str) -> bool {
    let ok = std::path::Path::new("/dev/net/tun").exists();
    if !ok {
        eprintln!("{test}: /dev/net/tun missing, skipping the tunnel part");
    }
    ok
}

#[test]
fn ovpn_without_irmd_is_fatal() {
    let sys = System::new();
    let (c, out, err) = run(&sys, &["ovpn", "--help"]);
    assert_eq!((c, out.as_str()), (1, ""));
    assert_eq!(err, "FATAL: Could not announce to IRMd.\n");
}

#[test]
fn ovpn_command_line() {
    let sys = System::start();
    let ovpn = harness::bin("ovpn");
    let ovpn = ovpn.to_str().unwrap();
    // not root: refused before anything else, --help included
    let (c, out, err) = run(
        &sys,
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            ovpn,
            "--help",
        ],
    );
    assert_eq!(
        (c, out.as_str(), err.as_str()),
        (1, "ovpn must be run as root.\n", "")
    );

    let usage_after = |s: &str| format!("{s}\n\n{USAGE}");
    let cases: Vec<(&[&str], i32, String, String)> = vec![
        (&["--help"], 0, USAGE.into(), "".into()),
        (&["-h", "-x"], 0, USAGE.into(), "".into()),
        (&["--he"], 0, USAGE.into(), "".into()),
        (
            &["-x"],
            1,
            "".into(),
            format!("{ovpn}: invalid option -- 'x'\n"),
        ),
        (
            &["--bogus"],
            1,
            "".into(),
            format!("{ovpn}: unrecognized option '--bogus'\n"),
        ),
        (
            &["-i"],
            1,
            "".into(),
            format!("{ovpn}: option requires an argument -- 'i'\n"),
        ),
        (
            &["-m", "255.0.0.0", "--ip"],
            1,
            "".into(),
            format!("{ovpn}: option '--ip' requires an argument\n"),
        ),
        (
            &["--help=1"],
            1,
            "".into(),
            format!("{ovpn}: option '--help' doesn't allow an argument\n"),
        ),
        (&["-C"], 1, "".into(), "".into()),
        (
            &["-i", "10.8.0.256"],
            1,
            usage_after("Invalid IP address: 10.8.0.256."),
            "".into(),
        ),
        (
            &["-i", "10.8.0.1", "--mask", "255.0.255.0"],
            1,
            usage_after("Invalid subnet mask: 255.0.255.0."),
            "".into(),
        ),
        (
            &["one", "-i", "10.8.0.1", "two", "-m", "255.255.255.0"],
            1,
            usage_after("Unknown arguments specified: one two "),
            "".into(),
        ),
        (
            &[],
            1,
            usage_after("Please specify an IP address."),
            "".into(),
        ),
        (
            &["-i", "10.8.0.1"],
            1,
            usage_after("Please specify a subnetmask."),
            "".into(),
        ),
        (
            &["-i", "10.8.0.1", "-m", "255.255.255.0", "-n", "nowhere"],
            1,
            "Allocating a flow to nowhere.\nFailed to allocate flow.\n".into(),
            "".into(),
        ),
    ];
    for (args, want_code, want_out, want_err) in cases {
        let mut argv = vec!["timeout", "-s", "KILL", "60", ovpn];
        argv.extend_from_slice(args);
        let (c, out, err) = run(&sys, &argv);
        assert_eq!((c, out, err), (want_code, want_out, want_err), "{args:?}");
    }
}

/// Internet checksum.
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// `ping -c <count> -W 2 <dst>` from the network namespace of process
/// `pid` (host pid): the number of echo replies.
fn ping_from(pid: i32, dst: [u8; 4], count: u16) -> u16 {
    std::thread::spawn(move || {
        let ns = std::fs::File::open(format!("/proc/{pid}/ns/net")).expect("netns");
        // SAFETY: moves this (short-lived) thread into that namespace.
        assert_eq!(
            unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) },
            0,
            "setns"
        );
        // SAFETY: plain socket(2), closed below.
        let s = unsafe { libc::socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP) };
        assert!(s >= 0, "raw socket");
        let tv = libc::timeval {
            tv_sec: 0,
            tv_usec: 100_000,
        };
        // SAFETY: a timeval option of the right size.
        unsafe {
            libc::setsockopt(
                s,
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as u32,
            )
        };
        let mut to: libc::sockaddr_in = unsafe { std::mem::zeroed() };
        to.sin_family = libc::AF_INET as u16;
        to.sin_addr.s_addr = u32::from_ne_bytes(dst);
        let id = (std::process::id() & 0xffff) as u16;
        let mut replies = 0;
        for seq in 1..=count {
            let mut pkt = vec![8u8, 0, 0, 0];
            pkt.extend_from_slice(&id.to_be_bytes());
            pkt.extend_from_slice(&seq.to_be_bytes());
            pkt.extend((0..56).map(|i| i as u8));
            let sum = checksum(&pkt);
            pkt[2..4].copy_from_slice(&sum.to_be_bytes());
            // SAFETY: sends our buffer to a sockaddr_in of the right size.
            let n = unsafe {
                libc::sendto(
                    s,
                    pkt.as_ptr().cast(),
                    pkt.len(),
                    0,
                    (&to as *const libc::sockaddr_in).cast(),
                    std::mem::size_of::<libc::sockaddr_in>() as u32,
                )
            };
            assert_eq!(n, pkt.len() as isize, "sendto");
            let end = Instant::now() + Duration::from_secs(2);
            while Instant::now() < end {
                let mut buf = [0u8; 2048];
                // SAFETY: receives into our buffer.
                let n = unsafe { libc::recv(s, buf.as_mut_ptr().cast(), buf.len(), 0) };
                if n <= 0 {
                    continue;
                }
                let ip = &buf[..n as usize];
                let icmp = &ip[usize::from(ip[0] & 0x0f) * 4..];
                if icmp.len() >= 8
                    && icmp[0] == 0
                    && icmp[4..6] == id.to_be_bytes()
                    && icmp[6..8] == seq.to_be_bytes()
                    && ip[12..16] == dst
                {
                    replies += 1;
                    break;
                }
            }
        }
        // SAFETY: closes the socket opened above.
        unsafe { libc::close(s) };
        replies
    })
    .join()
    .expect("ping thread")
}

/// Waits until the network namespace of `pid` routes 10.8.0.0/24 (the
/// TUN device is configured and up).
fn wait_route(pid: i32) {
    let end = Instant::now() + LIMIT;
    loop {
        let routes = std::fs::read_to_string(format!("/proc/{pid}/net/route")).unwrap_or_default();
        // little-endian hex of 10.8.0.0
        if routes
            .lines()
            .any(|l| l.split('\t').nth(1) == Some("0000080A"))
        {
            return;
        }
        assert!(Instant::now() < end, "no route in {pid}:\n{routes}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Server and client ovpn (given binaries) in one system, the client in
/// a network namespace of its own; pings the server's tunnel address
/// from the client's namespace. The two programs' exit codes and lines
/// after SIGTERM (to the server first if `server_first`).
fn tunnel(
    server_bin: &str,
    client_bin: &str,
    server_first: bool,
) -> ((i32, Vec<String>), (i32, Vec<String>)) {
    let sys = System::start();
    let srv = Live::start(
        &sys,
        &[server_bin, "-i", "10.8.0.1", "-m", "255.255.255.0"],
        "ovpn",
    );
    let pid = ns_pid(srv.pid).to_string();
    wait_log(&sys, |l| {
        l.contains(&format!("Process added: {pid} (ovpn)."))
    });
    run_ok(&sys, &["irm", "bind", "process", &pid, "name", "vpn"]);
    srv.wait_line(|l| l == "Waiting for a new flow...");
    let cli = Live::start(
        &sys,
        &[
            "unshare",
            "-n",
            client_bin,
            "-i",
            "10.8.0.2",
            "-m",
            "255.255.255.0",
            "-n",
            "vpn",
        ],
        "ovpn",
    );
    wait_route(srv.pid);
    wait_route(cli.pid);
    let replies = ping_from(cli.pid, [10, 8, 0, 1], 3);
    assert_eq!(
        replies,
        3,
        "ping -c 3 10.8.0.1 through the tunnel\nserver: {:?}\nclient: {:?}\nlog:\n{}",
        srv.lines(),
        cli.lines(),
        sys.log()
    );
    if server_first {
        let s = srv.stop(libc::SIGTERM);
        (s, cli.stop(libc::SIGTERM))
    } else {
        let c = cli.stop(libc::SIGTERM);
        (srv.stop(libc::SIGTERM), c)
    }
}

const SERVER_LINES: [&str; 5] = [
    "Waiting for a new flow...",
    "Flow allocated.",
    "Tunnel device name is tun0.",
    "Starting read/write threads.",
    "Shutting down...",
];

const CLIENT_LINES: [&str; 5] = [
    "Allocating a flow to vpn.",
    "Flow allocated.",
    "Tunnel device name is tun0.",
    "Starting read/write threads.",
    "Shutting down...",
];

#[test]
fn ovpn_ping_through_the_tunnel() {
    if !have_tun("ovpn_ping_through_the_tunnel") {
        return;
    }
    let ovpn = harness::bin("ovpn");
    let ovpn = ovpn.to_str().unwrap();
    let ((sc, sl), (cc, cl)) = tunnel(ovpn, ovpn, false);
    assert_eq!((sc, sl), (0, SERVER_LINES.map(String::from).to_vec()));
    assert_eq!((cc, cl), (0, CLIENT_LINES.map(String::from).to_vec()));
}

#[test]
fn ovpn_interop_with_upstream() {
    let Some(prefix) = upstream("ovpn_interop_with_upstream") else {
        return;
    };
    if !have_tun("ovpn_interop_with_upstream") {
        return;
    }
    let ours = harness::bin("ovpn");
    let ours = ours.to_str().unwrap();
    let theirs = prefix.join("bin/ovpn");
    let theirs = theirs.to_str().unwrap();
    // Upstream's side is stopped first: once its peer is gone, the
    // reader thread of upstream's ovpn is woken by our library with
    // EFLOWDOWN and retries at once, forever, in a loop without a
    // cancellation point; that ovpn then never ends on SIGTERM.
    let ((sc, sl), _) = tunnel(ours, theirs, false);
    assert_eq!((sc, sl), (0, SERVER_LINES.map(String::from).to_vec()));
    let (_, (cc, cl)) = tunnel(theirs, ours, true);
    assert_eq!((cc, cl), (0, CLIENT_LINES.map(String::from).to_vec()));
}
