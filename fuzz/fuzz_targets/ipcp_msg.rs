//! IPCP requests: `ipcp_msg` decoding, then dispatch by the IPCP runtime
//! (`ipcpd::handle`), message after message against one IPCP.
//!
//! Input: records (see `fuzz_support::Input::record`); the selector picks
//! what a record does:
//! - 0 (and 3): the bytes are one request as it arrives on
//!   `ipcp.<pid>.sock`;
//! - 1: the IPCP's state becomes `IpcpState::from_u32(byte 0 % 7)` (what
//!   the runtime and the stop signal do between requests);
//! - 2: a new IPCP replaces the old one: type `byte 0 % 7`, and the
//!   operations as byte 1 says (bit 0: every operation unsupported, bit 1:
//!   the type does not enrol, bit 2: operations fail).
//!
//! It starts as an IPCP of type local with working operations in state
//! BOOT, as `ipcpd::run` leaves it. The operations (`Ops`) keep their
//! state in memory, like ipcpd-local's registry of hashes. The flow
//! requests reach the application library's np1 calls, which find no
//! library (no IRMd: the harness runs with an empty `/run`, see
//! `fuzz_support::isolate`) and fail; every pid of a request is moved
//! above the pid limit all the same (`fake_pid`), and the linger of
//! `IPCP_FLOW_DEALLOC` (`timeo_sec`, a sleep by design) is set to 0.
//!
//! Checked: our encoding of a decoded request decodes to the same message;
//! a bootstrap configuration converts to its message and back unchanged;
//! every reply is an `IPCP_REPLY` with a result that encodes and decodes;
//! a successful bootstrap or enrolment leaves the IPCP operational in the
//! layer its reply names; nothing else changes the IPCP's state or layer.

#![no_main]

use fuzz_support::{fake_pid, Input};
use ipcpd::{Ipcp, IpcpOps};
use libfuzzer_sys::fuzz_target;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::{IpcpConfig, IpcpState, IpcpType, LayerInfo};
use ouroboros::pb::{self, IpcpMsg, IpcpMsgCode};
use prost::Message;
use std::collections::HashSet;
use std::sync::Mutex;

/// Records per input.
const MAX_RECORDS: usize = 64;
/// The IRMd's pid as the IPCP was started with (never a process).
const IRMD_PID: i32 = fuzz_support::FAKE_PID_BASE - 1;

/// In-memory operations: a registry of hashes, connections, layers.
struct Ops {
    /// bit 1: no enrolment; bit 2: every operation fails.
    flags: u8,
    names: Mutex<HashSet<Vec<u8>>>,
    conns: Mutex<HashSet<(String, String)>>,
}

impl Ops {
    fn result(&self) -> i32 {
        if self.flags & 4 != 0 {
            -libc::EIO
        } else {
            0
        }
    }
}

impl IpcpOps for Ops {
    fn bootstrap(&self, _conf: &IpcpConfig) -> Option<i32> {
        Some(self.result())
    }

    fn enrolls(&self) -> bool {
        self.flags & 2 == 0
    }

    fn enroll(&self, dst: &str) -> Result<LayerInfo, i32> {
        match self.result() {
            0 => Ok(LayerInfo {
                name: format!("layer-of-{dst}"),
                // anything, a valid algorithm or not
                dir_hash_algo: dst.len() as u32 % 8,
            }),
            e => Err(e),
        }
    }

    fn connect(&self, dst: &str, comp: &str) -> Option<i32> {
        let mut c = self.conns.lock().unwrap();
        c.insert((dst.to_string(), comp.to_string()));
        Some(self.result())
    }

    fn disconnect(&self, dst: &str, comp: &str) -> Option<i32> {
        let mut c = self.conns.lock().unwrap();
        Some(if c.remove(&(dst.to_string(), comp.to_string())) {
            self.result()
        } else {
            -libc::ENOENT
        })
    }

    fn reg(&self, hash: &[u8]) -> Option<i32> {
        self.names.lock().unwrap().insert(hash.to_vec());
        Some(self.result())
    }

    fn unreg(&self, hash: &[u8]) -> Option<i32> {
        self.names.lock().unwrap().remove(hash);
        Some(self.result())
    }

    fn query(&self, hash: &[u8]) -> Option<i32> {
        Some(if self.names.lock().unwrap().contains(hash) {
            self.result()
        } else {
            -1
        })
    }
}

/// Operations of a type that implements nothing: every call is the
/// trait's default (unsupported).
struct NoOps;

impl IpcpOps for NoOps {}

fn new_ipcp(t: IpcpType, flags: u8) -> Ipcp {
    let ops: Box<dyn IpcpOps> = if flags & 1 != 0 {
        Box::new(NoOps)
    } else {
        Box::new(Ops {
            flags,
            names: Mutex::default(),
            conns: Mutex::default(),
        })
    };
    let ipcp = Ipcp::new(t, "fuzz", IRMD_PID, ops);
    ipcp.set_state(IpcpState::Boot);
    ipcp
}

fn ipcp_type(b: u8) -> IpcpType {
    IpcpType::from_u32(u32::from(b % 7)).expect("types 0..=6")
}

/// Pids above the pid limit, no linger.
fn harmless(mut msg: IpcpMsg) -> IpcpMsg {
    msg.pid = msg.pid.map(fake_pid);
    if msg.timeo_sec.is_some() {
        msg.timeo_sec = Some(0);
    }
    msg
}

fn request(ipcp: &Ipcp, bytes: &[u8]) {
    let Ok(msg) = pb::decode_ipcp(bytes) else {
        return; // the server closes the connection without a reply
    };
    let again = pb::decode_ipcp(&msg.encode_to_vec()).expect("our encoding decodes");
    assert_eq!(again, msg, "decode(encode(m)) != m");

    if let Some(conf) = msg.conf.as_ref().and_then(IpcpConfig::from_msg) {
        let back = IpcpConfig::from_msg(&(&conf).into());
        assert_eq!(back.as_ref(), Some(&conf), "config -> message -> config");
    }

    let msg = harmless(msg);
    let (state, layer) = (ipcp.state(), ipcp.layer());
    let reply = ipcpd::handle(ipcp, &msg);

    assert_eq!(reply.code, IpcpMsgCode::IpcpReply as i32);
    let result = reply.result.expect("reply without result");
    let back = pb::decode_ipcp(&reply.encode_to_vec()).expect("reply decodes");
    assert_eq!(back, reply);

    let code = IpcpMsgCode::try_from(msg.code).ok();
    let joins = matches!(
        code,
        Some(IpcpMsgCode::IpcpBootstrap | IpcpMsgCode::IpcpEnroll)
    );
    if joins && result >= 0 {
        assert_eq!(state, IpcpState::Boot, "joined a layer outside BOOT");
        assert_eq!(ipcp.state(), IpcpState::Operational);
        let info = reply.layer_info.as_ref().expect("no layer in the reply");
        let (name, algo) = ipcp.layer().expect("operational without a layer");
        assert_eq!(info.name, name);
        assert_eq!(info.dir_hash_algo, algo as u32);
        assert!(HashAlgo::from_u32(info.dir_hash_algo).is_some());
    } else {
        assert_eq!(ipcp.state(), state, "state changed by {code:?}");
        assert_eq!(ipcp.layer(), layer, "layer changed by {code:?}");
        assert!(reply.layer_info.is_none(), "layer in a {code:?} reply");
    }
    if code.is_none() || code == Some(IpcpMsgCode::IpcpReply) {
        assert_eq!(result, -1, "unknown code answered");
    }
}

fuzz_target!(
    init: fuzz_support::isolate(),
    |data: &[u8]| {
        let mut input = Input::new(data);
        let mut ipcp = new_ipcp(IpcpType::Local, 0);
        for _ in 0..MAX_RECORDS {
            if input.is_empty() {
                break;
            }
            let (sel, bytes) = input.record();
            let mut arg = Input::new(bytes);
            match sel % 4 {
                1 => {
                    let s = IpcpState::from_u32(u32::from(arg.u8() % 7)).expect("states 0..=6");
                    ipcp.set_state(s);
                }
                2 => {
                    let t = ipcp_type(arg.u8());
                    ipcp = new_ipcp(t, arg.u8());
                }
                _ => request(&ipcp, bytes),
            }
        }
    }
);
