//! `o7s-fault-app` (see its source for the commands) driven line by
//! line inside a system: the fault tests' and the link tests' application.

use crate::{bin, System};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A driven `o7s-fault-app` inside a system.
pub struct App {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Everything it printed so far (for failure messages).
    pub seen: Vec<String>,
    pub what: String,
}

impl App {
    /// Binds the program to `name` in `sys` (every instance accepts for
    /// it).
    pub fn bind(sys: &System, name: &str) {
        let app = bin("o7s-fault-app");
        sys.run_ok(&[
            "irm",
            "bind",
            "program",
            app.to_str().unwrap(),
            "name",
            name,
        ]);
    }

    /// Starts `o7s-fault-app <args>`, prefixed by `wrap` (e.g. setpriv).
    pub fn start(sys: &System, wrap: &[&str], args: &[&str]) -> App {
        let app = bin("o7s-fault-app");
        let mut argv: Vec<&str> = wrap.to_vec();
        argv.push(app.to_str().unwrap());
        argv.extend(args);
        let mut cmd = sys.command(argv[0]);
        cmd.args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("start o7s-fault-app");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let pid = crate::inner_pid(&child);
        App {
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
            what: format!("{} (host pid {pid:?})", argv.join(" ")),
        }
    }

    pub fn send(&mut self, cmd: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{cmd}").expect("command to o7s-fault-app");
        stdin.flush().unwrap();
    }

    /// The next line starting with `word`, within `limit`.
    pub fn expect(&mut self, word: &str, limit: Duration, sys: &System) -> Vec<String> {
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    let f: Vec<String> = l.split_whitespace().map(String::from).collect();
                    if f.first().map(String::as_str) == Some(word) {
                        return f;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{}: no `{word}` within {limit:?}; output {:?}\nirmd log:\n{}",
                    self.what,
                    self.seen,
                    sys.log()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "{}: exited before `{word}`; output {:?}\nirmd log:\n{}",
                    self.what,
                    self.seen,
                    sys.log()
                ),
            }
        }
    }

    /// Sends `cmd` and returns its answer's result field as a number
    /// (and the elapsed milliseconds the app measured, when given).
    pub fn call(&mut self, cmd: &str, limit: Duration, sys: &System) -> (i64, u64) {
        self.send(cmd);
        let word = cmd.split_whitespace().next().unwrap();
        let f = self.expect(word, limit, sys);
        let num = |i: usize| f.get(i).and_then(|v| v.parse().ok());
        (num(1).unwrap_or(i64::MIN), num(2).unwrap_or(0) as u64)
    }

    /// `call` that must succeed (result >= 0).
    pub fn ok(&mut self, cmd: &str, sys: &System) -> i64 {
        let (r, _) = self.call(cmd, Duration::from_secs(20), sys);
        assert!(
            r >= 0,
            "{}: `{cmd}` gave {r}\nirmd log:\n{}",
            self.what,
            sys.log()
        );
        r
    }

    /// Host pid of the program (setpriv execs it, nsenter forks it).
    pub fn pid(&self) -> i32 {
        crate::inner_pid(&self.child).expect("app pid")
    }

    /// Waits for the app to exit (closing its stdin first).
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        self.stdin.take();
        let end = Instant::now() + limit;
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return st;
            }
            assert!(
                Instant::now() < end,
                "{}: still running after {limit:?}; output {:?}",
                self.what,
                self.seen
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        crate::signal_inner(&self.child, libc::SIGKILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
