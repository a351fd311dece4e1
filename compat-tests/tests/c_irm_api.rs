//! compat-tests/c/irm_api.c, built with the system C compiler against
//! `include/` and our libouroboros-irm, run inside private systems: every
//! irm.h function on its success and error paths. With `UPSTREAM_PREFIX`
//! also mixed: our library against upstream's irmd, and the program built
//! against upstream's headers and library against our irmd.

use harness::System;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// A library directory in `dir` where `-louroboros-irm` finds our
/// libouroboros_irm.so under upstream's names (and the loader the
/// libouroboros-common it needs).
fn our_lib_dir(dir: &Path) -> PathBuf {
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).expect("lib dir");
    for (cargo_name, names) in [
        (
            "libouroboros_irm.so",
            ["libouroboros-irm.so", "libouroboros-irm.so.0.23"],
        ),
        (
            "libouroboros_common.so",
            ["libouroboros-common.so", "libouroboros-common.so.0.23"],
        ),
    ] {
        let so = harness::cdylib(cargo_name);
        for name in names {
            let link = lib.join(name);
            let _ = std::fs::remove_file(&link);
            symlink(&so, &link).expect("symlink");
        }
    }
    lib
}

/// Builds irm_api.c against the headers in `include` and the library in
/// `lib`; returns the program's path.
fn build(dir: &Path, include: &Path, lib: &Path, name: &str) -> PathBuf {
    let exe = dir.join(name);
    let out = Command::new("cc")
        .args(["-Wall", "-Wextra", "-Werror"])
        .arg(format!("-I{}", include.display()))
        .arg(workspace().join("compat-tests/c/irm_api.c"))
        .arg(format!("-L{}", lib.display()))
        .arg("-louroboros-irm")
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("running cc");
    assert!(
        out.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

/// Runs the program inside `sys` with `lib` on the library path.
fn run(sys: &System, exe: &Path, lib: &Path, args: &[&str]) -> Output {
    let mut c = sys.command(exe.to_str().expect("utf-8 path"));
    c.args(args).env("LD_LIBRARY_PATH", lib);
    harness::output_with_timeout(c, Duration::from_secs(120))
}

fn assert_passed(out: &Output, sys: &System) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "irm_api failed ({}):\n{stdout}{}\nirmd log:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        sys.log()
    );
    assert!(
        stdout.contains(", 0 failed"),
        "unexpected output:\n{stdout}"
    );
}

#[test]
fn irm_api_against_our_irmd() {
    let sys = System::start();
    let lib = our_lib_dir(sys.dir());
    let exe = build(sys.dir(), &workspace().join("include"), &lib, "irm_api");
    assert_passed(&run(&sys, &exe, &lib, &[]), &sys);
}

#[test]
fn irm_api_without_irmd_gets_eirmd() {
    let sys = System::new();
    let lib = our_lib_dir(sys.dir());
    let exe = build(sys.dir(), &workspace().join("include"), &lib, "irm_api");
    assert_passed(&run(&sys, &exe, &lib, &["--no-irmd"]), &sys);
}

#[test]
fn our_library_against_upstream_irmd() {
    let Some(prefix) = harness::upstream_prefix() else {
        eprintln!("UPSTREAM_PREFIX not set: skipped");
        return;
    };
    let mut sys = System::new();
    sys.start_irmd_at(&prefix.join("sbin/irmd"), &[]);
    let lib = our_lib_dir(sys.dir());
    let exe = build(sys.dir(), &workspace().join("include"), &lib, "irm_api");
    assert_passed(&run(&sys, &exe, &lib, &[]), &sys);
}

#[test]
fn upstream_library_against_our_irmd() {
    let Some(prefix) = harness::upstream_prefix() else {
        eprintln!("UPSTREAM_PREFIX not set: skipped");
        return;
    };
    let sys = System::start();
    let lib = prefix.join("lib");
    let exe = build(sys.dir(), &prefix.join("include"), &lib, "irm_api_upstream");
    assert_passed(&run(&sys, &exe, &lib, &[]), &sys);
}
