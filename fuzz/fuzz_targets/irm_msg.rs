//! IRMd requests: `irm_msg` decoding, then dispatch by the IRMd's request
//! handler, message after message against one registry.
//!
//! Input: records (see `fuzz_support::Input::record`); the selector's low
//! bit picks the peer's uid (0 or 1000), the bytes are one request as it
//! arrives on `irm.sock`.
//!
//! The IRMd runs without a system: no packet pool, and an IPCP directory
//! that does not exist. Shared memory a request makes it create (ring
//! buffers of flows, pools of users) lands in a private, empty `/dev/shm`
//! (`fuzz_support::isolate`). Every pid in a request is moved above the
//! kernel's pid limit (`fake_pid`), so no request can reach a real
//! process. What would spawn a process, create shared memory or wait for
//! a peer is done here instead, as a successful outcome would leave the
//! registry:
//! - `IRM_CREATE_IPCP`: the IPCP is recorded as spawned and booted;
//! - `IRM_PROC_ANNOUNCE`: the process is recorded (no pool, no flow set);
//! - `IRM_FLOW_ALLOC` to a known name: the flow is recorded as pending at
//!   an IPCP (the direct path waits a second and may start a program);
//! - `IRM_FLOW_ACCEPT` gets a zero timeout;
//! - `IRM_FLOW_JOIN` of a layer that has an IPCP, `IRM_BIND_PROCESS` of an
//!   unknown process (a 10 ms wait) and `IPCP_FLOW_REQ_ARR` for a name
//!   (waits for an acceptor, then creates ring buffers) are skipped.
//!
//! Checked: our own encoding of a decoded request decodes to the same
//! message; undecodable bytes close the connection; every reply is an
//! `IRM_REPLY` with a result that encodes and decodes; the registry stays
//! consistent (unique names, programs, processes, IPCPs; flows sorted by
//! id; nobody left accepting).

#![no_main]

use fuzz_support::{fake_pid, fake_pid_u32, Input, FAKE_PID_BASE};
use libfuzzer_sys::fuzz_target;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::{IpcpInfo, IpcpState, IpcpType};
use ouroboros::pb::msg::TimespecMsg;
use ouroboros::pb::{self, IrmMsg, IrmMsgCode};
use ouroboros_irmd::dispatch::{self, Outcome, Peer};
use ouroboros_irmd::irmd::Irmd;
use ouroboros_irmd::reg::{FlowInfo, FlowState, Proc, Registry};
use prost::Message;
use std::collections::HashSet;
use std::path::PathBuf;

/// Requests per input.
const MAX_REQUESTS: usize = 64;
/// Where the harness's IRMd looks for ipcpd-* programs: nowhere.
const NO_SBIN: &str = "/nonexistent/ouroboros-fuzz/sbin";

struct Harness {
    irmd: Irmd,
    /// Emulated IPCPs get FAKE_PID_BASE + 1, + 2, ... (requests name them
    /// as pid 1, 2, ...).
    spawned: i32,
}

impl Harness {
    fn request(&mut self, sel: u8, bytes: &[u8]) {
        let peer = Peer {
            uid: if sel & 1 == 0 { 0 } else { 1000 },
            gid: 0,
        };
        let msg = match pb::decode_irm(bytes) {
            Ok(m) => m,
            Err(_) => {
                let out = dispatch::handle_bytes(&self.irmd, Some(peer), bytes);
                assert_eq!(out, Outcome::Close, "undecodable request answered");
                return;
            }
        };
        let again = pb::decode_irm(&msg.encode_to_vec()).expect("our encoding decodes");
        assert_eq!(again, msg, "decode(encode(m)) != m");

        let msg = with_fake_pids(msg);
        let Some(msg) = self.gate(msg, peer) else {
            return;
        };
        match dispatch::handle(&self.irmd, Some(peer), msg) {
            Outcome::Close => {}
            Outcome::Reply(r) => {
                assert_eq!(r.code, IrmMsgCode::IrmReply as i32);
                assert!(r.result.is_some(), "reply without result");
                let back = pb::decode_irm(&r.encode_to_vec()).expect("reply decodes");
                assert_eq!(back, *r);
            }
        }
        check(&self.irmd.reg());
    }

    /// The request to dispatch, or `None` when it was emulated or skipped.
    fn gate(&mut self, mut msg: IrmMsg, peer: Peer) -> Option<IrmMsg> {
        let code = IrmMsgCode::try_from(msg.code).ok();
        let reg = self.irmd.reg();
        match code {
            Some(IrmMsgCode::IrmCreateIpcp) => {
                // without info or with an unknown type it fails before
                // anything is spawned
                let Some(info) = msg.ipcp_info.clone() else {
                    return Some(msg);
                };
                if IpcpType::from_u32(info.r#type).is_none() {
                    return Some(msg);
                }
                drop(reg);
                self.spawned += 1;
                let pid = FAKE_PID_BASE + self.spawned;
                let mut reg = self.irmd.reg();
                let info = IpcpInfo {
                    ipcp_type: info.r#type,
                    pid,
                    name: info.name,
                    state: IpcpState::Init as u32,
                };
                if reg.create_ipcp(info) {
                    if let Some(i) = reg.ipcp_mut(pid) {
                        i.info.state = IpcpState::Boot as u32;
                    }
                }
                None
            }
            Some(IrmMsgCode::IrmProcAnnounce) => {
                let (Some(pid), Some(prog)) = (msg.pid, msg.prog.clone()) else {
                    return Some(msg);
                };
                drop(reg);
                let mut reg = self.irmd.reg();
                if reg.proc(pid).is_none() {
                    reg.create_proc(Proc::new(pid, &prog, peer.uid));
                }
                None
            }
            Some(IrmMsgCode::IrmFlowAlloc) => {
                let (Some(fi), Some(dst)) = (msg.flow_info, msg.dst.as_deref()) else {
                    return Some(msg);
                };
                if reg.name(dst).is_none() {
                    return Some(msg); // -ENAME at once
                }
                let ipcp = reg.ipcps.first().map_or(FAKE_PID_BASE, |i| i.info.pid);
                let mut info = FlowInfo::request(fi.n_pid as i32, fi.qos);
                info.uid = reg.proc_uid(info.n_pid);
                drop(reg);
                let mut reg = self.irmd.reg();
                if let Some(id) = reg.create_flow(info) {
                    if let Some(f) = reg.flow_mut(id) {
                        f.info.n_1_pid = ipcp;
                        f.info.state = FlowState::AllocPending;
                    }
                }
                None
            }
            Some(IrmMsgCode::IrmFlowAccept) => {
                msg.timeo = Some(TimespecMsg {
                    tv_sec: 0,
                    tv_nsec: 0,
                });
                Some(msg)
            }
            Some(IrmMsgCode::IrmFlowJoin) => {
                let Some(dst) = msg.dst.as_deref() else {
                    return Some(msg);
                };
                if reg.ipcps.iter().any(|i| i.layer.name == dst) {
                    return None;
                }
                Some(msg)
            }
            Some(IrmMsgCode::IrmBindProcess) => match msg.pid {
                Some(pid) if reg.proc(pid).is_none() => None,
                _ => Some(msg),
            },
            Some(IrmMsgCode::IpcpFlowReqArr) => {
                let (Some(fi), Some(hash)) = (msg.flow_info, msg.hash.as_deref()) else {
                    return Some(msg);
                };
                let Some(ipcp) = reg.ipcp(fi.n_1_pid as i32) else {
                    return Some(msg); // -EIPCP at once
                };
                let algo =
                    HashAlgo::from_u32(ipcp.layer.dir_hash_algo).unwrap_or(HashAlgo::Sha3_224);
                if reg
                    .names
                    .iter()
                    .any(|n| algo.digest(n.info.name.as_bytes()) == hash)
                {
                    return None;
                }
                Some(msg)
            }
            _ => Some(msg),
        }
    }
}

/// Every pid of a request above the pid limit.
fn with_fake_pids(mut msg: IrmMsg) -> IrmMsg {
    msg.pid = msg.pid.map(fake_pid);
    if let Some(i) = msg.ipcp_info.as_mut() {
        i.pid = fake_pid_u32(i.pid);
    }
    if let Some(f) = msg.flow_info.as_mut() {
        f.n_pid = fake_pid_u32(f.n_pid);
        f.n_1_pid = fake_pid_u32(f.n_1_pid);
    }
    msg
}

fn unique<T: std::hash::Hash + Eq>(what: &str, items: impl Iterator<Item = T>) {
    let mut seen = HashSet::new();
    for i in items {
        assert!(seen.insert(i), "duplicate {what}");
    }
}

fn check(reg: &Registry) {
    unique("name", reg.names.iter().map(|n| n.info.name.clone()));
    unique("program", reg.progs.iter().map(|p| p.name.clone()));
    unique("process", reg.procs.iter().map(|p| p.pid));
    unique("IPCP", reg.ipcps.iter().map(|i| i.info.pid));
    assert!(
        reg.flows.windows(2).all(|w| w[0].info.id < w[1].info.id),
        "flows not sorted by id"
    );
    assert!(
        reg.flows.iter().all(|f| f.info.id > 0),
        "flow id out of range"
    );
    assert!(
        reg.flows
            .iter()
            .all(|f| f.info.state != FlowState::AcceptPending),
        "accept flow left behind"
    );
    assert!(
        reg.names.iter().all(|n| n.active.is_empty()),
        "process left accepting"
    );
}

fuzz_target!(
    init: fuzz_support::isolate(),
    |data: &[u8]| {
        let mut input = Input::new(data);
        let mut h = Harness {
            irmd: Irmd::new(false, PathBuf::from(NO_SBIN), None),
            spawned: 0,
        };
        for _ in 0..MAX_REQUESTS {
            if input.is_empty() {
                break;
            }
            let (sel, bytes) = input.record();
            h.request(sel, bytes);
        }
    }
);
