//! The data plane end to end, on our irmd, ipcpd-local and library, with
//! the Rust examples: direct flows, flows through the local IPCP (client
//! under another uid, so the pools differ), 1 000 concurrent flows, and a
//! killed client whose blocks, flows and ring buffers are all reclaimed.

use harness::{code, example, Background, System};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Starts the echo server bound to `name` in `sys`.
fn echo_server(sys: &System, name: &str) -> Background {
    let srv = example("echo_server");
    let out = sys.run(&[
        "irm",
        "bind",
        "program",
        srv.to_str().unwrap(),
        "name",
        name,
    ]);
    assert_eq!(
        code(&out.status),
        0,
        "bind: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let child = sys
        .command(srv.to_str().unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(sys, |log| log.contains("(echo_server)"));
    Background(child)
}

/// Waits (bounded) until the IRMd log satisfies `ok`.
fn wait_for(sys: &System, ok: impl Fn(&str) -> bool) {
    let end = Instant::now() + Duration::from_secs(20);
    while !ok(&sys.log()) {
        assert!(Instant::now() < end, "timed out; log:\n{}", sys.log());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn free_blocks(sys: &System) -> u64 {
    sys.run_ok(&["o7s-pool-stats"])
        .trim()
        .parse()
        .expect("a number")
}

fn shm_objects(sys: &System, prefix: &str) -> Vec<String> {
    std::fs::read_dir(sys.host_path("/dev/shm"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

#[test]
fn direct_flow_echoes_ten_thousand_packets() {
    let sys = System::start();
    let _srv = echo_server(&sys, "echo");
    let client = example("echo_client");
    let text = sys.run_ok(&[client.to_str().unwrap(), "echo", "10000", "1400"]);
    assert!(text.contains("10000 packets echoed"), "{text}");
    assert!(
        sys.log().contains("allocated (direct)"),
        "expected a direct flow:\n{}",
        sys.log()
    );
}

/// Clients that allocate at the same moment each get a flow: an accept
/// is handed to one allocation only, the others wait for the next.
#[test]
fn simultaneous_allocations_all_succeed() {
    let sys = System::start();
    let _srv = echo_server(&sys, "echo");
    let client = example("echo_client");
    let clients: Vec<_> = (0..10)
        .map(|_| {
            let mut c = sys.command(client.to_str().unwrap());
            c.args(["echo", "20", "100"]);
            std::thread::spawn(move || harness::output_with_timeout(c, Duration::from_secs(60)))
        })
        .collect();
    for (i, c) in clients.into_iter().enumerate() {
        let out = c.join().expect("client thread");
        assert!(
            out.status.success()
                && String::from_utf8_lossy(&out.stdout).contains("20 packets echoed"),
            "client {i}: {}{}\nlog:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            sys.log()
        );
    }
}

#[test]
fn frct_flows_echo_in_order() {
    let sys = System::start();
    let _srv = echo_server(&sys, "echo");
    let client = example("echo_client");
    for qos in ["data", "best", "voice"] {
        let text = sys.run_ok(&[client.to_str().unwrap(), "echo", "3000", "9000", qos]);
        assert!(text.contains("3000 packets echoed"), "{qos}: {text}");
    }
}

#[test]
fn flow_through_the_local_ipcp() {
    let sys = System::start();
    sys.local_layer("echo");
    let _srv = echo_server(&sys, "echo");
    let client = example("echo_client");
    let argv = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        client.to_str().unwrap(),
        "echo",
        "5000",
        "60000",
    ];
    let text = sys.run_ok(&argv);
    assert!(text.contains("5000 packets echoed"), "{text}");
    let mut argv = argv.to_vec();
    argv[6] = "2000";
    argv.push("data");
    let text = sys.run_ok(&argv);
    assert!(text.contains("2000 packets echoed"), "with FRCT: {text}");
    let log = sys.log();
    assert!(
        log.contains("Flow request arrived for echo."),
        "expected the IPCP path:\n{log}"
    );
    assert!(log.contains("Completed deallocation of flow_id"), "{log}");
}

#[test]
fn a_thousand_concurrent_flows() {
    let sys = System::start();
    let _srv = echo_server(&sys, "echo");
    let text = sys.run_ok(&[example("many_flows").to_str().unwrap(), "echo", "1000"]);
    assert!(text.contains("1000 concurrent flows echoed"), "{text}");
}

#[test]
fn killed_client_loses_no_block() {
    let sys = System::start();
    let _srv = echo_server(&sys, "echo");
    let baseline = free_blocks(&sys);
    let client = example("echo_client");
    let mut c = sys
        .command(client.to_str().unwrap())
        .args(["echo", "100000000", "60000"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&sys, |log| log.contains("allocated (direct)"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        harness::signal_inner(&c, libc::SIGKILL),
        "kill -9 the client"
    );
    c.wait().unwrap();
    // the IRMd notices within a second or so, then reclaims
    wait_for(&sys, |log| log.contains("died."));
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let now = free_blocks(&sys);
        if now == baseline && shm_objects(&sys, "ouroboros.rbuff.").is_empty() {
            break;
        }
        assert!(
            Instant::now() < end,
            "free blocks {now} (baseline {baseline}), rbuffs {:?}",
            shm_objects(&sys, "ouroboros.rbuff.")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The pid the IRMd logged for `prog` ("Process added: <pid> (<prog>).").
fn pid_of(sys: &System, prog: &str) -> String {
    let log = sys.log();
    let tail = format!(" ({prog}).");
    let line = log
        .lines()
        .find(|l| l.contains("Process added: ") && l.contains(&tail))
        .expect("process in log");
    let after = line.split("Process added: ").nth(1).unwrap();
    after.split(' ').next().unwrap().to_string()
}

#[test]
fn garbage_in_a_ring_is_dropped_not_fatal() {
    let sys = System::start();
    let _srv = echo_server(&sys, "echo");
    let baseline = free_blocks(&sys);
    let srv = pid_of(&sys, "echo_server");
    let client = example("echo_client");
    let c = sys
        .command(client.to_str().unwrap())
        .args(["echo", "20000", "1400"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&sys, |log| log.contains("allocated (direct)"));
    // flow 1 is the only flow: offsets that are no block, misaligned,
    // past the pool, negative, or a free block
    let garbage = [
        "0",
        "1",
        "17",
        "262145",
        "999999999999",
        "-1",
        "-5000",
        "512",
    ];
    for _ in 0..20 {
        let mut argv = vec!["o7s-ring-poke", srv.as_str(), "1"];
        argv.extend(garbage);
        let out = sys.run(&argv);
        assert_eq!(
            code(&out.status),
            0,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = c.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("20000 packets echoed"),
        "{text}"
    );
    // the server survived and serves another client
    let text = sys.run_ok(&[client.to_str().unwrap(), "echo", "10", "100"]);
    assert!(text.contains("10 packets echoed"), "{text}");
    assert_eq!(free_blocks(&sys), baseline, "no block lost");
}

#[test]
fn bound_program_is_started_on_demand() {
    let sys = System::start();
    let srv = example("echo_server");
    sys.run_ok(&[
        "irm",
        "bind",
        "program",
        srv.to_str().unwrap(),
        "name",
        "auto",
        "auto",
    ]);
    let text = sys.run_ok(&[example("echo_client").to_str().unwrap(), "auto", "5", "100"]);
    assert!(text.contains("5 packets echoed"), "{text}");
    let log = sys.log();
    assert!(
        log.contains("Starting ") && log.contains(" for auto."),
        "{log}"
    );
}

#[test]
fn keepalives_hold_an_idle_flow_and_a_frozen_peer_times_out() {
    let sys = System::start();
    let srv = echo_server(&sys, "echo");
    // idle twice the peer timeout: keepalives (every quarter of it) keep
    // the flow up; the timeout is generous for loaded machines
    let text = sys.run_ok(&["o7s-idle-client", "echo", "3000", "6000"]);
    assert_eq!(text.trim(), "echo ok");
    // a frozen peer sends no keepalives: -EFLOWPEER (-1006)
    assert!(harness::signal_inner(&srv.0, libc::SIGSTOP));
    let text = sys.run_ok(&["o7s-idle-client", "echo", "3000", "6000"]);
    assert!(harness::signal_inner(&srv.0, libc::SIGCONT));
    // as upstream's: the timed read in progress ends at its deadline,
    // the next call reports the peer's timeout
    assert_eq!(text.trim(), "error -1006");
}
