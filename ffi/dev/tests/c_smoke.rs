//! Smoke test of libouroboros-dev in private systems (our irmd): a small C
//! client and server (tests/c/), built with `-Wall -Wextra -Werror`
//! against `include/` and our library, allocate a direct flow, exchange
//! connection information and packets, and deallocate. With
//! `UPSTREAM_PREFIX` also: our client against the server built with
//! upstream's headers and library, and upstream's own `oping` (built
//! against upstream) running on our library through `LD_LIBRARY_PATH`.
//! Loading the library without an IRMd is fatal, as upstream.
//!
//! The full C API suite is compat-tests/tests/c_dev_api.rs; this only
//! checks that the library works as a drop-in. Needs `cargo build
//! --workspace` (irmd, irm) and a C compiler.

use harness::{code, inner_pid, Background, System};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds `tests/c/<src>.c` against the headers in `include` and the
/// libouroboros-dev in `lib` (which the program then loads, by RUNPATH).
fn build(dir: &Path, src: &str, include: &Path, lib: &Path, exe_name: &str) -> PathBuf {
    let exe = dir.join(exe_name);
    let out = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror"])
        .arg(format!("-I{}", include.display()))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/c/{src}.c")))
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-louroboros-dev", "-ldl", "-pthread"])
        .output()
        .expect("running cc");
    assert!(
        out.status.success(),
        "cc {src}.c failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

fn our_include() -> PathBuf {
    workspace().join("include")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Waits (bounded) until the IRMd log satisfies `ok`.
fn wait_for_log(sys: &System, ok: impl Fn(&str) -> bool) {
    let end = Instant::now() + Duration::from_secs(20);
    while !ok(&sys.log()) {
        assert!(Instant::now() < end, "timed out; irmd log:\n{}", sys.log());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run_ok(sys: &System, argv: &[&str]) {
    let out = sys.run(argv);
    assert_eq!(
        code(&out.status),
        0,
        "{argv:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Binds `prog` to the name "x" and starts it in the background, its
/// output going to `<prog>.out` in the system's directory; returns once
/// the IRMd has seen it announce itself.
fn start_server(sys: &System, prog: &Path, args: &[&str], env: &[(&str, &Path)]) -> Background {
    let path = prog.to_str().expect("utf-8 path");
    run_ok(sys, &["irm", "bind", "program", path, "name", "x"]);
    let name = prog.file_name().expect("name").to_string_lossy();
    let out = std::fs::File::create(server_out(sys, prog)).expect("server output");
    let mut c = sys.command(path);
    c.args(args)
        .env_remove("LD_LIBRARY_PATH")
        .stdout(out.try_clone().expect("fd"))
        .stderr(out);
    for (k, v) in env {
        c.env(k, v);
    }
    let child = c.spawn().expect("starting the server");
    wait_for_log(sys, |log| log.contains(&format!("({name}).")));
    Background(child)
}

fn server_out(sys: &System, prog: &Path) -> PathBuf {
    let name = prog.file_name().expect("name").to_string_lossy();
    sys.dir().join(format!("{name}.out"))
}

/// Waits (bounded) for the background server to exit; its output.
fn server_finished(sys: &System, server: &mut Background, prog: &Path) -> String {
    let end = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(st) = server.0.try_wait().expect("try_wait") {
            break st;
        }
        assert!(
            Instant::now() < end,
            "the server did not finish:\n{}\nirmd log:\n{}",
            std::fs::read_to_string(server_out(sys, prog)).unwrap_or_default(),
            sys.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = std::fs::read_to_string(server_out(sys, prog)).expect("server output");
    assert_eq!(code(&status), 0, "server failed:\n{out}");
    out
}

/// Runs the C client; asserts it passed and loaded the library in `lib`.
fn run_client(sys: &System, exe: &Path, lib: &Path) -> Output {
    let mut c = sys.command(exe.to_str().expect("utf-8 path"));
    c.env_remove("LD_LIBRARY_PATH");
    let out = harness::output_with_timeout(c, Duration::from_secs(120));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.ends_with("PASS\n"),
        "client failed ({}):\n{stdout}{}\nirmd log:\n{}",
        out.status,
        text(&out.stderr),
        sys.log()
    );
    let want = format!("library {}/libouroboros-dev.so.0.23\n", lib.display());
    assert!(stdout.starts_with(&want), "expected {want:?}:\n{stdout}");
    out
}

/// What the server reports for the client's exchange.
fn assert_served(out: &str, lib: &Path) {
    assert_accepted(out, lib);
    // the client deallocated: the flow is down
    assert!(out.contains("echoed 9, then flow_read: -1005\n"), "{out}");
}

/// The server's report up to its echo loop.
fn assert_accepted(out: &str, lib: &Path) {
    let want = format!("library {}/libouroboros-dev.so.0.23\n", lib.display());
    assert!(out.starts_with(&want), "expected {want:?}:\n{out}");
    assert!(out.contains("accepted fd 64\n"), "{out}");
    // PROTO_FIXED is 2
    assert!(out.contains("cep smoke test 3 2 41\n"), "{out}");
}

#[test]
fn our_client_and_server_exchange_packets() {
    let sys = System::start();
    let lib = harness::our_lib_dir();
    let server = build(
        sys.dir(),
        "smoke_server",
        &our_include(),
        &lib,
        "ours_server",
    );
    let client = build(
        sys.dir(),
        "smoke_client",
        &our_include(),
        &lib,
        "ours_client",
    );
    let mut srv = start_server(&sys, &server, &[], &[]);
    let out = run_client(&sys, &client, &lib);
    assert!(text(&out.stdout).contains("flow_alloc: 64\n"));
    assert_served(&server_finished(&sys, &mut srv, &server), &lib);
    assert!(
        sys.log().contains("allocated (direct)"),
        "expected a direct flow:\n{}",
        sys.log()
    );
}

#[test]
fn our_client_against_an_upstream_server() {
    let Some(prefix) = harness::upstream_prefix() else {
        eprintln!("UPSTREAM_PREFIX not set: skipped");
        return;
    };
    let sys = System::start();
    let ours = harness::our_lib_dir();
    let theirs = prefix.join("lib");
    let server = build(
        sys.dir(),
        "smoke_server",
        &prefix.join("include"),
        &theirs,
        "upstream_server",
    );
    let client = build(
        sys.dir(),
        "smoke_client",
        &our_include(),
        &ours,
        "ours_client",
    );
    let mut srv = start_server(&sys, &server, &[], &[]);
    run_client(&sys, &client, &ours);
    // Upstream's blocking read waits for a packet only: it does not see
    // the ring go down when its peer deallocates (the same happens with an
    // upstream client), so the server stays in flow_read for good.
    wait_for_log(&sys, |log| log.contains("Process removed"));
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        srv.0.try_wait().expect("try_wait").is_none(),
        "the upstream server left its blocking read:\n{}",
        std::fs::read_to_string(server_out(&sys, &server)).unwrap_or_default()
    );
    let out = std::fs::read_to_string(server_out(&sys, &server)).expect("server output");
    assert_accepted(&out, &theirs);
}

/// The host path of a library a running process has mapped whose file
/// name contains `needle`.
fn mapped(pid: i32, needle: &str) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let mut libs: Vec<String> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.contains(needle))
        .map(str::to_string)
        .collect();
    libs.dedup();
    libs
}

#[test]
fn upstream_oping_runs_on_our_library() {
    let Some(prefix) = harness::upstream_prefix() else {
        eprintln!("UPSTREAM_PREFIX not set: skipped");
        return;
    };
    let sys = System::start();
    let lib = harness::our_lib_dir();
    let oping = prefix.join("bin/oping");
    let oping_s = oping.to_str().expect("utf-8 path");

    // the dynamic loader picks ours over oping's RUNPATH
    let mut c = sys.command("ldd");
    c.arg(oping_s).env("LD_LIBRARY_PATH", &lib);
    let trace = text(&harness::output_with_timeout(c, Duration::from_secs(30)).stdout);
    let want = format!(
        "libouroboros-dev.so.0.23 => {}/libouroboros-dev.so.0.23 ",
        lib.display()
    );
    assert!(trace.contains(&want), "expected {want:?}:\n{trace}");

    let srv = start_server(&sys, &oping, &["-l"], &[("LD_LIBRARY_PATH", &lib)]);
    let pid = inner_pid(&srv.0).expect("server pid");
    // ours: libouroboros-dev and the libouroboros-common it needs
    let mut ours: Vec<String> = ["libouroboros_dev.so", "libouroboros_common.so"]
        .into_iter()
        .map(|l| {
            let p = harness::cdylib(l).canonicalize().expect("library");
            p.display().to_string()
        })
        .collect();
    ours.sort();
    let mut seen = mapped(pid, "libouroboros");
    seen.sort();
    assert_eq!(
        seen, ours,
        "the oping server must have our libraries (and no others) mapped"
    );

    let mut c = sys.command(oping_s);
    c.args(["-n", "x", "-c", "3", "-i", "10"])
        .env("LD_LIBRARY_PATH", &lib)
        .stdin(Stdio::null());
    let out = harness::output_with_timeout(c, Duration::from_secs(60));
    let stdout = text(&out.stdout);
    assert_eq!(code(&out.status), 0, "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("3 packets transmitted, 3 received, 0 out-of-order, 0% packet loss"),
        "{stdout}\nserver:\n{}",
        std::fs::read_to_string(server_out(&sys, &oping)).unwrap_or_default()
    );
    // stdout is a file, flushed at exit: stop the server (exit 0 on SIGTERM)
    let mut srv = srv;
    assert!(harness::signal_inner(&srv.0, libc::SIGTERM));
    let served = server_finished(&sys, &mut srv, &oping);
    assert!(
        served.contains("Ouroboros ping server started."),
        "{served}"
    );
    assert!(served.contains("New flow 64."), "{served}");
}

/// Loading the library without an IRMd: `FATAL: ...` on stderr, exit 1,
/// before `main` (upstream's oping on both libraries when installed).
#[test]
fn loading_without_an_irmd_is_fatal() {
    let sys = System::new();
    let lib = harness::our_lib_dir();
    let client = build(
        sys.dir(),
        "smoke_client",
        &our_include(),
        &lib,
        "ours_client",
    );
    let mut runs = vec![(sys.command(client.to_str().expect("utf-8 path")), "ours")];
    if let Some(prefix) = harness::upstream_prefix() {
        let oping = prefix.join("bin/oping");
        let oping = oping.to_str().expect("utf-8 path");
        let mut ours = sys.command(oping);
        ours.arg("-l").env("LD_LIBRARY_PATH", &lib);
        let mut theirs = sys.command(oping);
        theirs.arg("-l").env_remove("LD_LIBRARY_PATH");
        runs.push((ours, "upstream oping on ours"));
        runs.push((theirs, "upstream oping on upstream's"));
    }
    for (mut c, what) in runs {
        if what == "ours" {
            c.env_remove("LD_LIBRARY_PATH");
        }
        let out = harness::output_with_timeout(c, Duration::from_secs(30));
        assert_eq!(code(&out.status), 1, "{what}");
        assert_eq!(text(&out.stdout), "", "{what}: main must not run");
        assert_eq!(
            text(&out.stderr),
            "FATAL: Could not announce to IRMd.\n",
            "{what}"
        );
    }
}
