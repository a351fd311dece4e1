//! What the IRMd does when a process dies holding flows. Upstream only
//! cancels pending allocations and leaves allocated flows (with their ring
//! buffers and queued blocks) until shutdown; the peer finds out through
//! its keepalive timeout (-EFLOWPEER). We give the peer that same outcome
//! at once (FLOW_PEER, -EFLOWPEER on its ring), drop its writes to the
//! dead end, free the blocks queued in both rings, and finish the
//! deallocation on the dead process's behalf.

use super::flow::{dealloc, destroy_flow};
use crate::irmd::Irmd;
use crate::reg::FlowState;
use ouroboros::ssm::{Rbuff, ACL_FLOWDOWN, ACL_FLOWPEER, FLOW_PEER};

/// Called for a dead process before its records go.
pub fn proc_died(irmd: &Irmd, pid: i32) {
    let ids: Vec<i32> = irmd
        .reg()
        .flows
        .iter()
        .filter(|f| {
            f.info.state >= FlowState::Allocated && (f.info.n_pid == pid || f.info.n_1_pid == pid)
        })
        .map(|f| f.info.id)
        .collect();
    for id in ids {
        let Some((survivor, direct, app_died)) = take_down(irmd, id, pid) else {
            continue;
        };
        if let Some(set) = irmd.reg().proc(survivor).and_then(|p| p.set.as_ref()) {
            set.notify(id, FLOW_PEER);
        }
        if direct || app_died {
            // the dead end deallocates; an IPCP is told and finishes
            dealloc(irmd, id, pid, 0);
        } else if irmd
            .reg()
            .flow(id)
            .is_some_and(|f| f.info.state == FlowState::DeallocPending)
        {
            // the IPCP died after the application deallocated
            destroy_flow(irmd, id);
        }
    }
}

/// Flags the dead end's ring down and the survivor's as "peer gone", and
/// frees the blocks queued in both. Returns (survivor, direct, app died).
fn take_down(irmd: &Irmd, id: i32, dead: i32) -> Option<(i32, bool, bool)> {
    let reg = irmd.reg();
    let f = reg.flow(id)?;
    for r in &f.rbuffs {
        r.set_acl(if r.pid() == dead {
            ACL_FLOWDOWN
        } else {
            ACL_FLOWPEER
        });
    }
    free_queued(irmd, reg.proc_uid(f.info.n_pid), &f.rbuffs);
    let survivor = if f.info.n_pid == dead {
        f.info.n_1_pid
    } else {
        f.info.n_pid
    };
    Some((survivor, f.direct, f.info.n_pid == dead))
}

/// Frees the blocks still queued in a flow's rings: whatever its ends
/// left there when they went (upstream leaks them). All of them are in
/// the pool of the application end's uid class `uid` (the IPCP's ring
/// holds the application's blocks too).
pub fn free_queued(irmd: &Irmd, uid: u32, rbuffs: &[Rbuff]) {
    let gspp = irmd.gspp.lock().unwrap_or_else(|e| e.into_inner());
    let pups = irmd.pups.lock().unwrap_or_else(|e| e.into_inner());
    let pool = if uid == 0 {
        gspp.as_ref()
    } else {
        pups.get(&uid)
    };
    for r in rbuffs {
        while let Ok(off) = r.read() {
            if let Some(pool) = pool {
                let _ = pool.remove(off);
            }
        }
    }
}
