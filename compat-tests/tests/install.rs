//! `make install` and `make uninstall` (Makefile, dist/) against
//! user-surface §1: the installed file set of §1.1 (names, modes, link
//! targets), the libraries' SONAME, DT_NEEDED and RUNPATH (§1.2), the
//! compiled-in paths, the pkg-config, CMake, systemd and configuration
//! files (§1.6–1.9), the man pages (§1.5, §4), and C programs built from
//! the install with pkg-config and with CMake running against the
//! installed daemons.
//!
//! Every install here is built for one prefix under the build directory
//! (`install-test/prefix`, which stays empty on the host) with its own
//! cargo target directory, so the release build is only redone when the
//! sources change; each test installs into its own DESTDIR. To run a
//! staged install, a private system bind-mounts `DESTDIR/PREFIX` over
//! `PREFIX` in its mount namespace: inside, the install is where it was
//! built for, RUNPATH, pkg-config and the compiled-in paths included.
//!
//! Needs make, patchelf, gzip, readelf, cc, pkg-config, cmake, groff and
//! man (scripts/install-deps.sh), and root for the private systems.

use harness::{code, Background, System};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The `ipcpd-*` types this tree builds, and the ones of §1.1 it does not
/// build yet (milestone 2). A pending program that appears in the install
/// fails the test until it is moved to the built list, and so does a
/// built one that is missing.
const IPCPS_BUILT: &[&str] = &[
    "local",
    "unicast",
    "broadcast",
    "udp4",
    "udp6",
    "eth-llc",
    "eth-dix",
];
const IPCPS_PENDING: &[&str] = &[];

/// Likewise for the tools of §1.3.
const TOOLS_BUILT: &[&str] = &["oping", "oecho", "ocbr", "operf", "obc", "ovpn"];
const TOOLS_PENDING: &[&str] = &[];

/// §1.1 has 66 entries.
const UPSTREAM_ENTRIES: usize = 66;

const HEADERS: &[&str] = &[
    "cdefs.h",
    "cep.h",
    "dev.h",
    "errno.h",
    "fccntl.h",
    "fqueue.h",
    "ipcp.h",
    "irm.h",
    "name.h",
    "proto.h",
    "qos.h",
    "version.h",
];

/// §1.5: every man page, with the page its `.so` points to (None for a
/// full page).
const MAN_PAGES: &[(&str, Option<&str>)] = &[
    ("flow_alloc.3", None),
    ("flow_accept.3", Some("flow_alloc.3")),
    ("flow_dealloc.3", Some("flow_alloc.3")),
    ("flow_read.3", None),
    ("flow_write.3", Some("flow_read.3")),
    ("fccntl.3", None),
    ("fqueue.3", None),
    ("fqueue_create.3", Some("fqueue.3")),
    ("fqueue_destroy.3", Some("fqueue.3")),
    ("fqueue_next.3", Some("fqueue.3")),
    ("fevent.3", Some("fqueue.3")),
    ("fset.3", None),
    ("fset_create.3", Some("fset.3")),
    ("fset_destroy.3", Some("fset.3")),
    ("fset_zero.3", Some("fset.3")),
    ("fset_add.3", Some("fset.3")),
    ("fset_del.3", Some("fset.3")),
    ("fset_has.3", Some("fset.3")),
    ("ouroboros-glossary.7", None),
    ("ouroboros-tutorial.7", None),
    ("ouroboros.8", None),
    ("irmd.8", Some("ouroboros.8")),
    ("irm.8", Some("ouroboros.8")),
];

/// Where the systemd unit goes (outside PREFIX, under DESTDIR).
const UNIT_DIR: &str = "/lib/systemd/system";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The build directory (`target`).
fn target_root() -> PathBuf {
    harness::bin_dir()
        .parent()
        .expect("build directory")
        .to_path_buf()
}

/// The prefix every install of this test is built for.
fn prefix() -> PathBuf {
    target_root().join("install-test").join("prefix")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn show(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// What dist/layout.sh makes of `var` for our prefix (the defaults
/// depend on the distribution: LIBDIR may be lib64).
fn layout(var: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(". dist/layout.sh && printf '%s' \"${var}\""))
        .current_dir(workspace())
        .env("PREFIX", prefix())
        .env("SYSTEMD_INSTALL_FILES", "NO")
        .output()
        .expect("sh");
    assert!(out.status.success(), "layout.sh: {}", show(&out));
    text(&out.stdout)
}

/// The release build is shared: one make at a time.
static MAKE: Mutex<()> = Mutex::new(());

/// One `make install` into a DESTDIR of its own; removed when dropped.
struct Install {
    dir: PathBuf,
}

impl Install {
    fn new(tag: &str) -> Install {
        let dir = target_root()
            .join("install-test")
            .join(format!("{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("install dir");
        let inst = Install { dir };
        let out = inst.make("install");
        assert!(out.status.success(), "make install failed:\n{}", show(&out));
        inst
    }

    /// DESTDIR.
    fn dest(&self) -> PathBuf {
        self.dir.join("dest")
    }

    fn manifest(&self) -> PathBuf {
        self.dir.join("install_manifest.txt")
    }

    /// The staged prefix, `DESTDIR/PREFIX`.
    fn root(&self) -> PathBuf {
        staged(&self.dest(), &prefix())
    }

    fn make(&self, target: &str) -> Output {
        let _one = MAKE.lock().unwrap_or_else(|e| e.into_inner());
        let mut c = Command::new("make");
        c.arg("-C")
            .arg(workspace())
            .arg("--no-print-directory")
            .arg(target)
            .arg(format!("PREFIX={}", prefix().display()))
            .arg(format!("DESTDIR={}", self.dest().display()))
            .arg(format!("MANIFEST={}", self.manifest().display()))
            .arg("SYSTEMD_INSTALL_FILES=FORCE")
            .arg(format!("SYSTEMD_UNITDIR_OVERRIDE={UNIT_DIR}"))
            .env(
                "CARGO_TARGET_DIR",
                target_root().join("install-test").join("cargo"),
            )
            .stdin(Stdio::null());
        // the defaults, whatever the environment of the test says
        for var in [
            "BINDIR",
            "SBINDIR",
            "LIBDIR",
            "INCLUDEDIR",
            "MANDIR",
            "SYSCONFDIR",
            "OUROBOROS_CONFIG_DIR",
            "LDCONFIG",
            "MAKEFLAGS",
            "MFLAGS",
            "MAKELEVEL",
            "CARGO_MAKEFLAGS",
        ] {
            c.env_remove(var);
        }
        c.output().expect("running make")
    }

    /// Makes the install appear at PREFIX inside `sys` (a bind mount in its
    /// private mount namespace; the host's PREFIX stays empty).
    fn mount_in(&self, sys: &System) {
        std::fs::create_dir_all(prefix()).expect("prefix mount point");
        let root = self.root();
        let p = prefix();
        let out = sys.run(&[
            "mount",
            "--bind",
            root.to_str().expect("utf-8 path"),
            p.to_str().expect("utf-8 path"),
        ]);
        assert!(out.status.success(), "bind mount: {}", show(&out));
    }
}

impl Drop for Install {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `dest` + `path` (an absolute path).
fn staged(dest: &Path, path: &Path) -> PathBuf {
    dest.join(path.strip_prefix("/").expect("absolute path"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    File(u32),
    Link(String),
}

/// §1.1 for our prefix: installed path (without DESTDIR) -> kind, minus
/// the pending programs, plus the three configuration files of a build
/// with configuration-file support.
fn expected() -> BTreeMap<String, Kind> {
    let p = prefix().display().to_string();
    let lib = layout("FULL_LIBDIR");
    let conf = layout("CONFIG_DIR");
    let mut e = BTreeMap::new();
    for x in ["common", "dev", "irm"] {
        let name = format!("libouroboros-{x}.so");
        e.insert(format!("{lib}/{name}.0.23.0"), Kind::File(0o644));
        e.insert(
            format!("{lib}/{name}.0.23"),
            Kind::Link(format!("{name}.0.23.0")),
        );
        e.insert(format!("{lib}/{name}"), Kind::Link(format!("{name}.0.23")));
    }
    for prog in ["irmd", "irm"] {
        e.insert(format!("{p}/sbin/{prog}"), Kind::File(0o755));
    }
    for t in IPCPS_BUILT {
        e.insert(format!("{p}/sbin/ipcpd-{t}"), Kind::File(0o755));
    }
    for t in TOOLS_BUILT {
        e.insert(format!("{p}/bin/{t}"), Kind::File(0o755));
    }
    for h in HEADERS {
        e.insert(format!("{p}/include/ouroboros/{h}"), Kind::File(0o644));
    }
    for (page, _) in MAN_PAGES {
        let section = page.rsplit('.').next().expect("section");
        e.insert(
            format!("{p}/share/man/man{section}/{page}.gz"),
            Kind::File(0o644),
        );
    }
    for pc in ["ouroboros-dev.pc", "ouroboros-irm.pc"] {
        e.insert(format!("{lib}/pkgconfig/{pc}"), Kind::File(0o644));
    }
    for f in [
        "OuroborosTargets.cmake",
        "OuroborosTargets-release.cmake",
        "OuroborosConfig.cmake",
        "OuroborosConfigVersion.cmake",
    ] {
        e.insert(format!("{lib}/cmake/Ouroboros/{f}"), Kind::File(0o644));
    }
    e.insert(format!("{UNIT_DIR}/ouroboros.service"), Kind::File(0o644));
    let upstream = e.len() + IPCPS_PENDING.len() + TOOLS_PENDING.len();
    assert_eq!(upstream, UPSTREAM_ENTRIES, "the list of §1.1 is off");
    for f in ["irmd.conf.example", "enc.conf.example", "irmd.conf"] {
        e.insert(format!("{conf}/{f}"), Kind::File(0o644));
    }
    e
}

/// Everything under `dest`: files and links by their installed path, and
/// the directories.
fn walk(dest: &Path) -> (BTreeMap<String, Kind>, BTreeSet<String>) {
    fn go(
        dest: &Path,
        dir: &Path,
        files: &mut BTreeMap<String, Kind>,
        dirs: &mut BTreeSet<String>,
    ) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let inside = format!("/{}", path.strip_prefix(dest).expect("inside").display());
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("read_link");
                files.insert(inside, Kind::Link(target.display().to_string()));
            } else if meta.is_dir() {
                dirs.insert(inside);
                go(dest, &path, files, dirs);
            } else {
                files.insert(inside, Kind::File(meta.permissions().mode() & 0o7777));
            }
        }
    }
    let mut files = BTreeMap::new();
    let mut dirs = BTreeSet::new();
    if dest.exists() {
        go(dest, dest, &mut files, &mut dirs);
    }
    (files, dirs)
}

fn readelf(path: &Path) -> String {
    let out = Command::new("readelf")
        .arg("-d")
        .arg(path)
        .output()
        .expect("readelf (binutils)");
    assert!(
        out.status.success(),
        "readelf {}: {}",
        path.display(),
        show(&out)
    );
    text(&out.stdout)
}

/// The values of the dynamic entries `tag` (NEEDED, SONAME, RUNPATH...).
fn dynamic(elf: &str, tag: &str) -> Vec<String> {
    let key = format!("({tag})");
    elf.lines()
        .filter(|l| l.contains(&key))
        .filter_map(|l| {
            let start = l.find('[')? + 1;
            let end = l.rfind(']')?;
            Some(l[start..end].to_string())
        })
        .collect()
}

#[test]
fn installed_files_are_upstreams() {
    let inst = Install::new("files");
    let (files, dirs) = walk(&inst.dest());
    let want = expected();

    for (path, kind) in &files {
        if !want.contains_key(path) {
            let name = path.rsplit('/').next().unwrap_or_default();
            let pending = IPCPS_PENDING
                .iter()
                .map(|t| format!("ipcpd-{t}"))
                .chain(TOOLS_PENDING.iter().map(|t| t.to_string()))
                .any(|p| p == name);
            assert!(
                !pending,
                "{name} is built now: move it from the pending to the built list in {}",
                file!()
            );
            panic!("unexpected file installed: {path} ({kind:?})");
        }
    }
    for (path, kind) in &want {
        assert_eq!(files.get(path), Some(kind), "{path}");
    }
    assert_eq!(files.len(), want.len());

    // no directory without a file in it
    for d in &dirs {
        assert!(
            files.keys().any(|f| f.starts_with(&format!("{d}/"))),
            "empty directory installed: {d}"
        );
    }

    // the manifest lists exactly what was installed
    let manifest = std::fs::read_to_string(inst.manifest()).expect("manifest");
    let listed: BTreeSet<&str> = manifest.lines().collect();
    let installed: BTreeSet<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(listed, installed, "install manifest");
    assert_eq!(manifest.lines().count(), files.len(), "manifest duplicates");
}

#[test]
fn installed_binaries_carry_sonames_runpath_and_paths() {
    let inst = Install::new("elf");
    let p = prefix().display().to_string();
    let lib = layout("FULL_LIBDIR");
    let conf = layout("CONFIG_DIR");
    for x in ["common", "dev", "irm"] {
        let elf = readelf(&staged(
            &inst.dest(),
            Path::new(&format!("{lib}/libouroboros-{x}.so.0.23.0")),
        ));
        assert_eq!(
            dynamic(&elf, "SONAME"),
            [format!("libouroboros-{x}.so.0.23")],
            "{x}"
        );
        assert_eq!(dynamic(&elf, "RUNPATH"), [lib.as_str()], "{x}: {elf}");
        assert!(dynamic(&elf, "RPATH").is_empty(), "{x}: {elf}");
        let needs_common = dynamic(&elf, "NEEDED").contains(&"libouroboros-common.so.0.23".into());
        assert_eq!(needs_common, x != "common", "{x}: {elf}");
    }
    let mut programs: Vec<String> = ["irmd", "irm"]
        .iter()
        .map(|s| format!("{p}/sbin/{s}"))
        .collect();
    programs.extend(IPCPS_BUILT.iter().map(|t| format!("{p}/sbin/ipcpd-{t}")));
    programs.extend(TOOLS_BUILT.iter().map(|t| format!("{p}/bin/{t}")));
    for prog in &programs {
        let elf = readelf(&staged(&inst.dest(), Path::new(prog)));
        assert_eq!(dynamic(&elf, "RUNPATH"), [lib.as_str()], "{prog}");
    }

    // the release build has the install's paths compiled in
    let irmd = std::fs::read(inst.root().join("sbin/irmd")).expect("irmd");
    for path in [format!("{p}/sbin"), conf] {
        assert!(
            irmd.windows(path.len()).any(|w| w == path.as_bytes()),
            "{path} is not compiled into irmd"
        );
    }
}

#[test]
fn pkg_config_cmake_systemd_and_configuration_files() {
    let inst = Install::new("data");
    let p = prefix().display().to_string();
    let lib = layout("FULL_LIBDIR");
    let rel_lib = layout("LIBDIR");
    let conf = layout("CONFIG_DIR");
    let read = |path: &str| {
        std::fs::read_to_string(staged(&inst.dest(), Path::new(path)))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    };

    for (x, what) in [("dev", "Development"), ("irm", "Management")] {
        let want = format!(
            "prefix={p}\nexec_prefix=${{prefix}}\nlibdir=${{exec_prefix}}/{rel_lib}\n\
             includedir=${{prefix}}/include\n\nName: ouroboros-{x}\n\
             Description: {what} library for Ouroboros\nURL: http://ouroboros.rocks\n\
             Version: 0.23.0\n\nLibs: -L${{libdir}} -louroboros-{x}\nCflags: -I${{includedir}}\n"
        );
        assert_eq!(read(&format!("{lib}/pkgconfig/ouroboros-{x}.pc")), want);
    }

    // pkg-config on a staged install: the sysroot goes in front of the
    // prefix the files name
    let pkg_config = |args: &[&str]| {
        let out = Command::new("pkg-config")
            .args(args)
            .arg("ouroboros-dev")
            .env(
                "PKG_CONFIG_LIBDIR",
                staged(&inst.dest(), Path::new(&format!("{lib}/pkgconfig"))),
            )
            .env("PKG_CONFIG_SYSROOT_DIR", inst.dest())
            .env_remove("PKG_CONFIG_PATH")
            .output()
            .expect("pkg-config");
        assert!(out.status.success(), "pkg-config {args:?}: {}", show(&out));
        text(&out.stdout).trim_end().to_string()
    };
    let d = inst.dest().display().to_string();
    assert_eq!(pkg_config(&["--modversion"]), "0.23.0");
    assert_eq!(
        pkg_config(&["--cflags", "--libs"]),
        format!("-I{d}{p}/include -L{d}{lib} -louroboros-dev")
    );

    let unit = read(&format!("{UNIT_DIR}/ouroboros.service"));
    let exec: Vec<&str> = unit
        .lines()
        .filter(|l| l.starts_with("ExecStart="))
        .collect();
    assert_eq!(
        exec,
        [format!("ExecStart={p}/sbin/irmd --config {conf}/irmd.conf").as_str()]
    );
    for line in [
        "Description=Ouroboros IPC Resource Manager Daemon",
        "User=root",
        "WantedBy=multi-user.target",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line}:\n{unit}");
    }

    assert_eq!(read(&format!("{conf}/irmd.conf")), "");
    let example = read(&format!("{conf}/irmd.conf.example"));
    assert!(!example.contains('@'), "unsubstituted:\n{example}");
    assert!(example.contains(&format!("prog = [\"{p}/bin/oping\"]")));
    assert!(example.contains(&format!("{conf}/security/server/<name>/")));
    let enc = read(&format!("{conf}/enc.conf.example"));
    let body: Vec<&str> = enc
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(body, ["kex=prime256v1", "cipher=aes-256-gcm", "kdf=sha256"]);
    assert!(enc.contains(&format!("{conf}/security/server/<name>/enc.conf")));

    // the CMake files find the prefix from where they are
    let targets = read(&format!("{lib}/cmake/Ouroboros/OuroborosTargets.cmake"));
    assert!(
        !targets.contains(&p),
        "OuroborosTargets.cmake names the prefix"
    );
}

#[test]
fn uninstall_leaves_nothing_behind() {
    let inst = Install::new("uninstall");
    let out = inst.make("uninstall");
    assert!(out.status.success(), "make uninstall: {}", show(&out));
    let (files, dirs) = walk(&inst.dest());
    assert!(files.is_empty(), "left behind: {files:?}");
    assert!(dirs.is_empty(), "left behind: {dirs:?}");
    assert!(!inst.manifest().exists());

    // a configuration the administrator wrote is kept
    let out = inst.make("install");
    assert!(out.status.success(), "make install: {}", show(&out));
    let conf = format!("{}/irmd.conf", layout("CONFIG_DIR"));
    std::fs::write(staged(&inst.dest(), Path::new(&conf)), "[name.x]\n").expect("edit");
    let out = inst.make("uninstall");
    assert!(out.status.success(), "make uninstall: {}", show(&out));
    let (files, _) = walk(&inst.dest());
    assert_eq!(files.keys().collect::<Vec<_>>(), [&conf]);
}

#[test]
fn man_pages_render_without_warnings() {
    let src = workspace().join("man");
    let mut names: Vec<String> = std::fs::read_dir(&src)
        .expect("man/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = MAN_PAGES.iter().map(|(p, _)| p.to_string()).collect();
    want.sort();
    assert_eq!(names, want, "man/ holds exactly the pages of §1.5");

    for (page, target) in MAN_PAGES {
        // the sources: no groff warning at all (.so resolves from man/)
        let out = Command::new("groff")
            .args(["-man", "-ww", "-z", page])
            .current_dir(&src)
            .output()
            .expect("groff");
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "groff -man -ww -z {page}: {}",
            show(&out)
        );
        let body = std::fs::read_to_string(src.join(page)).expect("page");
        match target {
            Some(t) => assert_eq!(body, format!(".so {t}\n"), "{page}"),
            None => {
                let title = page.rsplit_once('.').expect("section").0.to_uppercase();
                assert!(body.contains(&format!("\n.TH {title} ")), "{page}: .TH");
            }
        }
    }

    // the installed pages: man -l shows each (an alias page from its
    // directory, where its .so finds its target, as man(1) does)
    let inst = Install::new("man");
    for (page, target) in MAN_PAGES {
        let section = page.rsplit('.').next().expect("section");
        let dir = inst.root().join(format!("share/man/man{section}"));
        let out = Command::new("man")
            .arg("-l")
            .arg(format!("{page}.gz"))
            .current_dir(&dir)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "80")
            .env("LC_ALL", "C")
            .output()
            .expect("man (man-db)");
        let shown = target.unwrap_or(page);
        let (title, sect) = shown.rsplit_once('.').expect("section");
        let header = format!("{}({sect})", title.to_uppercase());
        let stdout = text(&out.stdout);
        assert!(
            out.status.success() && out.stderr.is_empty() && stdout.starts_with(&header),
            "man -l {page}.gz: {}{stdout}",
            text(&out.stderr)
        );
        assert!(stdout.contains("\nNAME\n"), "{page}: {stdout}");
    }
}

/// Runs `argv` inside `sys`; asserts it succeeded; its stdout.
fn run_ok(sys: &System, argv: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = sys.command(argv[0]);
    c.args(&argv[1..]);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = harness::output_with_timeout(c, Duration::from_secs(300));
    assert_eq!(code(&out.status), 0, "{argv:?}:\n{}", show(&out));
    text(&out.stdout)
}

/// Waits (bounded) until the IRMd's log satisfies `ok`.
fn wait_for_log(sys: &System, ok: impl Fn(&str) -> bool) {
    let end = Instant::now() + Duration::from_secs(30);
    while !ok(&sys.log()) {
        assert!(Instant::now() < end, "timed out; irmd log:\n{}", sys.log());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A system running the installed irmd, with the install at PREFIX.
fn installed_system(inst: &Install, irmd_args: &[&str]) -> System {
    let mut sys = System::new();
    inst.mount_in(&sys);
    sys.start_irmd_at(&prefix().join("sbin/irmd"), irmd_args);
    sys
}

/// The installed irm creates a local layer (the irmd starts the
/// installed ipcpd-local) and binds `exe` to `name`; `exe server` and
/// `exe client <name>` exchange a packet through libouroboros-dev from
/// the install.
fn echo_through_the_install(sys: &System, exe: &Path, name: &str) {
    let p = prefix();
    let irm = p.join("sbin/irm").display().to_string();
    let exe_s = exe.to_str().expect("utf-8 path");
    let lib = layout("FULL_LIBDIR");

    run_ok(
        sys,
        &[
            &irm,
            "ipcp",
            "bootstrap",
            "type",
            "local",
            "name",
            "inst",
            "layer",
            "inst.layer",
        ],
        &[],
    );
    assert!(
        sys.log().contains(&format!(
            "Instantiated {}/sbin/ipcpd-local as process",
            p.display()
        )),
        "the installed ipcpd-local was not started:\n{}",
        sys.log()
    );
    let list = run_ok(sys, &[&irm, "ipcp", "list"], &[]);
    assert!(list.contains("inst.layer"), "{list}");

    // the loader takes both libraries from the install
    let ldd = run_ok(sys, &["ldd", exe_s], &[]);
    for l in ["dev", "common"] {
        let want = format!("libouroboros-{l}.so.0.23 => {lib}/libouroboros-{l}.so.0.23 ");
        assert!(ldd.contains(&want), "expected {want:?}:\n{ldd}");
    }

    run_ok(sys, &[&irm, "bind", "program", exe_s, "name", name], &[]);
    let server_out = sys.dir().join(format!("{name}.server"));
    let out = std::fs::File::create(&server_out).expect("server output");
    let mut c = sys.command(exe_s);
    c.arg("server")
        .stdout(out.try_clone().expect("fd"))
        .stderr(out);
    let mut server = Background(c.spawn().expect("server"));
    let prog = exe
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    wait_for_log(sys, |log| log.contains(&format!("({prog}).")));

    let client = run_ok(sys, &[exe_s, "client", name], &[]);
    assert_eq!(
        client,
        format!("library {lib}/libouroboros-dev.so.0.23\necho: hello from 0.23.0\n")
    );

    let end = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(st) = server.0.try_wait().expect("try_wait") {
            break st;
        }
        assert!(
            Instant::now() < end,
            "the server did not finish:\n{}",
            std::fs::read_to_string(&server_out).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let served = std::fs::read_to_string(&server_out).expect("server output");
    assert_eq!(code(&status), 0, "server:\n{served}");
    assert_eq!(
        served,
        format!("library {lib}/libouroboros-dev.so.0.23\naccepted\nflow_read: -1005\n")
    );
}

#[test]
fn c_program_built_with_pkg_config_runs_on_the_installed_system() {
    let inst = Install::new("pkgconfig");
    // the unit's command line: the installed, empty configuration
    let conf = format!("{}/irmd.conf", layout("CONFIG_DIR"));
    let sys = installed_system(&inst, &["--config", &conf]);

    let src = workspace().join("compat-tests/c/install/flow_echo.c");
    let exe = sys.dir().join("flow_echo");
    let pc_path = format!("{}/pkgconfig", layout("FULL_LIBDIR"));
    let build = format!(
        "cc -std=c11 -Wall -Wextra -Werror -o '{}' '{}' \
         $(pkg-config --cflags --libs ouroboros-dev) \
         -Wl,-rpath,$(pkg-config --variable=libdir ouroboros-dev)",
        exe.display(),
        src.display()
    );
    run_ok(
        &sys,
        &["sh", "-c", &build],
        &[("PKG_CONFIG_PATH", &pc_path)],
    );
    echo_through_the_install(&sys, &exe, "install.pkgconfig");
}

#[test]
fn c_programs_built_with_cmake_run_on_the_installed_system() {
    let inst = Install::new("cmake");
    let sys = installed_system(&inst, &[]);

    let src = sys.dir().join("src");
    std::fs::create_dir_all(&src).expect("source dir");
    for f in ["CMakeLists.txt", "flow_echo.c", "irm_names.c"] {
        std::fs::copy(
            workspace().join("compat-tests/c/install").join(f),
            src.join(f),
        )
        .expect("copy source");
    }
    let build = sys.dir().join("build");
    let p = prefix().display().to_string();
    run_ok(
        &sys,
        &[
            "cmake",
            "-S",
            src.to_str().expect("utf-8 path"),
            "-B",
            build.to_str().expect("utf-8 path"),
            &format!("-DCMAKE_PREFIX_PATH={p}"),
            "-DCMAKE_BUILD_TYPE=Release",
        ],
        &[],
    );
    run_ok(
        &sys,
        &["cmake", "--build", build.to_str().expect("utf-8 path")],
        &[],
    );

    // the management library: a name and an IPCP come and go
    let irm_names = build.join("irm_names");
    let out = run_ok(
        &sys,
        &[
            irm_names.to_str().expect("utf-8 path"),
            "install.cmake",
            "inst.cmake",
        ],
        &[],
    );
    let lib = layout("FULL_LIBDIR");
    assert_eq!(
        out,
        format!(
            "library {lib}/libouroboros-irm.so.0.23\nname install.cmake created\n\
             ipcp inst.cmake running\ncleaned up\n"
        )
    );

    echo_through_the_install(&sys, &build.join("flow_echo"), "install.cmake");
}
