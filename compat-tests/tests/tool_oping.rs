//! oping in private systems: command lines and their exit codes, the
//! client's and server's output over direct flows and through the local
//! IPCP, time-outs, signals, the busy-poll server, and (UPSTREAM_PREFIX)
//! interop with upstream's oping in both directions.

mod tool_common;

use harness::System;
use tool_common::*;

/// Appendix A.24.
const USAGE: &str = "Usage: oping [OPTION]...\n\nChecks liveness between a client and a server\nand reports the Round Trip Time (RTT)\n\n  -l, --listen            Run in server mode\n      --poll              Server uses polling (lower latency)\n      --busy              Server uses busy-poll (single flow)\n\n  -c, --count             Number of packets\n  -d, --duration          Duration of the test (default 1s)\n  -f, --flood             Send back-to-back without waiting\n  -F, --flood-busy        Flood with busy-polling (lower latency)\n  -i, --interval          Interval (default 1000ms)\n  -n, --server-name       Name of the oping server\n  -q, --qos               QoS (raw, best, video, voice, data)\n  -s, --size              Payload size (B, default 64)\n  -Q, --quiet             Only print final statistics\n  -D, --timeofday         Print time of day before each line\n\n      --help              Display this help text and exit\n";

/// What a client run printed, taken apart.
#[derive(Debug)]
struct Report {
    replies: Vec<Reply>,
    sent: u32,
    received: u32,
    ooo: u32,
    loss: u32,
    /// min, avg, max, mdev (None for `NaN`) and the unit.
    rtt: Option<(f64, f64, f64, Option<f64>, String)>,
    /// Lines before the statistics that are no reply lines.
    other: Vec<String>,
}

#[derive(Debug)]
struct Reply {
    len: usize,
    seq: u32,
    ms: f64,
    late: bool,
    stamped: bool,
}

/// Parses one reply line, checking every field's format.
fn reply(line: &str, name: &str) -> Option<Reply> {
    let (stamped, rest) = match line.strip_prefix('[') {
        Some(r) => {
            let (stamp, rest) = r.split_once("] ")?;
            assert!(is_fixed(stamp, 6), "time of day {stamp:?} in {line:?}");
            (true, rest)
        }
        None => (false, line),
    };
    let (len, rest) = rest.split_once(" bytes from ")?;
    let rest = rest.strip_prefix(name)?.strip_prefix(": seq=")?;
    let (seq, rest) = rest.split_once(" time=")?;
    let (value, unit) = rest.split_once(' ')?;
    let (unit, late) = match unit.strip_suffix(" [out-of-order]") {
        Some(u) => (u, true),
        None => (unit, false),
    };
    assert!(is_fixed(value, 3), "{line:?}");
    let v: f64 = value.parse().ok()?;
    let ms = match unit {
        "ms" => {
            assert!(v >= 0.1, "ms below 0.1: {line:?}");
            v
        }
        "µs" => {
            assert!(v < 100.0, "µs at or above 100: {line:?}");
            v / 1000.0
        }
        _ => panic!("unit in {line:?}"),
    };
    Some(Reply {
        len: len.parse().ok()?,
        seq: seq.parse().ok()?,
        ms,
        late,
        stamped,
    })
}

/// Checks the client's output layout and returns its parts. `header` is
/// the expected first line (None with `-Q`).
fn parse_client(out: &str, name: &str, header: Option<&str>) -> Report {
    let mut lines: Vec<&str> = out.lines().collect();
    if let Some(h) = header {
        assert_eq!(lines.first().copied(), Some(h), "{out}");
        assert_eq!(lines.get(1).copied(), Some(""), "{out}");
        lines.drain(..2);
    }
    let stats_at = lines
        .iter()
        .position(|l| *l == format!("--- {name} ping statistics ---"))
        .unwrap_or_else(|| panic!("no statistics:\n{out}"));
    assert!(stats_at >= 1 && lines[stats_at - 1].is_empty(), "{out}");
    let mut replies = Vec::new();
    let mut other = Vec::new();
    for l in &lines[..stats_at - 1] {
        match reply(l, name) {
            Some(r) => replies.push(r),
            None => other.push(l.to_string()),
        }
    }
    let counts = lines.get(stats_at + 1).expect("counts line");
    let f: Vec<&str> = counts.split(", ").collect();
    assert_eq!(f.len(), 5, "{counts}");
    let num = |s: &str, suffix: &str| -> u32 {
        s.strip_suffix(suffix)
            .unwrap_or_else(|| panic!("{s:?} in {counts}"))
            .parse()
            .unwrap_or_else(|_| panic!("{s:?} in {counts}"))
    };
    let sent = num(f[0], " packets transmitted");
    let received = num(f[1], " received");
    let ooo = num(f[2], " out-of-order");
    let loss = num(f[3], "% packet loss");
    let time = f[4]
        .strip_prefix("time: ")
        .and_then(|t| t.strip_suffix(" ms"))
        .unwrap_or_else(|| panic!("{counts}"));
    assert!(is_fixed(time, 3), "{counts}");
    let expect_loss = if sent == 0 {
        0
    } else {
        (100.0f32 - 100.0f32 * (received as f32 / sent as f32)).ceil() as u32
    };
    assert_eq!(loss, expect_loss, "{counts}");
    let rtt = lines.get(stats_at + 2).map(|l| {
        let v = l
            .strip_prefix("rtt min/avg/max/mdev = ")
            .unwrap_or_else(|| panic!("{l}"));
        let (values, unit) = v.split_once(' ').expect("unit");
        assert!(unit == "ms" || unit == "µs", "{l}");
        let v: Vec<&str> = values.split('/').collect();
        assert_eq!(v.len(), 4, "{l}");
        for x in &v[..3] {
            assert!(is_fixed(x, 3), "{l}");
        }
        let p = |s: &str| s.parse::<f64>().unwrap();
        let mdev = (v[3] != "NaN").then(|| {
            assert!(is_fixed(v[3], 3), "{l}");
            p(v[3])
        });
        assert!(p(v[0]) <= p(v[1]) && p(v[1]) <= p(v[2]), "{l}");
        // the average picks the unit; an average just below 0.1 ms is
        // printed in µs and may round up to 100.000
        if unit == "µs" {
            assert!(p(v[1]) <= 100.0, "{l}");
        } else {
            assert!(p(v[1]) >= 0.1, "{l}");
        }
        (p(v[0]), p(v[1]), p(v[2]), mdev, unit.to_string())
    });
    assert_eq!(rtt.is_some(), received > 0, "rtt line iff replies:\n{out}");
    if let Some((_, _, _, mdev, _)) = &rtt {
        assert_eq!(mdev.is_none(), received == 1, "NaN iff one reply:\n{out}");
    }
    assert_eq!(
        lines.len(),
        stats_at + 2 + usize::from(rtt.is_some()),
        "{out}"
    );
    Report {
        replies,
        sent,
        received,
        ooo,
        loss,
        rtt,
        other,
    }
}

fn header(name: &str, size: u32, count: u32) -> String {
    format!("Pinging {name} with {size} bytes of data ({count} packets):")
}

/// A normal run: every packet answered, in order, seq 0..count.
fn check_full_run(out: &str, name: &str, size: u32, count: u32) -> Report {
    let r = parse_client(out, name, Some(&header(name, size, count)));
    assert_eq!(
        (r.sent, r.received, r.ooo, r.loss),
        (count, count, 0, 0),
        "{out}"
    );
    assert!(r.other.is_empty(), "{out}");
    let seqs: Vec<u32> = r.replies.iter().map(|x| x.seq).collect();
    assert_eq!(seqs, (0..count).collect::<Vec<_>>(), "{out}");
    assert!(
        r.replies.iter().all(|x| x.len == size as usize && !x.late),
        "{out}"
    );
    // every reply's time lies within the reported min and max
    let (min, _, max, _, unit) = r.rtt.clone().expect("rtt line");
    let scale = if unit == "µs" { 0.001 } else { 1.0 };
    for x in &r.replies {
        assert!(
            x.ms >= min * scale - 0.001 && x.ms <= max * scale + 0.001,
            "{out}"
        );
    }
    r
}

#[test]
fn oping_needs_an_irmd() {
    let sys = System::new();
    for args in [&["--help"][..], &["-l"], &["-n", "x"]] {
        let mut argv = vec![ours("oping")];
        argv.extend(args.iter().map(|s| s.to_string()));
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let (out, err, st) = run(&sys, &argv);
        assert_eq!(
            (out.as_str(), err.as_str(), st),
            ("", "FATAL: Could not announce to IRMd.\n", 1)
        );
    }
}

#[test]
fn oping_command_lines() {
    let sys = System::start();
    let no_server = format!("No server specified.\n{USAGE}");
    let cases: Vec<(&[&str], String, i32)> = vec![
        (&["--help"], USAGE.into(), 1),
        (&["-h"], USAGE.into(), 1),
        (&["-n", "x", "-lQ"], USAGE.into(), 1),
        (&["--count=3", "-n", "x"], USAGE.into(), 1),
        (&["-n", "x", "-c"], USAGE.into(), 1),
        (&["-n"], USAGE.into(), 1),
        (
            &["-i", "5x", "-n", "x"],
            "Unknown time unit: x.\n".into(),
            1,
        ),
        (
            &["-n", "x", "-d", "1us"],
            "Unknown time unit: us.\n".into(),
            1,
        ),
        (&["-c", "3"], no_server.clone(), 1),
        (&["-l", "-q", "raw", "-c"], USAGE.into(), 1),
        (
            &["-q", "bogus"],
            format!("Unknown QoS cube, defaulting to raw.\n{no_server}"),
            1,
        ),
        (
            &["-n", "nobody", "-c", "1"],
            "Failed to allocate flow: -1007.\n".into(),
            1,
        ),
        (
            &[
                "-q", "bogus", "-n", "nobody", "-s", "5000", "-i", "20000", "-c", "1",
            ],
            "Unknown QoS cube, defaulting to raw.\nPing interval truncated to 10s.\n\
             Packet size truncated to 1500 bytes.\nFailed to allocate flow: -1007.\n"
                .into(),
            1,
        ),
        (
            &["-n", "nobody", "-s", "1"],
            "Packet size set to 64 bytes.\nFailed to allocate flow: -1007.\n".into(),
            1,
        ),
    ];
    for (args, want, want_code) in cases {
        let mut argv = vec!["oping"];
        argv.extend_from_slice(args);
        let (out, err, st) = run(&sys, &argv);
        assert_eq!((out.as_str(), st), (want.as_str(), want_code), "{args:?}");
        assert_eq!(err, "", "{args:?}");
    }
}

#[test]
fn oping_direct_flows() {
    let sys = System::start();
    let srv = Server::start(&sys, &ours("oping"), "op", &["-l"]);
    let mut requests = Vec::new();

    let out = run_ok(&sys, &["oping", "-n", "op", "-c", "3", "-i", "10"]);
    check_full_run(&out, "op", 64, 3);
    requests.push((3, 64));

    // -D stamps every reply line
    let out = run_ok(
        &sys,
        &["oping", "-n", "op", "-c", "2", "-i", "5", "-s", "200", "-D"],
    );
    let r = check_full_run(&out, "op", 200, 2);
    assert!(r.replies.iter().all(|x| x.stamped), "{out}");
    requests.push((2, 200));

    // -Q: the statistics only; -i 0 sends back to back
    let out = run_ok(&sys, &["oping", "-n", "op", "-c", "50", "-i", "0", "-Q"]);
    let r = parse_client(&out, "op", None);
    assert_eq!((r.sent, r.received, r.loss), (50, 50, 0), "{out}");
    assert!(r.replies.is_empty() && r.other.is_empty(), "{out}");
    requests.push((50, 64));

    // ping-pong, blocking and busy-polling
    let out = run_ok(&sys, &["oping", "-n", "op", "-c", "4", "-f"]);
    check_full_run(&out, "op", 64, 4);
    requests.push((4, 64));
    let out = run_ok(&sys, &["oping", "-n", "op", "-c", "3", "-F", "-s", "1500"]);
    let r = parse_client(
        &out,
        "op",
        Some("Pinging op with 1500 bytes of data (3 packets, busy-poll):"),
    );
    assert_eq!((r.sent, r.received, r.replies.len()), (3, 3, 3), "{out}");
    requests.push((3, 1500));

    // the duration sets the count; a single reply has no deviation
    let out = run_ok(&sys, &["oping", "-n", "op", "-d", "30", "-i", "10"]);
    check_full_run(&out, "op", 64, 3);
    requests.push((3, 64));
    let out = run_ok(&sys, &["oping", "-n", "op", "-c", "1", "-i", "1"]);
    let r = check_full_run(&out, "op", 64, 1);
    assert!(r.rtt.as_ref().is_some_and(|x| x.3.is_none()), "{out}");
    requests.push((1, 64));

    // an FRCT flow (QoS data) and the size adjustment notices
    let out = run_ok(
        &sys,
        &[
            "oping", "-n", "op", "-c", "3", "-i", "5", "-q", "data", "-s", "2000",
        ],
    );
    let body = out
        .strip_prefix("Packet size truncated to 1500 bytes.\n")
        .unwrap_or_else(|| panic!("{out}"));
    check_full_run(body, "op", 1500, 3);
    requests.push((3, 1500));

    let (text, st) = srv.stop(libc::SIGTERM);
    assert_eq!(st, 0, "{text}");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("Ouroboros ping server started."),
        "{text}"
    );
    // per flow: "New flow <fd>." and one line per request
    let mut got = Vec::new();
    let mut fd = String::new();
    for l in lines {
        if let Some(f) = l
            .strip_prefix("New flow ")
            .and_then(|f| f.strip_suffix('.'))
        {
            fd = f.to_string();
            assert!(fd.parse::<i32>().is_ok_and(|n| n >= 64), "{l}");
            got.push((0, 0));
        } else if let Some(rest) = l.strip_prefix("Received ") {
            let (n, on) = rest.split_once(" bytes on fd ").expect(l);
            assert_eq!(on, format!("{fd}."), "{text}");
            let last = got.last_mut().expect("a flow first");
            last.0 += 1;
            last.1 = n.parse().expect(l);
        } else {
            panic!("unexpected server line {l:?}:\n{text}");
        }
    }
    assert_eq!(got, requests, "{text}");
}

#[test]
fn oping_server_closes_idle_flows() {
    let sys = System::start();
    let srv = Server::start(&sys, &ours("oping"), "op", &["-l", "-Q"]);
    let out = run_ok(&sys, &["oping", "-n", "op", "-c", "2", "-i", "1"]);
    check_full_run(&out, "op", 64, 2);
    // some 10 s later the server deallocates its end
    let tag = format!("for process {} (", srv.pid);
    wait_for(&sys, "the idle flow's deallocation", |log| {
        log.lines()
            .any(|l| l.contains("Deallocating flow") && l.contains(&tag))
    });
    let (text, st) = srv.stop(libc::SIGHUP);
    assert_eq!(st, 0);
    // -Q: no per-request lines
    assert_eq!(
        text,
        "Ouroboros ping server started.\nNew flow 64.\nFlow 64 timed out.\n"
    );
}

#[test]
fn oping_server_time_out_and_signals() {
    let sys = System::start();
    // ocbr's server accepts and never answers
    let sink = Server::start(&sys, &ours("ocbr"), "sink", &["-l", "-t", "100"]);
    let out = run_ok(&sys, &["oping", "-n", "sink", "-c", "3", "-i", "10"]);
    let r = parse_client(&out, "sink", Some(&header("sink", 64, 3)));
    assert_eq!(r.other, ["Server timed out."], "{out}");
    assert_eq!((r.sent, r.received, r.loss), (3, 0, 100), "{out}");
    drop(sink);

    // SIGINT, SIGTERM or SIGHUP end a client early, with statistics
    let srv = Server::start(&sys, &ours("oping"), "op", &["-l", "-Q"]);
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let client = Server::start_unbound(&sys, &ours("oping"), &["-n", "op", "-i", "50"]);
        let tag = format!("allocated (direct) for {} to op", client.pid);
        wait_for(&sys, "the client's flow", |log| log.contains(&tag));
        std::thread::sleep(std::time::Duration::from_millis(200));
        let (out, st) = client.stop(sig);
        assert_eq!(st, 0, "signal {sig}: {out}");
        let r = parse_client(&out, "op", Some(&header("op", 64, 2_147_483_647)));
        assert!(r.sent >= 1 && r.received <= r.sent, "{out}");
        assert!(r.other.is_empty(), "{out}");
    }
    let (_, st) = srv.stop(libc::SIGINT);
    assert_eq!(st, 0);
}

#[test]
fn oping_client_outlives_a_killed_server() {
    let sys = System::start();
    let srv = Server::start(&sys, &ours("oping"), "op", &["-l", "-Q"]);
    let client = Server::start_unbound(&sys, &ours("oping"), &["-n", "op", "-i", "100"]);
    let tag = format!("allocated (direct) for {} to op", client.pid);
    wait_for(&sys, "the client's flow", |log| log.contains(&tag));
    std::thread::sleep(std::time::Duration::from_millis(300));
    srv.signal(libc::SIGKILL);
    // the client waits out its receive time-out, as upstream's does
    let (out, st) = client.finish();
    assert_eq!(st, 0, "{out}");
    let r = parse_client(&out, "op", Some(&header("op", 64, 2_147_483_647)));
    assert_eq!(r.other, ["Server timed out."], "{out}");
    assert!(r.sent > r.received, "{out}");
}

#[test]
fn oping_busy_server_serves_one_flow() {
    let sys = System::start();
    let srv = Server::start(&sys, &ours("oping"), "op", &["-l", "--busy"]);
    let out = run_ok(&sys, &["oping", "-n", "op", "-c", "5", "-i", "2"]);
    check_full_run(&out, "op", 64, 5);
    // the flow's end ends the server
    let (text, st) = srv.finish();
    assert_eq!((text.as_str(), st), ("New flow 64 (busy-poll).\n", 0));

    // --poll serves like the default
    let srv = Server::start(&sys, &ours("oping"), "op2", &["-l", "--poll", "-Q"]);
    let out = run_ok(&sys, &["oping", "-n", "op2", "-c", "5", "-i", "2"]);
    check_full_run(&out, "op2", 64, 5);
    let (text, st) = srv.stop(libc::SIGTERM);
    assert_eq!(
        (text.as_str(), st),
        ("Ouroboros ping server started.\nNew flow 64.\n", 0)
    );
}

#[test]
fn oping_over_the_local_layer() {
    let sys = System::start();
    local_layer(&sys, "op");
    let srv = Server::start(&sys, &ours("oping"), "op", &["-l"]);
    let oping = ours("oping");
    for extra in [&[][..], &["-q", "data"], &["-f"]] {
        let mut argv = vec![oping.as_str(), "-n", "op", "-c", "4", "-i", "5"];
        argv.extend_from_slice(extra);
        let out = run_ok(&sys, &as_nobody(&argv));
        check_full_run(&out, "op", 64, 4);
    }
    assert!(
        sys.log().contains("Flow request arrived for op."),
        "expected the IPCP path:\n{}",
        sys.log()
    );
    let (text, st) = srv.stop(libc::SIGTERM);
    assert_eq!(st, 0);
    assert_eq!(text.matches("New flow ").count(), 3, "{text}");
    assert_eq!(
        text.matches("Received 64 bytes on fd ").count(),
        12,
        "{text}"
    );
}

/// One client run of an interop test: arguments, packet size, count.
type Run<'a> = (&'a [&'a str], u32, u32);

/// Starts `server` (a path) as the oping server for "op" in a fresh
/// system, runs `client` (a path) with each of `runs` against it, and
/// returns the server's output and exit code after SIGTERM (`None` when
/// the server does not end). Upstream's client is run again when it
/// crashes or hangs on its way out (its defect). `strict`: every packet
/// must come back; otherwise some must.
fn interop(server: &str, client: &str, runs: &[Run], strict: bool) -> Option<(String, i32)> {
    let sys = System::start();
    let srv = Server::start(&sys, server, "op", &["-l"]);
    for (args, size, count) in runs {
        let mut argv = vec![client, "-n", "op"];
        argv.extend_from_slice(args);
        let (out, st) = run_upstream(&sys, &argv);
        assert_eq!(st, 0, "{argv:?}: {out}\nlog:\n{}", sys.log());
        let quiet = args.contains(&"-Q");
        let busy = args.contains(&"-F");
        let h = format!(
            "Pinging op with {size} bytes of data ({count} packets{}):",
            if busy { ", busy-poll" } else { "" }
        );
        if strict && !quiet && !busy {
            check_full_run(&out, "op", *size, *count);
            continue;
        }
        let r = parse_client(&out, "op", (!quiet).then_some(h.as_str()));
        assert_eq!(r.sent, *count, "{out}");
        if strict {
            assert_eq!((r.received, r.loss), (*count, 0), "{out}");
        } else {
            assert!(r.received >= 1, "{out}");
            for l in &r.other {
                assert!(
                    l == "Server timed out." || l.starts_with("Invalid message on fd "),
                    "{out}"
                );
            }
        }
    }
    srv.stop_within(libc::SIGTERM, std::time::Duration::from_secs(20))
}

/// The server's lines for `runs` (at least: retried upstream clients
/// add flows and requests).
fn check_server_lines(text: &str, runs: &[Run], strict: bool) {
    assert!(
        text.starts_with("Ouroboros ping server started.\nNew flow "),
        "{text}"
    );
    assert!(text.matches("New flow ").count() >= runs.len(), "{text}");
    for (_, size, _) in runs.iter().filter(|_| strict) {
        let tag = format!("Received {size} bytes on fd ");
        let want: u32 = runs
            .iter()
            .filter(|(_, s, _)| s == size)
            .map(|(_, _, c)| c)
            .sum();
        assert!(text.matches(&tag).count() as u32 >= want, "{text}");
    }
    for l in text.lines().skip(1) {
        assert!(
            l.starts_with("New flow ") || l.starts_with("Received "),
            "{l:?} in\n{text}"
        );
    }
}

/// Our server with upstream's client, then upstream's server with ours.
fn check_interop(ours: &str, theirs: &str, runs: &[Run], strict: bool) {
    let (text, st) = interop(ours, theirs, runs, strict).expect("our server ends on SIGTERM");
    assert_eq!(st, 0, "{text}");
    check_server_lines(&text, runs, strict);
    // upstream's server may crash or hang on its way out (its defect),
    // losing its output; what it printed is checked when it did not
    match interop(theirs, ours, runs, strict) {
        Some((text, 0)) => check_server_lines(&text, runs, strict),
        Some((text, st)) => assert_eq!(st, 128 + libc::SIGSEGV, "{text}"),
        None => println!("upstream's server hung on its way out"),
    }
}

#[test]
fn oping_interop_with_upstream() {
    let Some(theirs) = upstream("oping") else {
        println!("UPSTREAM_PREFIX not set: upstream oping interop skipped");
        return;
    };
    let ours = ours("oping");

    // same text and status for command lines that do not run
    let sys = System::start();
    for args in [
        &["--help"][..],
        &["-x"],
        &["-i", "5x", "-n", "x"],
        &["-q", "bogus"],
        &["-n", "nobody", "-c", "1", "-s", "3000"],
        &["-n", "nobody", "-s", "1", "-i", "20s", "-q", "best"],
    ] {
        let mut a = vec![ours.as_str()];
        a.extend_from_slice(args);
        let (out, _, st) = run(&sys, &a);
        a[0] = &theirs;
        assert_eq!(run_upstream(&sys, &a), (out, st), "{args:?}");
    }
    drop(sys);

    // upstream's client against our server, ours against upstream's (the
    // IRMd knows programs by name: one oping server per system)
    let runs: &[Run] = &[
        (&["-c", "5", "-i", "5", "-s", "100"], 100, 5),
        (&["-c", "3", "-f"], 64, 3),
        (&["-c", "2", "-F", "-s", "1500"], 1500, 2),
        (&["-c", "200", "-i", "0", "-Q"], 64, 200),
    ];
    check_interop(&ours, &theirs, runs, true);
}

#[test]
fn oping_frct_interop_with_upstream() {
    let Some(theirs) = upstream("oping") else {
        println!("UPSTREAM_PREFIX not set: upstream oping FRCT interop skipped");
        return;
    };
    let ours = ours("oping");
    // Upstream's FRCT is flaky on its own (on its own IRMd too): its
    // clients lose replies even on "data" flows and crash or hang on exit,
    // so only some replies are required here, and no flood mode (a lost
    // reply there blocks the client for good).
    let runs: &[Run] = &[
        (&["-c", "4", "-i", "5", "-q", "data"], 64, 4),
        (&["-c", "3", "-i", "5", "-q", "voice", "-s", "300"], 300, 3),
    ];
    check_interop(&ours, &theirs, runs, false);
}
