//! Test support: run a test inside a private mount namespace with its own
//! empty `/dev/shm`, so no test ever touches the host's shared memory and
//! tests running in parallel do not see each other's objects.
//!
//! `isolated(name, body)` re-executes the current test binary for exactly
//! `name` under `unshare -m` with a fresh tmpfs on `/dev/shm`; inside (the
//! environment says so) `body` runs for real.

use std::process::Command;

const INSIDE: &str = "OUROBOROS_SSM_TEST_NS";

/// Declares `#[test] fn $name()` whose body runs isolated.
macro_rules! ns_test {
    ($(#[$m:meta])* fn $name:ident() $body:block) => {
        $(#[$m])*
        #[test]
        fn $name() {
            $crate::ssm::testns::isolated(
                concat!(module_path!(), "::", stringify!($name)),
                || $body,
            );
        }
    };
}
pub(crate) use ns_test;

/// Runs `body` in a private `/dev/shm` (see the module comment). `path` is
/// the test's full module path, crate name included.
pub(crate) fn isolated(path: &str, body: impl FnOnce()) {
    if std::env::var_os(INSIDE).is_some() {
        assert!(on_private_tmpfs(), "not inside a private /dev/shm");
        body();
        return;
    }
    // libtest names tests without the crate.
    let name = path.split_once("::").map_or(path, |(_, rest)| rest);
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            "mount -t tmpfs none /dev/shm && exec \"$0\" \"$@\"",
        ])
        .arg(&exe)
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .expect("unshare (needs root and util-linux)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "isolated run of {name} failed: {}",
        out.status
    );
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "isolated run did not run {name}"
    );
}

/// Whether `/dev/shm` is a tmpfs mounted in this (private) namespace: the
/// host's /dev/shm is never written by a test.
fn on_private_tmpfs() -> bool {
    let own = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    own.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.get(4) == Some(&"/dev/shm") && l.contains(" - tmpfs none ")
    }) && std::fs::read_link("/proc/self/ns/mnt").ok() != std::fs::read_link("/proc/1/ns/mnt").ok()
}

/// Forks a child that runs `f` and exits with its status (101 on panic).
/// Only for tests: the child must use nothing but async-signal-tolerant
/// code paths of this crate (shared memory, libc).
pub(crate) fn fork(f: impl FnOnce() -> i32) -> i32 {
    // SAFETY: the child runs `f` and leaves with `_exit`, never returning
    // into the test harness.
    match unsafe { nix::unistd::fork() }.expect("fork") {
        nix::unistd::ForkResult::Child => {
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(101);
            // SAFETY: terminating the forked child without running the
            // parent's atexit handlers.
            unsafe { libc::_exit(code) }
        }
        nix::unistd::ForkResult::Parent { child } => child.as_raw(),
    }
}

/// Waits for child `pid`; its exit code, or 128 + signal number.
pub(crate) fn wait(pid: i32) -> i32 {
    use nix::sys::wait::{waitpid, WaitStatus};
    loop {
        match waitpid(nix::unistd::Pid::from_raw(pid), None) {
            Ok(WaitStatus::Exited(_, c)) => return c,
            Ok(WaitStatus::Signaled(_, s, _)) => return 128 + s as i32,
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => panic!("waitpid {pid}: {e}"),
        }
    }
}
