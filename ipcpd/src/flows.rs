//! The IRMd's flow requests to an IPCP: allocate, join, the acceptor's
//! response, dealloc. Each sets up or finds the np1 flow end, then hands
//! over to the IPCP type.

use crate::runtime::{Ipcp, PREFIX};
use crate::server::{h32, unsupported, wrong_state};
use ouroboros::dev::np1;
use ouroboros::ipcp::IpcpState;
use ouroboros::pb::IpcpMsg;
use ouroboros::qos::QosSpec;
use ouroboros::{log_err, log_info, log_warn};

fn operational(ipcp: &Ipcp, what: &str) -> Result<(), i32> {
    match ipcp.state() {
        IpcpState::Operational => Ok(()),
        s => Err(wrong_state(what, s, IpcpState::Operational)),
    }
}

/// Opens the application's pool for flow `fd` when it is not ours.
fn set_pool(fd: i32, uid: u32) -> Result<(), i32> {
    if uid == 0 {
        return Ok(());
    }
    np1::np1_set_pool(fd, uid).map_err(|_| {
        log_err!(PREFIX, "Failed to open PUP for uid {}.", uid);
        -libc::ENOMEM
    })
}

pub fn alloc(ipcp: &Ipcp, msg: &IpcpMsg) -> i32 {
    let (flow_id, pid) = (msg.flow_id.unwrap_or(0), msg.pid.unwrap_or(0));
    let hash = msg.hash.clone().unwrap_or_default();
    log_info!(
        PREFIX,
        "Allocating flow {} for {} to {}.",
        flow_id,
        pid,
        h32(&hash)
    );
    if let Err(e) = operational(ipcp, "enroll") {
        return e;
    }
    let fd = match np1::np1_flow_alloc(pid, flow_id) {
        Ok(fd) => fd,
        Err(e) => {
            log_err!(
                PREFIX,
                "Failed allocating n + 1 fd on flow_id {}: {}",
                flow_id,
                e.code()
            );
            return -ouroboros::errno::EFLOWDOWN;
        }
    };
    if let Err(e) = set_pool(fd, msg.uid.unwrap_or(0)) {
        return e;
    }
    let qs = msg.qosspec.as_ref().map(QosSpec::from).unwrap_or_default();
    let pk = msg.pk.clone().unwrap_or_default();
    let Some(r) = ipcp.ops.flow_alloc(ipcp, fd, &hash, &qs, &pk) else {
        return unsupported("allocate");
    };
    log_info!(
        PREFIX,
        "Finished allocating flow {} to {}.",
        flow_id,
        h32(&hash)
    );
    r
}

pub fn join(ipcp: &Ipcp, msg: &IpcpMsg) -> i32 {
    let (flow_id, pid) = (msg.flow_id.unwrap_or(0), msg.pid.unwrap_or(0));
    let hash = msg.hash.clone().unwrap_or_default();
    log_info!(PREFIX, "Joining layer {}.", h32(&hash));
    if let Err(e) = operational(ipcp, "join") {
        return e;
    }
    let Ok(fd) = np1::np1_flow_alloc(pid, flow_id) else {
        log_err!(PREFIX, "Failed allocating n + 1 fd on flow_id {}.", flow_id);
        return -1;
    };
    if let Err(e) = set_pool(fd, msg.uid.unwrap_or(0)) {
        return e;
    }
    let Some(r) = ipcp.ops.flow_join(ipcp, fd, &hash) else {
        return unsupported("join");
    };
    log_info!(PREFIX, "Finished joining layer {}.", h32(&hash));
    r
}

pub fn alloc_resp(ipcp: &Ipcp, msg: &IpcpMsg) -> i32 {
    let (flow_id, resp) = (msg.flow_id.unwrap_or(0), msg.response.unwrap_or(-1));
    log_info!(
        PREFIX,
        "Responding {} to alloc on flow_id {}.",
        resp,
        flow_id
    );
    let s = ipcp.state();
    if s != IpcpState::Operational {
        log_err!(
            PREFIX,
            "Failed to respond to flow {}:IPCP in state <{}>, need <{}>.",
            flow_id,
            crate::server::state_name(s),
            crate::server::state_name(IpcpState::Operational)
        );
        return -ouroboros::errno::EIPCPSTATE;
    }
    let fd = match np1::np1_flow_resp(flow_id, resp) {
        Ok(fd) if fd >= 0 => fd,
        _ => {
            log_warn!(PREFIX, "Flow_id {} is not known.", flow_id);
            return -1;
        }
    };
    if let Err(e) = set_pool(fd, msg.uid.unwrap_or(0)) {
        return e;
    }
    let pk = msg.pk.clone().unwrap_or_default();
    let Some(r) = ipcp.ops.flow_alloc_resp(ipcp, fd, resp, &pk) else {
        return unsupported("respond");
    };
    log_info!(PREFIX, "Finished responding {} to allocation request.", r);
    r
}

pub fn dealloc(ipcp: &Ipcp, msg: &IpcpMsg) -> i32 {
    let flow_id = msg.flow_id.unwrap_or(0);
    log_info!(PREFIX, "Deallocating flow {}.", flow_id);
    // upstream's message says "enroll" here too
    if let Err(e) = operational(ipcp, "enroll") {
        return e;
    }
    let fd = match np1::np1_flow_dealloc(flow_id, msg.timeo_sec.unwrap_or(0)) {
        Ok(fd) if fd >= 0 => fd,
        _ => {
            log_warn!(PREFIX, "Could not deallocate flow_id {}.", flow_id);
            return -1;
        }
    };
    let Some(r) = ipcp.ops.flow_dealloc(ipcp, fd) else {
        return unsupported("dealloc");
    };
    log_info!(PREFIX, "Finished deallocating flow {}.", flow_id);
    r
}
