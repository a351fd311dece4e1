//! irmd's command line, lock file and signal handling.

use harness::{code, System};

const USAGE: &str = "Usage: irmd \n         [--config <path> (Path to configuration file)]\n         [--stdout  (Log to stdout instead of system log)]\n         [--version (Print version number and exit)]\n\n";

#[test]
fn version_and_usage() {
    let sys = System::new();
    let out = sys.run(&["irmd", "--version"]);
    assert_eq!(code(&out.status), 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Ouroboros version 0.23.0\n"
    );
    for bad in [
        &["irmd", "--help"][..],
        &["irmd", "bogus"],
        &["irmd", "--stdout", "x"],
    ] {
        let out = sys.run(bad);
        assert_eq!(code(&out.status), 1, "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).ends_with(USAGE),
            "{bad:?}"
        );
    }
    // nothing was created by those runs
    assert!(!sys.host_path("/var/run/ouroboros/irm.sock").exists());
}

#[test]
fn second_irmd_refuses_and_first_keeps_serving() {
    let sys = System::start();
    let out = sys.run(&["irmd", "--stdout"]);
    assert_eq!(code(&out.status), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    let pid = sys.irmd_inner_pid();
    assert!(
        text.contains(&format!("irmd(WW): IRMd already running ({pid}), exiting.")),
        "{text}"
    );
    let out = sys.run(&["irm", "ipcp", "list"]);
    assert_eq!(code(&out.status), 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No IPCPs in system.\n\n"
    );
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let mut sys = System::start();
    assert_eq!(
        code(
            &sys.run(&["irm", "ipcp", "create", "type", "local", "name", "a"])
                .status
        ),
        0
    );
    let st = sys.stop_irmd(libc::SIGTERM).expect("irmd status");
    assert_eq!(code(&st), 0);
    let log = sys.log();
    for line in [
        "IRMd shutting down...",
        "shutting down.",
        " out.",
        "Ouroboros IPC Resource Manager daemon exited. Bye.",
    ] {
        assert!(log.contains(line), "missing {line:?} in\n{log}");
    }
    assert!(
        !sys.host_path("/var/run/ouroboros/irm.sock").exists(),
        "socket left behind"
    );
    assert!(
        !sys.host_path("/dev/shm/ouroboros.lockfile").exists(),
        "lockfile left behind"
    );
    assert!(
        sys.host_path("/var/run/ouroboros").is_dir(),
        "socket directory stays"
    );
}

#[test]
fn stale_lockfile_is_recovered() {
    let mut sys = System::start();
    sys.stop_irmd(libc::SIGKILL);
    assert!(sys.host_path("/dev/shm/ouroboros.lockfile").exists());
    sys.start_irmd_at(&harness::bin("irmd"), &[]);
    let log = sys.log();
    assert!(
        log.contains("IRMd didn't properly shut down last time."),
        "{log}"
    );
    assert!(log.contains("Stale resources cleaned."), "{log}");
    let out = sys.run(&["irm", "ipcp", "list"]);
    assert_eq!(code(&out.status), 0, "{log}");
}
