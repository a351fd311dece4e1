//! Processes announcing themselves and leaving.

use super::PREFIX;
use crate::irmd::Irmd;
use crate::reg::Proc;
use crate::shm;
use ouroboros::{log_err, log_info};

/// Prepares the per-user pool of an unprivileged uid.
fn prepare_pool(irmd: &Irmd, uid: u32, gid: u32) -> bool {
    if ouroboros::proc::is_ouroboros_member(uid) {
        return true;
    }
    let mut pups = irmd.pups.lock().unwrap_or_else(|e| e.into_inner());
    if pups.contains_key(&uid) {
        return true;
    }
    match shm::create_pup(uid, gid) {
        Some(p) => {
            pups.insert(uid, p);
            true
        }
        None => {
            log_err!("reg", "Failed to create pool for uid {}.", uid);
            false
        }
    }
}

pub fn announce(irmd: &Irmd, pid: i32, prog: &str, uid: u32, gid: u32) -> i32 {
    if !prepare_pool(irmd, uid, gid) {
        log_err!(PREFIX, "Failed to prepare pool for uid {}.", uid);
        return -1;
    }
    let mut proc = Proc::new(pid, prog, uid);
    if irmd.reg().proc(pid).is_some() {
        log_err!("reg", "Process {} already exists.", pid);
        log_err!(PREFIX, "Failed to add process {}.", pid);
        return -1;
    }
    proc.set = shm::create_flow_set(pid);
    if proc.set.is_none() || !irmd.reg().create_proc(proc) {
        log_err!(PREFIX, "Failed to add process {}.", pid);
        return -1;
    }
    irmd.notify();
    log_info!(PREFIX, "Process added: {} ({}).", pid, prog);
    0
}

/// Always succeeds, also for an unknown pid.
pub fn exit(irmd: &Irmd, pid: i32) -> i32 {
    irmd.reg().destroy_proc(pid);
    irmd.notify();
    log_info!(PREFIX, "Process removed: {}.", pid);
    0
}
