//! Per-process flow sets (`/ouroboros.set.<pid>`): which fqueue each flow
//! id of the process is attached to, and 32 event queues of 1024 records.

use super::layout::{FlowEvent, FlowSetShm};
use super::shm::{self, Create, Shm};
use super::sync::{Guard, SharedCond, SharedMutex};
use super::{PROG_MAX_FQUEUES, RBUFF_SIZE, SYS_MAX_FLOWS};
use crate::errno::{Error, Result};
use crate::time::MonoTime;
use std::mem::size_of;

pub const FLOW_PKT: i32 = 1;
pub const FLOW_DOWN: i32 = 2;
pub const FLOW_UP: i32 = 4;
pub const FLOW_ALLOC: i32 = 8;
pub const FLOW_DEALLOC: i32 = 16;
pub const FLOW_PEER: i32 = 32;

/// Size of a flow-set object.
pub const FLOW_SET_FILE_SIZE: usize = size_of::<FlowSetShm>();

/// Records one fqueue holds; further events are dropped (upstream would
/// overwrite the next queue).
pub const FQUEUE_LEN: usize = RBUFF_SIZE;

/// Name of the flow set of `pid`.
pub fn flow_set_name(pid: i32) -> String {
    format!("{}{}", super::FLOW_SET_PREFIX, pid)
}

/// A mapped flow set.
pub struct FlowSet {
    shm: Shm,
    pid: i32,
}

fn flow_index(flow_id: i32) -> Option<usize> {
    usize::try_from(flow_id).ok().filter(|&f| f < SYS_MAX_FLOWS)
}

impl FlowSet {
    /// Creates (or takes over a stale) flow set of `pid`, mode 0666, and
    /// (re)initialises it: no flow attached, every fqueue empty.
    pub fn create(pid: i32) -> Result<FlowSet> {
        let name = flow_set_name(pid);
        let how = Create {
            mode: 0o666,
            exclusive: false,
            owner: None,
        };
        let set = FlowSet {
            shm: Shm::create(&name, FLOW_SET_FILE_SIZE, &how)?,
            pid,
        };
        if let Err(e) = set.init() {
            drop(set);
            let _ = shm::unlink(&name);
            return Err(e);
        }
        Ok(set)
    }

    /// Maps the existing flow set of `pid`.
    pub fn open(pid: i32) -> Result<FlowSet> {
        Ok(FlowSet {
            shm: Shm::open(&flow_set_name(pid), FLOW_SET_FILE_SIZE)?,
            pid,
        })
    }

    /// Unmaps and unlinks.
    pub fn destroy(self) {
        let pid = self.pid;
        drop(self);
        let _ = FlowSet::unlink(pid);
    }

    /// Unlinks the flow set of `pid`.
    pub fn unlink(pid: i32) -> Result<()> {
        shm::unlink(&flow_set_name(pid))
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    fn shm(&self) -> *mut FlowSetShm {
        self.shm.base().cast()
    }

    fn init(&self) -> Result<()> {
        self.lock_mutex().init(false)?;
        for q in 0..PROG_MAX_FQUEUES {
            self.set_head(q, 0);
            self.cond(q).init()?;
        }
        (0..SYS_MAX_FLOWS).for_each(|f| self.set_entry(f, -1));
        Ok(())
    }

    fn lock_mutex(&self) -> SharedMutex<'_> {
        // SAFETY: the mutex lives in our mapping while `self` is borrowed.
        unsafe { SharedMutex::new(&raw mut (*self.shm()).lock) }
    }

    fn lock(&self) -> Result<Guard<'_>> {
        self.lock_mutex().lock()
    }

    fn cond(&self, q: usize) -> SharedCond<'_> {
        // SAFETY: as in `lock_mutex` (index checked).
        unsafe { SharedCond::new(&raw mut (*self.shm()).conds[q]) }
    }

    // Plain fields, accessed volatile (under the lock, except at init).

    fn entry(&self, f: usize) -> i64 {
        // SAFETY: in-bounds field of our mapping (index checked).
        unsafe { (&raw const (*self.shm()).mtable[f]).read_volatile() }
    }

    fn set_entry(&self, f: usize, v: i64) {
        // SAFETY: as in `entry`.
        unsafe { (&raw mut (*self.shm()).mtable[f]).write_volatile(v) }
    }

    fn head(&self, q: usize) -> usize {
        // SAFETY: as in `entry`.
        unsafe { (&raw const (*self.shm()).heads[q]).read_volatile() }
    }

    fn set_head(&self, q: usize, v: usize) {
        // SAFETY: as in `entry`.
        unsafe { (&raw mut (*self.shm()).heads[q]).write_volatile(v) }
    }

    /// The fqueue `flow_id` is attached to, if any (lock held).
    fn queue_of(&self, f: usize) -> Option<usize> {
        usize::try_from(self.entry(f))
            .ok()
            .filter(|&q| q < PROG_MAX_FQUEUES)
    }

    /// Attaches `flow_id` to fqueue `idx`; `Perm` if it is attached
    /// anywhere already, `Inval` for out-of-range arguments.
    pub fn add(&self, idx: usize, flow_id: i32) -> Result<()> {
        let f = flow_index(flow_id).ok_or(Error::Inval)?;
        if idx >= PROG_MAX_FQUEUES {
            return Err(Error::Inval);
        }
        let _g = self.lock()?;
        if self.entry(f) != -1 {
            return Err(Error::Perm);
        }
        self.set_entry(f, idx as i64);
        Ok(())
    }

    /// Detaches `flow_id` if it is attached to `idx`.
    pub fn del(&self, idx: usize, flow_id: i32) {
        let Some(f) = flow_index(flow_id) else { return };
        let Ok(_g) = self.lock() else { return };
        if self.entry(f) == idx as i64 {
            self.set_entry(f, -1);
        }
    }

    /// Whether `flow_id` is attached to `idx`.
    pub fn has(&self, idx: usize, flow_id: i32) -> bool {
        let Some(f) = flow_index(flow_id) else {
            return false;
        };
        let Ok(_g) = self.lock() else { return false };
        self.entry(f) == idx as i64
    }

    /// Events pending for `flow_id` in the fqueue it is attached to;
    /// `None` when it is attached to none.
    pub fn pending(&self, flow_id: i32) -> Option<usize> {
        let f = flow_index(flow_id)?;
        let _g = self.lock().ok()?;
        let q = self.queue_of(f)?;
        let n = self.head(q).min(FQUEUE_LEN);
        let count = (0..n)
            // SAFETY: in-bounds record of our mapping (i < 1024).
            .filter(|&i| unsafe { (&raw const (*self.shm()).fqueues[q][i]).read_volatile() }.flow_id == flow_id)
            .count();
        Some(count)
    }

    /// Detaches every flow of `idx` and drops its pending events.
    pub fn zero(&self, idx: usize) {
        if idx >= PROG_MAX_FQUEUES {
            return;
        }
        let Ok(_g) = self.lock() else { return };
        for f in 0..SYS_MAX_FLOWS {
            if self.entry(f) == idx as i64 {
                self.set_entry(f, -1);
            }
        }
        self.set_head(idx, 0);
    }

    /// Queues `event` for `flow_id` in the fqueue it is attached to and
    /// wakes one waiter; dropped if it is not attached or the queue holds
    /// `FQUEUE_LEN` records already.
    pub fn notify(&self, flow_id: i32, event: i32) {
        self.notify_attached(flow_id, event);
    }

    /// [`notify`](Self::notify); false when the flow is attached to no
    /// fqueue (nobody was told).
    pub fn notify_attached(&self, flow_id: i32, event: i32) -> bool {
        let Some(f) = flow_index(flow_id) else {
            return false;
        };
        let Ok(_g) = self.lock() else { return false };
        let Some(q) = self.queue_of(f) else {
            return false;
        };
        let n = self.head(q);
        if n < FQUEUE_LEN {
            // SAFETY: in-bounds record of our mapping (n < 1024).
            unsafe {
                (&raw mut (*self.shm()).fqueues[q][n]).write_volatile(FlowEvent { flow_id, event })
            };
            self.set_head(q, n + 1);
        }
        self.cond(q).signal();
        true
    }

    /// Waits until fqueue `idx` has events (or `deadline` passes:
    /// `TimedOut`) and takes them all, oldest first (at most
    /// `FQUEUE_LEN`, whatever a C writer queued).
    pub fn wait(&self, idx: usize, deadline: Option<MonoTime>) -> Result<Vec<FlowEvent>> {
        if idx >= PROG_MAX_FQUEUES {
            return Err(Error::Inval);
        }
        let mut g = self.lock()?;
        while self.head(idx) == 0 {
            match g.wait(self.cond(idx), deadline) {
                Ok(()) => {}
                Err(Error::TimedOut) if self.head(idx) > 0 => break,
                Err(e) => return Err(e),
            }
        }
        let n = self.head(idx).min(FQUEUE_LEN);
        let events = (0..n)
            // SAFETY: in-bounds record of our mapping (i < 1024).
            .map(|i| unsafe { (&raw const (*self.shm()).fqueues[idx][i]).read_volatile() })
            .collect();
        self.set_head(idx, 0);
        Ok(events)
    }

    /// Test hook: locks the set and keeps it locked.
    #[cfg(test)]
    pub(crate) fn lock_forever(&self) {
        self.lock().expect("lock").leak();
    }
}
