//! Test harness: private Ouroboros systems, each in its own mount, pid and
//! network namespace (private /dev/shm, /var/run and /tmp), so tests never
//! touch the host's objects and can run in parallel. Files a test wants to
//! share with a system go in its scratch directory (`System::dir`), which
//! lives in the build directory and is visible on both sides.
//!
//! ```no_run
//! let sys = harness::System::start();
//! let out = sys.run(&["irm", "ipcp", "list"]);
//! assert!(out.status.success());
//! ```
//! Programs named without a '/' are taken from the build directory
//! (`target/<profile>`). Everything started is killed when `System` drops.

mod app;
mod hosts;
mod net;
pub use app::App;
pub use hosts::{
    create_ahead, echo_between, linked, oping_between, oping_expect, oping_to, serve_names, Host,
    Side,
};
pub use net::Link;

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Directory holding the workspace's binaries (`target/<profile>`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let mut dir = exe.parent().expect("exe dir").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// Path of a workspace binary; panics with a hint when it was not built.
pub fn bin(name: &str) -> PathBuf {
    let p = bin_dir().join(name);
    assert!(
        p.exists(),
        "{} missing: run `cargo build --workspace` first",
        p.display()
    );
    p
}

/// Path of one of the workspace's examples (built by `cargo test`).
pub fn example(name: &str) -> PathBuf {
    let p = bin_dir().join("examples").join(name);
    assert!(
        p.exists(),
        "{} missing: run `cargo build --workspace --examples` first",
        p.display()
    );
    p
}

/// The freshest build of one of the workspace's C libraries
/// (`libouroboros_dev.so` etc.): `cargo build` leaves it in the build
/// directory, `cargo test` only in `deps/` (not copied up), so take the
/// newer of the two. Panics with a hint when neither exists.
pub fn cdylib(cargo_name: &str) -> PathBuf {
    let dir = bin_dir();
    let built = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    [dir.join(cargo_name), dir.join("deps").join(cargo_name)]
        .into_iter()
        .filter_map(|p| built(&p).map(|t| (t, p)))
        .max_by_key(|(t, _)| *t)
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("{cargo_name} missing: run `cargo build --workspace` first"))
}

/// A directory where our C libraries carry upstream's file names
/// (`libouroboros-irm.so.0.23` etc., links to the cargo outputs), for
/// `-L` and `LD_LIBRARY_PATH`.
pub fn our_lib_dir() -> PathBuf {
    let lib = bin_dir().join("c-lib");
    std::fs::create_dir_all(&lib).expect("c-lib dir");
    for (cargo_name, name) in [
        ("libouroboros_irm.so", "libouroboros-irm"),
        ("libouroboros_dev.so", "libouroboros-dev"),
        ("libouroboros_common.so", "libouroboros-common"),
    ] {
        let so = cdylib(cargo_name);
        for suffix in [".so", ".so.0.23", ".so.0.23.0"] {
            let link = lib.join(format!("{name}{suffix}"));
            if std::fs::read_link(&link).ok().as_deref() != Some(so.as_path()) {
                // unique per call: tests run this from several threads
                static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let tmp = lib.join(format!(".{name}{suffix}.{}.{n}", std::process::id()));
                let _ = std::fs::remove_file(&tmp);
                std::os::unix::fs::symlink(&so, &tmp).expect("symlink");
                std::fs::rename(&tmp, &link).expect("rename link");
            }
        }
    }
    lib
}

/// The upstream install to compare against, if `UPSTREAM_PREFIX` is set.
pub fn upstream_prefix() -> Option<PathBuf> {
    std::env::var_os("UPSTREAM_PREFIX")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Private /dev/shm, /var/run and /tmp (the IRMd creates /tmp/ouroboros
/// itself, as on a fresh host).
const SETUP: &str = "mount -t tmpfs none /dev/shm && mount -t tmpfs none /var/run && \
    mount -t tmpfs none /tmp && ip link set lo up && echo ready && exec sleep 1000000";

/// One private system.
pub struct System {
    ns: Child,
    /// Host pid of the namespace's init (pid 1 inside).
    init_pid: i32,
    irmd: Option<Child>,
    dir: PathBuf,
}

impl System {
    /// Empty namespaces, no IRMd yet.
    pub fn new() -> System {
        let dir = scratch_dir();
        let mut ns = Command::new("unshare")
            .args([
                "-m",
                "-n",
                "-p",
                "-f",
                "--kill-child",
                "--mount-proc",
                "sh",
                "-c",
                SETUP,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("unshare (needs root and util-linux)");
        let mut line = String::new();
        let mut out = BufReader::new(ns.stdout.take().expect("stdout"));
        out.read_line(&mut line).expect("namespace setup output");
        if line.trim() != "ready" {
            let _ = ns.kill();
            let _ = ns.wait();
            panic!("namespace setup failed");
        }
        let init_pid = child_of(ns.id() as i32).expect("namespace init");
        System {
            ns,
            init_pid,
            irmd: None,
            dir,
        }
    }

    /// A private system running our irmd.
    pub fn start() -> System {
        let mut s = System::new();
        s.start_irmd_at(&bin("irmd"), &[]);
        s
    }

    /// Starts an IRMd binary (ours or upstream's) with `--stdout` and extra
    /// arguments, waiting until its socket answers.
    pub fn start_irmd_at(&mut self, irmd: &Path, extra: &[&str]) {
        let log = std::fs::File::create(self.irmd_log()).expect("irmd log");
        let child = self
            .command(irmd.to_str().expect("utf-8 path"))
            .arg("--stdout")
            .args(extra)
            .stdout(log.try_clone().expect("log fd"))
            .stderr(log)
            .spawn()
            .expect("starting irmd");
        self.irmd = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let sock = self.host_path("/var/run/ouroboros/irm.sock");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(Ok(Some(st))) = self.irmd.as_mut().map(|c| c.try_wait()) {
                panic!("irmd exited early ({st}); log:\n{}", self.log());
            }
            if sock.exists() && ouroboros::sock::connect(&sock).is_ok() {
                // the announce socket answers: the daemon is serving
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("irmd did not start; log:\n{}", self.log());
    }

    /// A path inside the system, reachable from the host. An absolute
    /// symlink on the way (/var/run -> /run) would resolve against the
    /// host's root, so the known one is resolved here.
    pub fn host_path(&self, inner: &str) -> PathBuf {
        let mut inner = inner.to_string();
        if let Some(rest) = inner.strip_prefix("/var/run/") {
            if let Ok(target) = std::fs::read_link("/var/run") {
                inner = format!("{}/{rest}", target.display());
            }
        }
        PathBuf::from(format!("/proc/{}/root{}", self.init_pid, inner))
    }

    /// The IRMd's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.irmd_log()).unwrap_or_default()
    }

    pub fn irmd_log(&self) -> PathBuf {
        self.dir.join("irmd.log")
    }

    /// Sends one IRM request to the system's IRMd from outside it; `None`
    /// when there is no (decodable) reply.
    pub fn irm_request(&self, msg: &ouroboros::pb::IrmMsg) -> Option<ouroboros::pb::IrmMsg> {
        use prost::Message;
        let path = self.host_path("/var/run/ouroboros/irm.sock");
        let reply =
            ouroboros::sock::request(&path, &msg.encode_to_vec(), Some(Duration::from_secs(30)))
                .ok()?;
        ouroboros::pb::decode_irm(&reply).ok()
    }

    /// Number of open file descriptors of a process (by host pid).
    pub fn fd_count(pid: i32) -> usize {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Scratch directory on the host for this system's files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A command that runs `prog` inside the system (stdin closed).
    pub fn command(&self, prog: &str) -> Command {
        // workspace binaries by name; anything else as given (PATH)
        let prog = if prog.contains('/') || !bin_dir().join(prog).exists() {
            PathBuf::from(prog)
        } else {
            bin(prog)
        };
        let mut c = Command::new("nsenter");
        c.arg("-t")
            .arg(self.init_pid.to_string())
            .args(["-m", "-p", "-n", "--"])
            .arg(prog);
        c.stdin(Stdio::null());
        c
    }

    /// Runs a program to completion inside the system (killed after 60 s).
    pub fn run(&self, argv: &[&str]) -> Output {
        let mut c = self.command(argv[0]);
        c.args(&argv[1..]);
        output_with_timeout(c, Duration::from_secs(60))
    }

    /// Runs a program to completion: its exit code, standard output and
    /// standard error as text.
    pub fn run_text(&self, argv: &[&str]) -> (i32, String, String) {
        let out = self.run(argv);
        (
            code(&out.status),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs a program that must exit 0; its standard output. Otherwise
    /// panics with what it printed and the IRMd's log.
    pub fn run_ok(&self, argv: &[&str]) -> String {
        let (c, out, err) = self.run_text(argv);
        assert_eq!(c, 0, "{argv:?}: {out}{err}\nirmd log:\n{}", self.log());
        out
    }

    /// Waits up to `limit` until the IRMd's log satisfies `ok`; panics
    /// with `what` and the log otherwise.
    pub fn wait_log(&self, what: &str, limit: Duration, ok: impl Fn(&str) -> bool) {
        let end = Instant::now() + limit;
        while !ok(&self.log()) {
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}; irmd log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Bootstraps ipcpd-local `loc` in layer `lo` and registers `name`
    /// in it.
    pub fn local_layer(&self, name: &str) {
        let boot = "irm ipcp bootstrap type local name loc layer lo";
        self.run_ok(&boot.split(' ').collect::<Vec<_>>());
        self.run_ok(&["irm", "name", "reg", name, "layer", "lo"]);
    }

    /// Sends a signal to the IRMd and waits for it to exit.
    pub fn stop_irmd(&mut self, sig: i32) -> Option<ExitStatus> {
        let pid = self.irmd_pid()?;
        let mut child = self.irmd.take()?;
        // SAFETY: plain kill(2) on a pid we started.
        unsafe { libc::kill(pid, sig) };
        child.wait().ok()
    }

    /// The irmd's pid as seen inside the system.
    pub fn irmd_inner_pid(&self) -> i32 {
        let host = self.irmd_pid().expect("irmd running");
        ns_pid(host).expect("irmd's NSpid")
    }

    /// Host pid of the running irmd (the child of our nsenter).
    pub fn irmd_pid(&self) -> Option<i32> {
        child_of(self.irmd.as_ref()?.id() as i32)
    }
}

impl Default for System {
    fn default() -> Self {
        System::new()
    }
}

impl Drop for System {
    fn drop(&mut self) {
        // Killing the namespace's init kills every process inside.
        let _ = self.ns.kill();
        let _ = self.ns.wait();
        if let Some(mut c) = self.irmd.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A program running in the background in a system; killed and reaped
/// when dropped (the system's end would kill it anyway).
pub struct Background(pub Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process's pid inside its (innermost) pid namespace, from its host
/// pid; `None` once it is gone.
pub fn ns_pid(host_pid: i32) -> Option<i32> {
    let status = std::fs::read_to_string(format!("/proc/{host_pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("NSpid:"))?
        .split_whitespace()
        .last()?
        .parse()
        .ok()
}

/// Host pid of the program a `System::command` child runs (the child
/// itself is `nsenter`, which waits for it).
pub fn inner_pid(child: &Child) -> Option<i32> {
    child_of(child.id() as i32)
}

/// Sends `sig` to the program a `System::command` child runs.
pub fn signal_inner(child: &Child, sig: i32) -> bool {
    match inner_pid(child) {
        // SAFETY: kill(2) of a process we started.
        Some(pid) => unsafe { libc::kill(pid, sig) == 0 },
        None => false,
    }
}

/// Runs a command, killing it after `limit`.
pub fn output_with_timeout(mut c: Command, limit: Duration) -> Output {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = c.spawn().expect("spawn");
    let pid = child.id() as i32;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let watchdog = std::thread::spawn(move || {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if flag.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        kill_tree(pid);
    });
    let out = child.wait_with_output().expect("wait");
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = watchdog.join();
    out
}

/// SIGKILLs `pid` and every process below it: killing only `nsenter`
/// would leave the program it runs inside the system holding our pipes.
fn kill_tree(pid: i32) {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let p = all[i];
        i += 1;
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let children = std::fs::read_to_string(t.path().join("children")).unwrap_or_default();
            all.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<i32>().ok()),
            );
        }
    }
    for p in all.into_iter().rev() {
        // SAFETY: kill(2) of a process we started or one of its
        // descendants; harmless if it already exited.
        unsafe { libc::kill(p, libc::SIGKILL) };
    }
}

/// Exit code of a finished program; 128 + signal for a killed one.
pub fn code(st: &ExitStatus) -> i32 {
    st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0))
}

/// First child of `pid` (from /proc), waiting briefly for it to appear.
fn child_of(pid: i32) -> Option<i32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    for _ in 0..500 {
        if let Ok(s) = std::fs::read_to_string(&path) {
            if let Some(c) = s.split_whitespace().next().and_then(|c| c.parse().ok()) {
                return Some(c);
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn scratch_dir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = bin_dir().join("test-scratch").join(format!(
        "o7s-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}
