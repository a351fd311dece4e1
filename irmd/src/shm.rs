//! The shared-memory objects the IRMd creates and removes: the global
//! packet pool, per-user pools, per-process flow sets and per-flow ring
//! buffers.

use ouroboros::ssm::{FlowSet, Pool, Rbuff};
use ouroboros::{log_err, log_warn};

/// Both ring buffers of a flow (`rbuff.<a>.<id>`, `rbuff.<b>.<id>`),
/// created exclusively and locked in memory.
pub fn create_rbuffs(a: i32, b: i32, id: i32) -> Result<Vec<Rbuff>, i32> {
    let create = |pid| {
        Rbuff::create(pid, id).map_err(|e| {
            log_err!("irmd", "Failed to create rbuff {}.{}: {}.", pid, id, e);
            -libc::ENOMEM
        })
    };
    let first = create(a)?;
    match create(b) {
        Ok(second) => Ok(vec![first, second]),
        Err(e) => {
            first.destroy();
            Err(e)
        }
    }
}

pub fn destroy_rbuffs(rbuffs: Vec<Rbuff>) {
    for r in rbuffs {
        r.destroy();
    }
}

/// The flow set of a newly announced process (a stale one is reused).
pub fn create_flow_set(pid: i32) -> Option<FlowSet> {
    match FlowSet::create(pid) {
        Ok(s) => Some(s),
        Err(_) => {
            log_warn!("reg/proc", "Failed to create flow set for {}.", pid);
            None
        }
    }
}

/// Removes what an IRMd that died without cleaning up left behind: its
/// pools, ring buffers and flow sets (all named `ouroboros.*` in
/// /dev/shm, except the lockfile, which `main` handles), the sockets of
/// its IPCPs and the RIB mount points of its processes. Upstream removes
/// only the GSPP: a stale per-user pool then stops that user's programs
/// from starting (the new pool cannot be created), a stale RIB directory
/// an IPCP of the same name (ours), and the ring buffers of a reused pid
/// a flow allocation. Run only once the lockfile is ours, so nothing else
/// uses them.
pub fn clear_leftovers() {
    let mut removed = 0;
    let objects = std::fs::read_dir("/dev/shm");
    for e in objects.into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with("ouroboros.") && name != "ouroboros.lockfile";
        if ours && nix::sys::mman::shm_unlink(format!("/{name}").as_str()).is_ok() {
            removed += 1;
        }
    }
    if removed > 0 {
        log_warn!("irmd", "Removed {} stale shared-memory objects.", removed);
    }
    // the sockets of its IPCPs
    let sockets = std::fs::read_dir(ouroboros::sock::SOCK_DIR);
    for e in sockets.into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("ipcp.") && name.ends_with(".sock") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    // empty directories only: a live FUSE mount point stays
    if let Ok(dir) = std::fs::read_dir(ouroboros::paths::FUSE_PREFIX) {
        for e in dir.flatten() {
            let _ = std::fs::remove_dir(e.path());
        }
    }
}

/// Creates the GSPP (owned by `gid`'s group when it differs, see below).
pub fn create_gspp(gid: u32) -> Option<Pool> {
    let pool = Pool::create(0, gid).ok()?;
    if pool.mlock().is_err() {
        log_warn!("irmd", "Failed to mlock pool.");
    }
    Some(pool)
}

/// Creates the per-user pool of `uid`.
pub fn create_pup(uid: u32, gid: u32) -> Option<Pool> {
    Pool::create(uid, gid).ok()
}
