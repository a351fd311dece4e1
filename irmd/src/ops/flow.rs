//! Flow allocation: accept, allocate (directly between two local processes
//! or through an IPCP), join a broadcast layer, and deallocate; plus the
//! IPCP's reports (request arrived, allocation reply, dealloc done).

use super::cleanup::free_queued;
use super::PREFIX;
use crate::ipcp::call;
use crate::irmd::Irmd;
use crate::oap;
use crate::reg::{FlowInfo, FlowState, Registry};
use crate::shm;
use ouroboros::errno::{EIPCP, ENAME, ENOTALLOC};
use ouroboros::hash::{hex, HashAlgo};
use ouroboros::ipcp::{IpcpType, NOT_ENROLLED};
use ouroboros::pb::{IpcpMsg, IpcpMsgCode};
use ouroboros::{log_err, log_info, log_warn};
use std::sync::MutexGuard;
use std::time::{Duration, Instant};

/// Wait for an accepting process (and again after auto-starting one).
const REQ_ARR_TIMEOUT: Duration = Duration::from_millis(1000);
/// Allocation and join wait when the caller gave no timeout.
pub const FLOW_ALLOC_TIMEOUT: Duration = Duration::from_millis(20000);
/// `mpl` reported for direct flows.
const DIRECT_MPL: u32 = 1;

/// A successful allocation or accept: the caller's end of the flow and
/// the OAP outcome.
pub struct Granted {
    pub info: FlowInfo,
    pub cipher_nid: i32,
    pub key: Option<Vec<u8>>,
}

/// How a wait ended.
enum Waited {
    Done,
    TimedOut,
    /// The record vanished or was cancelled.
    Gone,
}

/// Waits on the registry condvar until `done` says stop or the deadline
/// passes (`None`: forever).
fn wait_for<'a>(
    irmd: &'a Irmd,
    mut reg: MutexGuard<'a, Registry>,
    deadline: Option<Instant>,
    mut done: impl FnMut(&Registry) -> Option<bool>,
) -> (MutexGuard<'a, Registry>, Waited) {
    loop {
        match done(&reg) {
            Some(true) => return (reg, Waited::Done),
            Some(false) => return (reg, Waited::Gone),
            None => {}
        }
        match deadline {
            Some(d) => {
                if Instant::now() >= d {
                    return (reg, Waited::TimedOut);
                }
                reg = irmd.wait_until(reg, d).0;
            }
            None => reg = irmd.changed.wait(reg).unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// Waits up to 1 s for an acceptor of `name`, auto-starting its program
/// (and waiting another second) if nobody accepts. Returns the accept
/// flow's id.
fn wait_for_accept(irmd: &Irmd, name: &str) -> Result<i32, i32> {
    let mut deadline = Instant::now() + REQ_ARR_TIMEOUT;
    let mut started = false;
    loop {
        let reg = irmd.reg();
        let (mut reg, _) = wait_for(irmd, reg, Some(deadline), |r| match r.name(name) {
            None => Some(false),
            Some(n) if n.active.iter().any(|p| r.accept_flow_of(*p).is_some()) => Some(true),
            Some(_) => None,
        });
        match reg.pending_flow_id(name) {
            Ok(id) => return Ok(id),
            Err(e) if e == -ENAME => return Err(-1),
            Err(_) => {}
        }
        if started {
            return Err(-1);
        }
        let exec = reg.name(name).and_then(|n| n.execs.first().cloned());
        drop(reg);
        let Some(exec) = exec else { return Err(-1) };
        if crate::spawn::program(&exec).is_none() {
            log_err!(PREFIX, "Failed to start {} for {}.", exec[0], name);
            return Err(-1);
        }
        log_info!(PREFIX, "Starting {} for {}.", exec[0], name);
        started = true;
        deadline += REQ_ARR_TIMEOUT;
    }
}

/// Returns a claimed accept flow and wakes the allocations that skipped
/// it while it was claimed (they would otherwise sleep to their deadline).
fn give_back(irmd: &Irmd, mut reg: MutexGuard<'_, Registry>, id: i32) {
    reg.unclaim(id);
    drop(reg);
    irmd.notify();
}

/// Removes a flow record and its ring buffers.
pub fn destroy_flow(irmd: &Irmd, id: i32) {
    {
        let mut reg = irmd.reg();
        let uid = app_uid(&reg, id);
        // Under the lock: once the record is gone, a new flow may take its
        // id and so the names of its ring buffers.
        match reg.remove_flow(id) {
            Some(f) => {
                free_queued(irmd, uid, &f.rbuffs);
                shm::destroy_rbuffs(f.rbuffs);
            }
            None => log_err!("reg", "Flow {} does not exist.", id),
        }
    }
    irmd.notify();
}

/// The uid class of flow `id`'s application end, whose pool holds every
/// block queued in the flow's rings.
fn app_uid(reg: &Registry, id: i32) -> u32 {
    reg.flow(id).map_or(0, |f| reg.proc_uid(f.info.n_pid))
}

/// Creates the two ring buffers of a flow record (under the lock).
fn make_rbuffs(reg: &mut Registry, id: i32, n_pid: i32, n_1_pid: i32) -> Result<(), i32> {
    let rbuffs = shm::create_rbuffs(n_pid, n_1_pid, id)?;
    match reg.flow_mut(id) {
        Some(f) => {
            f.rbuffs = rbuffs;
            f.info.n_1_pid = n_1_pid;
        }
        None => shm::destroy_rbuffs(rbuffs),
    }
    Ok(())
}

/// Drops a record's ring buffers (it reached DEALLOCATED).
fn drop_rbuffs(irmd: &Irmd, reg: &mut Registry, id: i32) {
    let uid = app_uid(reg, id);
    if let Some(f) = reg.flow_mut(id) {
        let rbuffs = std::mem::take(&mut f.rbuffs);
        free_queued(irmd, uid, &rbuffs);
        shm::destroy_rbuffs(rbuffs);
    }
}

/// `IRM_FLOW_ACCEPT`: waits for an incoming flow for any name the process
/// is bound to. `Err(-EPIPE)` means: no reply (the wait was cancelled).
pub fn accept(irmd: &Irmd, n_pid: i32, timeo: Option<Duration>) -> Result<Granted, i32> {
    let deadline = timeo.map(|t| Instant::now() + t);
    let mut reg = irmd.reg();
    if reg.proc(n_pid).is_none() {
        log_err!(PREFIX, "Unknown process {} calling accept.", n_pid);
        return Err(-libc::EINVAL);
    }
    let Some(id) = reg.create_flow(FlowInfo::request(n_pid, Default::default())) else {
        log_err!(PREFIX, "Failed to create flow.");
        return Err(-libc::EBADF);
    };
    if let Some(f) = reg.flow_mut(id) {
        f.info.state = FlowState::AcceptPending;
    }
    reg.add_active_proc(n_pid);
    irmd.notify();
    let (mut reg, how) = wait_for(irmd, reg, deadline, |r| {
        match r.flow(id).map(|f| f.info.state) {
            None | Some(FlowState::Deallocated) => Some(false),
            Some(FlowState::Allocated) => Some(true),
            _ => None,
        }
    });
    reg.del_active_proc(n_pid);
    let (req, name, direct) = match reg.flow_mut(id) {
        Some(f) => (f.req_data.take(), f.name.clone(), f.direct),
        None => (None, String::new(), false),
    };
    drop(reg);
    match how {
        Waited::Done => {}
        Waited::TimedOut => {
            log_err!(PREFIX, "Flow accept timed out.");
            destroy_flow(irmd, id);
            return Err(-libc::ETIMEDOUT);
        }
        Waited::Gone => {
            if irmd.reg().flow(id).is_some() {
                destroy_flow(irmd, id);
            }
            return Err(-libc::EPIPE);
        }
    }
    let info = irmd.reg().name(&name).map(|n| n.info.clone());
    let Some(name_info) = info else {
        log_err!(PREFIX, "Failed to get name info for {}.", name);
        fail_accept(irmd, id, direct, -ENAME);
        return Err(-ENAME);
    };
    let uid = irmd.reg().proc_uid(n_pid);
    let resp = match oap::server_process(&irmd.oap, &name_info, req.as_deref().unwrap_or(&[])) {
        Ok(r) => r,
        Err(e) => {
            log_err!(PREFIX, "OAP processing failed for {}.", name);
            fail_accept(irmd, id, direct, e);
            return Err(e);
        }
    };
    let mut reg = irmd.reg();
    let Some(f) = reg.flow_mut(id) else {
        return Err(-EIPCP);
    };
    f.info.uid = uid;
    let mut info = f.info.clone();
    info.uid = uid;
    if direct {
        f.rsp_data = Some(resp.header.clone());
        drop(reg);
        irmd.notify();
        log_info!(
            PREFIX,
            "Flow {} accepted (direct) by {} for {}.",
            id,
            n_pid,
            name
        );
    } else {
        drop(reg);
        if alloc_resp(&info, 0, Some(&resp.header)) != 0 {
            log_err!(PREFIX, "Failed to respond to flow allocation.");
            destroy_flow(irmd, id);
            return Err(-EIPCP);
        }
        log_info!(
            PREFIX,
            "Flow {} accepted by {} for {} (uid {}).",
            id,
            n_pid,
            name,
            uid
        );
    }
    Ok(Granted {
        info,
        cipher_nid: resp.cipher_nid,
        key: resp.key,
    })
}

fn fail_accept(irmd: &Irmd, id: i32, direct: bool, err: i32) {
    if !direct {
        let info = irmd.reg().flow(id).map(|f| f.info.clone());
        if let Some(info) = info {
            alloc_resp(&info, err, None);
        }
    }
    destroy_flow(irmd, id);
}

/// `IPCP_FLOW_ALLOC_RESP` to the flow's IPCP.
fn alloc_resp(info: &FlowInfo, response: i32, pk: Option<&[u8]>) -> i32 {
    let msg = IpcpMsg {
        flow_id: Some(info.id),
        pid: Some(info.n_pid),
        uid: Some(info.uid),
        response: Some(response),
        pk: if response == 0 {
            Some(pk.unwrap_or(&[]).to_vec())
        } else {
            None
        },
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpFlowAllocResp)
    };
    match call(info.n_1_pid, &msg) {
        Some(r) => r.result.unwrap_or(-EIPCP),
        None => -EIPCP,
    }
}

/// `IRM_FLOW_ALLOC` for process `info.n_pid` to name `dst`.
pub fn alloc(
    irmd: &Irmd,
    dst: &str,
    mut info: FlowInfo,
    timeo: Option<Duration>,
) -> Result<Granted, i32> {
    let deadline = Instant::now() + timeo.unwrap_or(FLOW_ALLOC_TIMEOUT);
    let name_info = irmd.reg().name(dst).map(|n| n.info.clone());
    let Some(name_info) = name_info else {
        log_err!(PREFIX, "Failed to get name info for {}.", dst);
        return Err(-ENAME);
    };
    info.uid = irmd.reg().proc_uid(info.n_pid);
    log_info!(
        PREFIX,
        "Allocating flow for {} to {} (uid {}).",
        info.n_pid,
        dst,
        info.uid
    );

    match alloc_direct(irmd, dst, &info, &name_info, deadline) {
        Ok(g) => return Ok(g),
        Err(e) if e == -libc::EPERM || e == -libc::EAGAIN => {}
        Err(e) => return Err(e),
    }
    alloc_via_ipcp(irmd, dst, info, &name_info, deadline)
}

fn alloc_direct(
    irmd: &Irmd,
    dst: &str,
    info: &FlowInfo,
    name_info: &ouroboros::name::NameInfo,
    deadline: Instant,
) -> Result<Granted, i32> {
    let Ok(id) = wait_for_accept(irmd, dst) else {
        return Err(-libc::EAGAIN);
    };
    let client = oap::client_prepare(name_info).map_err(|_| {
        log_err!(PREFIX, "Failed to prepare OAP for {}.", dst);
        give_back(irmd, irmd.reg(), id);
        -libc::EBADF
    })?;
    let mut reg = irmd.reg();
    let acceptor = match reg.flow(id) {
        Some(f) if f.info.state == FlowState::AcceptPending => f.info.n_pid,
        _ => {
            log_err!(PREFIX, "Failed to prepare direct flow.");
            return Err(-libc::EBADF);
        }
    };
    if reg.proc_uid(acceptor) != info.uid {
        // the flow goes through an IPCP, whose request takes it again
        give_back(irmd, reg, id);
        return Err(-libc::EPERM);
    }
    if make_rbuffs(&mut reg, id, acceptor, info.n_pid).is_err() {
        log_err!(PREFIX, "Failed to prepare direct flow.");
        give_back(irmd, reg, id);
        return Err(-libc::EBADF);
    }
    if let Some(f) = reg.flow_mut(id) {
        f.direct = true;
        f.req_data = Some(client.request().to_vec());
        f.info.mpl = DIRECT_MPL;
        f.info.qos = info.qos;
        f.info.state = FlowState::Allocated;
        f.info.uid = info.uid;
    }
    irmd.notify();
    let (mut reg, how) = wait_for(irmd, reg, Some(deadline), |r| match r.flow(id) {
        None => Some(false),
        Some(f) if f.rsp_data.is_some() => Some(true),
        Some(_) => None,
    });
    let rsp = reg.flow_mut(id).and_then(|f| f.rsp_data.take());
    drop(reg);
    if let Waited::TimedOut = how {
        log_err!(PREFIX, "Timeout waiting for OAP response.");
        return Err(-libc::ETIMEDOUT);
    }
    let done = oap::client_complete(client, rsp.as_deref().unwrap_or(&[])).inspect_err(|_| {
        log_err!(PREFIX, "OAP completion failed for {}.", dst);
    })?;
    let mut out = info.clone();
    out.id = id;
    out.n_1_pid = acceptor;
    out.mpl = DIRECT_MPL;
    out.state = FlowState::Allocated;
    log_info!(
        PREFIX,
        "Flow {} allocated (direct) for {} to {}.",
        id,
        info.n_pid,
        dst
    );
    Ok(Granted {
        info: out,
        cipher_nid: done.cipher_nid,
        key: done.key,
    })
}

/// Picks the first IPCP (registry order, not broadcast, enrolled) that
/// answers a query for `dst`; returns its pid and the hash it knows.
fn ipcp_for(irmd: &Irmd, dst: &str) -> Option<(i32, Vec<u8>)> {
    let candidates: Vec<(i32, u32)> = irmd
        .reg()
        .ipcps
        .iter()
        .filter(|i| i.info.ipcp_type != IpcpType::Broadcast as u32 && i.layer.name != NOT_ENROLLED)
        .map(|i| (i.info.pid, i.layer.dir_hash_algo))
        .collect();
    for (pid, algo) in candidates {
        let Some(algo) = HashAlgo::from_u32(algo) else {
            continue;
        };
        let hash = algo.digest(dst.as_bytes());
        let q = IpcpMsg {
            hash: Some(hash.clone()),
            ..IpcpMsg::with_code(IpcpMsgCode::IpcpQuery)
        };
        if call(pid, &q).and_then(|r| r.result) == Some(0) {
            return Some((pid, hash));
        }
    }
    None
}

fn alloc_via_ipcp(
    irmd: &Irmd,
    dst: &str,
    info: FlowInfo,
    name_info: &ouroboros::name::NameInfo,
    deadline: Instant,
) -> Result<Granted, i32> {
    let Some(id) = irmd.reg().create_flow(info.clone()) else {
        log_err!(PREFIX, "Failed to create flow.");
        return Err(-libc::EBADF);
    };
    let Some((ipcp, hash)) = ipcp_for(irmd, dst) else {
        log_err!(PREFIX, "Failed to find IPCP for {}.", dst);
        destroy_flow(irmd, id);
        return Err(-EIPCP);
    };
    {
        let mut reg = irmd.reg();
        if make_rbuffs(&mut reg, id, info.n_pid, ipcp).is_err() {
            drop(reg);
            log_err!(PREFIX, "Failed to prepare flow allocation.");
            destroy_flow(irmd, id);
            return Err(-libc::EBADF);
        }
        if let Some(f) = reg.flow_mut(id) {
            f.info.state = FlowState::AllocPending;
        }
    }
    let Ok(client) = oap::client_prepare(name_info) else {
        log_err!(PREFIX, "Failed to prepare OAP request for {}.", dst);
        destroy_flow(irmd, id);
        return Err(-libc::EBADF);
    };
    let msg = IpcpMsg {
        flow_id: Some(id),
        pid: Some(info.n_pid),
        uid: Some(info.uid),
        qosspec: Some(info.qos),
        hash: Some(hash),
        pk: Some(client.request().to_vec()),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpFlowAlloc)
    };
    if call(ipcp, &msg).and_then(|r| r.result) != Some(0) {
        log_err!(PREFIX, "Flow allocation {} failed.", id);
        destroy_flow(irmd, id);
        return Err(-EIPCP);
    }
    let reg = irmd.reg();
    let (mut reg, how) = wait_for(irmd, reg, Some(deadline), |r| {
        match r.flow(id).map(|f| f.info.state) {
            None => Some(false),
            Some(FlowState::Allocated | FlowState::Deallocated) => Some(true),
            _ => None,
        }
    });
    if let Waited::TimedOut = how {
        if let Some(f) = reg.flow_mut(id) {
            f.info.state = FlowState::Deallocated;
        }
        drop_rbuffs(irmd, &mut reg, id);
        drop(reg);
        log_err!(PREFIX, "Flow allocation timed out.");
        destroy_flow(irmd, id);
        return Err(-libc::ETIMEDOUT);
    }
    let (state, response, rsp, out) = match reg.flow_mut(id) {
        Some(f) => (f.info.state, f.response, f.rsp_data.take(), f.info.clone()),
        None => (FlowState::Deallocated, -1, None, info.clone()),
    };
    drop(reg);
    if state != FlowState::Allocated {
        let err = if response < 0 { response } else { -1 };
        log_warn!(PREFIX, "Allocation rejected: {} ({}).", dst, err);
        destroy_flow(irmd, id);
        return Err(err);
    }
    match oap::client_complete(client, rsp.as_deref().unwrap_or(&[])) {
        Ok(done) => Ok(Granted {
            info: out,
            cipher_nid: done.cipher_nid,
            key: done.key,
        }),
        Err(e) => {
            log_err!(PREFIX, "OAP completion failed for {}.", dst);
            destroy_flow(irmd, id);
            Err(e)
        }
    }
}

/// `IRM_FLOW_JOIN` of broadcast layer `dst`.
pub fn join(
    irmd: &Irmd,
    dst: &str,
    mut info: FlowInfo,
    timeo: Option<Duration>,
) -> Result<Granted, i32> {
    let deadline = Instant::now() + timeo.unwrap_or(FLOW_ALLOC_TIMEOUT);
    info.uid = irmd.reg().proc_uid(info.n_pid);
    let Some(id) = irmd.reg().create_flow(info.clone()) else {
        log_err!(PREFIX, "Failed to create flow.");
        return Err(-libc::EBADF);
    };
    log_info!(
        PREFIX,
        "Allocating flow for {} to {} (uid {}).",
        info.n_pid,
        dst,
        info.uid
    );
    let ipcp = irmd
        .reg()
        .ipcps
        .iter()
        .find(|i| i.layer.name == dst)
        .map(|i| (i.info.pid, i.layer.dir_hash_algo));
    let Some((ipcp, algo)) = ipcp else {
        log_err!(PREFIX, "Failed to get IPCP for layer {}.", dst);
        destroy_flow(irmd, id);
        return Err(-EIPCP);
    };
    let hash = HashAlgo::from_u32(algo)
        .unwrap_or(HashAlgo::Sha3_256)
        .digest(dst.as_bytes());
    {
        let mut reg = irmd.reg();
        if make_rbuffs(&mut reg, id, info.n_pid, ipcp).is_err() {
            drop(reg);
            destroy_flow(irmd, id);
            return Err(-libc::EBADF);
        }
        if let Some(f) = reg.flow_mut(id) {
            f.info.state = FlowState::AllocPending;
        }
    }
    let msg = IpcpMsg {
        flow_id: Some(id),
        pid: Some(info.n_pid),
        uid: Some(info.uid),
        hash: Some(hash),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpFlowJoin)
    };
    if call(ipcp, &msg).and_then(|r| r.result) != Some(0) {
        log_err!(PREFIX, "Flow join with layer {} failed.", dst);
        destroy_flow(irmd, id);
        return Err(-ENOTALLOC);
    }
    let reg = irmd.reg();
    let (reg, how) = wait_for(irmd, reg, Some(deadline), |r| {
        match r.flow(id).map(|f| f.info.state) {
            None => Some(false),
            Some(FlowState::Allocated | FlowState::Deallocated) => Some(true),
            _ => None,
        }
    });
    let flow = reg.flow(id).map(|f| (f.info.clone(), f.response));
    drop(reg);
    match (how, flow) {
        (Waited::Done, Some((out, _))) if out.state == FlowState::Allocated => Ok(Granted {
            info: out,
            cipher_nid: 0,
            key: None,
        }),
        (Waited::TimedOut, _) => {
            log_err!(PREFIX, "Flow join timed out.");
            destroy_flow(irmd, id);
            Err(-libc::ETIMEDOUT)
        }
        (_, Some((_, response))) => {
            destroy_flow(irmd, id);
            Err(if response < 0 { response } else { -libc::EPIPE })
        }
        (_, None) => Err(-libc::EPIPE),
    }
}

/// `IPCP_FLOW_REQ_ARR`: an IPCP delivers an incoming allocation for `hash`.
pub fn req_arr(
    irmd: &Irmd,
    ipcp: i32,
    hash: &[u8],
    mpl: u32,
    qos: ouroboros::pb::msg::QosspecMsg,
    uid: u32,
    pk: Vec<u8>,
) -> Result<FlowInfo, i32> {
    let algo = irmd.reg().ipcp(ipcp).map(|i| i.layer.dir_hash_algo);
    let Some(algo) = algo else {
        log_err!(PREFIX, "No IPCP with pid {}.", ipcp);
        return Err(-EIPCP);
    };
    let algo = HashAlgo::from_u32(algo).unwrap_or(HashAlgo::Sha3_224);
    let name = irmd
        .reg()
        .names
        .iter()
        .find(|n| algo.digest(n.info.name.as_bytes()) == hash)
        .map(|n| n.info.name.clone());
    let Some(name) = name else {
        log_warn!(PREFIX, "No name for {}.", hex(&hash[..hash.len().min(4)]));
        return Err(-ENAME);
    };
    log_info!(PREFIX, "Flow request arrived for {}.", name);
    let id = match wait_for_accept(irmd, &name) {
        Ok(id) => id,
        Err(e) => {
            log_err!(PREFIX, "No active process for {}.", name);
            return Err(e);
        }
    };
    let mut reg = irmd.reg();
    let acceptor = match reg.flow(id) {
        Some(f) if f.info.state == FlowState::AcceptPending => f.info.n_pid,
        _ => {
            log_err!("reg", "Flow not found for request: {}", id);
            return Err(-1);
        }
    };
    if make_rbuffs(&mut reg, id, acceptor, ipcp).is_err() {
        log_err!(PREFIX, "Failed to respond to flow {}.", id);
        give_back(irmd, reg, id);
        return Err(-1);
    }
    let f = reg.flow_mut(id).ok_or(-1)?;
    f.req_data = Some(pk);
    f.info.mpl = mpl;
    f.info.qos = qos;
    f.info.uid = uid;
    f.info.state = FlowState::Allocated;
    let out = f.info.clone();
    drop(reg);
    irmd.notify();
    Ok(out)
}

/// `IPCP_FLOW_ALLOC_REPLY`: the IPCP finished (or failed) allocation `id`.
pub fn alloc_reply(irmd: &Irmd, id: i32, mpl: u32, uid: u32, response: i32, pk: Vec<u8>) -> i32 {
    let mut reg = irmd.reg();
    let state = reg.flow(id).map(|f| f.info.state);
    match state {
        None => {
            log_warn!("reg", "Flow {} already destroyed.", id);
            return -libc::EBADF;
        }
        Some(FlowState::Deallocated) => {
            log_warn!("reg", "Flow {} already deallocated.", id);
            return -libc::EBADF;
        }
        Some(FlowState::AllocPending) => {}
        Some(_) => return -libc::EBADF,
    }
    if response != 0 {
        drop_rbuffs(irmd, &mut reg, id);
    }
    if let Some(f) = reg.flow_mut(id) {
        f.response = response;
        // upstream copies the uid field of this message (uninitialised there)
        f.info.uid = uid;
        if response == 0 {
            f.info.mpl = mpl;
            f.info.state = FlowState::Allocated;
            f.rsp_data = Some(pk);
        } else {
            f.info.state = FlowState::Deallocated;
        }
    }
    drop(reg);
    irmd.notify();
    0
}

/// `IRM_FLOW_DEALLOC` by process `pid` of flow `id`; `linger` is passed to
/// the IPCP.
pub fn dealloc(irmd: &Irmd, id: i32, pid: i32, linger: u32) -> i32 {
    log_info!(
        PREFIX,
        "Deallocating flow {} for process {} (timeout: {} s).",
        id,
        pid,
        linger
    );
    let mut reg = irmd.reg();
    let Some(f) = reg.flow_mut(id) else {
        log_err!("reg", "Flow {} does not exist.", id);
        return -ENOTALLOC;
    };
    let (direct, n_1_pid) = (f.direct, f.info.n_1_pid);
    if f.info.state == FlowState::DeallocPending {
        // second end of a direct flow
        if direct && mark_end_gone(f, pid) {
            f.info.state = FlowState::Deallocated;
            drop_rbuffs(irmd, &mut reg, id);
            drop(reg);
            destroy_flow(irmd, id);
            return 0;
        }
    } else {
        f.info.state = FlowState::DeallocPending;
        if direct {
            mark_end_gone(f, pid);
        }
        f.name.clear();
    }
    drop(reg);
    if direct {
        return 0;
    }
    if !ouroboros::proc::alive(n_1_pid) {
        // nobody left to answer for the IPCP side
        destroy_flow(irmd, id);
        return 0;
    }
    let msg = IpcpMsg {
        flow_id: Some(id),
        timeo_sec: Some(linger),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpFlowDealloc)
    };
    match call(n_1_pid, &msg).and_then(|r| r.result) {
        None | Some(0) => 0,
        Some(_) => {
            log_err!(PREFIX, "Failed to request dealloc from {}.", n_1_pid);
            -EIPCP
        }
    }
}

/// Marks the end of `pid` deallocated on a direct flow; false if `pid` is
/// not a (remaining) end.
fn mark_end_gone(f: &mut crate::reg::Flow, pid: i32) -> bool {
    if pid == f.info.n_pid && f.info.n_pid != -1 {
        f.info.n_pid = -1;
    } else if pid == f.info.n_1_pid && f.info.n_1_pid != -1 {
        f.info.n_1_pid = -1;
    } else {
        return false;
    }
    true
}

/// `IPCP_FLOW_DEALLOC`: the IPCP tore its end down after the application's
/// dealloc; `app` is the application's pid.
pub fn dealloc_resp(irmd: &Irmd, id: i32, app: i32) -> i32 {
    let state = irmd.reg().flow(id).map(|f| f.info.state);
    if state != Some(FlowState::DeallocPending) {
        log_err!("reg", "Flow {} is not being deallocated.", id);
        return -libc::EBADF;
    }
    destroy_flow(irmd, id);
    log_info!(
        PREFIX,
        "Completed deallocation of flow_id {} by process {}.",
        id,
        app
    );
    0
}
