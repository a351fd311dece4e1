//! operf end to end: command-line errors and exit codes, a unidirectional
//! test over a direct flow and a bidirectional one through the local
//! IPCP, both moving data and reporting; with `UPSTREAM_PREFIX`, our
//! client against upstream's server and upstream's client against ours.

mod tool_util;

use harness::System;
use tool_util::{ns_pid, run, run_ok, upstream, wait_log, Live};

const USAGE: &str = "Usage: operf [OPTION]...\n\
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

/// Runs an operf client (ours by name, or a path) under a time limit.
fn client(sys: &System, argv: &[&str]) -> (i32, String, String) {
    let bin = if argv[0].contains('/') {
        argv[0].to_string()
    } else {
        harness::bin(argv[0]).to_str().unwrap().to_string()
    };
    let mut full = vec!["timeout", "-s", "KILL", "60", bin.as_str()];
    full.extend_from_slice(&argv[1..]);
    run(sys, &full)
}

/// Starts an operf server binary and binds its process to `name`.
fn server(sys: &System, bin: &str, name: &str) -> Live {
    let srv = Live::start(sys, &[bin, "-l"], "operf");
    let pid = ns_pid(srv.pid).to_string();
    wait_log(sys, |l| {
        l.contains(&format!("Process added: {pid} (operf)."))
    });
    run_ok(sys, &["irm", "bind", "process", &pid, "name", name]);
    srv.wait_line(|l| l == "Ouroboros perf server started.");
    srv
}

/// The sequence numbers of the server's `Seqno` lines for `fd`, checking
/// their format.
fn seqnos(lines: &[String], fd: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for l in lines.iter().filter(|l| l.starts_with("Seqno ")) {
        let rest = l.strip_prefix("Seqno ").unwrap();
        let (n, rest) = rest.split_once(" from fd ").expect(l);
        let (f, time) = rest.split_once(": ").expect(l);
        assert_eq!(f, fd, "{l}");
        let (s, us) = time.split_once('.').expect(l);
        assert!(
            s.parse::<u64>().is_ok() && us.len() == 6 && us.parse::<u32>().is_ok(),
            "{l}"
        );
        out.push(n.parse().expect(l));
    }
    out
}

#[test]
fn operf_without_irmd_is_fatal() {
    let sys = System::new();
    let (c, out, err) = run(&sys, &["operf", "--help"]);
    assert_eq!((c, out.as_str()), (1, ""));
    assert_eq!(err, "FATAL: Could not announce to IRMd.\n");
}

#[test]
fn operf_command_line() {
    let sys = System::start();
    let cases: &[(&[&str], i32, String)] = &[
        (&["--help"], 0, USAGE.into()),
        (&["-x"], 0, USAGE.into()),
        (&["-lf"], 0, USAGE.into()),
        (&["-l", "--size=5"], 0, USAGE.into()),
        (&[], 1, "No server specified.\n".into()),
        (&["-t", "bi"], 1, "No server specified.\n".into()),
        (&["-n", "x", "-t", "tri"], 1, "Invalid test type.\n".into()),
        (&["-d", "5y", "--help"], 1, "Unknown time unit: y.\n".into()),
        (&["-r", "5m"], 1, "Unknown rate unit: m.\n".into()),
        (&["-l", "-s"], 1, USAGE.into()),
        (&["-n", "nowhere"], 1, "Failed to allocate flow.\n".into()),
        (
            &["-n", "nowhere", "-s", "3"],
            1,
            "Packet size set to 64 bytes.\nFailed to allocate flow.\n".into(),
        ),
        (
            &["-s", "2000000", "-n", "nowhere"],
            1,
            "Packet size truncated to 1048576 bytes.\nFailed to allocate flow.\n".into(),
        ),
    ];
    for (args, want_code, want_out) in cases {
        let mut argv = vec!["operf"];
        argv.extend_from_slice(args);
        let (c, out, err) = client(&sys, &argv);
        assert_eq!(
            (c, out.as_str()),
            (*want_code, want_out.as_str()),
            "{args:?}"
        );
        assert_eq!(err, "", "{args:?}");
    }
}

#[test]
fn operf_uni_over_a_direct_flow() {
    let sys = System::start();
    let srv = server(&sys, "operf", "perf");
    let (c, out, _) = client(
        &sys,
        &[
            "operf", "-n", "perf", "-d", "1s", "-r", "400", "-s", "500", "--sleep",
        ],
    );
    assert_eq!(c, 0, "{out}");
    assert_eq!(
        out,
        "Doing a unidirectional test.\n\
         Sending 500 byte packets for 1 s to perf at 0.400 Mb/s.\n\n\
         Test finished.\n"
    );
    assert!(sys.log().contains("allocated (direct)"), "{}", sys.log());
    // the flow goes quiet when the client is done and is closed
    srv.wait_line(|l| l == "Flow 64 timed out.");
    let (c, lines) = srv.stop(libc::SIGTERM);
    assert_eq!(c, 0);
    assert_eq!(
        lines[..3],
        [
            "Ouroboros perf server started.",
            "New flow 64.",
            "Doing a unidirectional test."
        ]
    );
    let seq = seqnos(&lines, "64");
    // 400 kb/s in 500-byte packets: a packet every 10 ms for a second
    assert!(seq.len() > 10, "{lines:#?}");
    assert_eq!(
        seq,
        (0..seq.len() as u32).collect::<Vec<_>>(),
        "in order, none lost"
    );
    assert_eq!(lines.last().unwrap(), "Flow 64 timed out.");
}

/// The numbers of a statistics line, checking its wording.
fn stats(line: &str) -> (u64, u64, u64) {
    let w: Vec<&str> = line.split(' ').collect();
    assert_eq!(w.len(), 14, "{line}");
    assert_eq!(
        [w[1], w[2], w[4], w[6], w[7], w[8], w[10], w[11], w[13]],
        [
            "packets",
            "transmitted,",
            "received,",
            "packet",
            "loss,",
            "time:",
            "ms,",
            "bandwidth:",
            "Mb/s."
        ],
        "{line}"
    );
    let three_decimals =
        |s: &str| s.parse::<f64>().is_ok() && s.split('.').nth(1).map(str::len) == Some(3);
    assert!(three_decimals(w[9]) && three_decimals(w[12]), "{line}");
    let loss = w[5].strip_suffix('%').expect(line);
    (
        w[0].parse().expect(line),
        w[3].parse().expect(line),
        loss.parse().expect(line),
    )
}

#[test]
fn operf_bi_flood_over_a_direct_flow() {
    let sys = System::start();
    let srv = server(&sys, "operf", "perf");
    let (c, out, _) = client(
        &sys,
        &[
            "operf", "-n", "perf", "-t", "bi", "-f", "-d", "1000", "-s", "64",
        ],
    );
    assert_eq!(c, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..7],
        [
            "Doing a bidirectional test.",
            "Flooding perf with 64 byte packets for 1 seconds.",
            "",
            "Test finished.",
            "Server timed out.",
            "",
            "--- perf perf statistics ---",
        ],
        "{out}"
    );
    assert_eq!(lines.len(), 8, "{out}");
    let (sent, rcvd, loss) = stats(lines[7]);
    assert!(sent > 100 && rcvd > 0 && rcvd <= sent, "{out}");
    assert_eq!(loss, 100 - 100 * rcvd / sent, "{out}");
    let (c, lines) = srv.stop(libc::SIGHUP);
    assert_eq!(c, 0);
    assert_eq!(
        lines[..3],
        [
            "Ouroboros perf server started.",
            "New flow 64.",
            "Doing a bidirectional test."
        ]
    );
}

#[test]
fn operf_bi_through_the_local_ipcp() {
    let sys = System::start();
    sys.local_layer("perf");
    let srv = server(&sys, "operf", "perf");
    // another user: another packet pool, so the flow goes through the IPCP
    let (c, out, _) = run(
        &sys,
        &[
            "timeout",
            "-s",
            "KILL",
            "60",
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            harness::bin("operf").to_str().unwrap(),
            "-n",
            "perf",
            "-t",
            "bi",
            "-d",
            "1s",
            "-r",
            "1M",
            "-s",
            "1000",
        ],
    );
    assert_eq!(c, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..7],
        [
            "Doing a bidirectional test.",
            "Sending 1000 byte packets for 1 s to perf at 1.000 Mb/s.",
            "",
            "Test finished.",
            "Server timed out.",
            "",
            "--- perf perf statistics ---",
        ],
        "{out}"
    );
    assert_eq!(lines.len(), 8, "{out}");
    // "<n> packets transmitted, <n> received, 0% packet loss, time: <t> ms, bandwidth: <b> Mb/s."
    let stats = lines[7];
    let words: Vec<&str> = stats.split(' ').collect();
    assert_eq!(words.len(), 14, "{stats}");
    let sent: u64 = words[0].parse().expect(stats);
    assert!(sent > 10, "{stats}");
    assert_eq!(
        [words[1], words[2], words[4], words[5], words[6], words[7], words[8], words[10]],
        [
            "packets",
            "transmitted,",
            "received,",
            "0%",
            "packet",
            "loss,",
            "time:",
            "ms,"
        ],
        "{stats}"
    );
    assert_eq!(words[3], sent.to_string(), "every packet echoed: {stats}");
    let three_decimals =
        |w: &str| w.parse::<f64>().is_ok() && w.split('.').nth(1).map(str::len) == Some(3);
    assert!(
        three_decimals(words[9]) && words[9].parse::<f64>().unwrap() >= 1000.0,
        "{stats}"
    );
    assert_eq!([words[11], words[13]], ["bandwidth:", "Mb/s."], "{stats}");
    assert!(three_decimals(words[12]), "{stats}");
    assert!(
        sys.log().contains("Flow request arrived for perf."),
        "{}",
        sys.log()
    );
    let (c, lines) = srv.stop(libc::SIGINT);
    assert_eq!(c, 0);
    assert_eq!(
        lines[..3],
        [
            "Ouroboros perf server started.",
            "New flow 64.",
            "Doing a bidirectional test."
        ]
    );
    assert!(!lines.iter().any(|l| l.starts_with("Seqno")), "{lines:#?}");
}

#[test]
fn operf_interop_with_upstream() {
    let Some(prefix) = upstream("operf_interop_with_upstream") else {
        return;
    };
    let theirs = prefix.join("bin/operf");
    let theirs = theirs.to_str().unwrap();

    // our client, their server: uni, then bi
    let sys = System::start();
    let srv = server(&sys, theirs, "perf");
    let (c, out, _) = client(
        &sys,
        &[
            "operf", "-n", "perf", "-d", "1s", "-r", "400", "-s", "500", "--sleep",
        ],
    );
    assert_eq!(c, 0, "{out}");
    assert!(out.ends_with("Test finished.\n"), "{out}");
    srv.wait_line(|l| l == "Flow 64 timed out.");
    let (c, out, _) = client(
        &sys,
        &["operf", "-n", "perf", "-t", "bi", "-d", "1s", "-s", "200"],
    );
    assert_eq!(c, 0, "{out}");
    let stats = out.lines().last().unwrap().to_string();
    let words: Vec<&str> = stats.split(' ').collect();
    assert!(
        words.len() == 14 && words[0].parse::<u32>().unwrap() > 10,
        "{out}"
    );
    assert_eq!(words[3], words[0], "every packet echoed: {out}");
    assert!(
        out.contains("Test finished.\nServer timed out.\n\n--- perf perf statistics ---\n"),
        "{out}"
    );
    let (_, lines) = srv.stop(libc::SIGTERM);
    assert_eq!(
        lines[1..3],
        ["New flow 64.", "Doing a unidirectional test."]
    );
    let seq = seqnos(&lines, "64");
    assert!(seq.len() > 10, "{lines:#?}");
    assert_eq!(seq, (0..seq.len() as u32).collect::<Vec<_>>());
    assert!(
        lines.contains(&"Doing a bidirectional test.".to_string()),
        "{lines:#?}"
    );
    drop(sys);

    // their client (which sends no data: its loop condition is
    // inverted), our server
    let sys = System::start();
    let srv = server(&sys, "operf", "perf");
    let (c, out, _) = client(&sys, &[theirs, "-n", "perf", "-d", "1s"]);
    assert_eq!(c, 0, "{out}");
    assert_eq!(
        out,
        "Doing a unidirectional test.\n\
         Sending 1500 byte packets for 1 s to perf at 1.000 Mb/s.\n\n\
         Test finished.\n"
    );
    srv.wait_line(|l| l == "Flow 64 timed out.");
    let (c, lines) = srv.stop(libc::SIGTERM);
    assert_eq!(c, 0);
    assert_eq!(
        lines,
        [
            "Ouroboros perf server started.",
            "New flow 64.",
            "Doing a unidirectional test.",
            "Flow 64 timed out."
        ]
    );
}
