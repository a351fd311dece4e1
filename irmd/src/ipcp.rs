//! The IRMd as client of an IPCP's socket: one `ipcp_msg` per connection,
//! with upstream's per-message receive timeouts.

use ouroboros::pb::{self, IpcpMsg, IpcpMsgCode};
use ouroboros::sock;
use prost::Message;
use std::time::Duration;

/// Receive timeout for each request code.
pub fn timeout(code: IpcpMsgCode) -> Duration {
    match code {
        IpcpMsgCode::IpcpBootstrap => Duration::from_millis(5000),
        IpcpMsgCode::IpcpEnroll
        | IpcpMsgCode::IpcpReg
        | IpcpMsgCode::IpcpConnect
        | IpcpMsgCode::IpcpFlowAlloc => Duration::from_millis(20000),
        IpcpMsgCode::IpcpQuery => Duration::from_millis(200),
        IpcpMsgCode::IpcpFlowDealloc => Duration::from_micros(500),
        _ => Duration::from_millis(500),
    }
}

/// Sends `msg` to IPCP `pid`; `None` when the IPCP is gone, does not answer
/// in time, or answers garbage.
pub fn call(pid: i32, msg: &IpcpMsg) -> Option<IpcpMsg> {
    if !ouroboros::proc::alive(pid) {
        return None;
    }
    let bytes = msg.encode_to_vec();
    let code = IpcpMsgCode::try_from(msg.code).ok()?;
    let reply = sock::request(&sock::ipcp_sock_path(pid), &bytes, Some(timeout(code))).ok()?;
    pb::decode_ipcp(&reply).ok()
}

/// `call` reduced to its result: 0 on success, else negative.
pub fn status(pid: i32, msg: &IpcpMsg) -> i32 {
    match call(pid, msg) {
        Some(r) => r.result.unwrap_or(-1),
        None => -1,
    }
}
