//! The IPCP socket: one `ipcp_msg` request per connection, each served on
//! its own thread; replies are `IPCP_REPLY` with a result.

use crate::runtime::{Ipcp, PREFIX};
use ouroboros::hash::{hex, HashAlgo};
use ouroboros::ipcp::{IpcpConfig, IpcpState, IpcpType};
use ouroboros::pb::{self, IpcpMsg, IpcpMsgCode};
use ouroboros::sock::{Conn, Listener};
use ouroboros::{log_err, log_info};
use prost::Message;
use std::sync::Arc;

pub fn serve(ipcp: Arc<Ipcp>, listener: Arc<Listener>) {
    while let Ok(conn) = listener.accept() {
        let ipcp = ipcp.clone();
        let _ = std::thread::Builder::new()
            .name("ipcp-req".into())
            .spawn(move || serve_one(&ipcp, conn));
    }
}

fn serve_one(ipcp: &Ipcp, conn: Conn) {
    let buf = match conn.recv() {
        Ok(b) if !b.is_empty() => b,
        _ => return,
    };
    let Ok(msg) = pb::decode_ipcp(&buf) else {
        return;
    };
    let reply = handle(ipcp, &msg);
    let _ = conn.send(&reply.encode_to_vec());
}

pub fn state_name(s: IpcpState) -> &'static str {
    match s {
        IpcpState::Null => "null",
        IpcpState::Init => "init",
        IpcpState::Boot => "boot",
        IpcpState::Bootstrapped => "bootstrapped",
        IpcpState::Enrolled => "enrolled",
        IpcpState::Operational => "operational",
        IpcpState::Shutdown => "shutdown",
    }
}

/// First four bytes of a hash in hex, as upstream logs hashes.
pub fn h32(hash: &[u8]) -> String {
    hex(&hash[..hash.len().min(4)])
}

const NOTSUP: i32 = -libc::ENOTSUP;

pub fn handle(ipcp: &Ipcp, msg: &IpcpMsg) -> IpcpMsg {
    let mut reply = IpcpMsg::reply(0);
    let res = match IpcpMsgCode::try_from(msg.code).ok() {
        Some(IpcpMsgCode::IpcpBootstrap) => bootstrap(ipcp, msg, &mut reply),
        Some(IpcpMsgCode::IpcpEnroll) => enroll(ipcp, msg, &mut reply),
        Some(IpcpMsgCode::IpcpConnect) => {
            let (dst, comp) = (
                msg.dst.as_deref().unwrap_or(""),
                msg.comp.as_deref().unwrap_or(""),
            );
            log_info!(PREFIX, "Connecting {} to {}...", comp, dst);
            match ipcp.ops.connect(dst, comp) {
                None => unsupported("connect"),
                Some(r) => {
                    log_info!(PREFIX, "Finished connecting.");
                    r
                }
            }
        }
        Some(IpcpMsgCode::IpcpDisconnect) => {
            let (dst, comp) = (
                msg.dst.as_deref().unwrap_or(""),
                msg.comp.as_deref().unwrap_or(""),
            );
            log_info!(PREFIX, "Disconnecting {} from {}...", comp, dst);
            match ipcp.ops.disconnect(dst, comp) {
                None => unsupported("disconnect"),
                Some(r) => {
                    log_info!(PREFIX, "Finished disconnecting {} from {}.", comp, dst);
                    r
                }
            }
        }
        Some(IpcpMsgCode::IpcpReg) => match msg.hash.as_deref() {
            None => -1,
            Some(h) => {
                log_info!(PREFIX, "Registering {}...", h32(h));
                match ipcp.ops.reg(h) {
                    None => unsupported("register"),
                    Some(r) => {
                        log_info!(PREFIX, "Finished registering {}.", h32(h));
                        r
                    }
                }
            }
        },
        Some(IpcpMsgCode::IpcpUnreg) => match msg.hash.as_deref() {
            None => -1,
            Some(h) => {
                log_info!(PREFIX, "Unregistering {}...", h32(h));
                match ipcp.ops.unreg(h) {
                    None => unsupported("unregister"),
                    Some(r) => {
                        log_info!(PREFIX, "Finished unregistering {}.", h32(h));
                        r
                    }
                }
            }
        },
        Some(IpcpMsgCode::IpcpQuery) => match msg.hash.as_deref() {
            None => -1,
            Some(_) if ipcp.state() != IpcpState::Operational => {
                ouroboros::errno::EIPCPSTATE.wrapping_neg()
            }
            Some(h) => ipcp.ops.query(h).unwrap_or_else(|| unsupported("query")),
        },
        Some(IpcpMsgCode::IpcpFlowAlloc) => crate::flows::alloc(ipcp, msg),
        Some(IpcpMsgCode::IpcpFlowJoin) => crate::flows::join(ipcp, msg),
        Some(IpcpMsgCode::IpcpFlowAllocResp) => crate::flows::alloc_resp(ipcp, msg),
        Some(IpcpMsgCode::IpcpFlowDealloc) => crate::flows::dealloc(ipcp, msg),
        Some(IpcpMsgCode::IpcpReply) | None => {
            log_err!(PREFIX, "Unknown message code: {}.", msg.code);
            -1
        }
    };
    reply.result = Some(res);
    reply
}

pub fn unsupported(what: &str) -> i32 {
    log_err!(PREFIX, "Failed to {}: operation unsupported.", what);
    NOTSUP
}

pub fn wrong_state(what: &str, s: IpcpState, need: IpcpState) -> i32 {
    log_err!(
        PREFIX,
        "Failed to {}: IPCP in state <{}>, need <{}>.",
        what,
        state_name(s),
        state_name(need)
    );
    -ouroboros::errno::EIPCPSTATE
}

fn finish(ipcp: &Ipcp, layer: &str, algo: HashAlgo, reply: &mut IpcpMsg) {
    ipcp.set_layer(layer, algo);
    reply.layer_info = Some(pb::msg::LayerInfoMsg {
        name: layer.to_string(),
        dir_hash_algo: algo as u32,
    });
    ipcp.set_state(IpcpState::Operational);
}

fn log_layer(ipcp: &Ipcp, algo: HashAlgo) {
    log_info!(PREFIX, "  type: {}", ipcp.ipcp_type.name());
    log_info!(
        PREFIX,
        "  hash: {} [{} bytes]",
        algo.log_name(),
        algo.digest_len()
    );
}

fn bootstrap(ipcp: &Ipcp, msg: &IpcpMsg, reply: &mut IpcpMsg) -> i32 {
    log_info!(PREFIX, "Bootstrapping...");
    let s = ipcp.state();
    if s != IpcpState::Boot {
        return wrong_state("bootstrap", s, IpcpState::Boot);
    }
    let Some(mut conf) = msg.conf.as_ref().and_then(IpcpConfig::from_msg) else {
        log_err!(PREFIX, "Failed to bootstrap IPCP.");
        return -libc::EINVAL;
    };
    // fixed directory hashes for some types
    match IpcpType::from_u32(conf.ipcp_type) {
        Some(IpcpType::Udp4 | IpcpType::Udp6) => conf.layer.dir_hash_algo = HashAlgo::Md5 as u32,
        Some(IpcpType::Broadcast) => conf.layer.dir_hash_algo = HashAlgo::Sha3_256 as u32,
        _ => {}
    }
    let Some(algo) = conf.layer.hash_algo() else {
        log_err!(PREFIX, "Failed to bootstrap IPCP.");
        return -libc::EINVAL;
    };
    match ipcp.ops.bootstrap(&conf) {
        None => {
            log_err!(PREFIX, "Failed to Bootstrap: operation unsupported.");
            NOTSUP
        }
        Some(r) if r < 0 => {
            log_err!(PREFIX, "Failed to bootstrap IPCP.");
            r
        }
        Some(r) => {
            finish(ipcp, &conf.layer.name, algo, reply);
            log_info!(PREFIX, "Finished bootstrapping in {}.", conf.layer.name);
            log_layer(ipcp, algo);
            r
        }
    }
}

fn enroll(ipcp: &Ipcp, msg: &IpcpMsg, reply: &mut IpcpMsg) -> i32 {
    let dst = msg.dst.as_deref().unwrap_or("");
    log_info!(PREFIX, "Enrolling with {}...", dst);
    if !ipcp.ops.enrolls() {
        log_err!(PREFIX, "Failed to enroll: operation unsupported.");
        return NOTSUP;
    }
    let s = ipcp.state();
    if s != IpcpState::Boot {
        return wrong_state("enroll", s, IpcpState::Boot);
    }
    match ipcp.ops.enroll(dst) {
        Err(e) => {
            log_err!(PREFIX, "Failed to bootstrap IPCP.");
            e
        }
        Ok(layer) => {
            let algo = layer.hash_algo().unwrap_or(HashAlgo::Sha3_256);
            finish(ipcp, &layer.name, algo, reply);
            log_info!(
                PREFIX,
                "Finished enrolling with {} in layer {}.",
                dst,
                layer.name
            );
            log_layer(ipcp, algo);
            0
        }
    }
}
