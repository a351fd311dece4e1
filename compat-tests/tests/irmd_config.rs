//! `irmd --config <file>`: a configuration file applied at start creates,
//! bootstraps and binds IPCPs and creates names (checked over the IRM
//! protocol); a bad file makes the IRMd exit 1.

use harness::System;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::IpcpType;
use ouroboros::name::{LB_RR, LB_SPILL};
use ouroboros::pb::msg::{IpcpListMsg, NameInfoMsg};
use ouroboros::pb::{IrmMsg, IrmMsgCode};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Writes `text` as a configuration file in the system's scratch directory
/// (visible inside the namespace; its /tmp is private).
fn write_config(sys: &System, text: &str) -> PathBuf {
    let path = sys.dir().join("irmd.conf");
    std::fs::write(&path, text).expect("write config");
    path
}

fn list_ipcps(sys: &System) -> Vec<IpcpListMsg> {
    sys.irm_request(&IrmMsg::with_code(IrmMsgCode::IrmListIpcps))
        .map(|r| r.ipcps)
        .unwrap_or_default()
}

fn list_names(sys: &System) -> Vec<NameInfoMsg> {
    sys.irm_request(&IrmMsg::with_code(IrmMsgCode::IrmListNames))
        .map(|r| r.names)
        .unwrap_or_default()
}

/// Polls `cond` until it holds (the file is applied while the IRMd already
/// serves requests); gives up after a generous bound.
fn wait_for(what: &str, sys: &System, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(30);
    while Instant::now() < end {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} never happened; irmd log:\n{}", sys.log());
}

/// Runs our irmd with `--config <path>` to completion (it must exit by
/// itself); its exit code and output.
fn run_irmd_with(sys: &System, config: &Path) -> (i32, String) {
    let mut c = sys.command(harness::bin("irmd").to_str().expect("utf-8"));
    c.args(["--stdout", "--config"]).arg(config);
    let out = harness::output_with_timeout(c, Duration::from_secs(120));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (harness::code(&out.status), text)
}

fn position(log: &str, needle: &str) -> usize {
    log.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in log:\n{log}"))
}

#[test]
fn config_bootstraps_local_ipcp_and_creates_names() {
    let mut sys = System::new();
    let path = write_config(
        &sys,
        "# names first: applied before the IPCP\n\
         [name.svc]\n\
         lb = \"round-robin\"\n\
         prog = [\"/bin/true\", \"/bin/false\"]\n\
         args = [\"-a  b\"]\n\
         \n\
         [local.lo]\n\
         bootstrap = \"lay\"\n\
         autobind = false # binds anyway\n\
         reg = [\"regname\", \"other\"]\n\
         \n\
         [name.spilled]\n",
    );
    // A roundabout path: the log shows the resolved one.
    let dir = sys.dir().display().to_string();
    let given = format!("{dir}/./irmd.conf");
    sys.start_irmd_at(&harness::bin("irmd"), &["--config", &given]);

    let want_names = ["lay", "lo", "other", "regname", "spilled", "svc"];
    wait_for("all names created", &sys, || {
        let mut names: Vec<_> = list_names(&sys).into_iter().map(|n| n.name).collect();
        names.sort();
        names == want_names
    });
    let ipcps = list_ipcps(&sys);
    assert_eq!(ipcps.len(), 1, "{ipcps:?}");
    let lo = &ipcps[0];
    assert_eq!(lo.name, "lo");
    assert_eq!(lo.r#type, IpcpType::Local as u32);
    assert_eq!(lo.layer, "lay");
    assert_eq!(lo.hash_algo, HashAlgo::Sha3_256 as u32);
    assert!(lo.pid > 0);

    for n in list_names(&sys) {
        let want = if n.name == "svc" { LB_RR } else { LB_SPILL };
        assert_eq!(n.pol_lb, want, "{}", n.name);
    }

    let log = sys.log();
    let real = std::fs::canonicalize(&path).expect("canonical path");
    position(
        &log,
        &format!(
            "irmd/configuration(II): Reading configuration from file {}\u{1b}[0m",
            real.display()
        ),
    );
    // file order: the [name] table (first seen before [local]) comes first
    let svc = position(&log, "Created new name: svc.");
    let spilled = position(&log, "Created new name: spilled.");
    let ipcp = position(&log, &format!("Created IPCP {}.", lo.pid));
    assert!(svc < spilled && spilled < ipcp, "{log}");
    position(&log, "Bound program /bin/true to name svc.");
    position(&log, "Bound program /bin/false to name svc.");
    position(&log, &format!("Bootstrapped IPCP {}.", lo.pid));
    position(&log, &format!("Bound process {} to name lo.", lo.pid));
    position(&log, &format!("Bound process {} to name lay.", lo.pid));
    position(&log, &format!("Registered regname with IPCP {}", lo.pid));
    position(&log, &format!("Registered other with IPCP {}", lo.pid));
    assert!(!log.contains("(EE)"), "{log}");

    let st = sys.stop_irmd(libc::SIGTERM).expect("irmd status");
    assert_eq!(harness::code(&st), 0, "{}", sys.log());
}

#[test]
fn unknown_top_level_key_exits_1() {
    let sys = System::new();
    let path = write_config(&sys, "[name.first]\n[nonsense.x]\n[local.never]\n");
    let (code, log) = run_irmd_with(&sys, &path);
    assert_eq!(code, 1, "{log}");
    let created = position(&log, "Created new name: first.");
    let unknown = position(
        &log,
        "irmd/configuration(EE): Unkown toplevel key: nonsense.",
    );
    let failed = position(
        &log,
        "irmd/configuration(EE): Failed to load configuration.",
    );
    let file = position(&log, "irmd/configuration(EE): Failed to load config file.");
    assert!(
        created < unknown && unknown < failed && failed < file,
        "{log}"
    );
    assert!(!log.contains("Created IPCP"), "{log}");
}

#[test]
fn bad_key_after_ipcp_creation_exits_1() {
    let sys = System::new();
    let path = write_config(&sys, "[local.x]\nbootstrap = \"l\"\nhash = \"MD5\"\n");
    let (code, log) = run_irmd_with(&sys, &path);
    assert_eq!(code, 1, "{log}");
    // upstream creates the IPCP before it reads the type-specific keys
    let created = position(&log, "Created IPCP ");
    let bad = position(&log, "irmd/configuration(EE): Unknown hash algorithm: MD5.");
    assert!(created < bad, "{log}");
    assert!(!log.contains("Bootstrapped IPCP"), "{log}");
}

#[test]
fn unparsable_or_missing_file_exits_1() {
    let sys = System::new();
    let path = write_config(&sys, "[name.x]\nlb = \n");
    let (code, log) = run_irmd_with(&sys, &path);
    assert_eq!(code, 1, "{log}");
    position(
        &log,
        "irmd/configuration(EE): Failed to parse config file: line 2",
    );
    position(&log, "irmd/configuration(EE): Failed to load config file.");

    let missing = sys.dir().join("missing.conf");
    let (code, log) = run_irmd_with(&sys, &missing);
    assert_eq!(code, 1, "{log}");
    position(
        &log,
        &format!(
            "irmd/configuration(EE): Failed to check path for {}: No such file or directory.",
            missing.display()
        ),
    );
    assert!(!log.contains("Reading configuration"), "{log}");
}

#[test]
fn bad_lb_policy_exits_1() {
    let sys = System::new();
    let path = write_config(&sys, "[name.n]\nlb = \"spillover\"\n");
    let (code, log) = run_irmd_with(&sys, &path);
    assert_eq!(code, 1, "{log}");
    position(
        &log,
        "irmd/configuration(EE): Invalid load-balancing policy for n.",
    );
    assert!(!log.contains("Created new name"), "{log}");
}
