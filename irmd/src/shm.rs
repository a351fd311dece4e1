//! The shared-memory objects the IRMd creates and removes: the global
//! packet pool, per-user pools, per-process flow sets and per-flow ring
//! buffers.

use ouroboros::log_warn;
use ouroboros::ssm::{FlowSet, Pool, Rbuff};

/// Both ring buffers of a flow (`rbuff.<a>.<id>`, `rbuff.<b>.<id>`),
/// created exclusively and locked in memory.
pub fn create_rbuffs(a: i32, b: i32, id: i32) -> Result<Vec<Rbuff>, i32> {
    let first = Rbuff::create(a, id).map_err(|_| -libc::ENOMEM)?;
    match Rbuff::create(b, id) {
        Ok(second) => Ok(vec![first, second]),
        Err(_) => {
            first.destroy();
            Err(-libc::ENOMEM)
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
