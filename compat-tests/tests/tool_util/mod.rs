//! Helpers shared by the operf, obc and ovpn system tests: running a
//! program to completion, following a program's output live (through a
//! pseudo-terminal, so stdio flushes it line by line), and finding the
//! processes a system runs.

#![allow(dead_code)]

use harness::{code, Background, System};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Upper bound for every wait in these tests.
pub const LIMIT: Duration = Duration::from_secs(30);

/// The upstream install, or `None` after saying why the test is skipped.
pub fn upstream(test: &str) -> Option<PathBuf> {
    let p = harness::upstream_prefix();
    if p.is_none() {
        eprintln!("{test}: UPSTREAM_PREFIX not set, skipping the upstream part");
    }
    p
}

/// Exit code, stdout and stderr of a program run to completion.
pub fn run(sys: &System, argv: &[&str]) -> (i32, String, String) {
    sys.run_text(argv)
}

/// Runs a command and insists on exit 0.
pub fn run_ok(sys: &System, argv: &[&str]) -> String {
    sys.run_ok(argv)
}

/// Waits until the IRMd log satisfies `ok`.
pub fn wait_log(sys: &System, ok: impl Fn(&str) -> bool) {
    sys.wait_log("the irmd log", LIMIT, ok)
}

/// The pid a process has inside its pid namespace (from its host pid).
pub fn ns_pid(host_pid: i32) -> i32 {
    harness::ns_pid(host_pid).expect("NSpid")
}

/// Children of a process.
fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// A process named `comm` among the descendants of `pid` (itself
/// included), waiting for it to appear.
pub fn find_process(pid: i32, comm: &str) -> i32 {
    let end = Instant::now() + LIMIT;
    loop {
        let mut todo = vec![pid];
        while let Some(p) = todo.pop() {
            let name = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
            if name.trim_end() == comm {
                return p;
            }
            todo.extend(children(p));
        }
        assert!(Instant::now() < end, "no process {comm} under {pid}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Quotes one word for `sh -c`.
fn sh_quote(w: &str) -> String {
    format!("'{}'", w.replace('\'', "'\\''"))
}

/// A program running in a system whose output is followed as it comes.
pub struct Live {
    pub bg: Background,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// Host pid of the program itself.
    pub pid: i32,
}

impl Live {
    /// Starts `argv` in `sys` on a pseudo-terminal (`script`), so its
    /// standard output is line buffered; `comm` is its process name.
    pub fn start(sys: &System, argv: &[&str], comm: &str) -> Live {
        let cmd = argv
            .iter()
            .map(|a| {
                let p = harness::bin_dir().join(a);
                if !a.contains('/') && p.exists() {
                    sh_quote(p.to_str().unwrap())
                } else {
                    sh_quote(a)
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let mut child = sys
            .command("script")
            .args(["-q", "-f", "-e", "-c", &format!("exec {cmd}"), "/dev/null"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script");
        let out = child.stdout.take().expect("stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                sink.lock()
                    .unwrap()
                    .push(line.trim_end_matches('\r').to_string());
            }
        });
        let pid = find_process(child.id() as i32, comm);
        Live {
            bg: Background(child),
            lines,
            reader: Some(reader),
            pid,
        }
    }

    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits until some line satisfies `ok`; returns all lines.
    pub fn wait_line(&self, ok: impl Fn(&str) -> bool) -> Vec<String> {
        let end = Instant::now() + LIMIT;
        loop {
            let lines = self.lines();
            if lines.iter().any(|l| ok(l)) {
                return lines;
            }
            assert!(
                Instant::now() < end,
                "timed out waiting for output; got {lines:#?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `sig` to the program, waits for it to end; its exit code
    /// and all its lines.
    pub fn stop(self, sig: i32) -> (i32, Vec<String>) {
        // SAFETY: kill(2) of a process this test started.
        unsafe { libc::kill(self.pid, sig) };
        self.finish()
    }

    /// Waits for the program to end; its exit code and all its lines.
    pub fn finish(mut self) -> (i32, Vec<String>) {
        let st = wait_with_limit(&mut self.bg.0);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        (st, self.lines())
    }
}

/// Waits (bounded) for a child; its exit code.
pub fn wait_with_limit(c: &mut Child) -> i32 {
    let end = Instant::now() + LIMIT;
    loop {
        if let Some(st) = c.try_wait().expect("wait") {
            return code(&st);
        }
        if Instant::now() > end {
            let _ = c.kill();
            panic!("program did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
