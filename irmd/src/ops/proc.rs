//! Processes announcing themselves and leaving.

use super::PREFIX;
use crate::irmd::Irmd;
use crate::reg::Proc;
use ouroboros::{log_err, log_info};

pub fn announce(irmd: &Irmd, pid: i32, prog: &str, uid: u32, gid: u32) -> i32 {
    if !irmd.reg().create_proc(Proc::new(pid, prog, uid, gid)) {
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
