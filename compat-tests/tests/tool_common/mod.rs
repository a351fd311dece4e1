//! Helpers shared by the tool system tests (tool_oping, tool_oecho,
//! tool_ocbr): servers started in a system and stopped with a signal,
//! waiting on the IRMd log, upstream's binaries.

#![allow(dead_code)]

use harness::{code, Background, System};
use std::io::Read;
use std::path::PathBuf;
use std::process::{ChildStdout, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Runs `argv` in `sys`; returns (stdout, stderr, exit code).
pub fn run(sys: &System, argv: &[&str]) -> (String, String, i32) {
    let (c, out, err) = sys.run_text(argv);
    (out, err, c)
}

/// Runs `argv` in `sys` and insists on exit status 0; returns stdout.
pub fn run_ok(sys: &System, argv: &[&str]) -> String {
    sys.run_ok(argv)
}

/// Waits (bounded) until the IRMd log satisfies `ok`.
pub fn wait_for(sys: &System, what: &str, ok: impl Fn(&str) -> bool) {
    sys.wait_log(what, Duration::from_secs(30), ok)
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
    harness::ns_pid(host_pid).expect("NSpid")
}

/// A program running in the background with its stdout collected.
pub struct Server {
    pub bg: Background,
    /// Pid inside the system (as the IRMd logs it).
    pub pid: i32,
    /// Pid on the host (for signals).
    host_pid: i32,
    /// What the program printed so far.
    text: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    /// Turn CRLF back into LF (output through a terminal).
    tty: bool,
}

/// The first process below `pid` whose command name is `name`.
fn descendant(pid: i32, name: &str) -> Option<i32> {
    let comm: String = name.chars().take(15).collect();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        let kids = std::fs::read_to_string(format!("/proc/{p}/task/{p}/children")).ok()?;
        for k in kids
            .split_whitespace()
            .filter_map(|k| k.parse::<i32>().ok())
        {
            let c = std::fs::read_to_string(format!("/proc/{k}/comm")).unwrap_or_default();
            if c.trim_end() == comm {
                return Some(k);
            }
            todo.push(k);
        }
    }
    None
}

/// Collects a pipe's bytes in the background.
fn collect(mut pipe: ChildStdout) -> (Arc<Mutex<Vec<u8>>>, JoinHandle<()>) {
    let text = Arc::new(Mutex::new(Vec::new()));
    let t = text.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            t.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    (text, reader)
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
        let (text, reader) = collect(child.stdout.take().expect("stdout"));
        let bg = Background(child);
        let host = harness::inner_pid(&bg.0).expect("server pid");
        let pid = ns_pid(host);
        let tag = format!("Process added: {pid} (");
        wait_for(sys, "the server to announce", |log| log.contains(&tag));
        Server {
            bg,
            pid,
            host_pid: host,
            text,
            reader: Some(reader),
            tty: false,
        }
    }

    /// Binds `prog` to `name` and starts it with `args` on a terminal
    /// (`script`), so its stdout is line-buffered and nothing is lost when
    /// it dies of a signal; returns once the IRMd knows the process. The
    /// output has its CRLF line ends turned back into LF; the exit code is
    /// `script`'s.
    pub fn start_tty(sys: &System, prog: &str, name: &str, args: &[&str]) -> Server {
        run_ok(sys, &["irm", "bind", "program", prog, "name", name]);
        let base = prog.rsplit('/').next().unwrap_or(prog);
        let tag = format!(" ({base}).");
        let before = sys.log().matches(&tag).count();
        // exec: a shell that forks (dash does under `script`) would print
        // "Terminated" on the terminal when the program dies of SIGTERM
        let mut cmd = format!("exec {prog}");
        for a in args {
            cmd.push(' ');
            cmd.push_str(a);
        }
        let mut child = sys
            .command("script")
            .args(["-q", "-f", "-e", "-c", &cmd, "/dev/null"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn script");
        let (text, reader) = collect(child.stdout.take().expect("stdout"));
        wait_for(sys, "the server to announce", |log| {
            log.lines()
                .filter(|l| l.contains("Process added: ") && l.contains(&tag))
                .count()
                > before
        });
        let script = harness::inner_pid(&child).expect("script pid");
        let host_pid = descendant(script, base).expect("the program under script");
        Server {
            bg: Background(child),
            pid: ns_pid(host_pid),
            host_pid,
            text,
            reader: Some(reader),
            tty: true,
        }
    }

    /// Sends `sig` to the program.
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) of a process this test started.
        let r = unsafe { libc::kill(self.host_pid, sig) };
        assert!(r == 0 || sig == libc::SIGKILL, "signal {sig} to the server");
    }

    /// What the program printed so far (all of it once it ended).
    pub fn output(&self) -> String {
        let s = String::from_utf8_lossy(&self.text.lock().unwrap()).into_owned();
        if self.tty {
            s.replace("\r\n", "\n")
        } else {
            s
        }
    }

    /// Waits (bounded) until `what` occurs `n` times in the output.
    pub fn wait_count(&self, what: &str, n: usize) {
        let end = Instant::now() + Duration::from_secs(30);
        while self.output().matches(what).count() < n {
            assert!(
                Instant::now() < end,
                "not {n} times {what:?} in:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (bounded) until the output contains `what`.
    pub fn wait_output(&self, what: &str) {
        let end = Instant::now() + Duration::from_secs(30);
        while !self.output().contains(what) {
            assert!(Instant::now() < end, "no {what:?} in:\n{}", self.output());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `sig` and returns what the program printed and its exit code.
    pub fn stop(self, sig: i32) -> (String, i32) {
        self.signal(sig);
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
        self.signal(sig);
        self.finish_within(limit)
    }

    /// Waits for the program to end by itself; `None` if it is still
    /// running `limit` later (it is then killed).
    pub fn finish_within(mut self, limit: Duration) -> Option<(String, i32)> {
        let end = Instant::now() + limit;
        let st = loop {
            if let Some(st) = self.bg.0.try_wait().expect("wait") {
                break st;
            }
            if Instant::now() >= end {
                self.signal(libc::SIGKILL);
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        self.reader.take().expect("reader").join().expect("reader");
        Some((self.output(), code(&st)))
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
    sys.local_layer(name);
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
