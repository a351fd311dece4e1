//! Bad input on the control sockets: at least 10 000 malformed, truncated,
//! oversized, mutated and unknown-code messages at a running IRMd (and a
//! few thousand at an IPCP socket). The daemons must answer or close each
//! one, keep serving, list the same IPCP afterwards and not leak fds.

use harness::System;
use ouroboros::ipcp::{IpcpConfig, IpcpType};
use ouroboros::pb::{self, IpcpMsg, IpcpMsgCode, IrmMsg, IrmMsgCode};
use prost::Message;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// xorshift64*: a seeded generator so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn vector_requests(socket: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/irm");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).expect("golden vectors") {
        let path = e.expect("entry").path();
        if path.extension().is_none_or(|x| x != "jsonl") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            if v["socket"] == socket && v["dir"] == "request" {
                let h = v["hex"].as_str().expect("hex");
                out.push(
                    (0..h.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                        .collect(),
                );
            }
        }
    }
    assert!(!out.is_empty());
    out
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut m = seeds[rng.below(seeds.len())].clone();
    match rng.below(7) {
        0 => {
            // truncate
            let n = rng.below(m.len());
            m.truncate(n);
        }
        1 => {
            for _ in 0..=rng.below(4) {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let i = rng.below(m.len() + 1);
            for _ in 0..=rng.below(16) {
                m.insert(i, rng.next() as u8);
            }
        }
        3 => m = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect(),
        4 => {
            // unknown or reply code
            let code = [27u64, 28, 99, 0, 1000, u64::from(u32::MAX)][rng.below(6)];
            m = IrmMsg {
                code: code as i32,
                ..Default::default()
            }
            .encode_to_vec();
        }
        5 => m = vec![rng.next() as u8; 12_000], // oversized: truncated by the socket
        _ => {
            let tail = seeds[rng.below(seeds.len())].clone();
            m.extend(tail);
        }
    }
    m
}

/// Requests that are fine but would block, spawn or remove the IPCP under
/// test; skipped so the test checks robustness, not those operations.
fn disruptive_irm(bytes: &[u8]) -> bool {
    use IrmMsgCode::*;
    match pb::decode_irm(bytes) {
        Ok(m) => matches!(
            IrmMsgCode::try_from(m.code),
            Ok(IrmCreateIpcp
                | IpcpCreateR
                | IrmDestroyIpcp
                | IrmProcExit
                | IrmUnbindProcess
                | IrmFlowAccept
                | IrmFlowAlloc
                | IrmFlowJoin
                | IrmFlowDealloc
                | IpcpFlowDealloc
                | IpcpFlowReqArr
                | IpcpFlowAllocReply)
        ),
        Err(_) => false,
    }
}

fn disruptive_ipcp(bytes: &[u8]) -> bool {
    use IpcpMsgCode::*;
    match pb::decode_ipcp(bytes) {
        Ok(m) => matches!(
            IpcpMsgCode::try_from(m.code),
            Ok(IpcpFlowAlloc | IpcpFlowJoin | IpcpFlowAllocResp | IpcpFlowDealloc | IpcpEnroll)
        ),
        Err(_) => false,
    }
}

/// Sends raw bytes; true if a reply came, false if the server closed.
/// Panics if the server neither answers nor closes in time.
fn fire(path: &Path, bytes: &[u8]) -> bool {
    let conn = ouroboros::sock::connect(path).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    if bytes.is_empty() {
        return false; // connect and hang up
    }
    if conn.send(bytes).is_err() {
        return false;
    }
    match conn.recv() {
        Ok(r) => !r.is_empty(),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            panic!("server hung on {:02x?}", bytes)
        }
        Err(_) => false,
    }
}

fn create_local(sys: &System) -> i32 {
    let info = ouroboros::pb::msg::IpcpInfoMsg {
        r#type: 0,
        name: "lo1".into(),
        pid: 0,
        state: 0,
    };
    let r = sys.irm_request(&IrmMsg {
        ipcp_info: Some(info),
        ..IrmMsg::with_code(IrmMsgCode::IrmCreateIpcp)
    });
    assert_eq!(
        r.and_then(|r| r.result),
        Some(0),
        "create ipcp; log:\n{}",
        sys.log()
    );
    let pid = list(sys)[0].pid as i32;
    let mut conf = IpcpConfig::default_for(IpcpType::Local);
    conf.layer.name = "lay".into();
    let m = IrmMsg {
        pid: Some(pid),
        conf: Some((&conf).into()),
        ..IrmMsg::with_code(IrmMsgCode::IrmBootstrapIpcp)
    };
    assert_eq!(sys.irm_request(&m).and_then(|r| r.result), Some(0));
    pid
}

fn list(sys: &System) -> Vec<ouroboros::pb::msg::IpcpListMsg> {
    sys.irm_request(&IrmMsg::with_code(IrmMsgCode::IrmListIpcps))
        .expect("list reply")
        .ipcps
}

/// Waits until the fd count is back at `base` (request threads finish
/// asynchronously); returns the last count seen.
fn settle_fds(pid: i32, base: usize) -> usize {
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let n = System::fd_count(pid);
        if n <= base || Instant::now() > end {
            return n;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn irmd_survives_ten_thousand_bad_messages() {
    let sys = System::start();
    let ipcp = create_local(&sys);
    let before = list(&sys);
    let irmd = sys.irmd_pid().expect("irmd pid");
    let base = System::fd_count(irmd);

    let path = sys.host_path("/var/run/ouroboros/irm.sock");
    let seeds = vector_requests("irm");
    let mut rng = Rng(0x5eed_0123_4567_89ab);
    let (mut sent, mut replied) = (0, 0);
    while sent < 10_000 {
        let bytes = if rng.below(50) == 0 {
            Vec::new()
        } else {
            mutate(&mut rng, &seeds)
        };
        if disruptive_irm(&bytes) {
            continue;
        }
        replied += usize::from(fire(&path, &bytes));
        sent += 1;
    }
    println!("irm.sock: {sent} bad messages, {replied} answered, the rest closed");

    let after = list(&sys);
    assert_eq!(
        after,
        before,
        "IPCP list changed; log tail:\n{}",
        tail(&sys.log())
    );
    assert_eq!(after[0].pid as i32, ipcp);
    let now = settle_fds(irmd, base);
    assert!(now <= base, "irmd fds grew from {base} to {now}");
    assert!(
        replied > 0 && replied < sent,
        "both replies and closes expected"
    );
    assert!(
        !sys.log().contains("panicked"),
        "a request handler panicked:\n{}",
        sys.log()
    );
}

#[test]
fn ipcp_survives_bad_messages() {
    let sys = System::start();
    let ipcp = create_local(&sys);
    let path = sys.host_path(&format!("/var/run/ouroboros/ipcp.{ipcp}.sock"));
    let seeds = vector_requests("ipcp");
    let host_pid = host_pid_of(&sys, ipcp);
    let base = System::fd_count(host_pid);
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut sent = 0;
    while sent < 3000 {
        let bytes = mutate(&mut rng, &seeds);
        if disruptive_ipcp(&bytes) {
            continue;
        }
        fire(&path, &bytes);
        sent += 1;
    }
    // The IPCP still works: register and query a name through the IRMd.
    let n = ouroboros::pb::msg::NameInfoMsg {
        name: "x".into(),
        pol_lb: 0,
        ..Default::default()
    };
    let r = sys.irm_request(&IrmMsg {
        name_info: Some(n),
        ..IrmMsg::with_code(IrmMsgCode::IrmCreateName)
    });
    assert_eq!(r.and_then(|r| r.result), Some(0));
    let m = IrmMsg {
        pid: Some(ipcp),
        name: Some("x".into()),
        ..IrmMsg::with_code(IrmMsgCode::IrmRegName)
    };
    assert_eq!(
        sys.irm_request(&m).and_then(|r| r.result),
        Some(0),
        "log tail:\n{}",
        tail(&sys.log())
    );
    let q = IpcpMsg {
        hash: Some(ouroboros::hash::HashAlgo::Sha3_256.digest(b"x")),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpQuery)
    };
    let reply = ouroboros::sock::request(&path, &q.encode_to_vec(), Some(Duration::from_secs(5)))
        .expect("query");
    assert_eq!(pb::decode_ipcp(&reply).unwrap().result, Some(0));
    let now = settle_fds(host_pid, base);
    assert!(now <= base, "ipcp fds grew from {base} to {now}");
    assert!(
        !sys.log().contains("panicked"),
        "a request handler panicked:\n{}",
        sys.log()
    );
}

/// Host pid of a process known by its pid inside the system.
fn host_pid_of(sys: &System, inner: i32) -> i32 {
    let irmd = sys.irmd_pid().expect("irmd");
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        let nspid = status
            .lines()
            .find(|l| l.starts_with("NSpid:"))
            .unwrap_or("");
        let ppid = status
            .lines()
            .find(|l| l.starts_with("PPid:"))
            .unwrap_or("");
        if nspid.split_whitespace().last() == Some(&inner.to_string())
            && ppid.ends_with(&irmd.to_string())
        {
            return pid;
        }
    }
    panic!("no host pid for {inner}");
}

fn tail(s: &str) -> String {
    s.lines()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n")
}
