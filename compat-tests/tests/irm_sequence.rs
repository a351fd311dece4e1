//! The management sequence of the issue, through our `irm` on our irmd,
//! must print exactly what upstream 0.23.0 prints. With UPSTREAM_PREFIX set
//! the same sequence also runs with upstream's `irm` on our irmd and ours on
//! upstream's irmd, and all three transcripts must be equal.

use harness::{code, System};
use std::path::Path;

const SEQUENCE: &[&str] = &[
    "ipcp create type local name loc",
    "ipcp bootstrap name loc layer lo",
    "name create n1",
    "name reg n1 layer lo",
    "bind program /bin/cat name n1",
    "ipcp list",
    "name list",
    "name unreg n1 layer lo",
    "unbind program cat name n1",
    "name destroy n1",
    "ipcp destroy name loc",
    "ipcp list",
    "name list",
];

const IPCP_BORDER: &str =
    "+---------+----------------------+------------+----------------------+\n";
const NAME_BORDER: &str =
    "+----------------------------------------------------+----------------------+\n";

/// What upstream prints for each step (`PID` stands for the IPCP's pid).
fn expected() -> Vec<String> {
    let ipcps = format!(
        "{IPCP_BORDER}|     pid |                 name |       type |                layer |\n{IPCP_BORDER}\
         |     PID |                  loc |      local |                   lo |\n{IPCP_BORDER}\n"
    );
    let names = format!(
        "{NAME_BORDER}|                                               name |  load-balance policy |\n{NAME_BORDER}\
         |                                                 n1 |          round-robin |\n{NAME_BORDER}"
    );
    let mut out = vec![String::new(); SEQUENCE.len()];
    out[5] = ipcps;
    out[6] = names;
    out[11] = "No IPCPs in system.\n\n".into();
    out[12] = "No names in system.\n\n".into();
    out
}

/// Runs the sequence with `irm` (and `LD_LIBRARY_PATH` = `lib` if given);
/// each step's stdout (pids masked), with stderr empty and exit status 0
/// checked.
fn transcript(sys: &System, irm: &Path, lib: Option<&Path>) -> Vec<String> {
    SEQUENCE
        .iter()
        .map(|step| {
            let mut c = sys.command(irm.to_str().unwrap());
            c.args(step.split(' '));
            if let Some(lib) = lib {
                c.env("LD_LIBRARY_PATH", lib);
            }
            let out = harness::output_with_timeout(c, std::time::Duration::from_secs(60));
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert_eq!(
                code(&out.status),
                0,
                "irm {step}: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.stderr.is_empty(), "irm {step} wrote to stderr");
            mask_pids(&stdout)
        })
        .collect()
}

/// Replaces the pid column of IPCP table rows with `PID`.
fn mask_pids(s: &str) -> String {
    s.lines()
        .map(
            |l| match l.strip_prefix("| ").and_then(|r| r.split_once(" |")) {
                Some((pid, rest)) if pid.trim().parse::<u32>().is_ok() => {
                    format!("|     PID |{rest}")
                }
                _ => l.to_string(),
            },
        )
        .map(|l| l + "\n")
        .collect::<String>()
        + if s.ends_with('\n') || s.is_empty() {
            ""
        } else {
            "<no newline>"
        }
}

#[test]
fn sequence_prints_what_upstream_prints() {
    let sys = System::start();
    let got = transcript(&sys, &harness::bin("irm"), None);
    for (i, (g, e)) in got.iter().zip(expected()).enumerate() {
        assert_eq!(*g, e, "step `irm {}`", SEQUENCE[i]);
    }
}

#[test]
fn sequence_matches_upstream_when_available() {
    let Some(prefix) = harness::upstream_prefix() else {
        println!("UPSTREAM_PREFIX not set: upstream irm/irmd comparison skipped");
        return;
    };
    let up_irm = prefix.join("sbin/irm");
    let ours = {
        let sys = System::start();
        transcript(&sys, &harness::bin("irm"), None)
    };
    let upstream_irm_on_ours = {
        let sys = System::start();
        transcript(&sys, &up_irm, None)
    };
    let ours_on_upstream_irmd = {
        let mut sys = System::new();
        sys.start_irmd_at(&prefix.join("sbin/irmd"), &[]);
        transcript(&sys, &harness::bin("irm"), None)
    };
    // upstream's binary, unmodified, on our libouroboros-irm
    let lib = harness::our_lib_dir();
    let ldd = std::process::Command::new("ldd")
        .arg(&up_irm)
        .env("LD_LIBRARY_PATH", &lib)
        .output()
        .unwrap();
    let expect = format!(
        "libouroboros-irm.so.0.23 => {}/libouroboros-irm.so.0.23",
        lib.display()
    );
    assert!(
        String::from_utf8_lossy(&ldd.stdout).contains(&expect),
        "ldd: {}",
        String::from_utf8_lossy(&ldd.stdout)
    );
    let upstream_irm_on_our_lib = {
        let sys = System::start();
        transcript(&sys, &up_irm, Some(&lib))
    };
    assert_eq!(ours, upstream_irm_on_ours, "upstream irm on our irmd");
    assert_eq!(ours, ours_on_upstream_irmd, "our irm on upstream irmd");
    assert_eq!(ours, upstream_irm_on_our_lib, "upstream irm on our library");
}
