//! The interop matrix: every way an upstream 0.23.0 part can meet one of
//! ours on a host, each in its own private system. With `UPSTREAM_PREFIX`
//! pointing at an upstream install (and `UPSTREAM_SRC` at a checkout of
//! its source for cell 5):
//!
//! 1. upstream's tools (`irm`, `oping`, `oecho`, `ocbr`, `operf`), the
//!    binaries as upstream built them, on our libraries (`LD_LIBRARY_PATH`)
//!    and our daemons (irmd, ipcpd-local);
//! 2. upstream's `irm` on our irmd and ours on upstream's: one command
//!    sequence (successes and errors) must print the same everywhere;
//! 3. a program on upstream's libouroboros-dev and one on ours on one
//!    host, sharing the pool, the rings, the flow sets and their locks,
//!    under our irmd and under upstream's, over a direct flow and through
//!    the local layer (the client then runs as uid 65534: another pool);
//! 4. upstream's `ipcpd-local` under our irmd and ours under upstream's,
//!    carrying a flow;
//! 5. upstream's own tool sources compile with upstream's warning flags
//!    and `-Werror` against our headers, link with our libraries and run.
//!
//! Each case prints one `interop: cell N | case | PASS/FAIL | runs` line
//! (`cargo test --test interop -- --nocapture --test-threads 1` shows the
//! matrix); a test fails when any of its cases does. Without the
//! variables the tests say so and pass.
//!
//! Every upstream program runs under `timeout -s KILL` inside the system
//! and with line-buffered stdio (`stdbuf`), so a hung one is ended and
//! what it printed is kept. Upstream's libouroboros-dev now and then
//! crashes (SIGSEGV, SIGABRT) or spins forever in its exit path, on its
//! own irmd as on ours (seen in 10 to 40 % of the runs of its tools): a
//! program on upstream's library that ends that way is run again, at most
//! three times in all, and the matrix line counts the runs. Programs on
//! our libraries get no second chance.
//!
//! Unprivileged clients on upstream's library mount their FUSE RIB in
//! their constructor: as in `c_dev_api.rs`, the system gets a
//! world-readable /dev/fuse in its private mount namespace and such a
//! client keeps an ambient CAP_SYS_ADMIN (the uid alone picks the pool).

use harness::{code, System};
use std::os::unix::fs::MetadataExt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const NOBODY: &str = "65534";
/// Hard limit of one program run inside a system.
const LIMIT: Duration = Duration::from_secs(40);
/// Hard limit of a server's life.
const SERVER_LIMIT: Duration = Duration::from_secs(300);
/// Runs of a program on upstream's library that crashes or hangs.
const TRIES: usize = 3;
const LAYER: &str = "lo";

/// Whose part: ours or upstream's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Ours,
    Upstream,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Upstream => "upstream's",
        }
    }
}

/// A program and whose libouroboros it is loaded with.
#[derive(Clone, Debug)]
struct Prog {
    path: PathBuf,
    lib: Side,
}

impl Prog {
    fn new(path: PathBuf, lib: Side) -> Prog {
        assert!(path.exists(), "{} missing", path.display());
        Prog { path, lib }
    }

    /// One of our programs (`cargo build --workspace`).
    fn ours(name: &str) -> Prog {
        Prog::new(harness::bin(name), Side::Ours)
    }

    /// An upstream tool as installed (`bin/` or `sbin/`), on `lib`.
    fn upstream(prefix: &Path, name: &str, lib: Side) -> Prog {
        let bin = prefix.join("bin").join(name);
        let path = if bin.exists() {
            bin
        } else {
            prefix.join("sbin").join(name)
        };
        Prog::new(path, lib)
    }

    fn path(&self) -> &str {
        self.path.to_str().expect("utf-8 path")
    }

    fn label(&self) -> String {
        let base = self.path.file_name().unwrap_or_default().to_string_lossy();
        let origin = if self.path.starts_with(harness::bin_dir()) {
            "our"
        } else {
            "upstream"
        };
        format!("{origin} {base} on {} lib", self.lib.name())
    }
}

/// The upstream install, or `None` after saying the test is skipped.
fn upstream_or_skip() -> Option<PathBuf> {
    let p = harness::upstream_prefix();
    if p.is_none() {
        println!("UPSTREAM_PREFIX not set: skipped");
    }
    p
}

/// The upstream install and cell `n`, or `None` after saying the test
/// is skipped.
fn cell_or_skip(n: u32) -> Option<(PathBuf, Cell)> {
    Some((upstream_or_skip()?, Cell::new(n)))
}

// ---------------------------------------------------------------- matrix

/// The cases of one cell: each runs, is reported on one line, and the
/// cell fails at the end if any case did.
struct Cell {
    n: u32,
    failures: Vec<String>,
}

/// What a case counts: program runs, and the upstream reruns among them.
#[derive(Default)]
struct Runs {
    runs: usize,
    reruns: usize,
}

impl Cell {
    fn new(n: u32) -> Cell {
        Cell {
            n,
            failures: Vec::new(),
        }
    }

    fn case(&mut self, name: &str, f: impl FnOnce(&mut Runs) -> Result<(), String>) {
        let started = Instant::now();
        let mut runs = Runs::default();
        let result =
            std::panic::catch_unwind(AssertUnwindSafe(|| f(&mut runs))).unwrap_or_else(|p| {
                Err(p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panicked".into()))
            });
        let verdict = if result.is_ok() { "PASS" } else { "FAIL" };
        let reruns = if runs.reruns > 0 {
            format!(", {} upstream reruns", runs.reruns)
        } else {
            String::new()
        };
        println!(
            "interop: cell {} | {name} | {verdict} | {} runs{reruns}, {:.1} s",
            self.n,
            runs.runs,
            started.elapsed().as_secs_f64()
        );
        if let Err(e) = result {
            self.failures
                .push(format!("cell {} | {name}:\n{e}", self.n));
        }
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} case(s) failed:\n\n{}",
            self.failures.len(),
            self.failures.join("\n\n")
        );
    }
}

/// `Err(msg)` unless `ok`.
fn check(ok: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(msg())
    }
}

// ---------------------------------------------------------------- systems

/// One private system with a chosen irmd and ipcpd-local.
struct Mix {
    sys: System,
    irmd: Side,
    prefix: PathBuf,
}

impl Mix {
    /// `irmd`'s irmd with its own ipcpd-local.
    fn new(prefix: &Path, irmd: Side) -> Mix {
        Mix::with_ipcpd(prefix, irmd, irmd)
    }

    /// `irmd`'s irmd spawning `ipcpd`'s ipcpd-local. Our irmd takes the
    /// ipcpd-* next to its (resolved) executable: a directory with a hard
    /// link to it and a symbolic one to upstream's ipcpd-local does.
    /// Upstream's irmd runs `PREFIX/sbin/ipcpd-local` (compiled in): ours
    /// is bind-mounted there, in the system's private mount namespace.
    fn with_ipcpd(prefix: &Path, irmd: Side, ipcpd: Side) -> Mix {
        let mut m = Mix {
            sys: System::new(),
            irmd,
            prefix: prefix.to_path_buf(),
        };
        m.open_fuse();
        let exe = match (irmd, ipcpd) {
            (Side::Ours, Side::Ours) => harness::bin("irmd"),
            (Side::Upstream, Side::Upstream) => prefix.join("sbin/irmd"),
            (Side::Ours, Side::Upstream) => {
                let dir = m.sys.dir().join("sbin");
                std::fs::create_dir_all(&dir).expect("sbin dir");
                let irmd = dir.join("irmd");
                if std::fs::hard_link(harness::bin("irmd"), &irmd).is_err() {
                    std::fs::copy(harness::bin("irmd"), &irmd).expect("copy irmd");
                }
                std::os::unix::fs::symlink(
                    prefix.join("sbin/ipcpd-local"),
                    dir.join("ipcpd-local"),
                )
                .expect("ipcpd-local link");
                irmd
            }
            (Side::Upstream, Side::Ours) => {
                let target = prefix.join("sbin/ipcpd-local");
                m.shell(&format!(
                    "mount --bind {} {}",
                    harness::bin("ipcpd-local").display(),
                    target.display()
                ));
                prefix.join("sbin/irmd")
            }
        };
        m.sys.start_irmd_at(&exe, &[]);
        m
    }

    /// Runs a shell command inside the system as root; panics on failure.
    fn shell(&self, script: &str) {
        let mut c = self.sys.command("/bin/sh");
        c.args(["-c", script]);
        let out = harness::output_with_timeout(c, Duration::from_secs(30));
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A world-readable /dev/fuse inside the system only (see the top).
    fn open_fuse(&self) {
        let Ok(meta) = std::fs::metadata("/dev/fuse") else {
            eprintln!("no /dev/fuse on this host: unprivileged upstream clients will fail");
            return;
        };
        let rdev = meta.rdev();
        let (major, minor) = (libc::major(rdev), libc::minor(rdev));
        self.shell(&format!(
            "mknod /run/interop-fuse c {major} {minor} && chmod 666 /run/interop-fuse && \
             mount --bind /run/interop-fuse /dev/fuse"
        ));
    }

    /// The `irm` of the irmd's side.
    fn own_irm(&self) -> Prog {
        match self.irmd {
            Side::Ours => Prog::ours("irm"),
            Side::Upstream => Prog::upstream(&self.prefix, "irm", Side::Upstream),
        }
    }

    /// `prog args` inside the system under a hard time limit, with
    /// line-buffered stdio, as uid 65534 when `nobody`.
    fn command(&self, prog: &Prog, args: &[&str], nobody: bool, limit: Duration) -> Command {
        let mut c = self.sys.command("/usr/bin/timeout");
        c.args(["-s", "KILL", &limit.as_secs().to_string()]);
        c.args(["/usr/bin/stdbuf", "-oL", "-eL"]);
        if nobody {
            c.args([
                "/usr/bin/setpriv",
                &format!("--reuid={NOBODY}"),
                &format!("--regid={NOBODY}"),
                "--clear-groups",
            ]);
            if prog.lib == Side::Upstream {
                c.args(["--inh-caps=+sys_admin", "--ambient-caps=+sys_admin"]);
            }
        }
        c.arg(&prog.path).args(args);
        match prog.lib {
            Side::Ours => c.env("LD_LIBRARY_PATH", harness::our_lib_dir()),
            Side::Upstream => c.env_remove("LD_LIBRARY_PATH"),
        };
        c
    }

    /// Runs `prog args` once.
    fn run(&self, prog: &Prog, args: &[&str], nobody: bool) -> Output {
        let c = self.command(prog, args, nobody, LIMIT);
        harness::output_with_timeout(c, LIMIT + Duration::from_secs(10))
    }

    /// Runs `prog args` to its end; a program on upstream's library that
    /// crashes or hangs (its library's defect, see the top) is run again,
    /// up to `TRIES` runs in all.
    fn run_counted(&self, prog: &Prog, args: &[&str], nobody: bool, runs: &mut Runs) -> Output {
        let mut n = 0;
        loop {
            let out = self.run(prog, args, nobody);
            runs.runs += 1;
            n += 1;
            let st = code(&out.status);
            let defect = [libc::SIGSEGV, libc::SIGABRT, libc::SIGKILL, libc::SIGBUS]
                .iter()
                .any(|s| st == 128 + s);
            if prog.lib == Side::Ours || !defect || n == TRIES {
                return out;
            }
            eprintln!(
                "{} {args:?} ended with {st}: run again\n{}",
                prog.label(),
                text(&out)
            );
            runs.reruns += 1;
        }
    }

    /// Runs a management command; Err with its output unless it exits 0.
    fn irm(&self, irm: &Prog, args: &[&str], runs: &mut Runs) -> Result<String, String> {
        let out = self.run_counted(irm, args, false, runs);
        check(out.status.success(), || {
            format!(
                "{} {args:?}: {}\n{}irmd log:\n{}",
                irm.label(),
                out.status,
                text(&out),
                self.sys.log()
            )
        })?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Bootstraps the local layer and registers `names` in it.
    fn local_layer(&self, irm: &Prog, names: &[&str], runs: &mut Runs) -> Result<(), String> {
        self.irm(
            irm,
            &[
                "ipcp",
                "bootstrap",
                "type",
                "local",
                "name",
                "loc",
                "layer",
                LAYER,
            ],
            runs,
        )?;
        for name in names {
            self.irm(irm, &["name", "reg", name, "layer", LAYER], runs)?;
        }
        Ok(())
    }

    /// The server side of a pair test: `prog -l` serving `name`, with
    /// `name` registered in the local layer when the pair goes through it.
    fn pair_server(
        &self,
        prog: &Prog,
        name: &str,
        path: Path2,
        runs: &mut Runs,
    ) -> Result<Bg, String> {
        let srv = self.server(prog, name, &["-l"], runs)?;
        if path == Path2::Local {
            self.local_layer(&self.own_irm(), &[name], runs)?;
        }
        Ok(srv)
    }

    /// Binds `prog` to `name` and starts it as a server; returns once the
    /// irmd has its announcement.
    fn server(
        &self,
        prog: &Prog,
        name: &str,
        args: &[&str],
        runs: &mut Runs,
    ) -> Result<Bg, String> {
        self.irm(
            &self.own_irm(),
            &["bind", "program", prog.path(), "name", name],
            runs,
        )?;
        let tag = format!("server-{name}-{}", runs.runs);
        let out = self.sys.dir().join(format!("{tag}.out"));
        let child = self
            .command(prog, args, false, SERVER_LIMIT)
            .stdout(std::fs::File::create(&out).expect("server stdout"))
            .stderr(Stdio::from(
                std::fs::File::create(self.sys.dir().join(format!("{tag}.err")))
                    .expect("server stderr"),
            ))
            .spawn()
            .expect("starting a server");
        runs.runs += 1;
        let mut bg = Bg {
            child,
            host_pid: 0,
            out,
            label: prog.label(),
        };
        // nsenter runs timeout, which runs the program (stdbuf execs it)
        let timeout = harness::inner_pid(&bg.child).ok_or("no timeout process")?;
        bg.host_pid = first_child(timeout).ok_or("the server did not start")?;
        let pid = harness::ns_pid(bg.host_pid).ok_or("the server ended at once")?;
        let tag = format!("Process added: {pid} (");
        let end = Instant::now() + LIMIT;
        while !self.sys.log().contains(&tag) {
            if Instant::now() > end || matches!(bg.child.try_wait(), Ok(Some(_))) {
                return Err(format!(
                    "{} did not announce itself:\n{}\nirmd log:\n{}",
                    bg.label,
                    bg.output(),
                    self.sys.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(bg)
    }
}

/// A server running in a system.
struct Bg {
    child: Child,
    host_pid: i32,
    out: PathBuf,
    label: String,
}

impl Bg {
    fn output(&self) -> String {
        let mut s = std::fs::read_to_string(&self.out).unwrap_or_default();
        s.push_str(&std::fs::read_to_string(self.out.with_extension("err")).unwrap_or_default());
        s
    }

    /// Sends SIGTERM; returns the exit code (None: it hung and was
    /// killed) and everything it printed.
    fn stop(mut self) -> (Option<i32>, String) {
        // SAFETY: kill(2) of a process this test started.
        unsafe { libc::kill(self.host_pid, libc::SIGTERM) };
        let end = Instant::now() + Duration::from_secs(20);
        let st = loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                break Some(code(&st));
            }
            if Instant::now() > end {
                // SAFETY: as above.
                unsafe { libc::kill(self.host_pid, libc::SIGKILL) };
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (st, self.output())
    }
}

impl Drop for Bg {
    fn drop(&mut self) {
        if self.host_pid > 0 {
            // SAFETY: kill(2) of a process this test started.
            unsafe { libc::kill(self.host_pid, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn first_child(pid: i32) -> Option<i32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        let kids = std::fs::read_to_string(&path).ok()?;
        if let Some(k) = kids.split_whitespace().next().and_then(|k| k.parse().ok()) {
            return Some(k);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// ---------------------------------------------------------------- tools

/// How a client reaches its server.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path2 {
    /// Both run as root: one pool, a direct flow.
    Direct,
    /// The client runs as uid 65534: its own pool, through ipcpd-local.
    Local,
}

impl Path2 {
    fn name(self) -> &'static str {
        match self {
            Path2::Direct => "direct",
            Path2::Local => "local layer",
        }
    }
}

/// The oping client's counts: (sent, received) from its statistics.
fn oping_counts(out: &str) -> Option<(u32, u32)> {
    let line = out.lines().find(|l| l.contains(" packets transmitted, "))?;
    let f: Vec<&str> = line.split(", ").collect();
    let sent = f
        .first()?
        .strip_suffix(" packets transmitted")?
        .parse()
        .ok()?;
    let received = f.get(1)?.strip_suffix(" received")?.parse().ok()?;
    Some((sent, received))
}

/// Runs the oping server `server` for "op" and two clients `client`
/// against it (a few paced pings and a flood of 200), every packet
/// answered; through the local layer when asked.
fn oping_pair(
    m: &Mix,
    server: &Prog,
    client: &Prog,
    path: Path2,
    runs: &mut Runs,
) -> Result<(), String> {
    let srv = m.pair_server(server, "op", path, runs)?;
    let nobody = path == Path2::Local;
    for (args, count) in [
        (&["-c", "5", "-i", "10", "-s", "100"][..], 5),
        (&["-c", "200", "-i", "0", "-Q"], 200),
    ] {
        let mut argv = vec!["-n", "op"];
        argv.extend_from_slice(args);
        let out = m.run_counted(client, &argv, nobody, runs);
        let t = text(&out);
        check(
            out.status.success() && oping_counts(&t) == Some((count, count)),
            || {
                format!(
                    "{} {argv:?} ({}):\n{t}\nserver ({}):\n{}\nirmd log:\n{}",
                    client.label(),
                    out.status,
                    srv.label,
                    srv.output(),
                    m.sys.log()
                )
            },
        )?;
    }
    via_ipcp(m, path, "op")?;
    let (st, out) = srv.stop();
    check(out.contains("New flow "), || {
        format!("server ({st:?}) did not report its flows:\n{out}")
    })?;
    server_end(server, st, &out)
}

/// A flow that should have crossed ipcpd-local did (the irmd logs the
/// IPCP's flow request), one that should not did not.
fn via_ipcp(m: &Mix, path: Path2, name: &str) -> Result<(), String> {
    let crossed = m
        .sys
        .log()
        .contains(&format!("Flow request arrived for {name}."));
    check(crossed == (path == Path2::Local), || {
        format!(
            "the flow {} ipcpd-local; irmd log:\n{}",
            if crossed { "crossed" } else { "did not cross" },
            m.sys.log()
        )
    })
}

/// A server ends on SIGTERM with status 0; upstream's library may crash
/// or hang on its way out (see the top), which is let pass.
fn server_end(server: &Prog, st: Option<i32>, out: &str) -> Result<(), String> {
    match (st, server.lib) {
        (Some(0), _) => Ok(()),
        (_, Side::Upstream) => {
            eprintln!(
                "{} ended with {st:?} on SIGTERM (upstream's library)",
                server.label()
            );
            Ok(())
        }
        _ => Err(format!(
            "{} ended with {st:?} on SIGTERM:\n{out}",
            server.label()
        )),
    }
}

const OECHO_REPLY: &str = "Server replied with Client says hi!\n";

/// oecho server and client, twice.
fn oecho_pair(
    m: &Mix,
    server: &Prog,
    client: &Prog,
    path: Path2,
    runs: &mut Runs,
) -> Result<(), String> {
    let srv = m.pair_server(server, "oecho", path, runs)?;
    for _ in 0..2 {
        let out = m.run_counted(client, &[], path == Path2::Local, runs);
        check(
            out.status.success() && out.stdout == OECHO_REPLY.as_bytes(),
            || {
                format!(
                    "{} ({}):\n{}\nserver:\n{}",
                    client.label(),
                    out.status,
                    text(&out),
                    srv.output()
                )
            },
        )?;
    }
    via_ipcp(m, path, "oecho")?;
    // the server dies of SIGTERM (default action), as upstream's does
    let (_, out) = srv.stop();
    check(
        out.matches("Message from client is Client says hi!.")
            .count()
            >= 2,
        || format!("server:\n{out}"),
    )
}

/// The packets of the ocbr server's "Flow N: P packets ..." reports.
fn ocbr_received(out: &str) -> u64 {
    out.lines()
        .filter_map(|l| l.strip_prefix("Flow "))
        .filter_map(|r| r.split_once(": ").map(|(_, r)| r))
        .filter_map(|r| r.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// ocbr: a paced client, 1 s at 800 kb/s in 200-byte packets; the
/// server's reports add up to what the client sent.
fn ocbr_pair(
    m: &Mix,
    server: &Prog,
    client: &Prog,
    path: Path2,
    runs: &mut Runs,
) -> Result<(), String> {
    let srv = m.pair_server(server, "cbr", path, runs)?;
    let args = ["-n", "cbr", "-d", "1", "-r", "800k", "-s", "200"];
    let out = m.run_counted(client, &args, path == Path2::Local, runs);
    let t = text(&out);
    let sent: Option<u64> = t
        .lines()
        .find_map(|l| l.strip_prefix("sent statistics: "))
        .and_then(|r| r.split_whitespace().next()?.parse().ok());
    let sent = sent
        .filter(|s| out.status.success() && *s > 0)
        .ok_or_else(|| format!("{} ({}):\n{t}", client.label(), out.status))?;
    via_ipcp(m, path, "cbr")?;
    // the flow times out a second after the client's end: its last report
    let end = Instant::now() + Duration::from_secs(15);
    while !srv.output().contains("timed out") && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    let (st, out) = srv.stop();
    let got = ocbr_received(&out);
    check(got == sent, || {
        format!("client sent {sent}, server ({st:?}) reported {got}:\n{out}")
    })?;
    server_end(server, st, &out)
}

/// The numbers of operf's statistics line: (transmitted, received).
fn operf_counts(out: &str) -> Option<(u64, u64)> {
    let line = out
        .lines()
        .skip_while(|l| !l.starts_with("--- perf perf statistics ---"))
        .nth(1)?;
    let w: Vec<&str> = line.split(' ').collect();
    (w.len() == 14).then_some(())?;
    Some((w[0].parse().ok()?, w[3].parse().ok()?))
}

/// operf: bidirectional tests against `server`. Upstream's client (0.23.0)
/// sends nothing: its writer loop runs only while the test time is
/// *over* (`ts_diff_ms(&now, &start) > duration`), so it sends its
/// configuration, waits for echoes until its 2 s read timeout and reports
/// 0 packets; that is what it must do here too. Our client (which sends
/// for the duration) then checks that the server echoes every packet.
fn operf_pair(
    m: &Mix,
    server: &Prog,
    client: &Prog,
    path: Path2,
    runs: &mut Runs,
) -> Result<(), String> {
    let srv = m.pair_server(server, "perf", path, runs)?;
    let args = ["-n", "perf", "-t", "bi", "-d", "1s", "-s", "200"];
    let mut clients = vec![client.clone()];
    if !client.path.starts_with(harness::bin_dir()) {
        clients.push(Prog::ours("operf"));
    }
    for c in &clients {
        let out = m.run_counted(c, &args, path == Path2::Local, runs);
        let t = text(&out);
        let counts = operf_counts(&t);
        let ok = out.status.success()
            && match counts {
                _ if !c.path.starts_with(harness::bin_dir()) => {
                    counts == Some((0, 0)) && t.contains("Server timed out.\n")
                }
                Some((sent, rcvd)) => sent > 10 && rcvd == sent,
                None => false,
            };
        check(ok, || {
            format!(
                "{} ({}):\n{t}\nserver:\n{}",
                c.label(),
                out.status,
                srv.output()
            )
        })?;
    }
    via_ipcp(m, path, "perf")?;
    let (st, out) = srv.stop();
    let tests = out.matches("Doing a bidirectional test.").count();
    check(tests == clients.len(), || {
        format!("server ({st:?}), {tests} tests:\n{out}")
    })?;
    server_end(server, st, &out)
}

// ---------------------------------------------------------------- irm

/// The management sequence of cells 1 and 2: successes and failures.
const IRM_SEQUENCE: &[&str] = &[
    "ipcp list",
    "name list",
    "ipcp create type local name loc",
    "ipcp create type local name loc",
    "ipcp bootstrap name loc layer lo",
    "ipcp list",
    "name create n1",
    "name create n1",
    "name list",
    "name reg n1 layer lo",
    "name reg n2 layer lo",
    "name reg n1 layer nowhere",
    "name list",
    "bind program /bin/cat name n1",
    "bind ipcp loc name n1",
    "bind process 999999 name n1",
    "unbind ipcp loc name n1",
    "unbind program cat name n1",
    "name unreg n1 layer lo",
    "name unreg n2 layer lo",
    "name destroy n1",
    "name destroy n2",
    "name destroy n1",
    "ipcp destroy name loc",
    "ipcp destroy name loc",
    "ipcp list",
    "name list",
];

/// Each step's stdout (IPCP pids masked), stderr and exit code.
type Transcript = Vec<(String, String, i32)>;

fn irm_transcript(m: &Mix, irm: &Prog, runs: &mut Runs) -> Transcript {
    IRM_SEQUENCE
        .iter()
        .map(|step| {
            let args: Vec<&str> = step.split(' ').collect();
            let out = m.run_counted(irm, &args, false, runs);
            (
                mask_pids(&String::from_utf8_lossy(&out.stdout)),
                String::from_utf8_lossy(&out.stderr).into_owned(),
                code(&out.status),
            )
        })
        .collect()
}

/// Replaces the pid column of `ipcp list` rows with `PID`.
fn mask_pids(s: &str) -> String {
    let mut out = String::new();
    for l in s.split_inclusive('\n') {
        match l.strip_prefix("| ").and_then(|r| r.split_once(" |")) {
            Some((pid, rest)) if pid.trim().parse::<u32>().is_ok() => {
                out.push_str(&format!("|     PID |{rest}"));
            }
            _ => out.push_str(l),
        }
    }
    out
}

/// The steps where two transcripts differ.
fn diff(a: &Transcript, b: &Transcript) -> Result<(), String> {
    let mut d = String::new();
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            d.push_str(&format!(
                "`irm {}`:\n  expected {x:?}\n  got      {y:?}\n",
                IRM_SEQUENCE[i]
            ));
        }
    }
    check(d.is_empty(), || d)
}

// ---------------------------------------------------------------- cells

/// A server/client test of one tool: (mix, server, client, path, runs).
type PairTest = fn(&Mix, &Prog, &Prog, Path2, &mut Runs) -> Result<(), String>;

/// The tools cell 1 runs as server and client, and their tests.
const TOOL_PAIRS: [(&str, PairTest); 4] = [
    ("oping", oping_pair),
    ("oecho", oecho_pair),
    ("ocbr", ocbr_pair),
    ("operf", operf_pair),
];

/// Cell 1: upstream's tools, as upstream built them, on our libraries and
/// our daemons.
#[test]
fn cell1_upstream_tools_on_our_libraries_and_daemons() {
    let Some((prefix, mut cell)) = cell_or_skip(1) else {
        return;
    };
    let tool = |name: &str| Prog::upstream(&prefix, name, Side::Ours);

    cell.case("upstream irm on our libouroboros-irm, our irmd", |runs| {
        // it really loads ours
        let lib = harness::our_lib_dir();
        let ldd = Command::new("ldd")
            .arg(&tool("irm").path)
            .env("LD_LIBRARY_PATH", &lib)
            .output()
            .map_err(|e| e.to_string())?;
        let want = format!("libouroboros-irm.so.0.23 => {}/", lib.display());
        check(String::from_utf8_lossy(&ldd.stdout).contains(&want), || {
            format!("ldd:\n{}", String::from_utf8_lossy(&ldd.stdout))
        })?;
        let reference = irm_transcript(&Mix::new(&prefix, Side::Ours), &Prog::ours("irm"), runs);
        let got = irm_transcript(&Mix::new(&prefix, Side::Ours), &tool("irm"), runs);
        diff(&reference, &got)
    });
    for path in [Path2::Direct, Path2::Local] {
        let p = path.name();
        for (name, pair) in TOOL_PAIRS {
            cell.case(&format!("upstream {name} on our lib, {p}"), |runs| {
                let prog = tool(name);
                pair(&Mix::new(&prefix, Side::Ours), &prog, &prog, path, runs)
            });
        }
    }
    cell.finish();
}

/// Cell 2: upstream's `irm` on our irmd and ours on upstream's; the
/// reference is upstream's irm on upstream's irmd.
#[test]
fn cell2_irm_across_irmds() {
    let Some((prefix, mut cell)) = cell_or_skip(2) else {
        return;
    };
    let theirs = Prog::upstream(&prefix, "irm", Side::Upstream);
    let ours = Prog::ours("irm");
    let mut reference = None;
    cell.case("upstream irm -> upstream irmd (reference)", |runs| {
        reference = Some(irm_transcript(
            &Mix::new(&prefix, Side::Upstream),
            &theirs,
            runs,
        ));
        Ok(())
    });
    let reference = reference.unwrap_or_default();
    for (irm, irmd) in [
        (&theirs, Side::Ours),
        (&ours, Side::Upstream),
        (&ours, Side::Ours),
    ] {
        let name = format!(
            "{} irm -> {} irmd",
            if irm.lib == Side::Ours {
                "our"
            } else {
                "upstream"
            },
            if irmd == Side::Ours {
                "our"
            } else {
                "upstream"
            }
        );
        cell.case(&name, |runs| {
            diff(
                &reference,
                &irm_transcript(&Mix::new(&prefix, irmd), irm, runs),
            )
        });
    }
    cell.finish();
}

/// Cell 3: upstream's oping on upstream's library and the same binary on
/// ours, serving each other, under either irmd, direct and through the
/// local layer.
#[test]
fn cell3_mixed_libraries_on_one_host() {
    let Some((prefix, mut cell)) = cell_or_skip(3) else {
        return;
    };
    let on = |lib| Prog::upstream(&prefix, "oping", lib);
    for irmd in [Side::Ours, Side::Upstream] {
        for (srv, cli) in [(Side::Upstream, Side::Ours), (Side::Ours, Side::Upstream)] {
            for path in [Path2::Direct, Path2::Local] {
                let name = format!(
                    "{} irmd: oping server on {} lib, client on {} lib, {}",
                    irmd.name(),
                    srv.name(),
                    cli.name(),
                    path.name()
                );
                cell.case(&name, |runs| {
                    oping_pair(&Mix::new(&prefix, irmd), &on(srv), &on(cli), path, runs)
                });
            }
        }
    }
    cell.finish();
}

/// Cell 4: each side's ipcpd-local under the other side's irmd, carrying
/// a flow between that irmd's own programs, then destroyed.
#[test]
fn cell4_ipcpd_local_across_irmds() {
    let Some((prefix, mut cell)) = cell_or_skip(4) else {
        return;
    };
    for (irmd, ipcpd) in [(Side::Ours, Side::Upstream), (Side::Upstream, Side::Ours)] {
        let name = format!("{} ipcpd-local under {} irmd", ipcpd.name(), irmd.name());
        cell.case(&name, |runs| {
            let m = Mix::with_ipcpd(&prefix, irmd, ipcpd);
            let oping = match irmd {
                Side::Ours => Prog::ours("oping"),
                Side::Upstream => Prog::upstream(&prefix, "oping", Side::Upstream),
            };
            oping_pair(&m, &oping, &oping, Path2::Local, runs)?;
            let irm = m.own_irm();
            let list = m.irm(&irm, &["ipcp", "list"], runs)?;
            let pid: i32 = list
                .lines()
                .find(|l| l.contains(" loc |"))
                .and_then(|l| l.trim_start_matches('|').split('|').next())
                .and_then(|p| p.trim().parse().ok())
                .ok_or_else(|| format!("no IPCP loc in\n{list}"))?;
            check(list.contains("|      local |"), || list.clone())?;
            m.irm(&irm, &["ipcp", "destroy", "name", "loc"], runs)?;
            let gone = m.irm(&irm, &["ipcp", "list"], runs)?;
            check(gone.starts_with("No IPCPs in system."), || gone.clone())?;
            // the IPCP process is gone
            let proc = m.sys.host_path(&format!("/proc/{pid}"));
            let end = Instant::now() + Duration::from_secs(10);
            while proc.exists() && Instant::now() < end {
                std::thread::sleep(Duration::from_millis(50));
            }
            check(!proc.exists(), || format!("IPCP {pid} still runs"))
        });
    }
    cell.finish();
}

/// upstream's compiler flags (its cmake/compiler.cmake, release build).
const UPSTREAM_CFLAGS: &[&str] = &[
    "-std=c89",
    "-Wall",
    "-Wno-clobbered",
    "-Wextra",
    "-Wempty-body",
    "-Wignored-qualifiers",
    "-Wimplicit-fallthrough=4",
    "-Wmissing-field-initializers",
    "-Wmissing-parameter-type",
    "-Wold-style-declaration",
    "-Woverride-init",
    "-Wsign-compare",
    "-Wtype-limits",
    "-Wuninitialized",
    "-Wshift-negative-value",
    "-Wunused-parameter",
    "-Wunused-but-set-parameter",
    "-Werror",
    "-Wundef",
    "-Wpointer-arith",
    "-Wstrict-prototypes",
    "-Wvla",
    "-Wswitch-default",
    "-Wreturn-type",
    "-Wunreachable-code",
    "-Wdeclaration-after-statement",
    "-Winfinite-recursion",
    "-O3",
];

/// Cell 5: upstream's tool sources (`src/tools/*/` of `UPSTREAM_SRC`)
/// build against our headers and libraries, and the programs run on our
/// system. oping's server includes `<ouroboros/hash.h>`, a header
/// upstream does not install (it uses nothing from it): headers missing
/// from our `include/` are taken from upstream's source tree after ours
/// (`-idirafter`, with the empty `config.h` it asks for), and the
/// dependency list shows that only such headers came from there.
#[test]
fn cell5_upstream_tool_sources_build_on_our_headers() {
    let Some(src) = std::env::var_os("UPSTREAM_SRC").filter(|v| !v.is_empty()) else {
        println!("UPSTREAM_SRC not set: skipped");
        return;
    };
    let src = PathBuf::from(src);
    let tools = src.join("src/tools");
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("../include");
    let ours = ours.canonicalize().expect("include/");
    let dir = harness::bin_dir()
        .join("test-scratch")
        .join(format!("interop-cell5-{}", std::process::id()));
    let cfg = dir.join("cfg");
    std::fs::create_dir_all(&cfg).expect("scratch dir");
    std::fs::write(cfg.join("config.h"), "").expect("config.h");
    let lib = harness::our_lib_dir();
    let mut cell = Cell::new(5);
    let mut built = Vec::new();
    let programs: [(&str, &str, &str); 7] = [
        ("irm", "irm", "ouroboros-irm"),
        ("oping", "oping/oping.c", "ouroboros-dev"),
        ("oecho", "oecho/oecho.c", "ouroboros-dev"),
        ("ocbr", "ocbr/ocbr.c", "ouroboros-dev"),
        ("operf", "operf/operf.c", "ouroboros-dev"),
        ("obc", "obc/obc.c", "ouroboros-dev"),
        ("ovpn", "ovpn/ovpn.c", "ouroboros-dev"),
    ];
    for (exe, source, library) in programs {
        cell.case(&format!("upstream {exe} sources on our headers"), |runs| {
            let sources: Vec<PathBuf> = if exe == "irm" {
                let mut v: Vec<PathBuf> = std::fs::read_dir(tools.join("irm"))
                    .map_err(|e| format!("{}: {e}", tools.display()))?
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "c"))
                    .collect();
                v.sort();
                v
            } else {
                vec![tools.join(source)]
            };
            let includes = [
                format!("-I{}", ours.display()),
                format!("-I{}", tools.display()),
                format!("-iquote{}", cfg.display()),
                format!("-idirafter{}", src.join("include").display()),
            ];
            // which headers each source takes, and from where
            let mut deps = Command::new("cc");
            deps.args(UPSTREAM_CFLAGS)
                .args(&includes)
                .arg("-M")
                .args(&sources);
            let out = deps.output().map_err(|e| e.to_string())?;
            runs.runs += 1;
            check(out.status.success(), || text(&out))?;
            let theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .filter(|w| w.contains("ouroboros/") && !Path::new(w).starts_with(&ours))
                .map(str::to_string)
                .collect();
            let public = |h: &str| {
                let name = Path::new(h).file_name().unwrap_or_default();
                ours.join("ouroboros").join(name).exists()
            };
            check(theirs.iter().all(|h| !public(h)), || {
                format!("public headers taken from upstream's tree: {theirs:?}")
            })?;
            let mut cc = Command::new("cc");
            cc.args(UPSTREAM_CFLAGS)
                .args(&includes)
                .args(&sources)
                .arg(format!("-L{}", lib.display()))
                .arg(format!("-l{library}"))
                .arg("-lm")
                .arg("-o")
                .arg(dir.join(exe));
            let out = cc.output().map_err(|e| e.to_string())?;
            runs.runs += 1;
            check(out.status.success(), || format!("cc:\n{}", text(&out)))?;
            built.push(exe);
            Ok(())
        });
    }
    // the programs built on our headers run on our system
    if built.contains(&"irm") && built.contains(&"oping") {
        cell.case("the built irm and oping run on our system", |runs| {
            let Some(prefix) = harness::upstream_prefix() else {
                // Mix needs a prefix only for upstream's parts: none here
                return run_built(&dir, Path::new("/nonexistent"), runs);
            };
            run_built(&dir, &prefix, runs)
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    cell.finish();
}

/// The irm sequence and an oping pair with the programs cell 5 built.
fn run_built(dir: &Path, prefix: &Path, runs: &mut Runs) -> Result<(), String> {
    let irm = Prog::new(dir.join("irm"), Side::Ours);
    let oping = Prog::new(dir.join("oping"), Side::Ours);
    let reference = irm_transcript(&Mix::new(prefix, Side::Ours), &Prog::ours("irm"), runs);
    diff(
        &reference,
        &irm_transcript(&Mix::new(prefix, Side::Ours), &irm, runs),
    )?;
    oping_pair(
        &Mix::new(prefix, Side::Ours),
        &oping,
        &oping,
        Path2::Local,
        runs,
    )
}
