//! Once a second: reap exited children and remove processes that died
//! without saying goodbye.

use crate::irmd::Irmd;
use ouroboros::log_info;
use ouroboros::paths::FUSE_PREFIX;
use std::time::Duration;

const PERIOD: Duration = Duration::from_millis(1000);

pub fn run(irmd: &Irmd) {
    while !irmd.shutting_down() {
        sweep(irmd);
        std::thread::sleep(PERIOD);
    }
}

pub fn sweep(irmd: &Irmd) {
    let spawned = irmd.reg().spawned.clone();
    for pid in spawned {
        // exited children would otherwise stay zombies that look alive
        ouroboros::proc::try_reap(pid);
    }
    loop {
        let dead = irmd.reg().dead_proc();
        let Some(pid) = dead else { break };
        log_info!("irmd", "Process {} died.", pid);
        crate::ops::cleanup::proc_died(irmd, pid);
        cleanup_pid(irmd, pid);
        irmd.reg().destroy_proc(pid);
        irmd.notify();
    }
}

/// Removes what a dead process leaves behind: its RIB mount point, the
/// blocks it allocated or held (in any pool: an IPCP holds blocks of its
/// applications' pools) and, for an IPCP, its socket.
pub fn cleanup_pid(irmd: &Irmd, pid: i32) {
    if let Some(gspp) = irmd.gspp.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        let _ = gspp.reclaim_orphans(pid);
    }
    // upstream reclaims only in the GSPP; per-user pools leak otherwise
    for pup in irmd.pups.lock().unwrap_or_else(|e| e.into_inner()).values() {
        let _ = pup.reclaim_orphans(pid);
    }
    let mnt = match irmd.reg().ipcp(pid) {
        Some(i) => {
            // a killed IPCP leaves its socket (upstream's too)
            let _ = std::fs::remove_file(ouroboros::sock::ipcp_sock_path(pid));
            format!("{FUSE_PREFIX}/{}", i.info.name)
        }
        None => format!("{FUSE_PREFIX}/proc.{pid}"),
    };
    let _ = std::fs::remove_dir(mnt);
}
