//! oecho in private systems: command lines, the client and server over a
//! direct flow and through the local IPCP, failures, and (UPSTREAM_PREFIX)
//! interop with upstream's oecho in both directions.

mod tool_common;

use harness::System;
use tool_common::*;

/// Appendix A.25.
const USAGE: &str = "Usage: oecho [OPTION]...\nSends an echo between a server and a client\n\n  -l, --listen              Run in server mode\n      --help                Display this help text and exit\n";

const REPLY: &str = "Server replied with Client says hi!\n";

#[test]
fn oecho_needs_an_irmd() {
    let sys = System::new();
    let oecho = ours("oecho");
    for argv in [
        &[oecho.as_str(), "--help"][..],
        &[oecho.as_str()],
        &[oecho.as_str(), "-l"],
    ] {
        let (out, err, st) = run(&sys, argv);
        assert_eq!(
            (out.as_str(), err.as_str(), st),
            ("", "FATAL: Could not announce to IRMd.\n", 1),
            "{argv:?}"
        );
    }
}

#[test]
fn oecho_command_lines() {
    let sys = System::start();
    for args in [
        &["--help"][..],
        &["-h"],
        &["-l", "x"],
        &["x"],
        &["-lx"],
        &["--listen=1"],
    ] {
        let mut argv = vec!["oecho"];
        argv.extend_from_slice(args);
        let (out, err, st) = run(&sys, &argv);
        assert_eq!((out.as_str(), err.as_str(), st), (USAGE, "", 0), "{args:?}");
    }
    // nobody serves "oecho": the client fails with -1 (255)
    let (out, err, st) = run(&sys, &["oecho"]);
    assert_eq!(
        (out.as_str(), err.as_str(), st),
        ("Failed to allocate flow.\n", "", 255)
    );
}

/// Starts the oecho server (`prog`) in `sys` on a terminal, runs `client`
/// twice against it, then takes the IRMd down (which ends the server with
/// SIGTERM) and returns the server's lines.
fn echo_twice(mut sys: System, prog: &str, client: &[&str]) -> String {
    let srv = Server::start_tty(&sys, prog, "oecho", &["-l"]);
    for _ in 0..2 {
        let out = run_ok(&sys, client);
        assert_eq!(out, REPLY);
    }
    sys.stop_irmd(libc::SIGTERM);
    srv.finish().0
}

const SERVER_LOG: &str =
    "Starting the server.\nNew flow.\nMessage from client is Client says hi!.\n\
                          New flow.\nMessage from client is Client says hi!.\n";

#[test]
fn oecho_direct_flow() {
    let sys = System::start();
    assert_eq!(echo_twice(sys, &ours("oecho"), &["oecho"]), SERVER_LOG);
}

#[test]
fn oecho_server_dies_of_signals_like_upstream() {
    let sys = System::start();
    let srv = Server::start(&sys, &ours("oecho"), "oecho", &["-l"]);
    assert_eq!(run_ok(&sys, &["oecho"]), REPLY);
    // default actions: killed, and the buffered lines are lost with it
    let (text, st) = srv.stop(libc::SIGTERM);
    assert_eq!((text.as_str(), st), ("", 128 + libc::SIGTERM));
}

#[test]
fn oecho_over_the_local_layer() {
    let sys = System::start();
    local_layer(&sys, "oecho");
    let oecho = ours("oecho");
    let client = as_nobody(&[oecho.as_str()]);
    assert_eq!(echo_twice(sys, &oecho, &client), SERVER_LOG);
}

#[test]
fn oecho_interop_with_upstream() {
    let Some(theirs) = upstream("oecho") else {
        println!("UPSTREAM_PREFIX not set: upstream oecho interop skipped");
        return;
    };
    let ours = ours("oecho");
    let sys = System::start();
    for args in [&["--help"][..], &["-x"], &["-l", "-l", "y"]] {
        let mut a = vec![ours.as_str()];
        a.extend_from_slice(args);
        let (out, _, st) = run(&sys, &a);
        a[0] = &theirs;
        assert_eq!(run_upstream(&sys, &a), (out, st), "{args:?}");
    }
    a_failed_allocation_matches(&sys, &ours, &theirs);
    drop(sys);

    // upstream's client against our server
    let sys = System::start();
    let srv = Server::start_tty(&sys, &ours, "oecho", &["-l"]);
    for _ in 0..2 {
        let (out, st) = run_upstream(&sys, &[&theirs]);
        assert_eq!((out.as_str(), st), (REPLY, 0));
    }
    let mut sys = sys;
    sys.stop_irmd(libc::SIGTERM);
    let (text, _) = srv.finish();
    // a client that crashed on its way out is run again: at least two
    assert!(text.starts_with(SERVER_LOG), "{text}");
    assert!(
        text.lines().all(|l| l == "Starting the server."
            || l == "New flow."
            || l == "Message from client is Client says hi!."),
        "{text}"
    );

    // our client against upstream's server
    let sys = System::start();
    assert_eq!(echo_twice(sys, &theirs, &[&ours]), SERVER_LOG);
}

fn a_failed_allocation_matches(sys: &System, ours: &str, theirs: &str) {
    let (out, _, st) = run(sys, &[ours]);
    assert_eq!(run_upstream(sys, &[theirs]), (out, st));
}
