//! glibc process-shared mutexes and condition variables living at fixed
//! addresses inside a shared mapping.
//!
//! Every shared lock of the data path is a glibc robust mutex and every
//! condvar uses CLOCK_MONOTONIC, so C processes linked against upstream and
//! ours operate on the very same objects. A lock that comes back with
//! EOWNERDEAD (its previous owner died holding it) is made consistent at
//! once; the data it protects is not repaired.

use crate::errno::{Error, Result};
use crate::time::MonoTime;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

/// A mutex inside a mapping that stays mapped for `'a`.
#[derive(Clone, Copy)]
pub(crate) struct SharedMutex<'a> {
    ptr: *mut libc::pthread_mutex_t,
    _map: PhantomData<&'a ()>,
}

/// A condvar inside a mapping that stays mapped for `'a`.
#[derive(Clone, Copy)]
pub(crate) struct SharedCond<'a> {
    ptr: *mut libc::pthread_cond_t,
    _map: PhantomData<&'a ()>,
}

/// A held lock; unlocked on drop.
pub(crate) struct Guard<'a> {
    mutex: SharedMutex<'a>,
    held: bool,
    #[cfg_attr(not(test), allow(dead_code))]
    recovered: bool,
}

fn check(rc: libc::c_int) -> Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::from_errno(rc))
    }
}

impl<'a> SharedMutex<'a> {
    /// # Safety
    /// `ptr` must be 8-aligned and point to 40 bytes inside a shared
    /// mapping that stays mapped (at this address) for `'a`.
    pub(crate) unsafe fn new(ptr: *mut libc::pthread_mutex_t) -> SharedMutex<'a> {
        SharedMutex {
            ptr,
            _map: PhantomData,
        }
    }

    /// Initialises the mutex: process-shared and robust, plus priority
    /// inheritance when `prio_inherit` (pool shard mutexes).
    pub(crate) fn init(&self, prio_inherit: bool) -> Result<()> {
        let mut attr = MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
        // SAFETY: the attribute object is local; `self.ptr` is valid for
        // 40 bytes by construction. Initialising a mutex nobody holds is
        // the creator's job (callers only do it while creating an object).
        unsafe {
            check(libc::pthread_mutexattr_init(attr.as_mut_ptr()))?;
            let a = attr.as_mut_ptr();
            let mut rc = libc::pthread_mutexattr_setpshared(a, libc::PTHREAD_PROCESS_SHARED);
            if rc == 0 {
                rc = libc::pthread_mutexattr_setrobust(a, libc::PTHREAD_MUTEX_ROBUST);
            }
            if rc == 0 && prio_inherit {
                rc = libc::pthread_mutexattr_setprotocol(a, libc::PTHREAD_PRIO_INHERIT);
            }
            if rc == 0 {
                rc = libc::pthread_mutex_init(self.ptr, a);
            }
            libc::pthread_mutexattr_destroy(a);
            check(rc)
        }
    }

    /// Locks; a lock whose owner died is made consistent and held.
    /// Fails only if the mutex is unusable (e.g. ENOTRECOVERABLE after a
    /// C process unlocked it without making it consistent).
    pub(crate) fn lock(&self) -> Result<Guard<'a>> {
        // SAFETY: `self.ptr` is a valid mutex in a live mapping.
        let rc = unsafe { libc::pthread_mutex_lock(self.ptr) };
        let mut guard = Guard {
            mutex: *self,
            held: false,
            recovered: false,
        };
        match rc {
            0 => guard.held = true,
            libc::EOWNERDEAD => {
                guard.held = true;
                guard.make_consistent();
            }
            e => return Err(Error::from_errno(e)),
        }
        Ok(guard)
    }
}

impl<'a> SharedCond<'a> {
    /// # Safety
    /// `ptr` must be 8-aligned and point to 48 bytes inside a shared
    /// mapping that stays mapped (at this address) for `'a`.
    pub(crate) unsafe fn new(ptr: *mut libc::pthread_cond_t) -> SharedCond<'a> {
        SharedCond {
            ptr,
            _map: PhantomData,
        }
    }

    /// Initialises the condvar: process-shared, CLOCK_MONOTONIC.
    pub(crate) fn init(&self) -> Result<()> {
        let mut attr = MaybeUninit::<libc::pthread_condattr_t>::uninit();
        // SAFETY: local attribute object; `self.ptr` valid by construction.
        unsafe {
            check(libc::pthread_condattr_init(attr.as_mut_ptr()))?;
            let a = attr.as_mut_ptr();
            let mut rc = libc::pthread_condattr_setpshared(a, libc::PTHREAD_PROCESS_SHARED);
            if rc == 0 {
                rc = libc::pthread_condattr_setclock(a, libc::CLOCK_MONOTONIC);
            }
            if rc == 0 {
                rc = libc::pthread_cond_init(self.ptr, a);
            }
            libc::pthread_condattr_destroy(a);
            check(rc)
        }
    }

    /// Wakes one waiter (no mutex needed).
    pub(crate) fn signal(&self) {
        // SAFETY: valid condvar in a live mapping.
        unsafe { libc::pthread_cond_signal(self.ptr) };
    }

    /// Wakes every waiter (no mutex needed).
    pub(crate) fn broadcast(&self) {
        // SAFETY: valid condvar in a live mapping.
        unsafe { libc::pthread_cond_broadcast(self.ptr) };
    }
}

impl<'a> Guard<'a> {
    fn make_consistent(&mut self) {
        // SAFETY: we hold the mutex after EOWNERDEAD, as required.
        unsafe { libc::pthread_mutex_consistent(self.mutex.ptr) };
        self.recovered = true;
    }

    /// Whether taking this lock recovered it from a dead owner.
    #[cfg(test)]
    pub(crate) fn recovered(&self) -> bool {
        self.recovered
    }

    /// Waits on `cond` until signalled or until the absolute monotonic
    /// `deadline` (`None`: no deadline). `Err(TimedOut)` on expiry; the
    /// lock is held again on return except after a fatal error.
    pub(crate) fn wait(&mut self, cond: SharedCond<'a>, deadline: Option<MonoTime>) -> Result<()> {
        if !self.held {
            return Err(Error::Inval);
        }
        // SAFETY: both objects are valid in a live mapping and we hold the
        // mutex, as pthread_cond_(timed)wait requires.
        let rc = unsafe {
            match deadline {
                None => libc::pthread_cond_wait(cond.ptr, self.mutex.ptr),
                Some(t) => {
                    let ts = t.to_timespec();
                    libc::pthread_cond_timedwait(cond.ptr, self.mutex.ptr, &ts)
                }
            }
        };
        match rc {
            0 => Ok(()),
            libc::ETIMEDOUT => Err(Error::TimedOut),
            libc::EOWNERDEAD => {
                self.make_consistent();
                Ok(())
            }
            libc::ENOTRECOVERABLE => {
                self.held = false;
                Err(Error::from_errno(rc))
            }
            e => Err(Error::from_errno(e)),
        }
    }

    /// Keeps the mutex locked until this thread dies (tests of owner-death
    /// recovery).
    #[cfg(test)]
    pub(crate) fn leak(mut self) {
        self.held = false;
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.held {
            // SAFETY: we hold the mutex.
            unsafe { libc::pthread_mutex_unlock(self.mutex.ptr) };
        }
    }
}

/// Caps a wait at `poll` from now, so that conditions another process
/// changes without signalling (C peers) are noticed. Returns the deadline
/// to wait for and whether it is the caller's own.
pub(crate) fn capped(deadline: Option<MonoTime>, poll: std::time::Duration) -> (MonoTime, bool) {
    let cap = MonoTime::now().after(poll);
    match deadline {
        Some(d) if d <= cap => (d, true),
        _ => (cap, false),
    }
}
