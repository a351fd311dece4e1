//! `fqueue.h`: sets of flows (`fset_t`) and the events one wait returns
//! (`fqueue_t`), both opaque to C and owned through the pointers handed
//! out by the create functions.

use crate::ffi::{cancellable, guard, guard_or, opt_timeout};
use libc::{c_int, ssize_t, timespec};
use ouroboros::c_api::fqueue::fqtype;
use ouroboros::dev::fqueue::{FSet, FQ};
use ouroboros::errno::{Error, Result};
use std::ptr::null_mut;

/// `fset_t` (`struct flow_set`): one of the process's event queues.
#[allow(non_camel_case_types)]
pub struct fset_t(FSet);

/// `fqueue_t` (`struct fqueue`): the events of one `fevent`.
#[allow(non_camel_case_types)]
pub struct fqueue_t(FQ);

/// A new set, or NULL when the process's 31 sets are all in use.
#[no_mangle]
pub extern "C" fn fset_create() -> *mut fset_t {
    guard_or(null_mut(), || match FSet::create() {
        Some(s) => Box::into_raw(Box::new(fset_t(s))),
        None => null_mut(),
    })
}

/// Empties the set and frees it; NULL is ignored.
///
/// # Safety
/// `set` is NULL or came from [`fset_create`] and was not destroyed yet.
#[no_mangle]
pub unsafe extern "C" fn fset_destroy(set: *mut fset_t) {
    guard_or((), || {
        if !set.is_null() {
            // SAFETY: a live pointer from fset_create (contract above),
            // owned from here on.
            drop(unsafe { Box::from_raw(set) });
        }
    })
}

#[no_mangle]
pub extern "C" fn fqueue_create() -> *mut fqueue_t {
    guard_or(null_mut(), || Box::into_raw(Box::new(fqueue_t(FQ::new()))))
}

/// Frees the queue; NULL is ignored.
///
/// # Safety
/// `fq` is NULL or came from [`fqueue_create`] and was not destroyed yet.
#[no_mangle]
pub unsafe extern "C" fn fqueue_destroy(fq: *mut fqueue_t) {
    guard_or((), || {
        if !fq.is_null() {
            // SAFETY: a live pointer from fqueue_create (contract above),
            // owned from here on.
            drop(unsafe { Box::from_raw(fq) });
        }
    })
}

/// Removes every flow from the set; NULL is ignored.
///
/// # Safety
/// `set` is NULL or a live pointer from [`fset_create`].
#[no_mangle]
pub unsafe extern "C" fn fset_zero(set: *mut fset_t) {
    guard_or((), || {
        // SAFETY: NULL or live (contract above).
        if let Some(s) = unsafe { set.as_ref() } {
            s.0.zero();
        }
    })
}

/// Adds flow `fd` to the set.
///
/// # Safety
/// `set` is NULL or a live pointer from [`fset_create`].
#[no_mangle]
pub unsafe extern "C" fn fset_add(set: *mut fset_t, fd: c_int) -> c_int {
    guard(|| {
        // SAFETY: NULL or live (contract above).
        let s = unsafe { set.as_ref() }.ok_or(Error::Inval)?;
        s.0.add(fd).map(|()| 0)
    })
}

/// Whether flow `fd` is in the set; false for NULL or a bad `fd`.
///
/// # Safety
/// `set` is NULL or a live pointer from [`fset_create`].
#[no_mangle]
pub unsafe extern "C" fn fset_has(set: *const fset_t, fd: c_int) -> bool {
    guard_or(false, || {
        // SAFETY: NULL or live (contract above).
        unsafe { set.as_ref() }.is_some_and(|s| s.0.has(fd))
    })
}

/// Removes flow `fd` from the set; bad arguments are ignored.
///
/// # Safety
/// `set` is NULL or a live pointer from [`fset_create`].
#[no_mangle]
pub unsafe extern "C" fn fset_del(set: *mut fset_t, fd: c_int) {
    guard_or((), || {
        // SAFETY: NULL or live (contract above).
        if let Some(s) = unsafe { set.as_ref() } {
            s.0.del(fd);
        }
    })
}

/// The queue for one of the exported functions; `Error::Inval` for NULL.
///
/// # Safety
/// `fq` is NULL or a live pointer from [`fqueue_create`], not used
/// elsewhere during the call.
unsafe fn queue<'a>(fq: *mut fqueue_t) -> Result<&'a mut FQ> {
    // SAFETY: NULL or live and unshared (contract above).
    unsafe { fq.as_mut() }.map(|q| &mut q.0).ok_or(Error::Inval)
}

/// The next flow with an event; `-EPERM` when there is none left.
///
/// # Safety
/// `fq` is NULL or a live pointer from [`fqueue_create`].
#[no_mangle]
pub unsafe extern "C" fn fqueue_next(fq: *mut fqueue_t) -> c_int {
    // SAFETY: per the contract above.
    guard(|| unsafe { queue(fq) }?.next_fd())
}

/// The event of the flow [`fqueue_next`] returned last; negative errors
/// travel through the enum, as upstream.
///
/// # Safety
/// `fq` is NULL or a live pointer from [`fqueue_create`].
#[no_mangle]
pub unsafe extern "C" fn fqueue_type(fq: *mut fqueue_t) -> fqtype {
    guard(|| {
        // SAFETY: per the contract above.
        let t = unsafe { queue(fq) }?.event_type()?;
        Ok(t as fqtype)
    })
}

/// Waits until flows in `set` have events (or `fq` still holds some);
/// 1, or `-ETIMEDOUT` when `timeo` passes first.
///
/// # Safety
/// `set` is NULL or a live pointer from [`fset_create`], `fq` NULL or one
/// from [`fqueue_create`]; `timeo` is NULL or points to a `struct timespec`.
#[no_mangle]
pub unsafe extern "C" fn fevent(
    set: *mut fset_t,
    fq: *mut fqueue_t,
    timeo: *const timespec,
) -> ssize_t {
    cancellable(|| {
        // SAFETY: per the contract above.
        let (s, q, t) = unsafe { (set.as_ref(), queue(fq), opt_timeout(timeo)) };
        let s = s.ok_or(Error::Inval)?;
        s.0.wait(q?, t)?;
        Ok(1)
    })
}

#[cfg(test)]
mod tests {
    //! NULL handling (no process state needed); sets themselves need a
    //! running system and are exercised by compat-tests.
    use super::*;
    use ouroboros::c_api::fqueue::FLOW_PKT;
    use std::ptr::null;

    const EINVAL: c_int = -libc::EINVAL;
    const EPERM: c_int = -libc::EPERM;

    #[test]
    fn null_pointers() {
        // SAFETY: NULL is allowed everywhere.
        unsafe {
            fset_destroy(null_mut());
            fqueue_destroy(null_mut());
            fset_zero(null_mut());
            fset_del(null_mut(), 64);
            assert!(!fset_has(null(), 64));
            assert_eq!(fset_add(null_mut(), 64), EINVAL);
            assert_eq!(fqueue_next(null_mut()), EINVAL);
            assert_eq!(fqueue_type(null_mut()) as c_int, EINVAL);
            assert_eq!(fevent(null_mut(), null_mut(), null()), EINVAL as ssize_t);
        }
    }

    #[test]
    fn a_fresh_queue_has_no_event_type() {
        let fq = fqueue_create();
        assert!(!fq.is_null());
        // SAFETY: `fq` is live until destroyed below.
        unsafe {
            assert_eq!(fqueue_type(fq) as c_int, EPERM);
            assert_eq!(fevent(null_mut(), fq, null()), EINVAL as ssize_t);
            fqueue_destroy(fq);
        }
        // an event value passes unchanged
        assert_eq!(guard(|| Ok(FLOW_PKT)), 1);
    }
}
