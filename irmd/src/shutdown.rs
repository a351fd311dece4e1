//! Shutdown: every known process gets SIGTERM; spawned IPCPs are waited
//! for, and after 30 s everything left gets SIGKILL.

use crate::irmd::Irmd;
use nix::sys::signal::Signal;
use ouroboros::paths::FUSE_PREFIX;
use ouroboros::{log_err, log_warn};
use std::time::{Duration, Instant};

const PKILL_TIMEOUT: Duration = Duration::from_secs(30);

fn signal_all(irmd: &Irmd, sig: Signal) {
    let pids: Vec<i32> = irmd.reg().procs.iter().map(|p| p.pid).collect();
    for pid in pids {
        ouroboros::proc::signal(pid, sig);
    }
}

pub fn kill_all(irmd: &Irmd) {
    signal_all(irmd, Signal::SIGTERM);
    let deadline = Instant::now() + PKILL_TIMEOUT;
    let mut killed = false;
    loop {
        let first = irmd.reg().spawned.first().copied();
        let Some(pid) = first else { break };
        if ouroboros::proc::try_reap(pid) || !ouroboros::proc::alive(pid) {
            if !ouroboros::proc::alive(pid) && irmd.reg().proc(pid).is_some() {
                log_warn!("irmd", "Child process {} died.", pid);
            }
            crate::sanitize::cleanup_pid(irmd, pid);
            irmd.reg().destroy_proc(pid);
            continue;
        }
        if !killed && Instant::now() >= deadline {
            signal_all(irmd, Signal::SIGKILL);
            let pids: Vec<i32> = irmd.reg().spawned.clone();
            for pid in pids {
                ouroboros::proc::signal(pid, Signal::SIGKILL);
            }
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Removes the RIB directory, retrying briefly (fails if it is a mount).
pub fn remove_fuse_prefix() {
    for _ in 0..6 {
        if std::fs::remove_dir(FUSE_PREFIX).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    log_err!("irmd", "Failed to remove {}", FUSE_PREFIX);
}

/// Clears the registry: every flow set, ring buffer and pool goes.
pub fn clear(irmd: &Irmd) {
    let (procs, flows) = {
        let mut reg = irmd.reg();
        (
            std::mem::take(&mut reg.procs),
            std::mem::take(&mut reg.flows),
        )
    };
    for p in procs {
        if let Some(set) = p.set {
            set.destroy();
        }
    }
    for f in flows {
        crate::shm::destroy_rbuffs(f.rbuffs);
    }
    for (_, pool) in irmd.pups.lock().unwrap_or_else(|e| e.into_inner()).drain() {
        pool.destroy();
    }
    if let Some(gspp) = irmd.gspp.lock().unwrap_or_else(|e| e.into_inner()).take() {
        gspp.destroy();
    }
}
