//! obc end to end: command-line errors and exit codes, the failed join
//! on a system without a broadcast layer, readers and writers on our
//! irmd with our ipcpd-broadcast; with `UPSTREAM_PREFIX`, upstream's obc
//! there too, and our obc on upstream's irmd with an upstream broadcast
//! IPCP, readers and writers mixed.

mod tool_util;

use harness::System;
use tool_util::{run, run_ok, upstream, Live};

const USAGE: &str = "Usage: obc [OPTION]...\n\
Sends a message to a broadcast network\n\
\n\
\x20 -n --name                 Name of the broadcast layer\n\
\x20 -m --message              A message to send\n\
\x20 [-l, --listen             Listen mode]\n\
\x20     --help                Display this help text and exit\n";

#[test]
fn obc_without_irmd_is_fatal() {
    let sys = System::new();
    let (c, out, err) = run(&sys, &["obc", "--help"]);
    assert_eq!((c, out.as_str()), (1, ""));
    assert_eq!(err, "FATAL: Could not announce to IRMd.\n");
}

#[test]
fn obc_command_line() {
    let sys = System::start();
    let no_name = format!("Please specify a name.\n\n{USAGE}");
    let cases: &[(&[&str], i32, &str)] = &[
        (&["--help"], 0, USAGE),
        (&["-x"], 0, USAGE),
        (&["-n", "bc", "--name=bc"], 0, USAGE),
        (&[], 1, &no_name),
        (&["-l", "-m", "hi"], 1, &no_name),
        (&["-m", "hi", "-n"], 1, &no_name),
        (&["-n", "bc"], 255, "Failed to join broadcast.\n"),
        (
            &["--name", "bc", "--message", "hi"],
            255,
            "Failed to join broadcast.\n",
        ),
        (
            &["-l", "-n", "bc"],
            255,
            "Starting a reader.\nFailed to join broadcast.\n",
        ),
        (
            &["-n", "bc", "--listen"],
            255,
            "Starting a reader.\nFailed to join broadcast.\n",
        ),
    ];
    let obc = harness::bin("obc");
    for (args, want_code, want_out) in cases {
        let mut argv = vec!["timeout", "-s", "KILL", "60", obc.to_str().unwrap()];
        argv.extend_from_slice(args);
        let (c, out, err) = run(&sys, &argv);
        assert_eq!((c, out.as_str()), (*want_code, *want_out), "{args:?}");
        assert_eq!(err, "", "{args:?}");
    }
}

/// Two readers (`ours` and `theirs`) and writers of both on broadcast
/// layer `bclayer` of `sys`, bootstrapped with `irm`: every message
/// reaches both readers, which print the same lines.
fn readers_and_writers(sys: &System, irm: &str, ours: &str, theirs: &str) {
    harness::create_ahead(sys, irm, "broadcast", "bc");
    run_ok(
        sys,
        &[
            irm,
            "ipcp",
            "bootstrap",
            "type",
            "broadcast",
            "name",
            "bc",
            "layer",
            "bclayer",
            "autobind",
        ],
    );
    let our_reader = Live::start(sys, &[ours, "-l", "-n", "bclayer"], "obc");
    our_reader.wait_line(|l| l == "New flow.");
    let their_reader = Live::start(sys, &[theirs, "-l", "-n", "bclayer"], "obc");
    their_reader.wait_line(|l| l == "New flow.");

    let long = "x".repeat(300);
    for (writer, msg) in [
        (ours, Some("hello")),
        (ours, None),
        (theirs, Some("from upstream")),
        (ours, Some(long.as_str())),
    ] {
        let mut argv = vec!["timeout", "-s", "KILL", "60", writer, "-n", "bclayer"];
        if let Some(m) = msg {
            argv.extend_from_slice(&["-m", m]);
        }
        let (c, out, _) = run(sys, &argv);
        assert_eq!((c, out.as_str()), (0, ""), "{argv:?}\nlog:\n{}", sys.log());
        let want = format!(
            "Message is {}.",
            msg.unwrap_or("Ouroboros multicast rocks!")
        );
        let want = if msg == Some(long.as_str()) {
            // 256 bytes per read; the second read finds the rest of the
            // packet gone (upstream's partial-read loss) and returns 0
            "Message is .".to_string()
        } else {
            want
        };
        our_reader.wait_line(|l| l == want);
        their_reader.wait_line(|l| l == want);
    }
    let ours_saw = our_reader.lines();
    let theirs_saw = their_reader.lines();
    assert_eq!(
        ours_saw,
        [
            "Starting a reader.".to_string(),
            "New flow.".into(),
            "Message is hello.".into(),
            "Message is Ouroboros multicast rocks!.".into(),
            "Message is from upstream.".into(),
            format!("Message is {}.", "x".repeat(256)),
            "Message is .".into(),
        ]
    );
    assert_eq!(
        ours_saw, theirs_saw,
        "our reader prints what upstream's does"
    );
    let _ = our_reader.stop(libc::SIGTERM);
    let _ = their_reader.stop(libc::SIGTERM);
}

/// Our irmd and ipcpd-broadcast; upstream's obc next to ours when
/// `UPSTREAM_PREFIX` is set, ours twice otherwise.
#[test]
fn obc_on_our_broadcast_layer() {
    let ours = harness::bin("obc");
    let ours = ours.to_str().unwrap();
    let theirs = harness::upstream_prefix()
        .map(|p| p.join("bin/obc"))
        .unwrap_or_else(|| harness::bin("obc"));
    let irm = harness::bin("irm");
    let sys = System::start();
    readers_and_writers(&sys, irm.to_str().unwrap(), ours, theirs.to_str().unwrap());
}

#[test]
fn obc_on_an_upstream_broadcast_layer() {
    let Some(prefix) = upstream("obc_on_an_upstream_broadcast_layer") else {
        return;
    };
    let theirs = prefix.join("bin/obc");
    let irm = prefix.join("sbin/irm");
    let ours = harness::bin("obc");

    let mut sys = System::new();
    sys.start_irmd_at(&prefix.join("sbin/irmd"), &[]);
    readers_and_writers(
        &sys,
        irm.to_str().unwrap(),
        ours.to_str().unwrap(),
        theirs.to_str().unwrap(),
    );
}
