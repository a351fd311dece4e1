//! Helpers shared by the tool system tests (tool_oping, tool_oecho,
//! tool_ocbr): servers started in a system and stopped with a signal,
//! waiting on the IRMd log, upstream's binaries.

#![allow(dead_code)]

use harness::{code, Background, System};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Runs `argv` in `sys`; returns (stdout, stderr, exit code).
pub fn run(sys: &System, argv: &[&str]) -> (String, String, i32) {
    let out: Output = sys.run(argv);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        code(&out.status),
    )
}

/// Runs `argv` in `sys` and insists on exit status 0; returns stdout.
pub fn run_ok(sys: &System, argv: &[&str]) -> String {
    let (out, err, st) = run(sys, argv);
    assert_eq!(st, 0, "{argv:?}: {out}{err}\nlog:\n{}", sys.log());
    out
}

/// Waits (bounded) until the IRMd log satisfies `ok`.
pub fn wait_for(sys: &System, what: &str, ok: impl Fn(&str) -> bool) {
    let end = Instant::now() + Duration::from_secs(30);
    while !ok(&sys.log()) {
        assert!(
            Instant::now() < end,
            "timed out waiting for {what}; log:\n{}",
            sys.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Path of one of our tools (built by `cargo build --workspace`).
pub fn ours(tool: &str) -> String {
    harness::bin(tool).to_str().expect("utf-8 path").to_string()
}

/// Path of one of upstream's tools, when UPSTREAM_PREFIX is set.
pub fn upstream(tool: &str) -> Option<String> {
    let p: PathBuf = harness::upstream_prefix()?.join("bin").join(tool);
    assert!(p.exists(), "{} missing", p.display());
    Some(p.to_str().expect("utf-8 path").to_string())
}

/// Pid of a process as the system's pid namespace sees it.
pub fn ns_pid(host_pid: i32) -> i32 {
    let status = std::fs::read_to_string(format!("/proc/{host_pid}/status")).expect("status");
    status
        .lines()
        .find(|l| l.starts_with("NSpid:"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|p| p.parse().ok())
        .expect("NSpid")
}

/// A program running in the background with its stdout collected.
pub struct Server {
    pub bg: Background,
    /// Pid inside the system (as the IRMd logs it).
    pub pid: i32,
    out: Option<JoinHandle<String>>,
}

impl Server {
    /// Binds `prog` to `name` and starts it with `args`; returns once the
    /// IRMd knows the process.
    pub fn start(sys: &System, prog: &str, name: &str, args: &[&str]) -> Server {
        run_ok(sys, &["irm", "bind", "program", prog, "name", name]);
        Server::start_unbound(sys, prog, args)
    }

    /// Starts `prog` with `args` without binding it to a name.
    pub fn start_unbound(sys: &System, prog: &str, args: &[&str]) -> Server {
        let mut child = sys
            .command(prog)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn server");
        let mut stdout = child.stdout.take().expect("stdout");
        let out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stdout.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        });
        let bg = Background(child);
        let host = harness::inner_pid(&bg.0).expect("server pid");
        let pid = ns_pid(host);
        let tag = format!("Process added: {pid} (");
        wait_for(sys, "the server to announce", |log| log.contains(&tag));
        Server {
            bg,
            pid,
            out: Some(out),
        }
    }

    /// Sends `sig` and returns what the program printed and its exit code.
    pub fn stop(self, sig: i32) -> (String, i32) {
        assert!(harness::signal_inner(&self.bg.0, sig), "signal the server");
        self.finish()
    }

    /// Waits (bounded) for the program to end by itself.
    pub fn finish(self) -> (String, i32) {
        self.finish_within(Duration::from_secs(60))
            .expect("server did not end")
    }

    /// Sends `sig`; `None` if the program is still running `limit` later
    /// (it is then killed).
    pub fn stop_within(self, sig: i32, limit: Duration) -> Option<(String, i32)> {
        assert!(harness::signal_inner(&self.bg.0, sig), "signal the server");
        self.finish_within(limit)
    }

    fn finish_within(mut self, limit: Duration) -> Option<(String, i32)> {
        let end = Instant::now() + limit;
        let st = loop {
            if let Some(st) = self.bg.0.try_wait().expect("wait") {
                break st;
            }
            if Instant::now() >= end {
                harness::signal_inner(&self.bg.0, libc::SIGKILL);
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = self.out.take().expect("output").join().expect("reader");
        Some((out, code(&st)))
    }
}

/// Runs upstream's `argv` (stdout, exit code), again when it crashes or
/// hangs on its way out: upstream's library now and then dies of SIGSEGV
/// or spins forever in its destructor (on its own IRMd as on ours), which
/// loses the buffered output. Hung runs are killed from inside the system
/// (killing `nsenter` from outside would leave the program holding the
/// output pipe).
pub fn run_upstream(sys: &System, argv: &[&str]) -> (String, i32) {
    let mut a = vec!["timeout", "-s", "KILL", "20"];
    a.extend_from_slice(argv);
    for _ in 0..20 {
        let (out, _, st) = run(sys, &a);
        if st != 128 + libc::SIGSEGV && st != 128 + libc::SIGKILL {
            return (out, st);
        }
    }
    panic!("{argv:?} keeps crashing");
}

/// The local layer `lo` with `name` registered in it.
pub fn local_layer(sys: &System, name: &str) {
    run_ok(
        sys,
        &[
            "irm",
            "ipcp",
            "bootstrap",
            "type",
            "local",
            "name",
            "loc",
            "layer",
            "lo",
        ],
    );
    run_ok(sys, &["irm", "name", "reg", name, "layer", "lo"]);
}

/// `argv` prefixed to run as nobody (so flows cross the local IPCP).
pub fn as_nobody<'a>(argv: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    v.extend_from_slice(argv);
    v
}

/// Digits, a point and exactly `decimals` digits (`printf("%.Nf")`).
pub fn is_fixed(s: &str, decimals: usize) -> bool {
    let Some((int, frac)) = s.split_once('.') else {
        return false;
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() == decimals
        && frac.bytes().all(|b| b.is_ascii_digit())
}
