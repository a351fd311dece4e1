//! Per-flow ring buffers: `/ouroboros.rbuff.<pid>.<flow_id>` is the
//! receive queue of process `pid` for flow `flow_id`; its peer writes pool
//! offsets into it. 1024 slots, 1023 usable.

use super::layout::RbuffShm;
use super::shm::{self, Create, Shm};
use super::sync::{self, Guard, SharedCond, SharedMutex};
use super::RBUFF_SIZE;
use crate::errno::{Error, Result};
use crate::time::MonoTime;
use std::mem::size_of;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use std::time::Duration;

pub const ACL_RDWR: u32 = 0;
pub const ACL_RDONLY: u32 = 1;
pub const ACL_FLOWDOWN: u32 = 2;
pub const ACL_FLOWPEER: u32 = 4;

/// Size of an rbuff object.
pub const RBUFF_FILE_SIZE: usize = size_of::<RbuffShm>();

const MASK: usize = RBUFF_SIZE - 1;

/// How often a blocked reader or writer re-reads the ACL: C peers change
/// it without waking anyone.
const ACL_POLL: Duration = Duration::from_millis(100);

/// Name of the receive queue of `pid` for `flow_id`.
pub fn rbuff_name(pid: i32, flow_id: i32) -> String {
    format!("{}{}.{}", super::RBUFF_PREFIX, pid, flow_id)
}

/// A mapped ring buffer.
pub struct Rbuff {
    shm: Shm,
    pid: i32,
    flow_id: i32,
}

impl Rbuff {
    /// Creates the rbuff (exclusive, mode 0666), initialises it and locks
    /// it in memory (an `mlock` failure is ignored, as upstream).
    pub fn create(pid: i32, flow_id: i32) -> Result<Rbuff> {
        let name = rbuff_name(pid, flow_id);
        let how = Create {
            mode: 0o666,
            exclusive: true,
            owner: None,
        };
        let rb = Rbuff {
            shm: Shm::create(&name, RBUFF_FILE_SIZE, &how)?,
            pid,
            flow_id,
        };
        if let Err(e) = rb.init() {
            drop(rb);
            let _ = shm::unlink(&name);
            return Err(e);
        }
        let _ = rb.mlock();
        Ok(rb)
    }

    /// Maps an existing rbuff.
    pub fn open(pid: i32, flow_id: i32) -> Result<Rbuff> {
        Ok(Rbuff {
            shm: Shm::open(&rbuff_name(pid, flow_id), RBUFF_FILE_SIZE)?,
            pid,
            flow_id,
        })
    }

    /// Unmaps and unlinks.
    pub fn destroy(self) {
        let (pid, flow_id) = (self.pid, self.flow_id);
        drop(self);
        let _ = Rbuff::unlink(pid, flow_id);
    }

    /// Unlinks the rbuff of `pid` for `flow_id`.
    pub fn unlink(pid: i32, flow_id: i32) -> Result<()> {
        shm::unlink(&rbuff_name(pid, flow_id))
    }

    pub fn mlock(&self) -> Result<()> {
        self.shm.mlock()
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    pub fn flow_id(&self) -> i32 {
        self.flow_id
    }

    fn shm(&self) -> *mut RbuffShm {
        self.shm.base().cast()
    }

    fn init(&self) -> Result<()> {
        self.mutex().init(false)?;
        self.add().init()?;
        self.del().init()?;
        // SAFETY: fields of our mapping.
        let r = unsafe { &*self.shm() };
        r.acl.store(ACL_RDWR as usize, SeqCst);
        r.head.store(0, SeqCst);
        r.tail.store(0, SeqCst);
        Ok(())
    }

    fn mutex(&self) -> SharedMutex<'_> {
        // SAFETY: the mutex lives in our mapping while `self` is borrowed.
        unsafe { SharedMutex::new(&raw mut (*self.shm()).mtx) }
    }

    fn add(&self) -> SharedCond<'_> {
        // SAFETY: as in `mutex`.
        unsafe { SharedCond::new(&raw mut (*self.shm()).add) }
    }

    fn del(&self) -> SharedCond<'_> {
        // SAFETY: as in `mutex`.
        unsafe { SharedCond::new(&raw mut (*self.shm()).del) }
    }

    fn head(&self) -> &std::sync::atomic::AtomicUsize {
        // SAFETY: an atomic inside our mapping.
        unsafe { &(*self.shm()).head }
    }

    fn tail(&self) -> &std::sync::atomic::AtomicUsize {
        // SAFETY: an atomic inside our mapping.
        unsafe { &(*self.shm()).tail }
    }

    fn slot(&self, i: usize) -> &std::sync::atomic::AtomicI64 {
        // SAFETY: an atomic inside our mapping (index masked).
        unsafe { &(*self.shm()).ring[i & MASK] }
    }

    /// Compared modulo the ring size, as `queued` counts: a peer may leave
    /// unmasked values in the indexes.
    fn is_empty(&self) -> bool {
        self.queued() == 0
    }

    fn is_full(&self) -> bool {
        self.queued() == RBUFF_SIZE - 1
    }

    /// Entries waiting to be read.
    pub fn queued(&self) -> usize {
        self.head()
            .load(Acquire)
            .wrapping_sub(self.tail().load(Acquire))
            & MASK
    }

    /// How many entries were ever read, modulo the ring size: a reader
    /// that makes progress moves it.
    pub fn read_count(&self) -> usize {
        self.tail().load(Acquire) & MASK
    }

    /// Replaces the ACL. Like upstream this wakes nobody: a C reader
    /// blocked on the ring must stay blocked (waking it would make it see
    /// -EFLOWDOWN where upstream peers keep waiting, and some upstream
    /// programs then spin); our own blocked calls re-read the ACL
    /// periodically instead.
    pub fn set_acl(&self, flags: u32) {
        // SAFETY: an atomic inside our mapping.
        unsafe { &(*self.shm()).acl }.store(flags as usize, SeqCst);
    }

    pub fn acl(&self) -> u32 {
        // SAFETY: an atomic inside our mapping.
        unsafe { &(*self.shm()).acl }.load(SeqCst) as u32
    }

    /// The error a write fails with under the current ACL, if any.
    fn write_denied(&self) -> Option<Error> {
        let acl = self.acl();
        if acl & ACL_FLOWDOWN != 0 {
            Some(Error::FlowDown)
        } else if acl & ACL_RDONLY != 0 {
            Some(Error::NotAlloc)
        } else {
            None
        }
    }

    /// What reading an empty ring reports under the current ACL.
    fn empty_error(&self) -> Error {
        let acl = self.acl();
        if acl & ACL_FLOWDOWN != 0 {
            Error::FlowDown
        } else if acl & ACL_FLOWPEER != 0 {
            Error::FlowPeer
        } else {
            Error::Again
        }
    }

    /// Stores `off` at the head (lock held, ring not full). The indexes
    /// are shared: whatever a peer left in them counts modulo the ring
    /// size (no overflow on a corrupt `usize::MAX`).
    fn push(&self, off: usize) {
        let was_empty = self.is_empty();
        let h = self.head().load(Relaxed);
        self.slot(h).store(off as i64, Relaxed);
        self.head().store(h.wrapping_add(1) & MASK, Release);
        if was_empty {
            self.add().broadcast();
        }
    }

    /// Takes the entry at the tail (lock held, ring not empty); the tail
    /// counts modulo the ring size, as the head in `push`. `claim` sees a
    /// valid entry while it is still queued: a reader that dies at any
    /// point leaves the block either in the ring or claimed.
    fn pop(&self, claim: &dyn Fn(usize)) -> Result<usize> {
        let t = self.tail().load(Relaxed);
        let v = self.slot(t).load(Relaxed);
        if let Ok(off) = usize::try_from(v) {
            claim(off);
        }
        self.tail().store(t.wrapping_add(1) & MASK, Release);
        self.del().broadcast();
        usize::try_from(v).map_err(|_| Error::Inval)
    }

    /// Queues `off`: `FlowDown`/`NotAlloc` per the ACL, `Again` if full.
    pub fn write(&self, off: usize) -> Result<()> {
        if let Some(e) = self.write_denied() {
            return Err(e);
        }
        let _g = self.mutex().lock()?;
        // again under the lock: a reader that flags the ring down and then
        // drains it under the lock must not leave our entry behind
        if let Some(e) = self.write_denied() {
            return Err(e);
        }
        if self.is_full() {
            return Err(Error::Again);
        }
        self.push(off);
        Ok(())
    }

    /// Queues `off`, waiting for room until `deadline` (`None`: forever).
    pub fn write_b(&self, off: usize, deadline: Option<MonoTime>) -> Result<()> {
        if let Some(e) = self.write_denied() {
            return Err(e);
        }
        let mut g = self.mutex().lock()?;
        loop {
            if let Some(e) = self.write_denied() {
                return Err(e);
            }
            if !self.is_full() {
                break;
            }
            self.wait(&mut g, self.del(), deadline)?;
        }
        self.push(off);
        Ok(())
    }

    /// Takes the oldest entry: on an empty ring `FlowDown`, `FlowPeer` or
    /// `Again` per the ACL.
    pub fn read(&self) -> Result<usize> {
        self.read_claimed(&|_| {})
    }

    /// [`Rbuff::read`], calling `claim` with the entry before it leaves
    /// the ring (under the ring's lock).
    pub fn read_claimed(&self, claim: &dyn Fn(usize)) -> Result<usize> {
        if self.is_empty() {
            return Err(self.empty_error());
        }
        let _g = self.mutex().lock()?;
        // Re-checked under the lock: two readers may race (upstream
        // would then read past the head).
        if self.is_empty() {
            return Err(self.empty_error());
        }
        self.pop(claim)
    }

    /// Takes the oldest entry, waiting until `deadline` (`None`: forever)
    /// or, without a deadline, until the ACL reports the flow down or the
    /// peer gone. With a deadline, a flow that goes down (or loses its
    /// peer) while the reader waits is reported at the deadline as
    /// `TimedOut`, as upstream's reader (which the ACL change does not
    /// wake) reports it: upstream programs on our library rely on that
    /// (operf's reader takes anything but -ETIMEDOUT as a bad packet and
    /// reads again). A ring already down when the read starts is reported
    /// at once, as by upstream.
    pub fn read_b(&self, deadline: Option<MonoTime>) -> Result<usize> {
        self.read_b_claimed(deadline, &|_| {})
    }

    /// [`Rbuff::read_b`], calling `claim` as [`Rbuff::read_claimed`].
    pub fn read_b_claimed(
        &self,
        deadline: Option<MonoTime>,
        claim: &dyn Fn(usize),
    ) -> Result<usize> {
        if self.is_empty() && self.acl() & ACL_FLOWDOWN != 0 {
            return Err(Error::FlowDown);
        }
        let mut g = self.mutex().lock()?;
        let mut waited = false;
        loop {
            if !self.is_empty() {
                return self.pop(claim);
            }
            match self.empty_error() {
                Error::Again => {}
                _ if waited && deadline.is_some() => {}
                e => return Err(e),
            }
            waited = true;
            if let Err(e) = self.wait(&mut g, self.add(), deadline) {
                // An entry that arrived with the timeout is still taken.
                return if e == Error::TimedOut && !self.is_empty() {
                    self.pop(claim)
                } else {
                    Err(e)
                };
            }
        }
    }

    /// Waits until the reader has emptied the ring, or went (the ring is
    /// down: nobody will empty it), or `deadline` passes (`TimedOut`).
    /// Upstream waits for the reader only, without a deadline.
    pub fn fini(&self, deadline: Option<MonoTime>) -> Result<()> {
        let mut g = self.mutex().lock()?;
        while !self.is_empty() && self.acl() & ACL_FLOWDOWN == 0 {
            self.wait(&mut g, self.del(), deadline)?;
        }
        Ok(())
    }

    /// One bounded wait on `cond`; `TimedOut` only once `deadline` passed.
    fn wait<'a>(
        &'a self,
        g: &mut Guard<'a>,
        cond: SharedCond<'a>,
        deadline: Option<MonoTime>,
    ) -> Result<()> {
        let (until, own) = sync::capped(deadline, ACL_POLL);
        match g.wait(cond, Some(until)) {
            Err(Error::TimedOut) if !own => Ok(()),
            r => r,
        }
    }

    /// Test hook: locks the mutex and keeps it locked.
    #[cfg(test)]
    pub(crate) fn lock_forever(&self) {
        self.mutex().lock().expect("lock").leak();
    }

    /// Test hook: locks and unlocks; whether the lock had to be recovered
    /// from a dead owner.
    #[cfg(test)]
    pub(crate) fn probe_lock(&self) -> Result<bool> {
        Ok(self.mutex().lock()?.recovered())
    }
}
